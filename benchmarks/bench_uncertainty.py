"""Uncertainty benchmarks (issue 4). Run: .venv/bin/python benchmarks/bench_uncertainty.py

For the six-model Birmingham portfolio: a full ``run_uncertainty`` (Monte Carlo of the annual
net saving, NPV over the 10-year appraisal, tornado and switching values) at 10,000 and 100,000
draws, and the Monte Carlo of annual net saving alone. Targets: under 1 s (10,000 draws) and
under 10 s (100,000 draws) on 2 cores, peak memory under 2 GB. Prints wall time and the peak
memory traced by Python (numpy arrays included), plus the process's peak resident size.

Options: ``--draws 10000,100000`` to choose the sizes; ``--sobol`` to time Sobol indices too.
"""

from __future__ import annotations

import argparse
import resource
import time

import carescale
from carescale.uncertainty import Model, UncertaintySettings, run_uncertainty
from carescale.uncertainty.evaluation import annual
from measure import peak_mib


def measure(fn) -> tuple[float, float]:
    """Wall time of an untraced run, then the peak memory of a traced one (tracing is slow)."""
    t0 = time.perf_counter()
    fn()
    dt = time.perf_counter() - t0
    return dt, peak_mib(fn)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", default="10000,100000")
    ap.add_argument("--sobol", action="store_true")
    args = ap.parse_args()
    carescale.default_library()
    scen = carescale.define_scenario("birmingham")
    assert len(scen.interventions) == 6
    run_uncertainty(scen, UncertaintySettings(draws=100))  # warm imports and caches
    print(f"{'what':58s} {'draws':>8s} {'seconds':>8s} {'peak MiB':>9s}")
    for n in [int(x) for x in args.draws.split(",")]:
        model = Model.build(scen)

        def mc_only() -> None:
            annual(scen, model.draws(n, 1), model.params)

        cases = [
            ("Monte Carlo, annual net saving (sample + engine)", mc_only),
            ("run_uncertainty: annual, 10-year NPV, tornado, switching",
             lambda: run_uncertainty(scen, UncertaintySettings(draws=n, seed=1))),
            ("run_uncertainty without NPV", lambda: run_uncertainty(scen, UncertaintySettings(draws=n, seed=1, npv=False))),
        ]
        if args.sobol:
            cases.append(("run_uncertainty without NPV, with Sobol (1,024 base samples)",
                          lambda: run_uncertainty(scen, UncertaintySettings(draws=n, seed=1, npv=False, sobol=True))))
        for name, fn in cases:
            dt, peak = measure(fn)
            print(f"{name:58s} {n:>8,d} {dt:8.2f} {peak:9.1f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak resident memory: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
