"""Names with bidirectional controls are isolated where a page shows them (Chromium, no network)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from geo.build import build_maps
from tests.browser import open_page
from tests.layers import default_layers, write_layers

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

NAME = "Church \u202eenO"  # a right-to-left override: shows as "Church One" reversed inside its own box only
SETTLEMENT = "Town \u2067A\u2069"


@pytest.fixture(scope="module")
def maps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bidi")
    layers = default_layers()
    props = layers["heritage_sites.geojson"]["features"][0]["properties"]
    props["name"], props["settlement"] = NAME, SETTLEMENT
    build_maps(write_layers(root / "layers", layers), root / "maps", tiles="none")
    return root / "maps"


def test_a_popup_isolates_every_value_it_shows(browser: Browser, maps: Path) -> None:
    page, log = open_page(browser, maps / "index.html")
    page.goto((maps / "index.html").as_uri() + "#site=site-church")
    page.reload()
    page.locator(".leaflet-popup-content .hm-name").wait_for()
    name = page.locator(".leaflet-popup-content .hm-name")
    assert name.inner_text() == NAME
    assert name.get_attribute("dir") == "auto"
    assert name.evaluate("node => getComputedStyle(node).unicodeBidi") == "isolate"
    texts = page.locator(".leaflet-popup-content [dir=auto]")
    assert texts.count() > 3 and log.errors == [] and log.blocked == []


def test_a_site_page_isolates_the_name_and_the_settlement(browser: Browser, maps: Path) -> None:
    page = browser.new_page()
    page.goto((maps / "sites" / "site-church.html").as_uri())
    heading = page.locator("h1")
    assert heading.inner_text() == NAME and heading.get_attribute("dir") == "auto"
    settlement = page.locator(".hm-sub bdi").filter(has_text="Town")
    assert settlement.evaluate("node => getComputedStyle(node).unicodeBidi") == "isolate"
