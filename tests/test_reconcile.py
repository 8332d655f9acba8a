"""`geo.reconcile`: every settlement in one group, and the numbers every output prints."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import shapely

from geo.inputs import load_inputs
from geo.reconcile import Group, reconcile

DATA = Path(__file__).resolve().parent.parent / "data" / "layers"


def frame(*rows: dict) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(list(rows), geometry="geometry", crs="EPSG:4326")


HERE = shapely.Point(46.7, 39.8)


def test_each_settlement_is_counted_a_part_doubted_or_lost() -> None:
    communities = frame(
        {"id": "a", "in_aug_2023": True, "counts_toward_107": True, "residents_2023": "sourced", "geometry": HERE},
        {"id": "b", "in_aug_2023": True, "counts_toward_107": True, "residents_2023": "sourced", "geometry": None},
        {"id": "c", "in_aug_2023": True, "counts_toward_107": False, "part_of": "a", "geometry": HERE},
        {"id": "d", "in_aug_2023": True, "counts_toward_107": False, "residents_2023": "not found", "geometry": None},
        {"id": "e", "in_aug_2023": True, "counts_toward_107": False, "residents_2023": "in doubt", "geometry": HERE},
        {"id": "f", "in_aug_2023": False, "counts_toward_107": False, "geometry": HERE},
        {"id": "g", "in_aug_2023": None, "geometry": None},
    )
    r = reconcile(communities)
    assert (r.counted, r.parts, r.doubted, r.lost) == (
        Group(("a", "b"), 1),
        Group(("c",), 1),
        Group(("d", "e"), 1),
        Group(("f", "g"), 1),
    )
    assert (r.held, r.identified, r.unidentified) == (5, 4, 103)
    assert r.doubt_reasons == {"not found": 1, "in doubt": 1}
    assert [r.group_of(i) for i in "acdfz"] == ["counted", "part", "doubted", "lost", "lost"]
    assert r.layer_names() == {
        "counted": "Communities 2023: 1 of 2 mapped, and 1 parts",
        "doubted": "Residents unconfirmed: 1 of 2 mapped",
        "lost": "Lost in 2020: 1 of 2 mapped",
    }
    assert r.sentences() == [
        (
            "Communities: the 2024 report counts 107 in August 2023. This map counts 2, each with a source placing "
            "Armenian residents there in 2023: 1 on the map, 1 not located."
        ),
        (
            "Not counted: 2 settlements held in 2023 that no source places residents in that year (1 with no 2023 "
            "source found; 1 whose residents were displaced in March 2022), 1 of them on the map; and 1 settlements "
            "that are part of a counted community."
        ),
        "Not identified: 103 of the 107.",
        "Settlements lost in 2020, shown for context: 2, 1 of them on the map.",
    ]
    assert r.summary() == "Communities: 2 of the 107 counted, 1 on the map"


def test_a_layer_that_does_not_reconcile_counts_every_held_settlement_not_part_of_another() -> None:
    r = reconcile(
        frame(
            {"id": "a", "in_aug_2023": True, "geometry": HERE},
            {"id": "b", "in_aug_2023": True, "part_of": "a", "geometry": HERE},
            {"id": "c", "in_aug_2023": False, "geometry": None},
        )
    )
    assert (r.counted.ids, r.parts.ids, r.doubted.ids, r.lost.ids) == (("a",), ("b",), (), ("c",))
    assert r.layer_names()["counted"] == "Communities 2023: 1 of 1 mapped, and 1 parts"
    empty = reconcile(gpd.GeoDataFrame({"id": []}, geometry=gpd.GeoSeries([], crs="EPSG:4326")))
    assert (empty.held, empty.unidentified, empty.layer_names()["counted"]) == (0, 107, "Communities 2023: 0 of 0 mapped")


def test_the_default_data_reconciles_with_the_107() -> None:
    r = reconcile(load_inputs(DATA).communities)
    # 106 settlements held until September 2023: 69 counted (a 2023 source places residents there), 4 parts of them,
    # 33 doubted; 102 communities named of 107; 29 settlements lost in 2020 are context.
    assert (r.held, r.counted.count, r.parts.count, r.doubted.count, r.identified, r.unidentified) == (106, 69, 4, 33, 102, 5)
    assert (r.counted.located, r.doubted.located, r.parts.located, r.lost.count, r.lost.located) == (58, 14, 4, 29, 17)
    assert r.doubt_reasons == {"not found": 30, "in doubt": 3}
