"""Map builders: data in, `folium.Map` out; they know no paths and write no files.

Data reaches the page only as JSON payloads (`geo.payload`) that
`geo/static/heritage.js` draws on one canvas, with popups built from DOM
text nodes. Nothing from a file or a person passes through folium's Popup,
Tooltip or a Jinja template.
"""

from __future__ import annotations

import copy
import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import folium
import folium.plugins
import numpy as np
import xyzservices.providers as xyz
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from geo.assets import Mode, localize
from geo.credits import TILE_CREDITS
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
    {{ this.kind|tojson }}, {{ this.layer_name|tojson }}, {{ this.geometry|tojson }});
{% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
{% endmacro %}"""
    )
    default_js: ClassVar[list[tuple[str, str]]] = [("heritage_js", "heritage.js")]
    default_css: ClassVar[list[tuple[str, str]]] = [("heritage_css", "heritage.css")]

    def __init__(self, data: dict[str, Any], kind: str, name: str, show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "DataLayer"
        self.kind = kind
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
    default_js: ClassVar[list[tuple[str, str]]] = [("heritage_js", "heritage.js")]
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

    def geometry(self) -> gpd.GeoSeries:
        """The geometries of the overlay's rows."""
        return self.frame.geometry if self.rows is None else self.frame.geometry.take(self.rows)

    def located(self) -> int:
        """How many of its rows have a location."""
        return int(self.geometry().notna().sum())


@dataclass(frozen=True)
class PageMeta:
    """What the page says about itself: title, as-of date, credits, legend."""

    title: str
    as_of: str | None
    credits: list[dict[str, str]]
    about: str = ""
    status_counts: list[dict[str, Any]] = field(default_factory=list)
    verdict_counts: str = ""
    legend_summary: str = ""
    legend_notes: list[str] = field(default_factory=list)
    """A note under the legend's summary line, folded: what the communities layer counts (`geo.reconcile`)."""
    unlocated: list[str] = field(default_factory=list)
    unlocated_title: str = ""
    deep_links: bool = True
    paired: dict[str, Any] | None = None
    """The other map of the pair (`geo.maps.paired_link`): the overview links to the timeline and back."""
    anchor: str = ""
    """The published log's anchor (`geo.anchor`), said in the credits: what a reader can check a copy against."""

    def as_json(self) -> dict[str, Any]:
        """The metadata as the JSON block heritage.js reads."""
        return {
            "title": self.title,
            "as_of": self.as_of,
            "credits": self.credits,
            "about": self.about,
            "status_counts": self.status_counts,
            "verdict_counts": self.verdict_counts,
            "legend_summary": self.legend_summary,
            "legend_notes": self.legend_notes,
            "unlocated": self.unlocated,
            "unlocated_title": self.unlocated_title,
            "deep_links": self.deep_links,
            "paired": self.paired,
            "anchor": self.anchor,
        }


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
            name="OpenStreetMap",
            max_zoom=19,
            show=tiles == "osm",
        )
        satellite = folium.TileLayer(
            tiles=xyz.Esri.WorldImagery.build_url(),
            attr=xyz.Esri.WorldImagery.html_attribution,
            name="Satellite (Esri World Imagery)",
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
    fmap = base_map(bounds, tiles, meta.title, height=height, max_zoom=zoom)
    for overlay, table in zip(overlays, overlay_tables(overlays)):
        DataLayer(table, overlay.kind, overlay.name, overlay.show).add_to(fmap)
    if context is not None:
        context.add_to(fmap)
    folium.LayerControl(collapsed=False, position="topright").add_to(fmap)
    credits = list(meta.credits)
    if tiles != "none":
        credits.append(TILE_CREDITS["osm"])
        credits.append(TILE_CREDITS["satellite"])
    Controller({**meta.as_json(), "credits": credits}).add_to(fmap)
    SearchBox(unlocated or []).add_to(fmap)
    return fmap


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
    text = text.replace("<html>", '<html lang="en">', 1)
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n", assets
