"""How complete the data is: communities counted of 107, statuses, precision, verdicts, and what is unlocated.

The counts a reader or a journalist quotes ("N of 107 communities counted,
M sites destroyed, K documented by before/after imagery") come from here; the
communities' numbers from `geo.reconcile`, which the maps' layer names and
legends read too. A
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
from geo.reconcile import Reconciliation, reconcile
from geo.schema import COORD_PRECISIONS, LAYERS, STATUSES

if TYPE_CHECKING:
    from pathlib import Path

    from geo.inputs import MonitorTotal


@dataclass(frozen=True)
class Unlocated:
    """A feature kept with null geometry because no source gives its location."""

    layer: str
    id: str
    name: str


@dataclass(frozen=True)
class Coverage:
    """The counts `heritage-map coverage` prints."""

    communities: Reconciliation
    """The communities layer beside the 107 of the 2024 report (`geo.reconcile`)."""
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
    """Settlements held in 2023 that no source places Armenian residents in that year: not counted toward 107."""
    community_parts: tuple[Unlocated, ...] = ()
    """Settlements that are part of a counted community (`name` says which): not counted on their own."""
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
    reconciled = reconcile(communities)
    names = {str(i): str(n) for i, n in zip(communities.get("id", ()), communities.get("name", communities.get("id", ())))}
    part_of = {str(i): p for i, p in zip(communities.get("id", ()), communities.get("part_of", ())) if isinstance(p, str)}
    statuses = Counter(sites["status"].tolist())
    verdicts = Counter(sites["verdict"].tolist())
    totals = inputs.monitor_totals
    monitors = dict.fromkeys(t.monitor.split(" (")[0] for t in totals)
    publishers = [str(p or "").casefold() for p, v in zip(sites["published_by"].tolist(), sites["verdict"].tolist()) if v]
    located = sites.geometry.notna()
    precisions = Counter(sites.loc[located, "coord_precision"].tolist())
    unlocated = tuple(
        Unlocated(name, str(feature_id), str(feature_name))
        for name, frame in ((name, inputs.frame(name)) for name in LAYERS)
        for feature_id, feature_name, geometry in zip(frame["id"], frame.get("name", frame["id"]), frame.geometry)
        if geometry is None
    )
    return Coverage(
        communities=reconciled,
        sites_total=len(sites),
        sites_by_status={status: statuses[status] for status in STATUSES},
        sites_by_precision={p: precisions[p] for p in COORD_PRECISIONS} | {"unlocated": int((~located).sum())},
        imagery_here=verdicts["imagery-here"],
        monitor_imagery=verdicts["monitor-imagery-analysis"],
        reported=verdicts["reported"],
        unlocated=unlocated,
        withheld=int(sites["status_note"].notna().sum()),
        monitor_totals=totals,
        communities_in_doubt=tuple(Unlocated("communities", i, names[i]) for i in reconciled.doubted.ids),
        community_parts=tuple(
            Unlocated("communities", i, f"{names[i]} (in {names.get(part_of[i], part_of[i])})") for i in reconciled.parts.ids
        ),
        sites_by_monitor={m: sum(m.casefold() in p for p in publishers) for m in monitors},
    )


def coverage_from_dir(data_dir: str | Path) -> Coverage:
    """Coverage of the data folder `data_dir`: loaded, validated and joined once (`geo.dataset.open_dataset`)."""
    return coverage(open_dataset(data_dir))
