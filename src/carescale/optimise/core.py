"""The optimiser: which models to run, at what scale, for the money and staff given.

    from carescale.optimise import optimise
    result = optimise({"area": "birmingham"}, budget=2_000_000)
    result.scales            # model id -> share of its potential
    result.document          # the chosen portfolio as a carescale.scenarios.ScenarioDocument
    result.explanations      # model id -> why it is in or out, in words

Coefficients come from the real appraisal (:mod:`.coefficients`), the programme is solved with
``scipy.optimize.milp`` (:mod:`.milp`), and the chosen portfolio is evaluated again with the real
appraisal, so every figure reported is the engine's own.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from ..appraisal import appraise
from ..engine.summary import changes, price_basis
from ..errors import InfeasibleError, OptimiseError
from ..formatting import money  # whole pounds, -£1,234 (re-exported: carescale.optimise.core.money)
from ..schema import PAYERS
from .adapter import Problem, load_problem, scaled_values
from .coefficients import Coefficients, coefficients
from ..uncertainty import Model
from .milp import (EXACT_DRAWS, SAVES_MONEY, UNIT, Built, Solution, _scale_bounds, build, check_status, shadow_prices,
                   solve)
from .spec import OptimiseSpec, make_spec

#: Fields of a scenario document that ``optimise(**options)`` passes to the document.
DOCUMENT_FIELDS = ("area", "interventions", "basis", "overrides", "appraisal", "uncertainty", "reprice",
                   "price_base_year", "price_index", "note")


def document_fields(options: dict[str, Any]) -> dict[str, Any]:
    """Take the scenario-document fields out of ``options``."""
    return {k: options.pop(k) for k in DOCUMENT_FIELDS if k in options}


#: Seconds the probability objective's tie-break (central NPV among equally probable
#: portfolios) may take.
TIE_BREAK_SECONDS = 30.0

#: Draws the exact search of the probability objective uses (:mod:`.search`); more draws are
#: sub-sampled (a sample average approximation, docs/optimise.md).
MAX_SEARCH_DRAWS = 10_000
#: Draws the mixed-integer programme uses where the search does not apply.
MAX_EXACT_DRAWS = 1000


@dataclass(frozen=True)
class Figures:
    """The real appraisal of a portfolio at given scales (pounds, whole period unless said)."""

    npv: float
    npv_by_payer: dict[str, float]
    net_by_year: list[float]  # undiscounted net saving by appraisal year, all payers
    net_by_year_payer: list[dict[str, float]]
    cost: float  # set-up + running over the period
    setup: float
    running: float
    running_by_year: list[float]
    cost_by_payer: dict[str, float]
    staff: dict[str, float]
    probability: float | None = None  # share of draws with NPV above zero
    pv_social: float = 0.0  # present value of social value (wider benefits), not public money

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def evaluate_portfolio(problem: Problem, co: Coefficients, scales: Mapping[str, float], values=None) -> Figures:
    """Appraise the portfolio at ``scales`` with the real appraisal (base values, or the draws
    ``values`` for the probability). Each candidate's scales are other values than the
    document's, so this appraises them itself (not through the document's Evaluation)."""
    base = problem.base_values()
    v = scaled_values(problem.scenario, problem.params, base, scales)
    res = appraise(problem.scenario, problem.settings, v, problem.params).portfolio
    net_y = res.net[0]  # (Y, P)
    cost_y = res.running_cost[0] + res.setup[0]
    s = np.array([scales.get(i, 0.0) for i in co.ids])
    prob = None
    if values is not None:
        vv = scaled_values(problem.scenario, problem.params, values, scales)
        npv = appraise(problem.scenario, problem.settings, vv, problem.params).portfolio.metrics.npv
        prob = float(np.mean(npv >= SAVES_MONEY))
    return Figures(
        npv=float(res.metrics.npv[0]),
        npv_by_payer={p: float(res.metrics.npv_by_payer[0, k]) for k, p in enumerate(PAYERS)},
        net_by_year=[float(x) for x in net_y.sum(axis=1)],
        net_by_year_payer=[{p: float(net_y[y, k]) for k, p in enumerate(PAYERS)} for y in range(net_y.shape[0])],
        cost=float(cost_y.sum()),
        setup=float(res.setup[0].sum()),
        running=float(res.running_cost[0].sum()),
        running_by_year=[float(x) for x in res.running_cost[0].sum(axis=1)],
        cost_by_payer={p: float(cost_y[:, k].sum()) for k, p in enumerate(PAYERS)},
        staff={role: float(staff @ s) for role, staff in co.workforce.items()},
        probability=prob,
        pv_social=float(res.metrics.pv_wider_benefits[0]),
    )


def objective_value(spec: OptimiseSpec, f: Figures) -> float:
    """The objective of ``spec`` read from real-appraisal figures."""
    if spec.objective == "npv":
        return f.npv_by_payer[spec.payer] if spec.payer else f.npv
    if spec.objective == "social":
        return f.pv_social
    if spec.objective == "npv-with-social":
        return f.npv + f.pv_social
    if spec.objective == "budget-impact":
        row = f.net_by_year_payer[spec.year - 1]
        return row[spec.payer] if spec.payer else sum(row.values())
    return float(f.probability if f.probability is not None else np.nan)


@dataclass
class Binding:
    group: str
    label: str
    limit: float
    used: float
    shadow_price: float  # objective gained per unit of extra room (pounds per pound, or per person)

    def as_dict(self) -> dict[str, Any]:
        return dict(constraint=self.group, label=self.label, limit=self.limit, used=self.used, shadow_price=self.shadow_price)


@dataclass
class OptimiseResult:
    spec: OptimiseSpec
    problem: Problem
    scales: dict[str, float]
    objective: float  # from the real appraisal
    programme_objective: float  # from the programme (a check on the formulation)
    objective_label: str
    figures: Figures
    binding: list[Binding]
    explanations: dict[str, str]
    tranches: dict[str, int]
    document: Any  # carescale.scenarios.ScenarioDocument
    solve_seconds: float
    approximation: str | None = None
    names: dict[str, str] = field(default_factory=dict)

    @property
    def chosen(self) -> list[str]:
        return [i for i, s in self.scales.items() if s > 1e-9]

    def summary(self) -> dict[str, Any]:
        """The JSON-able result (``carescale optimise --format json``)."""

        return {
            "area": {"id": self.problem.scenario.area.id, "name": self.problem.scenario.area.name},
            "objective": {"kind": self.spec.objective, "label": self.objective_label, "value": self.objective,
                          "programme_value": self.programme_objective},
            "constraints": self.spec.model_dump(exclude={"draws", "seed"} if self.spec.objective != "probability" else set()),
            "models": [
                {"id": i, "name": self.names.get(i, i), "scale": s, "in": s > 1e-9,
                 "setup_tranches": self.tranches.get(i), "why": self.explanations[i]}
                for i, s in self.scales.items()
            ],
            "binding_constraints": [b.as_dict() for b in self.binding],
            "figures": self.figures.as_dict(),
            "approximation": self.approximation,
            "solve_seconds": self.solve_seconds,
            "prices": price_basis(self.problem.scenario),
            "changes": changes(self.problem.params, self.problem.scenario),
            "scenario": self.document.data(),
            "scenario_id": self.document.scenario_id,
        }


def objective_label(spec: OptimiseSpec, years: int | None = None) -> str:
    """What is maximised, in words (as the programme labels it)."""
    if spec.objective == "npv":
        return "NPV" + (f" to {spec.payer.upper()}" if spec.payer else "")
    if spec.objective == "social":
        return "present value of social value"
    if spec.objective == "npv-with-social":
        return "NPV plus the present value of social value"
    if spec.objective == "budget-impact":
        return f"net saving in year {spec.year}" + (f" to {spec.payer.upper()}" if spec.payer else "")
    return "probability that the NPV is above zero"


def _round_scale(x: float) -> float:
    """The solver's scale to nine decimals, rounded down (so a budget that binds is not broken by
    rounding), unless it is within 1e-12 of the next billionth."""
    return float(min(1.0, max(0.0, np.floor(x * 1e9 + 1e-3) / 1e9)))


def _rows_value(built: Built, sol_x: np.ndarray, row) -> float:
    return float(sum(v * sol_x[j] for j, v in row.coefs.items()))


def _diagnose(co: Coefficients, spec: OptimiseSpec, budgets: dict[str, Any] | None, mc: Coefficients | None) -> str:
    """One sentence naming the constraint that cannot be met (the first whose removal makes the
    problem feasible), with the least that the other constraints force it to need."""
    groups: list[tuple[str, dict[str, Any]]] = []
    merged = {k: getattr(spec, k) for k in ("budget", "setup_budget", "running_budget", "running_budget_per_year")}
    merged.update(budgets or {})
    for k in ("budget", "setup_budget", "running_budget", "running_budget_per_year"):
        if merged.get(k) is not None:
            groups.append((k, {k: None}))
    for payer in spec.payer_budgets:
        groups.append((f"payer_budgets.{payer}", {"payer_budgets": {p: a for p, a in spec.payer_budgets.items() if p != payer}}))
    forced = [i for i in co.ids if i in spec.include] + [f"{i} at {spec.min_scale[i]:.0%} or more" for i in spec.min_scale if i not in spec.include]
    who = "the models that must run (" + ", ".join(i if i in spec.include and i not in spec.min_scale else
                                                    (f"{i} at {spec.min_scale[i]:.0%} or more" if i in spec.min_scale else i)
                                                    for i in dict.fromkeys([*spec.include, *spec.min_scale])) + ")"
    del forced
    Y = co.years
    for name, relax in groups:
        budgets2 = {**(budgets or {}), **{k: v for k, v in relax.items() if k != "payer_budgets"}}
        spec2 = spec.model_copy(update={"payer_budgets": relax["payer_budgets"]}) if "payer_budgets" in relax else spec
        b2 = build(co, spec2, budgets2, mc)
        sol = solve(b2.prog)
        if sol.status not in (0, 1):
            continue
        need = _least(co, spec2, budgets2, mc, name)
        limit = merged.get(name) if not name.startswith("payer_budgets.") else spec.payer_budgets[name.split(".")[1]]
        what = {
            "budget": f"of set-up and running cost over the {Y} years",
            "setup_budget": "of set-up investment",
            "running_budget": f"of running cost over the {Y} years",
            "running_budget_per_year": "of running cost in its costliest year",
        }.get(name, f"of set-up and running cost over the {Y} years paid by {name.split('.')[-1].upper()}")
        return f"{name}: {money(limit)} cannot be met; {who} need at least {money(need)} {what}"
    for role, avail in spec.staff.items():
        spec2 = spec.model_copy(update={"staff": {r: a for r, a in spec.staff.items() if r != role}})
        b2 = build(co, spec2, budgets, mc)
        if solve(b2.prog).status in (0, 1):
            need = _least(co, spec2, budgets, mc, f"staff.{role}", role)
            return f"staff.{role}: {avail:g} cannot be met; {who} need at least {need:.3g} {role} at full scale"
    return "the constraints cannot all be met together; " + who + " cannot run within them"


def _least(co, spec, budgets, mc, name: str, role: str | None = None) -> float:
    """The least value of constraint ``name``'s left-hand side under the other constraints."""
    b = build(co, spec.model_copy(update={"objective": "npv", "payer": None, "year": None}), budgets, None)
    prog = b.prog
    P, Y = len(PAYERS), co.years
    exprs: list[dict[int, float]] = []

    def tot(ex, years=None, payers=None):
        acc: dict[int, float] = {}
        for y in years if years is not None else range(Y):
            for p in payers if payers is not None else range(P):
                for j, v in ex[y][p].items():
                    acc[j] = acc.get(j, 0.0) + v
        return acc

    running = [[{j: v - b.setup[y][p].get(j, 0.0) for j, v in b.cost[y][p].items()} for p in range(P)] for y in range(Y)]
    if name == "budget":
        exprs = [tot(b.cost)]
    elif name == "setup_budget":
        exprs = [tot(b.setup)]
    elif name == "running_budget":
        exprs = [tot(running)]
    elif name == "running_budget_per_year":
        exprs = [tot(running, [y]) for y in range(Y)]
    elif name.startswith("payer_budgets."):
        exprs = [tot(b.cost, payers=[PAYERS.index(name.split(".")[1])])]
    else:
        exprs = [{b.s[i]: float(co.workforce[role][i]) for i in range(co.n_models)}]
    t = prog.var("least", -np.inf, np.inf)
    for ex in exprs:
        prog.row({**ex, t: -1.0}, hi=0.0)
    prog.c = [0.0] * len(prog.names)
    prog.c[t] = -1.0
    sol = solve(prog)
    scale = 1.0 if role else UNIT
    return float(sol.x[t]) * scale


