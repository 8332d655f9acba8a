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

from geo import timeline
from geo.anchor import anchor_message
from geo.context import TOWN_POPULATION, context_layer
from geo.credits import ABOUT, DATA_CREDITS, DEK, INVENTORY_MONITORS, TIMELINE_DEK, TIMELINE_TITLE, TITLE
from geo.footprint_join import footprint_geometries
from geo.i18n import N_, English, Message, message
from geo.outlets import outlet_name
from geo.payload import clean_value
from geo.reconcile import UNLOCATED_LABELS, UNLOCATED_TITLE, Reconciliation, reconcile
from geo.render import LAYER_COUNT, MapLinks, Overlay, PageMeta, Tiles, TimelinePanel, data_map
from geo.schema import STATUSES, VERDICTS
from geo.sitestatus import SITE_FIELDS, VERDICT_LABELS, as_of, as_of_message, scene_summary

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
    "group",
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
UNLOCATED_KINDS = (("communities", N_("community")), ("sites", N_("heritage site")), ("places", N_("place")))
UNLOCATED_LINE = N_("{name} ({what})")
"""A line of the legend's list of what is not on the map: the feature's name and what it is."""
SITE_LAYERS = {
    "destroyed": N_("Heritage sites: destroyed"),
    "damaged": N_("Heritage sites: damaged"),
    "threatened": N_("Heritage sites: threatened"),
    "intact": N_("Heritage sites: intact"),
    "unknown": N_("Heritage sites: unknown"),
}
ROUTES, PLACES, SITES, FOOTPRINTS = N_("Routes"), N_("Places"), N_("Heritage sites"), N_("Imagery footprints")
LEVEL_COUNT = N_("{level}: {count}")


