"""The join: which scene footprints cover each site, against geopandas, a naive loop, and reading the inputs.

For each (N sites, M footprints):

- floor: reading both inputs (FlatGeobuf) through pyogrio's Arrow path, into
  Arrow buffers and no further;
- sjoin: `geopandas.sjoin(sites, footprints, predicate="intersects")` on
  frames in memory, its spatial index built in the call (a fresh copy of the
  frames each run, so geopandas' cached index is not reused);
- ours: `geo.footprint_join.intersecting_pairs` (what `coverage_index`
  runs) on the same geometries in memory; its pairs are checked equal to
  sjoin's before it is timed;
- files to pairs: `pyogrio.read_dataframe` of both files, then the sjoin; and
  ours: both files' WKB through the Arrow path, `shapely.from_wkb`, then ours;
- product: `geo.join.coverage_index` and `geo.join.site_imagery` on the STAC
  Items as dicts (as `imagery.json` gives them), with coverage_index's phases
  timed apart;
- naive: a per-site Python loop over `footprint.intersects(site)` for a
  sample of sites against all M footprints, extrapolated to N sites.
"""

from __future__ import annotations

import importlib.util
import time
from dataclasses import dataclass, field
from functools import partial
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from benchmarks import synthetic
from benchmarks._timing import Figure, median, median_and_result, median_seconds, timed
from geo import footprint_join, join

if TYPE_CHECKING:
    from pathlib import Path

CONVEX_EDGES = footprint_join.CONVEX_EDGES
"""The most edges of a footprint that `geo.join` tests in numpy (for the report's description)."""
NAIVE_CALLS = 400_000
"""Predicate calls the naive sample makes: enough for a stable rate, a second or so."""


@dataclass
class JoinRow:
    """The figures of one (N, M) cell."""

    n_sites: int
    n_footprints: int
    pairs: int
    floor: Figure
    sjoin: Figure
    ours: Figure
    files_to_pairs: Figure
    files_ours: Figure
    naive: Figure
    naive_sample: str
    product_coverage: Figure | None = None
    product_phases: dict[str, float] = field(default_factory=dict)
    product_site_imagery: Figure | None = None
    floor_parts: dict[str, float] = field(default_factory=dict)


def arrow_reader() -> str:
    """Which reader the floor uses: pyarrow when installed, else nanoarrow, else pyogrio's non-Arrow read."""
    if importlib.util.find_spec("pyarrow") is not None:
        return "`pyogrio.read_arrow` (pyarrow)"
    if importlib.util.find_spec("nanoarrow") is not None:
        return "`pyogrio.raw.open_arrow` consumed by nanoarrow (pyarrow is not installed)"
    return (
        "`pyogrio.raw.read` (WKB into numpy): NOT the Arrow path, which needs pyarrow or nanoarrow; "
        "install one (`pip install nanoarrow`) for the floor the issue asks for"
    )


def arrow_read(path: Path) -> int:
    """Read every row of `path` through GDAL's Arrow stream (or the WKB path, lacking both); return the row count."""
    if importlib.util.find_spec("pyarrow") is not None:
        _, table = pyogrio.read_arrow(path)
        return int(table.num_rows)
    if importlib.util.find_spec("nanoarrow") is None:
        _, _, geometry, _ = pyogrio.raw.read(path)
        return len(geometry)
    import nanoarrow

    rows = 0
    with pyogrio.raw.open_arrow(path, use_pyarrow=False) as (_, reader):
        for batch in nanoarrow.c_array_stream(reader):
            rows += batch.length
    return rows


def arrow_wkb(path: Path) -> np.ndarray:
    """The WKB of every row of `path`, through GDAL's Arrow stream and nanoarrow (else the WKB path), as bytes.

    Reads the geometry column's offsets and data buffers; the synthetic files have no empty geometry.
    """
    if importlib.util.find_spec("nanoarrow") is None:
        return pyogrio.raw.read(path)[2]
    import nanoarrow

    found: list[bytes] = []
    with pyogrio.raw.open_arrow(path, use_pyarrow=False) as (meta, reader):
        name = meta["geometry_name"] or "wkb_geometry"
        for batch in nanoarrow.c_array_stream(reader):
            column = next(c for c in batch.children if c.schema.name == name).view()
            _, offsets, data = column.buffers
            ends = np.frombuffer(offsets, dtype=np.int32)[column.offset : column.offset + column.length + 1].tolist()
            raw = bytes(data)
            found += [raw[start:end] for start, end in pairwise(ends)]
    return np.array(found, dtype=object)


