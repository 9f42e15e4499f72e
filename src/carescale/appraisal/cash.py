"""The cash budget view: the appraisal as a finance officer's medium-term financial strategy
(MTFS) sees it (docs/appraisal.md, "The cash budget view").

The appraisal works in real terms (every figure in one price base) for a fixed number of people.
A budget is set in cash, by financial year, for a population that grows. :func:`cash_view` takes
the appraisal's monthly flows (draw 0) and

* **grows the target cohorts**: each model's running cost, savings and the overlap deduction are
  multiplied by ``(1 + g) ** (y - 1)`` in appraisal year ``y``, where ``g`` is the compound trend
  a year of the model's age band (people aged 65 and over, or 18 to 64) in the area, from the ONS
  mid-year estimates of mid-2020 and mid-2024 (:mod:`carescale.official.trend`), or the user's own
  growth. Set-up is not grown (the places it buys are sized at the start);
* **turns real terms into cash**: a month in financial year ``f`` is multiplied by
  ``index[f] / index[base]``, HM Treasury's financial-year GDP deflator (December 2023) with the
  OBR's November 2023 forecast to 2028/29 and :data:`LONG_RUN_INFLATION` a year after it, or the
  user's flat pay-and-price inflation;
* **separates cashable from non-cashable savings** with each saving's flag
  (:mod:`carescale.engine.savings`), by model and payer; the overlap deduction is split in the
  same proportion as the overlapping models' savings of that payer;
* sums the months into **financial years** (April to March) by payer, and sets the council's net
  cashable saving against its **adult social care budget** where the area has an ONS code: its
  net current expenditure on adult social care in 2024-25 (RO3 outturn, line "Total adult social
  care", column C7), uprated to each year's cash with the same inflation.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import SettingsError
from ..schema import PAYERS

if TYPE_CHECKING:  # pragma: no cover
    from ..engine.savings import SavingLine
    from .core import AppraisalResult

#: Pay-and-price inflation a year after the last forecast year of the GDP deflator (2028/29):
#: our assumption, the Government's 2% inflation target for the Bank of England (CPI), which the
#: OBR's forecast GDP deflator growth (1.62% to 1.88% a year for 2025/26 to 2028/29) is close to.
LONG_RUN_INFLATION = 0.02
INFLATION_SOURCE = (
    "HM Treasury, GDP deflators at market prices (December 2023), financial years; 2023/24 to 2028/29 "
    "the OBR's forecast of November 2023; after 2028/29 2.0% a year (our assumption: the 2% inflation target)"
)
BUDGET_SERIES = (("2024/25", "ro3_2024_25_total_adult_social_care_c7"),
                 ("2023/24", "ro3_2023_24_total_adult_social_care_c7"),
                 ("2022/23", "ro3_2022_23_total_adult_social_care_c7"))
BUDGET_SOURCE = (
    "MHCLG, Local authority revenue expenditure and financing, RO3 outturn: total adult social care, "
    "net current expenditure (C7),"
)
MAX_RATE = 0.20


@dataclass(frozen=True)
class CashSettings:
    """What the cash view assumes beyond the appraisal.

    * ``inflation``: pay-and-price inflation a year, flat from the price base year (None: the GDP
      deflator and its forecast, then 2% a year);
    * ``growth``: growth a year of every target cohort (None: the area's ONS trend by age band;
      an area without an ONS code or trend is not grown);
    * ``budget``: the council's adult social care budget in the price base year's cash, a year
      (None: RO3 2024-25 net current expenditure where the area has an ONS code).
    """

    inflation: float | None = None
    growth: float | None = None
    budget: float | None = None

    def __post_init__(self) -> None:
        for name, lo in (("inflation", -0.05), ("growth", -0.05)):
            x = getattr(self, name)
            if x is not None and (isinstance(x, bool) or not isinstance(x, (int, float))
                                  or not np.isfinite(x) or not lo <= x <= MAX_RATE):
                raise SettingsError(f"{name}: {x!r} is not valid; give a rate a year from -5% to 20% (0.02 or 2%)")
        b = self.budget
        if b is not None and (isinstance(b, bool) or not isinstance(b, (int, float)) or not np.isfinite(b) or b <= 0
                              or b > 1e13):
            raise SettingsError(f"budget: {b!r} is not valid; give the budget in pounds a year, more than £0")


# -- inflation --------------------------------------------------------------------------------


def _fy_first(label: str) -> int:
    return int(label[:4])


def financial_year_of(day: _dt.date) -> str:
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def cash_factors(base: str, years: list[str], inflation: float | None) -> dict[str, float]:
    """``index[f] / index[base]`` for each financial year ``f``: the GDP deflator (with its
    forecast, then :data:`LONG_RUN_INFLATION`), or a flat ``inflation`` a year from ``base``."""
    if inflation is not None:
        return {f: (1.0 + inflation) ** (_fy_first(f) - _fy_first(base)) for f in years}
    from ..prices import gdp_deflator

    table = gdp_deflator().table
    last = max(table)

    def index(f: str) -> float:
        if f in table:
            return table[f]
        if _fy_first(f) > _fy_first(last):
            return table[last] * (1.0 + LONG_RUN_INFLATION) ** (_fy_first(f) - _fy_first(last))
        raise SettingsError(f"price base {f}: the GDP deflator has no index for it ({min(table)} to {last})")

    b = index(base)
    return {f: index(f) / b for f in years}


# -- growth -----------------------------------------------------------------------------------


def age_band(iv, vocabulary) -> str:
    """``65_plus`` or ``18_64``: the age band a model's target cohort grows with (its first
    person-based segment's cohort, followed up its ``within`` chain; spend lines are for people
    aged 65 and over; adults on long-term support are counted with people aged 18 to 64)."""
    for seg in iv.segments:
        cohort = seg.sizing.cohort
        seen = set()
        while cohort and cohort not in seen:
            seen.add(cohort)
            if cohort == "population_65_plus":
                return "65_plus"
            entry = vocabulary.cohorts.get(cohort) if vocabulary is not None else None
            cohort = getattr(entry, "within", None)
    person_based = any(s.sizing.basis != "none" for s in iv.segments)
    return "18_64" if person_based else "65_plus"


def _growth(scenario, settings: CashSettings, vocabulary) -> tuple[dict[str, dict[str, Any]], str]:
    """Growth a year by intervention, and how it was set."""
    from ..official.trend import SOURCE, population_trends

    out: dict[str, dict[str, Any]] = {}
    code = getattr(scenario.area, "ons_code", None)
    trend = population_trends().get(code) if code else None
    method = "user" if settings.growth is not None else ("ons-trend" if trend is not None else "none")
    for iv in scenario.interventions:
        band = age_band(iv, vocabulary)
        if settings.growth is not None:
            out[iv.id] = {"band": band, "rate": float(settings.growth), "source": "the user's growth a year"}
        elif trend is not None:
            out[iv.id] = {"band": band, "rate": trend.growth(band), "source": SOURCE,
                          "derivation": trend.derivation(band)}
        else:
            out[iv.id] = {"band": band, "rate": 0.0,
                          "source": f"no ONS population trend for area {scenario.area.id!r} "
                                    f"({'no ONS code' if not code else code}); cohorts not grown"}
    return out, method


def _budget(scenario, settings: CashSettings) -> dict[str, Any] | None:
    """The council's adult social care budget a year: the user's, or its latest RO3 outturn of
    net current expenditure (2024-25, else 2023-24, else 2022-23; ``value`` None with the reason
    when the council made no return)."""
    if settings.budget is not None:
        return {"value": float(settings.budget), "source": "the user's budget", "year": None}
    code = getattr(scenario.area, "ons_code", None)
    if not code:
        return None
    from ..errors import OfficialDataError
    from ..official.councils import read_council_figures

    missing = []
    for year, series in BUDGET_SERIES:
        try:
            fig = read_council_figures().figure(code, series)
        except OfficialDataError:
            return None
        if fig.value is not None:
            return {"value": float(fig.value) * 1000.0, "source": f"{BUDGET_SOURCE} {year}, {fig.cell}",
                    "year": year}
        missing.append(f"{year}: {fig.missing or 'blank'}")
    return {"value": None, "source": BUDGET_SOURCE,
            "year": None, "missing": f"{scenario.area.name} has no RO3 outturn ({'; '.join(missing)})"}


# -- the view ---------------------------------------------------------------------------------


def _split(lines: "list[SavingLine]", ids: set[str]) -> np.ndarray:
    """(P,) cashable share of the gross savings of the interventions ``ids``, by payer (1 where a
    payer has no saving: nothing to split)."""
    cash, total = np.zeros(len(PAYERS)), np.zeros(len(PAYERS))
    for line in lines:
        if line.intervention in ids:
            i = PAYERS.index(line.payer)
            amount = float(line.amount[0])
            total[i] += amount
            if line.cashable:
                cash[i] += amount
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, cash / np.where(total > 0, total, 1.0), 1.0)


def _r(x: float) -> float:
    return round(float(x), 2)


def cash_view(appraisal: "AppraisalResult", lines: "list[SavingLine]", settings: CashSettings | None = None,
              vocabulary=None) -> dict[str, Any]:
    """The cash budget view of ``appraisal`` (made with ``monthly=True``) with the saving lines
    ``lines`` (worked out on the appraisal's adjusted values). Returns plain figures: rows by
    financial year and payer, by model, and every assumption with its source."""
    settings = settings or CashSettings()
    ivs = appraisal.interventions
    if any(f.monthly is None for f in ivs.values()) or appraisal.portfolio.monthly is None:
        raise SettingsError("cash view: the appraisal needs its monthly flows (appraise(..., monthly=True))")
    scenario, aps = appraisal.scenario, appraisal.settings
    T = appraisal.months
    start = aps.start_date
    month_fy = []
    for m in range(T):
        y, mo = divmod(start.month - 1 + m, 12)
        month_fy.append(financial_year_of(_dt.date(start.year + y, mo + 1, 1)))
    fys = list(dict.fromkeys(month_fy))
    base = scenario.prices.year if scenario.prices is not None else aps.price_base_year
    infl = cash_factors(base, fys, settings.inflation)
    infl_m = np.array([infl[f] for f in month_fy])
    year_of_month = np.arange(T) // 12
    growth, growth_method = _growth(scenario, settings, vocabulary)

    def grown(iid: str) -> np.ndarray:
        return (1.0 + growth[iid]["rate"]) ** year_of_month

    P = len(PAYERS)
    parts: dict[str, dict[str, np.ndarray]] = {}
    for iid, f in ivs.items():
        mon = f.monthly
        share = _split(lines, {iid})
        g = grown(iid)[:, None]
        running, setup, gross = mon.running_cost[0], mon.setup[0], mon.gross[0]
        parts[iid] = {
            "real_net": gross - running - setup,
            "cost": (running * g + setup) * infl_m[:, None],
            "cashable": gross * share * g * infl_m[:, None],
            "non_cashable": gross * (1.0 - share) * g * infl_m[:, None],
        }
    overlap_ids = {i for o in scenario.overlaps for i in o.interventions}
    deduction = appraisal.portfolio.monthly.overlap_deduction[0]
    if overlap_ids:
        bands = {growth[i]["band"] for i in overlap_ids if i in growth}
        rate = growth[sorted(overlap_ids & set(growth))[0]]["rate"] if len(bands) == 1 else \
            max(growth[i]["rate"] for i in overlap_ids if i in growth)
        g_ov = ((1.0 + rate) ** year_of_month)[:, None]
        share_ov = _split(lines, overlap_ids)
    else:
        g_ov, share_ov = np.ones((T, 1)), np.ones(P)
    ded_cash = deduction * share_ov * g_ov * infl_m[:, None]
    ded_non = deduction * (1.0 - share_ov) * g_ov * infl_m[:, None]

    masks = {f: np.array([x == f for x in month_fy]) for f in fys}  # each financial year's months

    def by_fy(arr: np.ndarray) -> dict[str, np.ndarray]:
        return {f: arr[masks[f]].sum(axis=0) for f in fys}

    months_in = {f: month_fy.count(f) for f in fys}
    budget = _budget(scenario, settings)
    # an outturn year's budget is in that year's cash: first into the price base's prices
    budget_factor = 1.0
    if budget is not None and budget.get("year") and settings.inflation is None:
        budget_factor = 1.0 / cash_factors(base, [budget["year"]], None)[budget["year"]]
    elif budget is not None and budget.get("year"):
        budget_factor = 1.0 / cash_factors(base, [budget["year"]], settings.inflation)[budget["year"]]

    def rows(items: dict[str, np.ndarray], with_overlap: bool) -> list[dict[str, Any]]:
        fy = {k: by_fy(v) for k, v in items.items()}
        if with_overlap:
            fy["ded_cash"], fy["ded_non"], fy["deduction"] = by_fy(ded_cash), by_fy(ded_non), by_fy(deduction)
        # each figure by financial year as floats: the payers', then their total (the last)
        flat = {k: {f: (*v[f].tolist(), float(v[f].sum())) for f in fys} for k, v in fy.items()}
        out = []
        for f in fys:
            for p_i, payer in enumerate((*PAYERS, "total")):
                def val(k: str) -> float:
                    return flat[k][f][p_i] if k in flat else 0.0
                cost, cash, non = val("cost"), val("cashable"), val("non_cashable")
                dc, dn = val("ded_cash"), val("ded_non")
                row = {
                    "financial_year": f, "months": months_in[f], "payer": payer,
                    "inflation_factor": round(infl[f], 6),
                    "net_real": _r(val("real_net")),
                    "cost": _r(cost),
                    "cashable_savings": _r(cash),
                    "non_cashable_savings": _r(non),
                    "overlap_deduction": _r(dc + dn),
                    "overlap_deduction_cashable": _r(dc),
                    "net_cashable": _r(cash - dc - cost),
                    "net": _r(cash + non - dc - dn - cost),
                }
                if with_overlap:
                    row["net_real"] = _r(val("real_net") - val("deduction"))
                if budget is not None and budget["value"] is not None and payer == "asc":
                    b = budget["value"] * budget_factor * infl[f] * months_in[f] / 12.0
                    row["budget"] = _r(b)
                    row["net_cashable_share_of_budget"] = round((cash - dc - cost) / b, 6) if b else None
                out.append(row)
        return out

    total_items = {k: sum(p[k] for p in parts.values()) if parts else np.zeros((T, P))
                   for k in ("real_net", "cost", "cashable", "non_cashable")}
    return {
        "area": {"id": scenario.area.id, "name": scenario.area.name,
                 "ons_code": getattr(scenario.area, "ons_code", None)},
        "units": "GBP in cash (the prices of each financial year), by financial year (April to March)",
        "price_base": base,
        "start_date": start.isoformat(),
        "inflation": {
            "method": "flat" if settings.inflation is not None else "gdp-deflator",
            "rate": settings.inflation,
            "source": "the user's pay-and-price inflation a year" if settings.inflation is not None else INFLATION_SOURCE,
            "factors": {f: round(infl[f], 6) for f in fys},
        },
        "growth": {"method": growth_method, "by_intervention": growth},
        "budget": budget,
        "years": rows(total_items, True),
        "interventions": [
            {"id": iid, "name": f.name, "cashable_share": dict(zip(PAYERS, (round(float(x), 6) for x in _split(lines, {iid})))),
             "years": rows(parts[iid], False)}
            for iid, f in ivs.items()
        ],
        "savings": [line.as_dict() for line in lines],
        "notes": [
            "Real terms are the appraisal's figures in the price base, for the people it sizes at the start; "
            "cash grows each model's people with its age band and inflates every figure to each year's prices.",
            "Set-up investment is inflated but not grown: it buys the places sized at the start.",
            "The overlap deduction is split between cashable and non-cashable in the proportion of the "
            "overlapping models' savings of that payer.",
            "Not discounted: a budget sees cash; the NPV stays in real terms, discounted.",
        ],
    }
