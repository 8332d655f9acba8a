"""`heritage-map export`: every format read back, the public profile kept clean, the PNG's size, usage errors."""

from __future__ import annotations

import csv
import json
import struct
import sys
from typing import TYPE_CHECKING

import geopandas as gpd
import pyogrio
import pytest
from click.testing import CliRunner

from geo.build import build_maps
from geo.cli import main
from geo.credits import BORDERS_SOURCE, DATA_CREDITS, DEK, TITLE
from geo.errors import ExportError
from geo.picture import export_picture, picture_credits
from geo.snapshot import CHROMIUM_FLAGS, print_layout
from tests.browser import open_page
from tests.layers import SOURCE, broken, default_log, write_layers

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Browser

SECRETS = ("SECRET-INTERNAL-NOTE", "SECRET-REVIEW-NOTE", "ann@secret.example", "+374 10 555 0101")
COUNTS = {"communities": 3, "heritage_sites": 3, "routes": 1, "places": 1}
SECOND_SOURCE = "https://example.org/second"


def monitors_log() -> list[dict]:
    """The default log, an internal observation and its review, and a public observation with a contact."""
    monitor = {
        "kind": "observation",
        "recorded_at": "2024-06-01T00:00:00Z",
        "origin": "monitor",
        "before_scene": None,
        "after_scene": None,
        "evidence": [{"url": SOURCE}],
    }
    return [
        *default_log(),
        {
            **monitor,
            "id": "obs-3",
            "site_id": "site-bridge",
            "status": "threatened",
            "observed_on": "2024-05-20",
            "analyst": "Ann",
            "contact": "+374 10 555 0101",
            "note": "SECRET-INTERNAL-NOTE",
            "visibility": "internal",
        },
        {
            "kind": "review",
            "id": "rev-obs-3-1",
            "of": "obs-3",
            "decision": "confirm",
            "analyst": "Bob",
            "note": "SECRET-REVIEW-NOTE",
            "recorded_at": "2024-06-02T00:00:00Z",
        },
        {
            **monitor,
            "id": "obs-4",
            "site_id": "site-cemetery",
            "status": "destroyed",
            "observed_on": "2024-05-25",
            "analyst": "Ann <ann@secret.example>",
            "contact": "ann@secret.example",
            "note": "levelled",
            "visibility": "public",
        },
        {
            "kind": "review",
            "id": "rev-obs-4-1",
            "of": "obs-4",
            "decision": "confirm",
            "analyst": "Bob",
            "note": "matches the after scene",
            "recorded_at": "2024-06-03T00:00:00Z",
        },
    ]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    layers = broken("communities.geojson", 0, sources=[SOURCE, SECOND_SOURCE])
    return write_layers(tmp_path / "layers", layers, log=monitors_log())


