"""The pages beside the two maps: a story page per site, and the embed pages, each from one template.

Pages are rendered by one Jinja environment with autoescaping on, data
passed as variables and never as template source (`geo/templates/`, one
skeleton `base.html` that every page extends). A site page holds no map
code: its small map is drawn by the shared `assets/site.js` from the page's
own JSON block, so 100,000 site pages cost a template each, not a folium tree
each. The functions return text and know no paths: the build says where a
page's shared assets and the overview are, relative to the page.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import shapely
import xyzservices.providers as xyz
from jinja2 import Environment, PackageLoader
from markupsafe import Markup, escape

from geo.credits import CREDIT_LINE, TILE_CREDITS, TITLE
from geo.links import is_web_url
from geo.payload import COORD_DECIMALS, script_json
from geo.schema import REGION_BOUNDS

if TYPE_CHECKING:
    from collections.abc import Mapping

    from geo.render import Tiles

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
SITE_MAP_ZOOM = 15
"""The closest the small map of a site page zooms to fit the site."""

SITE_STYLESHEETS = ("vendor/leaflet/leaflet.css", "vendor/leaflet-fullscreen/Control.FullScreen.css", "heritage.css")
SITE_SCRIPTS = ("vendor/leaflet/leaflet.js", "vendor/leaflet-fullscreen/Control.FullScreen.js", "heritage.js", "site.js")
MINIMAP_STYLESHEETS = ("vendor/leaflet-minimap/Control.MiniMap.min.css",)
MINIMAP_SCRIPTS = ("vendor/leaflet-minimap/Control.MiniMap.min.js",)
BUILD_INFO = "build-info.js"
"""The shared script (written by the build) that tells every site page the data's as-of date."""


def _link(url: Any) -> Markup:
    """A link for web URLs (`geo.links.is_web_url`), plain escaped text for anything else."""
    return _link_text(str(url))


@lru_cache(maxsize=65536)
def _link_text(text: str) -> Markup:
    """`_link` of one address, kept: one source is cited by thousands of sites, and a build renders all their pages."""
    escaped = escape(text)
    if is_web_url(text):
        return Markup(f'<a href="{escaped}" rel="noopener noreferrer">{escaped}</a>')
    return escaped


ENV = Environment(
    loader=PackageLoader("geo", "templates"),
    autoescape=True,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,  # a build renders each template 100,000 times: no stat of its file per render
)
ENV.globals["link"] = _link


@dataclass(frozen=True)
class Chips:
    """Before/after PNGs (paths relative to the site page) and the change score."""

    before: str
    after: str
    px: int
    score: float | None


@dataclass(frozen=True)
class PageLinks:
    """Where a page finds what it links to, relative to itself: the build's file layout, given to the page."""

    assets: str = "../assets/"
    overview: str = "../index.html"


