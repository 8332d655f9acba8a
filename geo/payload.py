"""Data as it travels into a page: compact GeoJSON inside a JSON script block.

The page reads each payload with `JSON.parse(element.textContent)`, so data is
never script or template source. `<`, `>`, `&` and the two JavaScript line
separators are written as `\\uXXXX` escapes, so nothing in a payload can close
the script element or start an HTML comment. Payloads enter the page as
`geo.render.RawHTML`, which folium never parses as a template.
"""

from __future__ import annotations

import html
import json
import math
from typing import Any, Iterable, Mapping

import geopandas as gpd
import pandas as pd
from shapely.geometry import mapping

_ESCAPES = {ord(c): f"\\u{ord(c):04x}" for c in "<>&\u2028\u2029"}
COORD_DECIMALS = 6
_PLAIN = (str, int, bool)


def script_json(value: Any) -> str:
    """JSON text safe to place between `<script type="application/json">` tags.

    `<`, `>` and `&` occur in JSON only inside strings, so escaping them
    everywhere is exact, and runs in C.
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return text.translate(_ESCAPES)


def script_block(element_id: str, value: Any) -> str:
    """A `<script type="application/json">` element holding `value`."""
    return f'<script type="application/json" id="{html.escape(element_id)}">{script_json(value)}</script>'


def clean_value(value: Any) -> Any:
    """A JSON-ready value: NaN and missing become null, numpy scalars plain Python."""
    if value is None or type(value) in _PLAIN:
        return value
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        return clean_value(value.item())
    if isinstance(value, (list, tuple)):
        return [clean_value(v) for v in value]
    if isinstance(value, Mapping):
        return {k: clean_value(v) for k, v in value.items()}
    return value


def _round(coords: Any) -> Any:
    if isinstance(coords, (int, float)):
        return round(float(coords), COORD_DECIMALS)
    return [_round(c) for c in coords]


def feature_collection(frame: gpd.GeoDataFrame, fields: Iterable[str]) -> dict[str, Any]:
    """Compact GeoJSON of the located rows of `frame`, with only `fields` as properties.

    Columns are converted to Python lists once, and points take their rounded
    coordinates from one vectorised call, so a 100,000-site layer is not a
    per-cell pandas walk.
    """
    fields = [f for f in fields if f in frame.columns]
    located = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    columns = [[clean_value(v) for v in located[field].tolist()] for field in fields]
    geometries = located.geometry.tolist()
    points = located.geometry.geom_type.eq("Point").tolist()
    xs, ys = (located.geometry.x.round(COORD_DECIMALS).tolist(), located.geometry.y.round(COORD_DECIMALS).tolist()) \
        if all(points) and points else ([], [])
    features = []
    for index, geometry in enumerate(geometries):
        if xs:
            geo = {"type": "Point", "coordinates": [xs[index], ys[index]]}
        else:
            shape_ = mapping(geometry)
            geo = {"type": shape_["type"], "coordinates": _round(shape_["coordinates"])}
        properties = {}
        for field, column in zip(fields, columns):
            value = column[index]
            if value is not None and value != "" and value != []:
                properties[field] = value
        features.append({"type": "Feature", "geometry": geo, "properties": properties})
    return {"type": "FeatureCollection", "features": features}
