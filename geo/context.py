"""Geography without the network: country borders and place names, drawn with no basemap tiles.

Offline, or built with `--tiles none`, a map would otherwise be coloured
symbols on grey. The context layer gives it the countries (land, borders and
names, from Natural Earth 1:10m as the npm package `world-atlas` ships it, as
TopoJSON) and the names of the larger places as labels that need no hover.

Build time (here): the vendored TopoJSON is read with GDAL's TopoJSON driver
(pyogrio), clipped to `CONTEXT_BOUNDS` and turned back into a small, quantized
TopoJSON topology with the `topojson` package, whose simplification works on
the shared arcs, so neighbours' edges stay one line. The labels come from the
layers' own points and names (`place_labels`). Browser (`geo/static/context.js`):
topojson-client decodes the topology; the land and borders are drawn under the
basemap, and the labels above the data, decluttered by screen box.

Natural Earth draws no line around Nagorno-Karabakh, and no layer in
`data/layers` holds a sourced 2020 line of contact, so none is drawn.
"""

from __future__ import annotations

import functools
import math
import re
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

import folium
import shapely
from branca.element import Figure
from jinja2 import Template

from geo.assets import STATIC
from geo.credits import BORDERS_SOURCE
from geo.errors import AssetError
from geo.i18n import N_
from geo.payload import script_element, script_json
from geo.render import RawHTML
from geo.schema import REGION_BOUNDS

if TYPE_CHECKING:
    from collections.abc import Iterator

    import geopandas as gpd

WORLD_ATLAS = STATIC / "vendor" / "world-atlas" / "countries-10m.json"

MARGIN_DEGREES = 1.5
"""How far the borders reach beyond the region every feature lies in (`geo.schema.REGION_BOUNDS`): a map
fitted to the data and zoomed out once (zoom 8, a 1280-pixel-wide window) still shows no cut edge."""
CONTEXT_BOUNDS: tuple[float, float, float, float] = (
    REGION_BOUNDS[0] - MARGIN_DEGREES,
    REGION_BOUNDS[1] - MARGIN_DEGREES,
    REGION_BOUNDS[2] + MARGIN_DEGREES,
    REGION_BOUNDS[3] + MARGIN_DEGREES,
)
SIMPLIFY_DEGREES = 0.001
"""Douglas–Peucker tolerance on the shared arcs: 1.5 pixels at zoom 11, and well under the grid world-atlas
itself is quantized on (0.0036° × 0.0017°, about 300 × 190 m), so the map shows the 1:10m lines as they are."""
BORDER_MAX_ZOOM = 10
"""The last zoom the borders are drawn at. The 1:10m line is generalised: Kornidzor, a border village, falls
0.5 km on Natural Earth's Azerbaijani side, which is 4 pixels at zoom 10 and 8 at zoom 11."""
QUANTIZE = 20_000
"""Grid of the topology across `CONTEXT_BOUNDS`: steps of about 0.0004° (35 m), finer than the simplification."""

COUNTRY_NAMES = (
    N_("Armenia"),
    N_("Azerbaijan"),
    N_("Georgia"),
    N_("Iran"),
    N_("Iraq"),
    N_("Russia"),
    N_("Syria"),
    N_("Turkey"),
)
"""Natural Earth's names of the countries `CONTEXT_BOUNDS` reaches, for the catalogs: context.js shows each in the
page's language (tests/test_context.py keeps this list the clipped file's)."""

PLACE_NAMES = N_("Place names")
"""The place names overlay's name in the layer list."""
TOWN_POPULATION = 2_000
"""Communities with at least this many people in their sources' latest count are labelled first."""
ROUTE_TOWN_KINDS = ("city", "town", "border_post_reception", "reception_centre")
"""Kinds of place (`places.geojson`) whose point is a town's: a route's towns are named before its villages."""
TIERS = {"town": 1, "route": 2, "community": 3}
"""Label tiers, in the order they are placed: towns, the routes' settlements, then every other community."""


def context_payload(communities: gpd.GeoDataFrame, places: gpd.GeoDataFrame, routes: gpd.GeoDataFrame) -> dict[str, Any]:
    """What `geo/static/context.js` draws: the countries as TopoJSON, their source, and the place labels."""
    countries = region_countries()
    return {
        "topology": countries_topology(countries),
        "source": BORDERS_SOURCE,
        "border_max_zoom": BORDER_MAX_ZOOM,
        "labels": place_labels(communities, places, routes, countries),
    }


