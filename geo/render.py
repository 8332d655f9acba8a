"""Map builders: data in, `folium.Map` out; they know no paths and write no files.

Data reaches the page only as JSON payloads (`geo.payload`) that
`geo/static/heritage.js` draws on one canvas, with popups built from DOM
text nodes. Nothing from a file or a person passes through folium's Popup,
Tooltip or a Jinja template.
"""

from __future__ import annotations

import copy
import html
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import folium
import folium.plugins
import numpy as np
import xyzservices.providers as xyz
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from geo.assets import Mode, localize
from geo.credits import AS_OF, TILE_CREDITS, TITLE
from geo.i18n import N_, Message, message_markup, to_json
from geo.payload import feature_tables, script_element, script_json

if TYPE_CHECKING:
    from collections.abc import Iterable

    import geopandas as gpd

Tiles = Literal["osm", "satellite", "none"]


def _figure(element: Element) -> Figure:
    """The page (branca Figure) an element belongs to."""
    root = element.get_root()
    assert isinstance(root, Figure), f"{element!r} is not on a page"
    return root


class RawHTML(Element):
    """Literal HTML rendered as is: never parsed as a Jinja template."""

    def __init__(self, text: str, name: str = "raw_html") -> None:
        super().__init__()
        self._name = name
        self.text = text

    def render(self, **kwargs: Any) -> str:
        """The text as it is."""
        return self.text


class DataLayer(folium.map.Layer):
    """One toggleable overlay drawn by heritage.js from one feature table (`geo.payload.feature_table`)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
var {{ this.get_name() }} = HeritageMap.dataLayer({{ this._parent.get_name() }}, {{ this.data_id|tojson }},
    {{ this.kind|tojson }}, {{ this.layer_name|tojson }}, {{ this.geometry|tojson }}, {{ this.legend|tojson }});
{% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
{% endmacro %}"""
    )
    default_js: ClassVar[list[tuple[str, str]]] = [("heritage_js", "heritage.js")]
    default_css: ClassVar[list[tuple[str, str]]] = [("heritage_css", "heritage.css")]

    def __init__(self, data: dict[str, Any], kind: str, name: str, show: bool = True, legend: str = "") -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "DataLayer"
        self.kind = kind
        self.legend = legend
        # The table as JSON text at once: one string, where the table's lists and
        # dicts would stay alive in folium's tree (which holds reference cycles)
        # until a garbage collection walked them all.
        self.payload = script_json(data)
        self.geometry = data["geometry"]["type"]
        self.data_id = ""

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # branca declares str; folium layers return None
        """Put the table in the page as a JSON block, then render the layer's script."""
        self.data_id = f"data-{self.get_name()}"
        figure = _figure(self)
        figure.html.add_child(RawHTML(script_element(self.data_id, self.payload)), name=self.data_id)
        super().render(**kwargs)


class Controller(MacroElement):
    """Search, legend, credits and deep links; added last, after every layer."""

    _template = Template(
        """{% macro script(this, kwargs) %}
HeritageMap.init({{ this._parent.get_name() }}, {{ this.meta_id|tojson }});
{% endmacro %}"""
    )
    default_js: ClassVar[list[tuple[str, str]]] = [("heritage_js", "heritage.js"), ("layout_js", "layout.js")]
    default_css: ClassVar[list[tuple[str, str]]] = [("heritage_css", "heritage.css")]

    def __init__(self, meta: dict[str, Any]) -> None:
        super().__init__()
        self._name = "Controller"
        self.payload = script_json(meta)  # text, as a DataLayer's table: nothing for page_html's copy to walk
        self.meta_id = ""

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # branca declares str; folium layers return None
        """Put the page's metadata in the page as a JSON block, then render the script."""
        self.meta_id = f"meta-{self.get_name()}"
        _figure(self).html.add_child(RawHTML(script_element(self.meta_id, self.payload)), name=self.meta_id)
        super().render(**kwargs)


