"""The appraisal over time: monthly cash flows, discounting and the metrics a board asks for.

:func:`appraise` runs the one engine (:func:`carescale.engine.evaluate`) on a monthly
:class:`~carescale.engine.timeline.RampUpTimeline`, schedules each model's set-up investment in
time, and returns per-draw arrays:

* monthly flows by intervention and for the portfolio, shape (draws, months, payers): running
  cost, set-up investment, gross savings, the overlap deduction (portfolio only) and the
  non-cashable wider benefits (draws, months);
* metrics per draw: NPV (total and by payer), net budget impact by payer, benefit-cost ratio,
  return on investment, break-even month (``nan`` when it does not break even in the period).

Conventions (docs/appraisal.md explains them with a worked example):

* Year 1 of the appraisal is the Green Book's year 0 and is not discounted: the net flow of
  appraisal year ``y`` is multiplied by ``1 / (1 + r) ** (y - 1)`` (with the declining schedule
  after 30 years), so NPV equals ``numpy_financial.npv(r, yearly_net)``, whose first flow is at
  t = 0.
* Optimism bias and additionality (deadweight, attribution) change the engine's input values
  before it runs: costs (running and set-up) are raised by the optimism-bias share for the
  model's evidence level, savings (and wider benefits) are lowered by it and multiplied by
  ``(1 - deadweight) x attribution`` for each outcome. Lag and drop-off shape the savings in
  time through a second timeline.
* Set-up investment is bought in tranches of ``setup.cost`` for ``setup.per`` places (as many as
  the chosen scale needs): the first in month 1, each further one in the month the places
  already bought are filled (``setup_timing="as-places-fill"``), or all in month 1
  (``"up-front"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from ..engine import ParameterTable, evaluate
from ..engine.evaluate import _complete as complete_values, _draws, evaluate_timelines
from ..engine.parameters import Values
from ..engine.results import PortfolioResult
from ..engine.timeline import RampUpTimeline
from ..errors import SettingsError, expect
from ..schema import PAYERS, Intervention
from ..engine.scenario import Scenario
from .settings import AppraisalSettings, appraisal_defaults, make_settings, no_adjustment

P = len(PAYERS)
PAYER_INDEX = {p: i for i, p in enumerate(PAYERS)}

COST_KINDS = frozenset({"unit_cost", "setup_cost"})
BENEFIT_KINDS = frozenset({"unit_saving", "reduction", "wider_benefit"})


# -- discounting ----------------------------------------------------------------------------


def discount_rates(years: int, rate: float | None = None) -> np.ndarray:
    """The rate applying in each appraisal year (Green Book year index 0..years-1): ``rate``
    flat, or the Green Book declining schedule when ``rate`` is None."""
    if rate is not None:
        return np.full(years, float(rate))
    out = np.empty(years)
    for band in appraisal_defaults().discounting:
        hi = years - 1 if band.to_year is None else min(band.to_year, years - 1)
        if band.from_year <= hi:
            out[band.from_year : hi + 1] = band.rate.value
    return out


def discount_factors(years: int, rate: float | None = None) -> np.ndarray:
    """Discount factor for each appraisal year: 1 for the first year (Green Book year 0), then
    ``prod(1 / (1 + r_k))`` over Green Book years k = 1..t (so ``1 / (1 + r) ** t`` at a flat
    rate)."""
    r = discount_rates(years, rate)
    df = np.ones(years)
    if years > 1:
        df[1:] = np.cumprod(1.0 / (1.0 + r[1:]))
    return df


def npv(yearly_net: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Net present value of yearly flows (..., years) with the given discount factors."""
    return np.asarray(yearly_net) @ factors


# -- flows and metrics ----------------------------------------------------------------------


