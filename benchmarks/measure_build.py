"""The build: seconds and bytes of the overview map for N sites, against two stock folium maps.

- ours: `public_sites` (the join, `geo.join.join`, then the public view,
  `geo.sitestatus.public_view`), `geo.maps.overview_map` then
  `geo.render.page_html` (self-contained, `--tiles none`), from inputs already
  loaded, with Python's cyclic collector paused as `geo.build.build_maps`
  runs these steps; loading and `public_sites` are also timed on their own;
- stock folium: one `folium.Marker` per site with a `folium.Popup` (name in
  two scripts, type, status and its date), rendered with `Figure.render()`;
- FastMarkerCluster: `folium.plugins.FastMarkerCluster` with the same popup
  text, bound by a callback (its default callback needs Font Awesome markers);
- phases of ours, timed on their own: `public_sites`, the sites' feature
  table (`geo.payload.feature_table` of every site with `SITE_FIELDS`) and
  its serialisation (`geo.payload.script_json`: `json.dumps` and escaping);
- the compact GeoJSON of the displayed fields: every payload our page embeds,
  parsed, its feature tables turned back into GeoJSON FeatureCollections
  (`geo.payload.table_features`), and written as plain compact JSON (UTF-8,
  no escapes, no white space): the data the page draws, as GeoJSON, without
  the page.

Both folium baselines link their scripts from CDNs as folium writes them; ours
inlines Leaflet, its plugins and heritage.js, and the byte counts include that.
"""

from __future__ import annotations

import cProfile
import gc
import html
import json
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import folium
import folium.plugins

from benchmarks import machine, synthetic
from benchmarks._timing import Figure, median_and_result, median_seconds
from geo._gc import collector_paused
from geo.build import BuildState
from geo.inputs import Inputs, load_inputs
from geo.join import join
from geo.maps import overview_map, timeline_map
from geo.observations import append_records
from geo.payload import feature_table, script_json, table_features
from geo.render import page_html
from geo.sitestatus import SITE_FIELDS, PublicView, public_view

if TYPE_CHECKING:
    from collections.abc import Callable

    import geopandas as gpd

POPUP_CALLBACK = """function (row) {
    var marker = L.marker(new L.LatLng(row[0], row[1]));
    marker.bindPopup(row[2]);
    return marker;
}"""
ROOT = Path(__file__).resolve().parent.parent
_PAYLOAD = re.compile(r'<script type="application/json" id="[^"]*">(.*?)</script>', re.DOTALL)


BUILD_RUNS = 5
"""Runs of our whole build per N: its median decides the build target, and this shared machine's runs spread by 30%."""


@dataclass
class BuildRow:
    """The figures of one N."""

    n_sites: int
    n_scenes: int
    load: Figure
    join: Figure
    ours: Figure
    ours_bytes: int
    compact_bytes: int
    folium: Figure
    folium_bytes: int
    folium_bytes_how: str
    cluster: Figure
    cluster_bytes: int
    payload: Figure | None = None
    script_json: Figure | None = None


@dataclass
class WholeBuild:
    """`heritage-map build` (load to MANIFEST.sha256) at one N, Python writing the same files beside it, and a rebuild."""

    n_sites: int
    seconds: Figure
    floor: Figure
    files: int
    bytes: int
    peak_mb: float
    load: str
    rebuild: Figure | None = None
    rebuild_written: int = 0
    rebuild_incremental: bool = False


