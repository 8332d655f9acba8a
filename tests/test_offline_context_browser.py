"""Geography without the network (geo/context.py, geo/static/context.js): the default maps in Chromium with no
tiles and no network show the Armenia–Azerbaijan border and the towns' names, on a desktop and on a phone, and so
does the PNG export."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
import rasterio
from rasterio.errors import NotGeoreferencedWarning

from geo.build import build_maps
from geo.inputs import load_inputs
from tests.browser import open_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data" / "layers"
LAND = (0xF3, 0xF0, 0xE8)
"""The land's fill in geo/static/context.js; the border is drawn darker (#5f5850), anti-aliased."""
ONLY_THE_UNDERLAY = (
    ".leaflet-overlay-pane, .leaflet-hm-labels-pane, .leaflet-control-container, .hm-country-label"
    " { visibility: hidden !important; }"
)
LABELS = ".hm-place-label, .hm-country-label"


@pytest.fixture(scope="module")
def points() -> dict[str, tuple[float, float]]:
    """Lon/lat of the places the tests look between, read from the data (never typed in)."""
    inputs = load_inputs(DATA)
    places = inputs.places.set_index("id").geometry
    communities = inputs.communities.set_index("id").geometry
    chosen = {"tegh": places["tegh"], "lachin": places["lachin_berdzor"]}
    chosen |= {"stepanakert": communities["stepanakert"], "askeran": communities["askeran"]}
    return {name: (point.x, point.y) for name, point in chosen.items()}


@pytest.fixture(scope="module")
def maps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("context") / "maps"
    build_maps(DATA, out, tiles="none")
    return out


def screen(page: Page, lonlat: tuple[float, float]) -> tuple[float, float]:
    """Where a point is on the page (the map sits under the page's title)."""
    point = page.evaluate(
        f"""(() => {{
          const map = HeritageMap.state.map, p = map.latLngToContainerPoint([{lonlat[1]}, {lonlat[0]}]);
          const box = map.getContainer().getBoundingClientRect();
          return {{ x: p.x + box.left, y: p.y + box.top }};
        }})()"""
    )
    return point["x"], point["y"]


def picture(png: bytes) -> np.ndarray:
    """A PNG as a height × width × 3 array, read with rasterio (GDAL's PNG driver)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.MemoryFile(png) as memory, memory.open() as image:
            return np.moveaxis(image.read()[:3], 0, -1)


def dark_pixels_between(image: np.ndarray, a: tuple[float, float], b: tuple[float, float]) -> int:
    """Pixels darker than the land on the segment a→b, its ends (the places' own symbols) left out."""
    steps = int(np.hypot(b[0] - a[0], b[1] - a[1]) * 2)
    t = np.linspace(0.1, 0.9, max(steps, 2))
    xs = np.round(a[0] + t * (b[0] - a[0])).astype(int)
    ys = np.round(a[1] + t * (b[1] - a[1])).astype(int)
    samples = image[ys, xs].astype(int)
    return int((samples.max(axis=1) < 0xC0).sum())


def underlay_picture(page: Page) -> np.ndarray:
    page.add_style_tag(content=ONLY_THE_UNDERLAY)
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    return picture(page.screenshot())


def shown_labels(page: Page) -> list[dict[str, Any]]:
    return page.evaluate(
        f"""Array.from(document.querySelectorAll({LABELS!r}))
            .filter((n) => n.style.display !== "none")
            .map((n) => ({{ text: n.textContent, kind: n.className, box: n.getBoundingClientRect().toJSON() }}))"""
    )


def overlapping(labels: list[dict[str, Any]]) -> list[tuple[str, str]]:
    pairs = []
    for i, first in enumerate(labels):
        for second in labels[i + 1 :]:
            a, b = first["box"], second["box"]
            if a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]:
                pairs.append((first["text"], second["text"]))
    return pairs


def test_the_border_between_armenia_and_azerbaijan_is_drawn_with_no_tiles(
    browser: Browser, maps: Path, points: dict[str, tuple[float, float]]
) -> None:
    page, log = open_page(browser, maps / "index.html", 1280, 800)
    assert page.evaluate("HeritageMap.state.map.getZoom()") <= 10
    credit = page.locator(".leaflet-control-attribution a", has_text="Natural Earth")
    assert (credit.get_attribute("href") or "").startswith("https://www.naturalearthdata.com/")
    image = underlay_picture(page)
    # Tegh is in Armenia and Lachin in Azerbaijan: the line between them crosses the border...
    assert dark_pixels_between(image, screen(page, points["tegh"]), screen(page, points["lachin"])) > 0
    # ...and the line from Stepanakert to Askeran crosses none; the land under both is the context's.
    assert dark_pixels_between(image, screen(page, points["stepanakert"]), screen(page, points["askeran"])) == 0
    x, y = screen(page, points["stepanakert"])
    assert tuple(image[round(y), round(x)]) == LAND
    assert log.errors == [] and log.blocked == []


