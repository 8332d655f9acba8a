"""The public view of a site: its status, verdict, evidence and history, as every public output shows them.

Pure: takes the sites, each site's confirmed public history
(`geo.observations.site_histories`) and the one join (`geo.join.Joined`), and
returns the fields a reader sees. A status is shown only when a cited,
confirmed observation with evidence backs it (`geo.evidence`); a site with
none is `unknown` and says why, and newer observations still under review are
counted, not shown. The maps, the site
pages, `coverage` and the exports all read this view; none of them decides a
status or a verdict itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import geopandas as gpd

from geo import observations
from geo._gc import collector_paused
from geo.anchor import Anchor, published_anchor
from geo.evidence import date_text, needs_evidence, newest_day
from geo.i18n import N_, IsoDate, Message, message
from geo.observations import VOUCHES

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from geo.inputs import Inputs
    from geo.join import Joined, SiteImagery

VERDICT_LABELS = {
    "imagery-here": N_("imagery here: a before/after satellite pair held by this map covers the site"),
    "monitor-imagery-analysis": N_("imagery analysis by the monitor: its published finding compared satellite images"),
    "reported": N_("reported: press, officials, photographs, video or testimony"),
    "inconsistent": N_("inconsistent imagery record"),
}
"""The three evidence levels (and the validation error), as the legend and the site pages explain them."""

SITE_FIELDS = (
    "id",
    "name",
    "name_hy",
    "name_az",
    "type",
    "type_label",
    "settlement",
    "coord_precision",
    "status",
    "status_date",
    "status_reported_on",
    "status_when",
    "status_note",
    "status_withheld",
    "monitor_imagery",
    "verdict",
    "verdict_label",
    "published_by",
    "pending",
    "status_history",
    "before",
    "after",
    "evidence",
    "sources",
    "checked_on",
)
"""The fields a reader sees of every site (a map's popup shows them, with a link to the site's page). A map
carries `status_history`, the date, status and publisher of each confirmed observation, for 100,000 sites in
one page; a site page shows the full history (notes, scenes and evidence of each, `site_history`)."""


class PublicView(NamedTuple):
    """What the public outputs show of the heritage sites."""

    sites: gpd.GeoDataFrame
    """Every site with its public status, verdict and display fields (`site_display`)."""
    imagery: dict[str, SiteImagery]
    """Each site with a current public observation: its imagery, with that observation's pair and verdict."""
    histories: dict[str, observations.SiteHistory]
    """Each observed site's public history, redacted (`geo.observations.site_histories`)."""
    as_of: str | None
    """The date of the newest public evidence (`as_of`)."""
    compiled: str | None
    """When the data was compiled (`compiled_on`): with `as_of`, what every page says after "data as of"."""
    anchor: Anchor
    """The published log's anchor (`geo.anchor.public_anchor`): made once, as it hashes every public record."""


def public_view(inputs: Inputs, joined: Joined) -> PublicView:
    """Every heritage site with its public status, verdict and imagery, each site's imagery and history.

    A verdict is that of the pair of the site's current observation, the
    latest confirmed public one: never one still under review. The pairs come
    from the one join (`joined`), which paired every observation of the log.
    """
    with collector_paused():
        histories = observations.site_histories(inputs.log, public_only=True)
        imagery = {site_id: joined.site(site_id, history.current) for site_id, history in histories.items() if history.current}
        published = observations.public_log(inputs.log)  # one pass for the compilation date and the anchor
        return PublicView(
            site_display(inputs.sites, histories, imagery),
            imagery,
            histories,
            as_of(inputs.log),
            newest_recorded(published),
            published_anchor(published),
        )


def as_of(log: Iterable[Mapping[str, Any]]) -> str | None:
    """The data's as-of date: the date of the newest evidence among the public observations (not when it was compiled)."""
    days = (newest_day(r) for r in log if r.get("kind") == "observation" and r.get("visibility") == "public")
    newest = max((day for day in days if day), default=None)
    return newest.isoformat() if newest else None


def compiled_on(log: list[dict[str, Any]]) -> str | None:
    """When the data was compiled: the newest public record written to the log (a review is as public as its observation)."""
    return newest_recorded(r for r, _, _ in observations.public_entries(log))


def newest_recorded(records: Iterable[Mapping[str, Any]]) -> str | None:
    """The day the newest of `records` was written (`recorded_at`)."""
    newest = max((str(r["recorded_at"]) for r in records if r.get("recorded_at")), default=None)
    return newest[:10] if newest else None


AS_OF_BOTH = N_("{evidence} (newest evidence; compiled {compiled})")


def as_of_message(evidence: str | None, compiled: str | None) -> Message | None:
    """What every page says after "data as of", as a message: the newest evidence's date (`as_of`), with the
    compilation date (`compiled_on`) beside it.
    """
    if evidence and compiled:
        return message(AS_OF_BOTH, evidence=IsoDate(evidence), compiled=IsoDate(compiled))
    return message("{date}", date=IsoDate(evidence or compiled)) if evidence or compiled else None


def as_of_label(log: list[dict[str, Any]], evidence: str | None = None) -> str | None:
    """What every page says after "data as of": the newest evidence's date, with the compilation date beside it."""
    found = as_of_message(evidence or as_of(log), compiled_on(log))
    return str(found) if found else None


def scene_date(props: Mapping[str, Any]) -> str | None:
    """The acquisition date as the item states it: a day, or a span when only a span is known."""
    if props.get("datetime"):
        return str(props["datetime"])[:10]
    start, end = (str(props.get(k) or "")[:10] for k in ("start_datetime", "end_datetime"))
    if not start:
        return None
    return start if start == end or not end else f"{start} to {end}"


