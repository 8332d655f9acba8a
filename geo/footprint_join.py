"""Which sites lie in which scene footprints: the spatial join at the heart of `geo.join`, boundary included.

Why not `geopandas.sjoin`: at 100,000 sites and a million footprints it spends
most of its time in GEOS testing each candidate pair one at a time, about 15
times as long as reading the inputs (benchmarks/RESULTS.md). Here point sites
against convex footprints of up to `CONVEX_EDGES` edges, nearly every pair in
practice, are decided in numpy: the sites are bucketed in a grid (or, when
they cluster, an STRtree) and each candidate pair is tested against the
footprint's edges as half-planes, the footprints taken south to north so that
each step's grid cells and sites stay in the CPU cache. A pair is decided only
when rounding cannot have changed the answer; pairs within rounding of an
edge, and every other shape (holes, parts, concave or many-edged rings, sites
that are not points), go to GEOS, so the result is exactly shapely's
`intersects` (tests/test_join.py checks it against shapely on awkward cases).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import shapely
from shapely.geometry import shape

from geo._ranges import ranges

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

CONVEX_EDGES = 8
"""Footprints that are strictly convex one-ring polygons of up to this many edges (most scene footprints are
quadrilaterals) are tested in numpy; GEOS tests the rest."""
_RINGS_PER_STEP = 16_384
"""Rings whose half-planes are worked out per numpy step: few enough for the temporaries to stay in the CPU cache."""
_BOXES_PER_STEP = 16_384
"""Footprints whose candidate points are tested per numpy step: enough to amortise numpy's cost per call, few
enough for the temporaries to stay in the CPU cache."""
_GRID_ROW = 1 / 3
"""The height of a grid row, as a share of the median footprint's bounding-box side."""
_GRID_COLUMNS = 4
"""Grid columns per row height: a box reads one run of points a row however many columns it spans, so narrow
columns cut the points read beside it at no cost in runs."""
_GRID_LIMIT = 32
"""The grid is given up for the tree when it yields more candidates than this per site and footprint."""
_EPS = float(np.finfo(float).eps)
Pairs = tuple[np.ndarray, np.ndarray]
"""Two position arrays, pair i being (first[i], second[i])."""
_Spans = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""The first column, first row, last column and last row of the grid cells that each box meets."""


@dataclass(frozen=True)
class _Rings:
    """Closed one-ring polygons as flat coordinates: ring i is `coords[offsets[i]:offsets[i + 1]]`."""

    coords: np.ndarray
    offsets: np.ndarray

    def polygons(self, which: np.ndarray) -> np.ndarray:
        """The shapely polygons of rings `which`, built in one call."""
        lengths = np.diff(self.offsets)[which]
        coords = self.coords[ranges(self.offsets[which], lengths)]
        ring_offsets = np.concatenate(([0], np.cumsum(lengths)))
        return shapely.from_ragged_array(shapely.GeometryType.POLYGON, coords, (ring_offsets, np.arange(len(which) + 1)))

    def padded(self, which: np.ndarray, vertices: int) -> np.ndarray:
        """Rings `which` as one (rings, vertices, 2) array, shorter rings repeating their last vertex; when every
        ring has `vertices` vertices, each is copied as one row of coordinates (a third of the time).
        """
        if len(self.coords) == vertices * (len(self.offsets) - 1):
            return self.coords.reshape(-1, 2 * vertices).take(which, axis=0).reshape(-1, vertices, 2)
        start, end = self.offsets[which, None], self.offsets[which + 1, None]
        return self.coords[np.minimum(start + np.arange(vertices), end - 1)]

    def south_to_north(self) -> np.ndarray:
        """The rings ordered by the latitude of their first vertex, in 2**16 levels for numpy's radix sort.

        Any order gives the same pairs; in this one each step of the join meets the footprints of a band, whose
        grid cells and sites stay in the CPU cache (in input order, the join's gathers missed it: 1.2 to 1.6 times
        as long at a million footprints).
        """
        y = self.coords[self.offsets[:-1], 1]
        low, high = np.fmin.reduce(y), np.fmax.reduce(y)
        if not high - low > 0:  # one latitude, NaN or overflow
            return np.arange(len(y))
        level = np.fmax(np.fmin((y - low) * (65535 / (high - low)), 65535), 0)  # NaN becomes 65535
        return np.argsort(level.astype(np.uint16), kind="stable")


@dataclass(frozen=True)
class Footprints:
    """Footprints split for the join: those at `convex` (rows `rows` of `rings`) are tested in numpy, those at
    `other` (shapely `geometries`) in GEOS.

    `planes[:, i]` holds convex ring i's E edge slots as half-planes, rows a, then b, then c, then the ring's
    scale s: a point (x, y) is in the ring, boundary included, iff a*y + b*x + c >= 0 for every slot, exactly;
    in doubles each value is off by less than 16 * eps * s * (the largest |coordinate| of ring and point).
    `bounds` rows are west, south, east, north.
    """

    convex: np.ndarray
    rows: np.ndarray
    rings: _Rings
    planes: np.ndarray
    bounds: np.ndarray
    other: np.ndarray
    geometries: np.ndarray


def _steps(count: int, size: int) -> Iterator[slice]:
    return (slice(lo, lo + size) for lo in range(0, count, size))


def _geojson_rings(rings: list[Any]) -> _Rings | None:
    """GeoJSON rings (lists of [x, y]) as one coordinate array; None unless every position has two numbers."""
    lengths = np.fromiter(map(len, rings), dtype=np.int64, count=len(rings))
    flat = np.fromiter(chain.from_iterable(chain.from_iterable(rings)), dtype=float)
    if len(flat) != 2 * lengths.sum():
        return None
    return _Rings(flat.reshape(-1, 2), np.concatenate(([0], np.cumsum(lengths))))


def _ring_table(rings: _Rings, order: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`Footprints.planes` and `.bounds` of the rings at `order`, and which are closed and strictly convex (others
    are void).
    """
    edges = np.diff(rings.offsets)[order] - 1
    width = int(edges.max())
    planes, bounds, convex = np.empty((3 * width + 1, len(edges))), np.empty((4, len(edges))), np.empty(len(edges), bool)
    for step in _steps(len(edges), _RINGS_PER_STEP):
        ring = rings.padded(order[step], width + 1)
        convex[step] = _ring_step(ring, edges[step], planes[:, step], bounds[:, step])
    return planes, bounds, convex


