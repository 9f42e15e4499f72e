"""Appraisal benchmarks (issue 3). Run: .venv/bin/python benchmarks/bench_appraisal.py

A 10-year monthly appraisal (120 months) of the six-model Birmingham portfolio, with metrics
(NPV, ROI, BCR, break-even) for every model and the portfolio, for one draw and for 10,000 draws.
Targets: 10,000 draws under 2 s and peak memory under 2 GB. Prints the median and best time
over repeats, the peak memory traced by tracemalloc (numpy allocations included) and the
process's peak resident set size (resource.getrusage, which also counts Python and the library).
"""

from __future__ import annotations

import resource

import numpy as np

import carescale
from carescale import ParameterTable, define_scenario
from carescale.appraisal import appraise, make_settings
from measure import jittered_values, peak_mib, timed


def main() -> None:
    carescale.default_library()
    scen = define_scenario("birmingham")
    params = ParameterTable.from_scenario(scen)
    settings = make_settings(years=10)

    draws = 10_000
    values = jittered_values(params, draws)
    one = params.base_values(1)

    def run(v, monthly=False):
        def go():
            r = appraise(scen, settings, v, params, monthly=monthly)
            return r.portfolio.metrics.npv
        return go

    rows = [
        ("1 draw: 6 models x 120 months, metrics", run(one), 50, None),
        ("10,000 draws: 6 models x 120 months, metrics", run(values), 5, 2.0),
        ("10,000 draws, keeping monthly flows (monthly=True)", run(values, True), 3, None),
    ]
    print(f"{'benchmark':<56} {'median':>10} {'best':>10} {'peak MiB':>10} target")
    for name, fn, repeat, target in rows:
        fn()  # warm up
        med, best = timed(fn, repeat)
        peak = peak_mib(fn)
        verdict = "" if target is None else ("ok" if med < target and peak < 2048 else "MISSED") + \
            f" (<{target:.0f} s, <2048 MiB)"
        print(f"{name:<56} {med * 1000:>8.1f}ms {best * 1000:>8.1f}ms {peak:>10.1f} {verdict}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident set size of this process: {rss:.0f} MiB")
    sl = appraise(scen, settings, values, params).interventions["shared-lives"].metrics
    be = sl.break_even_month
    print(f"Shared Lives break-even month over 10,000 draws: median {np.nanmedian(be):.0f}, "
          f"5-95% {np.nanpercentile(be, 5):.0f}-{np.nanpercentile(be, 95):.0f}")


if __name__ == "__main__":
    main()
