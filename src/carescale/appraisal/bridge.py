"""The bridge: from the evidence figure to every headline, step by step, by model and payer.

A finance reader asks how "net saving a year at full scale" becomes the cash-flow table's total
and the NPV. :func:`bridge` answers with a list of lines in order: each *step* is one amount for
one model (or one overlapping pair) and one payer, with a plain label and a sentence saying where
it comes from; each *subtotal* is the running sum of every step above it, stated beside the
headline it must equal (and the difference, which is zero within floating point).

No step is computed as "what is left over". Every amount is the difference between two states
of the same money, each read from the one engine (:func:`carescale.engine.evaluate`) on the
values and timelines the appraisal itself uses, so the steps add up exactly (they telescope):

==============================  ==============================================================
state                           engine run
==============================  ==============================================================
evidence, a year                steady state on the evidence values (what ``carescale run``
                                prints)
optimism bias                   steady state on the values with optimism bias only (every
                                deadweight 0 and attribution 1)
deadweight and attribution      steady state on the appraisal's adjusted values
drop-off and lag                the appraisal's savings timeline without its ramp-up, summed
                                over the period
actual                          the appraisal (its yearly flows; the overlap by pair from its
                                savings timeline)
discounted                      the appraisal's metrics (NPV by model and payer)
==============================  ==============================================================

Costs follow the same states: the running cost a year as the evidence gives it, the change from
optimism bias on costs (and any other change to the cost values), the set-up investment, then
ramp-up (fewer people in the early months; tranches not yet bought) and discounting.

Because it reads the states from the engine and the appraisal, a change to how a step is worked
out (new deadweight defaults, another optimism-bias method, overlaps on another payer) flows
into the bridge without editing it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ..engine import ParameterTable, evaluate
from ..engine.evaluate import _complete as complete_values, _n_draws as n_draws, annual_figures, evaluate_timelines, on_timelines
from ..engine.parameters import Values
from ..engine.results import PortfolioResult
from ..engine.scenario import Scenario
from ..engine.summary import price_basis
from ..schema import PAYERS
from .core import AppraisalResult, adjusted_values, timelines
from .settings import AppraisalSettings, appraisal_defaults, no_adjustment

#: the headline a subtotal must equal, by its key
HEADLINES = {
    "net_a_year": "net saving a year at full scale ('carescale run': totals.net_savings)",
    "net_full_scale_period": "net saving a year at full scale times the years of the appraisal",
    "net_over_period": "net over the period, undiscounted: the cash-flow table's total "
                       "('carescale appraise': portfolio.metrics.net_budget_impact)",
    "npv": "net present value ('carescale appraise': portfolio.metrics.npv)",
}


def _ob_basis(settings: AppraisalSettings, flow) -> str:
    """Where a model's optimism bias comes from, under the settings' method (docs/appraisal.md)."""
    method = settings.optimism_bias_method_used
    adj = settings.interventions.get(flow.id) or no_adjustment()
    d = appraisal_defaults().optimism_bias_methods
    if method == "green-book":
        cat = adj.green_book_category or d.green_book_category
        return (f"HM Treasury supplementary Green Book guidance on optimism bias, category {cat}, upper bound; "
                "no generic value for benefits; data/appraisal_defaults.yaml")
    if method == "gmca":
        return (f"GMCA/New Economy confidence grade {adj.confidence_grade or d.gmca_grade}; "
                "data/appraisal_defaults.yaml")
    return f"evidence level {flow.evidence_level}, carescale's Nesta-level table, data/appraisal_defaults.yaml"


def _months_sum(arr: np.ndarray) -> np.ndarray:
    """(1, T, P) -> (P,): a flow summed over the timeline's periods (first draw)."""
    return np.asarray(arr[0], dtype=float).sum(axis=0)


def _months_sums(flows: list[np.ndarray]) -> list[np.ndarray]:
    """:func:`_months_sum` of each of several (1, T, P) flows of one timeline, in one numpy call:
    the flows one under the other, each summed over its own periods in the same order, so every
    sum is bit for bit the one it has alone."""
    if not flows:
        return []
    return list(np.array([f[0] for f in flows], dtype=float).sum(axis=1))


