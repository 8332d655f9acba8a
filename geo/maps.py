"""The two whole-data maps a build publishes: the overview and the timeline.

Each function takes the loaded inputs and the public view of the sites
(`geo.sitestatus.public_view`) and returns a `folium.Map`; none writes a file
or knows where its page will be written. Links from a map to other pages
(a site's story) follow a pattern the caller gives.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np

from geo.anchor import anchor_text
from geo.context import context_layer
from geo.credits import ABOUT, DATA_CREDITS, INVENTORY_MONITORS, TITLE
from geo.footprint_join import footprint_geometries
from geo.payload import clean_value
from geo.render import Overlay, PageMeta, Tiles, TimelinePanel, data_map
from geo.schema import STATUSES, VERDICTS
from geo.sitestatus import SITE_FIELDS, VERDICT_LABELS, as_of_label, scene_summary

if TYPE_CHECKING:
    import folium

    from geo.inputs import Inputs
    from geo.sitestatus import PublicView

COMMUNITY_FIELDS = (
    "id",
    "name",
    "name_hy",
    "name_az",
    "name_ru",
    "province",
    "population",
    "population_year",
    "held_until",
    "in_aug_2023",
    "part_of",
    "coord_precision",
    "coord_warning",
    "note",
    "sources",
)
ROUTE_FIELDS = ("id", "name", "kind", "active_from", "active_to", "geometry_precision", "waypoints", "sources")
FOOTPRINT_FIELDS = ("id", "date", "provider", "sensor", "gsd", "coverage")
PLACE_FIELDS = ("id", "name", "kind", "event_date", "coord_precision", "note", "sources")
SITE_SEARCH_FIELDS = ("name_ru", "settlement_hy", "settlement_az", "settlement_ru")
"""What search reads of a site beyond what its popup shows: its Russian name and its settlement's other names."""
SEARCH_NAMES = ("name", "name_hy", "name_az", "name_ru", "settlement", "settlement_hy", "settlement_az", "settlement_ru")
UNLOCATED_KINDS = (("communities", "community"), ("sites", "heritage site"), ("places", "place"))


def status_counts(sites: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Sites per status, in vocabulary order, located or not."""
    counts = sites["status"].value_counts()
    return [{"status": status, "count": int(counts.get(status, 0))} for status in STATUSES]


def unlocated_features(inputs: Inputs, sites: gpd.GeoDataFrame, site_link: str | None = None) -> list[tuple[str, dict[str, Any]]]:
    """Every feature no source locates, in the order of the legend's list: its line there ('Name (layer)'), and
    what search knows of it (`geo.render.SearchBox`): its kind, id and names, a site's status and page
    (`site_link`), whether a community was held in August 2023, and `entry`, its line's position in the list.
    """
    found = []
    for (kind, label), frame in zip(UNLOCATED_KINDS, (inputs.communities, sites, inputs.places)):
        unlocated = frame[frame.geometry.isna()]
        fields = [f for f in ("id", *SEARCH_NAMES, "status", "in_aug_2023") if f in unlocated.columns]
        for row in unlocated[fields].to_dict("records"):
            record = {"kind": kind, **{key: value for key, value in map(_cleaned, row.items()) if value is not None}}
            if kind == "sites" and site_link is not None:
                record["page"] = site_link.format(id=record["id"])
            found.append((f"{row['name']} ({label})", record))
    found.sort(key=lambda pair: pair[0])
    return [(line, {**record, "entry": position}) for position, (line, record) in enumerate(found)]


def _cleaned(item: tuple[str, Any]) -> tuple[str, Any]:
    """A field and its value for JSON, an empty or missing value as None."""
    key, value = item
    value = clean_value(value)
    return key, None if value in ("", []) else value


def overview_map(inputs: Inputs, view: PublicView, tiles: Tiles = "osm", site_link: str | None = None) -> folium.Map:
    """`index.html`: communities, heritage sites by status, routes, places, footprints.

    `site_link` is the link from a site's popup to its story, with `{id}`
    standing for the site's id (e.g. `sites/{id}.html`); None gives no link.
    """
    sites = view.sites
    fields: tuple[str, ...] = (*SITE_FIELDS, *SITE_SEARCH_FIELDS)
    if site_link is not None:
        sites = sites.assign(page=[site_link.format(id=site_id) for site_id in sites["id"].tolist()])
        fields = (*fields, "page")
    statuses = sites["status"].to_numpy()
    held = inputs.communities[inputs.communities["in_aug_2023"] == True]  # noqa: E712 (column may hold None)
    lost = inputs.communities[inputs.communities["in_aug_2023"] != True]  # noqa: E712
    candidates = [
        Overlay("Communities, August 2023", "communities", held, COMMUNITY_FIELDS),
        Overlay("Settlements lost in 2020", "communities", lost, COMMUNITY_FIELDS, show=False),
        Overlay("Routes", "routes", inputs.routes, ROUTE_FIELDS),
        Overlay("Places", "places", inputs.places, PLACE_FIELDS),
        *(
            Overlay(f"Heritage sites: {status}", "sites", sites, fields, rows=np.flatnonzero(statuses == status))
            for status in STATUSES
        ),
        Overlay("Imagery footprints", "footprints", footprint_frame(inputs.items), FOOTPRINT_FIELDS, show=False),
    ]
    overlays = [with_count(o) for o in candidates if o.located()]
    unlocated = unlocated_features(inputs, view.sites, site_link)
    meta = PageMeta(
        title=TITLE,
        as_of=as_of_label(inputs.log),
        credits=DATA_CREDITS,
        about=ABOUT + inventory_text(inputs),
        status_counts=status_counts(sites),
        verdict_counts=verdict_counts(sites),
        unlocated=[line for line, _ in unlocated],
        anchor=anchor_text(inputs.log),
    )
    context = context_layer(inputs.communities, inputs.places, inputs.routes)
    return data_map(overlays, meta, tiles, context=context, unlocated=[record for _, record in unlocated])


def verdict_counts(sites: gpd.GeoDataFrame) -> str:
    """The legend's line of sites by evidence level (the join's verdicts)."""
    levels = sites["verdict"].value_counts()
    return " · ".join(f"{VERDICT_LABELS[v]}: {int(levels.get(v, 0))}" for v in VERDICTS if v != "inconsistent")


def inventory_text(inputs: Inputs) -> str:
    """How the inventory compares with the monitors' own published totals, each with its date and source."""
    totals = [t for t in inputs.monitor_totals if t.monitor in INVENTORY_MONITORS]
    if not totals:
        return ""
    return (
        f" This map holds {len(inputs.sites)} heritage sites, part of what the monitors documented: "
        + "; ".join(f"{t.monitor}, {t.as_of}: {t.claim} ({t.url})" for t in totals)
        + "."
    )


