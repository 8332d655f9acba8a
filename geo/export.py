"""Exports for people who take the data elsewhere: GeoJSON, CSV, GeoPackage and KML (the PNG picture: `geo.picture`).

Why one module: every format starts from the same frames (`layer_frames`,
`log_records`), so a journalist's spreadsheet, a GIS analyst's GeoPackage and
the maps agree.
The heritage sites carry the public status the maps show (the dataset's public view, `geo.sitestatus`).
The `public` profile's `observations.csv` holds only public records, redacted
by `geo.observations.public_record`; the `internal` profile holds every record
as logged, contacts included. Output is deterministic: rows sorted by id
(the log keeps its own order, which its hash chain fixes), columns in a fixed
order, and GeoPackage timestamps pinned to the data's as-of date.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo import datapackage, observations, timeline
from geo.credits import TITLE
from geo.csvfile import write_rows
from geo.dataset import Dataset, open_dataset
from geo.dictionary import PUBLIC_EXCLUDED, reader_order
from geo.errors import ExportError
from geo.kml import kml_document
from geo.schema import LAYERS
from geo.sitestatus import as_of

if TYPE_CHECKING:
    import geopandas as gpd

    from geo.inputs import Inputs

Format = Literal["geojson", "csv", "gpkg", "kml", "png"]
Profile = Literal["public", "internal"]

FORMATS: tuple[str, ...] = ("geojson", "csv", "gpkg", "kml", "png")
PROFILES: tuple[str, ...] = ("public", "internal")
OBSERVATIONS = "observations"
TABLES: tuple[str, ...] = (*LAYERS, OBSERVATIONS)
"""What `--layer` may name: the four vector layers and the monitors' log."""

STATUS_FIELDS: tuple[str, ...] = ("status", "status_date", "verdict", "published_by")
GPKG_FILE = "heritage-map.gpkg"
PNG_FILE = "map.png"
LIST_SEPARATOR = " ; "

# GDAL writes 17 significant digits by default, which turns 46.12 into 46.119999999999997.
_GEOJSON_OPTIONS = {"SIGNIFICANT_FIGURES": "15"}


@dataclass(frozen=True)
class Table:
    """Rows ready for a CSV file: column names and one text cell per column."""

    columns: list[str]
    rows: list[list[str]]


# --- the tables ---------------------------------------------------------------------------


def layer_frames(dataset: Dataset, names: Iterable[str], profile: Profile = "public") -> dict[str, gpd.GeoDataFrame]:
    """Each named vector layer, sorted by id; heritage sites with their public status fields.

    The public profile leaves out `dictionary.PUBLIC_EXCLUDED` (the copies a value was read on, and the like).
    """
    inputs = dataset.inputs
    sources = {"communities": inputs.communities, "routes": inputs.routes, "places": inputs.places}
    frames = {}
    for name in names:
        if name == "heritage_sites":
            sites = dataset.public.sites
            frame = sites[[*inputs.sites.columns.drop("geometry"), *STATUS_FIELDS, "geometry"]]
        elif name in sources:
            frame = sources[name]
        else:
            continue
        if profile == "public":
            frame = frame.drop(columns=[c for c in frame.columns if c in PUBLIC_EXCLUDED])
        frames[name] = tidy(frame)
    return frames


