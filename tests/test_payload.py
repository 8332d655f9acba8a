"""Feature tables: what a map page carries, and that it decodes to the GeoJSON it came from."""

from __future__ import annotations

import json
import math

import geopandas as gpd
from shapely.geometry import LineString, Point

from geo.payload import column, feature_table, script_json, table_features


def sites(n: int = 6) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": [f"s{i}" for i in range(n)],
            "status": ["destroyed", "damaged"] * (n // 2),
            "population": [1200.0, math.nan] * (n // 2),
            "note": ["", "kept"] * (n // 2),
            "flag": [True, 1] * (n // 2),
            "sources": [["https://example.org/a"], []] * (n // 2),
        },
        geometry=[Point(46.7 + i / 1e7, 39.8) for i in range(n)],
        crs="EPSG:4326",
    )


def test_a_table_decodes_to_the_geojson_of_its_fields() -> None:
    table = feature_table(sites(), ["id", "status", "population", "note", "flag", "sources"])
    features = table_features(table)["features"]
    assert [f["properties"] for f in features[:2]] == [
        {"id": "s0", "status": "destroyed", "population": 1200.0, "flag": True, "sources": ["https://example.org/a"]},
        {"id": "s1", "status": "damaged", "note": "kept", "flag": 1},
    ]
    assert features[1]["geometry"] == {"type": "Point", "coordinates": [46.7, 39.8]}
    assert [type(v) for v in column(table, "flag")] == [bool, int] * 3


def test_repeated_values_travel_once_and_nested_ones_as_text() -> None:
    table = feature_table(sites(), ["id", "status", "sources"])
    assert table["columns"]["status"] == {"values": ["destroyed", "damaged"], "codes": [0, 1, 0, 1, 0, 1]}
    assert table["columns"]["id"] == {"values": ["s0", "s1", "s2", "s3", "s4", "s5"]}
    assert table["details"][:2] == ['{"sources":["https://example.org/a"]}', None]


def test_unlocated_rows_are_left_out_and_shapes_keep_their_geometry() -> None:
    frame = gpd.GeoDataFrame(
        {"id": ["road", "lost"]}, geometry=[LineString([(46.1234567, 39.5), (46.2, 39.6)]), None], crs="EPSG:4326"
    )
    table = feature_table(frame, ["id"])
    assert table["count"] == 1
    assert table["geometry"] == {"type": "GeoJSON", "geometries": [{"type": "LineString", "coordinates": [[46.123457, 39.5], [46.2, 39.6]]}]}


def test_script_json_cannot_close_its_element_and_parses_back() -> None:
    value = {"name": "</script><script>alert(1)</script> & <!-- \u2028\u2029"}
    text = script_json(value)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == value
