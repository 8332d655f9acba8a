"""Timing helpers: wall-clock seconds of a call, medians of repeated runs, and how a figure was obtained."""

from __future__ import annotations

import gc
import statistics
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")


@dataclass(frozen=True)
class Figure:
    """One measured (or extrapolated) value: the median of `runs` runs, and how it was obtained."""

    value: float
    runs: int
    how: str = "measured"  # "measured" | "extrapolated from ..." | "skipped: ..."

    @property
    def measured(self) -> bool:
        return self.how == "measured"

    def note(self) -> str:
        """`median of 3`, `1 run`, or the extrapolation / skip reason."""
        if not self.measured:
            return self.how
        return f"median of {self.runs}" if self.runs > 1 else "1 run"


def timed(call: Callable[[], T]) -> tuple[float, T]:
    """Seconds `call()` took (wall clock, after a garbage collection) and what it returned."""
    gc.collect()
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def median_seconds(call: Callable[[], object], runs: int) -> Figure:
    """The median wall-clock seconds of `runs` calls (results dropped between runs)."""
    samples = []
    for _ in range(max(1, runs)):
        seconds, result = timed(call)
        del result
        samples.append(seconds)
    return Figure(statistics.median(samples), len(samples))


def median_and_result(call: Callable[[], T], runs: int) -> tuple[Figure, T]:
    """Like `median_seconds`, keeping what the last call returned."""
    samples = []
    result: T
    for _ in range(max(1, runs)):
        seconds, result = timed(call)
        samples.append(seconds)
    return Figure(statistics.median(samples), len(samples)), result


def median(values: list[float]) -> float:
    return statistics.median(values)
