"""The context layer's data: Natural Earth's countries clipped and simplified, and the place labels."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from geo import context
from geo.errors import AssetError
from geo.inputs import load_inputs
from geo.payload import script_json

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def default_inputs() -> Any:
    return load_inputs(REPO / "data" / "layers")


@pytest.fixture(scope="module")
def decoded(tmp_path_factory: pytest.TempPathFactory) -> gpd.GeoDataFrame:
    """The embedded topology read back by GDAL's TopoJSON driver, by country name."""
    path = tmp_path_factory.mktemp("topology") / "countries.json"
    path.write_text(json.dumps(context.countries_topology(context.region_countries())), encoding="utf-8")
    return pyogrio.read_dataframe(path, layer="countries").set_crs("EPSG:4326").set_index("name")


def place(inputs: Any, place_id: str) -> shapely.Point:
    """A point of data/layers/places.geojson, by id: the test takes its coordinates from the data."""
    return inputs.places.set_index("id").geometry[place_id]


def test_the_countries_are_natural_earths_clipped_to_the_region(decoded: gpd.GeoDataFrame) -> None:
    assert {"Armenia", "Azerbaijan", "Georgia", "Iran", "Turkey"} <= set(decoded.index)
    west, south, east, north = decoded.total_bounds
    assert west >= context.CONTEXT_BOUNDS[0] - 1e-9 and south >= context.CONTEXT_BOUNDS[1] - 1e-9
    assert east <= context.CONTEXT_BOUNDS[2] + 1e-9 and north <= context.CONTEXT_BOUNDS[3] + 1e-9
    assert decoded.is_valid.all()


def test_the_armenia_azerbaijan_border_near_lachin_is_kept(decoded: gpd.GeoDataFrame, default_inputs: Any) -> None:
    border = decoded.geometry["Armenia"].boundary.intersection(decoded.geometry["Azerbaijan"].boundary)
    tegh, lachin = place(default_inputs, "tegh"), place(default_inputs, "lachin_berdzor")
    assert border.length > 5  # degrees of shared line: the whole border, Nakhchivan's included
    assert shapely.LineString([tegh, lachin]).intersects(border)
    assert decoded.geometry["Armenia"].contains(tegh) and decoded.geometry["Azerbaijan"].contains(lachin)


def test_simplification_stays_within_its_tolerance(decoded: gpd.GeoDataFrame) -> None:
    source = context.region_countries().set_index("name").geometry
    step = (context.CONTEXT_BOUNDS[2] - context.CONTEXT_BOUNDS[0]) / context.QUANTIZE
    for name in ("Armenia", "Azerbaijan", "Iran"):
        assert source[name].hausdorff_distance(decoded.geometry[name]) <= context.SIMPLIFY_DEGREES + 2 * step
    vertices = int(shapely.get_num_coordinates(decoded.geometry.values).sum())
    assert vertices < int(shapely.get_num_coordinates(source.values).sum())


def test_the_embedded_context_is_small_and_the_same_every_build(default_inputs: Any) -> None:
    payload = context.context_payload(default_inputs.communities, default_inputs.places, default_inputs.routes)
    text = script_json(payload)
    assert len(script_json(payload["topology"]).encode()) < 20_000
    assert len(text.encode()) < 40_000
    context.region_countries.cache_clear()
    again = context.context_payload(default_inputs.communities, default_inputs.places, default_inputs.routes)
    assert script_json(again) == text
    assert payload["source"]["url"].startswith("https://www.naturalearthdata.com/")


def test_default_labels_put_the_towns_first_then_the_routes_settlements(default_inputs: Any) -> None:
    labels = context.place_labels(
        default_inputs.communities, default_inputs.places, default_inputs.routes, context.region_countries()
    )
    towns = [label["text"] for label in labels if label["tier"] == 1]
    assert towns[0] == "Stepanakert" and {"Shushi", "Martakert", "Martuni", "Askeran"} <= set(towns)
    route = {label["text"]: label for label in labels if label["tier"] == 2}
    assert {"Goris", "Tegh", "Lachin / Berdzor", "Vayk"} <= set(route)
    # Natural Earth's 1:10m line puts the data's Kornidzor on its Azerbaijani side, so its "(Armenia)" stays.
    assert "Kornidzor (Armenia)" in route
    goris = default_inputs.places.set_index("id").geometry["goris_reception"]
    assert (route["Goris"]["lon"], route["Goris"]["lat"], route["Goris"]["id"]) == (goris.x, goris.y, "goris_reception")
    assert len({(label["lon"], label["lat"]) for label in labels}) == len(labels)
    # Every located community of August 2023 is named once; Aranzamin, placed at Vardadzor's point, goes under
    # Vardadzor's name. Of the settlements lost in 2020 (a layer hidden at first) only towns and routes' are named.
    held = default_inputs.communities[default_inputs.communities["in_aug_2023"] == True]  # noqa: E712
    points = {(p.x, p.y) for p in held.geometry.dropna()}
    assert points <= {(label["lon"], label["lat"]) for label in labels}
    texts = {label["text"] for label in labels}
    assert "Vardadzor" in texts and "Aranzamin" not in texts
    assert {"Shushi", "Akna (Aghdam)"} <= texts and "Avetaranots" not in texts  # lost in 2020: a town, a route's, a village


