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
    # The church's before/after scenes have no footprint (their source only asserts they show it): not imagery here.
    assert (report.imagery_here, report.monitor_imagery, report.reported) == (0, 0, 2)


def test_a_footprinted_pair_is_imagery_here_and_a_monitor_finding_says_so(tmp_path: Path) -> None:
    data = write_layers(tmp_path / "d", fixture_layers())
    catalog = json.loads((data / "imagery.json").read_text(encoding="utf-8"))
    for item in catalog["features"]:
        item["geometry"] = {
            "type": "Polygon",
            "coordinates": [[[46.7, 39.7], [46.8, 39.7], [46.8, 39.8], [46.7, 39.8], [46.7, 39.7]]],
        }
    (data / "imagery.json").write_text(json.dumps(catalog), encoding="utf-8")
    log = default_log()
    log[1]["basis"] = "monitor-imagery-analysis"
    (data / "observations.jsonl").write_text(observation_chain(log), encoding="utf-8")
    report = coverage_from_dir(data)
    assert (report.imagery_here, report.monitor_imagery, report.reported) == (1, 1, 0)


def test_a_status_without_evidence_counts_as_unknown(tmp_path: Path) -> None:
    log = default_log()
    log[1]["evidence"] = []
    report = coverage_from_dir(write_layers(tmp_path / "d", fixture_layers(), log=log))
    assert (report.sites_by_status["damaged"], report.sites_by_status["unknown"], report.withheld) == (0, 2, 1)
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
    assert report.communities_identified == len(counted) >= 60
    # Counted only with a source placing Armenian residents there in 2023; the other held ones are in doubt.
    assert all(f["properties"]["residents_2023"] == "sourced" and f["properties"]["residents_2023_source"] for f in counted)
    doubted = {
        f["properties"]["id"] for f in layers["communities"] if f["properties"].get("residents_2023") not in (None, "sourced")
    }
    assert {c.id for c in report.communities_in_doubt} == doubted and "parukh" in doubted
    assert report.communities_located == sum(1 for f in counted if f["geometry"])
    records = [json.loads(line) for line in (DEFAULT_DATA / "observations.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["origin"] for r in records} == {"published"}  # all confirmed by publication
    superseded = {r.get("supersedes") for r in records}
    standing = [r for r in records if r["id"] not in superseded]
    assert len({r["site_id"] for r in standing}) == len(standing)  # one standing record per site
    site_ids = {f["properties"]["id"] for f in layers["heritage_sites"]}
    statuses = Counter(r["status"] for r in standing) + Counter(unknown=len(site_ids - {r["site_id"] for r in standing}))
    assert report.sites_by_status == {s: statuses[s] for s in ("destroyed", "damaged", "threatened", "intact", "unknown")}
    assert report.imagery_here == 0  # the catalog holds no scene
    assert report.monitor_imagery == sum(1 for r in standing if r["basis"] == "monitor-imagery-analysis")
    assert report.reported == len(standing) - report.monitor_imagery
    assert report.withheld == 0
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
    assert lines[0] == (
        f"communities: {identified} of 107 identified, {located} located, {identified - located} unlocated"
        " (counted only where a source places Armenian residents there in 2023)"
    )
    assert lines[1].startswith(f"  in doubt, not counted ({len(report.communities_in_doubt)}): ")
    assert (
        f"  evidence: imagery here {report.imagery_here}, imagery analysis by the monitor {report.monitor_imagery}, "
        f"reported {report.reported}"
    ) in lines
    assert f"inventory beside the monitors' published totals: this map holds {report.sites_total} heritage sites" in lines
    chw7 = next(line for line in lines if "Monitoring Report #7: 57 sites" in line)
    assert chw7.startswith("  Caucasus Heritage Watch (CHW) (2024-06-24): ")
    assert chw7.endswith(f"; here: {report.sites_by_monitor['Caucasus Heritage Watch']} site(s) with a status it published")
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
        f"heritage-map: error: {log}: line 3: "
        "torn last line (10 bytes; not a complete JSON record): a writer was interrupted; fix: the next "
        "`heritage-map observe` write, or `heritage-map verify --quarantine-tail`, moves it to observations.jsonl.quarantine\n"
    )


def test_an_unknown_status_is_refused(tmp_path: Path) -> None:
    data = write_layers(tmp_path / "d", log=[{**default_log()[0], "status": "razed"}])
    with pytest.raises(ObservationError, match=r"line 1: record 'obs-1': field 'status': 'razed'; fix: use one of"):
        coverage_from_dir(data)


def test_a_missing_log_is_reported(tmp_path: Path) -> None:
    data = write_layers(tmp_path / "d")
    (data / "observations.jsonl").unlink()
    result = CliRunner().invoke(main, ["coverage", "--data", str(data)])
    assert result.exit_code == 1 and "observations.jsonl: file not found" in result.output
