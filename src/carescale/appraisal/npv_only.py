"""The NPV-only route: the appraisal's net present value per draw, without monthly flows.

Monte Carlo, switching values and the optimiser need one number per draw (NPV, by model and
payer), not the flows, ROI or break-even that :func:`~carescale.appraisal.appraise` also
builds. The monthly flows of a model have a simple structure: each is a per-draw figure at full
scale (annual cost or gross saving by payer, from the engine's formulas) times a
per-month curve (the ramp-up, lag and drop-off of the model's timeline). Its NPV is therefore

    NPV = figure x sum over months of curve(month) x (1/12) x discount factor of the month's year

and the sum is one number per model (or one per draw, where the ramp-up months vary by draw).
The figures come from the engine's :func:`~carescale.engine.evaluate.annual_figures` (the formulas
:func:`~carescale.engine.evaluate` multiplies by its timeline), so no (draws x months) result
is built. Only two terms are not of that form:

* the overlap deduction, ``share x sum over months of min(people_a, people_b) x saving per
  person``, where the two models ramp up (and drop off) at different times. With curves shared
  by every draw it has a closed form (:func:`_min_pv`): the months sorted by the ratio of the two
  curves, a draw takes group a's curve in the months where that ratio is at most ``n_b / n_a``
  and group b's in the others, so two running sums and a search give the sum, with no per-month
  work per draw. Where the ramp-up varies by draw, the months are summed month by month, but
  only up to the last ramp-up: after it (without drop-off) both curves are constant and the rest
  is the smaller full-scale group times the sum of the remaining weights.
* the set-up investment bought in tranches as places fill: tranches are bought only while the
  costs curve still changes, so only the ramp-up months are scheduled.

Blocks of draws are sized so that those ramp-up months of a block stay in cache
(:func:`block_size`); memory is bounded by the block size and the outputs, not the months.

:func:`appraise_npv` takes the same arguments as ``appraise`` and reads every value the same
way (optimism bias and additionality through :func:`~carescale.appraisal.core.adjustment_factors`, the
same timelines, the set-up tranches of :func:`~carescale.appraisal.core.setup_by_month`, summed
over months by :func:`~carescale.appraisal.core.setup_present_value`); the tests check that both
routes agree to the penny on every draw.

Monte Carlo runs (:data:`MIN_KERNEL_DRAWS` draws or more, curves shared by every draw) go through
the compiled kernel of :mod:`~carescale.appraisal.npv_kernel` once a process has loaded it
(:func:`~carescale.appraisal.npv_kernel.use`) instead of the numpy blocks below:
the same formulas draw by draw in one pass (the tests check it against this route and the full
appraisal). The work done before the draws (settings, timelines, curves, closed forms, the
kernel's tables) is kept for the next call with the same scenario, settings and parameter table.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from ..engine import ParameterTable
from ..engine.evaluate import _draws, annual_figures
from ..engine.memory import keep_freed_memory
from ..engine.parameters import Values
from ..engine.scenario import Scenario
from .core import (
    P,
    _block,
    _check_settings_ids,
    _n_draws,
    adjustment_factors,
    apply_factors,
    complete_values,
    counterfactual_settings,
    discount_factors,
    resolve_settings,
    setup_present_value,
    timelines,
)
from .settings import AppraisalSettings

#: Bytes of the (draws x months) arrays of one block: they stay in the processor's cache.
BLOCK_BYTES = 2 * 2**20
#: Draws from which a run may go through the compiled kernel (once it is loaded: npv_kernel.use;
#: smaller runs import neither it nor numba).
MIN_KERNEL_DRAWS = 128
#: Block size bounds: below the lower one Python's per-block overhead dominates; the upper one
#: bounds the per-draw temporaries of the engine (tens of (draws,) arrays) and the memory.
MIN_CHUNK, MAX_CHUNK = 2048, 32768


@dataclass(frozen=True, eq=False)
class NPVResult:
    """NPV per draw by payer, (draws, payers), for each intervention and for the portfolio
    (after the overlap deduction), with the settings used."""

    settings: AppraisalSettings
    by_payer: dict[str, np.ndarray]  # intervention id -> (D, P)
    portfolio_by_payer: np.ndarray  # (D, P)

    @property
    def portfolio(self) -> np.ndarray:
        """(D,) NPV of the portfolio, all payers."""
        return self.portfolio_by_payer.sum(axis=1)

    def npv(self, iid: str) -> np.ndarray:
        """(D,) NPV of one intervention (or ``"portfolio"``), all payers."""
        return self.portfolio if iid == "portfolio" else self.by_payer[iid].sum(axis=1)


def _ramp_months(curve: np.ndarray) -> int:
    """Months of ``curve`` (rows (1 or D, T)) up to and including the first month of its constant
    tail: from that month on every row keeps its last value, so nothing changes month to month."""
    changing = np.flatnonzero(~(curve == curve[:, -1:]).all(axis=0))
    return int(changing[-1]) + 2 if changing.size else 1


def _closed_form(c_a: np.ndarray, c_b: np.ndarray, weight: np.ndarray):
    """What :func:`_min_pv`'s closed form needs of two savings curves shared by every draw (the
    months' ratios ``c_a / c_b`` sorted, and the sums ``A`` and ``B``), or None where it does not
    apply (curves varying by draw, or a negative or non-finite month)."""
    if c_a.shape[0] != 1 or c_b.shape[0] != 1:
        return None
    a, b = c_a[0], c_b[0]
    if not (np.all(a >= 0) and np.all(b >= 0) and np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(b > 0, a / b, np.inf)  # b = 0: the month adds n_b x 0 = 0 (n_b >= 0)
    order = np.argsort(ratio, kind="stable")
    wa, wb = (a * weight)[order], (b * weight)[order]
    A = np.concatenate(([0.0], np.cumsum(wa)))  # A[k]: months 0..k-1 in ratio order
    B = np.concatenate((np.cumsum(wb[::-1])[::-1], [0.0]))  # B[k]: months k..T-1
    return ratio[order], A, B


def _min_pv(n_a: np.ndarray, c_a: np.ndarray, n_b: np.ndarray, c_b: np.ndarray, weight: np.ndarray,
            prepared=False) -> np.ndarray:
    """(D,) sum over months of ``min(n_a x c_a, n_b x c_b) x weight``: the people in both of two
    overlapping models, each at full scale ``n`` (D,) times its savings curve (1 or D, T).

    Curves shared by every draw (the usual case) take a closed form with no per-month work per
    draw: month ``t`` contributes ``n_a c_a(t)`` where ``c_a(t) / c_b(t) <= n_b / n_a`` and
    ``n_b c_b(t)`` otherwise, so with the months sorted by that ratio the sum is
    ``n_a x A[k] + n_b x B[k]`` (``A`` the running sums of ``c_a x weight``, ``B`` the sums from
    the end of ``c_b x weight``, ``k`` where ``n_b / n_a`` falls among the ratios). Draws where a
    full-scale figure is negative or not finite, and curves that vary by draw, are summed month by
    month (the latter only over the ramp-up months: after them both curves stay constant).
    ``prepared``: :func:`_closed_form` of the curves, when already computed."""
    D = n_a.shape[0]
    form = _closed_form(c_a, c_b, weight) if prepared is False else prepared
    if form is not None:
        ratio, A, B = form
        # every full-scale figure 0 or more and finite (NaN fails the comparisons): four reductions
        # instead of a mask per draw
        fine = bool(n_a.min(initial=0.0) >= 0 and n_b.min(initial=0.0) >= 0
                    and np.isfinite(n_a.max(initial=0.0)) and np.isfinite(n_b.max(initial=0.0)))
        q = np.divide(n_b, n_a, out=np.full(D, np.inf), where=n_a > 0)  # n_a = 0: no month takes n_a
        k = np.searchsorted(ratio, q, side="right")
        out = n_a * A[k] + n_b * B[k]
        if not fine:
            bad = ~((n_a >= 0) & (n_b >= 0) & np.isfinite(n_a) & np.isfinite(n_b))
            out[bad] = np.minimum(n_a[bad, None] * c_a, n_b[bad, None] * c_b) @ weight
        return out
    m = max(_ramp_months(c_a), _ramp_months(c_b))
    head = np.minimum(n_a[:, None] * c_a[:, :m], n_b[:, None] * c_b[:, :m]) @ weight[:m]
    if m == c_a.shape[1]:
        return head
    tail = np.minimum(n_a * np.broadcast_to(c_a[:, -1], (D,)), n_b * np.broadcast_to(c_b[:, -1], (D,)))
    return head + tail * weight[m:].sum()


class _Curves:
    """Each model's costs and savings curves (1 or D, T), their NPV weights and the overlaps'
    closed forms: computed once for all blocks when no draw has its own ramp-up months, else per
    block (``shared=False``)."""

    def __init__(self, cost_tl, sav_tl, weight: np.ndarray, shared: bool):
        self.cost_tl, self.sav_tl, self.weight, self.shared = cost_tl, sav_tl, weight, shared
        self._cache: dict = {}

    def of(self, iv, v: Values) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(costs curve, savings curve, costs curve @ weight, savings curve @ weight)."""
        if self.shared and iv.id in self._cache:
            return self._cache[iv.id]
        c, s = self.cost_tl.scale(iv, v), self.sav_tl.scale(iv, v)
        out = (c, s, c @ self.weight, s @ self.weight)
        if self.shared:
            self._cache[iv.id] = out
        return out

    def closed_form(self, pair: tuple[str, str], c_a: np.ndarray, c_b: np.ndarray):
        if not self.shared:
            return _closed_form(c_a, c_b, self.weight)
        if pair not in self._cache:
            self._cache[pair] = _closed_form(c_a, c_b, self.weight)
        return self._cache[pair]


