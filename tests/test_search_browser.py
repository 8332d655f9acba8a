"""Search on the overview of the default data, in Chromium with no network: what it finds first, how its
words are folded, how it is used from the keyboard and a screen reader, and markup in a name shown as text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from geo.build import build_maps
from tests.browser import open_page
from tests.layers import default_layers, write_layers

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

DATA = Path(__file__).resolve().parent.parent / "data" / "layers"
MARKUP = '<img src=x onerror="window.__owned=1"><b>Bold</b> village'


@pytest.fixture(scope="module")
def maps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default data built as `maps/` is, without tiles."""
    out = tmp_path_factory.mktemp("search") / "maps"
    build_maps(DATA, out, tiles="none")
    return out


@pytest.fixture(scope="module")
def overview(browser: Browser, maps: Path) -> Iterator[Page]:
    """One overview page for the queries, its index built."""
    page, log = open_page(browser, maps / "index.html")
    page.focus("#hm-search-input")
    page.wait_for_function("HeritageMap.state.searchReady === true")
    yield page
    assert log.errors == [] and log.blocked == []
    page.close()


def search(page: Page, text: str) -> list[str]:
    """The results shown for `text`, each as its lines joined by ' | '."""
    page.fill("#hm-search-input", text)
    page.wait_for_function("(text) => document.getElementById('hm-search-results').dataset.query === text", arg=text)
    return [item.replace("\n", " | ") for item in page.locator(".hm-result").all_inner_texts()]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        # The queries: the name is "Ghazanchetsots (Holy Savior) Cathedral".
        ("Ghazanchetsots Cathedral", "Ghazanchetsots (Holy Savior) Cathedral | heritage site · damaged · Shushi/Shusha"),
        ("Cathedral Ghazanchetsots", "Ghazanchetsots (Holy Savior) Cathedral | heritage site · damaged · Shushi/Shusha"),
        ("Степанакерт", "Stepanakert · Степанакерт | community"),
        ("Шуши", "Shushi · Шуши | community · lost in 2020"),
        ("Ganzasar", "Gandzasar monastery | heritage site · status unknown · near Vank/Vankli (Martakert/Kalbajar)"),
        # The community first: its Azerbaijani name Şuşa is indexed as English sources spell it, and two places
        # carry "Shusha" in their names.
        ("Shusha", "Shushi · Şuşa | community · lost in 2020"),
        # Armenian, by the community's and the monastery's Armenian names.
        ("Ստեփանակերտ", "Stepanakert · Ստեփանակերտ | community"),
        ("Գանձասար", "Gandzasar monastery · Գանձասար / Գանձասարի վանք | heritage site · status unknown · near Vank/Vankli"),
        # Azerbaijani, with and without its letters.
        ("Xankəndi", "Stepanakert · Xankəndi | community"),
        ("Xankendi", "Stepanakert · Xankəndi | community"),
        ("Şuşa", "Shushi · Şuşa | community · lost in 2020"),
        ("Susa", "Shushi · Şuşa | community · lost in 2020"),
        # A prefix, as typed.
        ("Stepanak", "Stepanakert | community"),
        # Unlocated features are searched too, and say so.
        ("Aghabekalanj", "Aghabekalanj | community · not on the map"),
    ],
)
def test_the_first_result(overview: Page, query: str, first: str) -> None:
    results = search(overview, query)
    assert results and results[0].startswith(first), results[:3]


def test_hadrut_in_russian_finds_a_hadrut_site(overview: Page) -> None:
    """No community is named Hadrut in the data and no source in it gives Hadrut a Russian name: the query is
    also tried in Latin letters ("gadrut"), one letter from "Hadrut", so the Hadrut sites are found by name."""
    results = search(overview, "Гадрут")
    assert re.match(r"[^|]*Hadrut[^|]*\| heritage site · \w+ · Hadrut$", results[0]), results[:3]
    assert all("heritage site" in r for r in results[:2])


def test_results_say_what_each_feature_is_not_which_layer_holds_it(overview: Page) -> None:
    results = search(overview, "Stepanakert")
    kinds = [r.split(" | ")[1].split(" · ")[0] for r in results]
    assert kinds[:2] == ["community", "place"]
    assert "route" in kinds and "heritage site" in kinds
    assert not any("(" in k or re.search(r"\d", k) for k in kinds)  # no layer title, no count


