"""Turning a :class:`~carescale.engine.PortfolioResult` into the stable JSON contract, a pandas
DataFrame, CSV rows or the paper-style table. No model arithmetic happens here: only sums over
periods of arrays the engine produced, and formatting."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import PortfolioResult
from ..errors import expect
from ..formatting import figure, people, short_money as money  # noqa: F401 - re-exported (the CLI's table formats)
from ..schema import PAYERS


def _annual(arr: np.ndarray, result: PortfolioResult, draw: int) -> np.ndarray:
    """Average a year over the timeline: (D, T, ...) -> (...)."""
    years = result.timeline.periods * result.timeline.years_per_period
    return np.asarray(arr[draw]).sum(axis=0) / years


def _people(arr: np.ndarray, draw: int) -> float:
    """Beneficiaries at the largest scale reached in the timeline (full scale in steady state)."""
    return float(np.asarray(arr[draw]).max()) if np.size(arr[draw]) else 0.0


def _by_payer(vec: np.ndarray) -> dict[str, float]:
    return {p: round(float(vec[i]), 2) for i, p in enumerate(PAYERS)}


def _area_paths(iv) -> list[str]:
    """The area figures an intervention reads (cohorts, spend lines, provision), by path."""
    paths = []
    for seg in iv.segments:
        if seg.sizing.cohort:
            paths.append(f"area.cohorts.{seg.sizing.cohort}")
        paths += [f"area.spend.{r.spend_line}" for r in seg.spend_reductions]
        paths.append(f"area.provision.{iv.id}.{seg.id}")
    return paths


def estimated_figures(result: PortfolioResult) -> list[dict[str, Any]]:
    """Area figures the run used that are estimates (status ``estimated``), not the area's own."""
    return [
        {"path": p.path, "value": p.base, "derivation": p.quantity.derivation}
        for p in result.parameters
        if p.quantity.status == "estimated"
    ]


PUBLISHED_LABEL = "prices as published"
PUBLISHED_STATEMENT = "as published, each money figure in its source's price year (not re-priced)"


def price_basis(scenario) -> dict[str, Any]:
    """What prices the money figures are in (every output states it)."""
    return price_block(scenario.prices)


def price_block(prices) -> dict[str, Any]:
    """The ``prices`` block of a :class:`carescale.prices.PriceBase` (None: published prices)."""
    if prices is None:
        return {"reprice": False, "price_base_year": None, "index": None, "attribution": None,
                "forecast": False, "vintage": None, "label": PUBLISHED_LABEL, "statement": PUBLISHED_STATEMENT,
                "note": "prices as published: each figure in its source's price year"}
    return {**prices.describe(), "note": f"every money figure re-priced to {prices.year} prices"}


def changes(parameters, scenario) -> list[dict[str, Any]]:
    """Every figure changed from the evidence: path (as given), label, unit, the evidence value
    (in the run's price base), the new value, the note, and how a number of people was
    converted to the figure the engine reads."""
    from .parameters import reprice

    out = []
    for p in parameters:
        c = p.change
        if c is None:
            continue
        evidence = reprice(p.published, scenario)
        item: dict[str, Any] = {
            "path": c.given_path or c.path,
            "label": p.label,
            "unit": p.quantity.unit,
            "evidence_value": evidence.value,
            "value": c.value,
            "low": c.low,
            "high": c.high,
            "range": c.range_source,
            "note": c.note,
            "published": {"value": p.published.value, "price_year": p.published.price_year},
        }
        if c.given_path:
            item.update(unit="people", value=c.given_value, evidence_value=c.given_evidence,
                        low=None, high=None,
                        converted_to={"path": c.path, "evidence_value": evidence.value, "value": c.value,
                                      "conversion": c.conversion})
        out.append(item)
    return sorted(out, key=lambda x: x["path"])


def describe_change(c: dict[str, Any]) -> str:
    """One line for a change: ``path: evidence -> new (note)``."""
    def num(x):  # as tables print figures of its unit: 999.9999932 people reads 1,000 (the JSON keeps every digit)
        return "?" if x is None else figure(x, c.get("unit") or "")
    text = f"{c['path']}: {num(c['evidence_value'])} -> {num(c['value'])}"
    if c.get("converted_to"):
        t = c["converted_to"]
        text += f" (converted: {t['conversion']})"
    if c.get("note"):
        text += f"; {c['note']}"
    return text


def _expect_result(result: Any) -> None:
    expect(result, PortfolioResult, "result", "a result from carescale.evaluate(scenario)")


