"""Every coefficient of the optimisation, read off the real engine and appraisal.

Nothing here re-implements the arithmetic of a model. The appraisal is run once with every
candidate model at scale 1 (its potential); because every flow of a model is proportional to
its scale (:func:`carescale.optimise.adapter.scaled_values` multiplies beneficiaries and spend
reductions, and every cost and saving is a product with them), each model's yearly running cost
and gross saving by payer *per unit of scale* are the appraisal's own flows at scale 1. The two
parts that are not proportional are read from the engine's own intermediate results:

* **set-up tranches**: the engine buys ``ceil(people / per)`` tranches of ``cost``; the people at
  full scale, ``per`` and the cost of one tranche (after optimism bias) are taken from the
  engine's evaluation on the appraisal's cost timeline, with the share of full scale reached by
  the end of each year (for ``setup_timing: as-places-fill``);
* **overlap deductions**: for each overlapping pair the engine deducts, in each month,
  ``c_t x min(people_a, people_b)``. With scales that is ``c_t x min(s_a A_t, s_b B_t)``;
  grouping the months by the ratio ``kappa = A_t / B_t`` gives
  ``sum_g W_g,y x min(kappa_g s_a, s_b)`` per year ``y``, with ``W`` and ``kappa`` taken from the
  engine's monthly people and deduction.

``tests/test_optimise.py`` checks that these coefficients reproduce the appraisal at other scales
(linearity, tranches and overlaps), and the exhaustive-search test runs the real appraisal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..appraisal import appraise
from ..appraisal.core import adjusted_values, discount_factors, timelines
from ..engine import STEADY_STATE, evaluate
from ..engine.parameters import Values
from ..schema import PAYERS
from .adapter import Problem, n_draws

P = len(PAYERS)
PAYER_INDEX = {p: i for i, p in enumerate(PAYERS)}


@dataclass(frozen=True, eq=False)
class Setup:
    """Set-up tranches of one model, per draw (arrays (D,))."""

    model: int  # index into Coefficients.ids
    payer: int
    people: np.ndarray  # beneficiaries at scale 1 (D,)
    per: np.ndarray  # places bought by one tranche (D,)
    cost: np.ndarray  # pounds per tranche after optimism bias (D,)
    reached: np.ndarray  # (D, Y): share of full scale reached by the end of each year (cost timeline)

    def tranches(self, scale: float, d: int = 0) -> int:
        """Tranches the engine buys at ``scale`` (draw ``d``)."""
        return int(np.ceil(scale * self.people[d] / self.per[d] - 1e-9)) if self.people[d] > 0 else 0


@dataclass(frozen=True, eq=False)
class OverlapTerm:
    """One overlapping pair: deduction in year y (pounds, to ``payer``) =
    ``sum_g weight[d, g, y] * min(kappa[d, g] * s_a, s_b)``; padded groups have weight 0."""

    id: str
    a: int
    b: int
    payer: int
    kappa: np.ndarray  # (D, G)
    weight: np.ndarray  # (D, G, Y)


@dataclass(frozen=True, eq=False)
class Coefficients:
    ids: tuple[str, ...]
    names: tuple[str, ...]
    years: int
    factors: np.ndarray  # (Y,) discount factors
    running: np.ndarray  # (D, M, Y, P) running cost per unit scale
    gross: np.ndarray  # (D, M, Y, P) gross savings per unit scale
    setups: tuple[Setup, ...]
    overlaps: tuple[OverlapTerm, ...]
    workforce: dict[str, np.ndarray] = field(default_factory=dict)  # role -> (M,) staff at scale 1
    setup_timing: str = "up-front"
    wider: np.ndarray | None = None  # (D, M, Y) social value (wider benefits) per unit scale

    @property
    def n_models(self) -> int:
        return len(self.ids)

    @property
    def n_draws(self) -> int:
        return self.running.shape[0]

    def predict(self, scales: np.ndarray, d: int = 0) -> dict[str, np.ndarray]:
        """Yearly flows (Y, P) of the portfolio at ``scales`` from these coefficients alone (used
        by the tests to check them against the appraisal)."""
        s = np.asarray(scales, dtype=float)
        running = np.einsum("m,myp->yp", s, self.running[d])
        gross = np.einsum("m,myp->yp", s, self.gross[d])
        setup = np.zeros((self.years, P))
        for st in self.setups:
            n = st.tranches(s[st.model], d)
            if self.setup_timing == "up-front" or n == 0:
                setup[0, st.payer] += n * st.cost[d]
                continue
            bought_before = 0
            for y in range(self.years):
                people = s[st.model] * st.people[d] * st.reached[d, y]
                bought = min(n, int(np.floor(people / st.per[d] + 1e-9)) + 1)
                bought = max(bought, bought_before)
                setup[y, st.payer] += (bought - bought_before) * st.cost[d]
                bought_before = bought
        ded = np.zeros((self.years, P))
        for ov in self.overlaps:
            m = np.minimum(ov.kappa[d] * s[ov.a], s[ov.b])  # (G,)
            ded[:, ov.payer] += m @ ov.weight[d]
        return {"running": running, "gross": gross, "setup": setup, "overlap": ded}


def _groups(A: np.ndarray, B: np.ndarray, c: np.ndarray, year: np.ndarray, Y: int):
    """(kappas, weights (G, Y)) of one draw: months grouped by A/B."""
    live = (A > 0) & (B > 0) & (c != 0)
    if not live.any():
        return np.zeros(0), np.zeros((0, Y))
    kappa = A[live] / B[live]
    key = np.array([float(f"{k:.10g}") for k in kappa])
    uniq, inv = np.unique(key, return_inverse=True)
    w = np.zeros((len(uniq), Y))
    np.add.at(w, (inv, year[live]), (c * B)[live])
    return uniq, w


def _own_evaluation(problem: Problem):
    """The problem's Evaluation when the problem is still that document's (same scenario, base
    values and appraisal settings); None for a problem changed since (``dataclasses.replace``)."""
    ev = problem.evaluation
    if ev is None or problem.scenario is not ev.scenario or problem.values is not ev.values:
        return None
    return ev if problem.settings == ev.document.appraisal else None


def coefficients(problem: Problem, values: Values | None = None) -> Coefficients:
    """The optimisation's coefficients for ``problem`` (per draw of ``values``; default: the
    base values, one draw)."""
    sc, params, settings = problem.scenario, problem.params, problem.settings
    v = values if values is not None else problem.base_values()
    D = n_draws(v)
    Y = settings.years
    ids = tuple(iv.id for iv in sc.interventions)
    M = len(ids)
    # at the base values, the appraisal at scale 1 is the document's own (its Evaluation's, once);
    # draws (the probability objective) are other values, appraised here
    ev = _own_evaluation(problem)
    res = ev.appraisal() if ev is not None and values is None else appraise(sc, settings, v, params)
    running = np.zeros((D, M, Y, P))
    gross = np.zeros((D, M, Y, P))
    wider = np.zeros((D, M, Y))
    for i, iid in enumerate(ids):
        f = res.interventions[iid]
        running[:, i] = np.broadcast_to(f.running_cost, (D, Y, P))
        gross[:, i] = np.broadcast_to(f.gross, (D, Y, P))
        wider[:, i] = np.broadcast_to(f.wider_benefits, (D, Y))

    settings = res.settings  # with each model's counterfactual defaults, as the appraisal used them
    adj = adjusted_values(sc, params, v, settings)
    cost_tl, sav_tl = timelines(sc, settings)
    year = np.arange(Y * 12) // 12
    setups: list[Setup] = []
    overlaps_acc: dict[str, list] = {ov.id: [] for ov in sc.overlaps}
    chunk = 1000
    setup_parts: dict[int, list] = {}
    for start in range(0, D, chunk):
        stop = min(start + chunk, D)
        sub = {k: (a[start:stop] if np.ndim(a) == 1 and np.shape(a)[0] == D and D > 1 else a) for k, a in adj.items()}
        rc = evaluate(sc, sub, cost_tl, params)
        rs = rc if sav_tl == cost_tl else evaluate(sc, sub, sav_tl, params)
        d = stop - start
        for i, iv in enumerate(sc.interventions):
            if iv.setup is None or sc.basis != "potential":
                continue
            r = rc.intervention(iv.id)
            people = np.zeros(d)
            for seg in r.segments:
                people = people + np.broadcast_to(seg.beneficiaries, (d,))
            per = np.broadcast_to(np.asarray(sub[f"{iv.id}.setup.per"], dtype=float), (d,))
            n_tr = np.ceil(people / per - 1e-9)
            total = np.broadcast_to(r.setup_investment, (d,))
            with np.errstate(divide="ignore", invalid="ignore"):
                cost = np.where(n_tr > 0, total / np.where(n_tr > 0, n_tr, 1.0), 0.0)
                monthly = np.broadcast_to(r.beneficiaries, (d, Y * 12))
                frac = np.where(people[:, None] > 0, monthly / np.where(people > 0, people, 1.0)[:, None], 0.0)
            reached = np.maximum.accumulate(frac, axis=1)[:, 11::12]
            setup_parts.setdefault(i, []).append((people, per, cost, reached))
        for k, ov in enumerate(rs.overlaps):
            a, b = ov.interventions
            A = np.broadcast_to(rs.intervention(a).beneficiaries, (d, Y * 12))
            B = np.broadcast_to(rs.intervention(b).beneficiaries, (d, Y * 12))
            p = PAYER_INDEX[sc.overlaps[k].payer]
            both = np.minimum(A, B)
            with np.errstate(divide="ignore", invalid="ignore"):
                c = np.where(both > 0, ov.deduction[:, :, p] / np.where(both > 0, both, 1.0), 0.0)
            c = np.broadcast_to(c, (d, Y * 12))
            for j in range(d):
                overlaps_acc[ov.id].append(_groups(A[j], B[j], c[j], year, Y))
    for i, parts in setup_parts.items():
        iv = sc.interventions[i]
        setups.append(
            Setup(
                model=i,
                payer=PAYER_INDEX[iv.setup.payer],
                people=np.concatenate([p[0] for p in parts]),
                per=np.concatenate([p[1] for p in parts]),
                cost=np.concatenate([p[2] for p in parts]),
                reached=np.concatenate([p[3] for p in parts]),
            )
        )
    terms = []
    for ov in sc.overlaps:
        groups = overlaps_acc[ov.id]
        G = max(1, max(len(g[0]) for g in groups))
        kappa = np.ones((D, G))
        weight = np.zeros((D, G, Y))
        for j, (k, w) in enumerate(groups):
            kappa[j, : len(k)] = k
            weight[j, : len(k)] = w
        a, b = ov.interventions
        terms.append(OverlapTerm(ov.id, ids.index(a), ids.index(b), PAYER_INDEX[ov.payer], kappa, weight))

    if ev is not None:  # the document's steady-state run (at its base values), once
        steady = ev.result
    else:
        steady = evaluate(sc, problem.base_values(), STEADY_STATE, params)
    roles: dict[str, np.ndarray] = {}
    for i, r in enumerate(steady.interventions):
        for role, staff in r.workforce.items():
            roles.setdefault(role, np.zeros(M))[i] = float(np.asarray(staff)[0, 0])
    return Coefficients(
        ids=ids,
        names=tuple(iv.name for iv in sc.interventions),
        years=Y,
        factors=discount_factors(Y, settings.discount_rate),
        running=running,
        gross=gross,
        setups=tuple(setups),
        overlaps=tuple(terms),
        workforce=roles,
        setup_timing=settings.setup_timing,
        wider=wider,
    )