def test_the_live_region_counts_the_results(overview: Page) -> None:
    status = overview.get_by_role("status")
    assert status.get_attribute("aria-live") == "polite"
    count = overview.evaluate("HeritageMap.state.searchIndex.search('Stepanakert').count")
    search(overview, "Stepanakert")
    overview.wait_for_function("(n) => document.querySelector('.hm-search-status').textContent === n + ' results'", arg=count)
    search(overview, "qqqqzzzz")
    overview.wait_for_function("document.querySelector('.hm-search-status').textContent === 'No results'")
    assert overview.locator("#hm-search-results").is_hidden()


def test_the_folding_of_names(overview: Page) -> None:
    fold = "(text) => HeritageMap.searchText.fold(text)"
    cases = {
        "ŞUŞA": "susa",
        "Xankəndi": "xankendi",
        "Ağdam Çinarlı Böyük Köhnə": "agdam cinarli boyuk kohne",
        "İSMAYILLI": "ismayilli",
        "ՇՈՒՇԻ": "շուշի",
        "Երևան": "երեվան",  # the ligature և
        "Երեւան": "երեվան",  # its classical spelling
        "Սուրբ": "սուրբ",  # ու stays
        "Семёновка": "семеновка",
        "ШУШИ": "шуши",
        "Ghazanchetsots’": "ghazanchetsots",
    }
    assert {text: overview.evaluate(fold, text) for text in cases} == cases
    words = "(text) => HeritageMap.searchText.words(text)"
    assert overview.evaluate(words, "Shushi/Shusha (north), Karin-Tak") == ["shushi", "shusha", "north", "karin", "tak"]
    assert overview.evaluate("HeritageMap.searchText.indexForms('Şuşa')") == ["susa", "shusha"]
    assert overview.evaluate("HeritageMap.searchText.indexForms('Xocalı')") == ["xocali", "khojali"]
    assert overview.evaluate("HeritageMap.searchText.spellings('Гадрут')") == ["гадрут", "gadrut"]
    assert overview.evaluate("HeritageMap.searchText.spellings('Երևան')") == ["երեվան", "yerevan"]
    assert overview.evaluate("HeritageMap.searchText.spellings('Շուշի')") == ["շուշի", "shushi"]


def test_keyboard_only_from_the_page_to_a_popup_and_back(browser: Browser, maps: Path) -> None:
    page, log = open_page(browser, maps / "index.html")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "hm-search-input":
            break
    assert page.evaluate("document.activeElement.id") == "hm-search-input"
    box = page.locator("#hm-search-input")
    assert box.get_attribute("role") == "combobox" and box.get_attribute("aria-expanded") == "false"
    assert page.get_by_label("Search by name, in English, Armenian, Azerbaijani or Russian").count() == 1
    page.keyboard.type("Ganzasar")
    page.wait_for_function("document.getElementById('hm-search-results').dataset.query === 'Ganzasar'")
    assert box.get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    active = box.get_attribute("aria-activedescendant")
    assert active and page.locator(f"#{active}").get_attribute("aria-selected") == "true"
    assert "Gandzasar monastery" in page.locator(f"#{active}").inner_text()
    page.keyboard.press("Enter")
    page.locator(".leaflet-popup-content").wait_for()
    assert "Gandzasar monastery" in page.locator(".leaflet-popup-content").inner_text()
    # The list closed, and focus moved into the popup.
    assert page.locator("#hm-search-results").is_hidden() and box.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.querySelector('.leaflet-popup').contains(document.activeElement)")
    # Escape closes the popup and focus comes back to the box, its words kept.
    page.keyboard.press("Escape")
    page.wait_for_function("!document.querySelector('.leaflet-popup')")
    assert page.evaluate("document.activeElement.id") == "hm-search-input" and box.input_value() == "Ganzasar"
    # The popup's close button does the same.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.locator(".leaflet-popup-close-button").wait_for()
    for _ in range(30):  # past the popup's links to its close button, which comes last
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.className") == "leaflet-popup-close-button":
            break
    assert page.evaluate("document.activeElement.className") == "leaflet-popup-close-button"
    page.keyboard.press("Enter")
    page.wait_for_function("!document.querySelector('.leaflet-popup')")
    assert page.evaluate("document.activeElement.id") == "hm-search-input"
    # Escape closes the list and keeps the words; a second Escape clears the box.
    page.keyboard.press("ArrowDown")
    assert page.locator("#hm-search-results").is_visible()
    page.keyboard.press("Escape")
    assert page.locator("#hm-search-results").is_hidden() and box.input_value() == "Ganzasar"
    page.keyboard.press("Escape")
    assert box.input_value() == ""
    assert log.errors == [] and log.blocked == []