def test_the_border_is_not_drawn_closer_in_than_its_scale_allows(
    browser: Browser, maps: Path, points: dict[str, tuple[float, float]]
) -> None:
    page, _ = open_page(browser, maps / "index.html", 1280, 800)
    lon = (points["tegh"][0] + points["lachin"][0]) / 2
    lat = (points["tegh"][1] + points["lachin"][1]) / 2
    page.evaluate(f"HeritageMap.state.map.setView([{lat}, {lon}], 11, {{animate: false}})")
    image = underlay_picture(page)
    assert dark_pixels_between(image, screen(page, points["tegh"]), screen(page, points["lachin"])) == 0


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (375, 740)])
def test_towns_are_named_without_hover_and_no_names_overlap(
    browser: Browser, maps: Path, points: dict[str, tuple[float, float]], width: int, height: int
) -> None:
    page, log = open_page(browser, maps / "index.html", width, height)
    stepanakert = page.get_by_text("Stepanakert", exact=True)
    assert stepanakert.is_visible()
    box = stepanakert.bounding_box()
    assert box is not None
    x, y = screen(page, points["stepanakert"])
    assert 0 <= box["x"] - x <= 8 and box["y"] <= y <= box["y"] + box["height"]  # just right of its point
    labels = shown_labels(page)
    names = [label["text"] for label in labels]
    assert {"Stepanakert", "Shushi", "Askeran", "Goris", "Armenia", "Azerbaijan"} <= set(names)
    assert overlapping(labels) == []
    assert page.locator(".leaflet-tooltip").count() == 0
    assert log.errors == [] and log.blocked == []


def test_zooming_in_names_more_places_still_without_overlap(browser: Browser, maps: Path) -> None:
    page, _ = open_page(browser, maps / "index.html", 1280, 800)
    before = len(shown_labels(page))
    page.evaluate("HeritageMap.state.map.setZoom(11, {animate: false})")
    after = shown_labels(page)
    assert len(after) > before
    assert overlapping(after) == []


def test_place_names_are_an_overlay_the_reader_can_hide(browser: Browser, maps: Path) -> None:
    page, log = open_page(browser, maps / "index.html", 1280, 800)
    page.get_by_label("Place names").uncheck()
    assert page.locator(".hm-place-label").count() == 0
    assert {"Armenia", "Azerbaijan"} <= {label["text"] for label in shown_labels(page)}
    page.get_by_label("Place names").check()
    assert page.get_by_text("Stepanakert", exact=True).is_visible()
    assert overlapping(shown_labels(page)) == []
    assert log.errors == []


def test_the_timeline_has_the_same_context(browser: Browser, maps: Path) -> None:
    page, log = open_page(browser, maps / "timeline.html", 1280, 800)
    assert page.get_by_text("Stepanakert", exact=True).is_visible()
    assert {"Armenia", "Azerbaijan"} <= {label["text"] for label in shown_labels(page)}
    assert log.errors == [] and log.blocked == []


def test_a_map_built_with_tiles_shows_the_context_where_the_tiles_do_not_load(
    browser: Browser, tmp_path: Path, points: dict[str, tuple[float, float]]
) -> None:
    build_maps(DATA, tmp_path / "maps", tiles="osm")
    page, log = open_page(browser, tmp_path / "maps" / "index.html", 1280, 800)
    assert any("tile.openstreetmap.org" in url for url in log.blocked)  # the basemap was asked for, and cut off
    assert page.get_by_text("Stepanakert", exact=True).is_visible()
    image = underlay_picture(page)
    assert dark_pixels_between(image, screen(page, points["tegh"]), screen(page, points["lachin"])) > 0


def test_the_png_export_made_offline_has_the_context(tmp_path: Path) -> None:
    # In a process of its own: this one already drives Chromium through Playwright's sync API.
    command = [sys.executable, "-m", "geo", "export", "--format", "png", "--data", str(DATA), "--out", str(tmp_path)]
    done = subprocess.run(
        [*command, "--width", "800", "--height", "600", "--tiles", "none"], check=False, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    image = picture((tmp_path / "map.png").read_bytes())
    land = (image == np.array(LAND)).all(axis=2).mean()
    assert land > 0.5  # Leaflet's bare ground is grey (#ddd): without the context there is no land colour at all
