"""Portfolio optimiser benchmarks (issue 16). Run: .venv/bin/python benchmarks/bench_optimise.py

* Birmingham (6 models, 3 overlapping pairs, one set-up tranche): coefficients from the
  appraisal, and the MILP solve, for NPV within a budget; continuous and in steps of 0.1.
* A 30-model synthetic library generated here from the six real records (never committed): five
  variants of each model with every cost, saving and take-up figure multiplied by a seeded random
  factor from 0.6 to 1.4, Shared Lives variants with 10-place tranches (several integer tranches
  each), and the overlapping pairs repeated within each variant and between neighbouring variants (19 pairs).
* The efficient frontier at 50 budget points (Birmingham; and the 30-model library).
* The probability objective at 60 draws (exact: per-draw indicators, tranches and overlap sides),
  1,000 draws (one indicator per draw; tranches and overlap sides shared by the draws, a
  conservative approximation) and 10,000 draws (sample average approximation: the programme uses
  a seeded sample of 1,000 of them, and the probability is then the real appraisal over all
  10,000), on a one-year appraisal of four models with Shared Lives included, where the chance of
  saving money is a real trade-off. The solver's time limit is 120 s; a run that reaches it says
  so, with the gap to the solver's bound.

Prints wall times (median and best over repeats, where repeated).
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

import carescale
from carescale.engine import ParameterTable
from carescale.optimise import frontier, make_spec, optimise
from carescale.optimise.adapter import load_problem
from carescale.optimise.coefficients import coefficients
from carescale.optimise.milp import build, solve
from carescale.engine.scenario import Scenario
from measure import timed

BHAM = {"area": "birmingham", "reprice": False}


def synthetic_problem(variants: int = 5, seed: int = 16):
    """A Problem with ``variants`` copies of each of Birmingham's six models (30 models)."""
    base = load_problem(BHAM)
    sc = base.scenario
    rng = np.random.default_rng(seed)
    ivs, overlaps = [], []
    for k in range(variants):
        for iv in sc.interventions:
            ivs.append(iv.model_copy(update={"id": f"{iv.id}-{k}", "name": f"{iv.name} (variant {k})"}))
        for ov in sc.overlaps:
            a, b = ov.interventions
            overlaps.append(ov.model_copy(update={"id": f"{ov.id}-{k}", "interventions": (f"{a}-{k}", f"{b}-{k}")}))
        if k:
            ov = sc.overlaps[0]
            a, b = ov.interventions
            overlaps.append(ov.model_copy(update={"id": f"{ov.id}-x{k}", "interventions": (f"{a}-{k - 1}", f"{b}-{k}")}))
    scenario = Scenario(sc.area, tuple(ivs), tuple(overlaps), sc.basis)
    params = ParameterTable.from_scenario(scenario)
    values = params.base_values(1)
    for p in params:
        if p.intervention and p.kind in ("unit_cost", "unit_saving", "rate", "reduction", "setup_cost"):
            values[p.path] = values[p.path] * rng.uniform(0.6, 1.4)
        if p.kind == "setup_per":
            values[p.path] = np.array([10.0])
        if p.kind == "rate":
            values[p.path] = np.clip(values[p.path], 0, 1)
    return dataclasses.replace(base, scenario=scenario, params=params, values=values)


