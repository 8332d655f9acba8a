"""Feature tables: what a map page carries, and that it decodes to the GeoJSON it came from."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import geopandas as gpd
from shapely.geometry import LineString, Point

from geo.layers import frame_from_collection
from geo.payload import column, feature_table, script_json, table_features, unpacked


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


def test_repeated_values_travel_once_even_inside_lists() -> None:
    table = feature_table(sites(8), ["id", "status", "sources"])
    status, sources = table["columns"]["status"], table["columns"]["sources"]
    assert status["values"] == ["destroyed", "damaged"]
    assert status["codes"]["array"] == "Uint8Array" and unpacked(status["codes"]).tolist() == [0, 1] * 4
    assert table["columns"]["id"] == {"values": [f"s{i}" for i in range(8)]}
    assert unpacked(sources["offsets"]).tolist() == [0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert sources["items"]["values"] == ["https://example.org/a"] and unpacked(sources["items"]["codes"]).tolist() == [0] * 4


def test_number_arrays_travel_as_typed_array_bytes() -> None:
    frame = sites(2)
    frame["big"] = [[str(i) for i in range(300)] * 3, ["x"]]  # 901 items, codes up to 300: two bytes each
    table = feature_table(frame, ["big"])
    big = table["columns"]["big"]
    assert big["items"]["codes"]["array"] == "Uint16Array" and big["offsets"]["array"] == "Uint16Array"
    assert unpacked(big["offsets"]).tolist() == [0, 900, 901]
    assert table["geometry"]["x"]["array"] == "Float64Array"
    assert unpacked(table["geometry"]["x"]).tolist() == [46.7, 46.7]  # rounded to 6 decimals
    assert column(table, "big") == [[str(i) for i in range(300)] * 3, ["x"]]


def test_objects_and_lists_of_objects_become_a_column_per_key_and_decode_back() -> None:
    frame = sites(4)
    frame["after"] = [{"id": "sc1", "gsd": 0.5, "sensor": None}, None, {"id": "sc1", "gsd": 0.5}, {"id": "sc1", "gsd": 0.3}]
    frame["history"] = [
        [{"status": "intact", "on": "2021"}, {"status": "destroyed", "on": "2024"}],
        [],
        None,
        [{"status": "intact", "on": "2021", "evidence": ["https://example.org/e"]}],
    ]
    frame["mixed"] = ["text", ["a", "list"], None, {"an": "object"}]
    table = feature_table(frame, ["after", "history", "mixed"])
    after = table["columns"]["after"]
    assert after["single"] and unpacked(after["offsets"]).tolist() == [0, 1, 1, 2, 3]
    assert set(after["items"]["fields"]) == {"id", "gsd"}  # one column per key; no row has a sensor
    assert unpacked(table["columns"]["history"]["offsets"]).tolist() == [0, 2, 2, 2, 3]
    assert table["columns"]["mixed"]["json"] is True
    assert column(table, "after") == [{"id": "sc1", "gsd": 0.5}, None, {"id": "sc1", "gsd": 0.5}, {"id": "sc1", "gsd": 0.3}]
    assert column(table, "history") == [
        [{"status": "intact", "on": "2021"}, {"status": "destroyed", "on": "2024"}],
        None,
        None,
        [{"status": "intact", "on": "2021", "evidence": ["https://example.org/e"]}],
    ]
    assert column(table, "mixed") == ["text", ["a", "list"], None, {"an": "object"}]


def test_unlocated_rows_are_left_out_and_shapes_keep_their_geometry() -> None:
    frame = gpd.GeoDataFrame(
        {"id": ["road", "lost"]}, geometry=[LineString([(46.1234567, 39.5), (46.2, 39.6)]), None], crs="EPSG:4326"
    )
    table = feature_table(frame, ["id"])
    assert table["count"] == 1
    assert table["geometry"] == {
        "type": "GeoJSON",
        "geometries": [{"type": "LineString", "coordinates": [[46.123457, 39.5], [46.2, 39.6]]}],
    }


def test_script_json_cannot_close_its_element_and_parses_back() -> None:
    value = {"name": "</script><script>alert(1)</script> & <!-- \u2028\u2029"}
    text = script_json(value)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == value


FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE_FIELDS = (
    "id",
    "name",
    "name_hy",
    "status",
    "population",
    "in_aug_2023",
    "flag",
    "sources",
    "after",
    "status_history",
    "mixed",
)


def fixture_table_text() -> str:
    collection = json.loads((FIXTURES / "feature_table.geojson").read_text(encoding="utf-8"))
    return script_json(feature_table(frame_from_collection(collection), FIXTURE_FIELDS)) + "\n"


def test_the_shared_fixture_is_what_the_encoder_writes() -> None:
    """tests/fixtures/feature_table.json is the table of feature_table.geojson (docs/feature-tables.md); heritage.js
    decodes the same file in tests/test_map_browser.py. Regenerate it with HERITAGE_MAP_WRITE_FIXTURES=1."""
    text = fixture_table_text()
    path = FIXTURES / "feature_table.json"
    if os.environ.get("HERITAGE_MAP_WRITE_FIXTURES"):
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text
    table = json.loads(text)
    kinds = {name: set(spec) for name, spec in table["columns"].items()}
    # One column of every form the format has.
    assert kinds["id"] == {"values"} and kinds["status"] == {"values", "codes"}
    assert kinds["sources"] == {"offsets", "items"} and table["columns"]["sources"]["items"].keys() == {"values", "codes"}
    assert kinds["after"] == {"offsets", "items", "single"} and kinds["mixed"] == {"json", "values"}
    assert table["columns"]["status_history"]["items"]["single"] is True


def test_the_shared_fixture_decodes_to_its_geojson() -> None:
    expected = json.loads((FIXTURES / "feature_table.geojson").read_text(encoding="utf-8"))
    decoded = table_features(json.loads((FIXTURES / "feature_table.json").read_text(encoding="utf-8")))
    assert decoded == expected
