"""The pages beside the overview: site stories, the timeline, and embed snippets.

Story text is rendered by Jinja with autoescaping on, with data passed as
variables and never as template source; the result enters the folium page as
literal HTML (`RawHTML`), so folium never parses it as a template either.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from geo.context import context_layer
from geo.links import is_web_url
from geo.maps import COMMUNITY_FIELDS, PLACE_FIELDS, ROUTE_FIELDS, TITLE, anchor_text, as_of_label, with_count
from geo.payload import clean_value
from geo.render import Overlay, PageMeta, Panel, Tiles, data_map
from geo.schema import STATUSES
from geo.sitestatus import SITE_FIELDS

if TYPE_CHECKING:
    from collections.abc import Mapping

    import folium
    import geopandas as gpd

    from geo.inputs import Inputs

STATUS_STYLE = {
    "destroyed": {"color": "#D55E00", "shape": "square", "label": "Destroyed"},
    "damaged": {"color": "#E69F00", "shape": "triangle", "label": "Damaged"},
    "threatened": {"color": "#CC79A7", "shape": "diamond", "label": "Threatened"},
    "intact": {"color": "#009E73", "shape": "circle", "label": "Intact"},
    "unknown": {"color": "#6E6E6E", "shape": "ring", "label": "Unknown"},
}
PRECISION_TEXT = {
    "site": "the point is at the site",
    "settlement": "approximate: the point is the settlement's, not the site's",
    "community": "approximate: the point is the community's the site belongs to",
    "approximate": "approximate",
}
CREDIT_LINE = (
    "Nagorno-Karabakh heritage map. Statuses: Caucasus Heritage Watch, Monument Watch and the sources cited; "
    "places: Wikipedia contributors (CC BY-SA); basemap © OpenStreetMap contributors."
)


def _link(url: Any) -> Markup:
    """A link for web URLs (`geo.links.is_web_url`), plain escaped text for anything else."""
    text = str(url)
    if is_web_url(text):
        return Markup('<a href="{0}" rel="noopener noreferrer">{0}</a>').format(text)
    return Markup("{0}").format(text)


ENV = Environment(loader=PackageLoader("geo", "templates"), autoescape=True, keep_trailing_newline=True)
ENV.globals["link"] = _link


@dataclass(frozen=True)
class Chips:
    """Before/after PNGs (paths relative to the site page) and the change score."""

    before: str
    after: str
    px: int
    score: float | None


def site_page(
    site: Mapping[str, Any],
    history: list[dict[str, Any]],
    sites: gpd.GeoDataFrame,
    data_as_of: str | None,
    tiles: Tiles,
    chips: Chips | None = None,
    anchor: str = "",
) -> folium.Map:
    """`sites/<id>.html`: the site on a small map, then its story with its full `history` (`geo.sitestatus.site_history`).

    `anchor` is the published log's anchor (`geo.maps.anchor_text`), said in the footer.
    """
    site = {key: value for key, value in clean_value(site).items() if key != "geometry"}
    frame = sites[sites["id"] == site["id"]]
    located = frame.geometry.notna().any()
    overlays = [Overlay("This site", "sites", frame, tuple(f for f in SITE_FIELDS if f != "page"))] if located else []
    meta = PageMeta(
        title=f"{site['name']} · {TITLE}",
        as_of=data_as_of,
        credits=[],
        deep_links=False,
        status_counts=[],
        verdict_counts="",
        unlocated=[],
        anchor=anchor,
    )
    fmap = data_map(overlays, meta, tiles, height="45vh", zoom=15)
    geometry = frame.geometry.iloc[0] if located else None
    point = geometry.representative_point() if geometry is not None else None
    scenes = [(role, site[role]) for role in ("before", "after") if site.get(role)]
    panel = ENV.get_template("site_panel.html").render(
        site={
            **site,
            "lat": point.y if point else None,
            "lon": point.x if point else None,
            "history": history,
            "current": current_entry(site, history),
        },
        style=STATUS_STYLE.get(site.get("status") or "unknown", STATUS_STYLE["unknown"]),
        precision=PRECISION_TEXT.get(site.get("coord_precision") or "", "precision not stated"),
        scenes=scenes,
        chips=chips,
        credit_line=CREDIT_LINE,
        anchor=anchor,
    )
    Panel(panel).add_to(fmap)
    return fmap


def current_entry(site: Mapping[str, Any], history: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The history entry whose status the page shows: the latest that no correction supersedes; none when the
    status is withheld for want of evidence (`geo.sitestatus`).
    """
    superseded = {h.get("supersedes") for h in history}
    standing = [h for h in history if h.get("id") not in superseded]
    return None if site.get("status_note") or not standing else standing[-1]


