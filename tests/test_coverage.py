"""`geo.coverage` and `heritage-map coverage`: counts written by hand for a small fixture, and the map agrees."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from shapely.geometry import box, mapping

from geo.cli import main
from geo.coverage import coverage, coverage_from_dir
from geo.dataset import open_dataset
from geo.i18n import english
from geo.maps import overview_map
from geo.render import Controller, page_html
from geo.sitestatus import VERDICT_LABELS
from tests.layers import SOURCE, default_catalog, default_layers, default_log, feature, observation_chain, point, write_layers

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO / "data" / "layers"
CEMETERY = (46.80, 39.90)
LEVELS = [VERDICT_LABELS[level] for level in ("imagery-here", "monitor-imagery-analysis", "reported")]


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

    By hand: church destroyed (its named before/after scenes have no footprint,
    their source only asserting that they show it: reported), cemetery damaged
    in 2023-11 (no scene named; the join pairs the footprinted scene of
    2023-06-01 with that of 2024-01-10: imagery here), khachkar threatened (no
    scene covers it; its finding says the monitor compared satellite images:
    imagery analysis by the monitor), bridge unlocated and never observed
    (unknown, no level).
    """
    layers = default_layers()
    communities = layers["communities.geojson"]["features"]
    communities[0]["properties"].update(counts_toward_107=True, residents_2023="sourced")
    communities[1]["properties"].update(counts_toward_107=False, residents_2023="not found")
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
            basis="monitor-imagery-analysis",
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
    c = report.communities
    assert (c.counted.ids, c.counted.located, c.doubted.ids, c.doubt_reasons) == (
        ("town-a",),
        1,
        ("village-b",),
        {"not found": 1},
    )
    assert (c.parts.count, c.lost.ids, c.lost.located, c.identified, c.unidentified) == (0, ("village-c",), 0, 2, 105)
    assert [x.id for x in report.communities_in_doubt] == ["village-b"] and report.community_parts == ()
    assert report.sites_total == 4
    assert report.sites_by_status == {"destroyed": 1, "damaged": 1, "threatened": 1, "intact": 0, "unknown": 1}
    assert report.sites_by_precision == {"site": 1, "settlement": 2, "community": 0, "approximate": 0, "unlocated": 1}
    assert (report.imagery_here, report.monitor_imagery, report.reported, report.withheld) == (1, 1, 1, 0)
    assert [(u.layer, u.id) for u in report.unlocated] == [("communities", "village-c"), ("heritage_sites", "site-bridge")]


