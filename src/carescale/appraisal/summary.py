"""The ``carescale appraise`` JSON contract and CSV rows, from an :class:`AppraisalResult`.

No model arithmetic here: only picking one draw, summing months into years and rounding.

JSON: ``{"area", "basis", "settings": {"years", "discount_rate", ...}, "interventions": [{"id",
"name", "years": [{"year", "cost", "gross_savings", "net", "discounted_net", ...}], "metrics":
{"npv", "bcr", "roi", "break_even_month", ...}}], "portfolio": {"years": [...], "metrics":
{...}}}``. Money is in pounds, all payers together, with the split by payer alongside in a
``*_by_payer`` field ``{"asc", "nhs"}``.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any

import numpy as np

from ..engine import ParameterTable
from ..engine.summary import changes, price_basis, stamp_rows
from ..schema import PAYERS
from .core import AppraisalResult, Flows


def _money(x: float) -> float:
    return round(float(x), 2)


def _by_payer(vec: np.ndarray) -> dict[str, float]:
    return {p: _money(vec[i]) for i, p in enumerate(PAYERS)}


def _ratio(x: float) -> float | None:
    return None if not math.isfinite(float(x)) else round(float(x), 4)


def _month(x: float) -> int | None:
    return None if math.isnan(float(x)) else int(x)


def month_start(start: _dt.date, month: int) -> _dt.date:
    """The date month ``month`` (1-based) of the appraisal starts."""
    m0 = start.month - 1 + (month - 1)
    y, m = start.year + m0 // 12, m0 % 12 + 1
    day = min(start.day, 28) if start.day > 28 else start.day
    return _dt.date(y, m, day)


def _years(f: Flows, result: AppraisalResult, draw: int) -> list[dict[str, Any]]:
    cost = f.yearly("cost")[draw]
    setup = f.yearly("setup")[draw]
    running = f.yearly("running_cost")[draw]
    gross = f.yearly("gross")[draw]
    ded = f.yearly("overlap_deduction")[draw] if f.overlap_deduction is not None else None
    net = f.yearly("net")[draw]
    wider = f.yearly("wider_benefits")[draw]
    cum = np.cumsum(net.sum(axis=1))
    out = []
    for y in range(result.years):
        df = float(f.factors[y])
        row: dict[str, Any] = {
            "year": y + 1,
            "starts": month_start(result.settings.start_date, 12 * y + 1).isoformat(),
            "cost": _money(cost[y].sum()),
            "cost_by_payer": _by_payer(cost[y]),
            "setup": _money(setup[y].sum()),
            "running_cost": _money(running[y].sum()),
            "gross_savings": _money(gross[y].sum()),
            "gross_savings_by_payer": _by_payer(gross[y]),
        }
        if ded is not None:
            row["overlap_deduction"] = _money(ded[y].sum())
            row["overlap_deduction_by_payer"] = _by_payer(ded[y])
        row.update(
            {
                "net": _money(net[y].sum()),
                "net_by_payer": _by_payer(net[y]),
                "cumulative_net": _money(cum[y]),
                "discount_factor": round(df, 6),
                "discounted_net": _money(net[y].sum() * df),
                "discounted_net_by_payer": _by_payer(net[y] * df),
                "wider_benefits": _money(wider[y]),
            }
        )
        out.append(row)
    return out


def _months(f: Flows, result: AppraisalResult, draw: int) -> list[dict[str, Any]]:
    """Monthly rows (needs ``appraise(..., monthly=True)``); each month takes its year's
    discount factor."""
    m = f.monthly
    cost, setup, gross, net = m.cost[draw], m.setup[draw], m.gross[draw], m.net[draw]
    ded = m.overlap_deduction[draw] if m.overlap_deduction is not None else None
    cum = np.cumsum(net.sum(axis=1))
    out = []
    for i in range(result.months):
        df = float(f.factors[i // 12])
        row: dict[str, Any] = {
            "month": i + 1,
            "starts": month_start(result.settings.start_date, i + 1).isoformat(),
            "cost": _money(cost[i].sum()),
            "cost_by_payer": _by_payer(cost[i]),
            "setup": _money(setup[i].sum()),
            "gross_savings": _money(gross[i].sum()),
            "gross_savings_by_payer": _by_payer(gross[i]),
        }
        if ded is not None:
            row["overlap_deduction"] = _money(ded[i].sum())
        row.update({
            "net": _money(net[i].sum()),
            "net_by_payer": _by_payer(net[i]),
            "cumulative_net": _money(cum[i]),
            "discount_factor": round(df, 6),
            "discounted_net": _money(net[i].sum() * df),
        })
        out.append(row)
    return out


def _metrics(f: Flows, result: AppraisalResult, draw: int) -> dict[str, Any]:
    m = f.metrics
    be = _month(m.break_even_month[draw])
    return {
        "npv": _money(m.npv[draw]),
        "npv_by_payer": _by_payer(m.npv_by_payer[draw]),
        "net_budget_impact": _money(m.net_budget_impact[draw]),
        "net_budget_impact_by_payer": _by_payer(m.net_budget_impact_by_payer[draw]),
        "pv_cost": _money(m.pv_cost[draw]),
        "pv_savings": _money(m.pv_savings[draw]),
        "pv_wider_benefits": _money(m.pv_wider_benefits[draw]),
        "bcr": _ratio(m.bcr[draw]),
        "roi": _ratio(m.roi[draw]),
        "break_even_month": be,
        "break_even_month_starts": month_start(result.settings.start_date, be).isoformat() if be else None,
        "breaks_even": bool(m.breaks_even[draw]),
        "discounted_break_even_month": _month(m.discounted_break_even_month[draw]),
    }


def portfolio_metrics(result: AppraisalResult, draw: int = 0) -> dict[str, Any]:
    """The portfolio's metrics exactly as :func:`appraisal_summary` gives them
    (``["portfolio"]["metrics"]``), without the yearly and monthly tables (a reader of the
    headline metrics only: the value split's benefit-cost ratios)."""
    return _metrics(result.portfolio, result, draw)


def _counterfactual(result: AppraisalResult, iid: str) -> dict[str, Any]:
    """The model's deadweight, attribution, drop-off and duration as the appraisal applied them,
    and the design of the evidence they are defaulted by."""
    from .core import _adjustment, appraisal_defaults

    d = appraisal_defaults().additionality
    adj = _adjustment(result.settings, iid)
    iv = next(i for i in result.scenario.interventions if i.id == iid)
    pick = lambda x, default: x if x is not None else default  # noqa: E731
    return {
        "design": iv.evidence_design,
        "deadweight": pick(adj.deadweight, d.deadweight.value),
        "attribution": pick(adj.attribution, d.attribution.value),
        "lag_months": pick(adj.lag_months, d.lag_months.value),
        "drop_off": pick(adj.drop_off, d.drop_off.value),
        "duration_years": adj.duration_years,
        "by_outcome": {k: o.model_dump(exclude_none=True) for k, o in adj.outcomes.items()},
    }


def appraisal_summary(result: AppraisalResult, draw: int = 0) -> dict[str, Any]:
    """The ``carescale appraise --format json`` contract for one draw (default the first). When
    the result kept its monthly flows (``appraise(..., monthly=True)``), each model and the
    portfolio also get ``"months": [{"month", "starts", "cost", "gross_savings", "net",
    "cumulative_net", ...}]``."""
    s = result.settings
    scen = result.scenario
    items = []
    for iid, f in result.interventions.items():
        items.append(
            {
                "id": iid,
                "name": f.name,
                "evidence_level": f.evidence_level,
                "optimism_bias": {"costs": f.optimism_bias[0], "benefits": f.optimism_bias[1]},
                "counterfactual": _counterfactual(result, iid),
                "cost_evidence": "none" if float(f.metrics.pv_cost[draw]) == 0 else "costed",
                "ramp_up": {
                    "months_to_first_beneficiary": round(float(f.months_to_first_beneficiary[min(draw, len(f.months_to_first_beneficiary) - 1)]), 3),
                    "months_to_full_scale": round(float(f.months_to_full_scale[min(draw, len(f.months_to_full_scale) - 1)]), 3),
                },
                "years": _years(f, result, draw),
                "metrics": _metrics(f, result, draw),
            }
        )
        if f.monthly is not None:
            items[-1]["months"] = _months(f, result, draw)
    rates = [round(float(r), 4) for r in result.discount_rates]
    portfolio = {
        "id": "portfolio",
        "name": "Portfolio (less overlap between target groups)",
        "years": _years(result.portfolio, result, draw),
        "metrics": _metrics(result.portfolio, result, draw),
    }
    if result.portfolio.monthly is not None:
        portfolio["months"] = _months(result.portfolio, result, draw)
    return {
        "area": {"id": scen.area.id, "name": scen.area.name},
        "basis": scen.basis,
        "settings": {
            "years": s.years,
            "discount_rate": rates[0],
            "discount_schedule": "green-book" if s.discount_rate is None else "flat",
            "discount_rates": sorted(set(rates), reverse=True),
            "start_date": s.start_date.isoformat(),
            "price_base_year": scen.prices.year if scen.prices is not None else s.price_base_year,
            "optimism_bias": s.optimism_bias,
            "optimism_bias_method": s.optimism_bias_method_used if s.optimism_bias else None,
            "counterfactual": s.counterfactual and scen.method == "full",
            "setup_timing": s.setup_timing,
            "price_years": list(result.price_years),
        },
        "units": (
            (f"GBP in {scen.prices.label} (re-priced with the {scen.prices.index.name}); "
             if scen.prices is not None else
             "GBP in the prices of the sources (" + (", ".join(result.price_years) or "none") + "; not re-priced); ")
            + "flows by appraisal year, year 1 starting on start_date; year 1 is not discounted"
        ),
        "interventions": items,
        "portfolio": portfolio,
        "not_modelled": [{"id": n.id, "missing": list(n.missing)} for n in scen.not_modelled],
        "prices": price_basis(scen),
        "changes": changes(ParameterTable.from_scenario(scen), scen),
    }


ROW_COLUMNS = (
    "id", "name", "year", "month", "starts", "cost", "cost_asc", "cost_nhs", "setup", "gross_savings",
    "gross_savings_asc", "gross_savings_nhs", "overlap_deduction", "net", "net_asc", "net_nhs",
    "cumulative_net", "discount_factor", "discounted_net", "npv", "npv_asc", "npv_nhs", "bcr",
    "roi", "break_even_month", "price_base", "changes",
)


def appraisal_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Flat rows for CSV (see :func:`_rows`), each stating the price base and the changes."""
    return stamp_rows(_rows(data), data)


def _rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Flat rows for CSV from :func:`appraisal_summary`: one per model and year (or per month,
    when the summary has months), then a ``total`` row per model carrying the metrics."""
    out: list[dict[str, Any]] = []
    for item in [*data["interventions"], data["portfolio"]]:
        periods = [({"year": (mo["month"] - 1) // 12 + 1, "month": mo["month"]}, mo) for mo in item.get("months", [])]
        periods = periods or [({"year": y["year"], "month": None}, y) for y in item["years"]]
        for when, y in periods:
            out.append(
                {
                    "id": item["id"], "name": item["name"], **when, "starts": y["starts"],
                    "cost": y["cost"], "cost_asc": y["cost_by_payer"]["asc"], "cost_nhs": y["cost_by_payer"]["nhs"],
                    "setup": y["setup"], "gross_savings": y["gross_savings"],
                    "gross_savings_asc": y["gross_savings_by_payer"]["asc"],
                    "gross_savings_nhs": y["gross_savings_by_payer"]["nhs"],
                    "overlap_deduction": y.get("overlap_deduction"),
                    "net": y["net"], "net_asc": y["net_by_payer"]["asc"], "net_nhs": y["net_by_payer"]["nhs"],
                    "cumulative_net": y["cumulative_net"], "discount_factor": y.get("discount_factor"),
                    "discounted_net": y["discounted_net"],
                    "npv": None, "npv_asc": None, "npv_nhs": None, "bcr": None, "roi": None,
                    "break_even_month": None,
                }
            )
        m = item["metrics"]
        out.append(
            {
                **{c: None for c in ROW_COLUMNS},
                "id": item["id"], "name": item["name"], "year": "total",
                "cost": round(sum(y["cost"] for y in item["years"]), 2),
                "setup": round(sum(y["setup"] for y in item["years"]), 2),
                "gross_savings": round(sum(y["gross_savings"] for y in item["years"]), 2),
                "net": m["net_budget_impact"], "net_asc": m["net_budget_impact_by_payer"]["asc"],
                "net_nhs": m["net_budget_impact_by_payer"]["nhs"],
                "npv": m["npv"], "npv_asc": m["npv_by_payer"]["asc"], "npv_nhs": m["npv_by_payer"]["nhs"],
                "bcr": m["bcr"], "roi": m["roi"], "break_even_month": m["break_even_month"],
            }
        )
    return out