def scenes_for(n_sites: int) -> int:
    """Scenes in the build's data folder: one per ten sites (at least 100)."""
    return max(100, n_sites // 10)


def popup_html(row: Any) -> str:
    """The baselines' popup: escaped name, Armenian name, type, status and its date."""
    date = row.status_date
    parts = [row.name, row.name_hy, row.type, f"{row.status} ({date if isinstance(date, str) else 'no date'})"]
    return "<br>".join(html.escape(str(p)) for p in parts)


def _centre(sites: gpd.GeoDataFrame) -> list[float]:
    west, south, east, north = sites.total_bounds
    return [(south + north) / 2, (west + east) / 2]


def stock_folium(sites: gpd.GeoDataFrame) -> str:
    """One `folium.Marker` with a `folium.Popup` per site: the page text."""
    fmap = folium.Map(location=_centre(sites), zoom_start=8, tiles=None, maxZoom=18)
    for row in sites.itertuples(index=False):
        folium.Marker([row.geometry.y, row.geometry.x], popup=folium.Popup(popup_html(row))).add_to(fmap)
    return fmap.get_root().render()


def fast_cluster(sites: gpd.GeoDataFrame) -> str:
    """`FastMarkerCluster` of every site with the same popup text: the page text."""
    fmap = folium.Map(location=_centre(sites), zoom_start=8, tiles=None, maxZoom=18)
    rows = [[row.geometry.y, row.geometry.x, popup_html(row)] for row in sites.itertuples(index=False)]
    folium.plugins.FastMarkerCluster(rows, callback=POPUP_CALLBACK).add_to(fmap)
    return fmap.get_root().render()


def public_sites(inputs: Inputs) -> PublicView:
    """The join and the public view of the sites, as a build makes them."""
    return public_view(inputs, join(inputs.sites, inputs.items, inputs.observations()))


def ours(inputs: Inputs) -> str:
    """Our overview page, self-contained, without base tiles, built as `geo.build.build_maps` builds it."""
    with collector_paused():
        text, _ = page_html(overview_map(inputs, public_sites(inputs), "none"), "inline")
    return text


def compact_geojson_bytes(page: str) -> int:
    """UTF-8 bytes of every payload of `page` as plain compact JSON, feature tables as GeoJSON."""
    total = 0
    for payload in _PAYLOAD.findall(page):
        value = json.loads(payload)
        if isinstance(value, dict) and "columns" in value:
            value = table_features(value)
        total += len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    return total


def measure(workdir: Path, n_sites: int, runs: int, folium_max: int) -> tuple[BuildRow, dict[str, Path]]:
    """Build all three maps for `n_sites`; write them under `workdir` for the browser; return the figures.

    Our build runs `BUILD_RUNS` times (its target is judged on it), its phases
    and FastMarkerCluster `runs` times, at every N (a few seconds each at 1e5,
    so a single noisy run does not decide a target); loading the data folder runs once at 1e5; stock folium
    runs `runs` times at 1e3, once up to `folium_max`, and is extrapolated
    linearly from the largest measured size above it.
    """
    n_scenes = scenes_for(n_sites)
    data = synthetic.write_data_folder(workdir / f"layers-{n_sites}", n_sites, n_scenes)
    load, inputs = median_and_result(lambda: load_inputs(data), 1 if n_sites >= 100_000 else runs)
    with collector_paused():  # each phase as the build runs it
        joined, view = median_and_result(lambda: public_sites(inputs), runs)
        sites = view.sites
        payload, collection = median_and_result(lambda: feature_table(sites, SITE_FIELDS), runs)
        script = median_seconds(lambda: script_json(collection), runs)
    ours_figure, page = median_and_result(lambda: ours(inputs), max(runs, BUILD_RUNS))
    paths = {"ours": _write(workdir / f"ours-{n_sites}.html", page)}
    with collector_paused():
        timeline_page, _ = page_html(timeline_map(inputs, view, "none"), "inline")
    paths["timeline"] = _write(workdir / f"timeline-{n_sites}.html", timeline_page)
    del timeline_page
    cluster_figure, cluster_page = median_and_result(lambda: fast_cluster(sites), runs)
    paths["fastmarkercluster"] = _write(workdir / f"fastmarkercluster-{n_sites}.html", cluster_page)
    row = BuildRow(
        n_sites,
        n_scenes,
        load,
        joined,
        ours_figure,
        _size(page),
        compact_geojson_bytes(page),
        Figure(0.0, 0, "pending"),
        0,
        "",
        cluster_figure,
        _size(cluster_page),
        payload,
        script,
    )
    if n_sites <= folium_max:
        folium_runs = runs if n_sites <= 1_000 else 1
        row.folium, folium_page = median_and_result(lambda: stock_folium(sites), folium_runs)
        row.folium_bytes, row.folium_bytes_how = _size(folium_page), "measured"
        paths["folium"] = _write(workdir / f"folium-{n_sites}.html", folium_page)
    return row, paths


def extrapolate_folium(rows: list[BuildRow]) -> None:
    """Fill stock folium's figures above the largest measured size, linearly in N from it."""
    measured = [r for r in rows if r.folium.measured]
    if not measured:
        return
    base = max(measured, key=lambda r: r.n_sites)
    for row in rows:
        if row.folium.how == "pending":
            factor = row.n_sites / base.n_sites
            how = f"extrapolated linearly from {base.n_sites:,} sites (x{factor:g}); not run"
            row.folium = Figure(base.folium.value * factor, 0, how)
            row.folium_bytes = int(base.folium_bytes * factor)
            row.folium_bytes_how = how


def whole_build(workdir: Path, n_sites: int, runs: int) -> WholeBuild:
    """Time the whole build of the N-site data folder into an empty folder, `runs` times (a process each); time Python
    writing the same files into another empty folder (the floor); then append one observation to a copy of the data
    and time the rebuild into the last build's folder.
    """
    data = workdir / f"layers-{n_sites}"
    if not data.exists():
        synthetic.write_data_folder(data, n_sites, scenes_for(n_sites))
    load = machine.load_average()
    builds: list[dict[str, Any]] = []
    floors: list[float] = []
    out = workdir / f"whole-{n_sites}"
    for run in range(max(1, runs)):
        for folder in (out, workdir / f"floor-{n_sites}"):
            shutil.rmtree(folder, ignore_errors=True)
        BuildState.path(out).unlink(missing_ok=True)
        builds.append(_build_process(data, out))
        files = _read_files(out)
        floors.append(_write_files(files, workdir / f"floor-{n_sites}"))
        if run == runs - 1:
            size = sum(len(content) for content in files.values())
            count = len(files)
        del files
    shutil.rmtree(workdir / f"floor-{n_sites}", ignore_errors=True)
    row = WholeBuild(
        n_sites,
        Figure(statistics.median(b["seconds"] for b in builds), len(builds)),
        Figure(statistics.median(floors), len(floors)),
        count,
        size,
        max(b["peak_mb"] for b in builds),
        load,
    )
    grown = workdir / f"layers-{n_sites}-grown"
    shutil.rmtree(grown, ignore_errors=True)
    shutil.copytree(data, grown)
    append_records(grown / "observations.jsonl", [synthetic.new_observation(n_sites)])
    again = _build_process(grown, out)
    row.rebuild = Figure(again["seconds"], 1)
    row.rebuild_written, row.rebuild_incremental = again["written"], again["incremental"]
    shutil.rmtree(grown, ignore_errors=True)
    return row


def _build_process(data: Path, out: Path) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks._build_once", str(data), str(out)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def _read_files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _write_files(files: dict[str, bytes], folder: Path) -> float:
    """Seconds Python takes to write `files` into the empty `folder`: each opened, written and closed, its folder made
    when first needed (the floor of any build that writes these bytes)."""
    gc.collect()
    start = time.perf_counter()
    made: set[Path] = set()
    for relative, content in files.items():
        path = folder / relative
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        with open(path, "wb") as handle:
            handle.write(content)
    return time.perf_counter() - start


def profile(call: Callable[[], object], top: int = 8) -> tuple[list[tuple[str, int, float, float]], float]:
    """The `top` functions by own time under cProfile, (function, calls, own s, cumulative s), and the total own time."""
    profiler = cProfile.Profile()
    profiler.runcall(call)
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    rows = []
    for (filename, line, name), (_, calls, own, cumulative, _) in stats.items():
        label = name if filename == "~" else f"{Path(filename).name}:{line} {name}"
        rows.append((label, calls, own, cumulative))
    return sorted(rows, key=lambda r: -r[2])[:top], sum(r[2] for r in rows)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _size(text: str) -> int:
    return len(text.encode("utf-8"))
