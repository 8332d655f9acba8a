"""`geo.pages`: a site page and the embed pages from their templates, as text to read and a JSON block to parse."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from geo.build import site_rows
from geo.dataset import open_dataset
from geo.pages import Chips, EmbedTarget, PageLinks, SitePages, build_info, embed_index, embed_page, embed_snippet
from geo.sitestatus import site_history
from tests.layers import broken, write_layers

if TYPE_CHECKING:
    from pathlib import Path

HOSTILE = "</script><script>window.__xss=1</script> {{ 7*7 }} <img src=x onerror=alert(1)>"


def rendered(data: Path, site_id: str, tiles: str = "none", chips: Chips | None = None) -> str:
    dataset = open_dataset(data)
    site = next(row for row in site_rows(dataset.public.sites) if row["id"] == site_id)
    return SitePages(tiles, PageLinks("../shared/", "../start.html")).render(  # type: ignore[arg-type]
        site, site_history(dataset.public.histories.get(site_id)), chips
    )


def page_block(text: str) -> dict:
    block = re.search(r'<script type="application/json" id="hm-page">(.*?)</script>', text, re.S)
    assert block is not None
    return json.loads(block.group(1))


def test_a_site_page_tells_the_story_and_holds_its_map_as_json(data_dir: Path) -> None:
    text = rendered(data_dir, "site-church")
    assert text.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "<title>Church One · Nagorno-Karabakh heritage map</title>" in text
    assert "<strong>Destroyed</strong>, observed 2024-04-04" in text
    assert "Published by <bdi>Caucasus Heritage Watch</bdi>." in text
    page = page_block(text)
    assert page["bounds"] == [[39.7588, 46.7478], [39.7588, 46.7478]] and page["max_zoom"] == 15
    (feature,) = page["site"]["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [46.7478, 39.7588]}
    assert (feature["properties"]["status"], feature["properties"]["id"]) == ("destroyed", "site-church")
    assert "analyst" not in json.dumps(page)  # the allow-listed public fields only


def test_a_site_page_links_what_the_build_says_and_nothing_remote(data_dir: Path) -> None:
    text = rendered(data_dir, "site-church", tiles="osm")
    assert '<a href="../start.html#site=site-church">' in text
    scripts = re.findall(r'<script src="([^"]+)"></script>', text)
    assert scripts == [
        "../shared/vendor/leaflet/leaflet.js",
        "../shared/vendor/leaflet-fullscreen/Control.FullScreen.js",
        "../shared/vendor/leaflet-minimap/Control.MiniMap.min.js",
        "../shared/heritage.js",
        "../shared/build-info.js",
        "../shared/site.js",
    ]
    assert re.findall(r'(?:src|href)="https?:', text.split("<main")[0]) == []
    assert "Control.MiniMap" not in rendered(data_dir, "site-church", tiles="none")


def test_an_unlocated_site_has_no_point_and_its_map_shows_the_region(data_dir: Path) -> None:
    text = rendered(data_dir, "site-bridge")
    page = page_block(text)
    assert page["site"] is None and page["bounds"] == [[38.3, 43.4], [41.4, 48.0]]
    assert "No source gives this site's location" in text


def test_data_in_a_site_page_is_escaped_text_never_markup_or_template(tmp_path: Path) -> None:
    data = write_layers(tmp_path / "layers", broken("heritage_sites.geojson", 0, name=HOSTILE, settlement="{% raise %}"))
    text = rendered(data, "site-church")
    assert HOSTILE not in text and "<img src=x" not in text
    assert "&lt;/script&gt;&lt;script&gt;window.__xss=1&lt;/script&gt;" in text  # the story, as text
    assert "{% raise %}" in text and "{{ 7*7 }}" in text  # never evaluated as a template
    assert page_block(text)["title"].startswith(HOSTILE)  # the JSON block, escaped and parsed back whole


def test_chips_appear_with_their_swipe_and_score(data_dir: Path) -> None:
    text = rendered(data_dir, "site-church", chips=Chips("site-church/before.png", "site-church/after.png", 120, 4.25))
    assert text.count('src="site-church/before.png"') == 2 and 'width="120"' in text
    assert "Change score 4.25" in text and 'id="hm-swipe-range"' in text


def test_build_info_holds_what_every_site_page_shares() -> None:
    none, osm = build_info("none", "2024-04-04"), build_info("osm", None)
    assert none == {"as_of": "2024-04-04", "anchor": "", "credits": [], "tiles": [], "minimap": None}
    assert build_info("none", None, "Log anchor: 2 published records")["anchor"] == "Log anchor: 2 published records"
    assert [t["name"] for t in osm["tiles"]] == ["OpenStreetMap", "Satellite (Esri World Imagery)"]
    assert [t["show"] for t in osm["tiles"]] == [True, False] and osm["minimap"]["url"].startswith("https://tile.")


def test_embed_snippet_is_a_titled_responsive_iframe_with_the_credit_line() -> None:
    target = EmbedTarget("site-x", 'A "quoted" <site>: heritage site story', "sites/x.html")
    snippet = embed_snippet(target, "https://example.org/maps/")
    assert 'src="https://example.org/maps/sites/x.html"' in snippet
    assert 'title="A &quot;quoted&quot; &lt;site&gt;: heritage site story"' in snippet
    assert "padding-top:62.50%" in snippet and "Caucasus Heritage Watch" in snippet
    page = embed_page(target, "../")
    assert '<textarea id="snippet" readonly>&lt;div style=' in page  # the snippet as text to copy
    assert '<iframe src="../sites/x.html"' in page  # and live, as the preview
    index = embed_index([target, EmbedTarget("overview", "Overview", "index.html")])
    assert '<a href="site-x.html">A &#34;quoted&#34; &lt;site&gt;: heritage site story</a>' in index
