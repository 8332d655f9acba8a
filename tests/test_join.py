"""The join: coverage by footprint or assertion, before/after pairs, verdicts, and monitoring gaps."""

from __future__ import annotations

import csv
from datetime import date
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
from click.testing import CliRunner
from shapely.affinity import rotate
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box, mapping

from geo.cli import main
from geo.footprint_join import footprint_geometries, intersecting_pairs
from geo.imagery import write_catalog
from geo.join import _stable_order, coverage_index, gaps, site_imagery
from geo.layers import frame_from_collection
from tests.layers import collection, default_log, feature, point, write_layers

if TYPE_CHECKING:
    from pathlib import Path

CHURCH = (46.7478, 39.7588)
INSIDE = box(46.74, 39.75, 46.76, 39.77)
ELSEWHERE = box(46.90, 39.95, 46.92, 39.97)


def sites() -> gpd.GeoDataFrame:
    return frame_from_collection(
        collection(
            feature(point(*CHURCH), id="church", name="Church"),
            feature(
                {
                    "type": "Polygon",
                    "coordinates": [[[46.755, 39.765], [46.80, 39.765], [46.80, 39.80], [46.755, 39.80], [46.755, 39.765]]],
                },
                id="cemetery",
                name="Cemetery",
            ),
            feature(None, id="lost", name="Unlocated bridge"),
        )
    )


def scene(item_id: str, when: str, footprint: Any = INSIDE, **props: Any) -> dict[str, Any]:
    """A measured scene: footprint polygon and an instant."""
    return {
        "type": "Feature",
        "stac_version": "1.1.0",
        "id": item_id,
        "geometry": mapping(footprint),
        "bbox": list(footprint.bounds),
        "links": [],
        "assets": {},
        "properties": {"datetime": when, "providers": [{"name": "Maxar", "roles": ["producer"]}], "gsd": 0.5, **props},
    }


def asserted(item_id: str, day: str, site_ids: list[str]) -> dict[str, Any]:
    """A transcribed scene: no footprint, a day, the sites its source says it shows."""
    return {
        "type": "Feature",
        "stac_version": "1.1.0",
        "id": item_id,
        "geometry": None,
        "links": [],
        "assets": {},
        "properties": {
            "datetime": None,
            "start_datetime": f"{day}T00:00:00Z",
            "end_datetime": f"{day}T23:59:59Z",
            "providers": [{"name": "unstated", "roles": ["producer"]}],
            "heritage:site_ids": site_ids,
        },
    }


def observation(
    obs_id: str, site_id: str, observed_on: str, before: str | None = None, after: str | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "kind": "observation",
        "id": obs_id,
        "site_id": site_id,
        "status": "destroyed",
        "observed_on": observed_on,
        "before_scene": before,
        "after_scene": after,
        "visibility": "public",
        **extra,
    }


ITEMS = [
    scene("s2021", "2021-06-01T08:00:00Z"),
    scene("s2022", "2022-06-01T08:00:00Z"),
    scene("s2023", "2023-06-01T08:00:00Z"),
    scene("far", "2022-07-01T08:00:00Z", footprint=ELSEWHERE),
    asserted("report-photo", "2022-08-15", ["lost", "church"]),
]


def test_coverage_by_footprint_and_by_assertion() -> None:
    result = site_imagery(sites(), ITEMS, [])
    church = {s.id: s.coverage for s in result["church"].scenes}
    assert church == {"s2021": "footprint", "s2022": "footprint", "report-photo": "asserted", "s2023": "footprint"}
    assert [s.id for s in result["church"].scenes] == ["s2021", "s2022", "report-photo", "s2023"]
    assert [s.id for s in result["cemetery"].scenes] == ["s2021", "s2022", "s2023"]  # polygon meets the footprint
    assert [(s.id, s.coverage, s.date) for s in result["lost"].scenes] == [("report-photo", "asserted", "2022-08-15")]
    assert result["church"].verdict is None and result["church"].before is None


def test_named_covering_pair_is_imagery_here() -> None:
    result = site_imagery(sites(), ITEMS, [observation("o1", "church", "2023-06-02", before="s2021", after="s2023")])["church"]
    assert (result.verdict, result.before["id"], result.after["id"]) == ("imagery-here", "s2021", "s2023")
    assert (result.before_coverage, result.after_coverage, result.inferred, result.problems) == ("footprint", "footprint", (), ())


def test_pair_is_inferred_around_observed_on() -> None:
    result = site_imagery(sites(), ITEMS, [observation("o1", "church", "2022-08-15")])["church"]
    assert (result.before["id"], result.after["id"]) == ("s2022", "report-photo")
    assert result.inferred == ("before", "after")
    # The after scene has no footprint (its source only says it shows the site): never imagery here.
    assert (result.verdict, result.after_coverage) == ("reported", "asserted")


