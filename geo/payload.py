"""Data as it travels into a page: compact GeoJSON inside a JSON script block.

The page reads each payload with `JSON.parse(element.textContent)`, so data is
never script or template source. `<`, `>`, `&`, `{`, `}` and the two JavaScript
line separators are written as `\\uXXXX` escapes: nothing in a payload can close
the script element, start an HTML comment, or look like a Jinja delimiter to
folium's templates.
"""

from __future__ import annotations

import html
import json
import math
from typing import Any, Iterable, Mapping

import geopandas as gpd
from shapely.geometry import mapping

_ESCAPES = {ord(c): f"\\u{ord(c):04x}" for c in "<>&{}\u2028\u2029"}
COORD_DECIMALS = 6


def script_json(value: Any) -> str:
    """JSON text safe to place between `<script type="application/json">` tags."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    # Braces and angle brackets only occur inside strings once escaped, so the
    # structural characters must be restored: escape inside strings only.
    return _escape_strings(text)


def _escape_strings(text: str) -> str:
    out: list[str] = []
    in_string = False
    escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            else:
                out.append(_ESCAPES.get(ord(char), char))
                continue
        elif char == '"':
            in_string = True
        out.append(char)
    return "".join(out)


def script_block(element_id: str, value: Any) -> str:
    """A `<script type="application/json">` element holding `value`."""
    return f'<script type="application/json" id="{html.escape(element_id)}">{script_json(value)}</script>'


def clean_value(value: Any) -> Any:
    """A JSON-ready value: NaN and missing become null, numpy scalars plain Python."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
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
    """Compact GeoJSON of the located rows of `frame`, with only `fields` as properties."""
    fields = [f for f in fields if f in frame.columns]
    features = []
    for row in frame.itertuples(index=False):
        geometry = row.geometry
        if geometry is None or geometry.is_empty:
            continue
        geo = mapping(geometry)
        properties = {field: clean_value(getattr(row, field)) for field in fields}
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": geo["type"], "coordinates": _round(geo["coordinates"])},
                "properties": {k: v for k, v in properties.items() if v not in (None, "", [])},
            }
        )
    return {"type": "FeatureCollection", "features": features}