def _to_years(monthly: np.ndarray) -> np.ndarray:
    """(D, months[, payers]) -> (D, years[, payers]) by summing each run of 12 months."""
    D, T = monthly.shape[:2]
    r = monthly.reshape(D, T // 12, 12, *monthly.shape[2:])
    return np.einsum("dymp->dyp" if monthly.ndim == 3 else "dym->dy", r)


def _all_payers(a: np.ndarray) -> np.ndarray:
    """Sum over the trailing payer axis (faster than ``a.sum(axis=-1)`` for two payers)."""
    out = a[..., 0].copy()
    for i in range(1, a.shape[-1]):
        out += a[..., i]
    return out


def _break_even_month(cumulative: np.ndarray) -> np.ndarray:
    """First month (1-based) from which the cumulative net stays above zero to the end of the
    appraisal; ``nan`` where it is not above zero at the end. ``cumulative`` is (D, months)."""
    D, T = cumulative.shape
    positive = cumulative > 1e-6
    not_pos = ~positive
    any_not = not_pos.any(axis=1)
    last_not = T - 1 - np.argmax(not_pos[:, ::-1], axis=1)
    month = np.where(any_not, last_not + 2, 1).astype(float)
    return np.where(positive[:, -1], month, np.nan)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den where den is positive and the ratio is a finite number (a cost of 1e-300 gives no
    return on it rather than an infinite one); NaN elsewhere, which outputs show as "n/a"."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r = num / np.where(den > 0, den, 1.0)
        return np.where((den > 0) & np.isfinite(r), r, np.nan)


@dataclass(frozen=True, eq=False)
class Metrics:
    """Per-draw metrics (arrays over draws; by-payer arrays are (draws, payers))."""

    npv: np.ndarray  # (D,) discounted net saving over the period, all payers
    npv_by_payer: np.ndarray  # (D, P)
    net_budget_impact: np.ndarray  # (D,) undiscounted net saving over the period
    net_budget_impact_by_payer: np.ndarray  # (D, P)
    pv_cost: np.ndarray  # (D,) present value of running costs + set-up
    pv_savings: np.ndarray  # (D,) present value of cashable savings (after any overlap deduction)
    pv_wider_benefits: np.ndarray  # (D,) present value of non-cashable wider benefits
    roi: np.ndarray  # (D,) cashable savings per £1 spent (PV); nan when nothing is spent
    bcr: np.ndarray  # (D,) (savings + wider benefits) per £1 spent (PV); nan when nothing is spent
    break_even_month: np.ndarray  # (D,) 1-based month, nan when it does not break even
    discounted_break_even_month: np.ndarray  # (D,) same on the discounted cumulative net

    @property
    def breaks_even(self) -> np.ndarray:
        return ~np.isnan(self.break_even_month)


class _Parts:
    """Shared arithmetic of monthly and yearly flows: cost, savings and net from the parts."""

    running_cost: np.ndarray
    setup: np.ndarray
    gross: np.ndarray
    overlap_deduction: np.ndarray | None

    @property
    def cost(self) -> np.ndarray:
        return self.running_cost + self.setup

    @property
    def savings(self) -> np.ndarray:
        """Cashable savings after the overlap deduction (portfolio) or gross (intervention)."""
        return self.gross if self.overlap_deduction is None else self.gross - self.overlap_deduction

    @property
    def net(self) -> np.ndarray:
        return self.savings - self.cost


@dataclass(frozen=True, eq=False)
class MonthlyFlows(_Parts):
    """Monthly cash flows in pounds a month: money (draws, months, payers), wider benefits
    (draws, months). Kept only when :func:`appraise` is called with ``monthly=True``."""

    running_cost: np.ndarray
    setup: np.ndarray
    gross: np.ndarray
    overlap_deduction: np.ndarray | None
    wider_benefits: np.ndarray

    def cumulative_net(self) -> np.ndarray:
        """(draws, months): undiscounted net saving to the end of each month, all payers."""
        return np.cumsum(_all_payers(self.net), axis=1)


@dataclass(frozen=True, eq=False)
class Flows(_Parts):
    """Cash flows of one intervention or of the portfolio by appraisal year, with the metrics.

    Money arrays are pounds in each year, (draws, years, payers); ``wider_benefits`` is
    (draws, years). ``monthly`` holds the monthly flows when asked for.
    """

    id: str
    name: str
    running_cost: np.ndarray
    setup: np.ndarray
    gross: np.ndarray
    overlap_deduction: np.ndarray | None
    wider_benefits: np.ndarray
    factors: np.ndarray  # (years,) discount factor of each appraisal year
    metrics: Metrics
    monthly: MonthlyFlows | None = None
    evidence_level: int | None = None
    optimism_bias: tuple[float, float] = (0.0, 0.0)  # (cost uplift, savings reduction) applied
    months_to_first_beneficiary: np.ndarray | None = None  # (draws or 1,)
    months_to_full_scale: np.ndarray | None = None

    def yearly(self, name: str) -> np.ndarray:
        """A flow by appraisal year: ``cost``, ``setup``, ``running_cost``, ``gross``,
        ``savings``, ``overlap_deduction`` (zeros for a single model), ``net`` or
        ``wider_benefits``."""
        arr = getattr(self, name)
        return np.zeros_like(self.gross) if arr is None else arr


def _metrics_of(flows: list[MonthlyFlows], factors: np.ndarray) -> list[tuple[Metrics, dict[str, np.ndarray]]]:
    """Metrics and yearly sums of each of ``flows`` (monthly flows of the same draws: each model's
    and the portfolio's), worked out on the flows stacked one under the other, so each formula is
    one numpy call for all of them. Each flow's figures are what it gives alone, bit for bit: the
    arithmetic is element by element or along each row (sums of 12 months, over years and
    payers, running totals), and the discounting's matrix products are taken flow by flow (how a
    product adds up depends on its shape). A flow without an overlap deduction has zeros there,
    which take nothing from its savings (``x - 0.0`` is ``x``)."""
    D = flows[0].gross.shape[0]
    rows = [slice(k * D, (k + 1) * D) for k in range(len(flows))]

    def stacked(name: str) -> np.ndarray:
        return np.concatenate([getattr(f, name) for f in flows])

    running_cost, setup, gross = stacked("running_cost"), stacked("setup"), stacked("gross")
    with_deduction = [f.overlap_deduction is not None for f in flows]
    deduction = np.concatenate([np.zeros_like(f.gross) if f.overlap_deduction is None else f.overlap_deduction
                                for f in flows]) if any(with_deduction) else None
    yearly = {
        "running_cost": _to_years(running_cost),
        "setup": _to_years(setup),
        "gross": _to_years(gross),
        "wider_benefits": _to_years(stacked("wider_benefits")),
    }
    if deduction is not None:
        yearly["overlap_deduction"] = _to_years(deduction)
    cost_y = yearly["running_cost"] + yearly["setup"]
    sav_y = yearly["gross"] - yearly.get("overlap_deduction", 0.0)
    net_y = sav_y - cost_y
    npv_p = np.einsum("dyp,y->dp", net_y, factors)

    def present_value(yearly_all_payers: np.ndarray) -> np.ndarray:
        return np.concatenate([yearly_all_payers[r] @ factors for r in rows])

    pv_cost = present_value(_all_payers(cost_y))
    pv_sav = present_value(_all_payers(sav_y))
    pv_wider = present_value(yearly["wider_benefits"])
    monthly_net = _all_payers(gross) - _all_payers(running_cost) - _all_payers(setup)
    if deduction is not None:
        monthly_net -= _all_payers(deduction)
    cum = np.cumsum(monthly_net, axis=1)
    dcum = np.cumsum(monthly_net * np.repeat(factors, 12)[None, :], axis=1)
    budget = net_y.sum(axis=1)
    every = Metrics(
        npv=npv_p.sum(axis=1),
        npv_by_payer=npv_p,
        net_budget_impact=budget.sum(axis=1),
        net_budget_impact_by_payer=budget,
        pv_cost=pv_cost,
        pv_savings=pv_sav,
        pv_wider_benefits=pv_wider,
        roi=_ratio(pv_sav, pv_cost),
        bcr=_ratio(pv_sav + pv_wider, pv_cost),
        break_even_month=_break_even_month(cum),
        discounted_break_even_month=_break_even_month(dcum),
    )
    out = []
    for r, has_deduction in zip(rows, with_deduction):
        m = Metrics(**{k: getattr(every, k)[r] for k in Metrics.__dataclass_fields__})
        own = {k: a[r] for k, a in yearly.items() if k != "overlap_deduction" or has_deduction}
        out.append((m, own))
    return out


#: Rows (draws x flows) the metrics are worked out on at once: a few flows of one draw share
#: numpy calls; a block of many draws goes flow by flow, its arrays already large enough.
STACKED_ROWS = 64


def _metrics_of_all(flows: list[MonthlyFlows], factors: np.ndarray) -> list[tuple[Metrics, dict[str, np.ndarray]]]:
    """:func:`_metrics_of` each of ``flows``, as many stacked at a time as fit in
    :data:`STACKED_ROWS` (the figures do not depend on it)."""
    group = max(1, STACKED_ROWS // flows[0].gross.shape[0])
    return [m for i in range(0, len(flows), group) for m in _metrics_of(flows[i:i + group], factors)]


@dataclass(frozen=True, eq=False)
class EngineRuns:
    """What :func:`appraise` ran the engine on, and the runs: ``values`` and ``parameters`` as the
    caller gave them (None: the base values; the table of the scenario), ``costs`` and ``savings``
    the engine over the two timelines on the adjusted values (the same object when the timelines
    are the same)."""

    values: Values | None
    parameters: ParameterTable | None
    costs: PortfolioResult
    savings: PortfolioResult


@dataclass(frozen=True, eq=False)
class AppraisalResult:
    """Everything an appraisal produced. ``interventions`` maps id -> :class:`Flows`;
    ``portfolio`` is their sum less the deduction for overlapping target groups."""

    scenario: Scenario
    settings: AppraisalSettings
    interventions: dict[str, Flows]
    portfolio: Flows
    discount_rates: np.ndarray  # (years,) rate applying in each appraisal year
    price_years: tuple[str, ...]  # price years of the money figures used
    #: the engine's runs on the adjusted values over the costs and savings timelines, kept for an
    #: appraisal of one draw (the bridge reads them instead of running the engine again), with the
    #: values and parameter table the appraisal was given (the bridge checks they are its own)
    engine_runs: "EngineRuns | None" = field(default=None, repr=False)

    @property
    def years(self) -> int:
        return self.settings.years

    @property
    def months(self) -> int:
        return self.settings.years * 12

    @property
    def n_draws(self) -> int:
        return self.portfolio.gross.shape[0]

    def flows(self, iid: str) -> Flows:
        if iid == "portfolio":
            return self.portfolio
        try:
            return self.interventions[iid]
        except KeyError:
            valid = ["portfolio", *self.interventions]
            raise SettingsError(f"unknown intervention {iid!r} in this appraisal; valid: {', '.join(valid)}") from None


# -- the appraisal ----------------------------------------------------------------------------


def _adjustment(settings: AppraisalSettings, iid: str):
    return settings.interventions.get(iid) or no_adjustment()


def _outcome_factor(settings: AppraisalSettings, iid: str, oid: str) -> float:
    d = appraisal_defaults().additionality
    adj = _adjustment(settings, iid)
    o = adj.outcomes.get(oid)
    dw = next(x for x in (o.deadweight if o else None, adj.deadweight, d.deadweight.value) if x is not None)
    at = next(x for x in (o.attribution if o else None, adj.attribution, d.attribution.value) if x is not None)
    return (1.0 - dw) * at


def optimism_bias(iv: Intervention, settings: AppraisalSettings) -> tuple[float, float]:
    """(cost uplift, savings reduction) for ``iv`` under the settings' optimism-bias method, or
    (0, 0) when turned off. ``green-book``: the model's category of HM Treasury's supplementary
    guidance (``outsourcing`` unless the settings name another), upper bound on costs, nothing
    on benefits (the guidance gives no generic value); ``gmca``: the correction of the model's
    confidence grade on costs and savings alike; ``nesta-levels``: our table by evidence level."""
    if not settings.optimism_bias:
        return 0.0, 0.0
    d = appraisal_defaults()
    method = settings.optimism_bias_method_used
    adj = _adjustment(settings, iv.id)
    if method == "green-book":
        cat = d.optimism_bias_methods.green_book[adj.green_book_category or d.optimism_bias_methods.green_book_category]
        return cat.costs.value, cat.benefits.value
    if method == "gmca":
        grade = d.optimism_bias_methods.gmca[adj.confidence_grade or d.optimism_bias_methods.gmca_grade]
        return grade.correction.value, grade.correction.value
    ob = d.optimism_bias[iv.evidence_grade.level]
    return ob.costs.value, ob.benefits.value


def adjustment_factors(scenario: Scenario, params: ParameterTable, settings: AppraisalSettings,
                       additionality: bool = True) -> dict[str, float]:
    """The factor optimism bias and additionality put on each cost and saving path (only the
    paths whose factor is not 1): what :func:`adjusted_values` multiplies the values by. Worked
    out once per appraisal, so a route that adjusts its draws block by block does no per-path
    lookups in each block. ``additionality=False``: optimism bias alone (every deadweight 0 and
    attribution 1: the bridge's optimism-bias state)."""
    ivs = {iv.id: iv for iv in scenario.interventions}
    out: dict[str, float] = {}
    bias: dict[str, tuple[float, float]] = {}  # by intervention, and each outcome's factor, once
    outcome: dict[tuple[str, str], float] = {}
    for p in params:
        iid = p.intervention
        if iid is None or (p.kind not in COST_KINDS and p.kind not in BENEFIT_KINDS):
            continue
        if iid not in bias:
            bias[iid] = optimism_bias(ivs[iid], settings)
        up, down = bias[iid]
        if p.kind in COST_KINDS:
            factor = 1.0 + up
        else:
            factor = 1.0 - down
            parts = p.path.split(".")
            if not additionality:
                pass  # (deadweight 0 and attribution 1 would multiply by exactly 1.0)
            elif len(parts) >= 5 and parts[2] in ("outcomes", "spend_reductions"):
                if (iid, parts[3]) not in outcome:
                    outcome[iid, parts[3]] = _outcome_factor(settings, iid, parts[3])
                factor *= outcome[iid, parts[3]]
            elif p.kind == "wider_benefit":
                adj = _adjustment(settings, iid)
                d = appraisal_defaults().additionality
                dw = adj.deadweight if adj.deadweight is not None else d.deadweight.value
                at = adj.attribution if adj.attribution is not None else d.attribution.value
                factor *= (1.0 - dw) * at
        if factor != 1.0:
            out[p.path] = factor
    return out


def apply_factors(values: Values, factors: Mapping[str, float]) -> dict[str, np.ndarray]:
    """A copy of ``values`` with each path of ``factors`` that it names multiplied by its factor."""
    out = dict(values)
    for path, factor in factors.items():
        if path in out:
            out[path] = np.asarray(out[path], dtype=float) * factor
    return out


def adjusted_values(
    scenario: Scenario, params: ParameterTable, values: Values, settings: AppraisalSettings,
    additionality: bool = True,
) -> dict[str, np.ndarray]:
    """A copy of ``values`` with optimism bias and additionality (``additionality=False``: optimism
    bias alone) applied to costs and savings (:func:`adjustment_factors`)."""
    return apply_factors(values, adjustment_factors(scenario, params, settings, additionality))


def _check_settings_ids(scenario: Scenario, settings: AppraisalSettings) -> None:
    ivs = {iv.id: iv for iv in scenario.interventions}
    for iid, adj in settings.interventions.items():
        if iid not in ivs:
            raise SettingsError(
                f"interventions.{iid}: not in this appraisal; valid intervention ids are: {', '.join(ivs)}"
            )
        valid = [o.id for s in ivs[iid].segments for o in (*s.outcomes, *s.spend_reductions)]
        for oid in adj.outcomes:
            if oid not in valid:
                raise SettingsError(
                    f"interventions.{iid}.outcomes.{oid}: unknown outcome; valid outcome ids of {iid} are: "
                    f"{', '.join(dict.fromkeys(valid))}"
                )


def timelines(scenario: Scenario, settings: AppraisalSettings) -> tuple[RampUpTimeline, RampUpTimeline]:
    """(costs timeline, savings timeline). The savings timeline adds each model's lag and
    drop-off; on the ``current`` basis the services already run, so there is no ramp-up."""
    d = appraisal_defaults()
    T = settings.years * 12
    if scenario.basis == "current":
        return RampUpTimeline(periods=T), RampUpTimeline(periods=T)
    delay, ramp, lag, drop, duration = [], [], [], [], []
    for iv in scenario.interventions:
        adj = _adjustment(settings, iv.id)
        src = iv.ramp_up.months_to_first_beneficiary if iv.ramp_up else None
        first = adj.months_to_first_beneficiary
        if first is None:
            first = src.value if src is not None else d.ramp_up.months_to_first_beneficiary.value
        full = adj.months_to_full_scale
        if full is None:
            full = d.ramp_up.months_to_full_scale.value
        delay.append((iv.id, float(first)))
        ramp.append((iv.id, float(full)))
        lag_m = adj.lag_months if adj.lag_months is not None else d.additionality.lag_months.value
        drop_f = adj.drop_off if adj.drop_off is not None else d.additionality.drop_off.value
        if lag_m:
            lag.append((iv.id, float(lag_m)))
        if drop_f:
            drop.append((iv.id, float(drop_f)))
        if adj.duration_years is not None:
            duration.append((iv.id, float(adj.duration_years)))
    costs = RampUpTimeline(periods=T, delay=tuple(delay), ramp=tuple(ramp))
    savings = RampUpTimeline(periods=T, delay=tuple(delay), ramp=tuple(ramp), lag=tuple(lag), drop_off=tuple(drop),
                             duration=tuple(duration))
    return costs, savings


def _tranches(total: np.ndarray, people: np.ndarray, full: np.ndarray, per: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``as-places-fill``: the cost of each tranche (D,) and the tranches bought by each month
    (D, T): ``ceil(full / per)`` tranches in all, tranche 1 in month 1, tranche k+1 in the month
    the people supported first reach k x ``per``, never un-bought."""
    D = people.shape[0]
    per = np.broadcast_to(np.asarray(per, dtype=float), (D,))
    n_tranches = np.ceil(full / per - 1e-9)
    with np.errstate(divide="ignore", invalid="ignore"):
        cost_each = np.where(n_tranches > 0, total / np.where(n_tranches > 0, n_tranches, 1.0), 0.0)
    bought = people / per[:, None]  # floor(people / per + 1e-9) + 1, at most n_tranches: in place
    bought += 1e-9
    np.floor(bought, out=bought)
    bought += 1.0
    np.minimum(n_tranches[:, None], bought, out=bought)
    np.maximum.accumulate(bought, axis=1, out=bought)  # never un-buy (drop-off does not shrink places)
    return cost_each, bought


def setup_by_month(iv: Intervention, total: np.ndarray, people: np.ndarray, full: np.ndarray,
                   per: np.ndarray, timing: str = "as-places-fill") -> tuple[np.ndarray, int]:
    """Set-up investment by month (D, T) and the index of the payer who pays it; ``total`` is
    the engine's set-up investment (``ceil(full / per)`` tranches). ``as-places-fill``: tranche 1
    in month 1, tranche k+1 in the month the people supported first reach k x ``per``
    (:func:`_tranches`). ``up-front``: all in month 1. (The full route uses this; the NPV-only
    route its discounted sum, :func:`setup_present_value`, from the same tranches.)"""
    D, T = people.shape
    payer = PAYER_INDEX[iv.setup.payer if iv.setup else "asc"]
    if timing == "up-front":
        out = np.zeros((D, T))
        out[:, 0] = total
        return out, payer
    cost_each, bought = _tranches(total, people, full, per)
    new = np.diff(bought, axis=1, prepend=0.0)
    return new * cost_each[:, None], payer


def setup_present_value(iv: Intervention, total: np.ndarray, people: np.ndarray, full: np.ndarray,
                        per: np.ndarray, timing: str, weights: np.ndarray) -> tuple[np.ndarray, int]:
    """``setup_by_month(...) @ weights`` (D,) and the payer's index, without the (D, T) schedule:
    with ``b`` the tranches bought by each month (:func:`_tranches`), the sum over months of the
    new tranches ``b[t] - b[t-1]`` times ``weights[t]`` is the sum of ``b[t] x (weights[t] -
    weights[t+1])`` (``weights[T]`` = 0), times the cost of a tranche."""
    D, T = people.shape
    payer = PAYER_INDEX[iv.setup.payer if iv.setup else "asc"]
    if timing == "up-front":
        return np.broadcast_to(total, (D,)) * weights[0], payer
    cost_each, bought = _tranches(total, people, full, per)
    step = weights - np.append(weights[1:], 0.0)
    return (bought @ step) * cost_each, payer


def _schedule_setup(iv: Intervention, total: np.ndarray, people: np.ndarray, full: np.ndarray,
                    per: np.ndarray, timing: str = "as-places-fill") -> np.ndarray:
    """Set-up investment by month and payer (D, T, P): :func:`setup_by_month` on its payer."""
    by_month, payer = setup_by_month(iv, total, people, full, per, timing)
    out = np.zeros((*by_month.shape, P))
    out[:, :, payer] = by_month
    return out


def counterfactual_settings(scenario: Scenario, settings: AppraisalSettings) -> AppraisalSettings:
    """``settings`` with each model's counterfactual defaults by the design of its evidence
    (``evidence_design``; ``counterfactual`` in data/appraisal_defaults.yaml) where the user set
    none: deadweight, attribution, drop-off and duration of effect. The ``paper`` method keeps
    the paper's settings (no deadweight, full attribution, no drop-off, no limit)."""
    if scenario.method != "full" or not settings.counterfactual:
        return settings
    from .settings import InterventionAdjustment

    table = appraisal_defaults().counterfactual
    ivs = dict(settings.interventions)
    changed = False
    for iv in scenario.interventions:
        cf = table.get(iv.evidence_design) if iv.evidence_design else None
        if cf is None:
            continue
        adj = ivs.get(iv.id) or InterventionAdjustment()
        fill = {k: getattr(cf, k).value for k in ("deadweight", "attribution", "drop_off", "duration_years")
                if getattr(adj, k) is None and getattr(cf, k) is not None}
        if fill:
            ivs[iv.id] = adj.model_copy(update=fill)
            changed = True
    return settings.model_copy(update={"interventions": ivs}) if changed else settings


def resolve_settings(settings: AppraisalSettings | Mapping | None) -> AppraisalSettings:
    """Settings as given, from a mapping of their keys, or the shipped defaults (None)."""
    if settings is None:
        return AppraisalSettings()
    expect(settings, (AppraisalSettings, Mapping), "settings",
           "AppraisalSettings, a mapping of its keys (for example {'years': 5}) or None")
    return settings if isinstance(settings, AppraisalSettings) else make_settings(settings)


def _n_draws(values: Values) -> int:
    """Draws in ``values`` (arrays of one draw apply to all; the engine reports inconsistent sizes)."""
    shapes = (a.shape if type(a) is np.ndarray else np.shape(a) for a in values.values())
    sizes = {shape[0] for shape in shapes if len(shape) == 1} - {1}
    return max(sizes) if sizes else 1


def _block(values: Values, start: int, stop: int, D: int) -> dict[str, np.ndarray]:
    """The draws ``start:stop`` of every parameter array (arrays of one draw are kept whole)."""
    out = {}
    for k, a in values.items():
        a = np.asarray(a)
        out[k] = a if a.ndim == 0 or a.shape[0] == 1 or a.shape[0] != D else a[start:stop]
    return out


def _monthly_block(scenario: Scenario, v: Values, cost_tl: RampUpTimeline, sav_tl: RampUpTimeline,
                   params: ParameterTable, draws: int, timing: str,
                   runs: list | None = None) -> tuple[dict[str, MonthlyFlows], MonthlyFlows]:
    """Monthly flows of one block of draws: by intervention, and for the portfolio (``runs``: the
    engine's costs and savings runs are appended to it)."""
    if sav_tl == cost_tl:
        res_c = res_s = evaluate(scenario, v, cost_tl, params)
    else:  # one set of annual figures on both timelines
        res_c, res_s = evaluate_timelines(scenario, v, (cost_tl, sav_tl), params)
    if runs is not None:
        runs.append((res_c, res_s))
    D = res_c.n_draws
    T = cost_tl.periods
    out: dict[str, MonthlyFlows] = {}
    for iv, rc, rs in zip(scenario.interventions, res_c.interventions, res_s.interventions):
        # (the engine's people and wider benefits are (D, T) already; its figures (D,))
        total = _draws(rc.setup_investment, D)
        if iv.setup is not None and np.any(total > 0):
            full = np.zeros(D)
            for seg in rc.segments:
                full = full + _draws(seg.beneficiaries, D)
            setup = _schedule_setup(iv, total, rc.beneficiaries, full, v[f"{iv.id}.setup.per"], timing)
        else:
            setup = np.zeros((D, T, P))
        out[iv.id] = MonthlyFlows(rc.cost, setup, rs.gross, None, rs.wider_benefits)
    parts = list(out.values())
    def total(name: str) -> np.ndarray:
        if not parts:  # an area that supports none of the models: all zeros
            return np.zeros((draws, T) if name == "wider_benefits" else (draws, T, P))
        acc = np.array(getattr(parts[0], name), dtype=float, copy=True)
        for f in parts[1:]:
            acc += getattr(f, name)
        return acc

    portfolio = MonthlyFlows(
        running_cost=total("running_cost"),
        setup=total("setup"),
        gross=total("gross"),
        overlap_deduction=res_s.overlap_deduction if parts else total("gross"),
        wider_benefits=total("wider_benefits"),
    )
    return out, portfolio


def _join(parts: list, name: str):
    arrs = [getattr(p, name) for p in parts]
    return None if arrs[0] is None else np.concatenate(arrs, axis=0)


def _join_metrics(parts: list[Metrics]) -> Metrics:
    return Metrics(**{k: np.concatenate([getattr(m, k) for m in parts]) for k in Metrics.__dataclass_fields__})


#: Draws evaluated together: small enough for the arrays to stay in the processor's cache.
BLOCK = 256


def appraise(
    scenario: Scenario,
    settings: AppraisalSettings | Mapping | None = None,
    values: Values | None = None,
    parameters: ParameterTable | None = None,
    *,
    monthly: bool = False,
) -> AppraisalResult:
    """Appraise ``scenario`` over time.

    ``settings``: :class:`AppraisalSettings` (or a mapping of its keys; default: the shipped
    defaults). ``values``: parameter arrays over draws as for :func:`carescale.evaluate`
    (default: base values, one draw); they may also carry per-draw ramp-up months as
    ``ID.ramp_up.months_to_first_beneficiary`` and ``ID.ramp_up.months_to_full_scale``.
    ``monthly=True`` keeps the monthly flows (draws x months x payers) in ``Flows.monthly``;
    otherwise only yearly flows and the metrics are kept (the draws are evaluated in blocks of
    :data:`BLOCK`, which is several times faster for thousands of draws).
    Returns per-draw arrays; see :class:`AppraisalResult`.
    """
    expect(scenario, Scenario, "scenario", "a Scenario from carescale.define_scenario(...)")
    settings = resolve_settings(settings)
    _check_settings_ids(scenario, settings)
    settings = counterfactual_settings(scenario, settings)  # each model's defaults by its evidence design
    params = parameters or ParameterTable.from_scenario(scenario)
    base = complete_values(values, params)  # partial values: the rest at base, before adjusting
    v = adjusted_values(scenario, params, base, settings)
    cost_tl, sav_tl = timelines(scenario, settings)
    factors = discount_factors(settings.years, settings.discount_rate)
    D = _n_draws(v)

    ids = [iv.id for iv in scenario.interventions] + ["portfolio"]
    blocks: dict[str, list] = {k: [] for k in ids}
    runs: list = []
    for start in range(0, D, BLOCK):
        stop = min(start + BLOCK, D)
        by_iv, port = _monthly_block(scenario, _block(v, start, stop, D), cost_tl, sav_tl, params, stop - start,
                                     settings.setup_timing, runs if D == 1 else None)
        flows = [*by_iv.items(), ("portfolio", port)]
        for (k, mf), (m, yearly) in zip(flows, _metrics_of_all([mf for _, mf in flows], factors)):
            blocks[k].append((mf if monthly else None, m, yearly))

    def assemble(k: str, name: str, iv: Intervention | None) -> Flows:
        parts = blocks[k]
        if len(parts) == 1:  # one block of draws (a one-draw appraisal): its figures as they are
            yearly, metrics = parts[0][2], parts[0][1]
        else:
            yearly = {n: np.concatenate([p[2][n] for p in parts]) for n in parts[0][2]}
            metrics = _join_metrics([p[1] for p in parts])
        mon = None
        if monthly:
            mons = [p[0] for p in parts]
            mon = MonthlyFlows(**{f: _join(mons, f) for f in MonthlyFlows.__dataclass_fields__})
        extra = {}
        if iv is not None:
            d_months, r_months = cost_tl.months(iv, v)
            extra = dict(
                evidence_level=iv.evidence_grade.level,
                optimism_bias=optimism_bias(iv, settings),
                months_to_first_beneficiary=d_months[:, 0],
                months_to_full_scale=r_months[:, 0],
            )
        return Flows(
            id=k,
            name=name,
            running_cost=yearly["running_cost"],
            setup=yearly["setup"],
            gross=yearly["gross"],
            overlap_deduction=yearly.get("overlap_deduction"),
            wider_benefits=yearly["wider_benefits"],
            factors=factors,
            metrics=metrics,
            monthly=mon,
            **extra,
        )

    flows = {iv.id: assemble(iv.id, iv.name, iv) for iv in scenario.interventions}
    money_years = sorted(
        {p.quantity.price_year for p in params if p.quantity.price_year and p.intervention}
    )
    return AppraisalResult(
        scenario=scenario,
        settings=settings,
        interventions=flows,
        portfolio=assemble("portfolio", "Portfolio", None),
        discount_rates=discount_rates(settings.years, settings.discount_rate),
        price_years=tuple(money_years),
        engine_runs=EngineRuns(values, parameters, *runs[0]) if runs else None,
    )