def test_a_monitor_imagery_finding_without_a_pair_here_says_so() -> None:
    record = {**observation("o1", "lost", "2023-06-02"), "basis": "monitor-imagery-analysis"}
    assert site_imagery(sites(), ITEMS, [record])["lost"].verdict == "monitor-imagery-analysis"
    # A footprinted pair held here outranks the monitor's own analysis.
    record = {**observation("o1", "church", "2023-06-02", before="s2021", after="s2023"), "basis": "monitor-imagery-analysis"}
    assert site_imagery(sites(), ITEMS, [record])["church"].verdict == "imagery-here"


def test_a_correction_supersedes_a_later_dated_record() -> None:
    log = [observation("o1", "church", "2024-03-01"), {**observation("o2", "church", "2023-12-01"), "supersedes": "o1"}]
    assert site_imagery(sites(), ITEMS, log)["church"].observation_id == "o2"


def test_a_finding_known_only_by_its_publication_date_is_paired_around_it() -> None:
    record = {**observation("o1", "church", "2022-08-15"), "observed_on": None, "reported_on": "2022-08-15"}
    result = site_imagery(sites(), ITEMS, [record])["church"]
    assert (result.before["id"], result.after["id"]) == ("s2022", "report-photo")


def test_a_month_observed_on_infers_from_its_first_day() -> None:
    result = site_imagery(sites(), ITEMS, [observation("o1", "church", "2022-06")])["church"]
    assert (result.before["id"], result.after["id"]) == ("s2021", "s2022")


def test_one_named_side_is_kept_and_the_other_inferred() -> None:
    result = site_imagery(sites(), ITEMS, [observation("o1", "church", "2023-05-01", before="s2021")])["church"]
    assert (result.before["id"], result.after["id"], result.inferred) == ("s2021", "s2023", ("after",))


def test_no_pair_is_reported() -> None:
    result = site_imagery(sites(), ITEMS, [observation("o1", "church", "2024-01-01")])["church"]
    assert result.before["id"] == "s2023" and result.after is None
    assert result.verdict == "reported"
    uncovered = site_imagery(sites(), [ITEMS[3]], [observation("o2", "church", "2022-01-01")])["church"]
    assert (uncovered.verdict, uncovered.scenes) == ("reported", ())


def test_a_named_scene_that_misses_the_site_is_inconsistent() -> None:
    result = site_imagery(sites(), ITEMS, [observation("o1", "church", "2023-06-02", before="far", after="s2023")])["church"]
    assert result.verdict == "inconsistent"
    assert [p.message() for p in result.problems] == [
        (
            "observation 'o1': field 'before_scene': scene 'far' does not cover site 'church'; "
            "fix: name a scene whose footprint contains the site, or correct the site's location"
        )
    ]


def test_pair_out_of_order_is_inconsistent_naming_both_ids() -> None:
    result = site_imagery(sites(), ITEMS, [observation("o1", "church", "2023-06-02", before="s2023", after="s2022")])["church"]
    assert result.verdict == "inconsistent"
    assert "before scene 's2023' (2023-06-01) is not earlier than after scene 's2022' (2022-06-01)" in result.problems[0].found


def test_unknown_scene_id_is_inconsistent() -> None:
    result = site_imagery(sites(), ITEMS, [observation("o1", "church", "2023-06-02", before="nope", after="s2023")])["church"]
    assert result.verdict == "inconsistent"
    assert "scene 'nope' is not in the imagery catalog" in result.problems[0].found


def test_an_unlocated_site_is_never_covered_by_a_footprint() -> None:
    result = site_imagery(sites(), ITEMS, [observation("o1", "lost", "2023-06-02", before="s2021", after="s2023")])["lost"]
    assert result.verdict == "inconsistent" and "scene 's2021' does not cover site 'lost'" in result.problems[0].found


def test_the_latest_observation_decides_and_every_problem_is_kept() -> None:
    log = [
        observation("new", "church", "2023-06-02", before="s2022", after="s2023"),
        observation("old", "church", "2022-01-01", before="far", after="s2022"),
    ]
    result = site_imagery(sites(), ITEMS, log)["church"]
    assert (result.observation_id, result.verdict) == ("new", "imagery-here")
    assert len(result.problems) == 1 and result.problems[0].feature == "old"


def test_gaps_lists_sites_without_a_recent_scene() -> None:
    found = gaps(sites(), ITEMS, today=date(2023, 11, 20), older_than_days=180)
    assert [(g.site_id, g.newest_scene, g.age_days, g.coverage) for g in found] == [("lost", "report-photo", 462, "asserted")]
    found = gaps(sites(), ITEMS, today=date(2023, 11, 20), older_than_days=100)
    assert [(g.site_id, g.newest_scene, g.age_days) for g in found] == [
        ("lost", "report-photo", 462),
        ("cemetery", "s2023", 172),
        ("church", "s2023", 172),
    ]
    assert [g.site_id for g in gaps(sites(), [], date(2023, 12, 1), 180)] == ["cemetery", "church", "lost"]