def _years_at_full_scale(annual: list[np.ndarray]) -> list[np.ndarray]:
    """Several (D, P) annual figures -> (P,) each (first draw): the steady state's one period of a
    year at full scale, summed as :func:`_months_sums` sums it (the engine puts a figure on that
    period as itself times 1.0, which leaves every bit as it is)."""
    return _months_sums([a[:, None, :] for a in annual])


def _years(arr: np.ndarray, years: int) -> np.ndarray:
    """(1, months, P) -> (years, P) (first draw)."""
    a = np.asarray(arr[0], dtype=float)
    return a.reshape(years, 12, a.shape[-1]).sum(axis=1)


class _Lines:
    """The bridge's lines as they are added, with the running total by model and payer."""

    def __init__(self, names: dict[str, str]):
        self.names = names
        self.lines: list[dict[str, Any]] = []
        self.total: dict[tuple[str, str], float] = {}

    def step(self, key: str, label: str, model: str, payer_amounts, source: str) -> None:
        model_name = self.names.get(model, model)
        for payer, amount in zip(PAYERS, np.asarray(payer_amounts, dtype=float).tolist()):
            self.lines.append({
                "kind": "step", "step": key, "label": label, "model": model,
                "model_name": model_name, "payer": payer, "amount": amount,
                "source": source,
            })
            self.total[(model, payer)] = self.total.get((model, payer), 0.0) + amount

    def subtotal(self, key: str, label: str, headline: float, headline_by_payer: dict[str, float],
                 headline_by_model: dict[str, float] | None = None) -> None:
        by_payer = {p: sum(v for (m, q), v in self.total.items() if q == p) for p in PAYERS}
        amount = sum(by_payer.values())
        by_model: dict[str, float] = {}
        for (m, _), v in self.total.items():
            by_model[m] = by_model.get(m, 0.0) + v
        line = {
            "kind": "subtotal", "step": key, "label": label, "amount": amount, "by_payer": by_payer,
            "by_model": by_model, "headline": float(headline), "headline_by_payer": headline_by_payer,
            "headline_source": HEADLINES[key], "residual": amount - float(headline),
        }
        if headline_by_model is not None:
            line["headline_by_model"] = headline_by_model
        self.lines.append(line)


