"""The timeline of the default data in Chromium with the network cut off: chapters, play and pause, the keyboard,
the running figures read from the data, communities that fade, the legend, the links to and from the overview, and
the same counts in the overview, the timeline and `heritage-map coverage`."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from geo.build import build_maps
from geo.cli import main
from geo.inputs import load_inputs
from geo.reconcile import reconcile
from geo.timeline import read_rows
from tests.browser import open_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

DATA = Path(__file__).resolve().parent.parent / "data" / "layers"
DAY = "HeritageMap.state.timeline.day()"
FIGURES = "HeritageMap.state.timeline.figures()"


@pytest.fixture(scope="module")
def maps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("story") / "maps"
    build_maps(DATA, out, tiles="none")
    return out


def timeline_rows() -> list:
    with (DATA / "timeline.csv").open(encoding="utf-8", newline="") as handle:
        return read_rows(list(csv.DictReader(handle)))


def go_to(page: Page, day: str) -> None:
    """Move the slider to `day` as a reader dragging it would (its value set, an input event)."""
    index = page.evaluate(f"HeritageMap.state.timeline.dates.indexOf({day!r})")
    assert index >= 0, day
    page.locator("#hm-timeline-slider").fill(str(index))
    assert page.evaluate(DAY) == day


def figure(page: Page, kind: str) -> dict | None:
    return next((f for f in page.evaluate(FIGURES) if f["kind"] == kind), None)


def test_the_timeline_opens_on_the_first_day_of_the_blockade_with_its_sources_by_name(browser: Browser, maps: Path) -> None:
    page, log = open_page(browser, maps / "timeline.html")
    assert page.evaluate(DAY) == "2022-12-12"
    assert page.locator(".hm-timeline-date").inner_text() == "12 December 2022"
    slider = page.locator("#hm-timeline-slider")
    assert slider.get_attribute("aria-valuetext") == "12 December 2022: Day 1 of the blockade"
    events = page.locator(".hm-timeline-events")
    assert "The blockade begins" in events.inner_text()
    links = events.locator("a")
    assert [links.nth(i).inner_text() for i in range(links.count())] == [
        "Mediamax",
        "Azatutyun (RFE/RL)",
        "Public Radio of Armenia",
    ]
    assert links.first.get_attribute("href") == "https://mediamax.am/en/news/karabakh/49673/"
    assert "source source" not in page.locator(".hm-timeline").inner_text()
    # The axis is one step a day: the offensive's two days are two steps, not one per event.
    days = page.evaluate("HeritageMap.state.timeline.dates")
    assert days.index("2023-09-20") - days.index("2023-09-19") == 1
    assert days.index("2023-09-19") - days.index("2022-12-12") == 281
    assert log.errors == [] and log.blocked == []


def test_play_moves_the_days_on_and_pause_stops_them(browser: Browser, maps: Path) -> None:
    page, log = open_page(browser, maps / "timeline.html")
    play = page.get_by_role("button", name="Play")
    play.click()
    assert page.locator(".hm-tl-play").get_attribute("aria-pressed") == "true"
    # The first day has news, so play stays on it a moment, then walks the quiet days quickly.
    page.wait_for_function("HeritageMap.state.timeline.day() > '2022-12-20'", timeout=10000)
    page.get_by_role("button", name="Pause").click()
    assert page.locator(".hm-tl-play").get_attribute("aria-pressed") == "false"
    assert page.locator(".hm-tl-play").inner_text() == "Play"
    stopped = page.evaluate(DAY)
    page.wait_for_timeout(1600)
    assert page.evaluate(DAY) == stopped and not page.evaluate("HeritageMap.state.timeline.playing()")
    assert page.locator(".hm-timeline-date").inner_text() != "12 December 2022"
    assert log.errors == []


def test_the_keyboard_steps_a_day_and_an_event(browser: Browser, maps: Path) -> None:
    page, log = open_page(browser, maps / "timeline.html")
    page.locator("#hm-timeline-slider").focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate(DAY) == "2022-12-13"
    assert page.locator("#hm-timeline-slider").get_attribute("aria-valuetext") == "13 December 2022: Day 2 of the blockade"
    page.keyboard.press("ArrowLeft")
    assert page.evaluate(DAY) == "2022-12-12"
    # Tab reaches the buttons in order; Enter on "Next event" jumps past the quiet days to the next dated fact.
    names = []
    for _ in range(5):
        page.keyboard.press("Tab")
        names.append(page.evaluate("document.activeElement.textContent"))
        if names[-1] == "Next event":
            break
    assert names == ["Previous event", "Day before", "Play", "Next day", "Next event"]
    page.keyboard.press("Enter")
    assert page.evaluate(DAY) == "2022-12-13"
    page.keyboard.press("Enter")
    assert page.evaluate(DAY) == "2022-12-16"
    assert "The gas supply is restored" in page.locator(".hm-timeline-events").inner_text()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")
    assert page.evaluate(DAY) == "2022-12-17"
    assert log.errors == []


def test_each_chapter_is_named_shaded_and_counted(browser: Browser, maps: Path) -> None:
    page, log = open_page(browser, maps / "timeline.html")
    chapters = page.locator(".hm-tl-chapter")
    assert [chapters.nth(i).get_attribute("data-chapter") for i in range(chapters.count())] == [
        "blockade",
        "offensive",
        "exodus",
        "destruction",
    ]
    assert chapters.nth(2).inner_text().replace("\n", " ") == "Exodus 24 September 2023 – 1 October 2023"
    # Each band spans its chapter's share of the axis: distances are time.
    width = page.locator(".hm-tl-bands").bounding_box()["width"]
    days = len(page.evaluate("HeritageMap.state.timeline.dates"))
    blockade = page.locator(".hm-tl-band-blockade").bounding_box()["width"]
    assert abs(blockade - width * 282 / days) < 1.5
    go_to(page, "2023-01-20")
    assert figure(page, "blockade")["text"] == "Day 40 of the blockade"
    assert chapters.nth(0).get_attribute("aria-current") == "true" and chapters.nth(1).get_attribute("aria-current") is None
    chapters.nth(1).click()
    assert page.evaluate(DAY) == "2023-09-19"
    assert figure(page, "offensive")["text"] == "Day 1 of the offensive"
    assert figure(page, "blockade")["text"] == "Day 282 of the blockade"  # the offensive ends it
    go_to(page, "2023-09-20")
    assert (
        figure(page, "offensive")["text"] == "Day 2 of the offensive"
        and "Ceasefire" in page.locator(".hm-timeline-events").inner_text()
    )
    chapters.nth(3).click()
    assert figure(page, "sites") is not None and figure(page, "exodus") is None
    assert log.errors == []


@pytest.mark.parametrize("day", ["2023-09-24", "2023-09-26", "2023-09-28", "2023-10-01", "2023-10-10"])
def test_the_arrivals_figure_is_the_datas_latest_count_with_its_source(browser: Browser, maps: Path, day: str) -> None:
    arrivals = [r for r in timeline_rows() if r.kind == "arrivals" and r.day <= day]
    latest = arrivals[-1]
    page, log = open_page(browser, maps / "timeline.html")
    go_to(page, day)
    shown = figure(page, "arrivals")
    assert shown["figure"] == latest.figure
    text = shown["text"]
    assert text.startswith(f"Arrivals in Armenia so far: {int(latest.figure):,} (")
    source = page.locator(".hm-tl-figure-arrivals a")
    assert source.get_attribute("href") == latest.sources[0]
    assert source.inner_text() in text and "source" not in source.inner_text()
    if latest.day == day and latest.time:
        assert text.endswith(f", {latest.time})")
    chapter = "exodus" if day <= "2023-10-01" else None
    if chapter:
        n = int(day[-2:]) - 23 if day.startswith("2023-09") else 8
        assert figure(page, "exodus")["text"] == f"Day {n} of the exodus"
    assert log.errors == []


def test_communities_fade_as_the_sources_say_their_people_left(browser: Browser, maps: Path) -> None:
    page, log = open_page(browser, maps / "timeline.html")
    state = "(id) => HeritageMap.state.timeline.communityState(id)"
    layer = next(t for t in page.evaluate("Object.keys(HeritageMap.state.layers)") if t.startswith("Communities"))
    opacity = f"""(id) => {{ const l = HeritageMap.state.layers[{layer!r}], i = l.table().indexOf("id", id);
      return l._styles[l._style[i]].opacity; }}"""
    go_to(page, "2023-09-23")
    assert [page.evaluate(state, c) for c in ("martakert", "stepanakert", "askeran")] == ["there"] * 3
    full = page.evaluate(opacity, "askeran")
    # Martakert's own departure is dated 24 Sep (its mayor, Azatutyun): it is gone that day.
    go_to(page, "2023-09-24")
    assert page.evaluate(state, "martakert") == "left"
    # Askeran's is not: it fades with the arrivals, and the page says so.
    go_to(page, "2023-09-27")
    assert page.evaluate(state, "askeran") == "leaving" and page.evaluate(opacity, "askeran") < full
    assert page.evaluate(state, "stepanakert") == "there"  # its own date is 3 October
    fade = figure(page, "fade")["text"]
    assert fade.startswith("Communities with no sourced date of departure fade as the arrivals grow: ")
    # The six communities the ombudsman named were evacuated on 19 Sep; a settlement within one goes with it.
    go_to(page, "2023-09-19")
    assert page.evaluate(state, "khramort") == "left" and page.evaluate(state, "dahraz") == "left"
    go_to(page, "2023-10-03")
    assert page.evaluate(state, "stepanakert") == "left"
    go_to(page, "2023-10-05")
    assert page.evaluate(state, "askeran") == "left"  # every count arrived
    assert log.errors == []


def test_the_legend_explains_the_chapters_the_communities_and_the_sites(browser: Browser, maps: Path) -> None:
    page, log = open_page(browser, maps / "timeline.html")
    legend = page.locator(".hm-tl-legend").inner_text()
    for words in ("Blockade: 12 December 2022 – 19 September 2023", "Offensive", "Exodus", "Destruction", "People there"):
        assert words in legend
    assert "Leaving: fades as the arrivals in Armenia grow" in legend and "Destroyed" in legend
    assert log.errors == []


def test_the_overview_and_the_timeline_link_to_each_other_at_the_same_place(browser: Browser, maps: Path) -> None:
    page, log = open_page(browser, maps / "index.html")
    link = page.get_by_role("link", name="Timeline: blockade, offensive, exodus, destruction")
    page.evaluate("HeritageMap.state.map.setView([39.82, 46.75], 11, {animate: false})")
    page.wait_for_function("document.querySelector('.hm-maplink').getAttribute('href').indexOf('map=11%2F') !== -1")
    assert link.get_attribute("href").startswith("timeline.html#map=11%2F39.82")
    # A site's popup links to the same site on the timeline, on the day its status shows.
    page.goto((maps / "index.html").as_uri() + "#site=nk002")
    page.reload()
    page.locator(".leaflet-popup-content").wait_for()
    to_timeline = page.locator(".hm-paired a")
    assert to_timeline.inner_text() == "This site on the timeline"
    href = to_timeline.get_attribute("href")
    assert re.fullmatch(r"timeline\.html#date=\d{4}(-\d{2}){0,2}&site=nk002", href)
    back, log2 = open_page(browser, maps / "timeline.html")
    back.goto((maps / "timeline.html").as_uri() + "#" + href.split("#", 1)[1])
    back.reload()
    back.locator(".leaflet-popup-content").wait_for()
    date = re.search(r"date=([\d-]+)", href).group(1)
    assert back.evaluate(DAY).startswith(date)
    assert back.locator(".hm-paired a").get_attribute("href") == "index.html#site=nk002"
    assert back.get_by_role("link", name="Overview map", exact=True).get_attribute("href").startswith("index.html#map=")
    assert log.errors == [] and log2.errors == []


def test_the_counts_agree_in_the_map_the_timeline_and_coverage(browser: Browser, maps: Path) -> None:
    reconciled = reconcile(load_inputs(DATA).communities)
    names, sentences = reconciled.layer_names(), reconciled.sentences()
    counted = reconciled.counted
    assert (counted.count, reconciled.report_total) == (69, 107)  # only with a 2023 source
    overview, log = open_page(browser, maps / "index.html")
    layer_list = overview.locator(".leaflet-control-layers").inner_text()
    assert names["counted"] in layer_list and names["doubted"] in layer_list and names["lost"] in layer_list
    assert f"{counted.located} of {counted.count} mapped" in names["counted"]
    overview.locator(".hm-legend-notes summary").click()
    legend = overview.locator(".hm-layer-panel").inner_text()
    assert f"Communities: {counted.count} of the 107 counted, {counted.located} on the map" in legend
    assert all(sentence in legend for sentence in sentences)
    unlocated = overview.locator(".hm-unlocated summary").inner_text()
    timeline, log2 = open_page(browser, maps / "timeline.html")
    assert names["counted"] in timeline.locator(".leaflet-control-layers").text_content()  # the layer list starts folded here
    assert sentences[0] in timeline.locator(".hm-tl-legend").inner_text()
    report = CliRunner().invoke(main, ["coverage", "--data", str(DATA)]).output
    numbers = {
        "counted": (counted.count, counted.located, counted.unlocated),
        "doubted": (reconciled.doubted.count, reconciled.doubted.located),
        "parts": reconciled.parts.count,
        "unidentified": reconciled.unidentified,
        "lost": (reconciled.lost.count, reconciled.lost.located),
    }
    assert numbers == {"counted": (69, 58, 11), "doubted": (33, 14), "parts": 4, "unidentified": 5, "lost": (29, 17)}
    assert "communities: 69 of the 107 of the 2024 report counted" in report and "58 located, 11 not located" in report
    assert "held in 2023, not counted (33, 14 located;" in report and "part of a counted community (4)" in report
    assert "not identified: 5 of 107" in report and "settlements lost in 2020, context (29): 17 located" in report
    for sentence_numbers in ("counts 69", "58 on the map, 11 not located", "Not counted: 33", "14 of them", "and 4 settlements"):
        assert sentence_numbers in " ".join(sentences)
    assert "Not identified: 5 of the 107." in sentences and "context: 29, 17 of them on the map" in sentences[3]
    # What is not on the map says what it counts: the settlements of each group, sites and places.
    unlocated_settlements = (
        counted.unlocated + reconciled.doubted.unlocated + reconciled.parts.unlocated + reconciled.lost.unlocated
    )
    assert f": {unlocated_settlements} settlements," in unlocated and "13 heritage sites, 3 places" in unlocated
    assert f"unlocated features: {unlocated_settlements + 13 + 3}" in report
    assert log.errors == [] and log2.errors == []


def test_on_a_phone_the_legend_folds_into_the_panel_and_the_controls_stay_in_reach(browser: Browser, maps: Path) -> None:
    page, log = open_page(browser, maps / "timeline.html", 375, 740)
    assert page.locator(".hm-timeline .hm-tl-legend").count() == 1
    assert page.locator(".leaflet-bottom.leaflet-right .hm-tl-legend").count() == 0
    assert page.locator(".hm-tl-legend").get_attribute("open") is None
    panel = page.locator(".hm-timeline").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 375
    for name in ("Previous event", "Day before", "Play", "Next day", "Next event"):
        button = page.get_by_role("button", name=name, exact=True).bounding_box()
        assert button["height"] >= 32 and button["x"] + button["width"] <= 375, name
    page.get_by_role("button", name="Next day", exact=True).click()
    assert page.evaluate(DAY) == "2022-12-13"
    assert log.errors == []
