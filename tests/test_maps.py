"""`geo.maps`: the overview and the timeline as folium objects to inspect, made from the public view."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from geo.dataset import open_dataset
from geo.maps import overview_map, timeline_map, timeline_payload
from geo.render import Controller, DataLayer, SearchBox, TimelinePanel
from geo.sitestatus import VERDICT_LABELS
from tests.layers import write_layers

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
        "Communities, August 2023 (2)",
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
    assert page["verdict_counts"] == (
        f"{VERDICT_LABELS['imagery-here']}: 0 · {VERDICT_LABELS['monitor-imagery-analysis']}: 0 · {VERDICT_LABELS['reported']}: 2"
    )
    assert page["unlocated"] == ["Bridge Three (heritage site)", "Village C (community)"]
    assert page["as_of"] == "2024-04-04 (newest evidence; compiled 2024-05-01)"
    assert {c["text"] for c in page["credits"]} >= {"Basemap © OpenStreetMap contributors (ODbL)"}


def test_search_knows_every_unlocated_feature_by_its_line_in_the_legend(data_dir: Path) -> None:
    dataset = open_dataset(data_dir)
    fmap = overview_map(dataset.inputs, dataset.public, "none", site_link="sites/{id}.html")
    search = json.loads(next(child for child in fmap._children.values() if isinstance(child, SearchBox)).payload)
    assert meta(fmap)["unlocated"] == ["Bridge Three (heritage site)", "Village C (community)"]
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
    dataset = open_dataset(data_dir)
    fmap = timeline_map(dataset.inputs, dataset.public, "none")
    assert list(layers(fmap)) == ["Communities, August 2023 (2)", "Routes (1)", "Places (1)", "Heritage sites (2)"]
    panel = next(child for child in fmap._children.values() if isinstance(child, TimelinePanel))
    payload = json.loads(panel.payload)
    assert payload == timeline_payload(dataset.inputs, dataset.public.sites)
    assert payload["dates"] == ["2023-09-19", "2023-11", "2024-04-04"]
    assert [(c["date"], c["site"], c["status"]) for c in payload["changes"]] == [
        ("2023-11", "site-cemetery", "damaged"),
        ("2024-04-04", "site-church", "destroyed"),
    ]
    assert payload["events"][0]["sources"] == ["https://example.org/t"]


def test_map_builders_write_nothing(tmp_path: Path) -> None:
    data = write_layers(tmp_path / "layers")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    dataset = open_dataset(data)
    overview_map(dataset.inputs, dataset.public, "osm", site_link="sites/{id}.html")
    timeline_map(dataset.inputs, dataset.public, "osm")
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