def bridge(
    scenario: Scenario,
    appraisal: AppraisalResult,
    values: Values | None = None,
    parameters: ParameterTable | None = None,
    steady: PortfolioResult | None = None,
) -> dict[str, Any]:
    """The bridge from the evidence figure to each headline of ``scenario`` (first draw).

    ``appraisal`` is the appraisal of ``scenario`` (``appraise(scenario, settings)``; yearly
    flows are enough): its own settings are used, as the appraisal applied them (with each
    model's counterfactual defaults filled in); ``values`` the one-draw values it was run on
    (default: base values); ``steady`` the engine's steady-state run on them (what ``carescale
    run`` prints; worked out when None).

    Returns ``{"years", "prices", "lines": [...], "headlines": {...}}``. A step line is
    ``{"kind": "step", "step", "label", "model", "model_name", "payer", "amount", "source"}``
    (``model`` is an intervention id, or an overlap id for the overlap steps; amounts are pounds,
    unrounded and signed: positive adds to the net, negative takes from it); a subtotal line is ``{"kind": "subtotal", "step",
    "label", "amount", "by_payer", "by_model", "headline", "headline_by_payer",
    "headline_source", "residual"}``, where ``amount`` is the sum of every step above it.
    """
    settings: AppraisalSettings = appraisal.settings
    given = parameters
    params = parameters or ParameterTable.from_scenario(scenario)
    base = complete_values(values, params)
    steady = steady if steady is not None else evaluate(scenario, base, parameters=params)
    Y = int(settings.years)
    ivs = list(scenario.interventions)
    names = {iv.id: iv.name for iv in ivs}
    names.update({o.id: "overlap: " + " and ".join(names.get(i, i) for i in o.interventions) for o in steady.overlaps})
    P = len(PAYERS)
    zeros = np.zeros(P)

    # -- the states, each from the engine ---------------------------------------------------------
    # (a steady state, one year at full scale, is the engine's annual figures as they are: the
    # optimism-bias state and the adjusted values' are read from them without a timeline)
    v_ob = adjusted_values(scenario, params, base, settings, additionality=False)
    ob, _ = annual_figures(scenario, v_ob, n_draws(v_ob))
    cost_tl, sav_tl = timelines(scenario, settings)
    full_tl = dataclasses.replace(sav_tl, delay=(), ramp=(), default_delay=0.0, default_ramp=0.0)
    # the adjusted values' savings at full scale from month 1 (lag and drop-off), from the annual
    # figures of the appraisal's own savings run (overlap by pair) when it ran on these values and
    # this table; else the engine's formulas once, on both timelines
    runs = appraisal.engine_runs
    if runs is not None and runs.values is values and runs.parameters is given and runs.savings.timeline == sav_tl:
        e_sav = runs.savings
        (e_drop,) = on_timelines(e_sav, (full_tl,))
    else:
        v_adj = adjusted_values(scenario, params, base, settings)
        e_drop, e_sav = evaluate_timelines(scenario, v_adj, (full_tl, sav_tl), params)
    adj = e_sav.annual.figures

    def setup(iv, amount: np.ndarray) -> np.ndarray:
        out = zeros.copy()
        if iv.setup is not None:
            out[PAYERS.index(iv.setup.payer)] = float(amount[0])
        return out

    steady_ivs = steady.interventions  # results and annual figures are in the scenario's order
    ids = [iv.id for iv in ivs]
    g0 = dict(zip(ids, _months_sums([r.gross for r in steady_ivs])))
    c0 = dict(zip(ids, _months_sums([r.cost for r in steady_ivs])))
    g1 = dict(zip(ids, _years_at_full_scale([f.gross for f in ob])))
    g2 = dict(zip(ids, _years_at_full_scale([f.gross for f in adj])))
    c2 = dict(zip(ids, _years_at_full_scale([f.cost for f in adj])))
    s3 = dict(zip(ids, _months_sums([r.gross for r in e_drop.interventions])))
    su0 = {iv.id: setup(iv, r.setup_investment) for iv, r in zip(ivs, steady_ivs)}
    su2 = {iv.id: setup(iv, f.setup_investment) for iv, f in zip(ivs, adj)}
    ov0 = dict(zip([o.id for o in steady.overlaps], _months_sums([o.deduction for o in steady.overlaps])))
    ov3 = dict(zip([o.id for o in e_drop.overlaps], _months_sums([o.deduction for o in e_drop.overlaps])))
    ov4_years = {o.id: _years(o.deduction, Y) for o in e_sav.overlaps}
    factors = appraisal.portfolio.factors

    # -- the lines ---------------------------------------------------------------------------------
    b = _Lines(names)
    prices = price_basis(scenario)
    in_prices = f"in {prices['label']}"
    for iv in ivs:
        b.step("gross_a_year", "Gross saving a year at full scale, as the evidence gives it", iv.id, g0[iv.id],
               f"people supported x outcome rate x unit saving, plus area spend x reduction "
               f"(data/interventions/{iv.id}.yaml and the area's figures), {in_prices}")
    for o in steady.overlaps:
        a, c = o.interventions
        b.step("overlap_a_year", "Overlap: people counted by two models, a year", o.id, -ov0[o.id],
               f"share of the smaller group in both ({float(np.ravel(o.share)[0]):.1%}) x its people "
               f"({float(np.ravel(o.people)[0]):,.0f}) x the smaller gross saving per person of {names.get(a, a)} and {names.get(c, c)} "
               f"(data/overlaps.yaml)")
    for iv in ivs:
        b.step("running_cost_a_year", "Running cost a year at full scale", iv.id, -c0[iv.id],
               f"people supported x unit cost, split by the cost shares (data/interventions/{iv.id}.yaml), "
               f"{in_prices}")
    run_net = _months_sum(steady.net)
    b.subtotal("net_a_year", "Net saving a year at full scale (the headline)", float(run_net.sum()),
               {p: float(run_net[i]) for i, p in enumerate(PAYERS)},
               {iv.id: float((g0[iv.id] - c0[iv.id]).sum()) for iv in ivs}
               | {o.id: float(-ov0[o.id].sum()) for o in steady.overlaps})

    for iv in ivs:
        b.step("other_years", f"The same for the other {Y - 1} years of the appraisal", iv.id,
               (Y - 1) * (g0[iv.id] - c0[iv.id]), f"{Y} years at full scale from month 1, before any adjustment")
    for o in steady.overlaps:
        b.step("other_years", f"The same for the other {Y - 1} years of the appraisal", o.id, -(Y - 1) * ov0[o.id],
               f"{Y} years at full scale from month 1, before any adjustment")
    b.subtotal("net_full_scale_period", f"Net saving at full scale for {Y} years, as the evidence gives it",
               float(Y * run_net.sum()), {p: float(Y * run_net[i]) for i, p in enumerate(PAYERS)})

    flows = appraisal.interventions
    ob_basis = {iv.id: _ob_basis(settings, flows[iv.id]) for iv in ivs}  # each model's, once
    for iv in ivs:
        up, down = flows[iv.id].optimism_bias
        b.step("optimism_bias_savings", "Optimism bias on savings", iv.id, Y * (g1[iv.id] - g0[iv.id]),
               f"savings lowered by {down:.0%} ({ob_basis[iv.id]})" if down
               else f"no optimism bias on savings ({ob_basis[iv.id]})" if settings.optimism_bias
               else "no optimism bias on savings")
    for iv in ivs:
        t1, t2 = float(g1[iv.id].sum()), float(g2[iv.id].sum())
        kept = f"{t2 / t1:.1%}" if t1 else "all"
        b.step("deadweight_attribution", "Deadweight and attribution (what would have happened anyway; "
               "others' part)", iv.id, Y * (g2[iv.id] - g1[iv.id]),
               f"each outcome x (1 - deadweight) x attribution: {kept} of the savings kept (the scenario's "
               f"appraisal settings, else the defaults by the design of the model's evidence, "
               f"data/appraisal_defaults.yaml)")
    for iv in ivs:
        b.step("drop_off_lag", "Drop-off, lag and duration of effect (savings fade, start later than costs, "
               "stop)", iv.id, s3[iv.id] - Y * g2[iv.id],
               "savings x (1 - drop-off) for each full year after they start, none in the lag months and none "
               "after the effect's duration (the appraisal's settings and the defaults by evidence design)")
    for o in steady.overlaps:
        b.step("overlap_adjusted", "Overlap: change after optimism bias, deadweight and drop-off", o.id,
               -(ov3[o.id] - Y * ov0[o.id]),
               "the same overlap on the adjusted saving per person, over the period at full scale")
    for iv in ivs:
        up = flows[iv.id].optimism_bias[0]
        b.step("optimism_bias_costs", "Optimism bias on running costs", iv.id, -Y * (c2[iv.id] - c0[iv.id]),
               f"running costs raised by {up:.0%} ({ob_basis[iv.id]})" if up
               else "no optimism bias on costs")
    for iv in ivs:
        b.step("setup", "Set-up investment", iv.id, -su0[iv.id],
               f"tranches of set-up cost for the places the chosen scale needs (data/interventions/{iv.id}.yaml)"
               if iv.setup is not None else "no set-up investment in the evidence")
    for iv in ivs:
        up = flows[iv.id].optimism_bias[0]
        b.step("optimism_bias_setup", "Optimism bias on set-up", iv.id, -(su2[iv.id] - su0[iv.id]),
               f"set-up raised by {up:.0%} ({ob_basis[iv.id]}); the cash-flow table's "
               "set-up includes it"
               if up and iv.setup is not None else "no optimism bias on set-up")
    # each model's gross, running cost and set-up over the years (first draw), every sum over the
    # years at once: (models, 3, years, payers) summed along the years, each as alone
    over_years = np.array([[flows[iv.id].yearly(name)[0] for name in ("gross", "running_cost", "setup")]
                           for iv in ivs], dtype=float).sum(axis=2) if ivs else ()
    for iv, (g_sum, c_sum, s_sum) in zip(ivs, over_years):
        before = s3[iv.id] - Y * c2[iv.id] - su2[iv.id]
        actual = g_sum - c_sum - s_sum
        b.step("ramp_up", "Ramp-up: months to the first person and the build-up to full scale", iv.id,
               actual - before,
               f"{float(flows[iv.id].months_to_first_beneficiary[0]):g} months to the first person, then "
               f"{float(flows[iv.id].months_to_full_scale[0]):g} months to full scale "
               f"(set-up tranches bought as places fill: {settings.setup_timing})")
    for o in e_sav.overlaps:
        b.step("ramp_up", "Ramp-up: months to the first person and the build-up to full scale", o.id,
               -(ov4_years[o.id].sum(axis=0) - ov3[o.id]), "the overlap follows the smaller group as both build up")
    pm = appraisal.portfolio.metrics
    b.subtotal("net_over_period", f"Net over the {Y} years, undiscounted (the cash-flow table's total)",
               float(pm.net_budget_impact[0]),
               {p: float(pm.net_budget_impact_by_payer[0, i]) for i, p in enumerate(PAYERS)},
               {iv.id: float(flows[iv.id].metrics.net_budget_impact[0]) for iv in ivs}
               | {o: float(-oy.sum()) for o, oy in ov4_years.items()})

    rates = sorted({round(float(r), 4) for r in appraisal.discount_rates}, reverse=True)
    how = ("the Green Book schedule" if settings.discount_rate is None else "a flat rate") + \
          f" ({', '.join(f'{r:.1%}' for r in rates)} a year), year 1 not discounted"
    for iv in ivs:
        m = flows[iv.id].metrics
        b.step("discounting", "Discounting to present value", iv.id,
               m.npv_by_payer[0] - m.net_budget_impact_by_payer[0], f"each year's net x its discount factor: {how}")
    for o in e_sav.overlaps:
        oy = ov4_years[o.id]
        b.step("discounting", "Discounting to present value", o.id, -(factors @ oy - oy.sum(axis=0)),
               f"each year's net x its discount factor: {how}")
    b.subtotal("npv", "Net present value (NPV)", float(pm.npv[0]),
               {p: float(pm.npv_by_payer[0, i]) for i, p in enumerate(PAYERS)},
               {iv.id: float(flows[iv.id].metrics.npv[0]) for iv in ivs}
               | {o: float(-(factors @ oy).sum()) for o, oy in ov4_years.items()})

    return {
        "years": Y,
        "basis": scenario.basis,
        "prices": prices,
        "units": f"GBP {in_prices}; a year at full scale, then over the {Y} years of the appraisal",
        "lines": b.lines,
        "headlines": {ln["step"]: ln["headline"] for ln in b.lines if ln["kind"] == "subtotal"},
    }