class LayerPanel(folium.LayerControl):
    """The layer list with the map's key: each layer's symbols under its name, with what its count leaves out
    (`geo/static/legend.js`), foldable behind one button. Added after the `Controller`, whose metadata holds the
    legend's counts.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
var {{ this.get_name() }} = HeritageMap.layerPanel(
    { {%- for key, val in this.base_layers.items() %}{{ key|tojson }}: {{ val }}{{ ", " if not loop.last }}{%- endfor %} },
    { {%- for key, val in this.overlays.items() %}{{ key|tojson }}: {{ val }}{{ ", " if not loop.last }}{%- endfor %} },
    {{ this.options|tojson }}
).addTo({{ this._parent.get_name() }});
{% endmacro %}"""
    )
    default_js: ClassVar[list[tuple[str, str]]] = [("legend_js", "legend.js")]

    def __init__(self) -> None:
        super().__init__(position="topright", collapsed=False)
        self._name = "LayerPanel"


class SiteList(MacroElement):
    """The sites in the map's view as a list of buttons (`geo/static/layout.js`): how a keyboard or a screen reader
    reaches a marker, as the canvas draws no element per site. Added after the search box, to sit under it.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
HeritageMap.afterControls({{ this._parent.get_name() }}, {{ this.position|tojson }});
{% endmacro %}"""
    )
    default_js: ClassVar[list[tuple[str, str]]] = [("layout_js", "layout.js")]

    def __init__(self, position: str = "topleft") -> None:
        super().__init__()
        self._name = "SiteList"
        self.position = position


class TimelinePanel(MacroElement):
    """The timeline's slider and events, drawn by timeline.js from a JSON block (`geo.maps.timeline_payload`)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
HeritageMap.timeline({{ this._parent.get_name() }}, {{ this.timeline_id|tojson }});
{% endmacro %}"""
    )
    default_js: ClassVar[list[tuple[str, str]]] = [("timeline_js", "timeline.js")]
    default_css: ClassVar[list[tuple[str, str]]] = [("timeline_css", "timeline.css")]

    def __init__(self, timeline: dict[str, Any]) -> None:
        super().__init__()
        self._name = "TimelinePanel"
        self.payload = script_json(timeline)
        self.timeline_id = ""

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # branca declares str; folium layers return None
        """Put the timeline payload in the page, then render the script."""
        self.timeline_id = f"timeline-{self.get_name()}"
        _figure(self).html.add_child(RawHTML(script_element(self.timeline_id, self.payload)), name=self.timeline_id)
        super().render(**kwargs)


class MapLinks(MacroElement):
    """The link between the overview and the timeline, both ways (maplinks.js reads the page's `paired`)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
HeritageMap.mapLinks({{ this._parent.get_name() }});
{% endmacro %}"""
    )
    default_js: ClassVar[list[tuple[str, str]]] = [("maplinks_js", "maplinks.js")]

    def __init__(self) -> None:
        super().__init__()
        self._name = "MapLinks"


class SearchBox(MacroElement):
    """The search box (`geo/static/search.js`, MiniSearch) over the map's layers; added after them and the Controller.

    Its JSON block holds what search knows of the features no layer draws:
    `{"unlocated": [...]}`, each with its names, its kind and either its page
    or its line in the legend's list of features not on the map (`entry`).
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
HeritageMap.searchBox({{ this._parent.get_name() }}, {{ this.search_id|tojson }});
{% endmacro %}"""
    )
    default_js: ClassVar[list[tuple[str, str]]] = [
        ("minisearch", "vendor/minisearch/minisearch.js"),
        ("search_js", "search.js"),
    ]
    default_css: ClassVar[list[tuple[str, str]]] = [("search_css", "search.css")]

    def __init__(self, unlocated: list[dict[str, Any]]) -> None:
        super().__init__()
        self._name = "SearchBox"
        self.payload = script_json({"unlocated": unlocated})
        self.search_id = ""

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # branca declares str; folium layers return None
        """Put the unlocated features in the page as a JSON block, then render the script."""
        self.search_id = f"search-{self.get_name()}"
        _figure(self).html.add_child(RawHTML(script_element(self.search_id, self.payload)), name=self.search_id)
        super().render(**kwargs)