def scene_summary(item: Mapping[str, Any] | None, coverage: str | None = None) -> dict[str, Any] | None:
    """Provider, sensor, date and resolution of a STAC item, as stated and no more."""
    if not item:
        return None
    props = item.get("properties", {})
    providers = [p.get("name") for p in props.get("providers", []) if p.get("name")]
    sensor = " ".join(str(props[k]) for k in ("constellation", "platform") if props.get(k)) or None
    return {
        "id": item.get("id"),
        "date": scene_date(props),
        "provider": ", ".join(providers) or "unstated",
        "sensor": sensor,
        "gsd": props.get("gsd"),
        "coverage": coverage,
    }


def _evidence_urls(record: Mapping[str, Any]) -> list[str]:
    return [e["url"] for e in record.get("evidence") or () if isinstance(e, dict) and e.get("url")]


def site_history(history: Any) -> list[dict[str, Any]]:
    """What a reader sees of each confirmed observation of one site (`geo.observations.SiteHistory`), oldest first."""
    return [history_entry(record) for record in history.confirmed] if history else []


def history_entry(record: Mapping[str, Any]) -> dict[str, Any]:
    """What a reader sees of one confirmed observation."""
    return {
        "id": record.get("id"),
        "observed_on": record.get("observed_on"),
        "reported_on": record.get("reported_on"),
        "when": date_text(record),
        "basis": record.get("basis"),
        "monitor_imagery": monitor_dates(record),
        "supersedes": record.get("supersedes"),
        "status": record.get("status"),
        "published_by": record.get("published_by"),
        "note": record.get("note"),
        "before_scene": record.get("before_scene"),
        "after_scene": record.get("after_scene"),
        "evidence": _evidence_urls(record),
        "vouched": VOUCHES.get(str(record.get("vouched_by")), ""),
    }


NO_STATUS = N_("no confirmed observation")
WITHHELD = N_(
    "the latest observation ({status}) cites no evidence (no URL, no hashed file, no before/after scene pair), "
    "so its status is not shown"
)


def monitor_dates(record: Mapping[str, Any]) -> dict[str, Any] | None:
    """The image dates the monitor gives (`monitor_before`, `monitor_after`), or None when it gives none."""
    before, after = record.get("monitor_before"), record.get("monitor_after")
    return {"before": before, "after": after} if before or after else None


class _SceneSummaries:
    """`scene_summary` of each (scene, coverage) made once: a scene is the before or after of many sites, which
    share its summary (nothing changes a summary once made).
    """

    def __init__(self) -> None:
        self._made: dict[tuple[Any, Any], dict[str, Any] | None] = {}

    def __call__(self, item: Mapping[str, Any], coverage: str | None) -> dict[str, Any] | None:
        key = (item.get("id"), coverage)
        if key not in self._made:
            self._made[key] = scene_summary(item, coverage)
        return self._made[key]


def site_display(
    sites: gpd.GeoDataFrame,
    histories: Mapping[str, Any],
    imagery: Mapping[str, Any],
) -> gpd.GeoDataFrame:
    """`sites` with the display fields of `SITE_FIELDS` added, one row per site.

    A site's status, date and publisher are those of its latest confirmed
    observation; its verdict and before/after scenes come from the join only
    when it has one. Built a column at a time from plain lists: iterating a
    frame's rows costs pandas an object per cell, several seconds at 100,000
    sites, and a list comprehension per column is faster than a tuple per site.
    """
    ids = sites["id"].tolist()
    detail = sites["type_detail"].tolist() if "type_detail" in sites.columns else [None] * len(ids)
    found = [histories.get(site_id) for site_id in ids]
    latest = [history.current if history else None for history in found]
    # A status without evidence is never shown: the site is unknown and says why.
    bare = [record is not None and needs_evidence(record) for record in latest]
    current = [None if lacking else record for record, lacking in zip(latest, bare)]
    withheld_status = [record["status"] if lacking and record is not None else None for record, lacking in zip(latest, bare)]
    withheld = [WITHHELD.format(status=status) if status else None for status in withheld_status]
    joined = [imagery.get(site_id) if record else None for site_id, record in zip(ids, current)]
    verdicts = [pair.verdict if pair else None for pair in joined]
    summary = _SceneSummaries()
    extra = gpd.pd.DataFrame(
        {
            "status": [record["status"] if record else "unknown" for record in current],
            "status_date": [record.get("observed_on") if record else None for record in current],
            "status_reported_on": [record.get("reported_on") if record else None for record in current],
            "status_when": [date_text(record) if record else None for record in current],
            "status_note": withheld,
            "status_withheld": withheld_status,
            "monitor_imagery": [monitor_dates(record) if record else None for record in current],
            "verdict": verdicts,
            "verdict_label": [
                VERDICT_LABELS.get(verdict or "") if record else NO_STATUS for verdict, record in zip(verdicts, current)
            ],
            "published_by": [record.get("published_by") if record else None for record in current],
            "pending": [len(history.pending) if history else 0 for history in found],
            "status_history": [
                [
                    {
                        "observed_on": r.get("observed_on") or r.get("reported_on"),
                        "status": r.get("status"),
                        "published_by": r.get("published_by"),
                    }
                    for r in (history.confirmed if history else ())
                ]
                if record
                else []
                for history, record in zip(found, current)
            ],
            "before": [summary(pair.before, pair.before_coverage) if pair and pair.before else None for pair in joined],
            "after": [summary(pair.after, pair.after_coverage) if pair and pair.after else None for pair in joined],
            "evidence": [_evidence_urls(record) if record else [] for record in current],
            "type_label": [d or t for d, t in zip(detail, sites["type"].tolist())],
        },
        index=sites.index,
    )
    keep = [c for c in sites.columns if c not in extra.columns]
    return gpd.GeoDataFrame(sites[keep].join(extra), geometry="geometry", crs=sites.crs)