def export(data_dir: Path, out: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["export", "--data", str(data_dir), "--out", str(out), *args])
    return result.exit_code, result.stdout, result.stderr


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def by_id(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {row["id"]: row for row in rows}


def test_geojson_keeps_lists_and_adds_public_status(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    code, stdout, _ = export(data_dir, out, "--format", "geojson")
    assert code == 0 and str(out / "heritage_sites.geojson") in stdout
    for layer, count in COUNTS.items():
        assert len(gpd.read_file(out / f"{layer}.geojson", engine="pyogrio")) == count
    sites = {
        f["properties"]["id"]: f for f in json.loads((out / "heritage_sites.geojson").read_text(encoding="utf-8"))["features"]
    }
    assert list(sites) == ["site-bridge", "site-cemetery", "site-church"]
    # The confirmed public monitor observation (obs-4) is newer than the published one; the internal obs-3 counts for nothing.
    assert {k: sites["site-cemetery"]["properties"][k] for k in ("status", "status_date", "verdict", "published_by")} == {
        "status": "destroyed",
        "status_date": "2024-05-25",
        "verdict": "reported",
        "published_by": None,
    }
    assert sites["site-church"]["properties"]["status"] == "destroyed"
    assert sites["site-church"]["properties"]["published_by"] == "Caucasus Heritage Watch"
    assert sites["site-bridge"]["properties"]["status"] == "unknown" and sites["site-bridge"]["geometry"] is None
    communities = json.loads((out / "communities.geojson").read_text(encoding="utf-8"))["features"]
    town = next(f for f in communities if f["properties"]["id"] == "town-a")
    assert town["properties"]["sources"] == [SOURCE, SECOND_SOURCE]
    assert town["properties"]["population"] == 1000 and town["properties"]["in_aug_2023"] is True
    assert town["geometry"]["coordinates"] == [46.75, 39.81]


def test_csv_has_lon_lat_for_points_and_wkt_for_lines(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    assert export(data_dir, out, "--format", "csv")[0] == 0
    for layer, count in COUNTS.items():
        assert len(read_csv(out / f"{layer}.csv")) == count
    communities = by_id(read_csv(out / "communities.csv"))
    # A reader's order: id, the names in every script, then where it is, then the rest, sources last.
    assert list(communities["town-a"])[:6] == ["id", "name", "name_hy", "name_az", "lat", "lon"]
    assert list(communities["town-a"])[-1] == "sources"
    assert (communities["town-a"]["lon"], communities["town-a"]["lat"]) == ("46.75", "39.81")
    assert communities["town-a"]["sources"] == f"{SOURCE} ; {SECOND_SOURCE}"
    assert communities["town-a"]["population"] == "1000" and communities["town-a"]["in_aug_2023"] == "true"
    assert (communities["village-c"]["lon"], communities["village-c"]["population"]) == ("", "")
    route = read_csv(out / "routes.csv")[0]
    assert "lon" not in route and route["geometry_wkt"] == "LINESTRING (46.75 39.81, 46.73 39.75, 46.55 39.64)"
    sites = by_id(read_csv(out / "heritage_sites.csv"))
    assert sites["site-church"]["status"] == "destroyed" and sites["site-church"]["lon"] == "46.7478"
    assert sites["site-church"]["geometry_wkt"] == ""  # a point is in lat/lon; WKT is for the other shapes
    assert list(sites["site-church"])[:7] == ["id", "name", "name_hy", "status", "status_date", "verdict", "lat"]


def test_csv_starts_with_a_byte_order_mark_unless_asked_not_to(data_dir: Path, tmp_path: Path) -> None:
    assert export(data_dir, tmp_path / "bom", "--format", "csv")[0] == 0
    assert export(data_dir, tmp_path / "plain", "--format", "csv", "--no-bom")[0] == 0
    for name in ("communities.csv", "observations.csv"):
        assert (tmp_path / "bom" / name).read_bytes().startswith(b"\xef\xbb\xbfid,")
        assert (tmp_path / "plain" / name).read_bytes().startswith(b"id,")


def test_gpkg_holds_one_table_per_layer(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    code, stdout, _ = export(data_dir, out, "--format", "gpkg")
    assert code == 0 and stdout.split() == [
        str(p) for p in (out / "heritage-map.gpkg", out / "observations.csv", out / "datapackage.json")
    ]
    assert sorted(name for name, _ in pyogrio.list_layers(out / "heritage-map.gpkg")) == sorted(COUNTS)
    for layer, count in COUNTS.items():
        assert len(gpd.read_file(out / "heritage-map.gpkg", layer=layer, engine="pyogrio")) == count
    sites = gpd.read_file(out / "heritage-map.gpkg", layer="heritage_sites", engine="pyogrio").set_index("id")
    assert sites.loc["site-church", "status"] == "destroyed" and sites.loc["site-church", "status_date"] == "2024-04-04"
    communities = gpd.read_file(out / "heritage-map.gpkg", layer="communities", engine="pyogrio").set_index("id")
    assert communities.loc["town-a", "sources"] == f"{SOURCE} ; {SECOND_SOURCE}"


def test_kml_names_placemarks_and_joins_lists(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    assert export(data_dir, out, "--format", "kml", "--layer", "communities", "--layer", "heritage_sites")[0] == 0
    assert sorted(p.name for p in out.iterdir()) == ["communities.kml", "datapackage.json", "heritage_sites.kml"]
    communities = gpd.read_file(out / "communities.kml", engine="pyogrio")
    # Village C has no location: it is not a placemark but is listed in the document's description.
    assert len(communities) == 2 and "Town A" in set(communities["Name"])
    assert "Not located by any source, so not drawn: Village C" in (out / "communities.kml").read_text(encoding="utf-8")
    town = communities[communities["Name"] == "Town A"].iloc[0]
    assert town["sources"] == f"{SOURCE} ; {SECOND_SOURCE}" and town["in_aug_2023"] == "true"
    sites = gpd.read_file(out / "heritage_sites.kml", engine="pyogrio")
    assert len(sites) == 2 and set(sites["status"]) == {"destroyed"}


@pytest.mark.parametrize("fmt", ["geojson", "csv", "gpkg", "kml"])
def test_public_profile_carries_no_internal_record_or_contact(fmt: str, data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    assert export(data_dir, out, "--format", fmt)[0] == 0
    for path in out.iterdir():
        content = path.read_bytes()
        assert [s for s in SECRETS if s.encode("utf-8") in content] == [], path.name
    log = read_csv(out / "observations.csv")
    # Public ids count public records only (obs-3 is internal): a site's published numbering has no gap.
    assert [r["id"] for r in log] == [
        "obs-site-church-1",
        "obs-site-cemetery-1",
        "obs-site-cemetery-2",
        "rev-obs-site-cemetery-2-1",
    ]
    # No analyst's name, contact or chain hash in a public export.
    assert not {"contact", "analyst", "hash", "prev_hash"} & set(log[0])


def test_internal_profile_keeps_every_record(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    assert export(data_dir, out, "--format", "csv", "--profile", "internal", "--layer", "observations")[0] == 0
    assert sorted(p.name for p in out.iterdir()) == ["datapackage.json", "observations.csv"]
    log = by_id(read_csv(out / "observations.csv"))
    assert list(log) == ["obs-1", "obs-2", "obs-3", "rev-obs-3-1", "obs-4", "rev-obs-4-1"]
    # A cell starting with "+" is written with a leading quote, so a spreadsheet shows it as text (geo.csvfile).
    assert log["obs-3"]["note"] == "SECRET-INTERNAL-NOTE" and log["obs-3"]["contact"] == "'+374 10 555 0101"
    assert log["obs-1"]["evidence"] == SOURCE and len(log["obs-1"]["hash"]) == 64


@pytest.mark.parametrize("fmt", ["geojson", "csv", "gpkg", "kml"])
def test_same_inputs_give_the_same_bytes(fmt: str, data_dir: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    assert export(data_dir, first, "--format", fmt)[0] == 0
    assert export(data_dir, second, "--format", fmt)[0] == 0
    assert {p.name: p.read_bytes() for p in first.iterdir()} == {p.name: p.read_bytes() for p in second.iterdir()}


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.browser
def test_png_is_a_picture_of_the_requested_size(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    code, stdout, _ = export(data_dir, out, "--format", "png", "--width", "640", "--height", "400", "--tiles", "none")
    assert code == 0 and stdout.strip() == str(out / "map.png")
    assert png_size(out / "map.png") == (640, 400)
    assert [p.name for p in out.iterdir()] == ["map.png"]


@pytest.mark.browser
def test_png_for_print_has_twice_the_pixels(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    args = ("--format", "png", "--width", "640", "--height", "400", "--tiles", "none", "--scale", "2")
    assert export(data_dir, out, *args)[0] == 0
    assert png_size(out / "map.png") == (1280, 800)


@pytest.mark.browser
def test_png_with_tiles_that_cannot_be_fetched_fails_instead_of_a_grey_map(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every request through a proxy at a closed port on 127.0.0.1: the basemap tiles cannot load, whatever the network.
    monkeypatch.setattr("geo.snapshot.CHROMIUM_FLAGS", (*CHROMIUM_FLAGS, "--proxy-server=127.0.0.1:9"))
    out = tmp_path / "export"
    code, _, err = export(data_dir, out, "--format", "png", "--width", "640", "--height", "400", "--tiles", "osm")
    assert code == 1 and err.count("\n") == 1
    assert "basemap tile(s) could not be fetched" in err and "fix: check the network, or pass --tiles none" in err
    assert not (out / "map.png").exists()


@pytest.fixture(scope="module")
def overview(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("print")
    build_maps(write_layers(root / "layers"), root / "maps", tiles="none")
    return root / "maps" / "index.html"


@pytest.mark.browser
def test_the_picture_is_laid_out_for_print_with_title_key_and_credits(browser: Browser, overview: Path) -> None:
    """What the PNG shows, read from the page in its print layout just before the picture is taken."""
    page, log = open_page(browser, overview, 1200, 800)
    shown = print_layout(page, picture_credits("none"))
    assert shown["title"] == TITLE and shown["dek"] == DEK
    legend = shown["legend"]
    for entry in (
        "Communities 2023: 2 of 2 mapped",
        "Routes (1)",
        "Places (1)",
        "Heritage sites: destroyed (1)",
        "Heritage sites: damaged (1)",
        "Place names",
    ):
        assert any(text.endswith(entry) for text in legend), (entry, legend)
    assert any(text.startswith("sized by population") for text in legend)
    assert any(text.startswith("several sites or places at one point") for text in legend)
    assert any(text.startswith("Not on the map (no sourced location): 2") for text in legend)
    assert not any("Lost in 2020" in text for text in legend)  # a layer not drawn has no key in the picture
    credit = shown["credit"]
    assert credit.startswith("Data as of 2024-04-04 (newest evidence; compiled 2024-05-01). Sources:")
    for source in (*[c for c in DATA_CREDITS if c["url"].startswith("http")], BORDERS_SOURCE):
        assert f"{source['text']} ({source['url']})" in credit
    assert "data/SOURCES.md" not in credit and "OpenStreetMap" not in credit
    assert shown["locator"] and shown["scale"]
    # Nothing a reader clicks is in the picture: no zoom, search, checkbox, fold button or disclosure triangle.
    for selector in (".leaflet-control-zoom", ".hm-search", ".leaflet-control-layers-selector", ".hm-fold", ".hm-credits"):
        assert page.locator(selector).evaluate_all("nodes => nodes.filter(n => n.offsetParent !== null).length") == 0, selector
    marker = page.locator(".hm-unlocated summary").evaluate("node => getComputedStyle(node).listStyleType")
    assert marker == "none"
    # The map is fitted to what it draws, clear of the key: every located site is inside the map's free part.
    inside = page.evaluate("""() => {
      const map = HeritageMap.state.map, panel = document.querySelector('.hm-layer-panel').getBoundingClientRect();
      const frame = map.getContainer().getBoundingClientRect();
      return Object.values(HeritageMap.state.layers).filter(l => l.heritageKind === 'sites').every(layer => {
        const g = layer.table().geometry;
        return Array.from(g.x).every((x, i) => {
          const p = map.latLngToContainerPoint([g.y[i], x]);
          return p.x > 0 && p.y > 0 && p.x + frame.left < panel.left && p.y < frame.height;
        });
      });
    }""")
    assert inside
    page.screenshot(type="png")
    assert log.errors == [] and log.blocked == []


@pytest.mark.browser
def test_credits_in_the_picture_are_text_never_markup(browser: Browser, overview: Path) -> None:
    page, _ = open_page(browser, overview, 800, 600)
    hostile = {"text": "Credit <img src=x onerror=window.__xss=1> & more", "url": "https://example.org/<b>"}
    shown = print_layout(page, [hostile])
    assert "Credit <img src=x onerror=window.__xss=1> & more (https://example.org/<b>)" in shown["credit"]
    assert page.locator(".hm-print-credit img, .hm-print-credit b").count() == 0
    assert page.evaluate("window.__xss") is None


def test_png_without_playwright_says_how_to_install(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)
    with pytest.raises(
        ExportError, match=r"Playwright is not installed; fix: pip install -e '\.\[test\]' and apt-get install -y chromium"
    ):
        export_picture(data_dir, tmp_path / "export", tiles="none")


@pytest.mark.browser  # needs Playwright installed, to reach the check for Chromium
def test_png_without_chromium_says_how_to_install(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    code, _, err = export(data_dir, tmp_path / "export", "--format", "png", "--tiles", "none")
    assert code == 1 and "no `chromium` on PATH; fix: pip install -e '.[test]' and apt-get install -y chromium" in err


def test_picture_credits_name_the_monitors_and_sources_with_addresses_and_the_basemap_drawn() -> None:
    offline, with_osm, satellite = picture_credits("none"), picture_credits("osm"), picture_credits("satellite")
    assert [c["url"] for c in offline] == [
        "https://caucasusheritage.cornell.edu/",
        "https://monumentwatch.org/",
        "https://www.wikipedia.org/",
        "http://pop-stat.mashke.org/nkr-census.htm",
        BORDERS_SOURCE["url"],
    ]
    assert with_osm[-1]["url"] == "https://www.openstreetmap.org/copyright"
    assert [c["url"] for c in satellite[-2:]] == ["https://www.esri.com/", "https://www.openstreetmap.org/copyright"]


def test_help_gives_a_summary_and_runnable_examples() -> None:
    result = CliRunner().invoke(main, ["export", "--help"])
    assert result.exit_code == 0
    assert "Export the layers and the monitors' log, or a picture of the map, into OUT." in result.stdout
    assert "  heritage-map export --format png --width 640 --height 400 --tiles none\n" in result.stdout


def test_unknown_format_is_a_usage_error(data_dir: Path, tmp_path: Path) -> None:
    code, _, err = export(data_dir, tmp_path / "export", "--format", "shp")
    assert code == 2 and "Invalid value for '--format'" in err and not (tmp_path / "export").exists()


def test_unknown_layer_is_a_usage_error(data_dir: Path, tmp_path: Path) -> None:
    code, _, err = export(data_dir, tmp_path / "export", "--format", "csv", "--layer", "castles")
    assert code == 2 and "Invalid value for '--layer': 'castles' is not one of" in err


def test_refuses_to_write_into_the_data_folder(data_dir: Path) -> None:
    before = sorted(p.name for p in data_dir.iterdir())
    code, _, err = export(data_dir, data_dir / "export", "--format", "csv")
    assert code == 1 and f"--out {data_dir / 'export'}: inside the data folder" in err
    assert sorted(p.name for p in data_dir.iterdir()) == before


def test_invalid_data_exits_1_naming_the_feature(tmp_path: Path) -> None:
    folder = write_layers(tmp_path / "layers", broken("heritage_sites.geojson", 1, type="castle"))
    code, _, err = export(folder, tmp_path / "export", "--format", "geojson")
    assert code == 1 and "feature 'site-cemetery': field 'type': 'castle'" in err
