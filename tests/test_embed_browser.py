"""Embeds as a journalist uses them: the committed maps/ (built without --base-url) published over HTTP on
127.0.0.1, each snippet copied from its embed page and pasted into an article served from a second origin (127.0.0.1
on another port), read at a phone's and a desktop's width. Nothing may 404, the snippet must carry the absolute
address, and the map or card must show, not covered by its own controls.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

import pytest

from tests.browser import REPO
from tests.servers import StaticServer, static_server

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from playwright.sync_api import Browser, Frame, Page

pytestmark = pytest.mark.browser

MAPS = REPO / "maps"
AS_OF = re.search(r'"as_of":"([^"]+)"', (MAPS / "assets" / "build-info.js").read_text(encoding="utf-8"))
TILE_HOSTS = ("https://tile.openstreetmap.org/", "https://server.arcgisonline.com/")
UNLOCATED = next(
    path.stem.removeprefix("site-")
    for path in sorted((MAPS / "embed").glob("site-*.html"))
    if "No source gives this site's location" in (MAPS / "sites" / f"{path.stem.removeprefix('site-')}.html").read_text("utf-8")
)
EMBEDS = ["overview", "timeline", "site-nk002", f"site-{UNLOCATED}"]


@pytest.fixture(scope="module")
def published() -> Iterator[StaticServer]:
    with static_server(MAPS) as server:
        yield server


def watch(page: Page) -> list[str]:
    """Cut the page off the network but for 127.0.0.1; return the list the refused requests go to. Only the
    basemap's tiles may be refused: the committed maps are built with --tiles osm."""
    refused: list[str] = []

    def route(request_route) -> None:  # type: ignore[no-untyped-def]
        url = request_route.request.url
        if url.startswith(("http://127.0.0.1:", "data:", "about:")):
            request_route.continue_()
        else:
            refused.append(url)
            request_route.abort()

    page.route("**/*", route)
    return refused


def snippet_of(browser: Browser, server: StaticServer, name: str) -> str:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    refused = watch(page)
    page.goto(f"{server.url}/embed/{name}.html")
    page.wait_for_function("document.getElementById('snippet').value !== ''")
    snippet = page.locator("#snippet").input_value()
    assert page.locator("#hm-embed-warning").is_hidden() and page.locator("#hm-copy").is_enabled()
    assert all(url.startswith(TILE_HOSTS) for url in refused), refused
    page.close()
    return snippet


@pytest.fixture(scope="module")
def snippets(browser: Browser, published: StaticServer) -> dict[str, str]:
    return {name: snippet_of(browser, published, name) for name in EMBEDS}


def test_each_snippet_carries_the_published_address_the_date_and_a_link_back(
    published: StaticServer, snippets: dict[str, str]
) -> None:
    assert AS_OF is not None
    for name, snippet in snippets.items():
        page = {"overview": "index.html", "timeline": "timeline.html"}.get(name, f"sites/{name.removeprefix('site-')}.html")
        assert f'<iframe src="{published.url}/{page}?embed=1"' in snippet, name
        assert f'<a href="{published.url}/{page}"' in snippet, name
        assert f"data as of {AS_OF.group(1)}." in snippet and "{as_of}" not in snippet
        assert "basemap: © OpenStreetMap contributors." in snippet  # the committed maps draw OpenStreetMap
        assert not re.search(r'(?:src|href)="(?!https?://)', snippet), snippet
    assert "min-height:420px" in snippets["overview"] and "min-height:480px" in snippets["timeline"]
    assert "height:380px" in snippets["site-nk002"]


def article(snippets: list[str]) -> str:
    """A news article with the snippets pasted into it, as a CMS would serve it."""
    body = "\n".join(f"<p>Paragraph {i} of the story.</p>\n{s}" for i, s in enumerate(snippets))
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Article</title>'
        "<style>body{margin:0;font-family:serif} main{max-width:720px;margin:0 auto;padding:0 16px}</style></head>"
        f"<body><main><h1>An article</h1>{body}<p>The end.</p></main></body></html>"
    )


@pytest.fixture(scope="module")
def newsroom(snippets: dict[str, str]) -> Iterator[StaticServer]:
    pages = {f"/{name}.html": article([snippet]) for name, snippet in snippets.items()}
    with static_server(REPO / "tests" / "fixtures", pages) as server:
        yield server


FRAME_STATE = """() => {
  const root = document.documentElement, map = window.HeritageMap && HeritageMap.state.map;
  const visible = (node) => {
    const r = node.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(node).visibility !== 'hidden';
  };
  const state = {
    embed: root.classList.contains('hm-embed'), width: innerWidth, height: innerHeight,
    overflowX: root.scrollWidth - root.clientWidth,
  };
  if (map) {
    const box = map.getContainer().getBoundingClientRect(), area = box.width * box.height;
    const controls = Array.from(document.querySelectorAll('.leaflet-control')).filter(visible)
      .map((c) => c.getBoundingClientRect());
    let covered = 0;
    controls.forEach((r) => {
      const w = Math.max(0, Math.min(r.right, box.right) - Math.max(r.left, box.left));
      const h = Math.max(0, Math.min(r.bottom, box.bottom) - Math.max(r.top, box.top));
      covered += w * h;
    });
    const centre = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    Object.assign(state, {
      kind: 'map', mapHeight: box.height, covered: covered / area,
      centreFree: !!centre && !centre.closest('.leaflet-control'),
      openPanels: Array.from(document.querySelectorAll('.hm-foldable:not(.hm-folded)')).length,
      fullMap: (document.querySelector('.hm-full-map') || {}).href || null,
      drawn: Object.values(HeritageMap.state.layers).filter((l) => map.hasLayer(l)).length,
    });
  } else {
    const h1 = document.querySelector('h1');
    const full = Array.from(document.querySelectorAll('a')).find((a) => a.textContent.includes('full story'));
    const box = h1.getBoundingClientRect();
    Object.assign(state, {
      kind: 'card', name: h1.textContent, nameVisible: visible(h1) && box.bottom <= innerHeight,
      status: document.querySelector('.hm-status-line').textContent.trim(),
      fullStory: full ? full.href : null, fullStoryVisible: !!full && visible(full),
      mapShown: visible(document.getElementById('hm-site-map')),
    });
  }
  return state;
}"""


