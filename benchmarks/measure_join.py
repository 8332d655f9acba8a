"""The join: which scene footprints cover each site, against a naive loop and against reading the inputs.

For each (N sites, M footprints):

- floor: reading both inputs (FlatGeobuf) through pyogrio's Arrow path, into
  Arrow buffers and no further;
- sjoin: `geopandas.sjoin(sites, footprints, predicate="intersects")` on
  frames in memory, the call `geo.join.coverage_index` makes;
- files to pairs: `pyogrio.read_dataframe` of both files, then the sjoin;
- product: `geo.join.coverage_index` and `geo.join.site_imagery` on the STAC
  Items as dicts (as `imagery.json` gives them), with the building of the
  footprint polygons from those dicts timed apart;
- naive: a per-site Python loop over `footprint.intersects(site)` for a
  sample of sites against all M footprints, extrapolated to N sites.
"""

from __future__ import annotations

import importlib.util
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
from shapely.geometry import shape

from benchmarks import synthetic
from benchmarks._timing import Figure, median_seconds, timed
from geo import join

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
    files_to_pairs: Figure
    naive: Figure
    naive_sample: str
    product_shapes: Figure | None = None
    product_coverage: Figure | None = None
    product_site_imagery: Figure | None = None
    floor_parts: dict[str, float] = field(default_factory=dict)


def arrow_reader() -> str:
    """Which reader the floor uses: pyarrow when installed, else nanoarrow, else pyogrio's non-Arrow read."""
    if importlib.util.find_spec("pyarrow") is not None:
        return "`pyogrio.read_arrow` (pyarrow)"
    if importlib.util.find_spec("nanoarrow") is not None:
        return "`pyogrio.raw.open_arrow` consumed by nanoarrow (pyarrow is not installed)"
    return ("`pyogrio.raw.read` (WKB into numpy): NOT the Arrow path, which needs pyarrow or nanoarrow; "
            "install one (`pip install nanoarrow`) for the floor the issue asks for")


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


def _sjoin(sites: gpd.GeoDataFrame, footprints: gpd.GeoDataFrame) -> int:
    return len(gpd.sjoin(sites, footprints, how="inner", predicate="intersects"))


def _files_to_pairs(sites_path: Path, footprints_path: Path) -> int:
    return _sjoin(pyogrio.read_dataframe(sites_path), pyogrio.read_dataframe(footprints_path))


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
    workdir: Path, n_sites: int, shapes: synthetic.Footprints, footprint_frame: gpd.GeoDataFrame,
    runs: int, product: bool, items: list[dict[str, Any]] | None,
) -> JoinRow:
    """Every figure of one (N, M) cell; the product path only when `product` (it is slow at large M)."""
    sites_path, footprints_path = synthetic.write_join_inputs(workdir, n_sites, shapes)
    sites = synthetic.sites_frame(n_sites)
    floor = median_seconds(lambda: (arrow_read(sites_path), arrow_read(footprints_path)), runs)
    parts = {"sites": median_seconds(lambda: arrow_read(sites_path), runs).value,
             "footprints": median_seconds(lambda: arrow_read(footprints_path), runs).value}
    located = sites[["id", "geometry"]]
    footprints = footprint_frame[["item_id", "geometry"]]
    _, pairs = timed(lambda: _sjoin(located, footprints))
    sjoin = median_seconds(lambda: _sjoin(located, footprints), runs)
    files = median_seconds(lambda: _files_to_pairs(sites_path, footprints_path), runs)
    naive, sample = naive_loop(sites, footprints, n_sites)
    row = JoinRow(n_sites, len(shapes), pairs, floor, sjoin, files, naive, sample, floor_parts=parts)
    if product and items is not None:
        observations = synthetic.site_log(synthetic.site_statuses(n_sites))
        row.product_shapes = median_seconds(lambda: [shape(i["geometry"]) for i in items], 1)
        row.product_coverage = median_seconds(lambda: join.coverage_index(sites, items), 1)
        row.product_site_imagery = median_seconds(lambda: join.site_imagery(sites, items, observations), 1)
    return row
