"""The committed maps/ at a phone's and a desktop's width, in Chromium with no network (basemap tiles refused):
no page kind scrolls sideways, each has one h1 and its landmarks, axe-core finds nothing serious, panels fold on a
phone, a popup is a bottom sheet there, a keyboard reaches every site and focus comes back, sites that share a point
are one counted marker whose click lists them all (in the map, the timeline and the picture), tables become cards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from geo.credits import TITLE
from geo.links import link_label
from geo.picture import picture_credits
from geo.snapshot import print_layout
from tests.browser import REPO, axe_violations, horizontal_overflow

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

MAPS = REPO / "maps"
PHONE, DESKTOP = (375, 740), (1280, 800)
MAP_READY = "window.HeritageMap && HeritageMap.state.map !== null && document.querySelector('.hm-layer-panel') !== null"
PAGES = {
    "overview": "index.html",
    "timeline": "timeline.html",
    "site page": "sites/nk002.html",
    "unlocated site page": "sites/nk007.html",
    "site card": "sites/nk002.html?embed=1",
    "embedded overview": "index.html?embed=1",
    "embed page": "embed/overview.html",
    "site embed page": "embed/site-nk002.html",
    "embed index": "embed/index.html",
}


def open_at(browser: Browser, page_name: str, size: tuple[int, int]) -> tuple[Page, list[str]]:
    """A committed page at `size`, cut off the network; the list the page's errors go to."""
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error) + (error.stack or "")))
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file://", "data:", "about:")) else r.abort())
    path, _, query = page_name.partition("?")
    page.goto((MAPS / path).as_uri() + (f"?{query}" if query else ""))
    if path in ("index.html", "timeline.html"):
        page.wait_for_function(MAP_READY)
    elif path.startswith("embed/") and path != "embed/index.html":
        page.locator("#hm-preview iframe").wait_for()
    page.wait_for_load_state("load")
    return page, errors


@pytest.mark.parametrize("size", [(320, 640), PHONE, DESKTOP], ids=["320", "375", "1280"])
@pytest.mark.parametrize("kind", list(PAGES))
def test_no_page_scrolls_sideways_and_each_has_one_h1_its_landmarks_and_no_serious_axe_finding(
    browser: Browser, kind: str, size: tuple[int, int]
) -> None:
    page, errors = open_at(browser, PAGES[kind], size)
    if kind == "unlocated site page":
        assert "No source gives this site's location" in page.locator("main").inner_text()
    assert horizontal_overflow(page) == 0
    assert page.locator("h1").count() == 1 and page.locator("h1").is_visible()
    assert page.locator("main, [role=main]").count() == 1
    assert page.evaluate("document.querySelector('meta[name=viewport]').content") == "width=device-width, initial-scale=1"
    if size != (320, 640):  # axe at the two widths the issue names
        assert axe_violations(page) == []
    assert errors == []
    page.close()


def test_every_page_previews_when_shared() -> None:
    for name in ("index.html", "timeline.html", "sites/nk002.html", "embed/overview.html", "embed/index.html"):
        text = (MAPS / name).read_text(encoding="utf-8").split("</head>")[0]
        for tag in (
            '<meta name="description" content="',
            '<meta property="og:title" content="',
            '<meta property="og:description"',
        ):
            assert tag in text, (name, tag)
        assert "user-scalable" not in text, name


FOLDED = """() => Object.fromEntries(Array.from(document.querySelectorAll('.hm-foldable'))
  .map(p => [p.querySelector('.hm-fold').textContent, p.classList.contains('hm-folded')]))"""


FREE_POINT = """() => {
  const box = document.querySelector('.folium-map').getBoundingClientRect();
  for (let y = box.bottom - 10; y > box.top; y -= 10) {
    for (let x = box.left + 10; x < box.right; x += 10) {
      const node = document.elementFromPoint(x, y);
      if (node && node.closest('.leaflet-pane') && !node.closest('.leaflet-control')) return { x, y };
    }
  }
  return null;
}"""