def _explain(res_scales: dict[str, float], spec: OptimiseSpec, co: Coefficients, problem: Problem,
             binding: list[Binding], built: Built, base_obj: float, smax: dict[str, float]) -> dict[str, str]:
    """Why each model is in or out, in words: the constraint that binds and its shadow price, or
    what the real appraisal says would happen to the objective if the model were moved."""
    out: dict[str, str] = {}
    rows_by_group: dict[str, list] = {}
    for r in built.prog.rows:
        if r.group:
            rows_by_group.setdefault(r.group, []).append(r)
    unit = "percentage points" if spec.objective == "probability" else ""

    def fmt_obj(x: float) -> str:
        return f"{x * 100:+.1f} {unit}" if spec.objective == "probability" else money(x)

    def price(b: Binding) -> str:
        if spec.objective == "probability":
            return f"{b.label} binds"
        if b.group.startswith("staff."):
            return f"{b.label} binds ({money(b.shadow_price)} for each extra person)"
        return f"{b.label} binds (each extra £1 would add £{b.shadow_price:,.2f})" if b.shadow_price > 1e-9 else f"{b.label} binds"

    for i, iid in enumerate(co.ids):
        s = res_scales[iid]
        hi = smax[iid]
        touches = [b for b in binding if any(r.coefs.get(built.s[i], 0) != 0 or
                                             any(built.prog.names[j].endswith(f"[{iid}]") for j in r.coefs)
                                             for r in rows_by_group.get(b.group, []))]
        if iid in spec.exclude:
            out[iid] = "left out: you excluded it"
            continue
        if hi <= 0:
            out[iid] = "left out: its max_scale is 0"
            continue
        alt = dict(res_scales)
        alt[iid] = 0.0 if s > 1e-9 else hi
        alt_f = evaluate_portfolio(problem, co, alt)
        delta = objective_value(spec, alt_f) - base_obj if spec.objective != "probability" else None
        if s > 1e-9:
            lead = f"in at {s:.0%} of its potential"
            if iid in spec.include:
                lead += " (you asked for it)"
            if delta is not None:
                lead += f"; without it the {built.objective_label} would be {money(-delta)} lower" if delta < 0 else \
                        f"; without it the {built.objective_label} would change by {fmt_obj(delta)}"
            if s >= hi - 1e-6:
                out[iid] = lead + (f" (at its maximum, {hi:.0%})" if hi < 1 else " (at its maximum)")
            elif touches:
                out[iid] = lead + "; it is held below its maximum because " + "; ".join(price(b) for b in touches)
            elif iid in spec.min_scale and s <= spec.min_scale[iid] + 1e-6:
                out[iid] = lead + "; it is held at its minimum scale"
            else:
                out[iid] = lead + "; beyond this scale its overlap with other chosen models would deduct more than it adds"
            continue
        # left out
        if delta is not None and delta <= 0 and not touches:
            reason = "it would lower" if delta < 0 else "it would not raise"
            ov = [o.id for o in co.overlaps if i in (o.a, o.b)]
            why = " (its overlap with the models chosen deducts at least what it adds)" if ov and delta < 0 else ""
            out[iid] = f"left out: adding it at {hi:.0%} {reason.removeprefix('it ')} the {built.objective_label}" + \
                       (f" by {money(-delta)}" if delta < 0 else "") + why
        elif touches:
            out[iid] = "left out: " + "; ".join(price(b) for b in touches) + \
                       ", and the models chosen return more for what they use"
        else:
            out[iid] = "left out: it adds nothing to the objective"
    return out


