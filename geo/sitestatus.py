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
    "history", "before", "after", "evidence", "sources", "page",
)


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
    return [e["url"] for e in record.get("evidence", []) if isinstance(e, Mapping) and e.get("url")]


def history_entry(record: Mapping[str, Any]) -> dict[str, Any]:
    """What a reader sees of one confirmed observation."""
    return {
        "observed_on": record.get("observed_on"), "status": record.get("status"),
        "published_by": record.get("published_by"), "note": record.get("note"),
        "before_scene": record.get("before_scene"), "after_scene": record.get("after_scene"),
        "evidence": _evidence_urls(record),
    }


def site_display(
    sites: gpd.GeoDataFrame,
    histories: Mapping[str, Any],
    imagery: Mapping[str, Any],
    page_prefix: str = "sites/",
) -> gpd.GeoDataFrame:
    """`sites` with the display fields of `SITE_FIELDS` added, one row per site."""
    rows = []
    for site in sites.itertuples(index=False):
        history = histories.get(site.id)
        current = history.current if history else None
        site_imagery = imagery.get(site.id)
        verdict = site_imagery.verdict if (site_imagery and current) else None
        before = after = None
        if site_imagery and current:
            before = scene_summary(site_imagery.before, site_imagery.before_coverage)
            after = scene_summary(site_imagery.after, site_imagery.after_coverage)
        rows.append(
            {
                "status": current["status"] if current else "unknown",
                "status_date": current.get("observed_on") if current else None,
                "verdict": verdict,
                "verdict_label": VERDICT_LABELS.get(verdict or "", None) if current else "no confirmed observation",
                "published_by": current.get("published_by") if current else None,
                "pending": len(history.pending) if history else 0,
                "history": [history_entry(h) for h in (history.confirmed if history else [])],
                "before": before,
                "after": after,
                "evidence": _evidence_urls(current) if current else [],
                "type_label": getattr(site, "type_detail", None) or site.type,
                "page": f"{page_prefix}{site.id}.html",
            }
        )
    extra = gpd.pd.DataFrame(rows, index=sites.index)
    keep = [c for c in sites.columns if c not in extra.columns]
    return gpd.GeoDataFrame(sites[keep].join(extra), geometry="geometry", crs=sites.crs)