def test_on_a_phone_the_panels_fold_behind_buttons_and_open_one_at_a_time(browser: Browser) -> None:
    page, errors = open_at(browser, "index.html", PHONE)
    assert page.evaluate(FOLDED) == {"Layers and legend": True, "Sites in view": True}
    layers = page.get_by_role("button", name="Layers and legend")
    assert layers.get_attribute("aria-expanded") == "false"
    layers.click()
    assert layers.get_attribute("aria-expanded") == "true"
    panel = page.locator(".hm-layer-panel").bounding_box()
    assert panel is not None and panel["x"] >= 0 and panel["x"] + panel["width"] <= PHONE[0]
    # The open list covers the map; the other panel's button is still there for a keyboard.
    page.get_by_role("button", name="Sites in view").focus()
    page.keyboard.press("Enter")
    assert page.evaluate(FOLDED) == {"Layers and legend": True, "Sites in view": False}
    page.keyboard.press("Escape")  # folds the panel it is pressed in
    assert page.evaluate(FOLDED) == {"Layers and legend": True, "Sites in view": True}
    layers.click()
    free = page.evaluate(FREE_POINT)
    page.mouse.click(free["x"], free["y"])  # a tap on the map folds them
    assert page.evaluate(FOLDED) == {"Layers and legend": True, "Sites in view": True}
    assert errors == []


def test_on_a_desktop_the_layer_list_with_its_key_is_open(browser: Browser) -> None:
    page, _ = open_at(browser, "index.html", DESKTOP)
    assert page.evaluate(FOLDED) == {"Layers and legend": False, "Sites in view": True}
    panel = page.locator(".hm-layer-panel").bounding_box()
    assert panel is not None and panel["y"] + panel["height"] <= DESKTOP[1]


def open_site(page: Page, site_id: str) -> None:
    page.evaluate(
        """(id) => {
      const layer = Object.values(HeritageMap.state.layers)
        .find((l) => l.heritageKind === 'sites' && l.table().indexOf('id', id) >= 0);
      HeritageMap.openFeature(layer, layer.table().indexOf('id', id));
    }""",
        site_id,
    )


def test_on_a_phone_a_popup_is_a_bottom_sheet_and_on_a_desktop_a_popup(browser: Browser) -> None:
    phone, _ = open_at(browser, "index.html", PHONE)
    open_site(phone, "nk002")
    sheet = phone.locator(".leaflet-popup.hm-sheet")
    sheet.wait_for()
    box, frame = sheet.bounding_box(), phone.locator(".folium-map").bounding_box()
    assert box is not None and frame is not None
    assert box["x"] == frame["x"] and box["width"] == frame["width"] and box["y"] + box["height"] == frame["y"] + frame["height"]
    title = phone.locator(".hm-sheet h2").bounding_box()
    assert title is not None and title["y"] >= frame["y"]  # the title is on the screen
    # The site's point stays in the part of the map the sheet leaves.
    point = phone.evaluate("HeritageMap.state.map.latLngToContainerPoint(HeritageMap.state.map._popup.getLatLng())")
    assert 0 <= point["y"] <= frame["height"] - box["height"]
    assert horizontal_overflow(phone) == 0
    desktop, _ = open_at(browser, "index.html", DESKTOP)
    open_site(desktop, "nk002")
    popup = desktop.locator(".leaflet-popup")
    popup.wait_for()
    box = popup.bounding_box()
    assert box is not None and box["width"] <= 420 and "hm-sheet" not in (popup.get_attribute("class") or "")


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["375", "1280"])
def test_a_keyboard_reaches_a_site_opens_it_and_comes_back(browser: Browser, size: tuple[int, int]) -> None:
    page, errors = open_at(browser, "index.html", size)
    toggle = page.get_by_role("button", name="Sites in view")
    toggle.focus()
    page.keyboard.press("Enter")
    page.locator(".hm-site-list button").first.wait_for()
    assert "sites in view" in page.locator(".hm-site-list-status").inner_text()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "hm-stack-item"
    name = page.evaluate("document.activeElement.querySelector('.hm-stack-name').textContent")
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup")
    popup.wait_for()
    assert page.evaluate("document.activeElement.closest('.leaflet-popup') !== null")  # focus moved in
    assert popup.get_attribute("role") == "dialog" and name in popup.locator("h2").first.inner_text()
    page.keyboard.press("Escape")
    popup.wait_for(state="detached")
    back = page.evaluate("[document.activeElement.className, document.activeElement.textContent]")
    if size == PHONE:  # the list closed once a site was picked: focus is on its button
        assert back == ["hm-fold", "Sites in view"]
    else:  # the list is still open: focus is on the site's entry again
        assert back[0] == "hm-stack-item" and name in back[1]
    assert errors == []


