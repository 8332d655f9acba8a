"""`geo.coverage` and `heritage-map coverage`: counts written by hand for a small fixture, and the map agrees."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from shapely.geometry import box, mapping

from geo.cli import main
from geo.coverage import coverage, coverage_from_dir
from geo.dataset import open_dataset
from geo.maps import overview_map
from geo.render import page_html
from tests.layers import SOURCE, default_catalog, default_layers, default_log, feature, observation_chain, point, write_layers

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO / "data" / "layers"
CEMETERY = (46.80, 39.90)


def footprint_scene(item_id: str, when: str) -> dict[str, Any]:
    """A measured scene whose footprint covers the cemetery of the default layers."""
    area = box(CEMETERY[0] - 0.01, CEMETERY[1] - 0.01, CEMETERY[0] + 0.01, CEMETERY[1] + 0.01)
    return {
        "type": "Feature",
        "stac_version": "1.1.0",
        "id": item_id,
        "geometry": mapping(area),
        "bbox": list(area.bounds),
        "links": [],
        "assets": {},
        "properties": {"datetime": when, "providers": [{"name": "Maxar", "roles": ["producer"]}], "gsd": 0.5},
    }


def observation(**fields: Any) -> dict[str, Any]:
    base = {
        "kind": "observation",
        "recorded_at": "2024-06-01T00:00:00Z",
        "visibility": "public",
        "before_scene": None,
        "after_scene": None,
        "evidence": [{"url": SOURCE}],
        "analyst": "fixture",
    }
    return {**base, **fields}


def fixture(tmp_path: Path, extra_log: list[dict[str, Any]] = ()) -> Path:  # type: ignore[assignment]
    """Four sites; the cemetery's observation names no scene, but two footprints cover it before and after.

    By hand: church destroyed (named before/after pair: imagery-documented),
    cemetery damaged in 2023-11 (no scene named; the join pairs the scene of
    2023-06-01 with that of 2024-01-10: imagery-documented), khachkar
    threatened (no scene covers it: reported), bridge unlocated and never
    observed (unknown, no verdict).
    """
    layers = default_layers()
    communities = layers["communities.geojson"]["features"]
    communities[0]["properties"]["counts_toward_107"] = True
    communities[2]["properties"]["counts_toward_107"] = True
    layers["heritage_sites.geojson"]["features"].append(
        feature(
            point(46.62, 39.70),
            id="site-khachkar",
            name="Khachkar Four",
            type="khachkar",
            settlement="Village B",
            coord_source=SOURCE,
            coord_precision="settlement",
        )
    )
    log = [
        *default_log(),
        observation(
            id="obs-3",
            site_id="site-khachkar",
            status="threatened",
            observed_on="2024-02",
            origin="published",
            published_by="Monument Watch",
        ),
        *extra_log,
    ]
    folder = write_layers(tmp_path / "layers", layers, log=log)
    catalog = default_catalog()
    catalog["features"] += [
        footprint_scene("cem-2023", "2023-06-01T08:00:00Z"),
        footprint_scene("cem-2024", "2024-01-10T08:00:00Z"),
    ]
    (folder / "imagery.json").write_text(json.dumps(catalog), encoding="utf-8")
    return folder


def test_fixture_counts_written_by_hand(tmp_path: Path) -> None:
    report = coverage_from_dir(fixture(tmp_path))
    assert (report.communities_identified, report.communities_located) == (2, 1)
    assert report.sites_total == 4
    assert report.sites_by_status == {"destroyed": 1, "damaged": 1, "threatened": 1, "intact": 0, "unknown": 1}
    assert report.sites_by_precision == {"site": 1, "settlement": 2, "community": 0, "approximate": 0, "unlocated": 1}
    assert (report.imagery_documented, report.reported) == (2, 1)
    assert [(u.layer, u.id) for u in report.unlocated] == [("communities", "village-c"), ("heritage_sites", "site-bridge")]


def test_coverage_says_what_the_map_and_the_export_say(tmp_path: Path) -> None:
    dataset = open_dataset(fixture(tmp_path))
    report = coverage(dataset)
    page, _ = page_html(overview_map(dataset.inputs, dataset.public, "none"))
    legend = f"Imagery-documented: {report.imagery_documented} · reported only: {report.reported}"
    assert legend == "Imagery-documented: 2 · reported only: 1" and legend in page
    for entry in ("destroyed", 1), ("damaged", 1), ("threatened", 1), ("unknown", 1):
        assert f'{{"count":{entry[1]},"status":"{entry[0]}"}}' in page
    out = tmp_path / "exports"
    result = CliRunner().invoke(main, ["export", "--data", str(tmp_path / "layers"), "--out", str(out), "--format", "geojson"])
    assert result.exit_code == 0, result.output
    exported = json.loads((out / "heritage_sites.geojson").read_text(encoding="utf-8"))
    verdicts = {f["properties"]["id"]: f["properties"].get("verdict") for f in exported["features"]}
    assert verdicts == {
        "site-church": "imagery-documented",
        "site-cemetery": "imagery-documented",
        "site-khachkar": "reported",
        "site-bridge": None,
    }


def test_an_unreviewed_observation_changes_nothing_until_another_analyst_confirms(tmp_path: Path) -> None:
    newer = observation(id="obs-9", site_id="site-church", status="intact", observed_on="2025-01-02", origin="monitor")
    assert coverage_from_dir(fixture(tmp_path / "a", [newer])).sites_by_status["destroyed"] == 1
    self_review = {"kind": "review", "id": "rev-1", "of": "obs-9", "decision": "confirm", "analyst": "fixture"}
    assert coverage_from_dir(fixture(tmp_path / "b", [newer, self_review])).sites_by_status["destroyed"] == 1
    rejected = {"kind": "review", "id": "rev-1", "of": "obs-9", "decision": "reject", "analyst": "aram"}
    assert coverage_from_dir(fixture(tmp_path / "c", [newer, rejected])).sites_by_status["destroyed"] == 1
    confirmed = {"kind": "review", "id": "rev-1", "of": "obs-9", "decision": "confirm", "analyst": "aram"}
    report = coverage_from_dir(fixture(tmp_path / "d", [newer, confirmed]))
    assert (report.sites_by_status["destroyed"], report.sites_by_status["intact"]) == (0, 1)
    # The confirmed observation names no scene and the church has no covering scene after 2025: reported.
    assert (report.imagery_documented, report.reported) == (1, 2)


def test_internal_observations_are_not_counted(tmp_path: Path) -> None:
    hidden = observation(
        id="obs-9", site_id="site-bridge", status="destroyed", observed_on="2025-01", origin="published", visibility="internal"
    )
    report = coverage_from_dir(fixture(tmp_path, [hidden]))
    assert report.sites_by_status["unknown"] == 1 and report.sites_by_status["destroyed"] == 1


def test_the_latest_evidence_wins_whatever_the_log_order(tmp_path: Path) -> None:
    older = observation(id="obs-0", site_id="site-church", status="threatened", observed_on="2021-05", origin="published")
    report = coverage_from_dir(fixture(tmp_path, [older]))
    assert (report.sites_by_status["destroyed"], report.sites_by_status["threatened"]) == (1, 1)


def test_default_data_counts_match_the_layers_counted_apart() -> None:
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
    assert sum(report.sites_by_status.values()) == report.sites_total == len(layers["heritage_sites"])
    assert report.imagery_documented + report.reported == len(records)
    unlocated = {(n, f["properties"]["id"]) for n, fs in layers.items() for f in fs if f["geometry"] is None}
    assert {(u.layer, u.id) for u in report.unlocated} == unlocated


def test_cli_prints_the_counts(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["coverage", "--data", str(fixture(tmp_path))])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:6] == [
        "communities: 2 of 107 identified, 1 located, 1 unlocated",
        "heritage sites: 4",
        "  by status: destroyed 1, damaged 1, threatened 1, intact 0, unknown 1",
        "  by coord_precision: site 1, settlement 2, community 0, approximate 0, unlocated 1",
        "  statuses: imagery-documented 2, reported 1",
        "unlocated features: 2",
    ]


def test_cli_help_has_an_example() -> None:
    result = CliRunner().invoke(main, ["coverage", "--help"])
    assert result.exit_code == 0 and "Example: heritage-map coverage --data data/layers" in result.output


def test_cli_names_the_broken_log_line_and_exits_1(tmp_path: Path) -> None:
    data = fixture(tmp_path)
    log = data / "observations.jsonl"
    log.write_text(observation_chain(default_log()) + "{not json\n" + observation_chain(default_log()), encoding="utf-8")
    result = CliRunner().invoke(main, ["coverage", "--data", str(data)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"heritage-map: error: {log}: line 3: not a JSON object on one line")
    assert len(result.stderr.splitlines()) == 1


def test_an_unknown_status_is_refused(tmp_path: Path) -> None:
    data = write_layers(tmp_path / "d", log=[{**default_log()[0], "status": "razed"}])
    result = CliRunner().invoke(main, ["coverage", "--data", str(data)])
    assert result.exit_code == 1
    assert f"{data / 'observations.jsonl'}: record 'obs-1': field 'status': 'razed' is not in the vocabulary" in result.stderr