def main() -> None:
    carescale.default_library()
    print("Birmingham, 6 models")
    problem = load_problem(BHAM)
    med, best = timed(lambda: coefficients(problem), 5)
    print(f"  coefficients from the appraisal: median {med * 1000:.0f} ms, best {best * 1000:.0f} ms")
    co = coefficients(problem)
    for label, spec in [
        ("NPV, budget £2m (continuous)", make_spec(budget=2e6)),
        ("NPV, budget £2m, steps of 0.1", make_spec(budget=2e6, step=0.1)),
        ("NPV, no budget", make_spec()),
    ]:
        b = build(co, spec)
        med, best = timed(lambda: solve(b.prog), 5)
        print(f"  MILP solve, {label}: {len(b.prog.names)} variables ({sum(b.prog.integer)} integer), "
              f"{len(b.prog.rows)} rows: median {med * 1000:.1f} ms, best {best * 1000:.1f} ms")
    med, best = timed(lambda: optimise(BHAM, budget=2e6), 3)
    print(f"  whole optimise() call with explanations (appraisal, solve, shadow prices, re-appraisal): "
          f"median {med:.2f} s")

    print("30-model synthetic library (generated from the six real records)")
    syn = synthetic_problem()
    t0 = time.perf_counter()
    co30 = coefficients(syn)
    print(f"  coefficients: {time.perf_counter() - t0:.2f} s; {len(co30.overlaps)} overlapping pairs, "
          f"{sum(st.tranches(1.0) for st in co30.setups)} set-up tranches at full scale")
    total = float(co30.running[0].sum())
    for label, spec in [
        ("NPV, budget a third of the full cost", make_spec(budget=total / 3)),
        ("NPV, budget a third, steps of 0.1", make_spec(budget=total / 3, step=0.1)),
        ("NPV, budget a third, 20 coordinators", make_spec(budget=total / 3, staff={"coordinators": 20})),
    ]:
        b = build(co30, spec)
        med, best = timed(lambda: solve(b.prog), 3)
        print(f"  MILP solve, {label}: {len(b.prog.names)} variables ({sum(b.prog.integer)} integer): "
              f"median {med:.3f} s, best {best:.3f} s")
    t0 = time.perf_counter()
    for x in np.linspace(0, total, 50):
        sol = solve(build(co30, make_spec(budget=float(x))).prog)
        assert sol.status == 0, sol.message
    print(f"  frontier at 50 budget points (MILP solves): {time.perf_counter() - t0:.2f} s")

    print("Frontier, Birmingham, 50 budget points (each point solved and re-appraised)")
    med, best = timed(lambda: frontier(BHAM, budgets="0:6m:50"), 3)
    print(f"  median {med:.2f} s, best {best:.2f} s")

    probability()


def probability(milp_seconds: float = 120.0) -> dict:
    """The probability objective (issue 25): the exact search at 1,000 and 10,000 draws, and the
    mixed-integer programme at 1,000 draws for comparison (its time limit ``milp_seconds``)."""
    from carescale.optimise.core import _prepare
    from carescale.optimise.milp import build as build_milp, solve as solve_milp

    print("Probability objective: one-year appraisal, four models, Shared Lives included, ranges x2, budget £700k")
    doc = {**BHAM, "interventions": ["community-agents", "living-well", "support-at-home", "shared-lives"],
           "appraisal": {"years": 1}, "uncertainty": {"width_scale": 2.0}}
    out = {}
    for draws in (1000, 10_000):
        t0 = time.perf_counter()
        r = optimise(doc, objective="probability", draws=draws, include="shared-lives", budget=700_000, explain=False)
        total_s = time.perf_counter() - t0
        out[draws] = (r.solve_seconds, r.approximation)
        print(f"  search, {draws:,} draws: {total_s:.1f} s in all, search {r.solve_seconds:.2f} s; probability "
              f"{r.objective:.1%} (counted {r.programme_objective:.1%}); scales "
              + ", ".join(f"{k} {v:.0%}" for k, v in r.scales.items())
              + (f"; approximation: {r.approximation}" if r.approximation else "; proven optimal, every draw"), flush=True)
    if milp_seconds > 0:
        spec, problem, co, (mc, _, _), _ = _prepare(doc, None, dict(objective="probability", draws=1000,
                                                                    include="shared-lives", budget=700_000), {})
        b = build_milp(co, spec, None, mc)
        t0 = time.perf_counter()
        sol = solve_milp(b.prog, milp_seconds)
        out["milp"] = (time.perf_counter() - t0, sol.gap, sol.objective)
        print(f"  mixed-integer programme, 1,000 draws (shared tranches and sides): {out['milp'][0]:.1f} s, "
              f"programme's share {sol.objective:.1%}, gap {sol.gap:.1%}" + (" (time limit)" if sol.status == 1 else ""))
    return out

if __name__ == "__main__":
    main()
