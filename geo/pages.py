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
from urllib.parse import quote

import shapely
import xyzservices.providers as xyz
from jinja2 import Environment, PackageLoader
from markupsafe import Markup, escape

from geo.credits import (
    NO_DATE,
    SITE_DESCRIPTION,
    SITE_DESCRIPTION_UNKNOWN,
    TILE_CREDITS,
    TITLE,
    credit_line,
    credit_message,
    credit_sources_message,
)
from geo.evidence import date_message
from geo.i18n import N_, English, Message, attribute, message, message_markup, page_gettext, page_ngettext, text_marker, to_json
from geo.links import is_web_url, link_label
from geo.payload import COORD_DECIMALS, clean_value, script_json
from geo.render import EMBED_MODE_SCRIPT, social_meta
from geo.schema import REGION_BOUNDS
from geo.sitestatus import WITHHELD

if TYPE_CHECKING:
    from collections.abc import Mapping

    from geo.render import Tiles

STATUS_STYLE = {
    "destroyed": {"color": "#D55E00", "shape": "square", "label": N_("Destroyed")},
    "damaged": {"color": "#E69F00", "shape": "triangle", "label": N_("Damaged")},
    "threatened": {"color": "#CC79A7", "shape": "diamond", "label": N_("Threatened")},
    "intact": {"color": "#009E73", "shape": "circle", "label": N_("Intact")},
    "unknown": {"color": "#6E6E6E", "shape": "ring", "label": N_("Unknown")},
}
STATUS_WORDS = {
    "destroyed": N_("destroyed"),
    "damaged": N_("damaged"),
    "threatened": N_("threatened"),
    "intact": N_("intact"),
    "unknown": N_("unknown"),
}
"""A status within a sentence (a withheld status: "the latest observation (destroyed) cites no evidence...")."""
KINDS = {
    "archaeological": N_("archaeological site"),
    "bridge": N_("bridge"),
    "cemetery": N_("cemetery"),
    "church": N_("church"),
    "civic": N_("civic building"),
    "khachkar": N_("khachkar"),
    "memorial": N_("memorial"),
    "monastery": N_("monastery"),
    "monument": N_("monument"),
    "mosque": N_("mosque"),
    "other": N_("other heritage"),
    "village": N_("village"),
}
"""The kinds of heritage (`geo.schema`'s site types) as a site's page names them in the reader's language."""
PRECISION_TEXT = {
    "site": N_("the point is at the site"),
    "settlement": N_("approximate: the point is the settlement's, not the site's"),
    "community": N_("approximate: the point is the community's the site belongs to"),
    "approximate": N_("approximate"),
}
NO_PRECISION = N_("precision not stated")
SITE_LAYER = N_("This site")
SITE_TITLE = N_("{name} · {title}")
SITE_MAP_ZOOM = 15
"""The closest the small map of a site page zooms to fit the site."""

SITE_STYLESHEETS = ("vendor/leaflet/leaflet.css", "vendor/leaflet-fullscreen/Control.FullScreen.css", "heritage.css")
BUILD_INFO = "build-info.js"
"""The shared script (written by the build) that tells every site and embed page the data's as-of date."""
I18N_SCRIPTS = ("i18n/hy.js", "i18n/ru.js", "i18n.js")
"""The page's language and its catalogs (`geo.i18n`), loaded before the scripts that show text."""
EMBED_SCRIPTS = (*I18N_SCRIPTS, BUILD_INFO, "embed.js")
"""The scripts an embed page links (under the assets folder): the language, the build's data date, and the snippet's
maker."""
SITE_SCRIPTS = (
    "vendor/leaflet/leaflet.js",
    "vendor/leaflet-fullscreen/Control.FullScreen.js",
    *I18N_SCRIPTS,
    "heritage.js",
    "site.js",
)
MINIMAP_STYLESHEETS = ("vendor/leaflet-minimap/Control.MiniMap.min.css",)
MINIMAP_SCRIPTS = ("vendor/leaflet-minimap/Control.MiniMap.min.js",)


def _links(urls: Any) -> Markup:
    """Links (`_link`) in a row, for a sentence that cites them all."""
    return Markup(", ").join(_link(url) for url in urls or ())


