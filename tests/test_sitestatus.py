"""`geo.sitestatus`: the public view of a site (status, verdict, history), as every public output shows it."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
from shapely.geometry import Point

from geo.join import join
from geo.observations import site_histories
from geo.sitestatus import NO_STATUS, SITE_FIELDS, as_of, compiled_on, history_entry, public_view, site_display
from tests.layers import SOURCE


def sites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ["a", "b", "c"], "name": ["A", "B", "C"], "type": ["church", "cemetery", "bridge"]},
        geometry=[Point(46.70, 39.70), Point(46.80, 39.80), None],
        crs="EPSG:4326",
    )


def observation(obs_id: str, site_id: str, status: str, observed_on: str, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "observation",
        "id": obs_id,
        "site_id": site_id,
        "status": status,
        "observed_on": observed_on,
        "recorded_at": f"{observed_on[:10]}T12:00:00Z",
        "evidence": [{"url": SOURCE}],
        "analyst": "Ann Analyst <ann@example.org>",
        "origin": "published",
        "published_by": "Caucasus Heritage Watch",
        "visibility": "public",
        **extra,
    }


class Inputs:
    """The two things the public view reads of the inputs."""

    def __init__(self, log: list[dict[str, Any]]) -> None:
        self.sites, self.log, self.items = sites(), log, []


def view(log: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    inputs = Inputs(log)
    records = [r for r in log if r.get("kind") == "observation"]
    made = public_view(inputs, join(inputs.sites, [], records))  # type: ignore[arg-type]
    frame = made.sites.set_index("id").astype(object).where(lambda f: f.notna(), None)
    return {site_id: dict(row) for site_id, row in frame.iterrows()}


def test_the_latest_confirmed_public_observation_is_the_status() -> None:
    log = [
        observation("o1", "a", "damaged", "2023-05-01"),
        observation("o2", "a", "destroyed", "2024-04-04"),
        observation("o0", "a", "threatened", "2021-01-01"),  # older evidence, written later: not the status
        observation("o3", "b", "destroyed", "2024-06-01", visibility="internal"),  # never public
        observation("o4", "b", "intact", "2024-07-01", origin="monitor"),  # awaits a second analyst
    ]
    shown = view(log)
    assert (shown["a"]["status"], shown["a"]["status_date"], shown["a"]["verdict"]) == ("destroyed", "2024-04-04", "reported")
    assert [h["status"] for h in shown["a"]["status_history"]] == ["threatened", "damaged", "destroyed"]
    assert (shown["b"]["status"], shown["b"]["pending"], shown["b"]["verdict"]) == ("unknown", 1, None)
    assert (shown["c"]["status"], shown["c"]["verdict_label"]) == ("unknown", NO_STATUS)


def test_a_status_without_evidence_is_withheld_and_says_why() -> None:
    shown = view([observation("o1", "a", "destroyed", "2024-04-04", evidence=[])])
    assert (shown["a"]["status"], shown["a"]["verdict"]) == ("unknown", None)
    assert shown["a"]["status_note"].startswith("the latest observation (destroyed) cites no evidence")


def test_a_correction_supersedes_what_it_corrects() -> None:
    shown = view(
        [observation("o1", "a", "destroyed", "2024-04-04"), observation("o2", "a", "damaged", "2023-01-01", supersedes="o1")]
    )
    assert shown["a"]["status"] == "damaged"


def test_every_display_field_is_there_for_every_site() -> None:
    display = site_display(sites(), {}, {})
    made = {"status", "status_date", "status_when", "status_note", "verdict", "verdict_label", "status_history", "type_label"}
    assert made <= set(SITE_FIELDS) and made <= set(display.columns) and len(display) == 3
    assert display["status"].tolist() == ["unknown"] * 3


def test_history_entries_carry_the_allow_listed_fields_only() -> None:
    record = observation("o1", "a", "destroyed", "2024-04-04", contact="+374 00 000000", note="razed")
    entry = history_entry(site_histories([record], public_only=True)["a"].confirmed[0])
    assert set(entry) == {
        "id",
        "observed_on",
        "reported_on",
        "when",
        "basis",
        "monitor_imagery",
        "supersedes",
        "status",
        "published_by",
        "note",
        "before_scene",
        "after_scene",
        "evidence",
        "vouched",
    }
    assert entry["vouched"] == "the monitor's publication, transcribed here before records were signed (legacy, unsigned)"
    assert "ann@example.org" not in str(entry) and "+374" not in str(entry)


def test_as_of_is_the_newest_public_evidence_and_compiled_on_the_newest_record() -> None:
    log = [
        observation("o1", "a", "destroyed", "2024-04-04"),
        observation("o2", "b", "destroyed", "2024-09-01", visibility="internal"),
        {"kind": "review", "id": "r1", "of": "o1", "recorded_at": "2024-10-02T00:00:00Z", "visibility": "public"},
    ]
    assert (as_of(log), compiled_on(log)) == ("2024-04-04", "2024-10-02")
