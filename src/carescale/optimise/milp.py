"""The mixed-integer linear programme, built from :class:`~.coefficients.Coefficients` and an
:class:`~.spec.OptimiseSpec`, and solved with ``scipy.optimize.milp`` (HiGHS).

Variables (money in £ millions inside the programme, for the solver's numerics):

* ``s[i]`` scale of model i (continuous, or ``step x m[i]`` with ``m[i]`` integer) and ``x[i]``
  whether it runs (binary): ``min_i x_i <= s_i <= max_i x_i``;
* set-up: ``n`` whole tranches with ``n >= s x people / per`` (``up-front``: all paid in year 1),
  or, for ``as-places-fill``, one binary per tranche ``u_k`` (bought at all, ``u_k >= u_k+1``,
  ``sum u >= s people / per``) and one per tranche and year ``b_k,y`` (bought by the end of year
  y), forced to 1 once ``s x people x reached_y >= (k-1) per``;
* overlaps: for each pair and group of months with the same ratio, ``y = min(kappa s_a, s_b)``
  exactly: ``y <= kappa s_a``, ``y <= s_b`` and, because the deduction is *subtracted* from
  what is maximised (so the solver would like ``y`` small), ``y >= kappa s_a - M z`` and
  ``y >= s_b - M (1 - z)`` with a binary ``z``;
* probability objective: per Monte Carlo draw d a binary ``w_d`` with
  ``NPV_d >= £100 - M_d (1 - w_d)``, and per draw the same set-up and overlap terms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InfeasibleError, OptimiseError
from ..schema import PAYERS
from .coefficients import Coefficients
from .spec import MIN_RUNNING, OptimiseSpec

UNIT = 1e6  # pounds per programme unit
#: Up to this many draws the probability programme is exact (per-draw tranches and overlap
#: sides); above it, tranches and overlap sides are shared by all draws (conservative).
EXACT_DRAWS = 60
#: "Saves money": an NPV of at least £100 (well above the solver's feasibility tolerance, 1e-6
#: of a programme unit, so a draw counted as saving money really does).
SAVES_MONEY = 100.0
#: The programme asks a saving draw for £10 more than that, so that rounding the scales and the
#: solver's tolerance (about £1) can never turn a draw it counts into one the appraisal does not.
EPS_SAVING = (SAVES_MONEY + 10.0) / UNIT


@dataclass
class Row:
    coefs: dict[int, float]
    lo: float
    hi: float
    group: str  # the constraint a user set (for explanations), or "" for the formulation
    label: str = ""


@dataclass
class Programme:
    """A MILP under construction: variables with bounds and integrality, rows, objective."""

    names: list[str] = field(default_factory=list)
    lb: list[float] = field(default_factory=list)
    ub: list[float] = field(default_factory=list)
    integer: list[int] = field(default_factory=list)
    c: list[float] = field(default_factory=list)  # coefficients of the objective to MAXIMISE
    rows: list[Row] = field(default_factory=list)

    def var(self, name: str, lb: float = 0.0, ub: float = np.inf, integer: bool = False) -> int:
        self.names.append(name)
        self.lb.append(lb)
        self.ub.append(ub)
        self.integer.append(1 if integer else 0)
        self.c.append(0.0)
        return len(self.names) - 1

    def row(self, coefs: dict[int, float], lo: float = -np.inf, hi: float = np.inf, group: str = "", label: str = "") -> int:
        self.rows.append(Row({k: v for k, v in coefs.items() if v != 0.0}, lo, hi, group, label))
        return len(self.rows) - 1

    def matrix(self):
        from scipy.sparse import coo_matrix

        r, cidx, val = [], [], []
        for i, row in enumerate(self.rows):
            for j, v in row.coefs.items():
                r.append(i)
                cidx.append(j)
                val.append(v)
        return coo_matrix((val, (r, cidx)), shape=(len(self.rows), len(self.names))).tocsr()


def _add(acc: dict[int, float], j: int, v: float) -> None:
    if v:
        acc[j] = acc.get(j, 0.0) + v


@dataclass
class Built:
    """A programme with the handles the report needs."""

    prog: Programme
    s: list[int]
    x: list[int]
    # linear expressions (dict var -> £m) by (year, payer) for the base draw
    cost: list[list[dict[int, float]]]
    setup: list[list[dict[int, float]]]
    net: list[list[dict[int, float]]]
    objective_label: str
    draw_w: list[int] = field(default_factory=list)  # probability: per-draw indicators
    draw_npv: list[dict[int, float]] = field(default_factory=list)
    central_npv: dict[int, float] = field(default_factory=dict)  # probability: the tie-break


def _expr_add(dst: dict[int, float], src: dict[int, float], k: float = 1.0) -> None:
    for j, v in src.items():
        _add(dst, j, k * v)


def _setup_terms(prog: Programme, co: Coefficients, s: list[int], smax: np.ndarray, d: int, timing: str, tag: str,
                 shared: dict | None = None):
    """Set-up variables for draw ``d``; returns setup money expressions by (year, payer) (£m).
    With ``shared`` (up-front timing only), one whole number of tranches per model serves every
    draw: at least what each draw needs (so never fewer tranches than the engine buys)."""
    Y, P = co.years, len(PAYERS)
    out = [[{} for _ in range(P)] for _ in range(Y)]
    for st in co.setups:
        i = st.model
        N, per, cost = float(st.people[d]), float(st.per[d]), float(st.cost[d]) / UNIT
        if N <= 0 or cost == 0 or smax[i] <= 0:
            continue
        K = int(np.ceil(smax[i] * N / per - 1e-9))
        name = co.ids[i]
        if timing == "up-front" and shared is not None:
            Kmax = int(np.ceil(smax[i] * float(st.people.max()) / float(st.per.min()) - 1e-9))
            n = shared.get(("tranches", i))
            if n is None:
                n = shared[("tranches", i)] = prog.var(f"shared.tranches[{name}]", 0, Kmax, integer=True)
            prog.row({n: 1.0, s[i]: -N / per}, lo=-1e-9, label=f"tranches of {name}")
            _add(out[0][st.payer], n, cost)
            continue
        if timing == "up-front":
            n = prog.var(f"{tag}tranches[{name}]", 0, K, integer=True)
            prog.row({n: 1.0, s[i]: -N / per}, lo=-1e-9, label=f"tranches of {name}")
            _add(out[0][st.payer], n, cost)
            continue
        u = [prog.var(f"{tag}tranche[{name},{k + 1}]", 0, 1, integer=True) for k in range(K)]
        prog.row({**{j: 1.0 for j in u}, s[i]: -N / per}, lo=-1e-9, label=f"tranches of {name}")
        for k in range(K - 1):
            prog.row({u[k]: 1.0, u[k + 1]: -1.0}, lo=0.0)
        _add(out[0][st.payer], u[0], cost)
        for k in range(1, K):
            b = [prog.var(f"{tag}bought[{name},{k + 1},y{y + 1}]", 0, 1, integer=True) for y in range(Y)]
            for y in range(Y):
                prog.row({b[y]: 1.0, u[k]: -1.0}, hi=0.0)
                if y + 1 < Y:
                    prog.row({b[y]: 1.0, b[y + 1]: -1.0}, hi=0.0)
                R = float(st.reached[d, y])
                if R > 0:
                    prog.row({b[y]: 1.0, s[i]: -1.0}, lo=-k * per / (N * R) + 1e-9, label=f"tranche {k + 1} of {name} by year {y + 1}")
                _add(out[y][st.payer], b[y], cost)
                if y > 0:
                    _add(out[y][st.payer], b[y - 1], -cost)
    return out


def _overlap_terms(prog: Programme, co: Coefficients, s: list[int], smax: np.ndarray, d: int, sides: list | None, tag: str,
                   shared: dict | None = None):
    """Exact min-terms of draw ``d``; returns deduction expressions by (year, payer) (£m).
    ``sides`` (if given) collects ``(overlap id, group, kappa, side variable)`` of each term.
    With ``shared``, one side binary per overlapping pair serves every draw and the deduction is
    that side's term: never less than the engine's ``min`` (a conservative approximation)."""
    Y, P = co.years, len(PAYERS)
    by_year = [[{} for _ in range(P)] for _ in range(Y)]
    for ov in co.overlaps:
        a, b = ov.a, ov.b
        if smax[a] <= 0 or smax[b] <= 0:
            continue
        for g in range(ov.kappa.shape[1]):
            w = ov.weight[d, g] / UNIT  # (Y,)
            if not np.any(w):
                continue
            k = float(ov.kappa[d, g])
            M = max(k * smax[a], smax[b])
            y = prog.var(f"{tag}overlap[{ov.id},{g}]", 0.0, M)
            if shared is not None:
                z = shared.get(("side", ov.id, g))
                if z is None:
                    z = shared[("side", ov.id, g)] = prog.var(f"shared.overlap_side[{ov.id},{g}]", 0, 1, integer=True)
            else:
                z = prog.var(f"{tag}overlap_side[{ov.id},{g}]", 0, 1, integer=True)
                if sides is not None and ov.kappa.shape[1] == 1:
                    sides.append((ov.id, g, k, z))
                prog.row({y: 1.0, s[a]: -k}, hi=0.0)
                prog.row({y: 1.0, s[b]: -1.0}, hi=0.0)
            prog.row({y: 1.0, s[a]: -k, z: M}, lo=0.0, label=f"overlap {ov.id}")
            prog.row({y: 1.0, s[b]: -1.0, z: -M}, lo=-M, label=f"overlap {ov.id}")
            for yr in range(Y):
                _add(by_year[yr][ov.payer], y, float(w[yr]))
    return by_year


def _scale_bounds(co: Coefficients, spec: OptimiseSpec) -> tuple[np.ndarray, np.ndarray]:
    ids = list(co.ids)
    for key in ("min_scale", "max_scale"):
        for iid in getattr(spec, key):
            if iid not in ids:
                raise OptimiseError(f"{key}.{iid}: unknown model in this optimisation; valid models are: {', '.join(ids)}")
    for key in ("include", "exclude"):
        for iid in getattr(spec, key):
            if iid not in ids:
                raise OptimiseError(f"{key}: unknown model {iid!r} in this optimisation; valid models are: {', '.join(ids)}")
    smin = np.array([spec.min_scale.get(i, 0.0) for i in ids])
    smax = np.array([0.0 if i in spec.exclude else spec.max_scale.get(i, 1.0) for i in ids])
    for iid in spec.include:
        j = ids.index(iid)
        if smax[j] <= 0:
            raise InfeasibleError(f"include: {iid} must run, but its max_scale is 0")
        smin[j] = max(smin[j], min(MIN_RUNNING, smax[j]))
    return smin, smax


def build(co: Coefficients, spec: OptimiseSpec, budgets: dict[str, Any] | None = None, mc: Coefficients | None = None) -> Built:
    """The programme for ``spec`` (``budgets`` overrides spec's budget fields, for the frontier;
    ``mc``: per-draw coefficients for the probability objective)."""
    roles = sorted(co.workforce)
    for role in spec.staff:
        if role not in co.workforce:
            raise OptimiseError(
                f"staff: unknown role {role!r}; the models in this optimisation have staffing figures for: "
                f"{', '.join(roles) or 'no role'}"
            )
    Y, P, M = co.years, len(PAYERS), co.n_models
    if spec.year is not None and not 1 <= spec.year <= Y:
        raise OptimiseError(f"year: {spec.year} is not valid; the appraisal has years 1 to {Y}")
    b = {k: getattr(spec, k) for k in ("budget", "setup_budget", "running_budget", "running_budget_per_year")}
    b["payer_budgets"] = dict(spec.payer_budgets)
    b.update(budgets or {})
    smin, smax = _scale_bounds(co, spec)
    prog = Programme()
    s, x = [], []
    for i, iid in enumerate(co.ids):
        s.append(prog.var(f"scale[{iid}]", 0.0, float(smax[i])))
    for i, iid in enumerate(co.ids):
        forced = iid in spec.include
        xi = prog.var(f"runs[{iid}]", 1.0 if forced else 0.0, 1.0 if smax[i] > 0 else 0.0, integer=True)
        x.append(xi)
        prog.row({s[i]: 1.0, xi: -float(smax[i])}, hi=0.0)
        if smin[i] > 0:
            prog.row({s[i]: 1.0, xi: -float(smin[i])}, lo=0.0, group=f"min_scale.{iid}")
        if spec.step:
            hi = int(np.floor(smax[i] / spec.step + 1e-9))
            m = prog.var(f"steps[{iid}]", 0, hi, integer=True)
            prog.row({s[i]: 1.0, m: -spec.step}, lo=0.0, hi=0.0)
            if smin[i] > 0 and int(np.ceil(smin[i] / spec.step - 1e-9)) > hi:
                raise InfeasibleError(
                    f"step: no whole number of steps of {spec.step:g} lies between min_scale.{iid} {smin[i]:g} and "
                    f"max_scale {smax[i]:g}"
                )

    # base-draw money expressions (£m)
    setup = _setup_terms(prog, co, s, smax, 0, co.setup_timing, "")
    cost = [[dict(setup[y][p]) for p in range(P)] for y in range(Y)]
    gross = [[{} for _ in range(P)] for _ in range(Y)]
    for i in range(M):
        for y in range(Y):
            for p in range(P):
                _add(cost[y][p], s[i], co.running[0, i, y, p] / UNIT)
                _add(gross[y][p], s[i], co.gross[0, i, y, p] / UNIT)

    def total(exprs, years=None, payers=None) -> dict[int, float]:
        acc: dict[int, float] = {}
        for y in years if years is not None else range(Y):
            for p in payers if payers is not None else range(P):
                _expr_add(acc, exprs[y][p])
        return acc

    running = [[{j: v for j, v in cost[y][p].items()} for p in range(P)] for y in range(Y)]
    for y in range(Y):
        for p in range(P):
            _expr_add(running[y][p], setup[y][p], -1.0)

    def limit(expr, amount, group, label):
        if amount is not None:
            prog.row(expr, hi=amount / UNIT, group=group, label=label)

    limit(total(cost), b["budget"], "budget", "set-up and running cost over the period")
    limit(total(setup), b["setup_budget"], "setup_budget", "set-up investment")
    limit(total(running), b["running_budget"], "running_budget", "running cost over the period")
    if b["running_budget_per_year"] is not None:
        for y in range(Y):
            limit(total(running, [y]), b["running_budget_per_year"], "running_budget_per_year", f"running cost in year {y + 1}")
    for payer, amount in b["payer_budgets"].items():
        p = PAYERS.index(payer)
        limit(total(cost, payers=[p]), amount, f"payer_budgets.{payer}", f"set-up and running cost paid by {payer.upper()}")
    for role, avail in spec.staff.items():
        prog.row({s[i]: float(co.workforce[role][i]) for i in range(M)}, hi=avail, group=f"staff.{role}",
                 label=f"{role} at full scale")

    net = [[{} for _ in range(P)] for _ in range(Y)]
    obj: dict[int, float] = {}
    payers = [PAYERS.index(spec.payer)] if spec.payer else list(range(P))
    built = Built(prog, s, x, cost, setup, net, "")

    def central_net() -> None:
        """net[y][p] = gross - cost - overlap deduction at the central values (the overlap
        min-terms are added to the programme here, where each objective needs them)."""
        ded = _overlap_terms(prog, co, s, smax, 0, None, "")
        for y in range(Y):
            for p in range(P):
                _expr_add(net[y][p], gross[y][p])
                _expr_add(net[y][p], cost[y][p], -1.0)
                _expr_add(net[y][p], ded[y][p], -1.0)

    if spec.objective in ("social", "npv-with-social"):
        # social value (wellbeing, health): linear in each model's scale, never a payer's money
        central_net()
        wider = co.wider if co.wider is not None else np.zeros((1, M, Y))
        for i in range(M):
            _add(obj, s[i], float(wider[0, i] @ co.factors) / UNIT)
        if spec.objective == "npv-with-social":
            for y in range(Y):
                for p in range(P):
                    _expr_add(obj, net[y][p], float(co.factors[y]))
        built.objective_label = ("present value of social value" if spec.objective == "social"
                                 else "NPV plus the present value of social value") + f" over {Y} years"
    elif spec.objective in ("npv", "budget-impact"):
        central_net()
        if spec.objective == "npv":
            for y in range(Y):
                for p in payers:
                    _expr_add(obj, net[y][p], float(co.factors[y]))
            built.objective_label = "NPV" + (f" to {spec.payer.upper()}" if spec.payer else "") + f" over {Y} years"
        else:
            for p in payers:
                _expr_add(obj, net[spec.year - 1][p])
            built.objective_label = f"net saving in year {spec.year}" + (f" to {spec.payer.upper()}" if spec.payer else "")
    else:
        if mc is None:
            raise OptimiseError("objective: the probability objective needs Monte Carlo draws")
        D = mc.n_draws
        sides: list = []
        shared = {} if D > EXACT_DRAWS else None
        for d in range(D):
            expr: dict[int, float] = {}
            worst = 0.0
            for i in range(M):
                v = float(np.einsum("yp,y->", mc.gross[d, i] - mc.running[d, i], mc.factors)) / UNIT
                _add(expr, s[i], v)
                worst += min(0.0, v) * smax[i]
            st = _setup_terms(prog, mc, s, smax, d, "up-front", f"d{d}.", shared)
            dd = _overlap_terms(prog, mc, s, smax, d, sides, f"d{d}.", shared)
            for y in range(Y):
                for p in range(P):
                    for src, sign in ((st[y][p], -1.0), (dd[y][p], -1.0)):
                        for j, v in src.items():
                            _add(expr, j, sign * v * float(mc.factors[y]))
                            worst -= abs(v) * float(mc.factors[y]) * prog.ub[j]
            big = EPS_SAVING - worst + 1e-6
            w = prog.var(f"saves[{d}]", 0, 1, integer=True)
            prog.row({**expr, w: -big}, lo=EPS_SAVING - big, label=f"draw {d}")
            built.draw_w.append(w)
            built.draw_npv.append(expr)
            _add(obj, w, 1.0 / D)
        # The side of each min-term that binds depends on the draw only through kappa (which of
        # kappa s_a and s_b is smaller): z = 1 (deduct s_b) exactly for the draws with kappa at
        # or above s_b / s_a. Ordering the side binaries by kappa is therefore valid, and it
        # removes the symmetric choices that slow the branch and bound.
        by_term: dict[tuple, list] = {}
        for oid, g, k, z in sides:
            by_term.setdefault((oid, g), []).append((k, z))
        for terms in by_term.values():
            terms.sort()
            for (_, z_lo), (_, z_hi) in zip(terms, terms[1:]):
                prog.row({z_hi: 1.0, z_lo: -1.0}, lo=0.0)
        built.objective_label = f"probability that the NPV over {Y} years is above zero ({D:,} draws)"
        central_net()
        # the tie-break among equally probable portfolios: the NPV at the central values
        for y in range(Y):
            for p in range(P):
                _expr_add(built.central_npv, net[y][p], float(co.factors[y]))
    for j, v in obj.items():
        prog.c[j] = v
    return built


@dataclass
class Solution:
    x: np.ndarray
    objective: float  # in programme units (£m, or a probability)
    status: int
    message: str
    gap: float = 0.0  # relative MIP gap when the solver stopped (0: proven optimal)


def solve(prog: Programme, time_limit: float = 120.0, gap: float = 1e-9) -> Solution:
    """Maximise ``prog.c @ x`` with scipy.optimize.milp (HiGHS)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    A = prog.matrix()
    lo = np.array([r.lo for r in prog.rows])
    hi = np.array([r.hi for r in prog.rows])
    cons = [LinearConstraint(A, lo, hi)] if prog.rows else []
    res = milp(
        -np.array(prog.c),
        constraints=cons,
        integrality=np.array(prog.integer),
        bounds=Bounds(np.array(prog.lb), np.array(prog.ub)),
        options={"time_limit": time_limit, "mip_rel_gap": gap, "presolve": True},
    )
    if res.x is None:
        return Solution(np.zeros(len(prog.names)), float("nan"), res.status, res.message)
    gap = float(getattr(res, "mip_gap", 0.0) or 0.0)
    return Solution(res.x, float(-res.fun), res.status, res.message, gap if res.status == 1 else 0.0)