def _time(value: Any) -> Markup:
    """A date as the sources give it, in a `<time>` the page's script shows in the reader's language."""
    if not value:
        return Markup("")
    return Markup(f'<time datetime="{escape(value)}">{escape(value)}</time>')


def _data(value: Any) -> Markup:
    """A value from the data in a sentence (a publisher, a record's id): isolated, and marked as the English the
    sources give it, whatever the page's language.
    """
    return Markup(f'<bdi lang="en">{escape(value)}</bdi>')


def _kind(kind: Any, detail: Any) -> Markup:
    """A site's kind: the data's own words in English (`type_detail`), shown in another language as its kind's
    name (`KINDS`), so a finding's word is the catalog's, never a machine's guess at the data's.
    """
    label = KINDS.get(str(kind or ""))
    text = escape(detail or kind or "")
    return Markup(f'<span data-t="{escape(label)}">{text}</span>') if label else Markup(f'<span lang="en">{text}</span>')


def _link(url: Any) -> Markup:
    """A link for web URLs (`geo.links.is_web_url`) showing its site's name (`geo.links.link_label`), plain escaped
    text for anything else.
    """
    return _link_text(str(url))


@lru_cache(maxsize=65536)
def _link_text(text: str) -> Markup:
    """`_link` of one address, kept: one source is cited by thousands of sites, and a build renders all their pages."""
    escaped = escape(text)
    if is_web_url(text):
        return Markup(f'<a href="{escaped}" rel="noopener noreferrer">{escape(link_label(text))}</a>')
    return escaped


ENV = Environment(
    loader=PackageLoader("geo", "templates"),
    autoescape=True,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,  # a build renders each template 100,000 times: no stat of its file per render
    extensions=["jinja2.ext.i18n"],
)
# Every interface string of the templates is written `{{ _("...") }}`, `{% trans %}` or `{{ _attr(...) }}`: the page is
# rendered once, in English, each string marked so the page's script shows it in the reader's language (geo/i18n.py).
ENV.install_gettext_callables(page_gettext, page_ngettext, newstyle=True)  # type: ignore[attr-defined]  # jinja2.ext.i18n
ENV.globals["_attr"] = attribute
ENV.globals["_text"] = text_marker
ENV.globals["msg"] = message_markup
ENV.globals["link"] = _link
ENV.globals["links"] = _links
ENV.globals["time"] = _time
ENV.globals["kind"] = _kind
ENV.globals["data"] = _data
ENV.globals["embed_mode_script"] = Markup(EMBED_MODE_SCRIPT)


@dataclass(frozen=True)
class Chips:
    """Before/after PNGs (paths relative to the site page) and the change score."""

    before: str
    after: str
    px: int
    score: float | None


@dataclass(frozen=True)
class PageLinks:
    """Where a page finds what it links to, relative to itself: the build's file layout, given to the page.

    `base` is the absolute address the site pages are published at (the build's `--base-url` and their folder),
    for the addresses a shared link previews; None when the build was given none.
    """

    assets: str = "../assets/"
    overview: str = "../index.html"
    base: str | None = None


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


def build_info(tiles: Tiles, data_as_of: str | None, anchor: Message | str = "") -> dict[str, Any]:
    """What every site page of a build shares, for `assets/build-info.js`: the data's as-of date, the published
    log's anchor (`geo.anchor.anchor_text`, said in each page's footer), the base layers and their credits. Kept out
    of the pages, so a new as-of date or a new record rewrites one small file, not every page.
    """
    credits = [TILE_CREDITS["osm"], TILE_CREDITS["satellite"]] if tiles != "none" else []
    return to_json({"as_of": data_as_of, "anchor": anchor, "credits": credits, **basemaps(tiles)})


