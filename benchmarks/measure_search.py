"""Search at scale: what the index costs in the overview, built in the browser or shipped from the build.

    .venv/bin/python -m benchmarks.measure_search                  # N=100,000 sites
    .venv/bin/python -m benchmarks.measure_search --sites 10000

The overview of the benchmark's synthetic data (`benchmarks.synthetic`, as
`python -m benchmarks` builds it) is opened in headless Chromium as
`benchmarks.measure_browser` opens it; then, in that page:

- load: painted, heap and zoom as `measure_browser` takes them (the index not
  yet built: it is built on the search box's first focus);
- browser-built index: the time from the box's focus to the index being
  ready (`HeritageMap.state.searchReady`; MiniSearch adds the features in
  chunks between turns of the event loop, so the page stays responsive), the
  longest it held the main thread at a time, the heap after a forced garbage
  collection, and a zoom with the index in memory;
- queries: the time of each (its results ranked and the list drawn);
- build-time alternative: the same index as MiniSearch's JSON (what a build
  would embed: `JSON.stringify` of it), its size, the time to load it
  (`MiniSearch.loadJSON`) and the heap it holds; then a copy of the page
  carrying that JSON as one more `<script type="application/json">` block,
  loaded for painted and heap as above.

Two data sets: the benchmark's sites as they are (an English and an
Armenian name and a settlement each), and the same sites with every name
field search reads filled (Azerbaijani and Russian names, the settlement's
Armenian, Azerbaijani and Russian names), the most a site can carry.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import measure_browser, measure_build, synthetic
from geo.inputs import load_inputs

QUERIES = ("Site 4711", "Sitr 4711", "si", "Settlement 1234", "Վանք", "Памятник 4711", "Sayt 4711")
FIELDS = ["names", "settlements"]
"""The index's fields (geo/static/search.js), which MiniSearch.loadJSON is given."""

READY = """() => new Promise((resolve) => {
  // A timer that fires as often as the main thread lets it: the longest wait between two firings is the
  // longest the index's building held the thread.
  const input = document.getElementById("hm-search-input");
  const start = performance.now();
  let last = start, longest = 0;
  input.focus();
  (function beat() {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (HeritageMap.state.searchReady) resolve({ took: now - start, longest: longest });
    else setTimeout(beat, 0);
  })();
})"""
QUERY = """(text) => new Promise((resolve) => {
  const input = document.getElementById("hm-search-input"), list = document.getElementById("hm-search-results");
  input.value = text;
  list.removeAttribute("data-query");
  input.dispatchEvent(new Event("input"));
  // A large index waits for a pause in the typing before it searches; the pause is not the query's time.
  (function wait() {
    if (list.getAttribute("data-query") !== text) { setTimeout(wait, 1); return; }
    resolve({ took: HeritageMap.state.searchTook, shown: document.querySelectorAll(".hm-result").length });
  })();
})"""
SERIALISE = """() => {
  window.__indexJson = JSON.stringify(HeritageMap.state.searchIndex.mini);
  return new Blob([window.__indexJson]).size;
}"""
LOAD_JSON = """(fields) => {
  const start = performance.now();
  window.__loaded = MiniSearch.loadJSON(window.__indexJson, { fields: fields });
  const took = performance.now() - start;
  window.__indexJson = null;
  return took;
}"""


def with_every_name(folder: Path) -> Path:
    """The data folder's sites given every name field search reads, as the richest real site would carry."""
    path = folder / "heritage_sites.geojson"
    collection = json.loads(path.read_text(encoding="utf-8"))
    for i, feature in enumerate(collection["features"]):
        props = feature["properties"]
        block = i // 25
        props.update(
            name_az=f"Sayt {i}",
            name_ru=f"Памятник {i}",
            settlement_hy=f"Գյուղ {block}",
            settlement_az=f"Kənd {block}",
            settlement_ru=f"Село {block}",
        )
    path.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return folder


def heap_mb(cdp: Any) -> float:
    cdp.send("HeapProfiler.collectGarbage")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return float(metrics["JSHeapUsedSize"]) / 1e6


def open_overview(browser: Any, path: Path, timeout_s: float) -> tuple[Any, Any, Any, float]:
    """The page in a fresh context, painted; its context, page, CDP session and painted time (s)."""
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    page.route("**/*", measure_browser._route([]))
    page.add_init_script(measure_browser.PAINTED_PROBE)
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    page.goto(path.resolve().as_uri(), wait_until="load", timeout=timeout_s * 1000)
    page.wait_for_function("window.__painted !== undefined", timeout=timeout_s * 1000)
    return context, page, cdp, float(page.evaluate("window.__painted")) / 1000


def zoom_ms(page: Any) -> float:
    return statistics.median(float(page.evaluate(measure_browser.ZOOM, delta)) for _ in range(3) for delta in (1, -1))


