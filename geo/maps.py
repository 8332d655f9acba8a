"""The maps a build publishes, composed from the loaded inputs.

Each function returns a `folium.Map` (or page text) and writes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, NamedTuple

import geopandas as gpd
import numpy as np

from geo import join, observations
from geo._gc import collector_paused
from geo.footprint_join import footprint_geometries
from geo.render import Overlay, PageMeta, Tiles, data_map
from geo.schema import STATUSES
from geo.sitestatus import SITE_FIELDS, scene_summary, site_display

if TYPE_CHECKING:
    import folium

    from geo.inputs import Inputs

TITLE = "Nagorno-Karabakh heritage map"
ABOUT = (
    "Armenian communities of Nagorno-Karabakh in August 2023, the Lachin corridor routes, "
    "and heritage sites with the status documented by monitors. Each status is backed by a cited "
    "observation and says whether before/after satellite imagery documents it or it is only reported. "
    "Points marked approximate stand for a settlement, not the site."
)
DATA_CREDITS: list[dict[str, str]] = [
    {
        "text": "Heritage statuses: Caucasus Heritage Watch (Cornell University / Purdue University)",
        "url": "https://caucasusheritage.cornell.edu/",
    },
    {"text": "Heritage alerts: Monument Watch", "url": "https://monumentwatch.org/"},
    {
        "text": (
            "Places, coordinates and populations: Wikipedia contributors (CC BY-SA 4.0) "
            "and the 2005 NKR census as tabulated by pop-stat.mashke.org"
        ),
        "url": "http://pop-stat.mashke.org/nkr-census.htm",
    },
    {"text": "Every source of every feature: data/SOURCES.md", "url": "data/SOURCES.md"},
]

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
    "part_of",
    "coord_precision",
    "coord_warning",
    "note",
    "sources",
)
ROUTE_FIELDS = ("id", "name", "kind", "active_from", "active_to", "geometry_precision", "waypoints", "sources")
FOOTPRINT_FIELDS = ("id", "date", "provider", "sensor", "gsd", "coverage")
PLACE_FIELDS = ("id", "name", "kind", "event_date", "coord_precision", "note", "sources")


class PublicView(NamedTuple):
    """What the public outputs show of the heritage sites."""

    sites: gpd.GeoDataFrame
    """Every site with its public status, verdict and display fields (`geo.sitestatus.site_display`)."""
    imagery: dict[str, join.SiteImagery]
    """Each site's join: covering scenes, pair, verdict."""
    histories: dict[str, observations.SiteHistory]
    """Each observed site's public history, redacted (`geo.observations.site_histories`)."""


def public_view(inputs: Inputs, page_prefix: str = "sites/") -> PublicView:
    """Every heritage site with its public status, verdict and imagery, each site's join and history.

    The join sees only confirmed public observations, so a verdict always
    belongs to the status shown, never to one still under review.
    """
    with collector_paused():
        histories = observations.site_histories(inputs.log, public_only=True)
        confirmed = [record for history in histories.values() for record in history.confirmed]
        imagery = join.site_imagery(inputs.sites, inputs.items, confirmed)
        return PublicView(site_display(inputs.sites, histories, imagery, page_prefix=page_prefix), imagery, histories)


def public_sites(inputs: Inputs, page_prefix: str = "sites/") -> gpd.GeoDataFrame:
    """Every heritage site with its public status, verdict and imagery."""
    return public_view(inputs, page_prefix).sites


def as_of(inputs: Inputs) -> str | None:
    """The data's as-of date: the newest public record in the monitors' log (a review is as public as its observation)."""
    newest = max(
        (str(r["recorded_at"]) for r, _, _ in observations.public_entries(inputs.log) if r.get("recorded_at")), default=None
    )
    return newest[:10] if newest else None


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


def overview_map(inputs: Inputs, sites: gpd.GeoDataFrame, tiles: Tiles = "osm") -> folium.Map:
    """`index.html`: communities, heritage sites by status (`public_sites`), routes, places, footprints."""
    statuses = sites["status"].to_numpy()
    held = inputs.communities[inputs.communities["in_aug_2023"] == True]  # noqa: E712 (column may hold None)
    lost = inputs.communities[inputs.communities["in_aug_2023"] != True]  # noqa: E712
    candidates = [
        Overlay("Communities, August 2023", "communities", held, COMMUNITY_FIELDS),
        Overlay("Settlements lost in 2020", "communities", lost, COMMUNITY_FIELDS, show=False),
        Overlay("Routes", "routes", inputs.routes, ROUTE_FIELDS),
        Overlay("Places", "places", inputs.places, PLACE_FIELDS),
        *(
            Overlay(f"Heritage sites: {status}", "sites", sites, SITE_FIELDS, rows=np.flatnonzero(statuses == status))
            for status in STATUSES
        ),
        Overlay("Imagery footprints", "footprints", footprint_frame(inputs.items), FOOTPRINT_FIELDS, show=False),
    ]
    overlays = [with_count(o) for o in candidates if o.located()]
    documented = int((sites["verdict"] == "imagery-documented").sum())
    reported = int((sites["verdict"] == "reported").sum())
    meta = PageMeta(
        title=TITLE,
        as_of=as_of(inputs),
        credits=DATA_CREDITS,
        about=ABOUT,
        status_counts=status_counts(sites),
        verdict_counts=f"Imagery-documented: {documented} · reported only: {reported}",
        unlocated=unlocated_names(inputs),
    )
    return data_map(overlays, meta, tiles)


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
