"""What each layer must hold: file names, geometry types, required fields, vocabularies.

One table for the validator, the map and the docs, so the rules live in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

STATUSES: tuple[str, ...] = ("destroyed", "damaged", "threatened", "intact", "unknown")
"""Caucasus Heritage Watch's three flags plus the two states a monitor needs."""

STATUS_COLOURS: dict[str, str] = {
    "destroyed": "#D55E00",
    "damaged": "#E69F00",
    "threatened": "#CC79A7",
    "intact": "#009E73",
    "unknown": "#6E6E6E",
}
"""Each status's colour (Okabe–Ito, safe for colour-blind readers; the maps add a shape per status too)."""

VERDICTS: tuple[str, ...] = ("imagery-here", "monitor-imagery-analysis", "reported", "inconsistent")
"""What a site's status rests on (docs/coding-rules.md): a footprinted before/after pair this catalog holds; a
monitor's published finding that says it compared satellite images; other reports; or an imagery record that does
not fit (a validation error)."""

BASES: tuple[str, ...] = ("monitor-imagery-analysis", "reports")
"""An observation's `basis`: what its published finding rests on. `imagery-here` is never a basis: it is
worked out from the catalog by the join."""

EVIDENCED_STATUSES: tuple[str, ...] = ("destroyed", "damaged", "threatened", "intact")
"""Statuses that need evidence (a URL, a hashed file or a before/after scene pair) before they are recorded or shown."""

SITE_TYPES: tuple[str, ...] = (
    "church",
    "monastery",
    "cemetery",
    "khachkar",
    "bridge",
    "memorial",
    "monument",
    "village",
    "civic",
    "archaeological",
    "mosque",
    "other",
)
COORD_PRECISIONS: tuple[str, ...] = ("site", "settlement", "community", "approximate")
ROUTE_KINDS: tuple[str, ...] = ("corridor", "bypass", "road", "evacuation")
GEOMETRY_PRECISIONS: tuple[str, ...] = ("surveyed", "waypoints")
HELD_UNTIL: tuple[str, ...] = ("2020-11", "2020-12", "2023-09")
VISIBILITIES: tuple[str, ...] = ("public", "internal")

# The South Caucasus box every located feature must fall in (lon/lat, WGS84).
# It holds Nagorno-Karabakh, the Lachin corridor and the onward routes in
# Armenia; a point outside it is almost always swapped lon/lat or a projected file.
REGION_BOUNDS: tuple[float, float, float, float] = (43.4, 38.3, 48.0, 41.4)

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"


@dataclass(frozen=True)
class LayerSchema:
    """The rules for one GeoJSON layer in `data/layers/`."""

    name: str
    filename: str
    geometry_types: tuple[str, ...]
    required: tuple[str, ...]
    vocabularies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    dates: tuple[str, ...] = ()
    optional_file: bool = False

    @property
    def located_required(self) -> tuple[str, ...]:
        """Fields a feature must carry once it has a geometry."""
        return ("coord_source", "coord_precision") if "Point" in self.geometry_types else ()


LAYERS: dict[str, LayerSchema] = {
    schema.name: schema
    for schema in (
        LayerSchema(
            name="communities",
            filename="communities.geojson",
            geometry_types=("Point",),
            required=("name", "province", "held_until", "in_aug_2023", "sources"),
            vocabularies={"held_until": HELD_UNTIL, "coord_precision": COORD_PRECISIONS},
            dates=("population_year",),
        ),
        LayerSchema(
            name="heritage_sites",
            filename="heritage_sites.geojson",
            geometry_types=("Point", "Polygon", "MultiPolygon"),
            required=("name", "type", "settlement", "sources"),
            vocabularies={"type": SITE_TYPES, "coord_precision": COORD_PRECISIONS},
        ),
        LayerSchema(
            name="routes",
            filename="routes.geojson",
            geometry_types=("LineString", "MultiLineString"),
            required=("name", "kind", "active_from", "geometry_precision", "sources"),
            vocabularies={"kind": ROUTE_KINDS, "geometry_precision": GEOMETRY_PRECISIONS},
            dates=("active_from", "active_to"),
        ),
        LayerSchema(
            name="places",
            filename="places.geojson",
            geometry_types=("Point",),
            required=("name", "kind", "sources"),
            vocabularies={"coord_precision": COORD_PRECISIONS},
            dates=("event_date",),
        ),
    )
}
