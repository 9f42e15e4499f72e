"""The probability objective by branch and bound over boxes of scales (issue 25).

The probability objective counts the Monte Carlo draws whose NPV is at least £100 at the chosen
scales. A mixed-integer programme needs one indicator per draw with a big-M row, whose linear
relaxation is weak (HiGHS stopped at 120 s with a 6.7% gap at 1,000 draws), and per-draw
tranche and overlap variables that were shared by the draws above 60 draws (an approximation).
This search is exact instead, and it uses the structure of the problem: a handful of scales
(one per model), and per draw an NPV that is

    NPV_d(s) = lin_d . s  -  set-up_d(s)  -  sum over overlaps of W_d,g x min(kappa_d,g s_a, s_b)

(``lin``: the discounted gross saving less running cost per unit of scale; the set-up is whole
tranches, ``ceil(s x people / per)``, paid up front or as places fill; the overlap deduction is
the engine's min-term, :mod:`.coefficients`). Every term is monotone in each scale, so over a box
``lo <= s <= hi`` the largest NPV a draw can reach is bounded by reading each term at the box's
corner that favours it, and so is the smallest. A box's **upper bound** is the number of draws
whose largest NPV reaches the threshold; draws whose smallest NPV does are certain throughout it.

The constraints (budgets by kind, year and payer; staff) are costs, which only grow with the
scales, so a box holds a feasible portfolio exactly when its lowest corner is feasible; the
lowest corner, the middle and the highest corner (where feasible) are evaluated exactly (their
count of saving draws is a **lower bound**). Boxes are split on the scale that the undecided
draws depend on most; a box whose bound cannot beat the best portfolio found is dropped. When
no box is left, the best portfolio is proven optimal; at the time limit, the answer says the gap
between its count and the largest bound left. Among equally probable portfolios the one with the
highest NPV at the central values is taken (the same tie-break as before), to within
``TIE_TOLERANCE`` of it.

Scales in steps (``step``) are whole numbers of steps, so boxes end as single portfolios and the
search is finite; continuous scales are rounded down to nine decimals (as reported) before a
candidate is evaluated, so the count and the constraints hold for the scales reported.

``tests/test_optimise.py`` checks the search against exhaustive search of the real appraisal
(with steps) and against the best of a fine grid (continuous scales).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..schema import PAYERS
from .coefficients import Coefficients
from .milp import SAVES_MONEY, _scale_bounds
from .spec import OptimiseSpec

#: Draws count as saving money at an NPV of at least £100, read here a tenth of a penny above it
#: so that rounding in the sums can never count a draw that the real appraisal does not.
THRESHOLD = SAVES_MONEY + 1e-3
#: Among portfolios with the same count of saving draws, one whose central NPV is within this
#: share (or £1) of the best possible is accepted as the tie-break's answer.
TIE_TOLERANCE = 1e-6
#: Boxes split per round (evaluated together as (boxes x draws) arrays).
BATCH = 128
#: Continuous boxes narrower than this in every scale are not split further (their bound is
#: then counted in the gap that is reported).
MIN_WIDTH = 1e-9


@dataclass(frozen=True)
class SearchResult:
    scales: np.ndarray  # (M,) chosen scales (rounded as reported)
    count: int  # draws saving money at those scales
    bound: int  # no portfolio has more (== count when proven)
    central_npv: float  # NPV at the central values, pounds
    proven: bool
    boxes: int  # boxes evaluated
    seconds: float

    @property
    def gap(self) -> float:
        """Relative gap between the bound and the count (0 when proven)."""
        return 0.0 if self.bound <= self.count else (self.bound - self.count) / max(self.bound, 1)


def _round_down(s: np.ndarray) -> np.ndarray:
    """Scales to nine decimals, rounded down (``core._round_scale``, element by element)."""
    return np.clip(np.floor(s * 1e9 + 1e-3) / 1e9, 0.0, 1.0)


class _Money:
    """Per draw NPV pieces of a :class:`Coefficients` (pounds), read for (box, draw) pairs: the
    draws still undecided in a box are the only ones worked on, so the work shrinks with the boxes."""

    def __init__(self, co: Coefficients, timing: str):
        f = co.factors
        self.D, self.M, self.Y = co.n_draws, co.n_models, co.years
        self.lin = np.einsum("dmyp,y->dm", co.gross - co.running, f)  # (D, M)
        self.timing = timing
        self.factors = f
        with np.errstate(divide="ignore", invalid="ignore"):
            self.setups = [(st.model, np.where(st.people > 0, st.people / st.per, 0.0), st.cost,
                            np.where(st.people[:, None] > 0, st.people[:, None] * st.reached / st.per[:, None], 0.0))
                           for st in co.setups]
        self.overlaps = [(ov.a, ov.b, ov.kappa, np.einsum("dgy,y->dg", ov.weight, f)) for ov in co.overlaps]

    def _setup(self, d: np.ndarray, s: np.ndarray) -> np.ndarray:
        """Discounted set-up of draws ``d`` (K,) at points ``s`` (K, M). Never falls as a scale
        grows (every tranche's cost is 0 or more: checked)."""
        out = np.zeros(d.shape[0])
        for i, ratio, cost, reached in self.setups:
            si = s[:, i]
            n = np.ceil(si * ratio[d] - 1e-9)  # ratio 0 where there are no people: no tranche
            if self.timing == "up-front":
                out += n * cost[d] * self.factors[0]
                continue
            before = np.zeros_like(n)
            for y in range(self.Y):
                got = np.where(ratio[d] > 0, np.floor(si * reached[d, y] + 1e-9) + 1, 0.0)
                bought = np.maximum(np.minimum(n, got), before)
                out += (bought - before) * cost[d] * self.factors[y]
                before = bought
        return out

    def _overlap(self, d: np.ndarray, s: np.ndarray, s_other: np.ndarray | None = None, largest: bool = False) -> np.ndarray:
        """Discounted overlap deduction of draws ``d`` at points ``s`` (K, M); with ``s_other``
        (the boxes' other corner, ``s`` being the lowest), its smallest or ``largest`` value
        over the boxes (each min-term grows with the scales; a weight may be negative)."""
        out = np.zeros(d.shape[0])
        for a, b, kappa, w in self.overlaps:
            k, wd = kappa[d], w[d]  # (K, G)
            m = np.minimum(k * s[:, a, None], s[:, b, None])
            if s_other is not None:
                m2 = np.minimum(k * s_other[:, a, None], s_other[:, b, None])
                pos = wd >= 0
                m = np.where(pos, m2, m) if largest else np.where(pos, m, m2)
            out += (m * wd).sum(axis=1)
        return out

    def npv(self, d: np.ndarray, s: np.ndarray) -> np.ndarray:
        """(K,) NPV of draws ``d`` (K,) at points ``s`` (K, M)."""
        return np.einsum("km,km->k", s, self.lin[d]) - self._setup(d, s) - self._overlap(d, s)

    def npv_range(self, d: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(largest, smallest) NPV draws ``d`` (K,) can reach over boxes ``lo..hi`` (K, M)."""
        L = self.lin[d]
        a, b = L * lo, L * hi
        top = np.maximum(a, b).sum(axis=1) - self._setup(d, lo) - self._overlap(d, lo, hi, largest=False)
        bottom = np.minimum(a, b).sum(axis=1) - self._setup(d, hi) - self._overlap(d, lo, hi, largest=True)
        return top, bottom


class _Constraints:
    """The spec's constraints on portfolios (central values): all are costs or staff, which only
    grow with the scales (checked: otherwise the search does not apply)."""

    def __init__(self, co: Coefficients, spec: OptimiseSpec, budgets: dict[str, Any] | None):
        b = {k: getattr(spec, k) for k in ("budget", "setup_budget", "running_budget", "running_budget_per_year")}
        b["payer_budgets"] = dict(spec.payer_budgets)
        b.update(budgets or {})
        self.b = b
        self.co = co
        self.central = _Money(co, co.setup_timing)
        self.running = co.running[0]  # (M, Y, P)
        self.staff = [(np.asarray(co.workforce[role], dtype=float), float(avail)) for role, avail in spec.staff.items()]
        self.monotone = bool(np.all(self.running >= 0) and all(np.all(st.cost[:1] >= 0) for st in co.setups)
                             and all(np.all(w >= 0) for w, _ in self.staff))

    def setup_by_year_payer(self, s: np.ndarray) -> np.ndarray:
        """(B, Y, P) set-up money (undiscounted) at points ``s``."""
        co = self.co
        out = np.zeros((s.shape[0], co.years, len(PAYERS)))
        for st in co.setups:
            si = s[:, st.model]
            N, per, cost = float(st.people[0]), float(st.per[0]), float(st.cost[0])
            if N <= 0:
                continue
            n = np.ceil(si * N / per - 1e-9)
            if co.setup_timing == "up-front":
                out[:, 0, st.payer] += n * cost
                continue
            before = np.zeros_like(n)
            for y in range(co.years):
                got = np.floor(si * N * float(st.reached[0, y]) / per + 1e-9) + 1
                bought = np.maximum(np.minimum(n, got), before)
                out[:, y, st.payer] += (bought - before) * cost
                before = bought
        return out

    def feasible(self, s: np.ndarray) -> np.ndarray:
        """(B,) whether the points ``s`` (B, M) meet every constraint."""
        run = np.einsum("bm,myp->byp", s, self.running)
        setup = self.setup_by_year_payer(s)
        cost = run + setup
        ok = np.ones(s.shape[0], dtype=bool)
        b = self.b

        def within(x, limit):
            return x <= limit * (1 + 1e-12) + 1e-9

        if b["budget"] is not None:
            ok &= within(cost.sum(axis=(1, 2)), b["budget"])
        if b["setup_budget"] is not None:
            ok &= within(setup.sum(axis=(1, 2)), b["setup_budget"])
        if b["running_budget"] is not None:
            ok &= within(run.sum(axis=(1, 2)), b["running_budget"])
        if b["running_budget_per_year"] is not None:
            ok &= within(run.sum(axis=2), b["running_budget_per_year"]).all(axis=1)
        for payer, amount in b["payer_budgets"].items():
            ok &= within(cost[:, :, PAYERS.index(payer)].sum(axis=1), amount)
        for w, avail in self.staff:
            ok &= within(s @ w, avail)
        return ok


def _domains(co: Coefficients, spec: OptimiseSpec) -> list[list[tuple[float, float]]] | None:
    """Per model, the intervals its scale may take (in steps when ``spec.step``): ``{0}`` and
    ``[min, max]`` for a model with a minimum scale, ``[min, max]`` for one that must run, else
    ``[0, max]``. None when no scale is possible for a model that must run."""
    smin, smax = _scale_bounds(co, spec)
    out = []
    for i, iid in enumerate(co.ids):
        lo, hi = float(smin[i]), float(smax[i])
        if spec.step:
            hi = float(np.floor(hi / spec.step + 1e-9))
            lo = float(np.ceil(lo / spec.step - 1e-9))
        if hi <= 0:
            if iid in spec.include:
                return None
            out.append([(0.0, 0.0)])
            continue
        if lo > hi:
            if iid in spec.include:
                return None
            out.append([(0.0, 0.0)])
        elif iid in spec.include:
            out.append([(lo, hi)])
        elif lo > 0:
            out.append([(0.0, 0.0), (lo, hi)])
        else:
            out.append([(0.0, hi)])
    return out


def _in_domains(u: np.ndarray, doms) -> bool:
    return all(any(a - 1e-9 <= x <= b + 1e-9 for a, b in dom) for x, dom in zip(u, doms))


def search(co: Coefficients, mc: Coefficients, spec: OptimiseSpec, budgets: dict[str, Any] | None = None,
           time_limit: float = 120.0, gap: float = 0.0, seeds: list[np.ndarray] | tuple = ()) -> SearchResult | None:
    """The scales with the most draws of ``mc`` saving money under ``spec``'s constraints (read
    at the central coefficients ``co``), ties broken by the central NPV. None when the search
    does not apply (a cost that falls as a scale grows); a result with ``count == -1`` when no
    portfolio meets the constraints. ``gap``: stop once the best count is within this share of
    the bound (0: prove optimality). ``seeds``: portfolios to start from (scales (M,), such as
    the best at the central values, which settles the tie-break at once when it is also the
    most probable)."""
    t0 = time.perf_counter()
    cons = _Constraints(co, spec, budgets)
    if not cons.monotone or any(np.any(st.cost < 0) for st in mc.setups):
        return None
    doms = _domains(co, spec)
    M, D = co.n_models, mc.n_draws
    if doms is None:
        return SearchResult(np.zeros(M), -1, -1, float("nan"), True, 0, time.perf_counter() - t0)
    step = float(spec.step) if spec.step else None
    draws = _Money(mc, mc.setup_timing)
    central = cons.central
    every = np.arange(D)

    def to_scale(u: np.ndarray) -> np.ndarray:
        return u * step if step else _round_down(u)

    def central_npv(s: np.ndarray) -> np.ndarray:
        return central.npv(np.zeros(s.shape[0], dtype=np.intp), s)

    best_count, best_central, best_s = -1, -np.inf, np.zeros(M)
    n_boxes = 0
    lost = -1  # the largest bound of a box dropped without being settled

    def offer(s: np.ndarray, cnt: np.ndarray) -> None:
        nonlocal best_count, best_central, best_s
        cen = central_npv(s)
        for k in range(s.shape[0]):
            if cnt[k] > best_count or (cnt[k] == best_count and cen[k] > best_central):
                best_count, best_central, best_s = int(cnt[k]), float(cen[k]), s[k].copy()

    for s in seeds:
        s = np.asarray(s, dtype=float)[None, :]
        u = np.round(s / step) if step else s
        s = to_scale(u)
        if cons.feasible(s)[0] and _in_domains(u[0], doms):
            offer(s, [int((draws.npv(every, np.repeat(s, D, axis=0)) >= THRESHOLD).sum())])

    def evaluate(lo: np.ndarray, hi: np.ndarray, sure: np.ndarray, und: list[np.ndarray]):
        """Bounds of boxes ``lo..hi`` whose parents were certain of ``sure`` draws and undecided
        about draws ``und``; offers their candidates to the incumbent. Returns (feasible, upper
        bound, central NPV's upper bound, score by scale, certain draws, undecided draws)."""
        nonlocal n_boxes
        B = lo.shape[0]
        n_boxes += B
        slo, shi = to_scale(lo), to_scale(hi)
        feas = cons.feasible(slo)
        lens = np.array([len(u) for u in und], dtype=np.intp)
        box = np.repeat(np.arange(B), lens)  # (K,) the box of each undecided (box, draw) pair
        d = np.concatenate(und) if B else np.zeros(0, dtype=np.intp)
        top, bottom = draws.npv_range(d, slo[box], shi[box])
        up, certain = top >= THRESHOLD, bottom >= THRESHOLD
        still = up & ~certain
        sure = sure + np.bincount(box[certain], minlength=B)
        n_still = np.bincount(box[still], minlength=B)
        ub = sure + n_still
        c_top = central.npv_range(np.zeros(B, dtype=np.intp), slo, shi)[0]
        d_still, box_still = d[still], box[still]
        new_und = np.split(d_still, np.cumsum(n_still)[:-1])
        # candidates: the lowest corner, the middle and the highest corner, where feasible
        mid = np.floor((lo + hi) / 2) if step else (lo + hi) / 2
        for pt in (lo, mid, hi):
            s = to_scale(pt)
            ok = feas & cons.feasible(s) & (ub > best_count - 1)
            if not ok.any():
                continue
            take = ok[box_still]
            hit = draws.npv(d_still[take], s[box_still[take]]) >= THRESHOLD
            cnt = sure + np.bincount(box_still[take][hit], minlength=B)
            offer(s[ok], cnt[ok])
        # which scale the undecided draws depend on most (for splitting), then the central NPV's
        width = hi - lo
        A = np.abs(draws.lin[d_still])
        score = np.stack([np.bincount(box_still, weights=A[:, m], minlength=B) for m in range(M)], axis=1) * width
        score += 1e-12 * np.abs(central.lin[0])[None, :] * width
        score = np.where(width > (0 if step else MIN_WIDTH), score + 1e-300, -1.0)
        return feas, ub, c_top, score, sure, new_und

    def keep(feas, ub, c_top):
        nonlocal lost
        tol = TIE_TOLERANCE * abs(best_central) + 1.0 if np.isfinite(best_central) else 0.0
        need = best_count if gap <= 0 or best_count <= 0 else int(np.floor(best_count / (1 - gap)))
        if need > best_count:  # boxes dropped within the gap still bound the answer
            within = feas & (ub > best_count) & (ub <= need)
            if within.any():
                lost = max(lost, int(ub[within].max()))
        return feas & ((ub > need) | ((ub == best_count) & (c_top > best_central + tol)))

    # initial boxes: the product of each model's intervals
    combos = list(itertools.product(*doms))
    lo = np.array([[c[0] for c in combo] for combo in combos], dtype=float).reshape(len(combos), M)
    hi = np.array([[c[1] for c in combo] for combo in combos], dtype=float).reshape(len(combos), M)
    feas, ub, c_top, score, sure, und = evaluate(lo, hi, np.zeros(len(combos), dtype=np.intp), [every] * len(combos))

    def pick(mask):
        return lo[mask], hi[mask], ub[mask], c_top[mask], score[mask], sure[mask], [u for u, k in zip(und, mask) if k]

    lo, hi, ub, c_top, score, sure, und = pick(keep(feas, ub, c_top))
    proven = True
    while lo.shape[0]:
        if time.perf_counter() - t0 > time_limit:
            proven = False
            lost = max(lost, int(ub.max()))
            break
        can = score.max(axis=1) > 0  # boxes that can still be split
        if not can.all():
            stuck = ~can
            if np.any(ub[stuck] > best_count):
                lost = max(lost, int(ub[stuck].max()))
            lo, hi, ub, c_top, score, sure, und = pick(can)
            if not lo.shape[0]:
                break
        order = np.lexsort((-c_top, -ub))[:BATCH]
        rest = np.ones(lo.shape[0], dtype=bool)
        rest[order] = False
        plo, phi = lo[order], hi[order]
        dim = np.argmax(score[order], axis=1)
        r = np.arange(plo.shape[0])
        cut = (plo[r, dim] + phi[r, dim]) / 2
        if step:
            cut = np.floor(cut)
        lo1, hi1, lo2, hi2 = plo.copy(), phi.copy(), plo.copy(), phi.copy()
        hi1[r, dim] = cut
        lo2[r, dim] = cut + (1.0 if step else 0.0)
        psure = np.concatenate([sure[order], sure[order]])
        pund = [und[k] for k in order] * 2
        f2, u2, c2, s2, su2, un2 = evaluate(np.concatenate([lo1, lo2]), np.concatenate([hi1, hi2]), psure, pund)
        lo = np.concatenate([lo[rest], lo1, lo2])
        hi = np.concatenate([hi[rest], hi1, hi2])
        ub = np.concatenate([ub[rest], u2])
        c_top = np.concatenate([c_top[rest], c2])
        score = np.concatenate([score[rest], s2])
        sure = np.concatenate([sure[rest], su2])
        und = [u for u, k in zip(und, rest) if k] + un2
        feas = np.concatenate([np.ones(int(rest.sum()), dtype=bool), f2])
        lo, hi, ub, c_top, score, sure, und = pick(keep(feas, ub, c_top))
    bound = max(best_count, lost)
    return SearchResult(best_s, best_count, bound, best_central, proven and bound <= best_count, n_boxes,
                        time.perf_counter() - t0)
