"""Data as it travels into a page: a feature table inside a JSON script block.

The page reads each payload with `JSON.parse(element.textContent)`, so data is
never script or template source. `<`, `>`, `&` and the two JavaScript line
separators are written as `\\uXXXX` escapes, so nothing in a payload can close
the script element or start an HTML comment. Payloads enter the page as
`geo.render.RawHTML`, which folium never parses as a template.

A layer travels as a feature table rather than as GeoJSON, because the
browser pays for every object it parses: the format is described in one
place, docs/feature-tables.md, with one fixture (tests/fixtures/) that this
encoder's test writes and heritage.js's test decodes. `feature_tables` writes
tables (`_encoded` a column, `_packed` a number array); `table_features` reads
one back as GeoJSON, for the tests and the benchmarks' byte counts.
"""

from __future__ import annotations

import base64
import html
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain, pairwise
from operator import itemgetter
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd
import shapely

from geo._ranges import ranges

if TYPE_CHECKING:
    import geopandas as gpd

COORD_DECIMALS = 6
DICTIONARY_SHARE = 0.5
"""A column is dictionary-encoded when its distinct values are at most this share of its rows."""
_SAMPLE, _DISTINCT = 1024, 0.9
"""A column whose first `_SAMPLE` values are nearly all distinct (ids, names, links) is not dictionary-encoded."""
_ESCAPES = (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def _plain(value: Any) -> Any:
    """Numpy scalars as Python numbers; json calls this only for types it does not know."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable: {value!r}")


_COMPACT = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False, default=_plain)


def script_json(value: Any) -> str:
    """JSON text safe to place between `<script type="application/json">` tags.

    `<`, `>` and `&` occur in JSON only inside strings, so escaping them
    everywhere is exact; `str.replace` runs in C at memory speed.
    """
    text = _COMPACT.encode(value)
    for raw, escaped in _ESCAPES:
        if raw in text:
            text = text.replace(raw, escaped)
    return text


def script_element(element_id: str, text: str) -> str:
    """A `<script type="application/json">` element holding `text`, which `script_json` wrote."""
    return f'<script type="application/json" id="{html.escape(element_id)}">{text}</script>'


def clean_value(value: Any) -> Any:
    """A JSON-ready value: NaN and missing become null, numpy scalars plain Python."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, np.generic):
        return clean_value(value.item())
    if isinstance(value, (list, tuple)):
        return [clean_value(v) for v in value]
    if isinstance(value, Mapping):
        return {k: clean_value(v) for k, v in value.items()}
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def _cleaned(values: list[Any]) -> tuple[list[Any], set[type]]:
    """`values` with empty strings, lists and objects and NaN as None, and the types they hold besides None
    (a type whose every value was empty may remain: an all-None column encodes the same either way).

    Values come from parsed JSON (the layers, the log) or pandas, so most
    columns hold only strings, lists, objects and None, cleaned in one pass.
    """
    kinds = set(map(type, values))
    if kinds <= {str, list, dict, type(None)}:
        values = [v or None for v in values]
    elif kinds & {str, list, dict, float}:
        values = [None if v in ("", [], {}) or (isinstance(v, float) and math.isnan(v)) else v for v in values]
        kinds = set(map(type, values))
    kinds.discard(type(None))
    return values, kinds


_ARRAY_TYPES = {"Uint8Array": "<u1", "Uint16Array": "<u2", "Uint32Array": "<u4", "Float64Array": "<f8"}


def _packed(array: np.ndarray) -> dict[str, str]:
    """A number array as the base64 of its little-endian bytes, named by the typed array that reads it.

    JSON writes 100,000 small integers in 8 ms and the page parses each one;
    this takes 0.1 ms and the page reads a typed array. Integers (codes,
    offsets: never negative) take the smallest unsigned type that holds them.
    """
    if array.dtype.kind == "f":
        name = "Float64Array"
    else:
        top = int(array.max(initial=0))
        name = "Uint8Array" if top < 1 << 8 else "Uint16Array" if top < 1 << 16 else "Uint32Array"
    return {"array": name, "base64": base64.b64encode(array.astype(_ARRAY_TYPES[name]).tobytes()).decode("ascii")}


def unpacked(packed: Mapping[str, str]) -> np.ndarray:
    """The number array `_packed` wrote."""
    return np.frombuffer(base64.b64decode(packed["base64"]), dtype=_ARRAY_TYPES[packed["array"]])


def _series_values(column: pd.Series) -> list[Any]:
    """A frame's column as Python values, pandas' missing markers (NaN, NA, NaT) as None."""
    values = column.tolist()
    missing = column.isna().to_numpy()
    if missing.any():
        values = [None if gone else v for v, gone in zip(values, missing)]
    return values


def _column(column: pd.Series) -> dict[str, Any]:
    """One frame column `_encoded`; a column of pandas' string type is known to hold only text, so it is
    cleaned and coded as one numpy array (a third of the time of the general path).
    """
    if not isinstance(column.dtype, pd.StringDtype):
        return _encoded(_series_values(column))
    values = cast("Any", column).to_numpy(dtype=object, na_value=None)  # pandas-stubs lack na_value=None
    empty = values == ""
    if empty.any():
        values[empty] = None
    return _scalars(values, {str})


def _encoded(values: list[Any]) -> dict[str, Any]:
    """One column of a feature table, by what its values are (number arrays still numpy: `_finished` packs them).

    - scalars of one type: `{"values": [...]}`, or `{"values": distinct,
      "codes": packed}` when they repeat (a boolean is never merged with a number);
    - lists: `{"offsets": packed, "items": column}`, row i holding items
      `offsets[i]` to `offsets[i + 1]`, so repeated list items are coded too;
    - objects: `{"offsets": packed, "items": {"fields": {key: column}}, "single": true}`,
      one object per row that has one;
    - anything else (mixed lists and scalars): `{"json": true, ...}`, each
      row's value as JSON text.
    """
    values, kinds = _cleaned(values)
    if kinds in ({list}, {dict}):
        present = [v for v in values if v is not None]
        lengths = [0 if v is None else len(v) for v in values] if kinds == {list} else [v is not None for v in values]
        offsets = np.concatenate(([0], np.cumsum(lengths, dtype=np.int64)))
        if kinds == {list}:
            return {"offsets": offsets, "items": _encoded(list(chain.from_iterable(present)))}
        fields = {key: _encoded(items) for key, items in _keyed(present).items() if any(item is not None for item in items)}
        return {"offsets": offsets, "items": {"fields": fields}, "single": True}
    if kinds & {list, dict}:
        return {"json": True, **_scalars([None if v is None else _COMPACT.encode(v) for v in values], {str})}
    return _scalars(values, kinds)


def _keyed(records: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """A column per key of `records` (None where a record lacks the key), keys in sorted order.

    Records the build writes share their keys, so one `itemgetter` per record
    reads them all (three times as fast as a `dict.get` per key).
    """
    keys = sorted(set(chain.from_iterable(records)))
    if not keys:
        return {}
    try:
        rows = list(map(itemgetter(*keys), records))
    except KeyError:
        return {key: [record.get(key) for record in records] for key in keys}
    return dict(zip(keys, map(list, zip(*rows)))) if len(keys) > 1 else {keys[0]: rows}


def _scalars(values: list[Any] | np.ndarray, kinds: set[type]) -> dict[str, Any]:
    """`{"values": [...]}`, or `{"values": distinct, "codes": [...]}` when values of one type repeat.

    A column whose first rows hardly repeat (names, ids, links) is left as it
    is without hashing the rest: at 100,000 rows that saves 20 ms a column.
    (Dates repeat more the more rows there are, so they are not judged by the
    sample unless it is nearly all distinct.)
    """
    plain = {"values": values if isinstance(values, np.ndarray) else _objects(values)}
    if len(kinds) != 1:
        return plain
    sample = values[:_SAMPLE]
    if len(sample) == _SAMPLE and len(set(sample)) > _DISTINCT * _SAMPLE:
        return plain
    codes, distinct = pd.factorize(plain["values"])
    if len(distinct) + 1 > max(1, DICTIONARY_SHARE * len(values)):
        return plain
    uniques = distinct.tolist()
    if (codes < 0).any():
        codes = np.where(codes < 0, len(uniques), codes)
        uniques.append(None)
    return {"values": uniques, "codes": codes}


def _objects(values: list[Any]) -> np.ndarray:
    """`values` as a numpy object array, each value one element (a list of lists is not made two-dimensional)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _taken(spec: dict[str, Any], rows: np.ndarray) -> dict[str, Any]:
    """The rows `rows` of one `_encoded` column; a dictionary keeps only the values those rows use."""
    if "offsets" in spec:
        starts = spec["offsets"][rows]
        lengths = spec["offsets"][rows + 1] - starts
        items = ranges(starts, lengths)
        return {**spec, "offsets": np.concatenate(([0], np.cumsum(lengths))), "items": _taken(spec["items"], items)}
    if "fields" in spec:
        return {"fields": {key: _taken(column_spec, rows) for key, column_spec in spec["fields"].items()}}
    if "codes" not in spec:
        return {**spec, "values": spec["values"][rows]}
    codes = spec["codes"][rows]
    used = np.flatnonzero(np.bincount(codes, minlength=len(spec["values"])))  # in code order, without a sort
    renumbered = np.zeros(len(spec["values"]), dtype=np.int64)
    renumbered[used] = np.arange(len(used))
    return {**spec, "values": [spec["values"][code] for code in used.tolist()], "codes": renumbered[codes]}


def _finished(spec: dict[str, Any]) -> dict[str, Any]:
    """An `_encoded` column as it travels: number arrays packed, values as lists."""
    done = dict(spec)
    for name in ("codes", "offsets"):
        if name in done:
            done[name] = _packed(done[name])
    if isinstance(done.get("values"), np.ndarray):
        done["values"] = done["values"].tolist()
    if "items" in done:
        done["items"] = _finished(done["items"])
    if "fields" in done:
        done["fields"] = {key: _finished(column_spec) for key, column_spec in done["fields"].items()}
    return done


def _geometry(geometries: gpd.GeoSeries) -> dict[str, Any]:
    """Points as two coordinate arrays; other shapes as GeoJSON geometries, rounded in one vectorised call."""
    if len(geometries) and bool(geometries.geom_type.eq("Point").all()):
        return {
            "type": "Point",
            "x": np.round(geometries.x.to_numpy(), COORD_DECIMALS),
            "y": np.round(geometries.y.to_numpy(), COORD_DECIMALS),
        }
    rounded = shapely.transform(geometries.to_numpy(), lambda xy: np.round(xy, COORD_DECIMALS))
    return {"type": "GeoJSON", "geometries": _objects([json.loads(text) for text in shapely.to_geojson(rounded)])}


def feature_tables(
    frame: gpd.GeoDataFrame, fields: Iterable[str], selections: Sequence[np.ndarray | None]
) -> list[dict[str, Any]]:
    """One feature table per selection (positions of rows of `frame`, or None for all), holding only `fields` and
    the selected rows that have a location (see `_encoded`).

    The frame is encoded once, however many tables show parts of it: the map's
    five status layers of 100,000 sites cost one pass, not five.
    """
    geometry = frame.geometry.to_numpy()
    located = np.flatnonzero(~shapely.is_missing(geometry) & ~shapely.is_empty(geometry))
    whole = {
        "geometry": _geometry(frame.geometry.take(located)),
        "columns": {field: _column(frame[field].take(located)) for field in fields if field in frame.columns},
    }
    tables = []
    for selection in selections:
        rows = np.arange(len(located)) if selection is None else np.flatnonzero(np.isin(located, selection))
        shape = whole["geometry"]
        if shape["type"] == "Point":
            shape = {"type": "Point", "x": _packed(shape["x"][rows]), "y": _packed(shape["y"][rows])}
        else:
            shape = {"type": "GeoJSON", "geometries": shape["geometries"][rows].tolist()}
        columns = {
            field: _finished(spec if selection is None else _taken(spec, rows)) for field, spec in whole["columns"].items()
        }
        tables.append({"count": len(rows), "geometry": shape, "columns": columns})
    return tables


def feature_table(frame: gpd.GeoDataFrame, fields: Iterable[str]) -> dict[str, Any]:
    """The located rows of `frame` as a feature table holding only `fields` (see `_encoded`)."""
    return feature_tables(frame, fields, [None])[0]


def _decoded(spec: Mapping[str, Any], count: int) -> list[Any]:
    """Every row's value of one encoded column, missing values (at any depth) as None."""
    if "offsets" in spec:
        offsets = unpacked(spec["offsets"]).tolist()
        items = _decoded(spec["items"], offsets[-1])
        rows = [items[start:end] or None for start, end in pairwise(offsets)]
        return [row and row[0] for row in rows] if spec.get("single") else rows
    if "fields" in spec:
        fields = {key: _decoded(column_spec, count) for key, column_spec in spec["fields"].items()}
        return [{key: values[i] for key, values in fields.items() if values[i] is not None} for i in range(count)]
    values = [spec["values"][code] for code in unpacked(spec["codes"]).tolist()] if "codes" in spec else list(spec["values"])
    return [None if v is None else json.loads(v) for v in values] if spec.get("json") else values


def column(table: Mapping[str, Any], name: str) -> list[Any]:
    """Every feature's value of one column of a feature table, decoded."""
    spec = table["columns"].get(name)
    return [None] * table["count"] if spec is None else _decoded(spec, table["count"])


def table_features(table: Mapping[str, Any]) -> dict[str, Any]:
    """A feature table as a GeoJSON FeatureCollection (missing values left out), as it was before encoding."""
    names = list(table["columns"])
    values = [column(table, name) for name in names]
    geometry = table["geometry"]
    if geometry["type"] == "Point":
        xs, ys = unpacked(geometry["x"]).tolist(), unpacked(geometry["y"]).tolist()
    features = []
    for i in range(table["count"]):
        if geometry["type"] == "Point":
            geo = {"type": "Point", "coordinates": [xs[i], ys[i]]}
        else:
            geo = geometry["geometries"][i]
        properties = {name: column_values[i] for name, column_values in zip(names, values) if column_values[i] is not None}
        features.append({"type": "Feature", "geometry": geo, "properties": properties})
    return {"type": "FeatureCollection", "features": features}