def site_assets(tiles: Tiles) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The stylesheets and scripts (paths under the assets folder) a site page links."""
    if tiles == "none":
        return SITE_STYLESHEETS, (*SITE_SCRIPTS[:-1], BUILD_INFO, SITE_SCRIPTS[-1])
    return (*SITE_STYLESHEETS[:2], *MINIMAP_STYLESHEETS, SITE_STYLESHEETS[2]), (
        *SITE_SCRIPTS[:2],
        *MINIMAP_SCRIPTS,
        *SITE_SCRIPTS[2:-1],
        BUILD_INFO,
        SITE_SCRIPTS[-1],
    )


def basemaps(tiles: Tiles) -> dict[str, Any]:
    """The base layers a small map offers (from xyzservices), the one shown first, and its mini map."""
    if tiles == "none":
        return {"tiles": [], "minimap": None}
    osm, esri = xyz.OpenStreetMap.Mapnik, xyz.Esri.WorldImagery
    layers = [
        {
            "name": "OpenStreetMap",
            "url": osm.build_url(),
            "attribution": osm.html_attribution,
            "max_zoom": 19,
            "show": tiles == "osm",
        },
        {
            "name": "Satellite (Esri World Imagery)",
            "url": esri.build_url(),
            "attribution": esri.html_attribution,
            "max_zoom": 18,
            "show": tiles == "satellite",
        },
    ]
    return {
        "tiles": sorted(layers, key=lambda layer: not layer["show"]),
        "minimap": {"url": osm.build_url(), "attribution": osm.html_attribution},
    }


def build_info(tiles: Tiles, data_as_of: str | None, anchor: str = "") -> dict[str, Any]:
    """What every site page of a build shares, for `assets/build-info.js`: the data's as-of date, the published
    log's anchor (`geo.anchor.anchor_text`, said in each page's footer), the base layers and their credits. Kept out
    of the pages, so a new as-of date or a new record rewrites one small file, not every page.
    """
    credits = [TILE_CREDITS["osm"], TILE_CREDITS["satellite"]] if tiles != "none" else []
    return {"as_of": data_as_of, "anchor": anchor, "credits": credits, **basemaps(tiles)}


class SitePages:
    """Renders `sites/<id>.html` for one build: what every page shares is rendered once."""

    def __init__(self, tiles: Tiles, links: PageLinks | None = None) -> None:
        self.template = ENV.get_template("site.html")
        self.links = links or PageLinks()
        stylesheets, scripts = site_assets(tiles)
        shared = ENV.get_template("site_assets.html").module
        self.stylesheets = Markup(shared.stylesheets(self.links.assets, stylesheets))  # type: ignore[attr-defined]
        self.scripts = Markup(shared.scripts(self.links.assets, scripts))  # type: ignore[attr-defined]

    def render(self, site: Mapping[str, Any], history: list[dict[str, Any]], chips: Chips | None = None) -> str:
        """The story page of `site` (a row of the public view, `geo.sitestatus.site_display`, with its geometry),
        with its full `history` (`geo.sitestatus.site_history`) and its image chips.
        """
        geometry = site.get("geometry")
        point = geometry.representative_point() if geometry is not None and not geometry.is_empty else None
        page = {
            "title": f"{site['name']} · {TITLE}",
            "layer": "This site",
            "bounds": _bounds(geometry if point is not None else None),
            "max_zoom": SITE_MAP_ZOOM,
            "site": _feature(site, geometry) if point is not None else None,
        }
        scenes = [(role, site[role]) for role in ("before", "after") if site.get(role)]
        return self.template.render(
            lang="en",
            title=TITLE,
            overview=self.links.overview,
            stylesheets=self.stylesheets,
            scripts=self.scripts,
            page_json=Markup(script_json(page)),
            # A namespace, not a dict: Jinja reads `site.name` as an attribute first, and a dict's
            # failed attribute lookup cost a tenth of a page's time.
            site=SimpleNamespace(
                **site,
                lat=point.y if point else None,
                lon=point.x if point else None,
                history=history,
                current=current_entry(site, history),
            ),
            style=STATUS_STYLE.get(site.get("status") or "unknown", STATUS_STYLE["unknown"]),
            precision=PRECISION_TEXT.get(site.get("coord_precision") or "", "precision not stated"),
            scenes=scenes,
            chips=chips,
            credit_line=CREDIT_LINE,
        )


def current_entry(site: Mapping[str, Any], history: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The history entry whose status the page shows: the latest that no correction supersedes; none when the
    status is withheld for want of evidence (`geo.sitestatus`).
    """
    superseded = {h.get("supersedes") for h in history}
    standing = [h for h in history if h.get("id") not in superseded]
    return None if site.get("status_note") or not standing else standing[-1]


def _bounds(geometry: Any) -> list[list[float]]:
    """[[south, west], [north, east]] of a geometry; of the region when there is none."""
    west, south, east, north = geometry.bounds if geometry is not None else REGION_BOUNDS
    return [
        [round(south, COORD_DECIMALS), round(west, COORD_DECIMALS)],
        [round(north, COORD_DECIMALS), round(east, COORD_DECIMALS)],
    ]


SITE_MAP_FIELDS: tuple[str, ...] = (
    "id",
    "name",
    "name_hy",
    "name_az",
    "type_label",
    "settlement",
    "coord_precision",
    "status",
    "status_date",
    "status_when",
    "status_note",
    "verdict",
    "verdict_label",
    "published_by",
)
"""What the popup of a site page's small map shows: who and what the site is and its status; the story below it
holds the rest (history, scenes, evidence, sources), which the page does not carry twice."""


def _feature(site: Mapping[str, Any], geometry: Any) -> dict[str, Any]:
    """The site as the one-feature GeoJSON FeatureCollection its small map draws (the popup's fields)."""
    if geometry.geom_type == "Point":
        shape = {"type": "Point", "coordinates": [round(geometry.x, COORD_DECIMALS), round(geometry.y, COORD_DECIMALS)]}
    else:
        shape = shapely.geometry.mapping(shapely.set_precision(geometry, 10**-COORD_DECIMALS))
    properties = {name: value for name in SITE_MAP_FIELDS if (value := _plain(site.get(name))) not in (None, "", [])}
    return {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": shape, "properties": properties}]}


def _plain(value: Any) -> Any:
    """A JSON-ready value: NaN as None, numpy scalars as Python numbers (what pandas leaves in a row)."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        return value.item()
    return value


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
        lang="en",
        title=target.title,
        snippet=snippet,
        snippet_markup=Markup(snippet),
        ratio_label=f"{target.ratio[0]}:{target.ratio[1]}",
    )


def embed_index(targets: list[EmbedTarget]) -> str:
    """`embed/index.html`: every embeddable page and its snippet page."""
    entries = [{"title": t.title, "href": f"{t.name}.html"} for t in targets]
    return ENV.get_template("embed_index.html").render(lang="en", title=TITLE, entries=entries)