def _npv_block(scenario: Scenario, v: Values, curves: _Curves, timing: str, month_factor: np.ndarray,
               draws: int, by_iv: dict[str, np.ndarray], portfolio: np.ndarray) -> None:
    """The NPV of ``draws`` draws, written into ``by_iv`` (id -> (draws, P)) and ``portfolio``
    ((draws, P)): the rows of the outputs that these draws fill (no copy of the block's results)."""
    # per-draw figures at full scale for a year: the engine's formulas, without its (draws x
    # periods) results (the steady state's are these figures times one)
    figures, overlaps = annual_figures(scenario, v, draws)
    weight = curves.weight
    people_s: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # id -> (full-scale people (D,), savings curve)
    portfolio[...] = 0.0
    for iv, f in zip(scenario.interventions, figures):
        curve_c, curve_s, pv_c, pv_s = curves.of(iv, v)  # curves (1 or D, T), their NPV weights (1 or D,)
        n = f.beneficiaries
        out = by_iv[iv.id]
        np.multiply(f.gross, pv_s[:, None], out=out)
        out -= f.cost * pv_c[:, None]
        total = _draws(f.setup_investment, draws)
        if iv.setup is not None and np.any(total > 0):
            full = np.zeros(draws)
            for seg in f.segments:
                full = full + seg.beneficiaries
            # tranches are bought only while places fill: once the cost curve is constant the
            # number bought is too, so only the ramp-up months are scheduled
            m = _ramp_months(curve_c)
            people = n[:, None] * np.broadcast_to(curve_c[:, :m], (curve_c.shape[0], m))
            setup, payer = setup_present_value(iv, total, np.broadcast_to(people, (draws, m)), full,
                                               v[f"{iv.id}.setup.per"], timing, month_factor[:m])
            out[:, payer] -= setup
        people_s[iv.id] = (n, curve_s)
        portfolio += out
    for ov in overlaps:
        pair = ov.overlap.interventions
        (n_a, c_a), (n_b, c_b) = people_s[pair[0]], people_s[pair[1]]
        share = _draws(ov.share[:, 0], draws)
        form = curves.closed_form(pair, c_a, c_b)
        portfolio[:, ov.payer] -= ov.saving_per_person * (share * _min_pv(n_a, c_a, n_b, c_b, weight, form))