def _sample(draws: dict, n: int, seed: int | None, most: int) -> tuple[dict, str | None]:
    """``draws`` (``n`` of them), or a seeded random sample of ``most`` of them, with the note."""
    if n <= most:
        return draws, None
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(n, most, replace=False))
    use = {k: (a[pick] if np.ndim(a) == 1 and len(a) == n else a) for k, a in draws.items()}
    return use, (f"the programme uses a seeded random sample of {most:,} of the {n:,} draws (sample average "
                 f"approximation); the probability reported is the real appraisal over all {n:,} draws")


def _prepare(document: Any, spec: OptimiseSpec | Mapping | None, options: dict[str, Any], fields: dict[str, Any]):
    if isinstance(spec, OptimiseSpec):
        spec = spec.model_copy(update={k: v for k, v in options.items() if v is not None}) if options else spec
        spec = make_spec(spec.model_dump(), **{})
    else:
        spec = make_spec(spec, **options)
    problem = load_problem(document, **fields)
    if not problem.scenario.interventions:
        raise OptimiseError("interventions: the area has figures for none of the models; there is nothing to choose from")
    co = coefficients(problem)
    mc = None
    approx = None
    if spec.objective == "probability":
        unc = problem.uncertainty
        n = spec.draws if spec.draws is not None else unc.draws
        seed = spec.seed if spec.seed is not None else unc.seed
        model = Model.build(problem.scenario, unc.width_scale)
        draws = model.draws(n, seed)
        use, approx = _sample(draws, n, seed, MAX_SEARCH_DRAWS)
        mc = coefficients(problem, use)
        mc = (mc, draws, use)
    return spec, problem, co, mc, approx