def tidy(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """`frame` sorted by id, its columns in a reader's order (`geo.dictionary.reader_order`), geometry last.

    Integer columns that hold a null come back from GeoJSON as floats and
    true/false/null as objects; they are given pandas' nullable types so every
    format writes 1000 and true, not 1000.0 and "True".
    """
    columns = reader_order([c for c in frame.columns if c != "geometry"])
    frame = frame.sort_values("id", kind="stable").reset_index(drop=True)[[*columns, "geometry"]]
    return frame.astype({column: dtype for column in columns if (dtype := _nullable_dtype(frame[column]))})


def _nullable_dtype(column: pd.Series) -> str | None:
    values = column.dropna()
    if values.empty:
        return None
    if all(isinstance(v, bool) for v in values.tolist()):  # stops at the first value that is not
        return "boolean"
    if pd.api.types.is_float_dtype(column) and values.map(float.is_integer).all():
        return "Int64"
    return None


def log_records(log: list[dict[str, Any]], profile: Profile) -> list[dict[str, Any]]:
    """The monitors' log as the profile may show it, in log order.

    Public: `geo.observations.public_log` (public observations and their
    reviews, no analyst, contact or hash, public ids). Internal: every record.
    """
    if profile == "internal":
        return [dict(record) for record in log]
    return observations.public_log(log)


def log_table(records: list[dict[str, Any]], profile: Profile = "public") -> Table:
    """The log records as CSV rows, columns in a reader's order; the public profile without internal traces."""
    present = {key for record in records for key in record}
    if profile == "public":
        present -= PUBLIC_EXCLUDED
    columns = reader_order(sorted(present))
    return Table(columns, [[cell(record.get(c)) for c in columns] for record in records])


def layer_table(frame: gpd.GeoDataFrame, layer: str) -> Table:
    """A layer as CSV rows: `lat`,`lon` where it may hold points, `geometry_wkt` where it may hold anything else."""
    kinds = LAYERS[layer].geometry_types
    with_point, with_wkt = "Point" in kinds, any(kind != "Point" for kind in kinds)
    properties = [c for c in frame.columns if c != "geometry"]
    columns = reader_order(properties + (["lon", "lat"] if with_point else []) + (["geometry_wkt"] if with_wkt else []))
    rows = []
    # A column at a time: `to_dict("records")` makes a dict per row, a quarter of this table's time at 100,000 rows.
    records = zip(*(frame[c].tolist() for c in properties)) if properties else iter(lambda: (), None)
    for record, geometry in zip(records, frame.geometry):
        values = {c: cell(v) for c, v in zip(properties, record)}
        is_point = geometry is not None and geometry.geom_type == "Point"
        if with_point:
            values["lon"], values["lat"] = (repr(geometry.x), repr(geometry.y)) if is_point else ("", "")
        if with_wkt:
            values["geometry_wkt"] = "" if geometry is None or is_point else shapely.to_wkt(geometry, rounding_precision=-1)
        rows.append([values[c] for c in columns])
    return Table(columns, rows)


def cell(value: Any) -> str:
    """One value as text: lists joined with ' ; ', true/false, empty for null, numbers as written."""
    if type(value) is str:  # most cells: what the chain below would return, without its tests (millions at 100,000 sites)
        return value
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(cell(item) for item in value)
    if isinstance(value, Mapping):
        # An evidence entry: a bare link reads as the link; anything else keeps every key.
        if set(value) == {"url"}:
            return cell(value["url"])
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    return str(value)


def flat_frame(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """`frame` with every list-valued cell joined with ' ; ', for formats without lists."""
    flat = frame.copy()
    for column in frame.columns.drop("geometry"):
        if frame[column].map(lambda v: isinstance(v, (list, tuple))).any():
            flat[column] = frame[column].map(lambda v: cell(v) if isinstance(v, (list, tuple)) else v)
    return flat


# --- the writers (the I/O edge) -----------------------------------------------------------


def write_table(table: Table, path: Path, *, bom: bool = True) -> Path:
    """A UTF-8 CSV file of `table` (with a byte-order mark unless `bom` is False), formula-safe (`geo.csvfile`)."""
    return write_rows(path, table.columns, table.rows, bom=bom)


def write_csv(frame: gpd.GeoDataFrame, layer: str, path: Path, *, bom: bool = True) -> Path:
    """`<layer>.csv`: see `layer_table`."""
    return write_table(layer_table(frame, layer), path, bom=bom)


def write_geojson(frame: gpd.GeoDataFrame, layer: str, path: Path) -> Path:
    """`<layer>.geojson`, lists kept as JSON arrays, numbers as written in the data."""
    path.unlink(missing_ok=True)
    frame.to_file(path, layer=layer, driver="GeoJSON", engine="pyogrio", layer_options=_GEOJSON_OPTIONS)
    return path


def write_kml(frame: gpd.GeoDataFrame, layer: str, path: Path) -> Path:
    """`<layer>.kml`: placemarks styled by status, balloons escaped, unlocated features listed (`geo.kml`)."""
    path.write_bytes(kml_document(frame, f"{TITLE}: {layer.replace('_', ' ')}", cell))
    return path


LAYER_WRITERS: dict[str, Any] = {"geojson": write_geojson, "csv": write_csv, "kml": write_kml}
"""The formats written one file per layer; `gpkg` writes one file for all."""


def write_geopackage(frames: Mapping[str, gpd.GeoDataFrame], path: Path, data_as_of: str | None) -> Path:
    """One GeoPackage with a table per layer; its change dates are the data's as-of date, not today."""
    path.unlink(missing_ok=True)
    if data_as_of:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": f"{data_as_of}T00:00:00Z"})
    try:
        for name, frame in frames.items():
            flat_frame(frame).to_file(path, layer=name, driver="GPKG", engine="pyogrio")
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
    return path


def export_data(
    data_dir: str | Path,
    out_dir: str | Path,
    fmt: Format,
    profile: Profile = "public",
    tables: Iterable[str] = TABLES,
    *,
    bom: bool = True,
) -> list[Path]:
    """Write the named tables of `data_dir` into `out_dir` as `fmt` files; return the paths written.

    One file per layer (`<layer>.geojson|csv|kml`), or one `heritage-map.gpkg`;
    the log always goes to `observations.csv`; `datapackage.json` describes them all.
    CSV files start with a byte-order mark unless `bom` is False.

    Raises:
        LayerError: the data does not validate.
        ExportError: the format is unknown, or `out_dir` lies inside `data_dir`.

    """
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    if fmt != "gpkg" and fmt not in LAYER_WRITERS:
        raise ExportError(
            f"format {fmt!r}: not a data format; fix: use one of geojson, csv, gpkg, kml (or geo.picture.export_picture for png)"
        )
    refuse_data_folder(data_dir, out_dir)
    tables = list(dict.fromkeys(tables))
    unknown = [t for t in tables if t not in TABLES]
    if unknown:
        raise ExportError(f"layer {unknown[0]!r}: unknown; fix: use one of {', '.join(TABLES)}")
    dataset = open_dataset(data_dir)
    written = write_tables(dataset, out_dir, fmt, profile, tables, bom=bom)
    return [*written, write_package(dataset.inputs, out_dir, written, bom=bom)]


def write_tables(
    dataset: Dataset,
    out_dir: Path,
    fmt: Format,
    profile: Profile = "public",
    tables: Iterable[str] = TABLES,
    *,
    bom: bool = True,
) -> list[Path]:
    """Write the named tables of a loaded, validated `dataset` into `out_dir` as `fmt` files."""
    frames = layer_frames(dataset, tables, profile)
    out_dir.mkdir(parents=True, exist_ok=True)
    if fmt == "gpkg":
        written = [write_geopackage(frames, out_dir / GPKG_FILE, dataset.public.as_of)] if frames else []
    elif fmt == "csv":
        written = [write_csv(frame, name, out_dir / f"{name}.csv", bom=bom) for name, frame in frames.items()]
    else:
        written = [LAYER_WRITERS[fmt](frame, name, out_dir / f"{name}.{fmt}") for name, frame in frames.items()]
    if OBSERVATIONS in tables:
        table = log_table(log_records(dataset.inputs.log, profile), profile)
        written.append(write_table(table, out_dir / f"{OBSERVATIONS}.csv", bom=bom))
    return written


def write_timeline(inputs: Inputs, out_dir: Path) -> Path:
    """`timeline.csv` as published: its public columns (the copies a page was read on left out), formulas defused."""
    rows = ([row.get(c) or "" for c in timeline.PUBLIC_COLUMNS] for row in inputs.timeline)
    return write_rows(out_dir / "timeline.csv", timeline.PUBLIC_COLUMNS, rows, bom=True)


def write_package(inputs: Inputs, out_dir: Path, written: list[Path], *, bom: bool = True) -> Path:
    """`datapackage.json` describing the `written` files (a CSV with its columns' meanings and types)."""
    resources = []
    for path in dict.fromkeys(written):  # observations.csv is written with every format
        table = path.stem if path.suffix != ".gpkg" else "heritage-map"
        columns = _csv_columns(path) if path.suffix == ".csv" else None
        resources.append(datapackage.resource(path, table, columns, bom=bom))
    return datapackage.write_descriptor(out_dir, datapackage.descriptor(resources, TITLE, as_of(inputs.log)))


def _csv_columns(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle))


def refuse_data_folder(data_dir: Path, out_dir: Path) -> None:
    """ExportError when `out_dir` is `data_dir` or lies inside it (an export must never write into the data)."""
    data, out = data_dir.resolve(), out_dir.resolve()
    if out == data or data in out.parents:
        raise ExportError(f"--out {out_dir}: inside the data folder {data_dir}; fix: export somewhere else, e.g. --out exports")
