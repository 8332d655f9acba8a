"""`geo.maps`: the overview and the timeline as folium objects to inspect, made from the public view."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from geo.dataset import open_dataset
from geo.i18n import english
from geo.maps import overview_map, shown_day, status_counts_by_day, timeline_map, timeline_payload
from geo.reconcile import reconcile
from geo.render import Controller, DataLayer, MapLinks, SearchBox, TimelinePanel
from geo.sitestatus import VERDICT_LABELS
from tests.layers import STORY_TIMELINE, write_layers

if TYPE_CHECKING:
    from pathlib import Path

    import folium


def layers(fmap: folium.Map) -> dict[str, dict]:
    return {child.layer_name: json.loads(child.payload) for child in fmap._children.values() if isinstance(child, DataLayer)}


def meta(fmap: folium.Map) -> dict:
    return json.loads(next(child for child in fmap._children.values() if isinstance(child, Controller)).payload)


def test_the_overview_has_a_layer_per_status_with_located_sites_only(data_dir: Path) -> None:
    dataset = open_dataset(data_dir)
    fmap = overview_map(dataset.inputs, dataset.public, "none")
    drawn = layers(fmap)
    assert list(drawn) == [
        "Communities 2023: 2 of 2 mapped",
        "Routes (1)",
        "Places (1)",
        "Heritage sites: destroyed (1)",
        "Heritage sites: damaged (1)",
    ]
    destroyed = drawn["Heritage sites: destroyed (1)"]
    assert destroyed["columns"]["id"] == {"values": ["site-church"]} and "page" not in destroyed["columns"]
    hidden = [child.layer_name for child in fmap._children.values() if isinstance(child, DataLayer) and not child.show]
    assert hidden == []  # nothing lost in 2020 and no footprint in the fixture: no hidden layer


def test_the_overview_links_each_site_to_the_page_the_caller_names(data_dir: Path) -> None:
    dataset = open_dataset(data_dir)
    drawn = layers(overview_map(dataset.inputs, dataset.public, "none", site_link="stories/{id}/index.html"))
    pages = [table["columns"]["page"]["values"] for name, table in drawn.items() if name.startswith("Heritage")]
    assert pages == [["stories/site-church/index.html"], ["stories/site-cemetery/index.html"]]


def test_the_legend_counts_every_site_by_status_and_evidence_level(data_dir: Path) -> None:
    dataset = open_dataset(data_dir)
    page = meta(overview_map(dataset.inputs, dataset.public, "osm"))
    assert [(c["status"], c["count"]) for c in page["status_counts"]] == [
        ("destroyed", 1),
        ("damaged", 1),
        ("threatened", 0),
        ("intact", 0),
        ("unknown", 1),
    ]
    # The church's scenes have no footprint (asserted only), so neither site is "imagery here".
    # Text the page shows travels as messages the page translates ({msg, args}); in English:
    assert english(page["verdict_counts"]) == [
        f"{VERDICT_LABELS['imagery-here']}: 0",
        f"{VERDICT_LABELS['monitor-imagery-analysis']}: 0",
        f"{VERDICT_LABELS['reported']}: 2",
    ]
    assert english(page["unlocated"]) == ["Bridge Three (heritage site)", "Village C (settlement lost in 2020)"]
    assert (
        english(page["unlocated_title"]) == "Not on the map (no sourced location): 2: 1 settlements, 1 heritage sites, 0 places"
    )
    assert english(page["legend_notes"]) == reconcile(dataset.inputs.communities).sentences()
    assert english(page["as_of"]) == "2024-04-04 (newest evidence; compiled 2024-05-01)"
    assert english(page["layer_names"]["Heritage sites: destroyed (1)"]) == "Heritage sites: destroyed (1)"
    assert {c["text"] for c in page["credits"]} >= {"Basemap © OpenStreetMap contributors (ODbL)"}


def test_search_knows_every_unlocated_feature_by_its_line_in_the_legend(data_dir: Path) -> None:
    dataset = open_dataset(data_dir)
    fmap = overview_map(dataset.inputs, dataset.public, "none", site_link="sites/{id}.html")
    search = json.loads(next(child for child in fmap._children.values() if isinstance(child, SearchBox)).payload)
    assert english(meta(fmap)["unlocated"]) == ["Bridge Three (heritage site)", "Village C (settlement lost in 2020)"]
    assert search["unlocated"] == [
        {
            "kind": "sites",
            "id": "site-bridge",
            "name": "Bridge Three",
            "settlement": "Village C",
            "status": "unknown",
            "page": "sites/site-bridge.html",
            "entry": 0,
        },
        {"kind": "communities", "id": "village-c", "name": "Village C", "in_aug_2023": False, "entry": 1},
    ]
    located = layers(fmap)["Heritage sites: destroyed (1)"]["columns"]
    assert {"name_hy", "settlement"} <= set(located)  # the names search reads travel with the layers


def test_the_timeline_carries_every_dated_status_change_and_event(data_dir: Path) -> None:
    (data_dir / "timeline.csv").write_text(STORY_TIMELINE, encoding="utf-8")
    dataset = open_dataset(data_dir)
    fmap = timeline_map(dataset.inputs, dataset.public, "none")
    assert list(layers(fmap)) == ["Communities 2023: 2 of 2 mapped", "Routes (1)", "Places (1)", "Heritage sites (2)"]
    panel = next(child for child in fmap._children.values() if isinstance(child, TimelinePanel))
    payload = json.loads(panel.payload)
    assert payload == timeline_payload(dataset.inputs, dataset.public.sites)
    # The axis runs from the first row to the newest date; the page opens where the blockade starts.
    assert (payload["start"], payload["end"], payload["open"]) == ("2021-07-01", "2024-04-04", "2022-12-12")
    assert [(c["name"], c["start"], c["end"], c["turns"]) for c in payload["chapters"]] == [
        ("blockade", "2022-12-12", "2023-09-19", ["2023-04-23"]),
        ("offensive", "2023-09-19", "2023-09-20", []),
        ("exodus", "2023-09-24", "2023-10-01", []),
        ("destruction", "2023-11-01", "2024-04-04", []),
    ]
    assert [(c["date"], c["day"], c["site"], c["status"]) for c in payload["changes"]] == [
        ("2023-11", "2023-11-01", "site-cemetery", "damaged"),
        ("2024-04-04", "2024-04-04", "site-church", "destroyed"),
    ]
    # Sources are named by their outlet, from the host; an interval is shown on its last day, a month on its first.
    first = payload["events"][1]
    assert [s["name"] for s in first["sources"]] == ["Azatutyun (RFE/RL)", "NEWS.am"] and first["time"] == "about 10:30"
    assert [(e["date"], e["day"]) for e in payload["events"] if "/" in e["date"] or len(e["date"]) == 7] == [
        ("2021-07", "2021-07-01"),
        ("2023-09-24/2023-09-30", "2023-09-30"),
    ]
    assert [(a["day"], a["time"], a["figure"], a["source"]["name"]) for a in payload["arrivals"]] == [
        ("2023-09-24", "18:00", 377, "TASS"),
        ("2023-09-26", "20:00", 28120, "Al Mayadeen"),
        ("2023-10-04", "", 100632, "Arevelk"),
    ]
    assert payload["departed"] == {"village-b": "2023-09-24"}
    assert payload["counts"] == [["2023-11-01", 0, 1, 0, 0, 0], ["2024-04-04", 1, 1, 0, 0, 0]]
    assert english(payload["communities"]) == reconcile(dataset.inputs.communities).sentences()[:1]


def test_a_sites_status_counts_follow_the_maps_rule_for_histories_out_of_date_order() -> None:
    # The map shows the last entry before the first one dated after the day, so an entry dated earlier than one
    # before it changes the status only from that earlier entry's day on.
    history = [
        ("a", "A", [{"observed_on": "2023-05-01", "status": "threatened"}, {"observed_on": "2023-03", "status": "damaged"}]),
        ("b", "B", [{"observed_on": "2022-01-01/2023-04-10", "status": "destroyed"}]),
        ("c", "C", []),
    ]
    assert status_counts_by_day(history) == [["2023-04-10", 1, 0, 0, 0, 0], ["2023-05-01", 1, 1, 0, 0, 0]]
    assert (
        shown_day("2023-03") == "2023-03-01" and shown_day("2019/2023-06") == "2023-06-01" and shown_day("2024") == "2024-01-01"
    )


def test_the_two_maps_link_to_each_other_only_when_the_caller_names_the_other(data_dir: Path) -> None:
    dataset = open_dataset(data_dir)
    alone = overview_map(dataset.inputs, dataset.public, "none")
    paired = overview_map(dataset.inputs, dataset.public, "none", timeline_link="story.html")
    assert meta(alone)["paired"] is None and not any(isinstance(c, MapLinks) for c in alone._children.values())
    assert meta(paired)["paired"] == {
        "href": "story.html",
        "text": "Timeline: blockade, offensive, exodus, destruction",
        "dated": True,
    }
    back = timeline_map(dataset.inputs, dataset.public, "none", overview_link="overview.html")
    assert meta(back)["paired"] == {"href": "overview.html", "text": "Overview map", "dated": False}
    assert any(isinstance(c, MapLinks) for c in back._children.values())


def test_map_builders_write_nothing(tmp_path: Path) -> None:
    data = write_layers(tmp_path / "layers")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    dataset = open_dataset(data)
    overview_map(dataset.inputs, dataset.public, "osm", site_link="sites/{id}.html")
    timeline_map(dataset.inputs, dataset.public, "osm")
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
