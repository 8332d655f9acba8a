"""`geo.render`: a map is an object to inspect; a page is rendered from a copy, the same bytes each time."""

from __future__ import annotations

import json
import re

import folium
import folium.plugins
import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point

from geo.errors import AssetError
from geo.render import Controller, DataLayer, Overlay, PageMeta, RawHTML, base_map, data_map, page_html
from tests.markers import unmarked

HOSTILE = "</script><script>window.__xss=1</script> {{ 7*7 }} `${x}`"


def frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ["a", "b", "c"], "name": ["A", HOSTILE, "C"], "status": ["destroyed", "damaged", "destroyed"]},
        geometry=[Point(46.70, 39.70), Point(46.80, 39.80), None],
        crs="EPSG:4326",
    )


def meta() -> PageMeta:
    return PageMeta(title="Test map", as_of="2024-04-04", credits=[{"text": "Source", "url": "https://example.org/"}])


def children(fmap: folium.Map, kind: type) -> list:
    return [child for child in fmap._children.values() if isinstance(child, kind)]


def test_base_map_without_tiles_has_no_tile_layer_and_fits_the_bounds() -> None:
    fmap = base_map((46.7, 39.7, 46.8, 39.8), "none", "Title")
    assert children(fmap, folium.TileLayer) == [] and children(fmap, folium.plugins.MiniMap) == []
    assert len(children(fmap, folium.plugins.Fullscreen)) == 1
    fits = [child for child in fmap._children.values() if type(child).__name__ == "FitBounds"]
    assert len(fits) == 1 and fits[0].bounds == [[39.7, 46.7], [39.8, 46.8]]
    assert fmap.get_root().title == "Title"


def test_base_map_with_osm_shows_osm_first_with_satellite_and_a_mini_map() -> None:
    fmap = base_map(None, "osm", "Title")
    tiles = children(fmap, folium.TileLayer)
    assert [t.layer_name for t in tiles] == ["OpenStreetMap", "Satellite (Esri World Imagery)"]
    assert [t.show for t in tiles] == [True, False]
    assert len(children(fmap, folium.plugins.MiniMap)) == 1
    satellite = base_map(None, "satellite", "Title")
    assert children(satellite, folium.TileLayer)[0].layer_name == "Satellite (Esri World Imagery)"


def test_data_map_draws_each_overlay_from_a_json_table_of_its_located_rows() -> None:
    sites = frame()
    overlays = [Overlay("Destroyed", "sites", sites, ("id", "name"), rows=[0, 2]), Overlay("All", "sites", sites, ("id",))]
    fmap = data_map(overlays, meta(), "none")
    layers = children(fmap, DataLayer)
    assert [(layer.layer_name, layer.kind, layer.geometry, layer.show) for layer in layers] == [
        ("Destroyed", "sites", "Point", True),
        ("All", "sites", "Point", True),
    ]
    first, second = (json.loads(layer.payload) for layer in layers)
    assert (first["count"], second["count"]) == (1, 2)  # the unlocated row is never drawn
    assert first["columns"]["id"] == {"values": ["a"]} and set(second["columns"]) == {"id"}
    assert "<" not in layers[1].payload  # nothing in a payload can close its script element
    controller = children(fmap, Controller)
    assert len(controller) == 1 and json.loads(controller[0].payload)["title"] == "Test map"
    assert len(children(fmap, folium.LayerControl)) == 1


def test_data_map_fits_the_union_of_its_overlays_and_lines_travel_as_geojson() -> None:
    routes = gpd.GeoDataFrame({"id": ["r"]}, geometry=[LineString([(46.5, 39.5), (46.9, 39.9)])], crs="EPSG:4326")
    fmap = data_map([Overlay("Routes", "routes", routes, ("id",)), Overlay("Sites", "sites", frame(), ("id",))], meta(), "none")
    fit = next(child for child in fmap._children.values() if type(child).__name__ == "FitBounds")
    assert fit.bounds == [[39.5, 46.5], [39.9, 46.9]]
    assert json.loads(children(fmap, DataLayer)[0].payload)["geometry"]["type"] == "GeoJSON"