def summary(result: PortfolioResult, draw: int = 0) -> dict[str, Any]:
    """The ``carescale run --format json`` contract: annual pounds at full scale, plain numbers.

    ``{"area": {"id", "name"}, "basis", "interventions": [{"id", "name", "beneficiaries",
    "cost", "cost_by_payer", "gross_savings": {"asc", "nhs"}, "net_savings": {"asc", "nhs"},
    ...}], "overlaps": [...], "totals": {"net_savings", "overlap_deduction", ...},
    "not_modelled": [...]}``
    """
    _expect_result(result)
    scen = result.scenario
    lib_ivs = {iv.id: iv for iv in scen.interventions}
    estimated = estimated_figures(result)
    est_paths = {e["path"] for e in estimated}
    items = []
    for r in result.interventions:
        iv = lib_ivs[r.id]
        cost = _annual(r.cost, result, draw)
        gross = _annual(r.gross, result, draw)
        items.append(
            {
                "id": r.id,
                "name": r.name,
                "transformation_area": iv.transformation_area,
                "target_group": iv.target_group,
                "beneficiaries": round(_people(r.beneficiaries, draw), 3) if r.person_based else None,
                "segments": [
                    {"id": s.id, "beneficiaries": round(float(s.beneficiaries[draw]), 3)}
                    for s in r.segments
                    if r.person_based
                ],
                "cost": round(float(cost.sum()), 2),
                "cost_by_payer": _by_payer(cost),
                "gross_savings": _by_payer(gross),
                "net_savings": _by_payer(gross - cost),
                "setup_investment": round(float(r.setup_investment[draw]), 2),
                "wider_benefits": round(float(_annual(r.wider_benefits, result, draw)), 2),
                "workforce": {
                    role: round(_people(arr, draw), 2) for role, arr in r.workforce.items()
                },
                "estimated_inputs": [p for p in _area_paths(iv) if p in est_paths],
                "cost_evidence": cost_evidence(iv, scen, float(cost.sum()), float(r.setup_investment[draw])),
            }
        )
    overlaps = [
        {
            "id": o.id,
            "interventions": list(o.interventions),
            "description": o.description,
            "people": round(_people(o.people, draw), 3),
            "deduction": _by_payer(_annual(o.deduction, result, draw)),
            "sentence": overlap_sentence(result, o, draw),
        }
        for o in result.overlaps
    ]
    cost = _annual(result.cost, result, draw)
    gross = _annual(result.gross, result, draw)
    deduction = _annual(result.overlap_deduction, result, draw)
    net = _annual(result.net, result, draw)
    return {
        "area": {"id": scen.area.id, "name": scen.area.name},
        "basis": scen.basis,
        "units": "GBP a year at full scale; beneficiaries are people a year",
        "interventions": items,
        "overlaps": overlaps,
        "totals": {
            "beneficiaries": round(
                sum(i["beneficiaries"] or 0.0 for i in items), 3
            ),
            "cost": round(float(cost.sum()), 2),
            "cost_by_payer": _by_payer(cost),
            "gross_savings": _by_payer(gross),
            "overlap_deduction": _by_payer(deduction),
            "net_savings": _by_payer(net),
            "setup_investment": round(sum(i["setup_investment"] for i in items), 2),
        },
        "not_modelled": [{"id": n.id, "missing": list(n.missing)} for n in scen.not_modelled],
        "estimated_figures": estimated,
        "prices": price_basis(scen),
        "changes": changes(result.parameters, scen),
    }


PAYER_WORDS = {"asc": "council", "nhs": "NHS"}


def cost_evidence(iv, scenario, cost: float, setup: float) -> str:
    """Where a model's cost comes from: ``none`` (it costs nothing: no cost in the evidence used,
    flagged in every output, and it has no ROI or BCR), ``assumption`` (a cost is our documented
    assumption: the full costs of ``full_costs``, or a unit cost marked so) or ``published``."""
    if cost == 0 and setup == 0:
        return "none"
    assumed = scenario.method == "full" and bool(iv.full_costs)
    assumed = assumed or any(seg.unit_cost is not None and seg.unit_cost.status == "assumption" and seg.unit_cost.value > 0
                             for seg in iv.segments)
    return "assumption" if assumed else "published"


