"""One `heritage-map build` in a process of its own, timed from load to MANIFEST.sha256.

Run as `python -m benchmarks._build_once DATA OUT`.

Prints one JSON line: the seconds `geo.build.build_maps` took (imports not
included), the files it wrote and left unchanged, whether it was incremental,
and this process's peak memory (`VmHWM`: `ru_maxrss` carries the parent's
across the exec; the forked workers' own peaks are not in it). A process per
build, so one build's memory and caches do not carry into the next
measurement.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from geo.build import build_maps


def main(data: str, out: str) -> None:
    start = time.perf_counter()
    result = build_maps(data, out, tiles="none")
    seconds = time.perf_counter() - start
    status = Path("/proc/self/status").read_text(encoding="utf-8")
    peak_kib = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
    print(
        json.dumps(
            {
                "seconds": seconds,
                "written": len(result.written),
                "unchanged": result.unchanged,
                "incremental": result.incremental,
                "peak_mb": peak_kib * 1024 / 1e6,
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:3])