@dataclass(frozen=True)
class Overlay:
    """A layer to draw: its rows, the fields its popups show, and whether it starts visible.

    `rows` (positions in `frame`, None for all) lets several overlays show
    parts of one frame, which is then encoded once (`geo.payload.feature_tables`).
    """

    name: str
    kind: str
    frame: gpd.GeoDataFrame
    fields: tuple[str, ...]
    show: bool = True
    rows: np.ndarray | None = field(default=None, compare=False)
    legend: str = ""
    label: Message | None = field(default=None, compare=False)
    """`name` as a message the page translates (None: `name` is a message id itself)."""
    """Which entry of the page's legend (`PageMeta.legend`) is this layer's key: `sites:<status>`, `sites` (every
    status), `communities:held`, `communities:lost`, `routes`, `places`, `footprints`."""

    def geometry(self) -> gpd.GeoSeries:
        """The geometries of the overlay's rows."""
        return self.frame.geometry if self.rows is None else self.frame.geometry.take(self.rows)

    def located(self) -> int:
        """How many of its rows have a location."""
        return int(self.geometry().notna().sum())


@dataclass(frozen=True)
class PageMeta:
    """What the page says about itself: title, as-of date, credits, legend."""

    title: str | Message
    as_of: str | Message | None
    credits: list[dict[str, str]]
    dek: str | Message = ""
    date: str | None = None
    """The data's as-of date alone (`as_of` is the full label, with the compilation date)."""
    about: str | Message | list[Message] = ""
    status_counts: list[dict[str, Any]] = field(default_factory=list)
    verdict_counts: str | list[Message] = ""
    legend_summary: str | Message = ""
    legend_notes: list[str] | list[Message] = field(default_factory=list)
    """A note under the legend's summary line, folded: what the communities layer counts (`geo.reconcile`)."""
    unlocated: list[str] | list[Message] = field(default_factory=list)
    unlocated_title: str | Message = ""
    legend: dict[str, Any] = field(default_factory=dict)
    deep_links: bool = True
    side_panels: bool = False
    """The page has a panel of its own on the left (the timeline's): the layer list starts folded at every width
    and the list of sites in view goes to the right, under it."""
    paired: dict[str, Any] | None = None
    """The other map of the pair (`geo.maps.paired_link`): the overview links to the timeline and back."""
    anchor: str | Message = ""
    """The published log's anchor (`geo.anchor`), said in the credits: what a reader can check a copy against."""
    layer_names: dict[str, Any] = field(default_factory=dict)
    """Each layer's name in the layer list (English) and the message the page shows for it (`data_map` fills it)."""

    def as_json(self) -> dict[str, Any]:
        """The metadata as the JSON block heritage.js reads."""
        return to_json(
            {
                "title": str(self.title),
                "title_message": self.title,
                "dek": self.dek,
                "as_of": self.as_of,
                "date": self.date,
                "credits": self.credits,
                "about": self.about,
                "status_counts": self.status_counts,
                "verdict_counts": self.verdict_counts,
                "legend_summary": self.legend_summary,
                "legend_notes": self.legend_notes,
                "unlocated": self.unlocated,
                "unlocated_title": self.unlocated_title,
                "legend": self.legend,
                "deep_links": self.deep_links,
                "side_panels": self.side_panels,
                "paired": self.paired,
                "anchor": self.anchor,
                "layer_names": self.layer_names,
            }
        )


