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

from geo.dates import parse_partial
from geo.errors import LayerError, ObservationError
from geo.layers import layer_path, read_json
from geo.observations import read_log, site_histories
from geo.schema import COORD_PRECISIONS, LAYERS, STATUSES

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

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
    imagery_documented: int
    reported: int
    unlocated: tuple[Unlocated, ...]


def coverage(layers: Mapping[str, list[dict[str, Any]]], log: Iterable[Mapping[str, Any]]) -> Coverage:
    """Coverage of parsed layer features (by layer name) and log records.

    A site's status is that of its latest confirmed public observation, as
    the map shows it (`geo.observations.site_histories`): one transcribed from
    a published source, or confirmed by an analyst other than its author. A
    site without one counts as `unknown`.
    """
    counted = [f for f in layers.get("communities", []) if f.get("properties", {}).get("counts_toward_107") is True]
    sites = layers.get("heritage_sites", [])
    current = current_observations(log)
    statuses: Counter[str] = Counter()
    precisions: Counter[str] = Counter()
    documented = reported = 0
    for site in sites:
        props = site.get("properties", {})
        record = current.get(props.get("id"))
        statuses[record["status"] if record else "unknown"] += 1
        precisions[props.get("coord_precision") if site.get("geometry") else "unlocated"] += 1
        if record and record.get("before_scene") and record.get("after_scene"):
            documented += 1
        elif record:
            reported += 1
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
        imagery_documented=documented,
        reported=reported,
        unlocated=unlocated,
    )


def current_observations(log: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """Each site's current observation: its latest confirmed public one."""
    histories = site_histories(log, public_only=True)
    return {site: history.current for site, history in histories.items() if history.current}


def read_log_records(path: Path) -> list[dict[str, Any]]:
    """The records of the log, read and checked by `geo.observations.read_log`; a missing log is named."""
    if not path.exists():
        raise ObservationError(f"{path}: file not found; fix: create it (an empty file is a valid empty log)")
    records = read_log(path)
    for number, record in enumerate(records, start=1):
        if record.get("kind") == "observation":
            _check_observation(record, f"{path}: line {number}: record {record.get('id')!r}")
    return records


def _check_observation(record: Mapping[str, Any], where: str) -> None:
    if record.get("status") not in STATUSES:
        raise ObservationError(f"{where}: field 'status' is {record.get('status')!r}; fix: use one of {', '.join(STATUSES)}")
    try:
        parse_partial(str(record.get("observed_on")))
    except ValueError as error:
        raise ObservationError(f"{where}: field 'observed_on': {error}; fix: write YYYY, YYYY-MM or YYYY-MM-DD") from None


def _features(data_dir: Path, name: str) -> list[dict[str, Any]]:
    path = layer_path(data_dir, name)
    collection = read_json(path)
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list):
        raise LayerError(
            f"{path}: expected a GeoJSON FeatureCollection with a features list; "
            "fix: run heritage-map validate and repair the file"
        )
    return features


def coverage_from_dir(data_dir: str | Path) -> Coverage:
    """Coverage of the data folder `data_dir` (its four layers and observations.jsonl)."""
    data_dir = Path(data_dir)
    layers = {name: _features(data_dir, name) for name in LAYERS}
    return coverage(layers, read_log_records(data_dir / "observations.jsonl"))