def test_an_unlocated_community_opens_its_line_in_the_list_of_features_not_on_the_map(browser: Browser, maps: Path) -> None:
    page, log = open_page(browser, maps / "index.html")
    page.locator("#hm-search-input").fill("Aghabekalanj")
    page.locator(".hm-result").first.wait_for()
    page.keyboard.press("Enter")
    line = page.locator(".hm-unlocated li.hm-highlight")
    assert line.inner_text() == "Aghabekalanj (held in 2023, not counted)" and line.is_visible()
    assert page.evaluate("document.querySelector('.hm-unlocated').open")
    assert page.evaluate("document.activeElement.textContent") == "Aghabekalanj (held in 2023, not counted)"
    assert page.locator("#hm-search-results").is_hidden()
    assert log.errors == []


def test_an_unlocated_site_opens_its_page(browser: Browser, maps: Path) -> None:
    page, _ = open_page(browser, maps / "index.html")
    page.locator("#hm-search-input").fill("Greater and Lesser Syunik")
    result = page.locator(".hm-result").first
    assert "heritage site · destroyed" in result.inner_text() and "not on the map" in result.inner_text()
    with page.expect_navigation():
        result.click()
    assert page.url.endswith("/sites/nk161.html")


def test_a_click_opens_the_popup_and_closes_the_list(overview: Page) -> None:
    search(overview, "Stepanakert")
    overview.locator(".hm-result").first.click()
    overview.locator(".leaflet-popup-content").wait_for()
    assert "Stepanakert" in overview.locator(".leaflet-popup-content").inner_text()
    assert overview.locator("#hm-search-results").is_hidden()
    overview.evaluate("HeritageMap.state.map.closePopup()")


def test_the_timeline_page_searches_its_layers(browser: Browser, maps: Path) -> None:
    page, log = open_page(browser, maps / "timeline.html")
    page.locator("#hm-search-input").fill("Шуши")
    assert page.locator(".hm-result").first.inner_text().startswith("Shushi / Shusha")  # its communities are held ones
    assert log.errors == [] and log.blocked == []


def test_markup_in_a_name_shows_as_text(browser: Browser, tmp_path: Path) -> None:
    layers = default_layers()
    community = layers["communities.geojson"]["features"][0]["properties"]
    community.update(name=MARKUP, name_ru="<script>window.__owned=2</script>Деревня")
    unlocated = layers["communities.geojson"]["features"][2]["properties"]
    unlocated["name"] = "<i>Hidden</i> hamlet"
    build_maps(write_layers(tmp_path / "layers", layers), tmp_path / "maps", tiles="none")
    page, log = open_page(browser, tmp_path / "maps" / "index.html")
    page.locator("#hm-search-input").fill("bold village")
    result = page.locator(".hm-result").first
    assert result.inner_text().startswith(MARKUP)
    page.locator("#hm-search-input").fill("Деревня")
    assert "<script>window.__owned=2</script>Деревня" in result.inner_text()
    page.locator("#hm-search-input").fill("hidden hamlet")
    assert result.inner_text().startswith("<i>Hidden</i> hamlet")
    assert page.locator(".hm-results img, .hm-results b, .hm-results script, .hm-results i").count() == 0
    assert page.evaluate("window.__owned") is None
    assert log.errors == []


def test_on_a_phone_the_results_are_on_top_and_inside_the_screen(browser: Browser, maps: Path) -> None:
    page, _ = open_page(browser, maps / "index.html", width=375, height=740)
    page.locator("#hm-search-input").fill("Stepanakert")
    results = page.locator(".hm-result")
    results.first.wait_for()
    covered = """(item) => { const box = item.getBoundingClientRect();
      return !item.contains(document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2)); }"""
    assert [results.nth(i).evaluate(covered) for i in range(3)] == [False, False, False]  # the layer list is not over them
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.evaluate("document.getElementById('hm-search-results').getBoundingClientRect().right") <= 375