def status_counts(sites: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Sites per status, in vocabulary order, located or not."""
    counts = sites["status"].value_counts()
    return [{"status": status, "count": int(counts.get(status, 0))} for status in STATUSES]


def unlocated_features(
    inputs: Inputs, sites: gpd.GeoDataFrame, reconciled: Reconciliation, site_link: str | None = None
) -> list[tuple[Message, dict[str, Any]]]:
    """Every feature no source locates, in the order of the legend's list: its line there ('Name (what it is)'; a
    settlement says which of the 107's groups it is in), and what search knows of it (`geo.render.SearchBox`): its
    kind, id and names, a site's status and page (`site_link`), whether a community was held in August 2023, and
    `entry`, its line's position in the list.
    """
    found = []
    for (kind, label), frame in zip(UNLOCATED_KINDS, (inputs.communities, sites, inputs.places)):
        unlocated = frame[frame.geometry.isna()]
        fields = [f for f in ("id", *SEARCH_NAMES, "status", "in_aug_2023") if f in unlocated.columns]
        for row in unlocated[fields].to_dict("records"):
            record = {"kind": kind, **{key: value for key, value in map(_cleaned, row.items()) if value is not None}}
            if kind == "sites" and site_link is not None:
                record["page"] = site_link.format(id=record["id"])
            what = UNLOCATED_LABELS[reconciled.group_of(str(row["id"]))] if kind == "communities" else label
            found.append((message(UNLOCATED_LINE, name=English(row["name"]), what=message(what)), record))
    found.sort(key=lambda pair: str(pair[0]))
    return [(line, {**record, "entry": position}) for position, (line, record) in enumerate(found)]


def _cleaned(item: tuple[str, Any]) -> tuple[str, Any]:
    """A field and its value for JSON, an empty or missing value as None."""
    key, value = item
    value = clean_value(value)
    return key, None if value in ("", []) else value


def unlocated_title(inputs: Inputs) -> Message:
    """The legend's heading for what is not on the map, saying what it counts."""
    settlements, sites, places = (int(f.geometry.isna().sum()) for f in (inputs.communities, inputs.sites, inputs.places))
    return message(UNLOCATED_TITLE, count=settlements + sites + places, settlements=settlements, sites=sites, places=places)


def community_overlays(communities: gpd.GeoDataFrame, reconciled: Reconciliation, story: bool = False) -> list[Overlay]:
    """The communities layer as the overlays named by `geo.reconcile`: the counted communities with the settlements
    within them; the settlements held in 2023 but not counted; the settlements lost in 2020 (hidden). The timeline
    (`story`) shows the first only: the people who left are theirs.
    """
    labels = reconciled.layer_messages()
    names = {key: str(label) for key, label in labels.items()}
    ids = communities["id"].astype(str).to_numpy() if len(communities) else np.array([], dtype=str)
    frame = communities.assign(group=[reconciled.group_of(i) for i in ids])

    def rows(*groups: tuple[str, ...]) -> np.ndarray:
        return np.flatnonzero(np.isin(ids, [i for group in groups for i in group]))

    key = (lambda name: "") if story else (lambda name: f"communities:{name}")  # the timeline has a legend of its own
    overlays = [
        Overlay(
            names["counted"],
            "communities",
            frame,
            COMMUNITY_FIELDS,
            rows=rows(reconciled.counted.ids, reconciled.parts.ids),
            legend=key("counted"),
            label=labels["counted"],
        )
    ]
    if not story:
        overlays += [
            Overlay(
                names["doubted"],
                "communities",
                frame,
                COMMUNITY_FIELDS,
                rows=rows(reconciled.doubted.ids),
                legend=key("doubted"),
                label=labels["doubted"],
            ),
            Overlay(
                names["lost"],
                "communities",
                frame,
                COMMUNITY_FIELDS,
                show=False,
                rows=rows(reconciled.lost.ids),
                legend=key("lost"),
                label=labels["lost"],
            ),
        ]
    return overlays


def overview_map(
    inputs: Inputs,
    view: PublicView,
    tiles: Tiles = "osm",
    site_link: str | None = None,
    timeline_link: str | None = None,
) -> folium.Map:
    """`index.html`: communities, heritage sites by status, routes, places, footprints.

    `site_link` is the link from a site's popup to its story, with `{id}`
    standing for the site's id (e.g. `sites/{id}.html`); None gives no link.
    `timeline_link` is the timeline's page (e.g. `timeline.html`): the map and
    each site's popup link to it at the same place and date.
    """
    sites = view.sites
    fields: tuple[str, ...] = (*SITE_FIELDS, *SITE_SEARCH_FIELDS)
    if site_link is not None:
        sites = sites.assign(page=[site_link.format(id=site_id) for site_id in sites["id"].tolist()])
        fields = (*fields, "page")
    statuses = sites["status"].to_numpy()
    reconciled = reconcile(inputs.communities)
    footprints = footprint_frame(inputs.items)
    candidates = [
        Overlay(ROUTES, "routes", inputs.routes, ROUTE_FIELDS, legend="routes"),
        Overlay(PLACES, "places", inputs.places, PLACE_FIELDS, legend="places"),
        *(
            Overlay(
                SITE_LAYERS[status],
                "sites",
                sites,
                fields,
                rows=np.flatnonzero(statuses == status),
                legend=f"sites:{status}",
            )
            for status in STATUSES
        ),
        Overlay(FOOTPRINTS, "footprints", footprints, FOOTPRINT_FIELDS, show=False, legend="footprints"),
    ]
    overlays = [
        *(o for o in community_overlays(inputs.communities, reconciled) if o.located()),
        *(with_count(o) for o in candidates if o.located()),
    ]
    unlocated = unlocated_features(inputs, view.sites, reconciled, site_link)
    meta = PageMeta(
        title=TITLE,
        dek=DEK,
        as_of=as_of_message(view.as_of, view.compiled),
        date=view.as_of,
        credits=DATA_CREDITS,
        about=[message(ABOUT), *inventory_message(inputs)],
        status_counts=status_counts(sites),
        verdict_counts=verdict_counts(sites),
        legend_summary=reconciled.summary_message(),
        legend_notes=reconciled.sentence_messages(),
        unlocated=[line for line, _ in unlocated],
        unlocated_title=unlocated_title(inputs),
        paired=paired_link(timeline_link, TIMELINE_LINK_TEXT, dated=True),
        legend=legend_counts(inputs, sites, footprints),
        anchor=anchor_message(view.anchor),
    )
    context = context_layer(inputs.communities, inputs.places, inputs.routes)
    fmap = data_map(overlays, meta, tiles, context=context, unlocated=[record for _, record in unlocated])
    if timeline_link is not None:
        MapLinks().add_to(fmap)
    return fmap


TIMELINE_LINK_TEXT = N_("Timeline: blockade, offensive, exodus, destruction")
OVERVIEW_LINK_TEXT = N_("Overview map")


def paired_link(href: str | None, text: str, dated: bool) -> dict[str, Any] | None:
    """The other map of the pair: where it is, the link's words, and whether it takes a date (the timeline does)."""
    return {"href": href, "text": text, "dated": dated} if href is not None else None


def _tally(located: Any) -> dict[str, int]:
    """How many of some features are drawn (located) and how many there are."""
    located = np.asarray(located, dtype=bool)
    return {"mapped": int(located.sum()), "total": len(located)}


def legend_counts(inputs: Inputs, sites: gpd.GeoDataFrame, footprints: gpd.GeoDataFrame | None = None) -> dict[str, Any]:
    """What the map's key counts, per entry: how many features are drawn (`mapped`) and how many the data holds
    (`total`), so the key says why a layer's count (the drawn ones) is smaller than the whole.

    Sites by status; routes by kind, with how many are drawn dashed (straight links between sourced waypoints);
    places by kind; scene footprints. The community layers' names say what they count (`geo.reconcile`).
    """
    site_located = sites.geometry.notna().to_numpy()
    statuses = sites["status"].to_numpy()
    routes = inputs.routes
    route_located = routes.geometry.notna().to_numpy()
    kinds = routes["kind"].to_numpy()
    dashed = (routes["geometry_precision"] == "waypoints").to_numpy() if "geometry_precision" in routes else route_located & False
    places = inputs.places
    place_located = places.geometry.notna().to_numpy()
    return {
        "sites": {status: _tally(site_located[statuses == status]) for status in STATUSES},
        "routes": {
            str(kind): {**_tally(route_located[kinds == kind]), "dashed": int((dashed & route_located)[kinds == kind].sum())}
            for kind in dict.fromkeys(kinds.tolist())
        },
        "places": {
            str(kind): _tally(place_located[places["kind"].to_numpy() == kind]) for kind in dict.fromkeys(places["kind"].tolist())
        },
        "footprints": _tally(np.ones(len(footprints) if footprints is not None else 0, dtype=bool)),
        "town_population": TOWN_POPULATION,
    }


def verdict_counts(sites: gpd.GeoDataFrame) -> list[Message]:
    """The legend's line of sites by evidence level (the join's verdicts), a message per level."""
    levels = sites["verdict"].value_counts()
    return [
        message(LEVEL_COUNT, level=message(VERDICT_LABELS[v]), count=int(levels.get(v, 0)))
        for v in VERDICTS
        if v != "inconsistent"
    ]


INVENTORY = N_("This map holds {count} heritage sites, part of what the monitors documented: {totals}.")
"""The credits' line setting the inventory beside the monitors' own totals (their words, as they published them)."""


def inventory_message(inputs: Inputs) -> list[Message]:
    """`inventory_text` as a message (none when no monitor's total is known): the totals are the monitors' words."""
    totals = [t for t in inputs.monitor_totals if t.monitor in INVENTORY_MONITORS]
    if not totals:
        return []
    claims = "; ".join(f"{t.monitor}, {t.as_of}: {t.claim} ({t.url})" for t in totals)
    return [message(INVENTORY, count=len(inputs.sites), totals=English(claims))]


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


def timeline_map(inputs: Inputs, view: PublicView, tiles: Tiles = "osm", overview_link: str | None = None) -> folium.Map:
    """`timeline.html`: the story in chapters, and the map as it stood on the chosen day.

    The communities fade as their people left, the routes and places show when they were in use, the sites take
    the status documented by that day. `overview_link` is the overview's page (e.g. `index.html`): the map and each
    site's popup link to it at the same place.
    """
    reconciled = reconcile(inputs.communities)
    candidates = [
        *community_overlays(inputs.communities, reconciled, story=True),
        with_count(Overlay(ROUTES, "routes", inputs.routes, ROUTE_FIELDS)),
        with_count(Overlay(PLACES, "places", inputs.places, PLACE_FIELDS)),
        with_count(Overlay(SITES, "sites", view.sites, (*SITE_FIELDS, *SITE_SEARCH_FIELDS))),
    ]
    overlays = [o for o in candidates if o.located()]
    meta = PageMeta(
        title=message(TIMELINE_TITLE, title=message(TITLE)),
        dek=TIMELINE_DEK,
        as_of=as_of_message(view.as_of, view.compiled),
        date=view.as_of,
        credits=[],
        paired=paired_link(overview_link, OVERVIEW_LINK_TEXT, dated=False),
        side_panels=True,
        anchor=anchor_message(view.anchor),
    )
    fmap = data_map(overlays, meta, tiles, context=context_layer(inputs.communities, inputs.places, inputs.routes))
    TimelinePanel(timeline_payload(inputs, view.sites, reconciled, view.as_of)).add_to(fmap)
    if overview_link is not None:
        MapLinks().add_to(fmap)
    return fmap


def timeline_payload(
    inputs: Inputs, sites: gpd.GeoDataFrame, reconciled: Reconciliation | None = None, evidence: str | None = None
) -> dict[str, Any]:
    """What timeline.js needs, in date order: the axis, the chapters, the events with their sources named by outlet,
    the arrivals count, the communities' departures, the sites' status changes and their running counts.

    Days are ISO dates (`YYYY-MM-DD`), compared as strings in the page. A row with a partial date is shown on its
    first day, an interval on its last (`geo.timeline.Row.day`). `evidence` is the data's as-of date
    (`geo.sitestatus.as_of`) when the caller has it.
    """
    reconciled = reconciled or reconcile(inputs.communities)
    rows = timeline.read_rows(inputs.timeline)
    history = list(zip(sites["id"].tolist(), sites["name"].tolist(), sites["status_history"].tolist()))
    changes = sorted(
        (
            {
                "date": str(h["observed_on"]),
                "day": shown_day(str(h["observed_on"])),
                "event": str(name),
                "site": site_id,
                "status": h["status"],
            }
            for site_id, name, entries in history
            for h in (entries or [])
            if h.get("observed_on")
        ),
        key=lambda c: (c["day"], c["site"]),
    )
    # The axis runs from the story's first row (or the first status, without rows) to the newest date of either.
    start = min((r.day for r in rows), default=changes[0]["day"] if changes else None)
    evidence = evidence or as_of(inputs.log)  # the public view has it already
    newest = max([r.day for r in rows] + [c["day"] for c in changes] + [evidence or ""]) or None
    later = [c["day"] for c in changes if start is not None and c["day"] >= start]
    destruction = (later[0], max(evidence or later[-1], later[-1])) if later else None
    chapters = timeline.chapters(rows, destruction)
    opening = next((c.start for c in chapters if c.name == "blockade"), start)
    arrivals = [
        {
            "day": r.day,
            "time": r.time,
            "figure": r.figure,
            "unit": r.unit,
            "source": source_entry(r.sources[0]) if r.sources else None,
        }
        for r in rows
        if r.kind == "arrivals"
    ]
    return {
        "start": start,
        "end": newest,
        "open": opening,
        "before_start": sum(1 for c in changes if start is not None and c["day"] < start),
        "chapters": [{"name": c.name, "start": c.start, "end": c.end, "turns": list(c.turns)} for c in chapters],
        "events": [
            {
                "date": r.date,
                "day": r.day,
                "time": r.time or None,
                "kind": r.kind,
                "chapter": r.chapter or None,
                "event": r.event,
                "figure": r.figure,
                "unit": r.unit or None,
                "sources": [source_entry(url) for url in r.sources],
            }
            for r in rows
        ],
        "arrivals": arrivals,
        "departed": departed(inputs.communities, rows),
        "changes": changes,
        "counts": status_counts_by_day(history),
        "statuses": list(STATUSES),
        "communities": [sentence.as_json() for sentence in reconciled.sentence_messages()[:1]],
    }


def source_entry(url: str) -> dict[str, str]:
    """A source as the timeline shows it: the outlet's name, linked to its page."""
    return {"url": url, "name": outlet_name(url)}


def shown_day(date: str) -> str:
    """The day from which a site's status shows, as `YYYY-MM-DD`: the date's first day, or the last of an interval
    (a window between two images says the change was seen by the second; timeline.js `shownDay` agrees).
    """
    last = date.rsplit("/", maxsplit=1)[-1]
    return last + "-01" * (2 - last.count("-")) if len(last) >= 4 else last


def departed(communities: gpd.GeoDataFrame, rows: list[timeline.Row]) -> dict[str, str]:
    """Each community whose own departure a source dates, and that day; a settlement within one (`part_of`) with it."""
    left = timeline.departures(rows)
    if "part_of" in communities.columns:
        for settlement, community in zip(communities["id"].astype(str), communities["part_of"].tolist()):
            if isinstance(community, str) and community in left:
                left.setdefault(settlement, left[community])
    return dict(sorted(left.items()))


def status_counts_by_day(history: list[tuple[str, str, list[dict[str, Any]] | None]]) -> list[list[Any]]:
    """How many sites show each status from each day their statuses change: `[day, count per STATUSES...]`.

    The same rule as the map's (timeline.js `timelineChooser`): on a day a site shows the status of the last entry
    of its history, oldest first, before the first entry dated after that day; a site with none shows nothing.
    """
    changes: dict[str, dict[str, int]] = {}
    for _, _, entries in history:
        reached, current = "", ""
        for entry in entries or []:
            date = shown_day(str(entry.get("observed_on") or ""))
            if not date:
                continue
            reached = max(reached, date)
            delta = changes.setdefault(reached, {})
            if current:
                delta[current] = delta.get(current, 0) - 1
            current = str(entry.get("status") or "unknown")
            delta[current] = delta.get(current, 0) + 1
    totals = dict.fromkeys(STATUSES, 0)
    series = []
    for day in sorted(changes):
        for status, change in changes[day].items():
            totals[status] = totals.get(status, 0) + change
        series.append([day, *(totals[s] for s in STATUSES)])
    return series


def with_count(overlay: Overlay) -> Overlay:
    """The overlay named with the number of its features drawn on the map."""
    count = overlay.located()
    return replace(
        overlay,
        name=f"{overlay.name} ({count})",
        label=message(LAYER_COUNT, layer=overlay.label or message(overlay.name), count=count),
    )


def footprint_frame(items: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    """Scenes that have a footprint, as polygons with their metadata."""
    footprinted = [item for item in items if item.get("geometry")]
    if not footprinted:
        return gpd.GeoDataFrame({"id": []}, geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    rows = [scene_summary(item) or {} for item in footprinted]
    geometries = footprint_geometries([item["geometry"] for item in footprinted])
    return gpd.GeoDataFrame(rows, geometry=gpd.GeoSeries(geometries, crs="EPSG:4326"))
