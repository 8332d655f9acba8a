"""`python -m benchmarks`: run every measurement side by side and write benchmarks/RESULTS.md.

    .venv/bin/python -m benchmarks                      # the measurement (tens of minutes on 2 cores)
    .venv/bin/python -m benchmarks --quick              # a smoke run at small sizes, in seconds
    .venv/bin/python -m benchmarks --sizes 1000,10000   # pick N (sites)

A `--quick` run writes to a temporary folder unless `--out` is given, so it
never replaces the committed measurement.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import (
    machine,
    measure_browser,
    measure_build,
    measure_join,
    measure_log,
    synthetic,
)
from benchmarks.report import Run, render

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


@dataclass(frozen=True)
class Preset:
    """The sizes a run measures unless told otherwise."""

    sizes: list[int]
    footprints: list[int]
    log: int


FULL = Preset(sizes=[1_000, 10_000, 100_000], footprints=[10_000, 100_000, 1_000_000], log=100_000)
QUICK = Preset(sizes=[300], footprints=[3_000], log=2_000)


def _sizes(text: str) -> list[int]:
    try:
        values = sorted({int(float(part)) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected comma-separated counts such as 1000,10000 or 1e3,1e4") from None
    if not values or values[0] < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: expected positive counts")
    return values


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, one run each: a smoke run (seconds)")
    parser.add_argument("--sizes", type=_sizes, help="N, the site counts (default 1e3,1e4,1e5)")
    parser.add_argument("--footprints", type=_sizes, help="M, the scene footprint counts of the join (default 1e4,1e5,1e6)")
    parser.add_argument("--log-records", type=int, help="records in the log measurement (default 1e5)")
    parser.add_argument("--runs", type=int, help="runs per cheap figure, whose median is reported (default 3)")
    parser.add_argument(
        "--folium-max",
        type=int,
        default=10_000,
        help="largest N at which stock folium is run; above it, extrapolated (default 1e4)",
    )
    parser.add_argument(
        "--whole-build-sizes",
        type=_sizes,
        help="N at which the whole `heritage-map build`, its floor and a rebuild are timed (default: the sizes)",
    )
    parser.add_argument("--timeout", type=float, default=240.0, help="seconds a page may take to paint (default 240)")
    parser.add_argument("--out", type=Path, help="where to write RESULTS.md (default benchmarks/RESULTS.md)")
    parser.add_argument("--workdir", type=Path, help="folder for the synthetic data and built maps (default: a temporary one)")
    return parser.parse_args(argv)


def say(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def run_join(run: Run, workdir: Path, sizes: list[int], footprint_sizes: list[int], runs: int) -> None:
    run.arrow_reader = measure_join.arrow_reader()
    for m in footprint_sizes:
        say(f"join: generating {m:,} footprints")
        shapes = synthetic.footprints(m)
        frame = synthetic.footprint_frame(shapes)
        items = list(synthetic.stac_items(shapes))
        for n in sizes:
            product = n == max(sizes)
            say(f"join: N={n:,} x M={m:,}{' (with the product path)' if product else ''}")
            run.join.append(measure_join.measure_cell(workdir, n, shapes, frame, runs, product, items))
        del items, frame, shapes


def run_build(
    run: Run, workdir: Path, sizes: list[int], runs: int, folium_max: int, whole_sizes: list[int]
) -> dict[int, dict[str, Path]]:
    pages: dict[int, dict[str, Path]] = {}
    for n in sizes:
        say(f"build: N={n:,}")
        row, paths = measure_build.measure(workdir, n, runs, folium_max)
        run.build.append(row)
        pages[n] = paths
    measure_build.extrapolate_folium(run.build)
    profile_n = max((n for n in sizes if n <= 10_000), default=min(sizes))
    say(f"build: profiling ours at N={profile_n:,}")
    from geo.inputs import load_inputs

    inputs = load_inputs(workdir / f"layers-{profile_n}")
    run.profile_sites = profile_n
    run.build_profile, run.build_profile_total = measure_build.profile(lambda: measure_build.ours(inputs))
    for n in whole_sizes:
        whole_runs = 1 if n >= 100_000 else runs
        say(f"build: the whole heritage-map build at N={n:,} ({whole_runs} run(s)), its floor, and a rebuild")
        run.whole_builds.append(measure_build.whole_build(workdir, n, whole_runs))
    return pages


def run_browser(run: Run, pages: dict[int, dict[str, Path]], runs: int, folium_max: int, timeout: float) -> None:
    for browser in measure_browser.launch():
        run.versions[-1] = ("chromium", f"{browser.version} (/usr/bin/chromium, headless)")
        for n, paths in pages.items():
            say(f"browser: the timeline's slider at N={n:,}")
            run.timeline.append(measure_browser.timeline_steps(browser, paths["timeline"], n, timeout))
            for kind in ("ours", "fastmarkercluster", "folium"):
                if kind not in paths:
                    reason = f"not run: stock folium was not built above {folium_max:,} sites (it would take minutes)"
                    run.browser.append(measure_browser.BrowserRow(kind, n, skipped=reason))
                    continue
                kind_runs = 1 if (kind == "folium" and n > 1_000) else runs
                say(f"browser: {kind} at N={n:,}, {kind_runs} load(s)")
                run.browser.append(measure_browser.measure(browser, paths[kind], kind, n, kind_runs, timeout))
        top = max(pages)
        say(f"browser: CPU profile of ours at N={top:,}")
        run.js_profile_sites = top
        run.js_profile = measure_browser.js_profile(browser, pages[top]["ours"], timeout)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    preset = QUICK if args.quick else FULL
    sizes: list[int] = args.sizes or preset.sizes
    footprint_sizes: list[int] = args.footprints or preset.footprints
    log_records: int = args.log_records or preset.log
    runs = args.runs or (1 if args.quick else 3)
    whole_sizes: list[int] = args.whole_build_sizes or sizes
    folium_max = min(args.folium_max, max(sizes)) if args.quick else args.folium_max
    out = args.out or (Path(tempfile.gettempdir()) / "heritage-bench-quick" / "RESULTS.md" if args.quick else RESULTS)

    started = time.perf_counter()
    run = Run(
        started=f"{datetime.now(UTC):%Y-%m-%d %H:%M}",
        command=" ".join(["python -m benchmarks", shlex.join(argv if argv is not None else sys.argv[1:])]).strip(),
        quick=args.quick,
        runs=runs,
        machine=machine.machine(),
        versions=machine.versions(None),
        load_before=machine.load_average(),
    )
    with tempfile.TemporaryDirectory(prefix="heritage-bench-") as temporary:
        workdir = args.workdir or Path(temporary)
        workdir.mkdir(parents=True, exist_ok=True)
        run_join(run, workdir, sizes, footprint_sizes, runs)
        pages = run_build(run, workdir, sizes, runs, folium_max, whole_sizes)
        run_browser(run, pages, runs, folium_max, args.timeout)
        say(f"log: {log_records:,} records")
        run.log = measure_log.measure(workdir, log_records, runs)
    run.seconds = time.perf_counter() - started
    run.load_after = machine.load_average()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(run), encoding="utf-8")
    say(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
