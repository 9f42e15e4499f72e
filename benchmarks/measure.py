"""Timing and memory helpers shared by the benchmark scripts (run as ``python benchmarks/X.py``,
so this folder is on ``sys.path``)."""

from __future__ import annotations

import statistics
import time
import tracemalloc
from typing import Callable


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and best wall time in seconds over ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def peak_mib(fn: Callable[[], object]) -> float:
    """Peak memory traced by tracemalloc (numpy buffers included) during one call, in MiB."""
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20