def _ring_step(ring: np.ndarray, edges: np.ndarray, planes: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Fill `planes` and `bounds` of some padded rings; return which are closed and strictly convex.

    A turn counts only when rounding cannot have flipped its sign; past four edges the ring must also wind
    once (a pentagram turns one way throughout, but twice around). Spare slots get the plane 0*y + 0*x + inf.
    """
    x, y = np.ascontiguousarray(ring.transpose(2, 1, 0))
    dx, dy = x[1:] - x[:-1], y[1:] - y[:-1]
    width, short = len(dx), np.flatnonzero(edges < len(dx))
    next_dx, next_dy = np.concatenate([dx[1:], dx[:1]]), np.concatenate([dy[1:], dy[:1]])
    next_dx[edges[short] - 1, short], next_dy[edges[short] - 1, short] = dx[0, short], dy[0, short]
    p, q = dx * next_dy, dy * next_dx
    turn, slack = p - q, 8 * _EPS * (np.abs(p) + np.abs(q))
    spare = np.arange(width)[:, None] >= edges
    left, right = ((turn > slack) | spare).all(0), ((turn < -slack) | spare).all(0)
    convex = (left | right) & (x[0] == x[-1]) & (y[0] == y[-1])
    if width > 4:
        convex &= np.abs(np.where(spare, 0, np.arctan2(turn, dx * next_dx + dy * next_dy)).sum(0)) < 3 * np.pi
    sign = np.where(left, 1.0, -1.0)
    planes[:width], planes[width : 2 * width] = sign * dx, -sign * dy
    planes[2 * width : 3 * width] = np.where(spare, np.inf, sign * (dy * x[:-1] - dx * y[:-1]))
    planes[-1] = (np.abs(dx) + np.abs(dy)).max(0)
    bounds[:] = x.min(0), y.min(0), x.max(0), y.max(0)
    return convex


def _footprints(rings: _Rings, positions: np.ndarray, other: np.ndarray, geometries: np.ndarray) -> Footprints:
    """The split of footprints whose rings (at `positions`) go to numpy where convex, to GEOS otherwise, as do
    `geometries` (at positions `other`).
    """
    if not len(positions):
        return Footprints(positions, positions, rings, np.empty((1, 0)), np.empty((4, 0)), other, geometries)
    order = rings.south_to_north()
    planes, bounds, convex = _ring_table(rings, order)
    if convex.all():
        return Footprints(positions[order], order, rings, planes, bounds, other, geometries)
    kept, concave = np.flatnonzero(convex), order[~convex]
    return Footprints(
        positions[order[kept]],
        order[kept],
        rings,
        planes[:, kept],
        bounds[:, kept],
        np.concatenate([other, positions[concave]]),
        np.concatenate([geometries, rings.polygons(concave)]),
    )


def shape_footprints(geometries: np.ndarray) -> Footprints:
    """`Footprints` of shapely geometries: one-ring polygons of 3 to CONVEX_EDGES edges are numpy's if convex."""
    counts = shapely.get_num_coordinates(geometries)
    polygon = shapely.get_type_id(geometries) == shapely.GeometryType.POLYGON
    ring = polygon & (counts >= 4) & (counts <= CONVEX_EDGES + 1)
    holed = np.flatnonzero(ring & (counts >= 8))
    ring[holed] = shapely.get_num_interior_rings(geometries[holed]) == 0
    positions, other = np.flatnonzero(ring), np.flatnonzero(~ring)
    polygons, counts = (geometries[positions], counts[positions]) if len(other) else (geometries, counts)
    rings = _Rings(shapely.get_coordinates(polygons), np.concatenate(([0], np.cumsum(counts))))
    return _footprints(rings, positions, other, geometries[other])


def geojson_footprints(geometries: list[Mapping[str, Any]]) -> Footprints:
    """`Footprints` of GeoJSON geometries, reading the rings of one-ring polygons without building them."""
    rings = [g["coordinates"][0] if g.get("type") == "Polygon" and len(g["coordinates"]) == 1 else () for g in geometries]
    lengths = np.fromiter(map(len, rings), dtype=np.int64, count=len(rings))
    read = (lengths >= 4) & (lengths <= CONVEX_EDGES + 1)
    positions, other = np.flatnonzero(read), np.flatnonzero(~read)
    flat = _geojson_rings(rings if read.all() else [rings[i] for i in positions.tolist()])
    if flat is None:  # some position is not [x, y]: shapely reads them all
        positions, other = other[:0], np.arange(len(geometries))
        flat = _Rings(np.empty((0, 2)), np.zeros(1, dtype=np.int64))
    built = footprint_geometries([geometries[i] for i in other.tolist()])
    return _footprints(flat, positions, other, np.asarray(built, dtype=object))


@dataclass(frozen=True)
class _Grid:
    """Points bucketed in cells of `cell` (width, height) numbered row by row: cell k holds points
    `order[start[k]:start[k + 1]]`, whose coordinates are `x` and `y` at the same positions; `area` is the
    summed-area table of the counts.
    """

    low: np.ndarray
    cell: np.ndarray
    columns: int
    order: np.ndarray
    start: np.ndarray
    area: np.ndarray
    x: np.ndarray
    y: np.ndarray

    def spans(self, bounds: np.ndarray) -> _Spans:
        """First and last column and row of the cells each box (rows of `bounds`) meets; an empty span ends one
        before it starts. Rounding is monotonic, so a point in a box is in one of the box's cells.
        """
        rows = len(self.area) - 1
        first = np.clip(np.floor((bounds[:2].T - self.low) / self.cell), 0, [self.columns, rows]).astype(np.int64)
        last = np.clip(np.floor((bounds[2:].T - self.low) / self.cell), -1, [self.columns - 1, rows - 1]).astype(np.int64)
        return first[:, 0], first[:, 1], last[:, 0], last[:, 1]

    def counts(self, c0: np.ndarray, r0: np.ndarray, c1: np.ndarray, r1: np.ndarray) -> np.ndarray:
        """How many points each span holds, from the summed-area table, without listing them."""
        a, width = self.area.ravel(), self.columns + 1
        return a[(r1 + 1) * width + c1 + 1] - a[r0 * width + c1 + 1] - a[(r1 + 1) * width + c0] + a[r0 * width + c0]

    def candidates(self, c0: np.ndarray, r0: np.ndarray, c1: np.ndarray, r1: np.ndarray, counts: np.ndarray) -> Pairs:
        """(box, position) pairs of every point in the spans' cells, `counts` a box: each box reads one run a row."""
        rows = (r1 - r0 + 1) * (c1 >= c0)
        first, width = np.repeat(np.stack([r0 * self.columns + c0, c1 - c0 + 1]), rows, axis=1)
        cells = first + ranges(np.zeros_like(rows), rows) * self.columns
        begin = self.start[cells]
        return np.repeat(np.arange(len(rows)), counts), ranges(begin, self.start[cells + width] - begin)


def _grid(xy: np.ndarray, bounds: np.ndarray) -> _Grid:
    """A grid over the points whose rows are a third of the median box's side high, or more to keep within 4
    cells a point, and `_GRID_COLUMNS` columns a row height.
    """
    low, span = xy.min(0), np.ptp(xy, 0)
    side = float(np.median(bounds[2:, ::16] - bounds[:2, ::16]))
    squares = 4 * len(xy) / _GRID_COLUMNS  # as many row-high squares as make 4 cells a point
    height = max(_GRID_ROW * side, np.sqrt(span.prod() / squares), span.max() / squares, 1e-12)
    cell = np.array([height / _GRID_COLUMNS, height])
    columns, rows = np.floor(span / cell).astype(np.int64) + 1
    col, row = np.floor((xy - low) / cell).astype(np.int64).T
    counts = np.bincount(row * columns + col, minlength=rows * columns)
    area = np.zeros((rows + 1, columns + 1), dtype=np.int64)
    area[1:, 1:] = counts.reshape(rows, columns).cumsum(0).cumsum(1)
    order = np.argsort(row * columns + col, kind="stable")
    start = np.concatenate(([0], np.cumsum(counts)))
    return _Grid(low, cell, int(columns), order, start, area, xy[order, 0], xy[order, 1])


@dataclass(frozen=True)
class _Candidates:
    """Candidate (box, point) pairs, a step of boxes at a time as (box, position) arrays: the point is
    `point[position]`, at `x[position]`, `y[position]`.
    """

    point: np.ndarray
    x: np.ndarray
    y: np.ndarray
    steps: Iterator[Pairs]


def _grid_candidates(xy: np.ndarray, bounds: np.ndarray) -> _Candidates | None:
    """Every point in a grid cell that a box meets, boxes in order; None when that is not selective (points far
    apart but clustered), for the tree to do instead.

    The points are bucketed by cell in a dense table, so a box reads its cells' points as one run per row, with
    nothing searched, and a step's work stays in the CPU cache.
    """
    grid = _grid(xy, bounds)
    steps = list(_steps(bounds.shape[1], _BOXES_PER_STEP))
    spans = [grid.spans(bounds[:, step]) for step in steps]  # a step at a time: no temporaries of a million boxes
    counts = [grid.counts(*span) for span in spans]
    if sum(int(count.sum()) for count in counts) > _GRID_LIMIT * (len(xy) + bounds.shape[1]):
        return None
    return _Candidates(grid.order, grid.x, grid.y, _grid_steps(grid, steps, spans, counts))


def _grid_steps(grid: _Grid, steps: list[slice], spans: list[_Spans], counts: list[np.ndarray]) -> Iterator[Pairs]:
    for step, span, count in zip(steps, spans, counts):
        box, position = grid.candidates(*span, count)
        yield box + step.start, position


def _tree_candidates(xy: np.ndarray, bounds: np.ndarray) -> _Candidates:
    """Every point in a box, boundary included, from an STRtree of the points."""
    points = cast("np.ndarray", shapely.points(xy))
    box, point = shapely.STRtree(points).query(shapely.box(*bounds))
    steps = ((box[step], point[step]) for step in _steps(len(box), 8 * _BOXES_PER_STEP))
    return _Candidates(np.arange(len(xy)), xy[:, 0], xy[:, 1], steps)


def _inside(planes: np.ndarray, bound: float, ring: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which (ring, point) pairs are surely inside or on the boundary, and the pairs too near an edge for doubles."""
    width = (len(planes) - 1) // 3
    a, b, c = planes[:width], planes[width : 2 * width], planes[2 * width : 3 * width]
    least = a[0].take(ring) * y + b[0].take(ring) * x + c[0].take(ring)
    for e in range(1, width):
        np.minimum(least, a[e].take(ring) * y + b[e].take(ring) * x + c[e].take(ring), out=least)
    slack = planes[-1].take(ring) * bound
    return least > slack, np.flatnonzero(np.abs(least) <= slack)


def _convex_pairs(xy: np.ndarray, footprints: Footprints) -> Pairs:
    """(point, convex ring) pairs that intersect: half-planes in numpy, GEOS for pairs within rounding of an edge."""
    if not len(xy) or not len(footprints.convex):
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    bound = 16 * _EPS * max(np.abs(xy).max(), -footprints.bounds.min(), footprints.bounds.max())
    found = _grid_candidates(xy, footprints.bounds) or _tree_candidates(xy, footprints.bounds)
    pairs = [(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))]
    for ring, position in found.steps:
        inside, unsure = _inside(footprints.planes, bound, ring, found.x[position], found.y[position])
        if len(unsure):
            polygons = footprints.rings.polygons(footprints.rows[ring[unsure]])
            inside[unsure] = shapely.intersects(polygons, shapely.points(xy[found.point[position[unsure]]]))
        kept = np.flatnonzero(inside)
        pairs.append((found.point[position[kept]], ring[kept]))
    return np.concatenate([point for point, _ in pairs]), np.concatenate([ring for _, ring in pairs])


def _geos_pairs(sites: np.ndarray, geometries: np.ndarray) -> Pairs:
    """(site, geometry) pairs that intersect, from an STRtree of the sites queried with each geometry prepared once."""
    if not len(sites) or not len(geometries):
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    geometry, site = shapely.STRtree(sites).query(geometries, predicate="intersects")
    return site, geometry


def covering_pairs(sites: np.ndarray, footprints: Footprints) -> Pairs:
    """(site, footprint) positions of every pair that intersects, boundary included: the join.

    Point sites against convex footprints, nearly all pairs, are decided in numpy; GEOS decides the others
    (sites that are not points, footprints with holes, parts, concave or many-edged rings). A site that is
    not a point meets only convex rings near it, so only those are built as polygons.
    """
    is_point = (shapely.get_type_id(sites) == shapely.GeometryType.POINT) & ~shapely.is_empty(sites)
    xy = shapely.get_coordinates(sites[is_point])
    finite = np.isfinite(xy).all(1)
    is_point[is_point], xy = finite, xy[finite]
    points, shaped = np.flatnonzero(is_point), np.flatnonzero(~is_point)
    point, ring = _convex_pairs(xy, footprints)
    site, other = _geos_pairs(sites, footprints.geometries)
    near = _near(footprints, sites[shaped])
    shaped_site, near_ring = _geos_pairs(sites[shaped], footprints.rings.polygons(footprints.rows[near]))
    return (
        np.concatenate([points[point], site, shaped[shaped_site]]),
        np.concatenate([footprints.convex[ring], footprints.other[other], footprints.convex[near[near_ring]]]),
    )


def _near(footprints: Footprints, shapes: np.ndarray) -> np.ndarray:
    """The convex rings whose bounding box meets that of all of `shapes`."""
    if not len(shapes):
        return np.empty(0, dtype=np.int64)
    west, south, east, north = shapely.total_bounds(shapes)
    b = footprints.bounds
    return np.flatnonzero((b[0] <= east) & (b[2] >= west) & (b[1] <= north) & (b[3] >= south))


def intersecting_pairs(sites: np.ndarray, footprints: np.ndarray) -> Pairs:
    """(site, footprint) positions of every pair of shapely geometries that intersect: `coverage_index`'s join on
    geometries in memory, what benchmarks/measure_join.py times.
    """
    return covering_pairs(np.asarray(sites, dtype=object), shape_footprints(np.asarray(footprints, dtype=object)))


def footprint_geometries(geometries: list[Mapping[str, Any]]) -> Sequence[Any]:
    """Shapely geometries of GeoJSON footprints, built in one vectorised call when all are one-ring polygons.

    A catalog holds up to millions of scenes; building them one `shape()` at a
    time is most of the join's cost (benchmarks/RESULTS.md).
    """
    rings = [g["coordinates"][0] for g in geometries if g.get("type") == "Polygon" and len(g["coordinates"]) == 1]
    flat = _geojson_rings(rings) if len(rings) == len(geometries) else None
    if flat is None:
        return [shape(dict(g)) for g in geometries]
    return cast("Sequence[Any]", flat.polygons(np.arange(len(rings))))