def test_coverage_says_what_the_map_and_the_export_say(tmp_path: Path) -> None:
    dataset = open_dataset(fixture(tmp_path))
    report = coverage(dataset)
    fmap = overview_map(dataset.inputs, dataset.public, "none")
    page, _ = page_html(fmap)
    counts = (report.imagery_here, report.monitor_imagery, report.reported)
    shown = english(json.loads(next(c for c in fmap._children.values() if isinstance(c, Controller)).payload)["verdict_counts"])
    assert counts == (1, 1, 1) and shown == [f"{label}: {count}" for label, count in zip(LEVELS, counts)]
    for entry in ("destroyed", 1), ("damaged", 1), ("threatened", 1), ("unknown", 1):
        assert f'{{"count":{entry[1]},"status":"{entry[0]}"}}' in page
    out = tmp_path / "exports"
    result = CliRunner().invoke(main, ["export", "--data", str(tmp_path / "layers"), "--out", str(out), "--format", "geojson"])
    assert result.exit_code == 0, result.output
    exported = json.loads((out / "heritage_sites.geojson").read_text(encoding="utf-8"))
    verdicts = {f["properties"]["id"]: f["properties"].get("verdict") for f in exported["features"]}
    assert verdicts == {
        "site-church": "reported",
        "site-cemetery": "imagery-here",
        "site-khachkar": "monitor-imagery-analysis",
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
    # The confirmed observation names no scene and the church has no footprinted scene: reported.
    assert (report.imagery_here, report.monitor_imagery, report.reported) == (1, 1, 1)


def test_a_status_without_evidence_counts_as_unknown(tmp_path: Path) -> None:
    bare = observation(id="obs-9", site_id="site-bridge", status="destroyed", observed_on="2025-01", origin="published")
    data = fixture(tmp_path, [{**bare, "evidence": []}])
    result = CliRunner().invoke(main, ["validate", "--data", str(data)])
    assert result.exit_code == 1 and "record 'obs-9': field 'evidence'" in result.stderr


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
    assert report.communities.counted.count == len(counted) >= 60
    # Counted only with a source placing Armenian residents there in 2023; the other held ones are in doubt.
    assert all(f["properties"]["residents_2023"] == "sourced" and f["properties"]["residents_2023_source"] for f in counted)
    doubted = {
        f["properties"]["id"] for f in layers["communities"] if f["properties"].get("residents_2023") not in (None, "sourced")
    }
    assert {c.id for c in report.communities_in_doubt} == doubted and "parukh" in doubted
    assert report.communities.counted.located == sum(1 for f in counted if f["geometry"])
    parts = {f["properties"]["id"] for f in layers["communities"] if f["properties"].get("part_of")}
    assert {c.id for c in report.community_parts} == parts == set(report.communities.parts.ids)
    lost = [f for f in layers["communities"] if not f["properties"]["in_aug_2023"]]
    assert report.communities.lost.count == len(lost) and report.communities.lost.located == sum(1 for f in lost if f["geometry"])
    # Every settlement is in one group, and the held ones are counted, parts or doubted.
    held = [f for f in layers["communities"] if f["properties"]["in_aug_2023"]]
    assert report.communities.held == len(held) == len(counted) + len(parts) + len(doubted)
    records = [json.loads(line) for line in (DEFAULT_DATA / "observations.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["origin"] for r in records} == {"published"}  # all confirmed by publication
    superseded = {r.get("supersedes") for r in records}
    standing = [r for r in records if r["id"] not in superseded]
    assert len({r["site_id"] for r in standing}) == len(standing)  # one standing record per site
    site_ids = {f["properties"]["id"] for f in layers["heritage_sites"]}
    statuses = Counter(r["status"] for r in standing) + Counter(unknown=len(site_ids - {r["site_id"] for r in standing}))
    assert report.sites_by_status == {s: statuses[s] for s in ("destroyed", "damaged", "threatened", "intact", "unknown")}
    assert report.imagery_here == 0  # the catalog holds no footprinted scene
    assert report.monitor_imagery == sum(1 for r in standing if r["basis"] == "monitor-imagery-analysis")
    assert report.reported == len(standing) - report.monitor_imagery
    assert report.withheld == 0
    unlocated = {(n, f["properties"]["id"]) for n, fs in layers.items() for f in fs if f["geometry"] is None}
    assert {(u.layer, u.id) for u in report.unlocated} == unlocated


def test_cli_prints_the_counts(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["coverage", "--data", str(fixture(tmp_path))])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:10] == [
        (
            "communities: 1 of the 107 of the 2024 report counted "
            "(a source places Armenian residents there in 2023): 1 located, 0 not located"
        ),
        "  held in 2023, not counted (1, 1 located; 1 with no 2023 source found): Village B [village-b]",
        "  part of a counted community (0): ",
        "  not identified: 105 of 107",
        "  settlements lost in 2020, context (1): 0 located, not counted",
        "heritage sites: 4",
        "  by status: destroyed 1, damaged 1, threatened 1, intact 0, unknown 1",
        "  by coord_precision: site 1, settlement 2, community 0, approximate 0, unlocated 1",
        "  evidence: imagery here 1, imagery analysis by the monitor 1, reported 1",
        "unlocated features: 2",
    ]


def test_cli_prints_the_default_data_beside_the_monitors_totals() -> None:
    result = CliRunner().invoke(main, ["coverage", "--data", str(DEFAULT_DATA)])
    assert result.exit_code == 0, result.output
    report = coverage_from_dir(DEFAULT_DATA)
    lines = result.output.splitlines()
    c = report.communities
    assert lines[:5] == [
        (
            f"communities: {c.counted.count} of the 107 of the 2024 report counted (a source places Armenian residents "
            f"there in 2023): {c.counted.located} located, {c.counted.unlocated} not located"
        ),
        (
            f"  held in 2023, not counted ({c.doubted.count}, {c.doubted.located} located; {c.reasons_text()}): "
            + "; ".join(f"{x.name} [{x.id}]" for x in report.communities_in_doubt)
        ),
        (
            "  part of a counted community (4): Kyatuk (in Askeran) [kyatuk]; Dahraz (in Sarnaghbyur) [dahraz]; "
            "Aranzamin (in Vardadzor) [aranzamin]; Skhtorashen (in Karmir Shuka) [skhtorashen]"
        ),
        f"  not identified: {c.unidentified} of 107",
        f"  settlements lost in 2020, context ({c.lost.count}): {c.lost.located} located, not counted",
    ]
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
    result = CliRunner().invoke(main, ["coverage", "--data", str(data)])
    assert result.exit_code == 1
    assert f"{data / 'observations.jsonl'}: record 'obs-1': field 'status': 'razed' is not in the vocabulary" in result.stderr
