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
from geo.anchor import public_anchor
from geo.context import context_layer
from geo.evidence import newest_day
from geo.footprint_join import footprint_geometries
from geo.render import Overlay, PageMeta, Tiles, data_map
from geo.schema import STATUSES, VERDICTS
from geo.sitestatus import SITE_FIELDS, VERDICT_LABELS, scene_summary, site_display

if TYPE_CHECKING:
    import folium

    from geo.inputs import Inputs

TITLE = "Nagorno-Karabakh heritage map"
ABOUT = (
    "Armenian communities of Nagorno-Karabakh in August 2023, the Lachin corridor routes, "
    "and heritage sites with the status documented by monitors. Each status is backed by a cited "
    "observation with evidence and says what the evidence is: imagery here (a before/after satellite pair this map "
    "holds covers the site), imagery analysis by the monitor (its published finding compared satellite images), or "
    "reported (press, officials, photographs, video, testimony). "
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

INVENTORY_MONITORS = frozenset({"Caucasus Heritage Watch (CHW)", "Monument Watch (YSU)"})
"""The monitors whose own totals the map sets its inventory beside (officials' and press figures stay in SOURCES.md)."""

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
    """The data's as-of date: the date of the newest evidence among the public observations (not when it was compiled)."""
    days = (newest_day(r) for r in inputs.log if r.get("kind") == "observation" and r.get("visibility") == "public")
    newest = max((day for day in days if day), default=None)
    return newest.isoformat() if newest else None


def compiled_on(inputs: Inputs) -> str | None:
    """When the data was compiled: the newest public record written to the log (a review is as public as its observation)."""
    newest = max(
        (str(r["recorded_at"]) for r, _, _ in observations.public_entries(inputs.log) if r.get("recorded_at")), default=None
    )
    return newest[:10] if newest else None


def as_of_label(inputs: Inputs) -> str | None:
    """What every page says after "data as of": the newest evidence's date, with the compilation date beside it."""
    evidence, compiled = as_of(inputs), compiled_on(inputs)
    if evidence and compiled:
        return f"{evidence} (newest evidence; compiled {compiled})"
    return evidence or compiled


def anchor_text(inputs: Inputs) -> str:
    """What every page says of the published log's anchor (`geo.anchor.public_anchor`), for readers to check a copy."""
    anchor = public_anchor(inputs.log)
    return (
        f"Log anchor: {anchor.records} published records, head {anchor.head} "
        "(check a copy of the monitors' log against it: heritage-map verify --against MANIFEST.sha256)."
    )


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
    levels = sites["verdict"].value_counts()
    meta = PageMeta(
        title=TITLE,
        as_of=as_of_label(inputs),
        credits=DATA_CREDITS,
        about=ABOUT + inventory_text(inputs),
        status_counts=status_counts(sites),
        verdict_counts=" · ".join(f"{VERDICT_LABELS[v]}: {int(levels.get(v, 0))}" for v in VERDICTS if v != "inconsistent"),
        unlocated=unlocated_names(inputs),
        anchor=anchor_text(inputs),
    )
    return data_map(overlays, meta, tiles, context=context_layer(inputs.communities, inputs.places, inputs.routes))


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
