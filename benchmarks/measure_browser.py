"""The browser: time to features painted, JS heap, and one zoom, in headless Chromium with no network.

Each map is opened in a fresh page of Debian's Chromium (launched as
`tests/browser.py` does). Every request off `file://` is aborted, except the
folium baselines' CDN links to Leaflet, Leaflet.markercluster and jQuery
(folium's popups are built with `$(...)`), which are answered from local
copies (`geo/static/vendor`, `benchmarks/vendor`) so the baselines can draw at
all; Bootstrap, Font Awesome and the awesome-markers plugin are aborted
(neither baseline needs them to draw markers and popups).

- painted: `performance.now()` (milliseconds since navigation start) in a
  task queued from the first animation frame after the `load` event, so the
  frame that draws the features has been painted;
- heap: CDP `Performance.getMetrics` `JSHeapUsedSize` after a forced garbage
  collection (`HeapProfiler.collectGarbage`): what the page keeps alive;
- zoom: `map.setZoom(z ± 1, {animate: false})`, then `zoomend`, then one
  animation frame and a task after it; the median of three zooms in and
  three out;
- timeline step (our timeline page): the slider moved one day on (its
  value set and an `input` event dispatched), then one animation frame
  (the sites redrawn) and a task after it; the median of ten steps from the
  middle of the dates, and the first move apart (a jump to the middle from
  the last date, where the page opens; each layer's dates were read once as
  the page loaded).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playwright.sync_api import Browser, Page, Route, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser import CHROMIUM, CHROMIUM_FLAGS

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parent.parent
LOCAL_COPIES: dict[str, Path] = {
    "leaflet.js": ROOT / "geo/static/vendor/leaflet/leaflet.js",
    "leaflet.css": ROOT / "geo/static/vendor/leaflet/leaflet.css",
    "marker-icon.png": ROOT / "geo/static/vendor/leaflet/images/marker-icon.png",
    "leaflet.markercluster.js": ROOT / "benchmarks/vendor/leaflet.markercluster/leaflet.markercluster.js",
    "MarkerCluster.css": ROOT / "benchmarks/vendor/leaflet.markercluster/MarkerCluster.css",
    "MarkerCluster.Default.css": ROOT / "benchmarks/vendor/leaflet.markercluster/MarkerCluster.Default.css",
    "jquery-3.7.1.min.js": ROOT / "benchmarks/vendor/jquery/jquery.min.js",
}
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
PAINTED_PROBE = """
window.addEventListener("load", function () {
  requestAnimationFrame(function () { setTimeout(function () { window.__painted = performance.now(); }, 0); });
});
"""
FIND_MAP = """(window.HeritageMap && window.HeritageMap.state.map) ||
  Object.keys(window).map(function (k) { try { return window[k]; } catch (e) { return null; } })
    .find(function (v) { return v instanceof L.Map; })"""
ZOOM = """(delta) => new Promise((resolve) => {
  const map = %s;
  const start = performance.now();
  map.once("zoomend", () => requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - start), 0)));
  map.setZoom(map.getZoom() + delta, {animate: false});
})""".replace("%s", FIND_MAP)
FEATURES = {
    "ours": """Object.keys(HeritageMap.state.layers).filter((t) => t.startsWith("Heritage sites"))
                 .reduce((n, t) => n + HeritageMap.featureCount(t), 0)""",
    "fastmarkercluster": """(() => { const map = %s; let n = 0;
                 map.eachLayer((l) => { if (l instanceof L.MarkerClusterGroup) n += l.getLayers().length; });
                 return n; })()""".replace("%s", FIND_MAP),
    "folium": "document.querySelectorAll('.leaflet-marker-icon').length",
}


STEP = """(index) => new Promise((resolve) => {
  const slider = HeritageMap.state.timeline.slider;
  const start = performance.now();
  slider.value = String(index);
  slider.dispatchEvent(new Event("input"));
  requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - start), 0));
})"""
SHOWN = """Object.keys(HeritageMap.state.layers).filter((t) => t.startsWith("Heritage sites"))
  .reduce((n, t) => n + HeritageMap.state.layers[t].shown().filter(Boolean).length, 0)"""


PARSE_AGAIN = """() => {
  const nodes = Array.from(document.querySelectorAll('script[type="application/json"][id^="data-"]'));
  const start = performance.now();
  window.__parsedAgain = nodes.map((node) => JSON.parse(node.textContent));
  return performance.now() - start;
}"""


@dataclass
class Load:
    """One page load: painted (s), heap (MB), zoom (s), features drawn, requests aborted.

    For our map also: the time to `JSON.parse` its data payloads once more,
    and the heap those parsed payloads hold (MB): the part of the heap that is
    the data itself rather than Leaflet's layers.
    """

    painted: float
    heap_mb: float
    zoom: float
    features: int
    aborted: int
    parse: float = 0.0
    parsed_mb: float = 0.0


@dataclass
class BrowserRow:
    """The medians over the loads of one map at one N, or why it was not run."""

    kind: str
    n_sites: int
    loads: list[Load] = field(default_factory=list)
    skipped: str | None = None

    def median(self, attribute: str) -> float:
        return statistics.median(getattr(load, attribute) for load in self.loads)

    def note(self) -> str:
        if self.skipped:
            return self.skipped
        return f"median of {len(self.loads)}" if len(self.loads) > 1 else "1 run"


def launch() -> Iterator[Browser]:
    """Headless Chromium as the browser tests launch it."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def _route(aborted: list[str]):  # type: ignore[no-untyped-def]
    def handle(route: Route) -> None:
        url = route.request.url
        if url.startswith(("file://", "data:")):
            route.continue_()
            return
        name = url.split("?")[0].rsplit("/", 1)[-1]
        local = LOCAL_COPIES.get(name)
        if local is not None:
            route.fulfill(
                body=local.read_bytes(), content_type=CONTENT_TYPES[local.suffix], headers={"Access-Control-Allow-Origin": "*"}
            )
        else:
            aborted.append(url)
            route.abort()

    return handle