def timeline_map(inputs: Inputs, sites: gpd.GeoDataFrame, tiles: Tiles) -> folium.Map:
    """`timeline.html`: routes, places and site statuses as they stood on a chosen day."""
    held = inputs.communities[inputs.communities["in_aug_2023"] == True]  # noqa: E712
    candidates = [
        Overlay("Communities, August 2023", "communities", held, COMMUNITY_FIELDS, show=False),
        Overlay("Routes", "routes", inputs.routes, ROUTE_FIELDS),
        Overlay("Places", "places", inputs.places, PLACE_FIELDS),
        Overlay("Heritage sites", "sites", sites, SITE_FIELDS),
    ]
    overlays = [with_count(o) for o in candidates if o.located()]
    meta = PageMeta(
        title=f"Timeline · {TITLE}",
        as_of=as_of_label(inputs),
        credits=[],
        deep_links=False,
        status_counts=[],
        verdict_counts="",
        unlocated=[],
        anchor=anchor_text(inputs),
    )
    fmap = data_map(overlays, meta, tiles, context=context_layer(inputs.communities, inputs.places, inputs.routes))
    Panel("", timeline=timeline_payload(inputs, sites)).add_to(fmap)
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
        {
            "date": str(h["observed_on"]).split("/")[0],
            "event": f"{site.name}: {h['status']}",
            "site": site.id,
            "status": h["status"],
        }
        for site in sites.itertuples(index=False)
        for h in (site.status_history or [])
        if h.get("observed_on")
    ]
    dates = sorted({str(e["date"]).split("/")[0] for e in events} | {c["date"] for c in changes})
    return {
        "dates": dates,
        "events": events,
        "changes": sorted(changes, key=lambda c: (c["date"], c["site"])),
        "statuses": list(STATUSES),
    }


@dataclass(frozen=True)
class EmbedTarget:
    """A page a journalist may embed: where it is, what it is called, its shape."""

    name: str
    title: str
    href: str
    ratio: tuple[int, int] = (16, 10)


def embed_snippet(target: EmbedTarget, base_url: str) -> str:
    """The HTML a journalist pastes: a responsive iframe with a title and the credit line."""
    width, height = target.ratio
    src = html.escape(base_url + target.href, quote=True)
    title = html.escape(target.title, quote=True)
    return (
        f'<div style="position:relative;width:100%;padding-top:{100 * height / width:.2f}%;">'
        f'<iframe src="{src}" title="{title}" loading="lazy" allowfullscreen '
        f'style="position:absolute;top:0;left:0;width:100%;height:100%;border:0;"></iframe></div>\n'
        f'<p style="font-size:12px;color:#4a4a4a;">{html.escape(CREDIT_LINE)}</p>'
    )


def embed_page(target: EmbedTarget, base_url: str) -> str:
    """`embed/<name>.html`: the snippet to copy, and a live preview of it."""
    snippet = embed_snippet(target, base_url)
    return ENV.get_template("embed.html").render(
        title=target.title, snippet=snippet, snippet_markup=Markup(snippet), ratio_label=f"{target.ratio[0]}:{target.ratio[1]}"
    )


def embed_index(targets: list[EmbedTarget]) -> str:
    """`embed/index.html`: every embeddable page and its snippet page."""
    entries = [{"title": t.title, "href": f"{t.name}.html"} for t in targets]
    return ENV.get_template("embed_index.html").render(title=TITLE, entries=entries)
