"""How complete the data is: communities identified of 107, statuses, precision, and what is unlocated.

The counts a reader or a journalist quotes ("N of 107 communities identified,
M sites destroyed") come from here, computed from the layers and the
monitors' log. `coverage` is pure; `coverage_from_dir` reads a data folder.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.dates import parse_iso
from geo.errors import LayerError, ObservationError, Problem
from geo.evidence import needs_evidence
from geo.layers import layer_path, read_json, read_table
from geo.observations import read_log, site_histories
from geo.schema import COORD_PRECISIONS, LAYERS, STATUSES

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from geo.errors import Where

COMMUNITIES_TOTAL = 107
"""Armenian communities in August 2023, per the 2024 report "Why Are There No Armenians in Nagorno-Karabakh?"."""


@dataclass(frozen=True)
class Unlocated:
    """A feature kept with null geometry because no source gives its location."""

    layer: str
    id: str
    name: str


@dataclass(frozen=True)
class MonitorTotal:
    """A monitor's own published count of the sites it documents (`monitor_counts.csv`), with its source."""

    monitor: str
    claim: str
    as_of: str
    url: str


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


def coverage(
    layers: Mapping[str, list[dict[str, Any]]],
    log: Iterable[Mapping[str, Any]],
    items: Iterable[Mapping[str, Any]] = (),
    monitor_totals: Iterable[MonitorTotal] = (),
) -> Coverage:
    """Coverage of parsed layer features (by layer name), log records and catalog items.

    A site's status is that of its latest confirmed public observation, as
    the map shows it (`geo.observations.site_histories`): one transcribed from
    a published source, or confirmed by an analyst other than its author. A
    site without one, or whose latest observation has no evidence, counts as
    `unknown`. Evidence levels: `imagery here` when the observation names a
    before and an after scene that both have a footprint in the catalog
    (validation checks that they cover the site), `imagery analysis by the
    monitor` when its published finding says so (`basis`), else `reported`.
    """
    footprinted = {item.get("id") for item in items if item.get("geometry")}
    counted = [f for f in layers.get("communities", []) if f.get("properties", {}).get("counts_toward_107") is True]
    sites = layers.get("heritage_sites", [])
    current = current_observations(log)
    statuses: Counter[str] = Counter()
    precisions: Counter[str] = Counter()
    levels: Counter[str] = Counter()
    totals = tuple(monitor_totals)
    monitors = dict.fromkeys(t.monitor.split(" (")[0] for t in totals)
    by_monitor: Counter[str] = Counter()
    withheld = 0
    for site in sites:
        props = site.get("properties", {})
        record = current.get(props.get("id"))
        if record and needs_evidence(record):
            withheld += 1
            record = None
        statuses[record["status"] if record else "unknown"] += 1
        precisions[props.get("coord_precision") if site.get("geometry") else "unlocated"] += 1
        if record is None:
            continue
        for monitor in monitors:
            by_monitor[monitor] += monitor.casefold() in str(record.get("published_by") or "").casefold()
        if {record.get("before_scene"), record.get("after_scene")} <= footprinted - {None}:
            levels["imagery-here"] += 1
        elif record.get("basis") == "monitor-imagery-analysis":
            levels["monitor-imagery-analysis"] += 1
        else:
            levels["reported"] += 1
    unlocated = tuple(
        Unlocated(name, str(f.get("properties", {}).get("id")), str(f.get("properties", {}).get("name")))
        for name in LAYERS
        for f in layers.get(name, [])
        if f.get("geometry") is None
    )
    return Coverage(
        communities_identified=len(counted),
        communities_located=sum(1 for f in counted if f.get("geometry") is not None),
        sites_total=len(sites),
        sites_by_status={status: statuses[status] for status in STATUSES},
        sites_by_precision={p: precisions[p] for p in (*COORD_PRECISIONS, "unlocated")},
        imagery_here=levels["imagery-here"],
        monitor_imagery=levels["monitor-imagery-analysis"],
        reported=levels["reported"],
        unlocated=unlocated,
        withheld=withheld,
        monitor_totals=totals,
        communities_in_doubt=tuple(
            Unlocated("communities", str(p.get("id")), str(p.get("name")))
            for f in layers.get("communities", [])
            if (p := f.get("properties", {})).get("residents_2023") not in (None, "sourced")
        ),
        sites_by_monitor={monitor: by_monitor[monitor] for monitor in monitors},
    )


def current_observations(log: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """Each site's current observation: its latest confirmed public one."""
    histories = site_histories(log, public_only=True)
    return {site: history.current for site, history in histories.items() if history.current}


def read_log_records(path: Path) -> list[dict[str, Any]]:
    """The records of the log, read and checked by `geo.observations.read_log`; a missing log is named."""
    if not path.exists():
        raise ObservationError(
            Problem(file=str(path), found="file not found", fix="create it (an empty file is a valid empty log)")
        )
    records = read_log(path)
    for number, record in enumerate(records, start=1):
        if record.get("kind") == "observation":
            _check_observation(record, {"file": str(path), "line": number, "kind": "record", "feature": str(record.get("id"))})
    return records


def _check_observation(record: Mapping[str, Any], where: Where) -> None:
    if record.get("status") not in STATUSES:
        raise ObservationError(
            Problem(**where, field="status", found=repr(record.get("status")), fix=f"use one of {', '.join(STATUSES)}")
        )
    # A finding known only by its publication date has no `observed_on`; a published finding whose source
    # states no date at all has neither (the map says so).
    for field in ("observed_on", "reported_on"):
        if record.get(field) is None:
            continue
        try:
            parse_iso(record.get(field))
        except ValueError as error:
            raise ObservationError(
                Problem(**where, field=field, found=str(error), fix="write YYYY, YYYY-MM, YYYY-MM-DD or A/B")
            ) from None


def _features(data_dir: Path, name: str) -> list[dict[str, Any]]:
    path = layer_path(data_dir, name)
    collection = read_json(path)
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list):
        raise LayerError(
            Problem(
                file=str(path),
                found="not a GeoJSON FeatureCollection with a features list",
                fix="run heritage-map validate and repair the file",
            )
        )
    return features


def read_monitor_totals(path: Path) -> list[MonitorTotal]:
    """The monitors' published totals (`monitor_counts.csv`: monitor, claim, as_of, url); none when the file is absent."""
    # read_table: a regular file only, and a malformed CSV is one line, not a traceback
    return [MonitorTotal(*(r.get(k) or "" for k in ("monitor", "claim", "as_of", "url"))) for r in read_table(path)]


def coverage_from_dir(data_dir: str | Path) -> Coverage:
    """Coverage of the data folder `data_dir` (its four layers, observations.jsonl, imagery.json, monitor_counts.csv)."""
    from geo.validate import folder_problem

    data_dir = Path(data_dir)
    if (problem := folder_problem(data_dir)) is not None:
        raise LayerError(problem)
    layers = {name: _features(data_dir, name) for name in LAYERS}
    catalog = data_dir / "imagery.json"
    items = (read_json(catalog).get("features") or []) if catalog.exists() else []
    return coverage(
        layers, read_log_records(data_dir / "observations.jsonl"), items, read_monitor_totals(data_dir / "monitor_counts.csv")
    )
