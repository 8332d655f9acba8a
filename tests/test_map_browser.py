"""The built overview map in real Chromium, with no network at all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from geo.build import build_maps
from tests.browser import open_page
from tests.layers import broken, write_layers

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

LAYER_COUNTS = "Object.fromEntries(Object.keys(HeritageMap.state.layers).map((k) => [k, HeritageMap.featureCount(k)]))"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("built")
    build_maps(write_layers(root / "layers"), root / "maps", tiles="none")
    return root / "maps" / "index.html"


def click_at(page: Page, lat: float, lon: float) -> None:
    point = page.evaluate(f"HeritageMap.state.map.latLngToContainerPoint([{lat}, {lon}])")
    box = page.locator(".folium-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def test_map_renders_offline_with_every_feature(browser: Browser, built: Path) -> None:
    page, log = open_page(browser, built)
    assert page.evaluate("L.version") == "1.9.4"
    assert page.evaluate(LAYER_COUNTS) == {
        "Communities 2023: 2 of 2 mapped": 2,
        "Routes (1)": 1,
        "Places (1)": 1,
        "Heritage sites: destroyed (1)": 1,
        "Heritage sites: damaged (1)": 1,
    }
    assert page.locator(".leaflet-control-layers-overlays label").count() == 6  # the five layers and "Place names"
    assert log.blocked == [] and log.errors == []


def test_unticking_a_layer_hides_its_features(browser: Browser, built: Path) -> None:
    page, log = open_page(browser, built)
    on_map = "HeritageMap.state.map.hasLayer(HeritageMap.state.layers['Places (1)'])"
    assert page.evaluate(on_map) is True
    page.get_by_label("Places (1)").uncheck()
    assert page.evaluate(on_map) is False
    page.get_by_label("Places (1)").check()
    assert page.evaluate(on_map) is True
    assert log.errors == []


def test_clicking_a_site_opens_its_popup_with_name_and_status(browser: Browser, built: Path) -> None:
    page, log = open_page(browser, built)
    page.evaluate("HeritageMap.state.map.setView([39.7588, 46.7478], 14, {animate: false})")
    click_at(page, 39.7588, 46.7478)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "Church One" in text and "Եկեղեցի" in text
    assert "Destroyed · observed 2024-04-04" in text and "Caucasus Heritage Watch" in text
    assert "reported: press, officials, photographs, video or testimony" in text
    assert log.errors == []


def test_the_key_counts_what_each_layer_draws_and_says_what_it_leaves_out(browser: Browser, built: Path) -> None:
    page, log = open_page(browser, built)
    panel = page.locator(".hm-layer-panel")
    labels = [text.strip() for text in panel.locator(".leaflet-control-layers-overlays label").all_inner_texts()]
    assert labels == [
        "Communities 2023: 2 of 2 mapped",
        "Routes (1)",
        "Places (1)",
        "Heritage sites: destroyed (1)",
        "Heritage sites: damaged (1)",
        "Place names",
    ]
    rows = [" ".join(text.split()) for text in panel.locator(".hm-key-row").all_inner_texts()]
    # The fixture: two held communities and no counts_toward_107 (so both count, geo.reconcile), a lost one
    # unlocated; the unknown bridge unlocated; one corridor route drawn dashed; a town.
    assert "sized by population: 1,000, 5,000 and 13,000 or more people" in rows
    assert "Lachin corridor 1" in rows
    assert "dashed: drawn as straight links between sourced waypoints, not along the road" in rows
    assert "Checkpoints, border crossings and blockade points 1" in rows
    assert "several sites or places at one point, with their number: select it to list them all" in rows
    assert "Not on the map (no sourced location): 2" in panel.locator(".hm-unlocated summary").inner_text()
    # Each symbol is drawn by the map's own code: the destroyed site's square in its status colour.
    square = panel.locator("label", has_text="Heritage sites: destroyed (1)").locator("canvas")
    assert square.evaluate("c => Array.from(c.getContext('2d').getImageData(c.width / 2, c.height / 2, 1, 1).data)") == [
        0xD5,
        0x5E,
        0x00,
        255,
    ]
    assert log.errors == []


HOSTILE = '<img src=x onerror="window.__xss=1"> `${window.__xss=2}` {{ 7*7 }} </script><script>window.__xss=3</script>'


def test_markup_in_data_shows_as_text_and_never_runs(browser: Browser, tmp_path: Path) -> None:
    layers = broken("heritage_sites.geojson", 0, name=HOSTILE, settlement="{% raise %}")
    build_maps(write_layers(tmp_path / "layers", layers), tmp_path / "maps", tiles="none")
    page, log = open_page(browser, tmp_path / "maps" / "index.html")
    page.evaluate("HeritageMap.state.map.setView([39.7588, 46.7478], 14, {animate: false})")
    click_at(page, 39.7588, 46.7478)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert HOSTILE in popup.inner_text()
    assert "{% raise %}" in popup.inner_text()
    assert page.evaluate("window.__xss") is None
    assert page.locator(".leaflet-popup-content img").count() == 0
    assert log.errors == []


PIXEL_AT = """([lat, lon]) => {
  const renderer = HeritageMap.state.renderer, map = HeritageMap.state.map;
  const p = map.latLngToLayerPoint([lat, lon]).subtract(renderer._bounds.min);
  return Array.from(renderer._ctx.getImageData(Math.round(p.x), Math.round(p.y), 1, 1).data);
}"""


def test_a_site_is_painted_in_its_status_colour_where_it_stands(browser: Browser, built: Path) -> None:
    page, log = open_page(browser, built)
    church = [39.7588, 46.7478]
    for zoom in (9, 14):
        page.evaluate(f"HeritageMap.state.map.setView([39.76, 46.75], {zoom}, {{animate: false}})")
        page.evaluate("() => new Promise((done) => requestAnimationFrame(() => done()))")
        assert page.evaluate(PIXEL_AT, church) == [0xD5, 0x5E, 0x00, 255]  # destroyed: #D55E00
    page.get_by_label("Heritage sites: destroyed (1)").uncheck()
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => done()))")
    assert page.evaluate(PIXEL_AT, church)[3] == 0
    assert log.errors == []


def test_hovering_a_site_shows_its_names(browser: Browser, built: Path) -> None:
    page, log = open_page(browser, built)
    page.evaluate("HeritageMap.state.map.setView([39.7588, 46.7478], 14, {animate: false})")
    point = page.evaluate("HeritageMap.state.map.latLngToContainerPoint([39.7588, 46.7478])")
    box = page.locator(".folium-map").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + point["x"] + 30, box["y"] + point["y"] + 30)
    page.wait_for_timeout(100)  # the canvas handles one mouse move per 32 ms, as Leaflet's does
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    assert "Church One / Եկեղեցի" in tooltip.inner_text()
    page.wait_for_timeout(100)
    page.mouse.move(box["x"] + point["x"] + 60, box["y"] + point["y"] + 60)
    tooltip.wait_for(state="detached")
    assert log.errors == []


FIXTURES = Path(__file__).resolve().parent / "fixtures"
DECODE = """(data) => {
  const table = new HeritageMap.Table(data), features = [];
  for (let i = 0; i < table.count; i++) {
    const props = table.props(i), properties = {};
    Object.keys(props).sort().forEach((name) => { if (props[name] !== null) properties[name] = props[name]; });
    const geometry = {type: "Point", coordinates: [table.geometry.x[i], table.geometry.y[i]]};
    features.push({type: "Feature", geometry, properties});
  }
  return {type: "FeatureCollection", features};
}"""


def test_heritage_js_decodes_the_shared_feature_table_fixture(browser: Browser, built: Path) -> None:
    """The fixture the Python encoder's test writes (docs/feature-tables.md) decodes in heritage.js to its GeoJSON."""
    page, log = open_page(browser, built)
    table = json.loads((FIXTURES / "feature_table.json").read_text(encoding="utf-8"))
    expected = json.loads((FIXTURES / "feature_table.geojson").read_text(encoding="utf-8"))
    decoded = page.evaluate(DECODE, table)
    for feature in expected["features"]:
        feature["properties"] = dict(sorted(feature["properties"].items()))
    assert decoded == expected
    assert log.errors == []


