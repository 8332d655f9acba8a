"""What the figures were measured on: the machine, its load, and the versions of everything timed."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import sys
from pathlib import Path


def _first(path: str, prefix: str) -> str | None:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return None
    for line in lines:
        if line.startswith(prefix):
            return line.split(":", 1)[1].strip()
    return None


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (other work on the machine shows here)."""
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def machine() -> list[tuple[str, str]]:
    """Cores, memory, CPU model and OS, as rows of (what, value)."""
    memory = _first("/proc/meminfo", "MemTotal")
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        ("CPU model", _first("/proc/cpuinfo", "model name") or platform.processor() or "unknown"),
        ("cores", f"{os.cpu_count()} (usable by this process: {usable})"),
        ("memory", f"{int(memory.split()[0]) / 2**20:.1f} GiB" if memory else "unknown"),
        ("OS", platform.platform()),
    ]


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def versions(chromium: str | None) -> list[tuple[str, str]]:
    """Python and the libraries and browser whose speed is measured."""
    import pyogrio

    rows = [("python", sys.version.split()[0])]
    rows += [
        (name, _version(name))
        for name in (
            "geopandas",
            "shapely",
            "pyogrio",
            "pandas",
            "numpy",
            "folium",
            "branca",
            "playwright",
            "pyarrow",
            "nanoarrow",
        )
    ]
    rows.append(("GDAL (pyogrio)", pyogrio.__gdal_version_string__))
    rows.append(("chromium", chromium or "not run"))
    return rows
