"""How complete the data is: communities identified of 107, statuses, precision, verdicts, and what is unlocated.

The counts a reader or a journalist quotes ("N of 107 communities identified,
M sites destroyed, K documented by before/after imagery") come from here. A
site's status and verdict are read from the dataset's public view
(`geo.sitestatus`), the one the maps show: coverage never decides a status or
a verdict itself, so it cannot disagree with the map. `coverage` is pure;
`coverage_from_dir` loads, validates and joins a data folder.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from geo.dataset import Dataset, open_dataset
from geo.schema import COORD_PRECISIONS, LAYERS, STATUSES

if TYPE_CHECKING:
    from pathlib import Path

    from geo.inputs import MonitorTotal

COMMUNITIES_TOTAL = 107
"""Armenian communities in August 2023, per the 2024 report "Why Are There No Armenians in Nagorno-Karabakh?"."""


@dataclass(frozen=True)
class Unlocated:
    """A feature kept with null geometry because no source gives its location."""

    layer: str
    id: str
    name: str


@dataclass(frozen=True)
class Coverage:
    """The counts `heritage-map coverage` prints."""

    communities_identified: int
    communities_located: int
    sites_total: int
    sites_by_status: dict[str, int]
    sites_by_precision: dict[str, int]
    imagery_here: int
    monitor_imagery: int
    reported: int
    unlocated: tuple[Unlocated, ...]
    withheld: int = 0
    """Sites whose latest observation has a status but no evidence: counted as unknown."""
    monitor_totals: tuple[MonitorTotal, ...] = ()
    communities_in_doubt: tuple[Unlocated, ...] = ()
    """Communities held in 2023 that no source places Armenian residents in that year: not counted toward 107."""
    sites_by_monitor: dict[str, int] | None = None
    """For each monitor named in `monitor_totals`: how many sites here show a status that monitor published."""


def coverage(dataset: Dataset) -> Coverage:
    """Coverage of a loaded dataset.

    A site's status is that of its latest confirmed public observation and
    its evidence level the join's verdict for that observation
    (`geo.sitestatus`): a site with none, or whose latest observation has no
    evidence, is `unknown` and has no level. The levels count the sites with a
    status by their verdict, as the map's legend does.
    """
    inputs, sites = dataset.inputs, dataset.public.sites
    communities = inputs.communities
    flags = communities["counts_toward_107"] if "counts_toward_107" in communities.columns else None
    counted = communities[flags == True] if flags is not None else communities.iloc[:0]  # noqa: E712 (may hold None)
    statuses = Counter(sites["status"].tolist())
    verdicts = Counter(sites["verdict"].tolist())
    totals = inputs.monitor_totals
    monitors = dict.fromkeys(t.monitor.split(" (")[0] for t in totals)
    publishers = [str(p or "").casefold() for p, v in zip(sites["published_by"].tolist(), sites["verdict"].tolist()) if v]
    residents = communities["residents_2023"] if "residents_2023" in communities.columns else None
    doubted = communities[residents.notna() & (residents != "sourced")] if residents is not None else communities.iloc[:0]
    located = sites.geometry.notna()
    precisions = Counter(sites.loc[located, "coord_precision"].tolist())
    unlocated = tuple(
        Unlocated(name, str(feature_id), str(feature_name))
        for name, frame in ((name, inputs.frame(name)) for name in LAYERS)
        for feature_id, feature_name, geometry in zip(frame["id"], frame.get("name", frame["id"]), frame.geometry)
        if geometry is None
    )
    return Coverage(
        communities_identified=len(counted),
        communities_located=int(counted.geometry.notna().sum()),
        sites_total=len(sites),
        sites_by_status={status: statuses[status] for status in STATUSES},
        sites_by_precision={p: precisions[p] for p in COORD_PRECISIONS} | {"unlocated": int((~located).sum())},
        imagery_here=verdicts["imagery-here"],
        monitor_imagery=verdicts["monitor-imagery-analysis"],
        reported=verdicts["reported"],
        unlocated=unlocated,
        withheld=int(sites["status_note"].notna().sum()),
        monitor_totals=totals,
        communities_in_doubt=tuple(
            Unlocated("communities", str(community_id), str(name)) for community_id, name in zip(doubted["id"], doubted["name"])
        ),
        sites_by_monitor={m: sum(m.casefold() in p for p in publishers) for m in monitors},
    )


def coverage_from_dir(data_dir: str | Path) -> Coverage:
    """Coverage of the data folder `data_dir`: loaded, validated and joined once (`geo.dataset.open_dataset`)."""
    return coverage(open_dataset(data_dir))