def measure(browser: Any, path: Path, timeout_s: float) -> dict[str, Any]:
    """Every figure of the module docstring for one overview page."""
    figures: dict[str, Any] = {"page_mb": path.stat().st_size / 1e6}
    context, page, cdp, figures["painted_s"] = open_overview(browser, path, timeout_s)
    try:
        figures["heap_mb"] = heap_mb(cdp)
        figures["zoom_ms"] = zoom_ms(page)
        ready = page.evaluate(READY)
        figures["index_ms"], figures["index_longest_task_ms"] = ready["took"], ready["longest"]
        figures["documents"] = int(page.evaluate("HeritageMap.state.searchIndex.documents.count"))
        figures["terms"] = int(page.evaluate("HeritageMap.state.searchIndex.mini.termCount"))
        figures["heap_with_index_mb"] = heap_mb(cdp)
        figures["zoom_with_index_ms"] = zoom_ms(page)
        figures["queries"] = {}
        for text in QUERIES:
            times = [page.evaluate(QUERY, text) for _ in range(5)]
            figures["queries"][text] = (statistics.median(t["took"] for t in times), times[0]["shown"])
        page.evaluate(QUERY, "")
        figures["json_mb"] = float(page.evaluate(SERIALISE)) / 1e6
        before = heap_mb(cdp)
        figures["load_json_ms"] = float(page.evaluate(LOAD_JSON, FIELDS))
        figures["loaded_heap_mb"] = heap_mb(cdp) - before
        index_json = page.evaluate("JSON.stringify(HeritageMap.state.searchIndex.mini)")
    finally:
        context.close()
    shipped = path.with_name(path.stem + "-with-index.html")
    text = path.read_text(encoding="utf-8")
    block = '<script type="application/json" id="search-index">' + index_json.replace("<", "\\u003c") + "</script>"
    shipped.write_text(text.replace("</body>", block + "</body>", 1), encoding="utf-8")
    figures["shipped_page_mb"] = shipped.stat().st_size / 1e6
    context, page, cdp, figures["shipped_painted_s"] = open_overview(browser, shipped, timeout_s)
    try:
        figures["shipped_heap_mb"] = heap_mb(cdp)
    finally:
        context.close()
    return figures


def report(label: str, figures: dict[str, Any]) -> str:
    f = figures
    lines = [
        f"### {label}",
        "",
        f"- page: {f['page_mb']:.1f} MB; painted {f['painted_s']:.3f} s; heap {f['heap_mb']:.1f} MB; zoom {f['zoom_ms']:.1f} ms",
        (
            f"- index built in the browser on first focus: {f['documents']:,} features, {f['terms']:,} distinct terms, "
            f"ready {f['index_ms']:.0f} ms after focus "
            f"(the main thread held at most {f['index_longest_task_ms']:.0f} ms at a time); "
            f"heap then {f['heap_with_index_mb']:.1f} MB (+{f['heap_with_index_mb'] - f['heap_mb']:.1f} MB); "
            f"zoom {f['zoom_with_index_ms']:.1f} ms"
        ),
        "- queries (median of 5; results ranked and the list drawn): "
        + "; ".join(f"{q!r} {ms:.1f} ms ({shown} shown)" for q, (ms, shown) in f["queries"].items()),
        (
            f"- shipped from the build instead: MiniSearch's JSON {f['json_mb']:.1f} MB; page {f['shipped_page_mb']:.1f} MB, "
            f"painted {f['shipped_painted_s']:.3f} s, heap {f['shipped_heap_mb']:.1f} MB before any search; "
            f"MiniSearch.loadJSON {f['load_json_ms']:.0f} ms, holding {f['loaded_heap_mb']:.1f} MB"
        ),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.measure_search", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=None, help="where the data and pages go (a temporary folder by default)")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="search-bench-") as scratch:
        workdir = args.workdir or Path(scratch)
        pages = {}
        for label, enrich in (("the benchmark's sites", False), ("every name field filled", True)):
            folder = synthetic.write_data_folder(workdir / f"layers-{args.sites}-{int(enrich)}", args.sites, args.sites // 10)
            if enrich:
                with_every_name(folder)
            start = time.perf_counter()
            text = measure_build.ours(load_inputs(folder))
            print(f"built the overview of {label} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
            page = workdir / f"index-{args.sites}-{int(enrich)}.html"
            page.write_text(text, encoding="utf-8")
            pages[label] = page
        print(f"## Search at N={args.sites:,} sites\n")
        for browser in measure_browser.launch():
            print(f"Chromium {browser.version}, headless, 1200×800, no network.\n")
            for label, page in pages.items():
                print(report(label, measure(browser, page, args.timeout)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