def _by_programme(co, spec, budgets, mc, problem, used_draws, time_limit, approx):
    """The objective by the mixed-integer programme (HiGHS): (built, solution, x, objective, approx)."""
    built = build(co, spec, budgets, mc)
    sol = solve(built.prog, time_limit)
    if sol.status == 2:
        raise InfeasibleError(_diagnose(co, spec, budgets, mc))
    check_status(sol)
    x = sol.x.copy()
    prog_obj = sol.objective
    if sol.status == 1:
        note = (f"the solver stopped at its time limit of {time_limit:g} s with the best portfolio found so far "
                f"(within {sol.gap:.1%} of the best possible, by the solver's bound)")
        approx = f"{approx}; {note}" if approx else note
    if spec.objective == "probability":
        # second stage (a tie-break among equally probable portfolios: the highest NPV at the
        # central values). First the best central NPV under the same constraints: if it is as
        # probable (checked with the real appraisal on the programme's draws), it is the answer.
        best = int(round(prog_obj * len(built.draw_w)))
        tie_done = False
        central = build(co, spec.model_copy(update={"objective": "npv"}), budgets, None)
        sol_c = solve(central.prog, time_limit)
        if sol_c.status in (0, 1):
            cand = {iid: _round_scale(sol_c.x[central.s[i]]) for i, iid in enumerate(co.ids)}
            vv = scaled_values(problem.scenario, problem.params, used_draws, cand)
            npv_d = appraise(problem.scenario, problem.settings, vv, problem.params).portfolio.metrics.npv
            if int(np.sum(npv_d >= SAVES_MONEY + 1e-3)) >= best:
                central.objective_label = built.objective_label
                built, sol, x = central, sol_c, sol_c.x.copy()
                tie_done = True
        if not tie_done:
            # otherwise keep the draws that save money in the first answer and, among the
            # portfolios that save money in all of them, take the highest central NPV
            prog = built.prog
            for w in built.draw_w:
                if x[w] > 0.5:
                    prog.lb[w] = 1.0
            prog.c = [built.central_npv.get(j, 0.0) for j in range(len(prog.names))]
            sol2 = solve(prog, min(time_limit, TIE_BREAK_SECONDS), gap=1e-6)
            if sol2.status in (0, 1) and np.isfinite(sol2.objective):
                sol = sol2
                x = sol2.x.copy()
                if sol2.status == 1:
                    note = f"the tie-break on the central NPV stopped after {TIE_BREAK_SECONDS:g} s (best found so far)"
                    approx = f"{approx}; {note}" if approx else note
    return built, sol, x, prog_obj, approx