def base_map(
    bounds: tuple[float, float, float, float] | None, tiles: Tiles, title: str, height: str = "100%", max_zoom: int = 14
) -> folium.Map:
    """An empty map with the chosen base layers, scale, full screen and a mini map."""
    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=True, zoom_control=True, height=height)
    figure = fmap.get_root()
    assert isinstance(figure, Figure)
    figure.title = html.escape(title)
    if tiles != "none":
        osm = folium.TileLayer(
            tiles=xyz.OpenStreetMap.Mapnik.build_url(),
            attr=xyz.OpenStreetMap.Mapnik.html_attribution,
            name=BASEMAP_OSM,
            max_zoom=19,
            show=tiles == "osm",
        )
        satellite = folium.TileLayer(
            tiles=xyz.Esri.WorldImagery.build_url(),
            attr=xyz.Esri.WorldImagery.html_attribution,
            name=BASEMAP_SATELLITE,
            max_zoom=18,
            show=tiles == "satellite",
        )
        for layer in sorted((osm, satellite), key=lambda layer: not layer.show):
            layer.add_to(fmap)
        folium.plugins.MiniMap(
            tile_layer=folium.TileLayer(
                tiles=xyz.OpenStreetMap.Mapnik.build_url(), attr=xyz.OpenStreetMap.Mapnik.html_attribution
            ),
            toggle_display=True,
            position="bottomright",
        ).add_to(fmap)
    folium.plugins.Fullscreen(position="topleft", title="Full screen", title_cancel="Leave full screen").add_to(fmap)
    if bounds is not None:
        west, south, east, north = bounds
        fmap.fit_bounds([[south, west], [north, east]], padding=(20, 20), max_zoom=max_zoom)
    return fmap


BASEMAP_OSM = N_("OpenStreetMap")
BASEMAP_SATELLITE = N_("Satellite (Esri World Imagery)")
LAYER_COUNT = N_("{layer} ({count})")
"""A layer's name in the layer list with the number of its features drawn."""


def layer_names(overlays: Iterable[Overlay], tiles: Tiles) -> dict[str, Any]:
    """What the layer list shows for each layer's (English) name: its message, for the page's language."""
    names: dict[str, Any] = {} if tiles == "none" else {BASEMAP_OSM: BASEMAP_OSM, BASEMAP_SATELLITE: BASEMAP_SATELLITE}
    for overlay in overlays:
        names[overlay.name] = overlay.label or overlay.name
    return names


def data_map(
    overlays: Iterable[Overlay],
    meta: PageMeta,
    tiles: Tiles = "osm",
    height: str = "100%",
    zoom: int = 14,
    context: folium.map.Layer | None = None,
    unlocated: list[dict[str, Any]] | None = None,
) -> folium.Map:
    """A map of `overlays` with a layer control, legend, search and credits; `zoom` caps the fit.

    `context` (`geo.context.context_layer`) draws borders and place names with or without tiles;
    `unlocated` is what search knows of the features no overlay draws (`SearchBox`).
    """
    overlays = list(overlays)
    boxes = [geometry.dropna().total_bounds for o in overlays if (geometry := o.geometry()).notna().any()]
    bounds = None
    if boxes:
        stacked = np.array(boxes)
        bounds = (*stacked[:, :2].min(axis=0).tolist(), *stacked[:, 2:].max(axis=0).tolist())
    meta = replace(meta, layer_names={**layer_names(overlays, tiles), **meta.layer_names})
    fmap = base_map(bounds, tiles, str(meta.title), height=height, max_zoom=zoom)
    page_header(fmap, meta)
    for overlay, table in zip(overlays, overlay_tables(overlays)):
        DataLayer(table, overlay.kind, overlay.name, overlay.show, overlay.legend).add_to(fmap)
    if context is not None:
        context.add_to(fmap)
        meta.layer_names.setdefault(context.layer_name, context.layer_name)
    credits = list(meta.credits)
    if tiles != "none":
        credits.append(TILE_CREDITS["osm"])
        credits.append(TILE_CREDITS["satellite"])
    Controller({**meta.as_json(), "credits": credits, "tiles": tiles}).add_to(fmap)
    SearchBox(unlocated or []).add_to(fmap)
    LayerPanel().add_to(fmap)
    SiteList("topright" if meta.side_panels else "topleft").add_to(fmap)
    return fmap


