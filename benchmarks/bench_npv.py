"""NPV-only route benchmarks (issue 12). Run: .venv/bin/python benchmarks/bench_npv.py [--src DIR] [--million]

Ten-year monthly appraisal (120 months) of the six-model Birmingham portfolio, NPV per draw by
model and payer, as Monte Carlo and switching values need it: the full route
(``appraise(...).metrics.npv_by_payer``) beside the NPV-only route (``appraise_npv``), at 10,000
draws (median and best of several runs; the machine is shared) and, with ``--million``, at
1,000,000 draws. Targets: 10,000 draws under 0.1 s; 1M draws under 10 s with peak memory under
1 GB. Peak memory is what tracemalloc sees allocated during the call (numpy buffers included),
on top of the input arrays (whose size is printed); the process's peak RSS is printed last.
``--src DIR`` runs the code in another checkout's ``src`` (older code has no NPV-only route,
so only the full route is timed).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ap = argparse.ArgumentParser()
ap.add_argument("--src", help="a src folder to import carescale from")
ap.add_argument("--million", action="store_true", help="also time 1,000,000 draws")
ap.add_argument("--full-million", action="store_true", help="also time the full route at 1,000,000 draws (slow)")
args = ap.parse_args()
if args.src:
    sys.path.insert(0, str(Path(args.src).resolve()))

import carescale  # noqa: E402
from carescale import ParameterTable, define_scenario  # noqa: E402
from carescale.appraisal import appraise, make_settings  # noqa: E402
from measure import jittered_values, peak_mib, timed  # noqa: E402

try:
    from carescale.appraisal import appraise_npv
except ImportError:  # older code
    appraise_npv = None


def main() -> None:
    carescale.default_library()
    scen = define_scenario("birmingham")
    params = ParameterTable.from_scenario(scen)
    settings = make_settings(years=10)
    print(f"code: {carescale.__file__}")
    print(f"{'benchmark':<52} {'draws':>9} {'median':>9} {'best':>9} {'peak MiB':>9} {'input MiB':>9}")

    def row(name, fn, draws, values, repeat, target=None, mem_target=None):
        fn()
        med, best = timed(fn, repeat)
        peak = peak_mib(fn)
        inp = sum(a.nbytes for a in values.values()) / 2**20
        verdict = ""
        if target is not None:
            ok = med < target and (mem_target is None or peak + inp < mem_target)
            verdict = ("ok" if ok else "MISSED") + f" (<{target:g} s" + (f", <{mem_target} MiB" if mem_target else "") + ")"
        print(f"{name:<52} {draws:>9,d} {med:>8.3f}s {best:>8.3f}s {peak:>9.1f} {inp:>9.1f} {verdict}")

    for draws, repeat in [(10_000, 7)] + ([(1_000_000, 1)] if args.million else []):
        values = jittered_values(params, draws)
        if draws <= 10_000 or args.full_million:
            row("full route: appraise(...).metrics.npv_by_payer", lambda: appraise(scen, settings, values, params)
                .portfolio.metrics.npv_by_payer, draws, values, repeat if draws <= 10_000 else 1)
        if appraise_npv is not None:
            target, mem = (0.1, None) if draws <= 10_000 else (10.0, 1024)
            row("NPV-only route: appraise_npv(...)", lambda: appraise_npv(scen, settings, values, params)
                .portfolio_by_payer, draws, values, repeat, target, mem)
        del values
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident set size of this process: {rss:.0f} MiB")


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"(benchmark wall time {time.perf_counter() - t0:.0f} s)")
