"""Reading the vector layers of `data/layers/` into GeoDataFrames.

Layers are small, hand-edited GeoJSON files whose properties hold lists
(`sources`), so they are parsed as JSON and built with
`GeoDataFrame.from_features`, which keeps lists as lists and null geometries
as None. Validation (`geo.validate`) runs on the same parsed JSON first.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd

from geo.errors import LayerError, Problem
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


def read_json(path: Path) -> Any:
    """Parse a JSON file, naming the file, line and column when it is not JSON."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LayerError(
            Problem(file=str(path), found="file not found", fix="create it, or pass --data the folder that holds it")
        ) from None
    except UnicodeDecodeError as error:
        raise LayerError(
            Problem(file=str(path), found=f"not UTF-8 text ({error.reason} at byte {error.start})", fix="save the file as UTF-8")
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise LayerError(
            Problem(
                file=str(path),
                found=f"unreadable JSON at line {error.lineno} column {error.colno} ({error.msg})",
                fix="repair the JSON syntax",
            )
        ) from None


def frame_from_collection(collection: dict[str, Any]) -> gpd.GeoDataFrame:
    """A GeoDataFrame (EPSG:4326, `id` column first) from a parsed FeatureCollection."""
    features = collection.get("features", [])
    frame = gpd.GeoDataFrame.from_features(features, crs=CRS)
    if "id" not in frame.columns:
        frame.insert(0, "id", [f.get("properties", {}).get("id") for f in features])
    columns = ["id"] + [c for c in frame.columns if c not in ("id", "geometry")] + ["geometry"]
    return frame[columns]


def read_layer(data_dir: str | Path, name: str) -> gpd.GeoDataFrame:
    """Layer `name` from `data_dir` as a GeoDataFrame; no validation (see `geo.validate`)."""
    return frame_from_collection(read_json(layer_path(data_dir, name)))
