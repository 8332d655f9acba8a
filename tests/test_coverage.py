"""`geo.coverage` and `heritage-map coverage`: the counts match the layers and the log."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from geo.cli import main
from geo.coverage import coverage, coverage_from_dir, current_observations
from geo.errors import ObservationError
from tests.layers import default_layers, default_log, observation_chain, write_layers

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO / "data" / "layers"


def fixture_layers() -> dict[str, Any]:
    layers = default_layers()
    communities = layers["communities.geojson"]["features"]
    communities[0]["properties"]["counts_toward_107"] = True
    communities[2]["properties"]["counts_toward_107"] = True
    return layers


def observation(**fields: Any) -> dict[str, Any]:
    base = {
        "kind": "observation",
        "recorded_at": "2024-06-01T00:00:00Z",
        "visibility": "public",
        "before_scene": None,
        "after_scene": None,
        "evidence": [{"url": "https://example.org/e"}],
    }
    return {**base, **fields}


def test_fixture_counts(tmp_path: Path) -> None:
    report = coverage_from_dir(write_layers(tmp_path / "d", fixture_layers()))
    assert (report.communities_identified, report.communities_located) == (2, 1)
    assert report.sites_total == 3
    assert report.sites_by_status == {"destroyed": 1, "damaged": 1, "threatened": 0, "intact": 0, "unknown": 1}
    assert report.sites_by_precision == {"site": 1, "settlement": 1, "community": 0, "approximate": 0, "unlocated": 1}
    assert (report.imagery_documented, report.reported) == (1, 1)
    assert [(u.layer, u.id) for u in report.unlocated] == [("communities", "village-c"), ("heritage_sites", "site-bridge")]


def test_an_unreviewed_observation_does_not_change_the_status_until_another_analyst_confirms() -> None:
    newer = observation(
        id="obs-3", site_id="site-church", status="intact", observed_on="2025-01-02", analyst="ani", origin="monitor"
    )
    log = [*default_log(), newer]
    assert current_observations(log)["site-church"]["status"] == "destroyed"
    self_review = {"kind": "review", "of": "obs-3", "decision": "confirm", "analyst": "ani"}
    assert current_observations([*log, self_review])["site-church"]["status"] == "destroyed"
    rejected = {"kind": "review", "of": "obs-3", "decision": "reject", "analyst": "aram"}
    assert current_observations([*log, rejected])["site-church"]["status"] == "destroyed"
    confirmed = {"kind": "review", "of": "obs-3", "decision": "confirm", "analyst": "aram"}
    assert current_observations([*log, confirmed])["site-church"]["status"] == "intact"


def test_internal_observations_are_not_counted() -> None:
    hidden = observation(
        id="obs-9",
        site_id="site-bridge",
        status="destroyed",
        observed_on="2025-01",
        analyst="ani",
        origin="published",
        visibility="internal",
    )
    report = coverage({"heritage_sites": default_layers()["heritage_sites.geojson"]["features"]}, [*default_log(), hidden])
    assert report.sites_by_status["unknown"] == 1 and report.sites_by_status["destroyed"] == 1


def test_the_latest_evidence_wins_whatever_the_log_order() -> None:
    older = observation(
        id="obs-0", site_id="site-church", status="threatened", observed_on="2021-05", analyst="a", origin="published"
    )
    assert current_observations([*default_log(), older])["site-church"]["status"] == "destroyed"


def test_default_data_counts_match_the_layers_computed_independently() -> None:
    report = coverage_from_dir(DEFAULT_DATA)
    layers = {
        n: json.loads((DEFAULT_DATA / f"{n}.geojson").read_text(encoding="utf-8"))["features"]
        for n in ("communities", "heritage_sites", "routes", "places")
    }
    counted = [f for f in layers["communities"] if f["properties"]["counts_toward_107"]]
    assert report.communities_identified == len(counted) >= 90
    assert report.communities_located == sum(1 for f in counted if f["geometry"])
    records = [json.loads(line) for line in (DEFAULT_DATA / "observations.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len({r["site_id"] for r in records}) == len(records)  # one published record per site
    statuses = Counter(r["status"] for r in records)
    assert report.sites_by_status == {s: statuses[s] for s in ("destroyed", "damaged", "threatened", "intact", "unknown")}
    assert report.imagery_documented == sum(1 for r in records if r["before_scene"] and r["after_scene"])
    assert report.reported == len(records) - report.imagery_documented
    precisions = Counter(f["properties"]["coord_precision"] if f["geometry"] else "unlocated" for f in layers["heritage_sites"])
    assert {k: v for k, v in report.sites_by_precision.items() if v} == dict(precisions)
    unlocated = {(n, f["properties"]["id"]) for n, fs in layers.items() for f in fs if f["geometry"] is None}
    assert {(u.layer, u.id) for u in report.unlocated} == unlocated


def test_cli_prints_the_counts() -> None:
    result = CliRunner().invoke(main, ["coverage", "--data", str(DEFAULT_DATA)])
    assert result.exit_code == 0, result.output
    report = coverage_from_dir(DEFAULT_DATA)
    lines = result.output.splitlines()
    identified, located = report.communities_identified, report.communities_located
    assert lines[0] == f"communities: {identified} of 107 identified, {located} located, {identified - located} unlocated"
    assert f"  statuses: imagery-documented {report.imagery_documented}, reported {report.reported}" in lines
    assert any(line.startswith("  heritage_sites (") and "[nk007]" in line for line in lines)


def test_cli_help_has_an_example() -> None:
    result = CliRunner().invoke(main, ["coverage", "--help"])
    assert result.exit_code == 0 and "Example: heritage-map coverage --data data/layers" in result.output


def test_cli_names_the_broken_log_line_and_exits_1(tmp_path: Path) -> None:
    data = write_layers(tmp_path / "d")
    log = data / "observations.jsonl"
    log.write_text(observation_chain(default_log()) + "{not json\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["coverage", "--data", str(data)])
    assert result.exit_code == 1
    assert result.output == (
        f"heritage-map: error: {log}: 1 problem(s) in 2 records; first broken record: line 3 (no id): field '(line)': "
        "torn last line (10 bytes; not a complete JSON record): a writer was interrupted; fix: the next "
        "`heritage-map observe` write, or `heritage-map verify --quarantine-tail`, moves it to observations.jsonl.quarantine\n"
    )


def test_an_unknown_status_is_refused(tmp_path: Path) -> None:
    data = write_layers(tmp_path / "d", log=[{**default_log()[0], "status": "razed"}])
    with pytest.raises(ObservationError, match=r"line 1: record 'obs-1': field 'status' is 'razed'; fix: use one of"):
        coverage_from_dir(data)


def test_a_missing_log_is_reported(tmp_path: Path) -> None:
    data = write_layers(tmp_path / "d")
    (data / "observations.jsonl").unlink()
    result = CliRunner().invoke(main, ["coverage", "--data", str(data)])
    assert result.exit_code == 1 and "observations.jsonl: file not found" in result.output