def test_gaps_command_prints_a_table_and_writes_csv(tmp_path: Path) -> None:
    # The log names no scene, so the catalog below (one scene) is valid with it.
    data = write_layers(tmp_path / "layers", log=[{**r, "before_scene": None, "after_scene": None} for r in default_log()])
    write_catalog(data / "imagery.json", [scene("s2023", "2023-06-01T08:00:00Z", footprint=Point(*CHURCH).buffer(0.01))])
    out = tmp_path / "gaps.csv"
    result = CliRunner().invoke(
        main, ["imagery", "gaps", "--older-than", "180d", "--today", "2024-01-15", "--csv", str(out), "--data", str(data)]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["site_id", "name", "newest_scene", "newest_date", "age_days", "coverage"]
    assert [line.split()[0] for line in lines[1:]] == ["site-bridge", "site-cemetery", "site-church"]
    assert lines[3].split()[-4:] == ["s2023", "2023-06-01", "228", "footprint"]
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[2] == {
        "site_id": "site-church",
        "name": "Church One",
        "newest_scene": "s2023",
        "newest_date": "2023-06-01",
        "age_days": "228",
        "coverage": "footprint",
    }
    assert rows[0]["newest_scene"] == ""
    assert "3 of 3 sites have no covering scene in the 180 days to 2024-01-15" in result.stderr
    quiet = CliRunner().invoke(main, ["imagery", "gaps", "--older-than", "365d", "--today", "2024-01-15", "--data", str(data)])
    assert [line.split()[0] for line in quiet.stdout.splitlines()[1:]] == ["site-bridge", "site-cemetery"]


def test_gaps_rejects_a_bad_horizon(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["imagery", "gaps", "--older-than", "six months", "--data", str(write_layers(tmp_path / "l"))]
    )
    assert result.exit_code == 2 and "is not a number of days; write it like 180d" in result.stderr


def test_a_footprint_decides_coverage_whatever_sites_the_item_lists() -> None:
    listed = scene("listed", "2022-01-01T08:00:00Z", footprint=ELSEWHERE, **{"heritage:site_ids": ["church"]})
    assert site_imagery(sites(), [listed], [])["church"].scenes == ()


def test_footprints_built_in_one_call_equal_shapely_shapes() -> None:
    from shapely.geometry import shape

    square = {"type": "Polygon", "coordinates": [[[46.7, 39.7], [46.8, 39.7], [46.8, 39.8], [46.7, 39.8], [46.7, 39.7]]]}
    holed = {
        "type": "Polygon",
        "coordinates": [square["coordinates"][0], [[46.72, 39.72], [46.74, 39.72], [46.74, 39.74], [46.72, 39.72]]],
    }
    for geometries in ([square, square], [square, holed]):
        built = footprint_geometries(geometries)
        assert [g.wkt for g in built] == [shape(g).wkt for g in geometries]


# --- the join against plain shapely ---------------------------------------------------------------


def site_frame(geometries: list[Any]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"id": [f"s{i}" for i in range(len(geometries))]}, geometry=geometries, crs="EPSG:4326")


def shapely_coverage(frame: gpd.GeoDataFrame, footprints: list[Any]) -> dict[str, dict[str, str]]:
    """What `coverage_index` must return for footprinted scenes: every pair plain shapely says intersects."""
    found: dict[str, dict[str, str]] = {}
    for site_id, site in zip(frame["id"], frame.geometry):
        for index, footprint in enumerate(footprints):
            if site is not None and not site.is_empty and footprint.intersects(site):
                found.setdefault(site_id, {})[f"f{index}"] = "footprint"
    return found


def assert_join_is_shapely(frame: gpd.GeoDataFrame, footprints: list[Any]) -> dict[str, dict[str, str]]:
    """`coverage_index` from Item dicts and the join on geometries both equal shapely's `intersects`."""
    items = [scene(f"f{i}", "2022-01-01T08:00:00Z", footprint=f) for i, f in enumerate(footprints)]
    expected = shapely_coverage(frame, footprints)
    assert coverage_index(frame, items) == expected
    site, footprint = intersecting_pairs(frame.geometry.values, np.array(footprints, dtype=object))
    pairs = {(frame["id"].iloc[s], f"f{f}") for s, f in zip(site.tolist(), footprint.tolist())}
    assert len(pairs) == len(site)
    assert pairs == {(s, f) for s, covering in expected.items() for f in covering}
    return expected


