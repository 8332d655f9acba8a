"""Imagery: the monitoring gaps and the change proposals, as tables sortable by any column, linked to the sites."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from geo import chips, imagery, join, observations
from geo.errors import HeritageMapError
from geo.layers import read_layer
from geo.workspace.views._shared import data_error, workspace

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

DEFAULT_DAYS = 180
GAP_COLUMNS = ("site_id", "name", "newest_scene", "newest_date", "age_days", "coverage")
CHANGE_COLUMNS = ("site_id", "name", "score", "before", "after", "pair")
LABELS = {
    "site_id": _("Site"),
    "name": _("Name"),
    "newest_scene": _("Newest covering scene"),
    "newest_date": _("Its date"),
    "age_days": _("Age (days)"),
    "coverage": _("Coverage"),
    "score": _("Change score"),
    "before": _("Before scene"),
    "after": _("After scene"),
    "pair": _("Pair from"),
}


def sorted_rows(rows: list[dict[str, Any]], columns: tuple[str, ...], key: str | None, descending: bool) -> list[dict[str, Any]]:
    """`rows` by column `key` (empty values last, whichever the order); unknown keys leave the order as it is."""
    if key not in columns:
        return rows
    present = [r for r in rows if r.get(key) not in (None, "")]
    absent = [r for r in rows if r.get(key) in (None, "")]
    return sorted(present, key=lambda r: r[key], reverse=descending) + absent


def _sort_links(columns: tuple[str, ...], key: str | None, descending: bool, extra: str = "") -> list[dict[str, Any]]:
    links = []
    for column in columns:
        current = column == key
        order = "asc" if current and descending else "desc" if current else "asc"
        links.append(
            {
                "column": column,
                "label": LABELS[column],
                "href": f"?sort={column}&order={order}{extra}",
                "aria": ("descending" if descending else "ascending") if current else "none",
            }
        )
    return links


def _order(request: HttpRequest) -> tuple[str | None, bool]:
    return request.GET.get("sort"), request.GET.get("order") == "desc"


@require_GET
def gaps(request: HttpRequest) -> HttpResponse:
    """Sites with no covering scene newer than N days (default 180), or none at all: what to task next."""
    ws = workspace()
    try:
        days = max(0, int(request.GET.get("days", DEFAULT_DAYS)))
    except ValueError:
        days = DEFAULT_DAYS
    today = datetime.now(UTC).date()
    try:
        sites = read_layer(ws.data_dir, "heritage_sites")
        found = join.gaps(sites, imagery.read_catalog(ws.data_dir / "imagery.json"), today, days)
    except HeritageMapError as error:
        return data_error(request, error)
    key, descending = _order(request)
    rows = sorted_rows([{c: getattr(g, c) for c in GAP_COLUMNS} for g in found], GAP_COLUMNS, key, descending)
    context = {
        "rows": rows,
        "columns": _sort_links(GAP_COLUMNS, key, descending, f"&days={days}"),
        "days": days,
        "today": today,
        "total": len(sites),
    }
    return render(request, "workspace/gaps.html", context)


@require_GET
def changes(request: HttpRequest) -> HttpResponse:
    """Sites ranked by the change between their before and after rasters: proposals for review, never a status."""
    ws = workspace()
    try:
        sites = read_layer(ws.data_dir, "heritage_sites")
        items = imagery.read_catalog(ws.data_dir / "imagery.json")
        log = [r for r in observations.read_log(ws.log_path) if r.get("kind") == "observation"]
        joined = join.site_imagery(sites, items, log)
        items_by_id = {item["id"]: item for item in items}
        rows = []
        for site in sites.itertuples(index=False):
            pair = chips.local_pair(joined.get(site.id), items_by_id, ws.data_dir)
            if pair is None:
                continue
            before, after, origin = pair
            found = chips.site_change(site, before, after, ws.data_dir)
            rows.append(
                {
                    "site_id": site.id,
                    "name": site.name,
                    "score": found[3] if found else None,
                    "before": before["id"],
                    "after": after["id"],
                    "pair": origin,
                }
            )
    except HeritageMapError as error:
        return data_error(request, error)
    key, descending = _order(request)
    if key is None:
        key, descending = "score", True
    rows = sorted_rows(rows, CHANGE_COLUMNS, key, descending)
    return render(
        request,
        "workspace/changes.html",
        {"rows": rows, "columns": _sort_links(CHANGE_COLUMNS, key, descending), "total": len(sites)},
    )