def _sjoin(sites: gpd.GeoDataFrame, footprints: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gpd.sjoin(sites, footprints, how="inner", predicate="intersects")


def sjoin_seconds(sites: gpd.GeoDataFrame, footprints: gpd.GeoDataFrame, runs: int) -> Figure:
    """The median seconds of the sjoin on fresh copies of the frames (copied untimed), so each run builds its index."""
    samples = [timed(partial(_sjoin, sites.copy(), footprints.copy()))[0] for _ in range(max(1, runs))]
    return Figure(median(samples), len(samples))


def checked_pairs(sites: gpd.GeoDataFrame, footprints: gpd.GeoDataFrame) -> int:
    """The number of pairs, after checking that ours and the sjoin find the same (site, footprint) pairs."""
    joined = _sjoin(sites, footprints)
    site, footprint = footprint_join.intersecting_pairs(sites.geometry.values, footprints.geometry.values)
    theirs = np.sort(joined.index.to_numpy() * len(footprints) + joined["index_right"].to_numpy())
    if not np.array_equal(np.sort(site * len(footprints) + footprint), theirs):
        raise AssertionError(f"geo.join and geopandas.sjoin disagree at N={len(sites):,}, M={len(footprints):,}")
    return len(theirs)


def _same_pairs(timing: tuple[Figure, int], pairs: int) -> Figure:
    if timing[1] != pairs:
        raise AssertionError(f"a files-to-pairs path found {timing[1]:,} pairs, not {pairs:,}")
    return timing[0]


def _files_to_pairs(sites_path: Path, footprints_path: Path) -> int:
    return len(_sjoin(pyogrio.read_dataframe(sites_path), pyogrio.read_dataframe(footprints_path)))


def _files_ours(sites_path: Path, footprints_path: Path) -> int:
    sites, footprints = (shapely.from_wkb(arrow_wkb(path)) for path in (sites_path, footprints_path))
    return len(footprint_join.intersecting_pairs(sites, footprints)[0])


def product_phases(sites: gpd.GeoDataFrame, items: list[dict[str, Any]]) -> dict[str, float]:
    """Seconds of each phase of `coverage_index` on located sites and footprinted Items, timed apart (1 run each)."""
    read, footprints = timed(lambda: footprint_join.geojson_footprints([item["geometry"] for item in items]))
    paired, (site, footprint) = timed(lambda: footprint_join.covering_pairs(sites.geometry.to_numpy(), footprints))
    indexed, _ = timed(lambda: join.add_footprints({}, sites["id"].tolist(), [item["id"] for item in items], site, footprint))
    return {"read": read, "join": paired, "dict": indexed}


def naive_loop(sites: gpd.GeoDataFrame, footprints: gpd.GeoDataFrame, n_sites: int) -> tuple[Figure, str]:
    """A per-site Python double loop over shapely predicates, on a sample, extrapolated to `n_sites`."""
    polygons = list(footprints.geometry)
    sample = max(1, min(len(sites), NAIVE_CALLS // max(1, len(polygons))))
    points = list(sites.geometry.iloc[:sample])
    start = time.perf_counter()
    found = 0
    for point in points:
        for polygon in polygons:
            if polygon.intersects(point):
                found += 1
    seconds = time.perf_counter() - start
    per_site = seconds / sample
    how = f"extrapolated: {sample} site(s) x {len(polygons):,} footprints took {seconds:.2f} s, times {n_sites:,}/{sample}"
    return Figure(per_site * n_sites, 1, how), f"{sample} sites"


def measure_cell(
    workdir: Path,
    n_sites: int,
    shapes: synthetic.Footprints,
    footprint_frame: gpd.GeoDataFrame,
    runs: int,
    product: bool,
    items: list[dict[str, Any]] | None,
) -> JoinRow:
    """Every figure of one (N, M) cell; the product path only when `product` (it is slow at large M)."""
    sites_path, footprints_path = synthetic.write_join_inputs(workdir, n_sites, shapes)
    sites = synthetic.sites_frame(n_sites)
    floor = median_seconds(lambda: (arrow_read(sites_path), arrow_read(footprints_path)), runs)
    parts = {
        "sites": median_seconds(lambda: arrow_read(sites_path), runs).value,
        "footprints": median_seconds(lambda: arrow_read(footprints_path), runs).value,
    }
    located = sites[["id", "geometry"]]
    footprints = footprint_frame[["item_id", "geometry"]]
    pairs = checked_pairs(located, footprints)
    sjoin = sjoin_seconds(located, footprints, runs)
    geometries = located.geometry.values, footprints.geometry.values
    ours = median_seconds(lambda: footprint_join.intersecting_pairs(*geometries), runs)
    files = _same_pairs(median_and_result(lambda: _files_to_pairs(sites_path, footprints_path), runs), pairs)
    files_ours = _same_pairs(median_and_result(lambda: _files_ours(sites_path, footprints_path), runs), pairs)
    naive, sample = naive_loop(sites, footprints, n_sites)
    row = JoinRow(n_sites, len(shapes), pairs, floor, sjoin, ours, files, files_ours, naive, sample, floor_parts=parts)
    if product and items is not None:
        observations = synthetic.site_log(synthetic.site_statuses(n_sites))
        row.product_coverage = median_seconds(lambda: join.coverage_index(sites, items), 1)
        row.product_phases = product_phases(sites, items)
        row.product_site_imagery = median_seconds(lambda: join.site_imagery(sites, items, observations), 1)
    return row