def test_a_point_on_an_edge_or_a_corner_is_covered() -> None:
    slanted = Polygon([(46.5, 39.5), (46.75, 39.75), (46.5, 40.0), (46.25, 39.75)])
    rotated = rotate(box(46.0, 39.0, 46.2, 39.1), 30)
    on_rotated = [Point(xy) for xy in rotated.exterior.coords[:4]]
    sites = [
        Point(46.625, 39.625),
        Point(46.5, 39.5),
        Point(46.75, 39.6),
        Point(46.3, 39.7),
        *on_rotated,
        Point(46.2, 39.05),
        Point(46.0, 39.0),
    ]
    expected = assert_join_is_shapely(site_frame(sites), [slanted, rotated, box(46.25, 39.5, 46.75, 39.6)])
    assert expected["s0"] == {"f0": "footprint"} and set(expected["s1"]) == {"f0", "f2"}
    assert all(f"s{i}" in expected for i in range(4, 8))


def test_a_site_in_the_bounding_box_but_outside_the_shape_is_not_covered() -> None:
    triangle = Polygon([(46.0, 39.0), (46.2, 39.0), (46.0, 39.2)])
    rotated = rotate(box(46.5, 39.5, 46.7, 39.6), 20)
    expected = assert_join_is_shapely(
        site_frame([Point(46.15, 39.15), Point(46.05, 39.05), Point(46.51, 39.59)]), [triangle, rotated]
    )
    assert expected == {"s1": {"f0": "footprint"}}


def test_holes_parts_concave_and_many_edged_footprints_are_exact() -> None:
    holed = box(46.0, 39.0, 46.4, 39.4).difference(box(46.1, 39.1, 46.3, 39.3))
    parts = MultiPolygon([box(46.5, 39.0, 46.6, 39.1), box(46.8, 39.0, 46.9, 39.1)])
    concave = Polygon([(47.0, 39.0), (47.4, 39.0), (47.2, 39.2), (47.4, 39.4), (47.0, 39.4)])
    round_ = Point(47.6, 39.6).buffer(0.1, quad_segs=2)
    star = Polygon([(47.0, 40.2), (47.06, 40.0), (46.9, 40.12), (47.1, 40.12), (46.94, 40.0)])
    sites = [
        Point(46.2, 39.2),
        Point(46.1, 39.2),
        Point(46.05, 39.2),
        Point(46.7, 39.05),
        Point(46.85, 39.05),
        Point(47.3, 39.2),
        Point(47.1, 39.2),
        Point(47.6, 39.6),
        Point(47.69, 39.69),
        Point(47.0, 40.08),
    ]
    expected = assert_join_is_shapely(site_frame(sites), [holed, parts, concave, round_, star])
    assert "s0" not in expected and "s3" not in expected and "s5" not in expected
    assert {"s1", "s2", "s4", "s6", "s7"} <= set(expected)


def test_sites_that_are_not_points_and_empty_or_unlocated_sites() -> None:
    sites = [box(46.05, 39.05, 46.1, 39.1), LineString([(46.3, 38.9), (46.3, 39.5)]), Point(), None, Point(46.1, 39.1)]
    expected = assert_join_is_shapely(site_frame(sites), [box(46.0, 39.0, 46.2, 39.2), box(46.25, 39.3, 46.35, 39.4)])
    assert expected == {"s0": {"f0": "footprint"}, "s1": {"f1": "footprint"}, "s4": {"f0": "footprint"}}


def test_random_footprints_on_a_lattice_of_sites_match_shapely() -> None:
    rng = np.random.default_rng(7)
    corners = rng.integers(0, 40, (160, 2)) / 8
    sides = rng.integers(1, 8, (160, 2)) / 8
    footprints = [
        rotate(box(x, y, x + w, y + h), angle) if k % 3 else box(x, y, x + w, y + h)
        for k, ((x, y), (w, h), angle) in enumerate(zip(corners, sides, rng.uniform(-60, 60, 160)))
    ]
    sites = [Point(x, y) for x, y in rng.integers(0, 44, (300, 2)) / 8]
    assert_join_is_shapely(site_frame(sites), footprints)


def test_clustered_sites_with_one_far_away_are_joined_all_the_same() -> None:
    rng = np.random.default_rng(3)
    sites = [Point(x, y) for x, y in 46.0 + rng.random((400, 2)) * 0.1] + [Point(-120.0, -40.0)]
    footprints = [box(x, y, x + 0.01, y + 0.01) for x, y in 46.0 + rng.random((400, 2)) * 0.1]
    assert_join_is_shapely(site_frame(sites), footprints)


def test_stable_order_groups_site_positions_beyond_16_bits() -> None:
    keys = np.random.default_rng(1).integers(0, 300_000, 50_000)
    assert np.array_equal(_stable_order(keys), np.argsort(keys, kind="stable"))
