"""`geo.pages`: a site page and the embed pages from their templates, as text to read and a JSON block to parse."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from geo.build import site_rows
from geo.credits import credit_line
from geo.dataset import open_dataset
from geo.i18n import english, message
from geo.links import link_label
from geo.pages import Chips, EmbedTarget, PageLinks, SitePages, build_info, embed_index, embed_page, embed_snippet
from geo.sitestatus import site_history
from tests.layers import broken, write_layers
from tests.markers import unmarked

if TYPE_CHECKING:
    from pathlib import Path

HOSTILE = "</script><script>window.__xss=1</script> {{ 7*7 }} <img src=x onerror=alert(1)>"


def rendered(data: Path, site_id: str, tiles: str = "none", chips: Chips | None = None, marked: bool = False) -> str:
    """The site page as written, read without its translation markers unless `marked`."""
    dataset = open_dataset(data)
    site = next(row for row in site_rows(dataset.public.sites) if row["id"] == site_id)
    page = SitePages(tiles, PageLinks("../shared/", "../start.html")).render(  # type: ignore[arg-type]
        site, site_history(dataset.public.histories.get(site_id)), chips
    )
    return page if marked else unmarked(page)


def page_block(text: str) -> dict:
    block = re.search(r'<script type="application/json" id="hm-page">(.*?)</script>', text, re.S)
    assert block is not None
    return json.loads(block.group(1))


def test_a_site_page_tells_the_story_and_holds_its_map_as_json(data_dir: Path) -> None:
    text = rendered(data_dir, "site-church")
    assert text.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "<title>Church One · Nagorno-Karabakh heritage map</title>" in text
    assert '<strong>Destroyed</strong>, observed <time datetime="2024-04-04">2024-04-04</time>' in text
    assert 'Published by <bdi lang="en">Caucasus Heritage Watch</bdi>.' in text
    assert '<h1 class="hm-card-keep" lang="en" dir="auto">Church One</h1>' in text
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
        "../shared/i18n/hy.js",
        "../shared/i18n/ru.js",
        "../shared/i18n.js",
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
    anchor = message("Log anchor: {records} published records", records=2)
    assert build_info("none", None, anchor)["anchor"] == {
        "msg": "Log anchor: {records} published records",
        "args": {"records": 2},
    }
    assert [t["name"] for t in osm["tiles"]] == ["OpenStreetMap", "Satellite (Esri World Imagery)"]
    assert [t["show"] for t in osm["tiles"]] == [True, False] and osm["minimap"]["url"].startswith("https://tile.")


def test_embed_snippet_is_a_titled_frame_that_keeps_a_phone_height_with_the_credit_line() -> None:
    target = EmbedTarget("site-x", 'A "quoted" <site>: heritage site story', "sites/x.html")
    snippet = embed_snippet(target, "https://example.org/maps/", credit_line("none", "2024-04-04"))
    assert 'src="https://example.org/maps/sites/x.html?embed=1"' in snippet
    assert 'title="A &quot;quoted&quot; &lt;site&gt;: heritage site story"' in snippet
    assert "padding-top:62.50%;min-height:420px;" in snippet and "box-sizing:border-box" in snippet
    assert "Nagorno-Karabakh heritage map, data as of 2024-04-04. Statuses: Caucasus Heritage Watch" in snippet
    assert "borders: Natural Earth." in snippet and "OpenStreetMap" not in snippet  # --tiles none: no basemap named
    assert '<a href="https://example.org/maps/sites/x.html" style="color:#0050a0;">Open the full map</a>' in snippet
    card = embed_snippet(EmbedTarget("site-y", "Y", "sites/y.html", ratio=None, height=380), "", credit_line("osm", "2024"))
    assert "height:380px;" in card and "padding-top" not in card and 'src="sites/y.html?embed=1"' in card
    assert "basemap: © OpenStreetMap contributors." in card


def test_the_embed_page_holds_the_snippet_template_for_its_script() -> None:
    target = EmbedTarget("site-x", 'A "quoted" <site>: heritage site story', "sites/x.html")
    page = embed_page(target, None, "osm")
    template = re.search(r'<template id="hm-snippet">(.*?)</template>', page, re.S)
    assert template is not None
    # Addresses relative to the published folder, and the date's placeholder: embed.js makes them absolute.
    assert '<iframe src="sites/x.html?embed=1"' in template.group(1) and "data as of {as_of}." in template.group(1)
    config = json.loads(re.search(r'<script type="application/json" id="hm-embed-config">(.*?)</script>', page, re.S).group(1))
    assert {key: config[key] for key in ("base", "root", "as_of_placeholder", "no_date")} == {
        "base": None,
        "root": "../",
        "as_of_placeholder": "{as_of}",
        "no_date": "not stated",
    }
    # What the snippet says, as messages embed.js puts in the reader's language.
    assert english(config["credit"]) == credit_line("osm", "{as_of}") and config["open_full"] == "Open the full map"
    assert config["title"] == {"msg": target.title}  # a title without a message is the data's, shown as it is
    assert '<textarea id="snippet" readonly></textarea>' in page and 'id="hm-copy"' in page
    assert re.findall(r'<script src="([^"]+)"></script>', page) == [
        "../assets/i18n/hy.js",
        "../assets/i18n/ru.js",
        "../assets/i18n.js",
        "../assets/build-info.js",
        "../assets/embed.js",
    ]
    published = embed_page(target, "https://example.org/maps/", "none")
    assert '"base":"https://example.org/maps/"' in published
    index = unmarked(embed_index([target, EmbedTarget("overview", "Overview", "index.html")]))
    assert '<a href="site-x.html">A &#34;quoted&#34; &lt;site&gt;: heritage site story</a>' in index
    assert '<meta property="og:title" content="Embeds: Nagorno-Karabakh heritage map">' in index


def test_a_site_page_previews_its_status_when_shared(data_dir: Path) -> None:
    text = rendered(data_dir, "site-church")
    assert '<meta property="og:type" content="article">' in text
    assert '<meta property="og:title" content="Church One · Nagorno-Karabakh heritage map">' in text
    description = re.search(r'<meta name="description" content="([^"]*)">', text)
    assert description is not None and description.group(1).startswith("Destroyed, observed 2024-04-04")
    assert "Evidence: reported: press, officials" in description.group(1)
    assert "og:image" not in text and "og:url" not in text  # no chip, no --base-url
    with_chip = SitePages("none", PageLinks("../assets/", "../index.html", base="https://example.org/m/sites/")).render(
        next(row for row in site_rows(open_dataset(data_dir).public.sites) if row["id"] == "site-church"),
        [],
        Chips("site-church/before.png", "site-church/after.png", 120, None),
    )
    assert '<meta property="og:image" content="https://example.org/m/sites/site-church/after.png">' in with_chip
    assert '<meta property="og:url" content="https://example.org/m/sites/site-church.html">' in with_chip
    assert '<meta name="twitter:card" content="summary_large_image">' in with_chip


def test_links_show_their_site_and_keep_the_address_behind(data_dir: Path) -> None:
    text = rendered(data_dir, "site-church")
    links = re.findall(r'<a href="(https?://[^"]+)" rel="noopener noreferrer">([^<]+)</a>', text)
    assert links and all(label == link_label(href) and len(label) < len(href) for href, label in links)


def test_a_site_page_is_a_card_when_embedded_and_has_no_nan(data_dir: Path) -> None:
    text = rendered(data_dir, "site-church")
    assert 'document.documentElement.classList.add("hm-embed")' in text.split("</head>")[0]
    assert '<a href="site-church.html" target="_blank" rel="noopener">Read the full story ↗</a>' in text
    assert text.count("hm-card-keep") >= 5 and ">nan<" not in text
    assert "user-scalable" not in text