def block_size(months: int) -> int:
    """Draws per block so that a (draws x months) array of float64 is about ``BLOCK_BYTES``."""
    return int(min(MAX_CHUNK, max(MIN_CHUNK, BLOCK_BYTES // (8 * max(1, months)))))


class _Prepared:
    """What a call works out before its draws, kept for the next call with the same scenario,
    settings, parameter table and ramp-up months given for every draw (:func:`_prepare`): the
    settings, timelines, discount weights, optimism bias and additionality, the shared curves with
    their closed forms, and the compiled kernel's tables (:mod:`~carescale.appraisal.npv_kernel`)."""

    def __init__(self, scenario: Scenario, settings: AppraisalSettings, params: ParameterTable, base: Values,
                 by_draw: bool):
        self.settings = settings
        self.cost_tl, self.sav_tl = timelines(scenario, settings)
        self.month_factor = np.repeat(discount_factors(settings.years, settings.discount_rate), 12)
        self.weight = self.month_factor * self.cost_tl.years_per_period
        self.factors = adjustment_factors(scenario, params, settings)  # optimism bias, additionality: once
        self.by_draw = by_draw
        self.curves = None if by_draw else _Curves(self.cost_tl, self.sav_tl, self.weight, shared=True)
        self.chunk: int | None = None
        self._kernel: tuple | None | bool = False  # not worked out yet
        if not by_draw:  # the shared curves and the closed forms, once
            first = _block(base, 0, 1, _n_draws(base))
            months = max((_ramp_months(self.curves.of(iv, first)[0]) for iv in scenario.interventions), default=1)
            self.chunk = block_size(months)  # every model's curves are now in self.curves (no values kept)
            ivs = {iv.id: iv for iv in scenario.interventions}
            for ov in scenario.overlaps:
                a, b = ov.interventions
                self.curves.closed_form(ov.interventions, self.curves.of(ivs[a], first)[1], self.curves.of(ivs[b], first)[1])

    def kernel(self, scenario: Scenario):
        """(plan, curves) of the compiled kernel, or None where it does not apply (curves varying
        by draw, an overlap without its closed form, no models)."""
        if self._kernel is False:  # worked out once (two threads at once may both work it out)
            found = None
            forms = [self.curves.closed_form(ov.interventions, None, None) for ov in scenario.overlaps] if self.curves else []
            if self.curves is not None and scenario.interventions and all(f is not None for f in forms):
                from . import npv_kernel

                pl = npv_kernel.plan(scenario, self.settings.setup_timing,
                                     {iid for ov in scenario.overlaps for iid in ov.interventions})
                of = [self.curves.of(iv, {}) for iv in scenario.interventions]  # worked out in __init__
                found = pl, npv_kernel.curves(
                    pl, [c[0] for c in of], [c[1] for c in of], [c[2] for c in of], [c[3] for c in of],
                    [_ramp_months(c[0]) for c in of], forms, self.month_factor, self.weight)
            self._kernel = found
        return self._kernel


_RAMP_PATHS = (".ramp_up.months_to_first_beneficiary", ".ramp_up.months_to_full_scale")
#: Prepared calls kept: by weak reference to their scenario and parameter table, so that a
#: scenario nobody else holds goes (the national case runs 153, one call each).
_KEEP = 8
_prepared: dict[tuple, tuple] = {}
_prepared_lock = threading.Lock()


def _prepare(scenario: Scenario, settings, params: ParameterTable, base: Values) -> _Prepared:
    """The :class:`_Prepared` work of a call, from the cache when the same scenario, settings
    object (or None: the defaults), parameter table and ramp-up months given for every draw were
    used before (all immutable); settings given as a mapping are resolved each time."""
    ramps = tuple(sorted((k, float(np.asarray(a, dtype=float).reshape(-1)[0]))
                         for k, a in base.items() if k.endswith(_RAMP_PATHS) and np.size(a) == 1))
    # a draw's own ramp-up months make its curves its own; otherwise they are computed once
    by_draw = any(k.endswith(_RAMP_PATHS) and np.size(a) > 1 for k, a in base.items())
    cacheable = settings is None or isinstance(settings, AppraisalSettings)
    key = (id(scenario), id(settings), id(params), ramps, by_draw)
    hit = _prepared.get(key) if cacheable else None
    if hit is not None and hit[0]() is scenario and hit[1] is settings and hit[2]() is params:
        return hit[3]
    resolved = resolve_settings(settings)
    _check_settings_ids(scenario, resolved)
    resolved = counterfactual_settings(scenario, resolved)  # each model's defaults by its evidence design
    prep = _Prepared(scenario, resolved, params, base, by_draw)
    if cacheable:
        with _prepared_lock:
            while len(_prepared) >= _KEEP:
                _prepared.pop(next(iter(_prepared)))
            _prepared[key] = (weakref.ref(scenario), settings, weakref.ref(params), prep)
    return prep


def appraise_npv(
    scenario: Scenario,
    settings: AppraisalSettings | Mapping | None = None,
    values: Values | None = None,
    parameters: ParameterTable | None = None,
    *,
    chunk: int | None = None,
) -> NPVResult:
    """NPV per draw of ``scenario`` (same arguments and same figures as
    :func:`~carescale.appraisal.appraise`'s ``metrics.npv_by_payer``), ``chunk`` draws at a time
    (default: the compiled kernel's block, :data:`~carescale.appraisal.npv_kernel.BLOCK`; on the
    numpy route :func:`block_size` of the longest ramp-up, the only months still worked month by
    month). Runs of :data:`MIN_KERNEL_DRAWS` draws or more with curves shared by every draw go
    through the compiled kernel once it is loaded (:func:`~carescale.appraisal.npv_kernel.use`);
    the work before the draws
    is kept for the next call with the same inputs (:func:`_prepare`)."""
    params = parameters or ParameterTable.from_scenario(scenario)
    base = complete_values(values, params)  # partial values: the rest at base, before adjusting
    prep = _prepare(scenario, settings, params, base)
    settings = prep.settings
    D = _n_draws(base)
    ids = [iv.id for iv in scenario.interventions]
    if D >= 1024:  # outputs large enough to be mapped afresh: the engine's allocator setting, as
        keep_freed_memory()  # annual_figures sets it (engine/memory.py), for the kernel's runs too
    by_payer = {iid: np.empty((D, P)) for iid in ids}  # filled block by block, no concatenation
    portfolio = np.empty((D, P))
    if D >= MIN_KERNEL_DRAWS and not prep.by_draw:
        from . import npv_kernel

        if npv_kernel.use(D):
            k = prep.kernel(scenario)
            if k is not None and npv_kernel.run(*k, base, prep.factors, D, list(by_payer.values()), portfolio,
                                                block=chunk or npv_kernel.BLOCK):
                return NPVResult(settings, by_payer, portfolio)
    curves = prep.curves
    if curves is None:  # ramp-up months by draw: curves per block
        curves = _Curves(prep.cost_tl, prep.sav_tl, prep.weight, shared=False)
    if chunk is None:
        # month-by-month work is left only in the set-up's ramp-up months (the costs curve) and,
        # where the ramp-up varies by draw, in the overlaps' ramp-up months (the savings curves)
        chunk = prep.chunk
        if chunk is None:
            first = _block(base, 0, 1, D)
            months = max((_ramp_months(curves.of(iv, first)[0]) for iv in scenario.interventions), default=1)
            months = max([months] + [_ramp_months(prep.sav_tl.scale(iv, first)) for iv in scenario.interventions])
            chunk = block_size(months)
    step = max(1, int(chunk))
    for start in range(0, D, step):
        stop = min(start + step, D)
        v = apply_factors(_block(base, start, stop, D), prep.factors)
        _npv_block(scenario, v, curves, settings.setup_timing, prep.month_factor, stop - start,
                   {iid: by_payer[iid][start:stop] for iid in ids}, portfolio[start:stop])
    return NPVResult(settings, by_payer, portfolio)