def wait_for_frame(page: Page, index: int) -> Frame:
    handle = page.locator("iframe").nth(index)
    handle.scroll_into_view_if_needed()
    frame = handle.element_handle().content_frame()
    assert frame is not None
    frame.wait_for_load_state("load")
    frame.wait_for_function(
        "document.readyState === 'complete'"
        " && (!document.querySelector('.folium-map') || (window.HeritageMap && HeritageMap.state.map))"
    )
    frame.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    return frame


@pytest.mark.parametrize("width", [375, 1200])
@pytest.mark.parametrize("name", EMBEDS)
def test_a_pasted_snippet_shows_its_map_or_card_from_another_origin(
    browser: Browser, published: StaticServer, newsroom: StaticServer, name: str, width: int
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 800})
    refused = watch(page)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    before = len(published.answered)
    page.goto(f"{newsroom.url}/{name}.html")
    frame = wait_for_frame(page, 0)
    box = page.locator("iframe").bounding_box()
    assert box is not None
    column = min(width - 32, 720)
    assert abs(box["width"] - column) <= 1
    state = frame.evaluate(FRAME_STATE)
    assert state["embed"] and state["overflowX"] == 0, state
    if name.startswith("site-"):
        assert box["height"] == 380
        assert state["kind"] == "card" and state["nameVisible"] and not state["mapShown"], state
        assert state["fullStoryVisible"] and state["fullStory"].startswith(f"{published.url}/sites/"), state
        assert state["status"], state
    else:
        expected = max(column * 10 / 16, 420 if name == "overview" else 480)
        assert abs(box["height"] - expected) <= 1, (box, expected)
        assert state["kind"] == "map" and state["drawn"] >= 3, state
        # Folded controls: the map is seen, its centre free, the controls a small part of the frame.
        assert state["openPanels"] == 0 and state["centreFree"], state
        assert state["covered"] < (0.25 if name == "overview" else 0.45), state
        assert state["fullMap"].startswith(f"{published.url}/{'index' if name == 'overview' else 'timeline'}.html"), state
    # Nothing 404s, on either origin; only the basemap's tiles were refused (no network here).
    assert published.failed() == [] and newsroom.failed() == []
    assert len(published.answered) > before
    assert all(url.startswith(TILE_HOSTS) for url in refused), refused
    assert errors == []
    page.close()


def test_the_copy_button_copies_the_snippet(browser: Browser, published: StaticServer) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=published.url)
    page = context.new_page()
    watch(page)
    page.goto(f"{published.url}/embed/site-nk002.html")
    page.wait_for_function("document.getElementById('snippet').value !== ''")
    page.get_by_role("button", name="Copy the snippet").click()
    page.get_by_text("Copied: paste it into your article.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == page.locator("#snippet").input_value()
    context.close()


def test_an_embed_page_opened_from_a_file_warns_and_offers_nothing_to_copy(browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file://", "data:")) else r.abort())
    page.goto((MAPS / "embed" / "overview.html").as_uri())
    warning = page.locator("#hm-embed-warning")
    warning.wait_for()
    assert "opened from a file" in warning.inner_text() and warning.get_attribute("role") == "alert"
    assert page.locator("#snippet").input_value() == "" and page.locator("#hm-copy").is_disabled()
    # The preview still shows the map, from the files beside the page.
    frame = wait_for_frame(page, 0)
    assert frame.evaluate("HeritageMap.state.map !== null && document.documentElement.classList.contains('hm-embed')")
    assert html.unescape(page.locator("iframe").get_attribute("src") or "").endswith("maps/index.html?embed=1")
    page.close()


def test_a_snippet_from_a_build_with_a_base_url_points_there(browser: Browser, tmp_path: Path) -> None:
    from geo.build import build_maps
    from tests.layers import write_layers

    out = tmp_path / "maps"
    build_maps(write_layers(tmp_path / "layers"), out, tiles="none", base_url="https://example.org/karabakh")
    with static_server(out) as server:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        watch(page)
        page.goto(f"{server.url}/embed/site-site-church.html")
        page.wait_for_function("document.getElementById('snippet').value !== ''")
        snippet = page.locator("#snippet").input_value()
        assert '<iframe src="https://example.org/karabakh/sites/site-church.html?embed=1"' in snippet
        assert "data as of 2024-04-04." in snippet and "borders: Natural Earth." in snippet and "basemap" not in snippet
        # The preview is read from where the page is, so it shows before the maps are published.
        assert page.locator("#hm-preview iframe").get_attribute("src") == f"{server.url}/sites/site-church.html?embed=1"
        page.close()