def shadow_prices(prog: Programme, sol: Solution) -> dict[int, float]:
    """Shadow price of every row (objective gained per programme unit of extra room), from the
    LP relaxation with every integer variable fixed at its value in ``sol``."""
    from scipy.optimize import linprog

    lb = np.array(prog.lb, dtype=float)
    ub = np.array(prog.ub, dtype=float)
    ints = np.array(prog.integer, dtype=bool)
    fixed = np.round(sol.x[ints])
    lb[ints] = fixed
    ub[ints] = fixed
    A = prog.matrix()
    ub_rows, ub_rhs, ub_sign, eq_rows, eq_rhs = [], [], [], [], []
    for i, r in enumerate(prog.rows):
        if r.lo == r.hi:
            eq_rows.append(i)
            eq_rhs.append(r.hi)
            continue
        if np.isfinite(r.hi):
            ub_rows.append(i)
            ub_rhs.append(r.hi)
            ub_sign.append(1.0)
        if np.isfinite(r.lo):
            ub_rows.append(i)
            ub_rhs.append(-r.lo)
            ub_sign.append(-1.0)
    sign = np.array(ub_sign)
    A_ub = A[ub_rows].multiply(sign[:, None]).tocsr() if ub_rows else None
    res = linprog(
        -np.array(prog.c),
        A_ub=A_ub,
        b_ub=np.array(ub_rhs) if ub_rows else None,
        A_eq=A[eq_rows] if eq_rows else None,
        b_eq=np.array(eq_rhs) if eq_rows else None,
        bounds=list(zip(lb, ub)),
        method="highs",
    )
    out: dict[int, float] = {}
    if res.status != 0:
        return out
    for k, i in enumerate(ub_rows):
        # linprog minimises -objective: d(min)/d(b) = marginal <= 0; the objective gains -marginal
        out[i] = out.get(i, 0.0) - float(res.ineqlin.marginals[k])
    for k, i in enumerate(eq_rows):
        out[i] = out.get(i, 0.0) - float(res.eqlin.marginals[k])
    return out


def check_status(sol: Solution) -> None:
    if sol.status not in (0, 1):  # 1: time limit reached with a feasible answer
        if sol.status == 2:
            raise InfeasibleError("the constraints cannot all be met")  # replaced by diagnose()
        raise OptimiseError(f"the solver stopped without an answer: {sol.message}")