def load_once(browser: Browser, path: Path, kind: str, timeout_s: float) -> Load:
    """Open `path` in a fresh page and take every figure once."""
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    try:
        page = context.new_page()
        aborted: list[str] = []
        page.route("**/*", _route(aborted))
        page.add_init_script(PAINTED_PROBE)
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        page.goto(path.resolve().as_uri(), wait_until="load", timeout=timeout_s * 1000)
        page.wait_for_function("window.__painted !== undefined", timeout=timeout_s * 1000)
        painted = page.evaluate("window.__painted") / 1000
        features = int(page.evaluate(FEATURES[kind]))
        cdp.send("HeapProfiler.collectGarbage")
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        zooms = [_zoom(page, delta) for _ in range(3) for delta in (1, -1)]
        load = Load(painted, metrics["JSHeapUsedSize"] / 1e6, statistics.median(zooms), features, len(aborted))
        if kind == "ours":
            load.parse = float(page.evaluate(PARSE_AGAIN)) / 1000
            cdp.send("HeapProfiler.collectGarbage")
            after = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
            load.parsed_mb = (after["JSHeapUsedSize"] - metrics["JSHeapUsedSize"]) / 1e6
        return load
    finally:
        context.close()


def _zoom(page: Page, delta: int) -> float:
    return float(page.evaluate(ZOOM, delta)) / 1000


def measure(browser: Browser, path: Path, kind: str, n_sites: int, runs: int, timeout_s: float) -> BrowserRow:
    """`runs` loads of one map; a load that times out ends the row with the reason."""
    row = BrowserRow(kind, n_sites)
    for _ in range(runs):
        try:
            row.loads.append(load_once(browser, path, kind, timeout_s))
        except PlaywrightTimeout:
            row.skipped = f"timed out: not painted within {timeout_s:g} s"
            row.loads.clear()
            break
        except PlaywrightError as error:
            row.skipped = f"failed: {str(error).splitlines()[0]}"
            row.loads.clear()
            break
    return row


@dataclass
class TimelineRow:
    """Moving our timeline's slider at one N: the first move, the median of the steps after it, and the sites shown."""

    n_sites: int
    dates: int = 0
    first: float = 0.0
    steps: list[float] = field(default_factory=list)
    shown: int = 0
    skipped: str | None = None

    def median(self) -> float:
        return statistics.median(self.steps)