class SitePages:
    """Renders `sites/<id>.html` for one build: what every page shares is rendered once."""

    def __init__(self, tiles: Tiles, links: PageLinks | None = None) -> None:
        self.template = ENV.get_template("site.html")
        self.links = links or PageLinks()
        self.credits = message_markup(credit_sources_message(tiles))  # the same on every page: marked once
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
            "title_message": message(SITE_TITLE, name=English(site["name"]), title=message(TITLE)).as_json(),
            "layer": SITE_LAYER,
            "bounds": _bounds(geometry if point is not None else None),
            "max_zoom": SITE_MAP_ZOOM,
            "site": _feature(site, geometry) if point is not None else None,
        }
        scenes = [(role, site[role]) for role in ("before", "after") if site.get(role)]
        style = STATUS_STYLE.get(site.get("status") or "unknown", STATUS_STYLE["unknown"])
        current = current_entry(site, history)
        page_name = f"{quote(str(site['id']), safe='')}.html"
        return self.template.render(
            lang="en",
            title=TITLE,
            overview=self.links.overview,
            page_name=page_name,
            stylesheets=self.stylesheets,
            scripts=self.scripts,
            social=Markup(self.social(site, current, style, page_name, chips)),
            page_json=Markup(script_json(page)),
            # A namespace, not a dict: Jinja reads `site.name` as an attribute first, and a dict's
            # failed attribute lookup cost a tenth of a page's time.
            site=SimpleNamespace(
                # A field the layer leaves empty is NaN in the frame's row: shown as nothing, never as "nan".
                **{name: None if isinstance(value, float) and math.isnan(value) else value for name, value in site.items()},
                lat=point.y if point else None,
                lon=point.x if point else None,
                history=history,
                current=current,
            ),
            style=style,
            precision=PRECISION_TEXT.get(site.get("coord_precision") or "", NO_PRECISION),
            scenes=scenes,
            chips=chips,
            credit_line=self.credits,
            when=date_message(current) if current else None,
            withheld=message(WITHHELD, status=message(STATUS_WORDS.get(str(site.get("status_withheld")), "unknown")))
            if site.get("status_withheld")
            else None,
            statuses=STATUS_STYLE,
            date_message=date_message,
        )

    def social(
        self, site: Mapping[str, Any], current: dict[str, Any] | None, style: dict[str, str], page: str, chips: Chips | None
    ) -> str:
        """What a link to the story shows when shared: its name, its status and the evidence, and its after-chip."""
        about = " · ".join(str(v) for v in (site.get("type_label"), site.get("settlement")) if v)
        if current:
            description = SITE_DESCRIPTION.format(
                status=style["label"], when=site.get("status_when") or "", evidence=site.get("verdict_label") or "", about=about
            )
        else:
            reason = site.get("status_note") or "no confirmed observation"
            description = SITE_DESCRIPTION_UNKNOWN.format(reason=reason, about=about)
        base = self.links.base
        image = (base + chips.after if base else chips.after) if chips else None
        return social_meta(
            f"{site['name']} · {TITLE}", description, url=base + page if base else None, image=image, kind="article"
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
    properties = {name: value for name in SITE_MAP_FIELDS if (value := clean_value(site.get(name))) not in (None, "", [])}
    return {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": shape, "properties": properties}]}


@dataclass(frozen=True)
class EmbedTarget:
    """A page a journalist may embed: its name, title and address (relative to the published folder), the page
    it stands for at full size, and its frame's shape: `ratio` (width:height) with a `min_height` in CSS pixels so
    a phone's narrow column still shows the map, or a fixed `height` (a site's card).
    """

    name: str
    title: str
    href: str
    ratio: tuple[int, int] | None = (16, 10)
    min_height: int = 420
    height: int | None = None
    full: str = ""
    label: Message | None = None
    """`title` as a message, for the page's language (None: `title` is the data's, shown as it is)."""

    @property
    def title_message(self) -> Message:
        """The title as the embed pages show it."""
        return self.label or Message(self.title)

    @property
    def src(self) -> str:
        """What the frame shows: the page in its embed mode."""
        return f"{self.href}?embed=1"


AS_OF_PLACEHOLDER = "{as_of}"
"""Where the embed page's script (`embed.js`) puts the data's as-of date into the credit line: the date is read from
`build-info.js`, so a new date rewrites that one file, not an embed page per site."""


def embed_snippet(target: EmbedTarget, base_url: str, credit: str) -> str:
    """The HTML a journalist pastes: a titled iframe that keeps its shape (or its height) at any width and never
    shrinks below a phone's usable height, and the credit line with a link to the full page.

    `base_url` is the published folder's address ("" for addresses relative to it) and `credit` the credit line.
    """
    src, full = (html.escape(base_url + href, quote=True) for href in (target.src, target.full or target.href))
    title = html.escape(target.title, quote=True)
    if target.height is not None:
        frame = f"position:relative;width:100%;height:{target.height}px;"
    else:
        width, height = target.ratio or (16, 10)
        frame = (
            "position:relative;box-sizing:border-box;width:100%;"
            f"padding-top:{100 * height / width:.2f}%;min-height:{target.min_height}px;"
        )
    return (
        f'<div style="{frame}">'
        f'<iframe src="{src}" title="{title}" loading="lazy" allowfullscreen '
        f'style="position:absolute;top:0;left:0;width:100%;height:100%;border:0;"></iframe></div>\n'
        f'<p style="font-size:12px;line-height:1.4;color:#4a4a4a;margin:4px 0 0;">{html.escape(credit)} '
        f'<a href="{full}" style="color:#0050a0;">{html.escape(OPEN_FULL)}</a></p>'
    )


OPEN_FULL = N_("Open the full map")
"""The link under an embed to the page it shows at full size."""
EMBED_LINKS = PageLinks(assets="../assets/", overview="../index.html")
"""Where an embed page (in `embed/`) finds the shared assets."""


def embed_page(target: EmbedTarget, base_url: str | None, tiles: Tiles) -> str:
    """`embed/<name>.html`: the snippet to copy (with a Copy button), and a live preview of it.

    The snippet is made by the page's script (`assets/embed.js`) from the template the page holds, whose
    addresses are relative to the published folder: it makes them absolute against `base_url` (the build's
    `--base-url`) or, when none was given, against the address the page itself was opened from; when neither is
    an http(s) address (a file opened from a disk) it says so and offers nothing to copy.
    """
    template = embed_snippet(target, "", _embed_credit(tiles))
    config = {
        "base": base_url,
        "root": "../",
        "as_of_placeholder": AS_OF_PLACEHOLDER,
        "no_date": NO_DATE,
        # What the snippet says, for a journalist who reads the page in another language: embed.js puts it in.
        "title": to_json(target.title_message),
        "credit": _embed_credit_json(tiles),
        "open_full": OPEN_FULL,
    }
    return ENV.get_template("embed.html").render(
        lang="en",
        title=target.title,
        label=target.title_message,
        snippet_template=Markup(template),
        config_json=Markup(script_json(config)),
        assets=EMBED_LINKS.assets,
        scripts=EMBED_SCRIPTS,
        shape=target.height,
        ratio_label=f"{target.ratio[0]}:{target.ratio[1]}" if target.ratio else None,
        min_height=target.min_height,
        social=Markup(social_meta(f"Embed: {target.title}", EMBED_DESCRIPTION)),
    )


@lru_cache(maxsize=4)
def _embed_credit(tiles: Tiles) -> str:
    """The embeds' credit line, with the date's placeholder: the same on every embed page of a build."""
    return credit_line(tiles, AS_OF_PLACEHOLDER)


@lru_cache(maxsize=4)
def _embed_credit_json(tiles: Tiles) -> dict[str, Any]:
    """`_embed_credit` as the message embed.js translates (made once: every embed page of a build shares it)."""
    return to_json(credit_message(tiles, AS_OF_PLACEHOLDER))


EMBED_DESCRIPTION = "A snippet to paste into an article: the map or a site's story in a frame, with its credit line."


def embed_index(targets: list[EmbedTarget]) -> str:
    """`embed/index.html`: every embeddable page and its snippet page."""
    entries = [{"title": t.title_message, "href": f"{t.name}.html"} for t in targets]
    return ENV.get_template("embed_index.html").render(
        lang="en",
        title=TITLE,
        entries=entries,
        social=Markup(social_meta(f"Embeds: {TITLE}", EMBED_DESCRIPTION)),
        assets=EMBED_LINKS.assets,
        scripts=I18N_SCRIPTS,
    )
