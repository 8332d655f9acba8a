"""The join, as a reader sees it: each site with its status, verdict and evidence.

Pure: takes the sites, each site's confirmed history (`geo.observations`) and
its imagery (`geo.join`), and returns the fields the map shows. A status is
shown only when a cited, confirmed observation backs it; a site with none is
`unknown`, and newer observations still under review are counted, not shown.
"""

from __future__ import annotations

from typing import Any, Mapping

import geopandas as gpd

VERDICT_LABELS = {
    "imagery-documented": "imagery-documented (before/after satellite pair)",
    "reported": "reported (not satellite-based)",
    "inconsistent": "inconsistent imagery record",
}

SITE_FIELDS = (
    "id", "name", "name_hy", "name_az", "type", "type_label", "settlement", "coord_precision",
    "status", "status_date", "verdict", "verdict_label", "published_by", "pending",
    "status_history", "before", "after", "evidence", "sources", "page",
)
"""The fields a map's popup shows. The full `history` (notes, scenes and evidence
of every observation) is for the site pages; a map carries `status_history`,
the date, status and publisher of each, for 100,000 sites in one page."""


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
        "id": item.get("id"), "date": scene_date(props), "provider": ", ".join(providers) or "unstated",
        "sensor": sensor, "gsd": props.get("gsd"), "coverage": coverage,
    }


def _evidence_urls(record: Mapping[str, Any]) -> list[str]:
    return [e["url"] for e in record.get("evidence") or () if isinstance(e, dict) and e.get("url")]


def history_entry(record: Mapping[str, Any]) -> dict[str, Any]:
    """What a reader sees of one confirmed observation."""
    return {
        "observed_on": record.get("observed_on"), "status": record.get("status"),
        "published_by": record.get("published_by"), "note": record.get("note"),
        "before_scene": record.get("before_scene"), "after_scene": record.get("after_scene"),
        "evidence": _evidence_urls(record),
    }


def status_entry(record: Mapping[str, Any]) -> dict[str, Any]:
    """One confirmed observation as a map's popup and timeline show it: date, status, publisher."""
    return {"observed_on": record.get("observed_on"), "status": record.get("status"), "published_by": record.get("published_by")}


_SHOWN = ("status", "status_date", "verdict", "verdict_label", "published_by", "pending", "history", "status_history",
          "before", "after", "evidence")


def site_display(
    sites: gpd.GeoDataFrame,
    histories: Mapping[str, Any],
    imagery: Mapping[str, Any],
    page_prefix: str = "sites/",
) -> gpd.GeoDataFrame:
    """`sites` with the display fields of `SITE_FIELDS` added, one row per site.

    Built column by column from plain lists: iterating a frame's rows costs
    pandas an object per cell, several seconds at 100,000 sites.
    """
    ids = sites["id"].tolist()
    detail = sites["type_detail"].tolist() if "type_detail" in sites.columns else [None] * len(ids)
    labels = [d or t for d, t in zip(detail, sites["type"].tolist())]
    shown = [_shown(histories.get(site_id), imagery.get(site_id)) for site_id in ids]
    extra = gpd.pd.DataFrame(
        {
            **{name: [row[index] for row in shown] for index, name in enumerate(_SHOWN)},
            "type_label": labels,
            "page": [f"{page_prefix}{site_id}.html" for site_id in ids],
        },
        index=sites.index,
    )
    keep = [c for c in sites.columns if c not in extra.columns]
    return gpd.GeoDataFrame(sites[keep].join(extra), geometry="geometry", crs=sites.crs)


def _shown(history: Any, site_imagery: Any) -> tuple[Any, ...]:
    """One site's values of `_SHOWN`: from its latest confirmed observation, or `unknown` without one."""
    current = history.current if history else None
    pending = len(history.pending) if history else 0
    if not current:
        return ("unknown", None, None, "no confirmed observation", None, pending, [], [], None, None, [])
    verdict = before = after = None
    if site_imagery:
        verdict = site_imagery.verdict
        before = scene_summary(site_imagery.before, site_imagery.before_coverage)
        after = scene_summary(site_imagery.after, site_imagery.after_coverage)
    return (
        current["status"], current.get("observed_on"), verdict, VERDICT_LABELS.get(verdict or ""),
        current.get("published_by"), pending, [history_entry(h) for h in history.confirmed],
        [status_entry(h) for h in history.confirmed], before, after, _evidence_urls(current),
    )
