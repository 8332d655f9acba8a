"""Data as it travels into a page: a feature table inside a JSON script block.

The page reads each payload with `JSON.parse(element.textContent)`, so data is
never script or template source. `<`, `>`, `&` and the two JavaScript line
separators are written as `\\uXXXX` escapes, so nothing in a payload can close
the script element or start an HTML comment. Payloads enter the page as
`geo.render.RawHTML`, which folium never parses as a template.

A layer travels as a table rather than as GeoJSON, because the browser pays
for every object it parses (benchmarks/RESULTS.md): point coordinates are two
number arrays; a field whose values repeat (a status, a province) is a
dictionary of its distinct values and one small integer per feature; the
nested fields a popup shows (history, scenes, sources) are one JSON text per
feature, parsed only when that feature's popup opens. `table_features` turns a
table back into GeoJSON.
"""

from __future__ import annotations

import html
import json
import math
from typing import Any, Iterable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

COORD_DECIMALS = 6
DICTIONARY_SHARE = 0.5
"""A column is dictionary-encoded when its distinct values are at most this share of its rows."""
_ESCAPES = (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def _plain(value: Any) -> Any:
    """numpy scalars as Python numbers; json calls this only for types it does not know."""
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


def script_block(element_id: str, value: Any) -> str:
    """A `<script type="application/json">` element holding `value`."""
    return f'<script type="application/json" id="{html.escape(element_id)}">{script_json(value)}</script>'


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


def _column_values(column: pd.Series) -> tuple[list[Any], set[type]]:
    """A column as Python values, with NaN, empty strings and empty lists as None, and the types it holds.

    Values come from parsed JSON (the layers, the log) or pandas, so only the
    missing ones need cleaning; `script_json` turns any numpy scalar left
    into a plain number.
    """
    values = column.tolist()
    missing = column.isna().to_numpy()
    if missing.any():
        values = [None if gone else v for v, gone in zip(values, missing)]
    kinds = set(map(type, values))
    if kinds <= {str, list, dict, type(None)}:
        values = [v or None for v in values]
        kinds = set(map(type, values))
    elif kinds & {str, list, dict}:
        values = [None if v == "" or v == [] or v == {} else v for v in values]
        kinds = set(map(type, values))
    kinds.discard(type(None))
    return values, kinds


def _encoded_column(values: list[Any], kinds: set[type]) -> dict[str, Any]:
    """`{"values": [...]}`, or `{"values": distinct, "codes": [...]}` when values repeat.

    Only a column of one type is dictionary-encoded, since `True == 1` would
    merge a boolean with a number.
    """
    if len(kinds) != 1:
        return {"values": values}
    codes, distinct = pd.factorize(np.array(values, dtype=object))
    if len(distinct) + 1 > max(1, DICTIONARY_SHARE * len(values)):
        return {"values": values}
    uniques = distinct.tolist()
    if (codes < 0).any():
        codes = np.where(codes < 0, len(uniques), codes)
        uniques.append(None)
    return {"values": uniques, "codes": codes.tolist()}


def _geometry_block(geometries: gpd.GeoSeries) -> dict[str, Any]:
    """Points as two coordinate arrays; other shapes as GeoJSON geometries, rounded in one vectorised call."""
    if len(geometries) and bool(geometries.geom_type.eq("Point").all()):
        return {
            "type": "Point",
            "x": np.round(geometries.x.to_numpy(), COORD_DECIMALS).tolist(),
            "y": np.round(geometries.y.to_numpy(), COORD_DECIMALS).tolist(),
        }
    rounded = shapely.transform(geometries.to_numpy(), lambda xy: np.round(xy, COORD_DECIMALS))
    return {"type": "GeoJSON", "geometries": [json.loads(text) for text in shapely.to_geojson(rounded)]}


def feature_table(frame: gpd.GeoDataFrame, fields: Iterable[str]) -> dict[str, Any]:
    """The located rows of `frame` as a feature table holding only `fields`.

    Scalar fields become columns; list and object fields become each
    feature's `details` (JSON text, or null when it has none).
    """
    fields = [f for f in fields if f in frame.columns]
    located = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    columns: dict[str, dict[str, Any]] = {}
    nested: dict[str, list[Any]] = {}
    for field in fields:
        values, kinds = _column_values(located[field])
        if kinds & {list, dict}:
            nested[field] = values
        else:
            columns[field] = _encoded_column(values, kinds)
    table: dict[str, Any] = {"count": len(located), "geometry": _geometry_block(located.geometry), "columns": columns}
    if nested:
        names = list(nested)
        rows = zip(*(nested[name] for name in names))
        table["details"] = [
            _COMPACT.encode(kept) if (kept := {n: v for n, v in zip(names, row) if v is not None}) else None
            for row in rows
        ]
    return table


def column(table: Mapping[str, Any], name: str) -> list[Any]:
    """Every feature's value of one column of a feature table, decoded."""
    spec = table["columns"].get(name)
    if spec is None:
        return [None] * table["count"]
    if "codes" in spec:
        return [spec["values"][code] for code in spec["codes"]]
    return list(spec["values"])


def table_features(table: Mapping[str, Any]) -> dict[str, Any]:
    """A feature table as a GeoJSON FeatureCollection (missing values left out), as it was before encoding."""
    names = list(table["columns"])
    values = [column(table, name) for name in names]
    details = table.get("details") or [None] * table["count"]
    geometry = table["geometry"]
    features = []
    for i in range(table["count"]):
        if geometry["type"] == "Point":
            geo = {"type": "Point", "coordinates": [geometry["x"][i], geometry["y"][i]]}
        else:
            geo = geometry["geometries"][i]
        properties = {name: column_values[i] for name, column_values in zip(names, values) if column_values[i] is not None}
        if details[i] is not None:
            properties.update(json.loads(details[i]))
        features.append({"type": "Feature", "geometry": geo, "properties": properties})
    return {"type": "FeatureCollection", "features": features}