def timeline_map(inputs: Inputs, view: PublicView, tiles: Tiles = "osm") -> folium.Map:
    """`timeline.html`: routes, places and site statuses as they stood on a chosen day."""
    held = inputs.communities[inputs.communities["in_aug_2023"] == True]  # noqa: E712
    candidates = [
        Overlay("Communities, August 2023", "communities", held, COMMUNITY_FIELDS, show=False),
        Overlay("Routes", "routes", inputs.routes, ROUTE_FIELDS),
        Overlay("Places", "places", inputs.places, PLACE_FIELDS),
        Overlay("Heritage sites", "sites", view.sites, (*SITE_FIELDS, *SITE_SEARCH_FIELDS)),
    ]
    overlays = [with_count(o) for o in candidates if o.located()]
    meta = PageMeta(
        title=f"Timeline · {TITLE}", as_of=as_of_label(inputs.log), credits=[], deep_links=False, anchor=anchor_text(inputs.log)
    )
    fmap = data_map(overlays, meta, tiles, context=context_layer(inputs.communities, inputs.places, inputs.routes))
    TimelinePanel(timeline_payload(inputs, view.sites)).add_to(fmap)
    return fmap


def timeline_payload(inputs: Inputs, sites: gpd.GeoDataFrame) -> dict[str, Any]:
    """Dated events (with their sources) and the site status changes, in date order."""
    events = [
        {
            "date": row["date"],
            "event": row["event"],
            "figure": row.get("figure") or None,
            "unit": row.get("unit") or None,
            "sources": [s.strip() for s in (row.get("source") or "").split(";") if s.strip()],
        }
        for row in inputs.timeline
    ]
    changes = [
        {"date": str(h["observed_on"]).split("/")[0], "event": f"{name}: {h['status']}", "site": site_id, "status": h["status"]}
        for site_id, name, history in zip(sites["id"].tolist(), sites["name"].tolist(), sites["status_history"].tolist())
        for h in (history or [])
        if h.get("observed_on")
    ]
    dates = sorted({str(e["date"]).split("/")[0] for e in events} | {c["date"] for c in changes})
    return {
        "dates": dates,
        "events": events,
        "changes": sorted(changes, key=lambda c: (c["date"], c["site"])),
        "statuses": list(STATUSES),
    }


def with_count(overlay: Overlay) -> Overlay:
    """The overlay named with the number of its features drawn on the map."""
    return replace(overlay, name=f"{overlay.name} ({overlay.located()})")


def footprint_frame(items: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    """Scenes that have a footprint, as polygons with their metadata."""
    footprinted = [item for item in items if item.get("geometry")]
    if not footprinted:
        return gpd.GeoDataFrame({"id": []}, geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    rows = [scene_summary(item) or {} for item in footprinted]
    geometries = footprint_geometries([item["geometry"] for item in footprinted])
    return gpd.GeoDataFrame(rows, geometry=gpd.GeoSeries(geometries, crs="EPSG:4326"))
