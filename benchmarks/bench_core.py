"""Core engine benchmarks (issue 2). Run: .venv/bin/python benchmarks/bench_core.py

Targets: an in-process deterministic Birmingham run under 20 ms; a 10,000-draw evaluation of the
six models over 10 years under 1 s. Prints median times over repeats and peak traced memory.
"""

from __future__ import annotations


import carescale
from carescale import ParameterTable, Timeline, define_scenario, evaluate
from measure import jittered_values, peak_mib, timed


def main() -> None:
    carescale.default_library()  # load YAML once, as a long-running process would
    scen = define_scenario("birmingham")
    params = ParameterTable.from_scenario(scen)

    def deterministic():
        s = define_scenario("birmingham")
        carescale.summary(evaluate(s))

    draws = 10_000
    values = jittered_values(params, draws)
    years = Timeline(periods=10, years_per_period=1.0)
    months = Timeline(periods=120, years_per_period=1 / 12)

    rows = [
        ("deterministic Birmingham run (define + evaluate + summary)", deterministic, 200, 0.020),
        ("10,000 draws x 6 models x 10 years (yearly)", lambda: evaluate(scen, values, years), 10, 1.0),
        ("10,000 draws x 6 models x 120 months", lambda: evaluate(scen, values, months), 5, None),
    ]
    print(f"{'benchmark':<62} {'median':>10} {'best':>10} {'peak MiB':>10} target")
    for name, fn, repeat, target in rows:
        fn()  # warm up
        med, best = timed(fn, repeat)
        peak = peak_mib(fn)
        verdict = "" if target is None else ("ok" if med < target else "MISSED") + f" (<{target * 1000:.0f} ms)"
        print(f"{name:<62} {med * 1000:>8.2f}ms {best * 1000:>8.2f}ms {peak:>10.1f} {verdict}")


if __name__ == "__main__":
    main()