def page_header(fmap: folium.Map, meta: PageMeta) -> None:
    """The page's visible title and dek before the map (the page's one `h1`), and what a shared link previews."""
    figure = _figure(fmap)
    date = meta.date or meta.as_of
    description = f"{meta.dek} {AS_OF.format(as_of=date)}" if date else str(meta.dek)
    figure.header.add_child(RawHTML(EMBED_MODE_SCRIPT + "\n" + social_meta(str(meta.title), description)), name="hm_head")
    # English as written, marked so the page's script shows it in the reader's language (geo/i18n.py).
    masthead = (
        f'<header class="hm-masthead"><h1 class="hm-title">{message_markup(meta.title)}</h1>'
        + (f'<p class="hm-dek">{message_markup(meta.dek)}</p>' if meta.dek else "")
        + "</header>"
    )
    figure.html.add_child(RawHTML(masthead), name="hm_masthead", index=0)  # before the map's own element


EMBED_MODE_SCRIPT = (
    "<script>if (/(?:^|&)embed=1(?:&|$)/.test(location.search.slice(1))) "
    'document.documentElement.classList.add("hm-embed");</script>'
)
"""Marks the page as embedded (`?embed=1`) before anything is drawn, so its stylesheet lays it out as an embed
from the first paint (controls folded, a site's story as a card)."""


def social_meta(title: str, description: str, *, url: str | None = None, image: str | None = None, kind: str = "website") -> str:
    """The description and OpenGraph tags of a page: what a link to it shows when shared (text escaped here)."""
    tags = [
        ("name", "description", description),
        ("property", "og:type", kind),
        ("property", "og:site_name", TITLE),
        ("property", "og:title", title),
        ("property", "og:description", description),
    ]
    if url:
        tags.append(("property", "og:url", url))
    if image:
        tags.append(("property", "og:image", image))
    tags.append(("name", "twitter:card", "summary_large_image" if image else "summary"))
    return "\n".join(f'<meta {kind_}="{name}" content="{html.escape(value, quote=True)}">' for kind_, name, value in tags)


def overlay_tables(overlays: list[Overlay]) -> list[dict[str, Any]]:
    """Each overlay's feature table, every frame encoded once however many overlays show parts of it."""
    groups: dict[tuple[int, tuple[str, ...]], list[int]] = {}
    for position, overlay in enumerate(overlays):
        groups.setdefault((id(overlay.frame), overlay.fields), []).append(position)
    tables: list[dict[str, Any]] = [{}] * len(overlays)
    for positions in groups.values():
        first = overlays[positions[0]]
        made = feature_tables(first.frame, first.fields, [overlays[p].rows for p in positions])
        for position, table in zip(positions, made):
            tables[position] = table
    return tables


VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'
_FOLIUM_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>')


def fix_element_ids(root: Element, prefix: str = "hm") -> None:
    """Replace folium's random element ids under `root` by ordinal ones, so builds are byte-identical."""
    counter = 0

    def visit(element: Element) -> None:
        nonlocal counter
        element._id = f"{prefix}{counter:04d}"
        counter += 1
        # A mini map holds its tile layer as an attribute, not as a child.
        for child in [*element._children.values(), getattr(element, "tile_layer", None)]:
            if isinstance(child, Element):
                visit(child)

    visit(root)


def page_html(fmap: folium.Map, mode: Mode = "inline") -> tuple[str, list[str]]:
    """The page of `fmap` with every asset local, and the asset paths (under `geo/static`) it needs.

    `inline` puts every script and stylesheet in the page; `link` links them
    as `assets/<path>`, relative to the page (the build writes such pages at
    the top of the output folder and copies the assets beside them). The map
    is not changed: folium adds to a page's tree as it renders, so a copy is
    rendered, and a second call gives the same bytes.
    """
    figure = copy.deepcopy(_figure(fmap))
    assets = localize(figure, mode)
    fix_element_ids(figure)
    text = figure.render()
    text = text.replace("<html>", '<html lang="en" class="hm-map-page">', 1)
    # folium's viewport forbids zooming the page (user-scalable=no), which low-vision readers need (WCAG 1.4.4);
    # the map itself still takes pinches as its own zoom.
    text, replaced = _FOLIUM_VIEWPORT.subn(VIEWPORT, text, count=1)
    assert replaced == 1, "folium no longer writes its viewport tag: check geo.render.page_html"
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n", assets