LEAFLET_PRIVATE = """() => {
  // A field is Leaflet's when Leaflet's own code uses it: some are set only on a first hover.
  const source = (proto) => {
    let text = "";
    for (const key in proto) { if (typeof proto[key] === "function") text += String(proto[key]); }
    return text;
  };
  const L_ = window.L, found = {}, list = HeritageMap.LEAFLET_PRIVATE;
  const canvas = source(L_.Canvas.prototype), map = source(L_.Map.prototype);
  list.canvasOverrides.concat(list.canvasCalls).forEach((name) => {
    found["L.Canvas." + name] = typeof L_.Canvas.prototype[name];
  });
  list.mapCalls.forEach((name) => { found["L.Map." + name] = typeof L_.Map.prototype[name]; });
  list.canvasFields.forEach((name) => { found["canvas field " + name] = canvas.includes("this." + name); });
  list.mapFields.forEach((name) => { found["map field " + name] = map.includes("this." + name); });
  return {version: L_.version, expected: HeritageMap.LEAFLET_VERSION, found, missing: HeritageMap.checkLeaflet()};
}"""


def test_every_private_leaflet_member_heritage_js_relies_on_is_there(browser: Browser, built: Path) -> None:
    """The one list of Leaflet's private members PointCanvas overrides, calls or reads holds for the vendored Leaflet.

    With hover and click (the tests above), this is what fails when an upgrade renames one of them.
    """
    page, log = open_page(browser, built)
    page.evaluate("HeritageMap.state.map.setView([39.7588, 46.7478], 14, {animate: false})")
    click_at(page, 39.7588, 46.7478)  # the map has had a popup, a click and a redraw: every field is set
    page.locator(".leaflet-popup-content").wait_for()
    report = page.evaluate(LEAFLET_PRIVATE)
    assert report["version"] == report["expected"] == "1.9.4"
    methods = {name: kind for name, kind in report["found"].items() if name.startswith("L.")}
    fields = {name: present for name, present in report["found"].items() if not name.startswith("L.")}
    assert set(methods.values()) == {"function"}, methods
    assert all(fields.values()), fields
    assert "L.Canvas._handleMouseHover" in methods and "canvas field _redrawBounds" in fields
    assert report["missing"] == [] and log.errors == []
