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
from geo.context import TOWN_POPULATION, context_layer
from geo.credits import ABOUT, DATA_CREDITS, DEK, INVENTORY_MONITORS, TIMELINE_DEK, TIMELINE_TITLE, TITLE
from geo.footprint_join import footprint_geometries
from geo.render import Overlay, PageMeta, Tiles, TimelinePanel, data_map
from geo.schema import STATUSES, VERDICTS
from geo.sitestatus import SITE_FIELDS, VERDICT_LABELS, as_of, as_of_label, scene_summary

if TYPE_CHECKING:
    import folium

    from geo.inputs import Inputs
    from geo.sitestatus import PublicView

COMMUNITY_FIELDS = (
    "id",
    "name",
    "name_hy",
    "name_az",
    "province",
    "population",
    "population_year",
    "held_until",
    "in_aug_2023",
    "counts_toward_107",
    "residents_2023",
    "part_of",
    "coord_precision",
    "coord_warning",
    "note",
    "sources",
)
ROUTE_FIELDS = ("id", "name", "kind", "active_from", "active_to", "geometry_precision", "waypoints", "sources")
FOOTPRINT_FIELDS = ("id", "date", "provider", "sensor", "gsd", "coverage")
PLACE_FIELDS = ("id", "name", "kind", "event_date", "coord_precision", "note", "sources")


def status_counts(sites: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Sites per status, in vocabulary order, located or not."""
    counts = sites["status"].value_counts()
    return [{"status": status, "count": int(counts.get(status, 0))} for status in STATUSES]


def unlocated_names(inputs: Inputs) -> list[str]:
    """'Name (layer)' for every feature no source locates."""
    names = []
    for label, frame in (("community", inputs.communities), ("heritage site", inputs.sites), ("place", inputs.places)):
        for row in frame[frame.geometry.isna()].itertuples(index=False):
            names.append(f"{row.name} ({label})")
    return sorted(names)


def overview_map(inputs: Inputs, view: PublicView, tiles: Tiles = "osm", site_link: str | None = None) -> folium.Map:
    """`index.html`: communities, heritage sites by status, routes, places, footprints.

    `site_link` is the link from a site's popup to its story, with `{id}`
    standing for the site's id (e.g. `sites/{id}.html`); None gives no link.
    """
    sites = view.sites
    fields: tuple[str, ...] = SITE_FIELDS
    if site_link is not None:
        sites = sites.assign(page=[site_link.format(id=site_id) for site_id in sites["id"].tolist()])
        fields = (*SITE_FIELDS, "page")
    statuses = sites["status"].to_numpy()
    held = inputs.communities[inputs.communities["in_aug_2023"] == True]  # noqa: E712 (column may hold None)
    lost = inputs.communities[inputs.communities["in_aug_2023"] != True]  # noqa: E712
    footprints = footprint_frame(inputs.items)
    candidates = [
        Overlay("Communities, August 2023", "communities", held, COMMUNITY_FIELDS, legend="communities:held"),
        Overlay("Settlements lost in 2020", "communities", lost, COMMUNITY_FIELDS, show=False, legend="communities:lost"),
        Overlay("Routes", "routes", inputs.routes, ROUTE_FIELDS, legend="routes"),
        Overlay("Places", "places", inputs.places, PLACE_FIELDS, legend="places"),
        *(
            Overlay(
                f"Heritage sites: {status}",
                "sites",
                sites,
                fields,
                rows=np.flatnonzero(statuses == status),
                legend=f"sites:{status}",
            )
            for status in STATUSES
        ),
        Overlay("Imagery footprints", "footprints", footprints, FOOTPRINT_FIELDS, show=False, legend="footprints"),
    ]
    overlays = [with_count(o) for o in candidates if o.located()]
    meta = PageMeta(
        title=TITLE,
        dek=DEK,
        as_of=as_of_label(inputs.log),
        date=as_of(inputs.log),
        credits=DATA_CREDITS,
        about=ABOUT + inventory_text(inputs),
        status_counts=status_counts(sites),
        verdict_counts=verdict_counts(sites),
        unlocated=unlocated_names(inputs),
        legend=legend_counts(inputs, sites, footprints),
        anchor=anchor_text(inputs.log),
    )
    return data_map(overlays, meta, tiles, context=context_layer(inputs.communities, inputs.places, inputs.routes))


def _tally(located: Any) -> dict[str, int]:
    """How many of some features are drawn (located) and how many there are."""
    located = np.asarray(located, dtype=bool)
    return {"mapped": int(located.sum()), "total": len(located)}


def legend_counts(inputs: Inputs, sites: gpd.GeoDataFrame, footprints: gpd.GeoDataFrame | None = None) -> dict[str, Any]:
    """What the map's key counts, per entry: how many features are drawn (`mapped`) and how many the data holds
    (`total`), so the key says why a layer's count (the drawn ones) is smaller than the whole.

    Sites by status; communities held in August 2023 counted among the 107 or not (`counts_toward_107`), and
    those lost in 2020; routes by kind, with how many are drawn dashed (straight links between sourced
    waypoints); places by kind; scene footprints.
    """
    communities = inputs.communities
    located = communities.geometry.notna().to_numpy()
    held = (communities["in_aug_2023"] == True).to_numpy()  # noqa: E712 (column may hold None)
    counted = (communities["counts_toward_107"] == True).to_numpy() if "counts_toward_107" in communities else held & False  # noqa: E712
    site_located = sites.geometry.notna().to_numpy()
    statuses = sites["status"].to_numpy()
    routes = inputs.routes
    route_located = routes.geometry.notna().to_numpy()
    dashed = (routes["geometry_precision"] == "waypoints").to_numpy() if "geometry_precision" in routes else route_located & False
    places = inputs.places
    place_located = places.geometry.notna().to_numpy()
    return {
        "sites": {status: _tally(site_located[statuses == status]) for status in STATUSES},
        "communities:held": {
            "counted": _tally(located[held & counted]),
            "uncounted": _tally(located[held & ~counted]),
        },
        "communities:lost": _tally(located[~held]),
        "routes": {
            str(kind): {
                **_tally(route_located[routes["kind"].to_numpy() == kind]),
                "dashed": int((dashed & route_located)[routes["kind"].to_numpy() == kind].sum()),
            }
            for kind in dict.fromkeys(routes["kind"].tolist())
        },
        "places": {
            str(kind): _tally(place_located[places["kind"].to_numpy() == kind]) for kind in dict.fromkeys(places["kind"].tolist())
        },
        "footprints": _tally(np.ones(len(footprints) if footprints is not None else 0, dtype=bool)),
        "town_population": TOWN_POPULATION,
    }


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
        Overlay("Communities, August 2023", "communities", held, COMMUNITY_FIELDS, show=False, legend="communities:held"),
        Overlay("Routes", "routes", inputs.routes, ROUTE_FIELDS, legend="routes"),
        Overlay("Places", "places", inputs.places, PLACE_FIELDS, legend="places"),
        Overlay("Heritage sites", "sites", view.sites, SITE_FIELDS, legend="sites"),
    ]
    overlays = [with_count(o) for o in candidates if o.located()]
    meta = PageMeta(
        title=TIMELINE_TITLE.format(title=TITLE),
        dek=TIMELINE_DEK,
        as_of=as_of_label(inputs.log),
        date=as_of(inputs.log),
        credits=[],
        legend=legend_counts(inputs, view.sites),
        deep_links=False,
        anchor=anchor_text(inputs.log),
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