#: a row smaller than half a penny on every payer is not shown (its step still is, as "all models")
SHOWN = 0.005


def bridge_table(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The bridge as rows to print: one per step and model, with ASC, NHS and all payers (a step
    whose every model is under half a penny is one row, "all models", of zeros), then each subtotal. Rows:
    ``{"kind", "step", "label", "model", "model_name", "asc", "nhs", "total", "source"}``."""
    rows: list[dict[str, Any]] = []
    pending: dict[str, list[dict[str, Any]]] = {}
    order: list[str] = []

    def flush() -> None:
        for step in order:
            group = pending[step]
            shown = [r for r in group if any(abs(r[p]) >= SHOWN for p in PAYERS)]
            if not shown:
                shown = [{**group[0], "model": None, "model_name": "all models", "source": group[0]["source"],
                          **{p: 0.0 for p in PAYERS}, "total": 0.0}]
            rows.extend(shown)
        pending.clear()
        order.clear()

    for ln in data["lines"]:
        if ln["kind"] == "subtotal":
            flush()
            rows.append({"kind": "subtotal", "step": ln["step"], "label": ln["label"], "model": None,
                         "model_name": "", **{p: ln["by_payer"][p] for p in PAYERS}, "total": ln["amount"],
                         "source": ln["headline_source"]})
            continue
        group = pending.setdefault(ln["step"], [])
        if ln["step"] not in order:
            order.append(ln["step"])
        row = next((r for r in group if r["model"] == ln["model"]), None)
        if row is None:
            row = {"kind": "step", "step": ln["step"], "label": ln["label"], "model": ln["model"],
                   "model_name": ln["model_name"], **{p: 0.0 for p in PAYERS}, "total": 0.0,
                   "source": ln["source"]}
            group.append(row)
        row[ln["payer"]] += ln["amount"]
        row["total"] += ln["amount"]
    flush()
    return rows