def _milp_notes(co: Coefficients, mc: Coefficients) -> list[str]:
    """What the mixed-integer programme approximates for the probability objective (used only
    where the exact search of :mod:`.search` does not apply)."""
    notes = []
    if mc.n_draws > EXACT_DRAWS:
        notes.append(f"above {EXACT_DRAWS} draws each overlapping pair deducts the same side of its min-term in every draw "
                     "and each model buys the same whole number of set-up tranches in every draw, so no draw's "
                     "deduction or set-up is less than the engine's (the programme's probability is never above the "
                     "real one)")
    if co.setup_timing != "up-front" and co.setups:
        notes.append("set-up tranches are counted as paid in month 1 in each draw (conservative for as-places-fill)")
    return notes


def _join(approx: str | None, note: str) -> str:
    return f"{approx}; {note}" if approx else note


def _probability_by_search(co, spec, budgets, mc, time_limit):
    """The probability objective by :func:`.search.search` (exact), as the central programme with
    the scales fixed at the answer (so binding constraints read as for the other objectives):
    (built, solution, count of saving draws, note or None); None where the search does not apply."""
    from .search import search

    # the best portfolio at the central values starts the search: when it is also the most
    # probable, it is the tie-break's answer
    npv_spec = spec.model_copy(update={"objective": "npv", "payer": None})
    best_central = solve(build(co, npv_spec, budgets, None).prog, time_limit)
    if best_central.status == 2:
        raise InfeasibleError(_diagnose(co, npv_spec, budgets, None))
    seeds = []
    if best_central.status in (0, 1):
        central0 = build(co, npv_spec, budgets, None)
        seeds.append(np.array([best_central.x[j] for j in central0.s]))
    found = search(co, mc, spec, budgets, time_limit, seeds=seeds)
    if found is None:
        return None
    if found.count < 0:
        raise InfeasibleError(_diagnose(co, npv_spec, budgets, None))
    central = build(co, npv_spec, budgets, None)
    for i, j in enumerate(central.s):
        central.prog.lb[j] = central.prog.ub[j] = float(found.scales[i])
    sol = solve(central.prog, time_limit)
    check_status(sol)
    central.objective_label = f"probability that the NPV over {co.years} years is above zero ({mc.n_draws:,} draws)"
    note = None
    if not found.proven:
        note = (f"the search stopped at its time limit of {time_limit:g} s with the best portfolio found so far "
                f"({found.count:,} of {mc.n_draws:,} draws save money; no portfolio has more than {found.bound:,})")
    sol = Solution(sol.x, found.count / mc.n_draws, 0 if found.proven else 1, sol.message, found.gap)
    return central, sol, found, note


