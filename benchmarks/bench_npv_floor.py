"""The NPV route against the memory floor (issue 25). Run:
.venv/bin/python benchmarks/bench_npv_floor.py [--src DIR] [--sizes 10000,100000,1000000] [--repeat N]

``appraise_npv`` on the six-model Birmingham portfolio (NPV per draw by model and payer) at
10,000, 100,000 and 1,000,000 draws, for 10-year and 40-year appraisals, as a RATIO against
"one read pass": ``np.sum`` over a float64 array of draws x 120 x 2 (what reading one monthly
figure per draw, month and payer of a ten-year appraisal costs), timed in the same run and
interleaved with the appraisal, so the load of the shared machine falls on both. Absolute times
move with the load; the ratios move much less. Target (issue 25): under 3x at every size, and a
40-year run no worse per month (its ratio x 120 / 480).

Each figure is the median of ``--repeat`` timings (1 at 1M draws by default); the load average
is printed before and after. ``--src DIR`` imports carescale from another checkout's ``src``
(how the "before" column in docs/performance.md was measured). The compiled kernel
(``carescale.appraisal.npv_kernel``) is loaded first, as in a process that runs Monte Carlo again
and again, and its one-off load is printed; ``--numpy`` measures the numpy route instead.
The inputs are every parameter varied by +-20% per draw (``measure.jittered_values``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ap = argparse.ArgumentParser()
ap.add_argument("--src", help="a src folder to import carescale from")
ap.add_argument("--sizes", default="10000,100000,1000000", help="draw counts, comma-separated")
ap.add_argument("--years", default="10,40", help="appraisal periods, comma-separated")
ap.add_argument("--repeat", type=int, default=5, help="timings per figure (1M draws: at most 2)")
ap.add_argument("--numpy", action="store_true", help="the numpy route (CARESCALE_NPV_KERNEL=0), not the compiled kernel")
args = ap.parse_args()
if args.src:
    sys.path.insert(0, str(Path(args.src).resolve()))

import numpy as np  # noqa: E402

import carescale  # noqa: E402
from carescale import ParameterTable, define_scenario  # noqa: E402
from carescale.appraisal import appraise_npv, make_settings  # noqa: E402
from measure import jittered_values  # noqa: E402


def interleaved(fn, ref, repeat: int) -> tuple[float, float]:
    """Median time of ``fn`` and of ``ref`` over ``repeat`` alternating calls."""
    a, b = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        ref()
        b.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        fn()
        a.append(time.perf_counter() - t0)
    return statistics.median(a), statistics.median(b)


def main() -> None:
    carescale.default_library()
    scen = define_scenario("birmingham")
    params = ParameterTable.from_scenario(scen)
    sizes = [int(s) for s in args.sizes.split(",")]
    years = [int(y) for y in args.years.split(",")]
    print(f"code: {carescale.__file__}")
    try:  # the compiled kernel, loaded as a process that runs Monte Carlo again and again has it
        from carescale.appraisal import npv_kernel
    except ImportError:  # older code (--src): none
        npv_kernel = None
    if npv_kernel is not None and hasattr(npv_kernel, "load") and not args.numpy:
        t0, c0 = time.perf_counter(), time.process_time()
        if npv_kernel.load():
            print(f"kernel loaded (once per process): {time.perf_counter() - t0:.2f} s, {time.process_time() - c0:.2f} s CPU")
    elif args.numpy:
        os.environ["CARESCALE_NPV_KERNEL"] = "0"
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    print(f"{'draws':>9} {'years':>5} {'one pass':>10} {'appraise_npv':>13} {'ratio':>7} {'per month':>9}")
    for draws in sizes:
        values = jittered_values(params, draws)
        floor = np.ones((draws, 120, 2))  # written once, so its pages are in memory
        repeat = args.repeat if draws < 1_000_000 else min(args.repeat, 2)
        for y in years:
            settings = make_settings(years=y)
            appraise_npv(scen, settings, values, params)  # warm: library, caches, first-touch
            t, ref = interleaved(lambda: appraise_npv(scen, settings, values, params), lambda: np.sum(floor), repeat)
            ratio = t / ref
            per_month = ratio * 120 / (12 * y)
            print(f"{draws:>9,d} {y:>5} {ref * 1e3:>8.1f}ms {t * 1e3:>11.1f}ms {ratio:>6.1f}x {per_month:>8.2f}x", flush=True)
        del values, floor
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"(benchmark wall time {time.perf_counter() - t0:.0f} s)")
