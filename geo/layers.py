"""Reading the vector layers of `data/layers/` into GeoDataFrames.

Layers are small, hand-edited GeoJSON files whose properties hold lists
(`sources`), so they are parsed as JSON and built with
`frame_from_collection`, which keeps lists as lists and null geometries as
None, as `GeoDataFrame.from_features` does. Validation (`geo.validate`) runs on
the same parsed JSON.
"""

from __future__ import annotations

import csv
from itertools import chain
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape

from geo._files import read_regular
from geo._json import JSONRefused, parse
from geo.errors import LayerError, Problem, UnsafeFileError
from geo.schema import LAYERS

CRS = "EPSG:4326"


def layer_path(data_dir: str | Path, name: str) -> Path:
    """The file of layer `name` (a key of `geo.schema.LAYERS`) inside `data_dir`."""
    try:
        return Path(data_dir) / LAYERS[name].filename
    except KeyError:
        raise LayerError(
            Problem(found=f"unknown layer {name!r}", expected=f"one of {', '.join(LAYERS)}", fix="name one of those layers")
        ) from None


MAX_JSON_BYTES = 1 << 30
"""The largest JSON file read (a layer of 100,000 sites is about 33 MB)."""


def read_json(path: Path) -> Any:
    """Parse a JSON file of the data folder, naming the file and why when it cannot be read.

    The file must be a regular file, not a link (`geo._files`), of at most
    `MAX_JSON_BYTES`; its JSON must nest at most `geo._json.MAX_DEPTH` deep,
    hold no duplicate key, no `NaN` or `Infinity`, no number too large for a
    float and no lone surrogate (`geo._json.parse`).
    """
    try:
        data = read_regular(path, MAX_JSON_BYTES)
    except FileNotFoundError:
        raise LayerError(
            Problem(file=str(path), found="file not found", fix="create it, or pass --data the folder that holds it")
        ) from None
    except UnsafeFileError as error:
        raise LayerError(*error.problems) from None
    try:
        return parse(data)
    except JSONRefused as error:
        raise LayerError(
            Problem(file=str(path), found=str(error), fix="repair the file (a GeoJSON layer is UTF-8 JSON of plain values)")
        ) from None


MAX_CSV_FIELD = 131_072
"""The longest value a CSV cell of the data folder may hold, in characters (Python's csv module default)."""

MAX_TABLE_BYTES = 64 << 20
"""The largest CSV table of the data folder read (`timeline.csv` is a few kilobytes)."""


def read_text(path: Path) -> str:
    """A text file of the data folder (a regular file, no link followed, UTF-8); LayerError saying why not."""
    try:
        return read_regular(path, MAX_TABLE_BYTES).decode("utf-8")
    except UnsafeFileError as error:
        raise LayerError(*error.problems) from None
    except UnicodeDecodeError as error:
        raise LayerError(
            Problem(file=str(path), found=f"not UTF-8 text ({error.reason} at byte {error.start})", fix="save the file as UTF-8")
        ) from None


def read_table(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV table of the data folder (`read_text`); none when it is absent.

    LayerError naming the file and line when it is not CSV (a value over
    131,072 characters, a quote left open).
    """
    try:
        text = read_text(path)
    except FileNotFoundError:
        return []
    reader = csv.DictReader(text.splitlines(keepends=True), strict=True)
    try:
        rows = []
        for row in reader:
            # Checked here too: the csv module's limit is process-wide, and a library may raise it.
            if any(len(value or "") > MAX_CSV_FIELD for value in row.values() if isinstance(value, str)):
                raise csv.Error(f"field larger than field limit ({MAX_CSV_FIELD})")
            rows.append(row)
        return rows
    except csv.Error as error:
        raise LayerError(
            Problem(
                file=str(path),
                line=reader.line_num + 1,
                found=f"unreadable CSV ({error})",
                fix="shorten the value or close its quote",
            )
        ) from None


def frame_from_collection(collection: Any) -> gpd.GeoDataFrame:
    """A GeoDataFrame (EPSG:4326, `id` column first) from a parsed FeatureCollection, as `from_features` builds it.

    Built a column at a time: the properties as one DataFrame, points as one
    `shapely.points` call over their coordinates, and only other shapes one by
    one (`GeoDataFrame.from_features` builds every geometry in Python: 0.8 s
    for 100,000 points, against 0.06 s). Row i is feature i: a feature that is
    not one, or a geometry shapely cannot build, gives an empty row, and
    validation names it.
    """
    features = collection.get("features") if isinstance(collection, dict) else None
    features = [f if isinstance(f, dict) else {} for f in features] if isinstance(features, list) else []
    props = [p if isinstance(p := f.get("properties"), dict) else {} for f in features]
    frame = pd.DataFrame(props, index=pd.RangeIndex(len(props))) if props else pd.DataFrame({"id": []})
    if "id" not in frame.columns:
        frame.insert(0, "id", [None] * len(frame))
    geometry = gpd.GeoSeries(_geometries([f.get("geometry") for f in features]), index=frame.index, crs=CRS)
    columns = ["id"] + [c for c in frame.columns if c not in ("id", "geometry")]
    return gpd.GeoDataFrame(frame[columns], geometry=geometry)


def _geometries(geometries: list[Any]) -> np.ndarray:
    """Shapely geometries of GeoJSON geometry objects (None where missing or malformed), points in one call."""
    built = np.full(len(geometries), None, dtype=object)
    points = [i for i, g in enumerate(geometries) if type(g) is dict and g.get("type") == "Point"]
    coordinates = [geometries[i].get("coordinates") for i in points]
    try:
        if not all(type(c) is list and len(c) == 2 for c in coordinates):
            raise ValueError("not all points are [x, y] pairs")
        xy = np.fromiter(chain.from_iterable(coordinates), dtype=float, count=2 * len(points)).reshape(-1, 2)
    except (TypeError, ValueError):
        points = []  # some point is malformed: build each shape on its own below
    else:
        built[points] = shapely.points(xy)
    done = set(points)
    for i, g in enumerate(geometries):
        if i in done or not isinstance(g, dict):
            continue
        try:
            built[i] = shape(g)
        except (ValueError, TypeError, AttributeError, IndexError, KeyError, shapely.errors.GEOSException):
            built[i] = None
    return built


def read_layer(data_dir: str | Path, name: str) -> gpd.GeoDataFrame:
    """Layer `name` from `data_dir` as a GeoDataFrame; no validation (see `geo.validate`)."""
    return frame_from_collection(read_json(layer_path(data_dir, name)))