@functools.cache
def region_countries() -> gpd.GeoDataFrame:
    """Natural Earth's countries clipped to `CONTEXT_BOUNDS`, by name (read once per process).

    Raises:
        AssetError: the vendored world-atlas file is missing or unreadable.

    """
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    try:
        frame = pyogrio.read_dataframe(WORLD_ATLAS, layer="countries", bbox=CONTEXT_BOUNDS, columns=["name"])
    except (DataSourceError, DataLayerError) as error:
        raise AssetError(
            f"{WORLD_ATLAS.relative_to(STATIC.parent.parent)}: cannot read the vendored Natural Earth countries ({error}); "
            "fix: reinstall the package (pip install -e .)"
        ) from None
    # TopoJSON is longitude/latitude by its specification; GDAL reports no CRS for it.
    frame = frame.set_crs("EPSG:4326").clip(CONTEXT_BOUNDS)
    frame = frame[~frame.geometry.is_empty]
    return frame.sort_values("name", kind="stable").reset_index(drop=True)


def countries_topology(countries: gpd.GeoDataFrame) -> dict[str, Any]:
    """`countries` as one quantized TopoJSON topology (object `countries`), simplified on its shared arcs."""
    import topojson

    topology = topojson.Topology(
        countries[["name", "geometry"]],
        prequantize=QUANTIZE,
        toposimplify=SIMPLIFY_DEGREES,
        object_name="countries",
    )
    return dict(topology.to_dict())


def place_labels(
    communities: gpd.GeoDataFrame, places: gpd.GeoDataFrame, routes: gpd.GeoDataFrame, countries: gpd.GeoDataFrame
) -> list[dict[str, Any]]:
    """The places to name on the map, most important first; each at its feature's own point, with its own name.

    1. Towns: communities of `TOWN_POPULATION` people or more, largest first.
    2. The routes' settlements: waypoints that stand at a settlement's point (a community or place whose
       `coord_precision` is `settlement`); towns (a place there of a kind in `ROUTE_TOWN_KINDS`) before
       villages, then those more routes pass through, then in route order. A
       community is named by its own name; a place (whose name may be a facility's: "Goris reception / ...")
       by the shortest of its waypoint names, less a "(Country)" naming the country Natural Earth puts it in.
    3. Every other located community of August 2023 (`in_aug_2023`), largest first, then by name. The
       settlements lost in 2020 have a layer of their own, hidden at first: a name there would float over
       no symbol (a town among them is named in 1, a route's in 2).

    A point is labelled once, by the first entry that reaches it. The browser places them in this order and
    drops a label that would overlap one already placed (`geo/static/context.js`).
    """
    labels: list[dict[str, Any]] = []
    taken: set[tuple[float, float]] = set()

    def add(tier: str, layer: str, feature_id: str, text: str, x: float, y: float) -> None:
        key = _key(x, y)
        if key not in taken:
            taken.add(key)
            labels.append({"tier": TIERS[tier], "layer": layer, "id": feature_id, "text": text, "lon": key[0], "lat": key[1]})

    ranked = sorted(
        (
            (_population(row), str(row.name), str(row.id), row.geometry, getattr(row, "in_aug_2023", None) is True)
            for row in communities.itertuples(index=False)
            if row.geometry is not None and row.geometry.geom_type == "Point"
        ),
        key=lambda entry: (-entry[0], entry[1]),
    )
    for people, name, feature_id, point, _ in ranked:
        if people >= TOWN_POPULATION:
            add("town", "communities", feature_id, name, point.x, point.y)
    for settlement in route_settlements(communities, places, routes, countries):
        add("route", settlement.layer, settlement.id, settlement.text, settlement.lon, settlement.lat)
    for _, name, feature_id, point, held in ranked:
        if held:
            add("community", "communities", feature_id, name, point.x, point.y)
    return labels


def _population(row: Any) -> float:
    value = getattr(row, "population", None)
    return -1.0 if value is None or math.isnan(value) else float(value)


class Settlement(NamedTuple):
    """A settlement a route passes through: the feature that locates it, and the name to show."""

    layer: str
    id: str
    text: str
    lon: float
    lat: float


