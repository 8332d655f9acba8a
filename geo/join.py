"""Sites × imagery × observations: which scenes cover a site, which pair documents a change, and the verdict.

Pure functions over a sites GeoDataFrame, catalog items (dicts) and
observation records (dicts). Coverage is spatial (a scene footprint meets the
site, boundary included: one join of all sites with all footprints,
`geo.footprint_join`) or asserted (an item with no footprint whose source says
it shows the site, `heritage:site_ids`). An observation's
before/after pair is the scenes it names, or else the latest covering scene
before `observed_on` and the first covering scene at or after it. The verdict
says what the status of a site's latest observation rests on
(`geo.schema.VERDICTS`, docs/coding-rules.md):

- `imagery-here`: a before/after pair this catalog holds, both with a footprint
  that covers the site, before ending earlier than after starts;
- `monitor-imagery-analysis`: no such pair here, but the observation's published
  finding says the monitor compared satellite images (`basis`), with the image
  dates it gives (`monitor_before`, `monitor_after`);
- `reported`: press, officials, photographs, video or testimony;
- `inconsistent`: a named scene is missing, undated, does not cover the site,
  or the pair is out of order (each problem names the site, observation and scene).

A scene with no footprint (its source only asserts that it shows the site)
never makes a site `imagery-here`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from geo._gc import collector_paused
from geo.errors import Problem
from geo.evidence import evidence_day
from geo.footprint_join import covering_pairs, geojson_footprints

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    import geopandas as gpd

FOOTPRINT = "footprint"
ASSERTED = "asserted"
COVER_FIX = "name a scene whose footprint contains the site, or correct the site's location"


@dataclass(frozen=True)
class CoveringScene:
    """One scene that covers a site, with what a reader needs to judge it."""

    id: str
    date: str | None
    start: datetime | None
    end: datetime | None
    provider: str
    constellation: str | None
    gsd: float | None
    coverage: str


@dataclass
class SiteImagery:
    """A site's covering scenes (oldest first), its latest observation's pair, verdict and problems.

    `verdict` is None when the site has no observation. `problems` lists every
    inconsistency in any of the site's observations (`Problem`s naming the observation, without a file), so
    validation reports them all.
    `scenes` is worked out from `covering` when first asked for: a map of
    100,000 sites needs only each site's pair and verdict. Not frozen: a build
    makes one per site, and a frozen dataclass's `__init__` measured four
    times as slow (0.17 s per 100,000); nothing changes one after the join.
    """

    site_id: str
    covering: Mapping[str, str] = field(default_factory=dict)
    items_by_id: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, repr=False, compare=False)
    observation_id: str | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    before_coverage: str | None = None
    after_coverage: str | None = None
    inferred: tuple[str, ...] = ()
    verdict: str | None = None
    problems: tuple[Problem, ...] = ()

    @cached_property
    def scenes(self) -> tuple[CoveringScene, ...]:
        """The covering scenes, oldest first (undated last)."""
        return covering_scenes(self.covering, self.items_by_id)


@dataclass(frozen=True)
class Pair:
    """The before/after scenes of one observation and what is wrong with them."""

    before: dict[str, Any] | None
    after: dict[str, Any] | None
    inferred: tuple[str, ...]
    problems: tuple[Problem, ...]

    def verdict(self, covering: Mapping[str, str], observation: Mapping[str, Any] | None = None) -> str:
        """`inconsistent` on any problem; `imagery-here` with both scenes footprinted over the site; else the
        observation's basis (`monitor-imagery-analysis`), else `reported`.
        """
        if self.problems:
            return "inconsistent"
        if self.before and self.after and all(covering.get(s["id"]) == FOOTPRINT for s in (self.before, self.after)):
            return "imagery-here"
        if observation is not None and observation.get("basis") == "monitor-imagery-analysis":
            return "monitor-imagery-analysis"
        return "reported"


@dataclass(frozen=True)
class Gap:
    """A site whose newest covering scene is older than the monitoring horizon, or that has none."""

    site_id: str
    name: str
    newest_scene: str | None
    newest_date: str | None
    age_days: int | None
    coverage: str | None


def _moment(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def item_span(item: Mapping[str, Any]) -> tuple[datetime, datetime] | None:
    """When an item was taken: (t, t) for `datetime`, the stated span otherwise, None when undated."""
    props = item.get("properties") or {}
    instant = _moment(props.get("datetime"))
    if instant:
        return instant, instant
    start, end = _moment(props.get("start_datetime")), _moment(props.get("end_datetime"))
    return (start, end) if start and end else None


def span_label(span: tuple[datetime, datetime] | None) -> str | None:
    """A day (`2024-04-04`) or a day interval (`2023-10-01/2023-10-31`), as stated."""
    if span is None:
        return None
    start, end = (moment.date().isoformat() for moment in span)
    return start if start == end else f"{start}/{end}"


def provider_names(item: Mapping[str, Any]) -> str:
    """The item's provider names, or `unstated`."""
    names = [str(p["name"]) for p in (item.get("properties") or {}).get("providers", []) if isinstance(p, dict) and p.get("name")]
    return ", ".join(names) or "unstated"