def test_page_html_leaves_the_map_as_it_was_and_gives_the_same_bytes_twice() -> None:
    fmap = data_map([Overlay("Sites", "sites", frame(), ("id", "name"))], meta(), "osm")
    names_before = [element.get_name() for element in fmap._children.values()]
    header_before = list(fmap.get_root().header._children)
    first, assets = page_html(fmap, "inline")
    second, _ = page_html(fmap, "inline")
    assert first == second
    assert [element.get_name() for element in fmap._children.values()] == names_before
    assert list(fmap.get_root().header._children) == header_before
    assert assets[:2] == ["vendor/leaflet/leaflet.js", "vendor/leaflet/leaflet.css"]  # Leaflet first, ours last
    # The page's language and its catalogs next, before every script that shows text (geo.assets WITH_HERITAGE).
    assert assets[2:5] == ["i18n/hy.js", "i18n/ru.js", "i18n.js"]
    # heritage.js defines window.HeritageMap; search.js adds to it, so it follows.
    assert assets[-4:] == ["heritage.js", "heritage.css", "search.js", "search.css"]
    assert set(assets[5:-4]) == {
        "vendor/leaflet-fullscreen/Control.FullScreen.js",
        "vendor/leaflet-fullscreen/Control.FullScreen.css",
        "vendor/leaflet-minimap/Control.MiniMap.min.js",
        "vendor/leaflet-minimap/Control.MiniMap.min.css",
        "vendor/minisearch/minisearch.js",
        "layout.js",
        "legend.js",
    }
    assert re.findall(r'id="(map_[a-z0-9]+)"', first) == ["map_hm0001"]  # ordinal ids, not folium's random ones
    assert '<html lang="en" class="hm-map-page">' in first and "<script src=" not in first
    # The page's one h1 and its dek come before the map; a shared link previews them.
    body = unmarked(first.split("<body>", 1)[1])
    assert body.index('<header class="hm-masthead"><h1 class="hm-title">Test map</h1>') < body.index('class="folium-map"')
    assert '<h1 class="hm-title"><span data-t>Test map</span></h1>' in first  # marked for the page's language
    assert '<meta property="og:title" content="Test map">' in first


def test_linked_pages_link_the_assets_beside_them_and_nothing_remote() -> None:
    text, assets = page_html(data_map([Overlay("Sites", "sites", frame(), ("id",))], meta(), "none"), "link")
    assert '<script src="assets/vendor/leaflet/leaflet.js"></script>' in text
    assert '<link rel="stylesheet" href="assets/heritage.css">' in text
    assert re.findall(r'(?:src|href)="https?:', text) == []
    assert "heritage.js" in assets


def test_data_reaches_the_page_as_json_never_as_markup_or_template() -> None:
    text, _ = page_html(data_map([Overlay("Sites", "sites", frame(), ("id", "name"))], meta(), "none"))
    assert HOSTILE not in text and "window.__xss" in text  # present, but escaped inside a JSON string
    assert "{{ 7*7 }}" in text and "49" not in re.sub(r"[^{]*", "", text)
    block = re.search(r'<script type="application/json" id="data-[^"]+">(.*?)</script>', text, re.S)
    assert block is not None and HOSTILE in json.dumps(json.loads(block.group(1)), ensure_ascii=False)


def test_a_link_to_an_asset_nobody_vendored_is_refused() -> None:
    fmap = base_map(None, "none", "Title")
    element = RawHTML("")
    element.default_js = [("cdn_thing", "https://cdn.example.org/thing.js")]  # type: ignore[attr-defined]
    fmap.add_child(element)
    with pytest.raises(AssetError, match=r"'cdn_thing'.*not vendored"):
        page_html(fmap)