def route_settlements(
    communities: gpd.GeoDataFrame, places: gpd.GeoDataFrame, routes: gpd.GeoDataFrame, countries: gpd.GeoDataFrame
) -> list[Settlement]:
    """The settlements the routes pass through (label tier 2): towns before villages, then those on more routes,
    then in route order.
    """
    settlements: dict[tuple[float, float], tuple[str, str, str]] = {}
    town: set[tuple[float, float]] = set()
    for layer, frame in (("communities", communities), ("places", places)):
        if "coord_precision" not in frame:
            continue
        for row in frame[frame["coord_precision"] == "settlement"].itertuples(index=False):
            if row.geometry is not None and row.geometry.geom_type == "Point":
                key = _key(row.geometry.x, row.geometry.y)
                settlements.setdefault(key, (layer, str(row.id), str(row.name)))
                if layer == "places" and getattr(row, "kind", None) in ROUTE_TOWN_KINDS:
                    town.add(key)
    names: dict[tuple[float, float], list[str]] = {}
    through: dict[tuple[float, float], set[str]] = {}
    for route in routes.itertuples(index=False):
        for name, key in _located_waypoints(route):
            if key in settlements:
                names.setdefault(key, []).append(name)
                through.setdefault(key, set()).add(str(route.id))
    # dicts keep insertion order: the first route and waypoint that reached a point break ties.
    result = []
    for key in sorted(names, key=lambda k: (k not in town, -len(through[k]))):
        layer, feature_id, own_name = settlements[key]
        if layer == "communities":
            text = own_name
        else:
            text = _without_own_country(min(names[key], key=lambda n: (len(n), n)), *key, countries)
        result.append(Settlement(layer, feature_id, text, *key))
    return result


def _located_waypoints(route: Any) -> Iterator[tuple[str, tuple[float, float]]]:
    """A route's waypoint names paired with its vertices: the waypoints no source locates are listed apart
    (`skipped_waypoints`) and have no vertex. A route whose counts disagree pairs nothing: no name is guessed.
    """
    waypoints = _names(getattr(route, "waypoints", None))
    skipped = _names(getattr(route, "skipped_waypoints", None))
    geometry = route.geometry
    if geometry is None or geometry.geom_type != "LineString":
        return
    for name in skipped:
        if name in waypoints:
            waypoints.remove(name)
    vertices = shapely.get_coordinates(geometry)
    if len(waypoints) != len(vertices):
        return
    for name, (x, y) in zip(waypoints, vertices.tolist()):
        yield name, _key(x, y)


def _names(value: Any) -> list[str]:
    """A list of names from a table cell: a missing list is None or NaN."""
    return [str(name) for name in value] if isinstance(value, (list, tuple)) else []


_QUALIFIER = re.compile(r"^(?P<name>.+?)\s*\((?P<country>[^()]+)\)$")


def _without_own_country(name: str, x: float, y: float, countries: gpd.GeoDataFrame) -> str:
    """'Goris (Armenia)' as 'Goris' when the point lies in Natural Earth's Armenia: the map names the country."""
    match = _QUALIFIER.match(name)
    if not match:
        return name
    here = countries[countries["name"] == match["country"]]
    if len(here) and bool(here.geometry.iloc[0].contains(shapely.Point(x, y))):
        return match["name"]
    return name


def _key(x: float, y: float) -> tuple[float, float]:
    return (round(x, 6), round(y, 6))


class ContextLayer(folium.map.Layer):
    """The context of `context_payload`: land, borders and country names under the basemap, and the place names
    above the data as an overlay ("Place names") the layer control can hide.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
var {{ this.get_name() }} = HeritageContext.layer({{ this._parent.get_name() }}, {{ this.data_id|tojson }});
{% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
{% endmacro %}"""
    )
    default_js: ClassVar[list[tuple[str, str]]] = [("topojson_client", "topojson-client.min.js"), ("context_js", "context.js")]
    default_css: ClassVar[list[tuple[str, str]]] = [("context_css", "context.css")]

    def __init__(self, payload: dict[str, Any], name: str = PLACE_NAMES, show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "ContextLayer"
        self.payload = script_json(payload)
        self.data_id = ""

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # branca declares str; folium layers return None
        """Put the payload in the page as a JSON block, then render the layer's script."""
        self.data_id = f"data-{self.get_name()}"
        figure = self.get_root()
        assert isinstance(figure, Figure), f"{self!r} is not on a page"
        figure.html.add_child(RawHTML(script_element(self.data_id, self.payload)), name=self.data_id)
        super().render(**kwargs)


def context_layer(communities: gpd.GeoDataFrame, places: gpd.GeoDataFrame, routes: gpd.GeoDataFrame) -> ContextLayer:
    """The context layer of a map of these layers."""
    return ContextLayer(context_payload(communities, places, routes))