def optimise(document: Any = None, spec: OptimiseSpec | Mapping | None = None, *, _prepared=None,
             budgets: dict[str, Any] | None = None, time_limit: float = 120.0, explain: bool = True,
             **options: Any) -> OptimiseResult:
    """Choose the models and scales for ``document`` (a scenario document, a path to one, or a
    mapping of its fields such as ``{"area": "birmingham"}``) that maximise the objective of
    ``spec`` (an :class:`OptimiseSpec` or mapping; keyword ``options`` are its fields).

    Raises :class:`~carescale.errors.InfeasibleError` with one sentence naming the constraint
    that cannot be met, and :class:`~carescale.errors.OptimiseError` for bad options."""
    fields = document_fields(options)
    spec, problem, co, mc_pair, approx = _prepared or _prepare(document, spec, options, fields)
    mc, all_draws, used_draws = mc_pair if mc_pair else (None, None, None)
    t0 = time.perf_counter()
    by_search = _probability_by_search(co, spec, budgets, mc, time_limit) if spec.objective == "probability" else None
    if by_search is not None:
        built, sol, found, note = by_search
        x = sol.x.copy()
        prog_obj = sol.objective
        if note:
            approx = _join(approx, note)
    else:
        if spec.objective == "probability":
            if mc.n_draws > MAX_EXACT_DRAWS:  # the programme takes a sample of the search's draws
                used_draws, note = _sample(used_draws, mc.n_draws, spec.seed, MAX_EXACT_DRAWS)
                mc = coefficients(problem, used_draws)
                approx = _join(approx, note)
            for note in _milp_notes(co, mc):
                approx = _join(approx, note)
        built, sol, x, prog_obj, approx = _by_programme(co, spec, budgets, mc, problem, used_draws, time_limit, approx)
    seconds = time.perf_counter() - t0
    scales = {iid: _round_scale(x[built.s[i]]) for i, iid in enumerate(co.ids)}
    if by_search is not None:  # the search's own scales (already rounded as reported)
        scales = {iid: float(s) for iid, s in zip(co.ids, by_search[2].scales)}
    figures = evaluate_portfolio(problem, co, scales, all_draws)
    real = objective_value(spec, figures)
    prices = shadow_prices(built.prog, sol)
    binding: list[Binding] = []
    seen: set[str] = set()
    for k, r in enumerate(built.prog.rows):
        if not r.group or r.group in seen:
            continue
        used = _rows_value(built, x, r)
        tight = np.isfinite(r.hi) and used >= r.hi - 1e-7 * max(1.0, abs(r.hi))
        if tight:
            scale = 1.0 if r.group.startswith("staff.") else UNIT
            sp = prices.get(k, 0.0)
            binding.append(Binding(r.group, r.label, r.hi * scale, used * scale,
                                   sp * (UNIT if r.group.startswith("staff.") else 1.0)))
            seen.add(r.group)
    smin, smax_arr = _scale_bounds(co, spec)
    smax = dict(zip(co.ids, smax_arr))
    explanations = (_explain(scales, spec, co, problem, binding, built, real, smax) if explain
                    else {i: "" for i in co.ids})
    tranches = {co.ids[st.model]: st.tranches(scales[co.ids[st.model]]) for st in co.setups}
    doc = portfolio_document(problem, scales, spec, built.objective_label)
    return OptimiseResult(
        spec=spec, problem=problem, scales=scales, objective=real,
        programme_objective=prog_obj if spec.objective == "probability" else prog_obj * UNIT,
        objective_label=built.objective_label, figures=figures, binding=binding, explanations=explanations,
        tranches=tranches, document=doc, solve_seconds=seconds, approximation=approx,
        names=dict(zip(co.ids, co.names)),
    )


def portfolio_document(problem: Problem, scales: Mapping[str, float], spec: OptimiseSpec, label: str):
    """The chosen portfolio as a ``carescale.scenarios.ScenarioDocument``: the document the
    optimiser started from with the models that run and each one's scale (when nothing runs,
    every candidate at scale 0), and a note saying how it was chosen."""
    chosen = [i for i, s in scales.items() if s > 1e-9]
    keep = chosen or list(scales)
    limits = [f"{k.replace('_', ' ')} {money(getattr(spec, k))}" for k in
              ("budget", "setup_budget", "running_budget", "running_budget_per_year") if getattr(spec, k) is not None]
    limits += [f"{p.upper()} budget {money(a)}" for p, a in spec.payer_budgets.items()]
    limits += [f"{n:g} {r}" for r, n in spec.staff.items()]
    note = f"Chosen by carescale optimise to maximise the {label}" + (f" within {', '.join(limits)}" if limits else "") + "."
    if problem.document.note:
        note = f"{problem.document.note}\n{note}"
    return problem.document.with_changes(interventions=keep, scale={i: scales[i] for i in keep}, note=note)