STACKS = """() => {
  const groups = HeritageMap.state.renderer.stacks().groups.filter((g) => g.marker);
  // Counted independently: every shown site or place, by its exact coordinates.
  const byPoint = {};
  Object.values(HeritageMap.state.layers).forEach((layer) => {
    if (!HeritageMap.state.map.hasLayer(layer) || !layer.shownIn || layer.heritageKind === 'communities') return;
    const g = layer.table().geometry, shown = layer.shown();
    for (let i = 0; i < g.x.length; i++) {
      if (shown[i]) (byPoint[g.x[i] + ',' + g.y[i]] ||= []).push(layer.table().value('name', i));
    }
  });
  const expected = Object.entries(byPoint).filter(([, names]) => names.length > 1)
    .map(([key, names]) => [key, names.length]).sort();
  const drawn = groups.map((g) => {
    const g0 = g.marker.layer.table().geometry, i = g.marker.index;
    return [g0.x[i] + ',' + g0.y[i], g.count];
  }).sort();
  if (!groups.length) return { expected, drawn, biggest: 0 };
  const biggest = groups.reduce((a, b) => (b.count > a.count ? b : a));
  const at = biggest.marker.layer.latLngAt(biggest.marker.index);
  return { expected, drawn, biggest: biggest.count, lat: at.lat, lng: at.lng,
    names: biggest.shown.filter((m) => m.layer.heritageKind !== 'communities')
      .map((m) => m.layer.table().value('name', m.index)).sort() };
}"""

PIXEL = """([lat, lng, dy]) => {
  const renderer = HeritageMap.state.renderer, map = HeritageMap.state.map;
  const p = map.latLngToLayerPoint([lat, lng]).subtract(renderer._bounds.min);
  return Array.from(renderer._ctx.getImageData(Math.round(p.x), Math.round(p.y + dy), 1, 1).data);
}"""


def stacks(page: Page) -> dict[str, Any]:
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    found: dict[str, Any] = page.evaluate(STACKS)
    return found


