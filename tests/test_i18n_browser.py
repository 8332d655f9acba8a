"""The interface in Armenian and Russian, in Chromium: the committed maps published on 127.0.0.1.

Switched to Armenian or to Russian, a page shows no English outside names, sources and numbers (the text-node walk
of tests/markers.py) on the overview, the timeline, a site's story and an embed page, at a phone's and a desktop's
width; the choice comes from ?lang=, the switch (by keyboard too) or the browser's languages, and stays put across
pages; names carry their language; dates and numbers are written the language's way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from geo.cli import main
from geo.picture import picture_credits
from geo.snapshot import print_layout
from tests.browser import REPO
from tests.markers import english_left
from tests.servers import StaticServer, static_server

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser

MAPS = REPO / "maps"
PAGES = ["index.html", "timeline.html", "sites/nk002.html", "embed/site-nk002.html", "embed/overview.html"]
WIDTHS = [(375, 740), (1280, 800)]
READY = (
    "() => document.readyState === 'complete' && (!document.querySelector('.folium-map')"
    " || (window.HeritageMap && HeritageMap.state && HeritageMap.state.map !== null))"
)


@pytest.fixture(scope="module")
def published() -> Iterator[StaticServer]:
    with static_server(MAPS) as server:
        yield server


def local_only(context: BrowserContext) -> None:
    """Nothing leaves 127.0.0.1 (the basemap's tiles are refused)."""
    context.route(
        "**/*", lambda route: route.continue_() if route.request.url.startswith(("http://127.0.0.1:", "data:")) else route.abort()
    )


def open_page(context: BrowserContext, url: str) -> tuple[Page, list[str]]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    page.wait_for_function(READY)
    return page, errors


@pytest.mark.parametrize("lang", ["hy", "ru"])
@pytest.mark.parametrize("path", PAGES)
def test_no_english_is_left_in_armenian_or_russian(browser: Browser, published: StaticServer, path: str, lang: str) -> None:
    for width, height in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
        local_only(context)
        page, errors = open_page(context, f"{published.url}/{path}?lang={lang}")
        assert english_left(page, lang) == [], f"{path} in {lang} at {width} px"
        assert errors == []
        context.close()


@pytest.mark.parametrize("lang", ["hy", "ru"])
def test_an_open_popup_a_stack_and_a_search_are_in_the_language_too(browser: Browser, published: StaticServer, lang: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    local_only(context)
    page, errors = open_page(context, f"{published.url}/index.html?lang={lang}")
    for kind in ("sites", "communities", "places", "routes"):
        page.evaluate(
            """(kind) => {
              const layer = Object.values(HeritageMap.state.layers)
                .find((l) => l.heritageKind === kind && l.count() > 0 && HeritageMap.state.map.hasLayer(l));
              HeritageMap.openFeature(layer, 0);
            }""",
            kind,
        )
        page.wait_for_selector(".leaflet-popup-content .hm-popup")
        assert english_left(page, lang) == [], kind
    page.fill("#hm-search-input", "Shushi")
    page.wait_for_selector("#hm-search-results li")
    assert english_left(page, lang) == []
    assert errors == []
    context.close()


def test_the_choice_stays_put_across_pages_and_the_switch_works_by_keyboard(browser: Browser, published: StaticServer) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    local_only(context)
    page, _ = open_page(context, f"{published.url}/index.html")
    assert page.evaluate("document.documentElement.lang") == "en"
    switch = page.locator("nav.hm-lang a")
    assert switch.all_inner_texts() == ["EN", "ՀՅ", "РУ"] and switch.first.get_attribute("aria-current") == "true"
    assert page.locator("nav.hm-lang").get_attribute("aria-label") == "Language"
    # By keyboard: Tab reaches the switch, Enter follows the link.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.closest('nav.hm-lang') !== null"):
            break
    else:
        pytest.fail("Tab never reached the language switch")
    while page.evaluate("document.activeElement.textContent") != "РУ":
        page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_function(READY)
    assert page.evaluate("document.documentElement.lang") == "ru" and "lang=ru" in page.url
    assert page.locator("h1.hm-title").inner_text() == "Карта наследия Нагорного Карабаха"
    assert page.title() == "Карта наследия Нагорного Карабаха"
    # Every other page, opened without ?lang=, is in Russian: the choice was stored.
    for path in ("timeline.html", "sites/nk002.html", "embed/index.html"):
        other, _ = open_page(context, f"{published.url}/{path}")
        assert other.evaluate("document.documentElement.lang") == "ru", path
        assert other.locator("nav.hm-lang a[aria-current]").inner_text() == "РУ"
    # An embed's frame (?embed=1) follows its own ?lang= but never changes the reader's choice.
    framed, _ = open_page(context, f"{published.url}/index.html?embed=1&lang=hy")
    assert framed.evaluate("document.documentElement.lang") == "hy"
    assert open_page(context, f"{published.url}/timeline.html")[0].evaluate("document.documentElement.lang") == "ru"
    # A link with ?lang= is a choice too, kept for the next page.
    open_page(context, f"{published.url}/timeline.html?lang=hy")
    assert open_page(context, f"{published.url}/index.html")[0].evaluate("document.documentElement.lang") == "hy"
    context.close()


@pytest.mark.parametrize(("locale", "lang"), [("ru-RU", "ru"), ("hy-AM", "hy"), ("fr-FR", "en")])
def test_the_first_language_comes_from_the_browser(browser: Browser, published: StaticServer, locale: str, lang: str) -> None:
    context = browser.new_context(locale=locale)
    local_only(context)
    page, _ = open_page(context, f"{published.url}/sites/nk002.html")
    assert page.evaluate("document.documentElement.lang") == lang
    context.close()


def test_names_carry_their_language_and_dates_and_numbers_are_the_languages(browser: Browser, published: StaticServer) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    local_only(context)
    page, _ = open_page(context, f"{published.url}/sites/nk002.html?lang=ru")
    assert page.locator("main h1").get_attribute("lang") == "en"
    names = page.locator(".hm-alt-name")
    assert {names.nth(i).get_attribute("lang") for i in range(names.count())} <= {"hy", "ru", "az"} and names.count() >= 1
    dates = page.locator("main time").all_inner_texts()
    assert dates and all(" г." in text or text.isdigit() for text in dates), dates  # "4 апреля 2024 г."
    armenian, _ = open_page(context, f"{published.url}/sites/nk002.html?lang=hy")
    assert all("թ." in text for text in armenian.locator("main time").all_inner_texts())  # CLDR's Armenian pattern
    overview, _ = open_page(context, f"{published.url}/index.html?lang=ru")
    key = overview.locator(".hm-key-label").all_inner_texts()
    assert any("1\u00a0000, 5\u00a0000 и 13\u00a0000" in text for text in key), key  # Russian grouping
    context.close()


def test_the_picture_is_laid_out_in_the_language_asked_for(browser: Browser, published: StaticServer) -> None:
    # What `heritage-map export --format png --lang ru` shows: the print layout of the overview opened with ?lang=.
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    local_only(context)
    page, errors = open_page(context, f"{published.url}/index.html?lang=ru")
    shown = print_layout(page, picture_credits("osm"))
    assert shown["title"] == "Карта наследия Нагорного Карабаха"
    assert shown["credit"].startswith("Данные на ") and "Источники:" in shown["credit"]
    assert "Статусы объектов наследия: Caucasus Heritage Watch" in shown["credit"]
    assert any(text.startswith("Объекты наследия: разрушены") for text in shown["legend"]), shown["legend"]
    assert english_left(page, "ru") == [] and errors == []
    context.close()


def test_the_png_export_draws_the_language_asked_for(data_dir: Path, tmp_path: Path) -> None:
    pictures = {}
    for lang in ("en", "hy"):
        out = tmp_path / lang
        args = ["export", "--data", str(data_dir), "--out", str(out), "--format", "png", "--tiles", "none", "--lang", lang]
        result = CliRunner().invoke(main, [*args, "--width", "640", "--height", "400"])
        assert result.exit_code == 0, result.output
        pictures[lang] = (out / "map.png").read_bytes()
    assert pictures["en"] != pictures["hy"]


def test_an_embed_snippet_is_in_the_language_the_page_is_read_in(browser: Browser, published: StaticServer) -> None:
    context = browser.new_context()
    local_only(context)
    page, errors = open_page(context, f"{published.url}/embed/site-nk002.html?lang=ru")
    snippet = page.locator("#snippet").input_value()
    assert f'src="{published.url}/sites/nk002.html?embed=1&amp;lang=ru"' in snippet
    assert "Карта наследия Нагорного Карабаха, данные на " in snippet and "Открыть полную карту</a>" in snippet
    assert 'title="Kanach Zham' in snippet and ": рассказ об объекте наследия" in snippet
    preview = page.frame_locator("#hm-preview iframe")
    preview.locator("html[lang=ru]").wait_for()  # the frame opens in the page's language
    english, _ = open_page(context, f"{published.url}/embed/site-nk002.html?lang=en")
    assert "lang=" not in english.locator("#snippet").input_value() and errors == []
    context.close()