def timeline_steps(browser: Browser, path: Path, n_sites: int, timeout_s: float, count: int = 10) -> TimelineRow:
    """Open our timeline page and move its slider one date at a time, from the middle of its dates."""
    row = TimelineRow(n_sites)
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    try:
        page = context.new_page()
        page.route("**/*", _route([]))
        page.add_init_script(PAINTED_PROBE)
        page.goto(path.resolve().as_uri(), wait_until="load", timeout=timeout_s * 1000)
        page.wait_for_function("window.__painted !== undefined", timeout=timeout_s * 1000)
        row.dates = int(page.evaluate("HeritageMap.state.timeline.dates.length"))
        start = row.dates // 2
        row.first = float(page.evaluate(STEP, start)) / 1000
        row.steps = [float(page.evaluate(STEP, min(row.dates - 1, start + k))) / 1000 for k in range(1, count + 1)]
        row.shown = int(page.evaluate(SHOWN))
    except (PlaywrightTimeout, PlaywrightError) as error:
        row.skipped = f"failed: {str(error).splitlines()[0]}"
    finally:
        context.close()
    return row


@dataclass(frozen=True)
class Hotspot:
    """One JavaScript function's own (self) time in a CPU profile."""

    function: str
    self_ms: float
    share: float


SCRIPT_MARKERS = (
    ("Leaflet 1.9.4", "leaflet.js"),
    ("Heritage map:", "heritage.js"),
    ("leaflet.fullscreen", "Control.FullScreen.js"),
    ("MiniMap", "Control.MiniMap.js"),
    ("markercluster", "leaflet.markercluster.js"),
)


def script_names(path: Path) -> list[tuple[int, str]]:
    """(first line, name) of each inline `<script>` of the page, named by the library it inlines."""
    text = path.read_text(encoding="utf-8")
    starts = []
    position = text.find("<script>")
    while position != -1:
        opening = text[position : position + 600]
        name = next((label for marker, label in SCRIPT_MARKERS if marker in opening), "page script")
        starts.append((text.count("\n", 0, position) + 1, name))
        position = text.find("<script>", position + 1)
    return starts


def _script_at(starts: list[tuple[int, str]], line: int) -> str:
    name = "page"
    for first, label in starts:
        if first > line:
            break
        name = label
    return name


def _hotspots(profile: dict[str, Any], top: int, starts: list[tuple[int, str]]) -> list[Hotspot]:
    """Self time per function of a CDP `Profiler.stop` profile, largest first, idle time left out."""
    nodes = {node["id"]: node for node in profile["nodes"]}
    own: dict[str, float] = {}
    for sample, delta in zip(profile.get("samples", []), profile.get("timeDeltas", [])):
        frame = nodes[sample]["callFrame"]
        name = frame["functionName"] or "(anonymous)"
        if name == "(idle)":
            continue
        url = frame.get("url", "")
        where = f" ({_script_at(starts, frame['lineNumber'] + 1)})" if url else ""
        key = name + where
        own[key] = own.get(key, 0.0) + delta / 1000
    total = sum(own.values()) or 1.0
    ranked = sorted(own.items(), key=lambda item: -item[1])[:top]
    return [Hotspot(name, milliseconds, milliseconds / total) for name, milliseconds in ranked]


def js_profile(browser: Browser, path: Path, timeout_s: float, top: int = 8) -> dict[str, list[Hotspot]]:
    """CPU profiles (V8 sampling, 100 µs) of loading `path` until painted and of one zoom in: the top functions by self time."""
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    try:
        page = context.new_page()
        page.route("**/*", _route([]))
        page.add_init_script(PAINTED_PROBE)
        cdp = context.new_cdp_session(page)
        cdp.send("Profiler.enable")
        cdp.send("Profiler.setSamplingInterval", {"interval": 100})
        cdp.send("Profiler.start")
        page.goto(path.resolve().as_uri(), wait_until="load", timeout=timeout_s * 1000)
        page.wait_for_function("window.__painted !== undefined", timeout=timeout_s * 1000)
        load = cdp.send("Profiler.stop")["profile"]
        cdp.send("Profiler.start")
        _zoom(page, 1)
        zoom = cdp.send("Profiler.stop")["profile"]
        starts = script_names(path)
        return {"load": _hotspots(load, top, starts), "zoom": _hotspots(zoom, top, starts)}
    finally:
        context.close()