def frame(*rows: dict[str, Any]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(list(rows), geometry="geometry", crs="EPSG:4326")


@pytest.fixture
def small() -> dict[str, gpd.GeoDataFrame]:
    held = {"in_aug_2023": True, "coord_precision": "settlement"}
    communities = frame(
        {"id": "big", "name": "Big", "population": 5000.0, **held, "geometry": shapely.Point(46.7, 39.8)},
        {"id": "small", "name": "Small", "population": 300.0, **held, "geometry": shapely.Point(46.8, 39.9)},
        {"id": "nameless", "name": "No Count", "population": None, **held, "geometry": shapely.Point(46.9, 40.0)},
        {"id": "lost", "name": "Lost", "population": 800.0, **held, "in_aug_2023": False, "geometry": shapely.Point(47.0, 40.1)},
        {"id": "nowhere", "name": "Unlocated", "population": 9000.0, "in_aug_2023": True, "geometry": None},
    )
    places = frame(
        {
            "id": "town-am",
            "name": "Town reception centre",
            "coord_precision": "settlement",
            "geometry": shapely.Point(46.0, 39.5),
        },
        {"id": "crossing", "name": "Crossroads", "coord_precision": "approximate", "geometry": shapely.Point(46.6, 39.7)},
    )
    routes = frame(
        {
            "id": "r1",
            "waypoints": ["Big", "Crossroads", "Bridge", "Town (Armenia)"],
            "skipped_waypoints": ["Bridge"],
            "geometry": shapely.LineString([(46.7, 39.8), (46.6, 39.7), (46.0, 39.5)]),
        },
        {"id": "r2", "waypoints": ["Town", "Small"], "geometry": shapely.LineString([(46.0, 39.5), (46.8, 39.9)])},
    )
    return {"communities": communities, "places": places, "routes": routes}


def squares(**names: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    return frame(*({"name": name, "geometry": shapely.box(*bounds)} for name, bounds in names.items()))


def test_labels_rank_towns_then_route_settlements_then_the_rest(small: dict[str, gpd.GeoDataFrame]) -> None:
    countries = squares(Armenia=(45.0, 39.0, 46.3, 40.0), Azerbaijan=(46.3, 39.0, 48.0, 41.0))
    labels = context.place_labels(small["communities"], small["places"], small["routes"], countries)
    assert [(label["tier"], label["layer"], label["id"], label["text"]) for label in labels] == [
        (1, "communities", "big", "Big"),
        # Two routes reach Town, one reaches Small; the crossroads is no settlement.
        (2, "places", "town-am", "Town"),
        (2, "communities", "small", "Small"),
        (3, "communities", "nameless", "No Count"),
    ]


def test_a_routes_towns_come_before_its_villages(small: dict[str, gpd.GeoDataFrame]) -> None:
    village_route = {"waypoints": ["Small", "Big"], "geometry": shapely.LineString([(46.8, 39.9), (46.7, 39.8)])}
    routes = pd.concat([small["routes"], frame({"id": "r3", **village_route}), frame({"id": "r4", **village_route})])
    countries = squares(Armenia=(45.0, 39.0, 46.3, 40.0))

    def route_names(places: gpd.GeoDataFrame) -> list[str]:
        labels = context.place_labels(small["communities"], places, routes, countries)
        return [label["text"] for label in labels if label["tier"] == 2]

    assert route_names(small["places"]) == ["Small", "Town"]  # Small is on three routes, Town on two
    assert route_names(small["places"].assign(kind=["reception_centre", None])) == ["Town", "Small"]


def test_a_country_qualifier_stays_where_natural_earth_disagrees(small: dict[str, gpd.GeoDataFrame]) -> None:
    routes = small["routes"].iloc[[0]]
    countries = squares(Armenia=(45.0, 39.0, 45.5, 40.0), Azerbaijan=(45.5, 39.0, 48.0, 41.0))
    labels = context.place_labels(small["communities"], small["places"], routes, countries)
    assert [label["text"] for label in labels if label["tier"] == 2] == ["Town (Armenia)"]


def test_a_route_whose_waypoints_and_vertices_disagree_names_nothing(small: dict[str, gpd.GeoDataFrame]) -> None:
    routes = small["routes"].iloc[[0]].assign(skipped_waypoints=[[]])
    countries = squares(Armenia=(45.0, 39.0, 46.3, 40.0))
    labels = context.place_labels(small["communities"], small["places"], routes, countries)
    assert [label["tier"] for label in labels] == [1, 3, 3]


def test_a_missing_world_atlas_file_says_how_to_fix_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(context, "WORLD_ATLAS", context.STATIC / "vendor" / "world-atlas" / "missing.json")
    context.region_countries.cache_clear()
    try:
        with pytest.raises(AssetError, match=r"geo/static/vendor/world-atlas/missing\.json: cannot read .* fix: reinstall"):
            context.region_countries()
    finally:
        context.region_countries.cache_clear()