def click_at(page: Page, lat: float, lng: float) -> None:
    point = page.evaluate(f"HeritageMap.state.map.latLngToContainerPoint([{lat}, {lng}])")
    box = page.locator(".folium-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def test_sites_that_share_a_point_are_one_counted_marker_whose_click_lists_them_all(browser: Browser) -> None:
    page, errors = open_at(browser, "index.html", DESKTOP)
    found = stacks(page)
    assert found["drawn"] == found["expected"] and len(found["drawn"]) >= 5
    assert found["biggest"] >= 20  # Stepanakert: its sites placed at the city's point
    page.evaluate(f"HeritageMap.state.map.setView([{found['lat']}, {found['lng']}], 13, {{animate: false}})")
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    # The marker is a dark disc (its number in white in the middle): dark above the number.
    assert page.evaluate(PIXEL, [found["lat"], found["lng"], -7]) == [0x1A, 0x1A, 0x1A, 255]
    click_at(page, found["lat"], found["lng"])
    listed = page.locator(".hm-stack > .hm-stack-list .hm-stack-name")
    listed.first.wait_for()
    assert sorted(listed.all_inner_texts()) == found["names"]
    assert page.locator(".hm-stack .hm-popup-title").inner_text().startswith(f"{found['biggest']} ")
    assert page.locator(".hm-stack .hm-also-here").count() == 1  # the community whose point it is
    third = listed.nth(2).inner_text()
    page.locator(".hm-stack > .hm-stack-list button").nth(2).click()
    page.locator(".hm-back-to-stack").wait_for()
    assert third in page.locator(".leaflet-popup", has=page.locator(".hm-back-to-stack")).locator("h2").first.inner_text()
    page.locator(".hm-back-to-stack").click()
    page.locator(".hm-back-to-stack").wait_for(state="detached")
    assert sorted(page.locator(".hm-stack > .hm-stack-list .hm-stack-name").all_inner_texts()) == found["names"]
    # Unticking a status leaves fewer at the point, and the marker says so.
    page.locator(".hm-layer-panel label", has_text="Heritage sites: destroyed").locator("input").uncheck()
    assert stacks(page)["biggest"] < found["biggest"]
    assert errors == []


def test_the_timeline_counts_only_the_sites_shown_on_its_day(browser: Browser) -> None:
    page, errors = open_at(browser, "timeline.html", DESKTOP)
    slider = page.locator("#hm-timeline-slider")
    slider.fill(slider.get_attribute("max") or "")  # the timeline opens on the blockade's first day
    latest = stacks(page)
    assert latest["drawn"] == latest["expected"] and latest["biggest"] >= 20
    page.locator("#hm-timeline-slider").fill("0")
    first = stacks(page)
    assert first["drawn"] == first["expected"]
    assert sum(count for _, count in first["drawn"]) < sum(count for _, count in latest["drawn"])
    assert errors == []


def test_the_picture_draws_the_counted_markers_too(browser: Browser) -> None:
    page, errors = open_at(browser, "index.html", (1200, 800))
    shown = print_layout(page, picture_credits("osm"))
    assert shown["title"] == TITLE
    found = stacks(page)
    assert page.evaluate(PIXEL, [found["lat"], found["lng"], -7]) == [0x1A, 0x1A, 0x1A, 255]
    assert errors == []


def test_on_a_phone_a_site_story_has_cards_for_tables_and_links_named_by_their_site(browser: Browser) -> None:
    page, errors = open_at(browser, "sites/nk002.html", PHONE)
    row = page.locator(".hm-cards tbody tr").first
    assert row.evaluate("node => getComputedStyle(node).display") == "block"
    cell = page.locator(".hm-cards tbody td[data-label='Status']").first
    assert "Status" in cell.evaluate("node => getComputedStyle(node, '::before').content")
    links = page.locator(".hm-story a[href^='http']")
    assert links.count() > 5
    for href, text in links.evaluate_all("nodes => nodes.map(n => [n.getAttribute('href'), n.textContent])"):
        assert text == link_label(href) and not text.startswith("http")
    assert errors == []


def test_an_embedded_site_is_a_card_with_a_link_to_its_story(browser: Browser) -> None:
    page, errors = open_at(browser, "sites/nk002.html?embed=1", (343, 380))
    assert page.locator("#hm-site-map").is_hidden() and page.locator("h1").is_visible()
    assert page.locator("#history-h").is_hidden() and page.locator(".hm-status-line").is_visible()
    story = page.get_by_role("link", name="Read the full story ↗")
    assert story.get_attribute("href") == "nk002.html" and story.get_attribute("target") == "_blank"
    assert page.evaluate("Object.keys(window.HeritageMap.state.layers).length") == 0  # no map drawn
    assert errors == []


def test_the_embedded_overview_folds_every_panel_and_links_to_the_full_map(browser: Browser) -> None:
    page, errors = open_at(browser, "index.html?embed=1", (720, 450))
    assert all(page.evaluate(FOLDED).values())
    full = page.get_by_role("link", name="Open the full map ↗")
    assert full.get_attribute("href") == "index.html" and full.get_attribute("target") == "_blank"
    assert errors == []


def test_the_search_box_is_not_covered_by_the_layer_list_on_a_phone(browser: Browser) -> None:
    page, _ = open_at(browser, "index.html", PHONE)
    search, layers = page.locator(".hm-search").bounding_box(), page.locator(".hm-layer-panel").bounding_box()
    assert search is not None and layers is not None
    apart = search["x"] + search["width"] <= layers["x"] or search["y"] >= layers["y"] + layers["height"]
    assert apart, (search, layers)


# Leaflet fades a popup in (opacity 0 to 1 over 0.2 s): axe measures contrast on what is painted, so it waits.
# A popup that replaces another fades in while the other fades out: wait for one popup, fully painted.
FADED_IN = (
    "() => { const all = document.querySelectorAll('.leaflet-popup');"
    " return all.length === 1 && getComputedStyle(all[0]).opacity === '1'; }"
)


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["375", "1280"])
def test_axe_finds_nothing_serious_with_the_panels_and_popups_open(browser: Browser, size: tuple[int, int]) -> None:
    page, errors = open_at(browser, "index.html", size)
    page.get_by_role("button", name="Layers and legend").focus()
    if page.get_by_role("button", name="Layers and legend").get_attribute("aria-expanded") == "false":
        page.keyboard.press("Enter")
    page.locator(".hm-unlocated summary").click()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Sites in view").focus()
    page.keyboard.press("Enter")
    page.locator(".hm-site-list button").first.wait_for()
    found = stacks(page)
    page.evaluate(f"HeritageMap.state.map.setView([{found['lat']}, {found['lng']}], 13, {{animate: false}})")
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    page.keyboard.press("Escape")  # the panel folds; the stack's marker is clicked
    click_at(page, found["lat"], found["lng"])
    page.locator(".hm-stack").wait_for()
    page.wait_for_function(FADED_IN)
    assert axe_violations(page) == []
    page.locator(".hm-stack > .hm-stack-list button").first.click()
    page.locator(".hm-back-to-stack").wait_for()
    page.wait_for_function(FADED_IN)
    assert axe_violations(page) == []
    assert errors == []
