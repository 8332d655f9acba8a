"""Deep links, search, the timeline, site stories and embeds, in Chromium with no network."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

import pytest

from geo.build import build_maps
from tests.browser import open_page
from tests.layers import write_layers

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def maps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pages")
    build_maps(write_layers(root / "layers"), root / "maps", tiles="none")
    return root / "maps"


def test_deep_link_opens_the_site_popup_centred(browser: Browser, maps: Path) -> None:
    page, log = open_page(browser, maps / "index.html")
    page.goto((maps / "index.html").as_uri() + "#site=site-church")
    page.reload()
    page.locator(".leaflet-popup-content").wait_for()
    assert "Church One" in page.locator(".leaflet-popup-content").inner_text()
    centre = page.evaluate("HeritageMap.state.map.getCenter()")
    assert abs(centre["lat"] - 39.7588) < 0.01 and abs(centre["lng"] - 46.7478) < 0.01
    assert "site=site-church" in page.evaluate("location.hash")
    assert log.errors == [] and log.blocked == []


def test_the_url_follows_the_view(browser: Browser, maps: Path) -> None:
    page, _ = open_page(browser, maps / "index.html")
    page.evaluate("HeritageMap.state.map.setView([39.8, 46.8], 11, {animate: false})")
    page.wait_for_function("location.hash.indexOf('map=11%2F') !== -1")
    zoom, lat, lon = page.evaluate("new URLSearchParams(location.hash.slice(1)).get('map')").split("/")
    assert zoom == "11" and abs(float(lat) - 39.8) < 0.001 and abs(float(lon) - 46.8) < 0.001


def test_search_by_armenian_name_finds_the_site_and_opens_it_by_keyboard(browser: Browser, maps: Path) -> None:
    page, log = open_page(browser, maps / "index.html")
    page.get_by_label("Search by name, in English, Armenian, Azerbaijani or Russian").fill("Եկեղ")
    result = page.locator(".hm-result").first
    assert "Church One" in result.inner_text()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.locator(".leaflet-popup-content").wait_for()
    assert "Destroyed" in page.locator(".leaflet-popup-content").inner_text()
    assert log.errors == []


def test_search_by_azerbaijani_name_finds_the_community(browser: Browser, maps: Path) -> None:
    page, _ = open_page(browser, maps / "index.html")
    page.get_by_label("Search by name, in English, Armenian, Azerbaijani or Russian").fill("Şəhər")
    assert "Town A" in page.locator(".hm-result").first.inner_text()


def test_timeline_slider_moves_the_shown_events(browser: Browser, maps: Path) -> None:
    page, log = open_page(browser, maps / "timeline.html")
    days = page.evaluate("HeritageMap.state.timeline.dates")
    # One step a day from the first row to the newest evidence; without a blockade it opens on its first day.
    assert (days[0], days[-1], len(days)) == ("2023-09-19", "2024-04-04", 199)
    route_shown = "HeritageMap.state.layers['Routes (1)'].shown()"
    site_shown = "HeritageMap.state.layers['Heritage sites (2)'].shown()"
    assert page.locator(".hm-timeline-date").inner_text() == "19 September 2023"
    assert "Offensive begins" in page.locator(".hm-timeline-events").inner_text()
    assert page.evaluate(route_shown) == [False]
    assert page.evaluate(site_shown) == [False, False]
    page.locator("#hm-timeline-slider").fill(str(days.index("2023-11-01")))
    assert page.locator(".hm-timeline-date").inner_text() == "1 November 2023"
    assert "Cemetery Two: documented damaged" in page.locator(".hm-timeline-events").inner_text()
    assert page.evaluate(site_shown) == [False, True]
    page.locator("#hm-timeline-slider").fill(str(len(days) - 1))
    assert page.evaluate(site_shown) == [True, True]
    assert log.errors == []


def test_site_page_tells_the_story_with_scene_metadata(browser: Browser, maps: Path) -> None:
    page, log = open_page(browser, maps / "sites" / "site-church.html")
    story = page.locator(".hm-story").inner_text()
    assert "Church One" in story and "Destroyed, observed 2024-04-04" in story
    # The three evidence levels are explained on every site page; this one rests on reports: its scenes have no footprint.
    assert "Evidence levels: imagery here, a before/after satellite pair this map holds covers the site" in story
    assert "reported: press, officials, photographs, video or testimony" in story
    rows = page.locator("section[aria-labelledby=imagery-h] tbody tr").all_inner_texts()
    assert rows[0].split("\t")[:4] == ["Before", "scene-before", "2023-12-28", "unstated"]
    assert rows[1].split("\t")[:4] == ["After", "scene-after", "2024-04-04", "unstated"]
    assert page.locator("h1").get_attribute("lang") == "en" and page.locator("[lang=hy]").count() >= 1  # the names' languages
    # Who vouches for the status, and the published log's anchor in the footer (from assets/build-info.js).
    assert "Vouched for by the monitor's publication, transcribed here before records were signed" in story
    assert page.locator("#hm-anchor").inner_text().startswith("Log anchor: 2 published records, head ")
    assert log.errors == [] and log.blocked == []


def test_unlocated_site_page_says_so_and_draws_no_point(browser: Browser, maps: Path) -> None:
    page, log = open_page(browser, maps / "sites" / "site-bridge.html")
    assert "No source gives this site's location" in page.locator(".hm-story").inner_text()
    assert page.evaluate("Object.keys(HeritageMap.state.layers).length") == 0
    assert log.errors == []


def test_manifest_verifies_with_sha256sum(maps: Path) -> None:
    result = subprocess.run(
        ["sha256sum", "--check", "--quiet", "MANIFEST.sha256"], cwd=maps, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    listed = (maps / "MANIFEST.sha256").read_text().splitlines()
    assert any(line.endswith("  index.html") for line in listed)
    # Published files only: no input layer, so no hash of the log (it would change with every internal record).
    assert any(line.endswith("  data/heritage_sites.geojson") for line in listed)
    assert not any("../" in line or "observations.jsonl" in line for line in listed)


CONTRAST = """
() => {
  function rgb(text) { return text.match(/[\\d.]+/g).map(Number); }
  function lum(c) {
    const [r, g, b] = c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  function background(node) {
    for (; node && node.nodeType === 1; node = node.parentElement) {
      const c = rgb(getComputedStyle(node).backgroundColor);
      if (c.length < 4 || c[3] > 0.9) return c;
    }
    return [255, 255, 255];
  }
  const worst = [];
  document.querySelectorAll(
    '.hm-legend *, .hm-popup *, .hm-credits *, .hm-search *, .leaflet-control-layers *, .hm-story *'
  ).forEach(node => {
    if (!Array.from(node.childNodes).some(n => n.nodeType === 3 && n.textContent.trim())) return;
    const fg = lum(rgb(getComputedStyle(node).color)), bg = lum(background(node));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 4.5) worst.push(node.className + ': ' + ratio.toFixed(2) + ' ' + node.textContent.slice(0, 30));
  });
  return worst;
}
"""


def test_text_contrast_passes_wcag_aa(browser: Browser, maps: Path) -> None:
    page, _ = open_page(browser, maps / "index.html")
    page.goto((maps / "index.html").as_uri() + "#site=site-church")
    page.reload()
    page.locator(".leaflet-popup-content").wait_for()
    page.locator(".hm-credits summary").click()
    assert page.evaluate(CONTRAST) == []
    story, _ = open_page(browser, maps / "sites" / "site-church.html")
    assert story.evaluate(CONTRAST) == []
