"""What the workspace shows of the data folder: sites by name in any script, the scenes covering one, its history.

Read from the files on every request (the layers are small beside the log,
and another monitor's `heritage-map` command may have changed them), through
the same library functions as the command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from geo import imagery, join, observations
from geo.layers import read_layer
from geo.sitestatus import scene_summary

if TYPE_CHECKING:
    from pathlib import Path

NAME_FIELDS: tuple[str, ...] = ("name", "name_hy", "name_az")
SEARCH_LIMIT = 50


@dataclass(frozen=True)
class Site:
    """One heritage site as the workspace lists it: names in three scripts, where it is (if a source says)."""

    id: str
    name: str
    name_hy: str | None
    name_az: str | None
    settlement: str | None
    type: str | None
    lon: float | None
    lat: float | None
    coord_precision: str | None

    @property
    def located(self) -> bool:
        """True when a source locates the site."""
        return self.lon is not None and self.lat is not None

    def matches(self, words: list[str]) -> bool:
        """True when every word is in the id, a name or the settlement (case-insensitive)."""
        text = " ".join(str(v) for v in (self.id, self.name, self.name_hy, self.name_az, self.settlement) if v).casefold()
        return all(word in text for word in words)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def read_sites(data_dir: Path) -> dict[str, Site]:
    """Every heritage site of the data folder by id, in the layer's order."""
    frame = read_layer(data_dir, "heritage_sites")
    sites = {}
    for row in frame.to_dict("records"):
        geometry = row.get("geometry")
        point = geometry.representative_point() if geometry is not None and not geometry.is_empty else None
        sites[str(row["id"])] = Site(
            id=str(row["id"]),
            name=str(row.get("name") or row["id"]),
            name_hy=_text(row.get("name_hy")),
            name_az=_text(row.get("name_az")),
            settlement=_text(row.get("settlement")),
            type=_text(row.get("type")),
            lon=point.x if point is not None else None,
            lat=point.y if point is not None else None,
            coord_precision=_text(row.get("coord_precision")),
        )
    return sites


def search(sites: dict[str, Site], query: str) -> list[Site]:
    """The sites whose id, names or settlement hold every word of `query`, at most `SEARCH_LIMIT`."""
    words = query.casefold().split()
    if not words:
        return []
    return [site for site in sites.values() if site.matches(words)][:SEARCH_LIMIT]


def covering_scenes(data_dir: Path, site_id: str) -> list[dict[str, Any]]:
    """The catalog's scenes that cover the site (by footprint, or asserted by their source), oldest first."""
    frame = read_layer(data_dir, "heritage_sites")
    frame = frame[frame["id"] == site_id]
    items = imagery.read_catalog(data_dir / "imagery.json")
    by_id = {item["id"]: item for item in items}
    covering = join.coverage_index(frame, items).get(site_id, {})
    return [
        summary
        for scene in join.covering_scenes(covering, by_id)
        if (summary := scene_summary(by_id[scene.id], scene.coverage)) is not None
    ]


def scene_summaries(data_dir: Path, ids: list[str | None]) -> dict[str, dict[str, Any]]:
    """Provider, sensor, date and resolution of each named scene found in the catalog."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    found = {}
    for item in imagery.read_catalog(data_dir / "imagery.json"):
        if item.get("id") in wanted and (summary := scene_summary(item)) is not None:
            found[str(item["id"])] = summary
    return found


@dataclass(frozen=True)
class Entry:
    """One record of a site's history in the log, with its review state (for observations)."""

    record: dict[str, Any]
    state: str | None


def site_log(log: list[dict[str, Any]], site_id: str) -> list[Entry]:
    """Every observation of the site and every review of them, in log order (internal records included)."""
    decided = observations.decisions(log)
    ids = {r.get("id") for r in log if r.get("kind") == "observation" and r.get("site_id") == site_id}
    entries = []
    for record in log:
        if record.get("kind") == "observation" and record.get("id") in ids:
            entries.append(Entry(record, observations.review_state(record, decided)))
        elif record.get("kind") == "review" and record.get("of") in ids:
            entries.append(Entry(record, None))
    return entries


def observation_imagery(data_dir: Path, record: dict[str, Any]) -> tuple[Any, join.Pair] | None:
    """The site's row (for chips) and the observation's before/after pair, named or inferred; None for an unknown site."""
    frame = read_layer(data_dir, "heritage_sites")
    frame = frame[frame["id"] == record.get("site_id")]
    if frame.empty:
        return None
    items = imagery.read_catalog(data_dir / "imagery.json")
    by_id = {item["id"]: item for item in items}
    covering = join.coverage_index(frame, items).get(str(record.get("site_id")), {})
    return next(frame.itertuples(index=False)), join.observation_pair(record, covering, by_id)