def coverage_index(sites: gpd.GeoDataFrame, items: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """Site id -> {item id: `footprint` | `asserted`} for every site a scene covers.

    Items without a footprint cover the sites their source names. An item with a footprint covers what its
    footprint meets, whatever sites it lists: the footprints are read from the Items' rings without building
    most of them as polygons (`geojson_footprints`) and joined by `covering_pairs`.
    """
    index: dict[str, dict[str, str]] = {}
    item_ids: list[str] = []
    geometries: list[Mapping[str, Any]] = []
    for item in items:
        if geometry := item.get("geometry"):
            item_ids.append(item["id"])
            geometries.append(geometry)
            continue
        for site_id in (item.get("properties") or {}).get("heritage:site_ids", []) or []:
            index.setdefault(site_id, {})[item["id"]] = ASSERTED
    geometry = np.asarray(sites.geometry.values, dtype=object)
    located = sites[~shapely.is_missing(geometry) & ~shapely.is_empty(geometry)][["id", "geometry"]]
    if located.empty or not geometries:
        return index
    located = located.set_crs("EPSG:4326") if located.crs is None else located.to_crs("EPSG:4326")
    site, footprint = covering_pairs(np.asarray(located.geometry.values, dtype=object), geojson_footprints(geometries))
    add_footprints(index, located["id"].tolist(), item_ids, site, footprint)
    return index


def add_footprints(
    index: dict[str, dict[str, str]], site_ids: list[str], item_ids: list[str], site: np.ndarray, footprint: np.ndarray
) -> None:
    """Record the (site, footprint) position pairs in `index`, one dict per site built at once (3M pairs at 1e6 scenes)."""
    if not len(site):
        return
    order = _stable_order(site)
    site = site[order]
    covering = np.asarray(item_ids, dtype=object)[footprint[order]].tolist()
    cuts = np.flatnonzero(np.diff(site)) + 1
    starts, ends = np.concatenate(([0], cuts)).tolist(), np.concatenate((cuts, [len(site)])).tolist()
    with collector_paused():
        for position, start, end in zip(site[starts].tolist(), starts, ends):
            found = dict.fromkeys(covering[start:end], FOOTPRINT)
            site_id = site_ids[position]
            if site_id in index:
                index[site_id].update(found)
            else:
                index[site_id] = found


def _stable_order(keys: np.ndarray) -> np.ndarray:
    """`np.argsort(keys, kind="stable")` of non-negative integers below 2**32, as two passes of numpy's radix
    sort of 16-bit keys: five times its timsort at 3M keys.
    """
    order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    return order[np.argsort((keys[order] >> 16).astype(np.uint16), kind="stable")]


def covering_scenes(covering: Mapping[str, str], items_by_id: Mapping[str, Mapping[str, Any]]) -> tuple[CoveringScene, ...]:
    """The covering scenes of one site, oldest first (undated last), ids breaking ties."""
    if not covering:
        return ()
    scenes = []
    for item_id, coverage in covering.items():
        item = items_by_id[item_id]
        span = item_span(item)
        props = item.get("properties") or {}
        scenes.append(
            CoveringScene(
                id=item_id,
                date=span_label(span),
                start=span[0] if span else None,
                end=span[1] if span else None,
                provider=provider_names(item),
                constellation=props.get("constellation"),
                gsd=props.get("gsd"),
                coverage=coverage,
            )
        )
    return tuple(sorted(scenes, key=lambda s: (s.start is None, s.start or datetime.min.replace(tzinfo=UTC), s.id)))


def observed_day(observation: Mapping[str, Any]) -> date | None:
    """The first day of an observation's evidence (`observed_on`, else `reported_on`), None when not a date."""
    return evidence_day(observation)


class _Spans(dict[str, "tuple[datetime, datetime] | None"]):
    """Each catalog item's `item_span` by item id, worked out when first asked for (a scene covers many sites)."""

    def __init__(self, items_by_id: Mapping[str, Mapping[str, Any]]) -> None:
        super().__init__()
        self.items_by_id = items_by_id

    def __missing__(self, item_id: str) -> tuple[datetime, datetime] | None:
        span = self[item_id] = item_span(self.items_by_id[item_id])
        return span


def observation_pair(
    observation: Mapping[str, Any],
    covering: Mapping[str, str],
    items_by_id: Mapping[str, Mapping[str, Any]],
    spans: Mapping[str, tuple[datetime, datetime] | None] | None = None,
) -> Pair:
    """The before/after pair of one observation: named scenes checked, missing sides inferred.

    `spans` holds each item's `item_span` when the caller pairs many observations against one catalog.
    """
    spans = _Spans(items_by_id) if spans is None else spans
    site_id, obs_id = observation.get("site_id"), observation.get("id")

    def problem(field: str, found: str, fix: str) -> Problem:
        return Problem(kind="observation", feature=str(obs_id), field=field, found=found, fix=fix)

    problems: list[Problem] = []
    named: dict[str, dict[str, Any] | None] = {}
    for side in ("before", "after"):
        item_id = observation.get(f"{side}_scene")
        named[side] = None
        if not item_id:
            continue
        item = items_by_id.get(item_id)
        if item is None:
            problems.append(
                problem(
                    f"{side}_scene",
                    f"scene {item_id!r} is not in the imagery catalog",
                    "add the scene with heritage-map imagery add or import, or correct the id",
                )
            )
        elif item_id not in covering:
            problems.append(problem(f"{side}_scene", f"scene {item_id!r} does not cover site {site_id!r}", COVER_FIX))
        elif spans[item_id] is None:
            problems.append(problem(f"{side}_scene", f"scene {item_id!r} has no date", "give the item a datetime"))
        else:
            named[side] = dict(item)
    if problems:
        return Pair(named["before"], named["after"], (), tuple(problems))
    before, after = named["before"], named["after"]
    if before and after:
        before_span, after_span = spans[before["id"]], spans[after["id"]]
        if before_span and after_span and not before_span[1] < after_span[0]:
            problems.append(
                problem(
                    "before_scene",
                    f"before scene {before['id']!r} ({span_label(before_span)}) is not earlier than after scene "
                    f"{after['id']!r} ({span_label(after_span)})",
                    "swap or correct the scene ids",
                )
            )
        return Pair(before, after, (), tuple(problems))
    return _inferred(observation, covering, items_by_id, spans, before, after)


def _inferred(
    observation: Mapping[str, Any],
    covering: Mapping[str, str],
    items_by_id: Mapping[str, Mapping[str, Any]],
    spans: Mapping[str, tuple[datetime, datetime] | None],
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> Pair:
    """Fill the unnamed sides: the latest covering scene before `observed_on`, the first at or after it."""
    day = observed_day(observation)
    if day is None:
        return Pair(before, after, (), ())
    dated = [(span, items_by_id[item_id]) for item_id in sorted(covering) if (span := spans[item_id])]
    inferred: list[str] = []
    if before is None:
        after_span = spans[after["id"]] if after else None
        limit = after_span[0] if after_span else None
        earlier = [(span, item) for span, item in dated if span[1].date() < day and (limit is None or span[1] < limit)]
        if earlier:
            before = dict(max(earlier, key=lambda pair: (pair[0][1], pair[1]["id"]))[1])
            inferred.append("before")
    if after is None:
        before_span = spans[before["id"]] if before else None
        floor = before_span[1] if before_span else None
        later = [(span, item) for span, item in dated if span[0].date() >= day and (floor is None or span[0] > floor)]
        if later:
            after = dict(min(later, key=lambda pair: (pair[0][0], pair[1]["id"]))[1])
            inferred.append("after")
    return Pair(before, after, tuple(inferred), ())


def _pair(
    observation: Mapping[str, Any], covering: Mapping[str, str], items_by_id: Mapping[str, Mapping[str, Any]], spans: _Spans
) -> Pair:
    """`observation_pair`, answered at once for the common case: no covering scene and none named."""
    if not covering and not observation.get("before_scene") and not observation.get("after_scene"):
        return _NO_PAIR
    return observation_pair(observation, covering, items_by_id, spans)


_NO_PAIR = Pair(None, None, (), ())


def latest_observation(observations: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The observation with the latest evidence date (then `recorded_at`, then log order) that no other supersedes."""
    observations = list(observations)
    superseded = {o.get("supersedes") for o in observations if o.get("supersedes")}
    ranked = [
        ((observed_day(o) or date.min), str(o.get("recorded_at") or ""), position, o)
        for position, o in enumerate(observations)
        if o.get("id") not in superseded or o.get("id") is None
    ]
    return max(ranked, key=lambda entry: entry[:3])[3] if ranked else None


@dataclass(frozen=True)
class Joined:
    """Sites × imagery × observations, joined once: what covers each site, and each observation's pair.

    `covering` maps a site id to its covering scenes ({item id: `footprint` or
    `asserted`}); `pairs` maps an observation id to its before/after pair. A
    pair depends only on its observation, the site's covering scenes and the
    catalog, so validation (every observation's problems), the public view
    (the verdict of each site's current observation), `imagery gaps` and
    `imagery changes` all read this one join.
    """

    covering: Mapping[str, Mapping[str, str]]
    items_by_id: Mapping[str, Mapping[str, Any]]
    pairs: Mapping[str, Pair]

    def site(self, site_id: str, observation: Mapping[str, Any] | None, problems: tuple[Problem, ...] = ()) -> SiteImagery:
        """A site's covering scenes, with the pair and verdict of `observation` (None: no observation, no verdict)."""
        covering = self.covering.get(site_id, _NOT_COVERED)
        if observation is None:
            return SiteImagery(site_id, covering, self.items_by_id, problems=problems)
        pair = self.pairs.get(str(observation.get("id")), _NO_PAIR)
        return SiteImagery(
            site_id,
            covering,
            self.items_by_id,
            observation.get("id"),
            pair.before,
            pair.after,
            covering.get(pair.before["id"]) if pair.before else None,
            covering.get(pair.after["id"]) if pair.after else None,
            pair.inferred,
            pair.verdict(covering, observation),
            problems,
        )

    @property
    def problems(self) -> list[Problem]:
        """Every inconsistency of every observation's pair (each names its observation; no file)."""
        return [problem for pair in self.pairs.values() for problem in pair.problems]

    def gaps(self, sites: gpd.GeoDataFrame, today: date, older_than_days: int) -> list[Gap]:
        """Sites with no covering scene ending within `older_than_days` of `today`: none first, then oldest first."""
        found: list[Gap] = []
        for site_id, name in zip(sites["id"].tolist(), sites["name"].tolist()):
            dated = [s for s in covering_scenes(self.covering.get(site_id, {}), self.items_by_id) if s.end is not None]
            if not dated:
                found.append(Gap(site_id, str(name), None, None, None, None))
                continue
            newest = max(dated, key=lambda s: (s.end, s.id))
            age = (today - newest.end.date()).days if newest.end else 0
            if age > older_than_days:
                found.append(Gap(site_id, str(name), newest.id, newest.date, age, newest.coverage))
        return sorted(found, key=lambda g: (g.age_days is not None, -(g.age_days or 0), g.site_id))


def join(sites: gpd.GeoDataFrame, items: Iterable[Mapping[str, Any]], observations: Iterable[Mapping[str, Any]]) -> Joined:
    """The one join: every site's covering scenes (one spatial join) and every observation's pair.

    `observations` are observation records (`kind: observation`); records of
    other kinds are ignored.
    """
    items_by_id = {item["id"]: item for item in items}
    index = coverage_index(sites, items_by_id.values())
    spans = _Spans(items_by_id)
    pairs: dict[str, Pair] = {}
    with collector_paused():
        for record in observations:
            if record.get("kind", "observation") == "observation":
                covering = index.get(str(record.get("site_id")), _NOT_COVERED)
                pairs[str(record.get("id"))] = _pair(record, covering, items_by_id, spans)
    return Joined(index, items_by_id, pairs)


def site_imagery(
    sites: gpd.GeoDataFrame,
    items: Iterable[Mapping[str, Any]],
    observations: Iterable[Mapping[str, Any]],
) -> dict[str, SiteImagery]:
    """Per site id: covering scenes, the latest observation's before/after pair, verdict and problems.

    `observations` are observation records (`kind: observation`); records of
    other kinds or for unknown sites are ignored.
    """
    records = [r for r in observations if r.get("kind", "observation") == "observation"]
    return latest_imagery(join(sites, items, records), sites["id"].tolist(), records)


def latest_imagery(joined: Joined, site_ids: Iterable[str], observations: Iterable[Mapping[str, Any]]) -> dict[str, SiteImagery]:
    """Per site id: its imagery with the pair and verdict of its latest observation among `observations`,
    and the problems of all of them.
    """
    by_site: dict[str, list[Mapping[str, Any]]] = {}
    for record in observations:
        by_site.setdefault(str(record.get("site_id")), []).append(record)
    result: dict[str, SiteImagery] = {}
    for site_id in site_ids:
        records = by_site.get(site_id)
        if not records:
            result[site_id] = joined.site(site_id, None)
            continue
        latest = records[0] if len(records) == 1 else latest_observation(records) or records[0]
        problems = tuple(p for record in records for p in joined.pairs[str(record.get("id"))].problems)
        result[site_id] = joined.site(site_id, latest, problems)
    return result


_NOT_COVERED: Mapping[str, str] = MappingProxyType({})


def gaps(
    sites: gpd.GeoDataFrame,
    items: Iterable[Mapping[str, Any]],
    today: date,
    older_than_days: int,
) -> list[Gap]:
    """Sites with no covering scene ending within `older_than_days` of `today` (see `Joined.gaps`)."""
    return join(sites, items, ()).gaps(sites, today, older_than_days)