def overlap_sentence(result: PortfolioResult, o, draw: int = 0) -> str:
    """One plain sentence for an overlapping pair: how many people, which payer, how many pounds."""
    from ..formatting import money as pounds, share as pct

    names = {iv.id: iv.name for iv in result.scenario.interventions}
    a, b = o.interventions
    people_a = float(result.intervention(a).beneficiaries[draw].max())
    people_b = float(result.intervention(b).beneficiaries[draw].max())
    small = a if people_a <= people_b else b
    share = float(np.ravel(o.share[draw])[0]) if o.share is not None else 0.0
    per_person = float(np.ravel(o.saving_per_person)[draw]) if o.saving_per_person is not None else 0.0
    payer = PAYER_WORDS[PAYERS[o.payer]]
    both = _people(o.people, draw)
    amount = float(_annual(o.deduction, result, draw)[o.payer])
    return (
        f"About {people(both)} people a year are in both {names[a]} and {names[b]} ({pct(share, 1)} of "
        f"{names[small]}'s {people(min(people_a, people_b))}); the smaller {payer} saving per person of the two, "
        f"{pounds(per_person, pence=True)}, is counted once, not twice, so {pounds(amount)} a year is taken off "
        f"the {payer}'s total."
    )


ROW_COLUMNS = (
    "id",
    "name",
    "beneficiaries",
    "cost",
    "gross_savings_asc",
    "gross_savings_nhs",
    "net_savings_asc",
    "net_savings_nhs",
    "overlap_deduction_asc",
    "overlap_deduction_nhs",
    "setup_investment",
    "fiscal_cashable",
    "fiscal_non_cashable",
    "social_value",
    "estimated_inputs",
    "price_base",
    "changes",
)


def _row(rid: str, name: str, beneficiaries, cost, gross, net, setup, estimated=(), deduction=None) -> dict[str, Any]:
    gross = gross or {}
    deduction = deduction or {}
    return {
        "id": rid,
        "name": name,
        "beneficiaries": beneficiaries,
        "cost": cost,
        "gross_savings_asc": gross.get("asc"),
        "gross_savings_nhs": gross.get("nhs"),
        "net_savings_asc": net["asc"],
        "net_savings_nhs": net["nhs"],
        "overlap_deduction_asc": deduction.get("asc"),
        "overlap_deduction_nhs": deduction.get("nhs"),
        "setup_investment": setup,
        "fiscal_cashable": None,
        "fiscal_non_cashable": None,
        "social_value": None,
        "estimated_inputs": ";".join(estimated),
    }


def stamp_rows(rows: list[dict[str, Any]], data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every CSV row also says the price base and which figures were changed from the evidence
    (``path: evidence -> new (note)``, joined by `` | ``)."""
    prices = data.get("prices") or {}
    base = prices.get("label") or (f"{prices['price_base_year']} prices" if prices.get("reprice") else PUBLISHED_LABEL)
    changed = " | ".join(describe_change(c) for c in data.get("changes", []))
    return [{**r, "price_base": base, "changes": changed} for r in rows]


def rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Flat rows (one per intervention, then the overlap deduction and the total) for CSV and
    DataFrames, from a :func:`summary` dict; each row also gives the price base and the changes
    from the evidence."""
    return stamp_rows(_rows(data), data)


def _rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    out = [
        _row(i["id"], i["name"], i["beneficiaries"], i["cost"], i["gross_savings"],
             i["net_savings"], i["setup_investment"], i["estimated_inputs"])
        for i in data["interventions"]
    ]
    # One sign convention everywhere (JSON, CSV, tables): an overlap deduction is the positive
    # amount taken off; its effect on net savings is minus that amount (so the net column of
    # these rows adds up to the total).
    t = data["totals"]
    minus = {p: 0.0 - v for p, v in t["overlap_deduction"].items()}
    out.append(_row("overlap-deduction", "Deduction for overlapping target groups",
                    None, None, None, minus, None, deduction=t["overlap_deduction"]))
    out.append(_row("total", "Total", t["beneficiaries"], t["cost"], t["gross_savings"],
                    t["net_savings"], t["setup_investment"],
                    [e["path"] for e in data["estimated_figures"]], deduction=t["overlap_deduction"]))
    # Fiscal cashable, fiscal non-cashable and social value side by side (issue 23), from the
    # run's ``value`` (``appraisal.value.value_split``) where the run carries it: gross of the
    # overlap, which has its own row; the total row is the sum of the model rows.
    value = data.get("value")
    if value:
        split = {i["id"]: i for i in value["interventions"]}
        split["total"] = value["totals"]
        for r in out:
            v = split.get(r["id"])
            if v is not None:
                r.update(fiscal_cashable=v["fiscal_cashable"], fiscal_non_cashable=v["fiscal_non_cashable"],
                         social_value=v["social"])
    return out


def to_frame(result: PortfolioResult, draw: int = 0):
    """The summary as a pandas DataFrame indexed by intervention id (plus overlap and total)."""
    _expect_result(result)
    import pandas as pd

    return pd.DataFrame(rows(summary(result, draw)), columns=ROW_COLUMNS).set_index("id")
