"""Fiscal and social value side by side (docs/appraisal.md, "Social value").

A model does two kinds of good: **fiscal** value, the public money it saves (split into what a
budget can bank, **cashable**, and capacity freed, **non-cashable**; ``engine.savings``), and
**social** value, what it does for people that is not public money (wellbeing, health), valued
in WELLBYs or QALYs at HM Treasury's values or by the source's own figure
(``data/social_values.yaml``, ``wider_benefits`` of a model). :func:`value_split` gives the three
side by side for a year at full scale, by model and for the portfolio, never added silently: the
fiscal total and the social value are separate figures, and the benefit-cost ratio is given with
and without social value. It also lists each model's outcomes for people in plain words with how
many people in the area they reach. Every output (CLI, web, PDF, workbook) renders this; none
computes it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Sequence

from ..engine.savings import SavingLine
from ..library.social import social_values

PAYERS = ("asc", "nhs")


def _r(x: float) -> float:
    return round(float(x), 2)


def _wellby_equivalent(pounds_per_person: float, price_year: str, index: Any) -> float:
    """WELLBYs a year per person that ``pounds_per_person`` (in ``price_year`` prices) is worth at
    HM Treasury's central value."""
    sv = social_values().values["wellby"]
    return pounds_per_person * index.value(sv.price_year) / index.value(price_year) / sv.value


def age_group(cohort: str | None, vocabulary: Any) -> tuple[str, str | None]:
    """(age group, support reason) of a cohort, from the vocabulary's ``within`` chain: people
    aged 65 and over, adults aged 18 to 64, or all ages (the cohort does not say); the primary
    support reason where the cohort names one."""
    if cohort is None or vocabulary is None:
        return "not known (the model is sized from spend, not people)", None
    reason = {"learning_disability_long_term_support": "learning disability",
              "mental_health_long_term_support": "mental health"}.get(cohort)
    seen, c = set(), cohort
    while c and c not in seen:
        seen.add(c)
        if c == "population_65_plus":
            return "65 and over", reason
        if c == "population_18_64":
            return "18 to 64", reason
        d = vocabulary.cohorts.get(c)
        c = d.within if d is not None else None
    return "all ages (adults)", reason


def by_age_group(scenario: Any, run: dict[str, Any], lines: Sequence[SavingLine], vocabulary: Any,
                 draw: int = 0) -> list[dict[str, Any]]:
    """Who benefits: people, fiscal cashable, fiscal non-cashable and social value a year by age
    group and support reason, from each segment's cohort (gross of the overlap deduction)."""
    out: dict[tuple[str, str | None], dict[str, Any]] = {}
    by_run = {i["id"]: i for i in run["interventions"]}
    for iv in scenario.interventions:
        r = by_run.get(iv.id)
        if r is None:
            continue
        seg_people = {s["id"]: s["beneficiaries"] for s in r.get("segments", [])}
        total_people = sum(seg_people.values())
        for seg in iv.segments:
            key = age_group(seg.sizing.cohort, vocabulary)
            row = out.setdefault(key, {"age_group": key[0], "support_reason": key[1], "people": 0.0, "models": [],
                                       "fiscal_cashable": 0.0, "fiscal_non_cashable": 0.0, "social": 0.0})
            n = seg_people.get(seg.id, 0.0)
            row["people"] += n
            if iv.name not in row["models"]:
                row["models"].append(iv.name)
            for ln in lines:
                if ln.intervention == iv.id and ln.segment == seg.id:
                    row["fiscal_cashable" if ln.cashable else "fiscal_non_cashable"] += float(ln.amount[draw])
            if total_people:
                row["social"] += float(r["wider_benefits"]) * n / total_people
        # lines of no segment (a published saving's netted cost): the model's first segment's group
        for ln in lines:
            if ln.intervention == iv.id and not ln.segment and iv.segments:
                row = out[age_group(iv.segments[0].sizing.cohort, vocabulary)]
                row["fiscal_cashable" if ln.cashable else "fiscal_non_cashable"] += float(ln.amount[draw])
    rows = sorted(out.values(), key=lambda r: (r["age_group"], r["support_reason"] or ""))
    for r in rows:
        for k in ("people", "fiscal_cashable", "fiscal_non_cashable", "social"):
            r[k] = _r(r[k])
    return rows


def value_split(scenario: Any, run: dict[str, Any], lines: Sequence[SavingLine],
                appraisal: dict[str, Any] | None = None, draw: int = 0, vocabulary: Any = None) -> dict[str, Any]:
    """Fiscal cashable, fiscal non-cashable and social value of ``scenario`` a year at full
    scale (``run``: the engine summary; ``lines``: its saving lines; ``appraisal``: the appraisal
    summary, for the benefit-cost ratios over the appraisal period)."""
    from ..prices import gdp_deflator

    index = gdp_deflator()
    run_year = (run.get("prices") or {}).get("price_base_year") or "2024/25"
    run_index = index.value(run_year)
    ivs = {iv.id: iv for iv in scenario.interventions}
    by_run = {i["id"]: i for i in run["interventions"]}
    items = []
    for iid, r in by_run.items():
        iv = ivs[iid]
        mine = [ln for ln in lines if ln.intervention == iid]
        cashable = {p: sum(float(ln.amount[draw]) for ln in mine if ln.cashable and ln.payer == p) for p in PAYERS}
        non_cashable = {p: sum(float(ln.amount[draw]) for ln in mine if not ln.cashable and ln.payer == p) for p in PAYERS}
        people = r["beneficiaries"]
        outcomes = []
        # an outcome two of the model's groups share is named with its group ("... package, for
        # live-in arrangements for people receiving long-term mental health support"): alone, the
        # two lines read the same
        said = Counter(ln.description for ln in mine if ln.kind == "outcome")
        groups = {seg.id: seg.description for seg in iv.segments}
        for ln in mine:
            if ln.kind != "outcome":
                continue
            outcome, group = ln.description, groups.get(ln.segment, "")
            if said[outcome] > 1 and group:
                outcome = f"{outcome}, for {group[:1].lower()}{group[1:]}"
            outcomes.append({
                "outcome": outcome, "people": None if ln.count is None else round(float(ln.count[draw]), 1),
                "kind": "fiscal", "cashable": ln.cashable, "payer": ln.payer, "value": _r(ln.amount[draw]),
            })
        social_total = float(r["wider_benefits"])
        social = []
        # the engine's total split between a model's wider benefits by their value per person
        weights = [wb.value_per_person.value * run_index / index.value(wb.value_per_person.price_year or run_year)
                   for wb in iv.wider_benefits]
        for wb, weight in zip(iv.wider_benefits, weights):
            pp = wb.value_per_person
            share = social_total * weight / sum(weights) if sum(weights) else 0.0
            row: dict[str, Any] = {
                "id": wb.id, "outcome": wb.outcome or wb.description, "people": people,
                "kind": "social", "valued_by": wb.valued_by, "value": _r(share),
                "value_per_person": pp.value, "price_year": pp.price_year,
                "source": f"{pp.ref.document}: {pp.ref.quote}",
            }
            if wb.valued_by in ("wellby", "qaly"):
                row["units_per_person"] = wb.units_per_person
                row["units"] = None if people is None else round(wb.units_per_person * people, 1)  # type: ignore[operator]
            else:
                w = _wellby_equivalent(pp.value, pp.price_year or "", index)
                row["wellby_equivalent_per_person"] = round(w, 4)
                row["wellby_equivalent"] = None if people is None else round(w * people, 1)
            social.append(row)
        outcomes.extend(social)
        items.append({
            "id": iid, "name": r["name"], "people": people, "cost": r["cost"],
            "fiscal_cashable": _r(sum(cashable.values())), "fiscal_cashable_by_payer": {p: _r(v) for p, v in cashable.items()},
            "fiscal_non_cashable": _r(sum(non_cashable.values())),
            "fiscal_non_cashable_by_payer": {p: _r(v) for p, v in non_cashable.items()},
            "social": _r(social_total),
            "outcomes": outcomes,
        })
    t = run["totals"]
    overlap = float(sum(t["overlap_deduction"].values()))
    totals: dict[str, Any] = {
        "fiscal_cashable": _r(sum(i["fiscal_cashable"] for i in items)),
        "fiscal_non_cashable": _r(sum(i["fiscal_non_cashable"] for i in items)),
        "social": _r(sum(i["social"] for i in items)),
        "overlap_deduction": _r(overlap),
        "cost": t["cost"],
        "gross_savings": _r(sum(t["gross_savings"].values())),
    }
    totals["fiscal_net_of_overlap"] = _r(totals["gross_savings"] - overlap)
    if appraisal is not None:
        m = appraisal["portfolio"]["metrics"]
        cost = m["pv_cost"]
        totals["pv_cost"] = cost
        totals["pv_fiscal"] = m["pv_savings"]
        totals["pv_social"] = m["pv_wider_benefits"]
        totals["bcr_fiscal"] = round(m["pv_savings"] / cost, 4) if cost else None
        totals["bcr_with_social"] = round((m["pv_savings"] + m["pv_wider_benefits"]) / cost, 4) if cost else None
    sv = social_values().values
    return {
        "interventions": items, "totals": totals,
        "by_age_group": by_age_group(scenario, run, lines, vocabulary, draw),
        "values": {k: {"value": v.value, "low": v.low, "high": v.high, "price_year": v.price_year,
                       "what": v.what, "source": f"{v.ref.document}: {v.ref.quote}"} for k, v in sv.items()},
        "note": ("Fiscal value (public money: cashable, which a budget can bank, and non-cashable, capacity "
                 "freed) and social value (what a model does for people, valued in WELLBYs, QALYs or by its "
                 "source) are shown side by side and never added into one figure; the benefit-cost ratio is "
                 "given without and with social value."),
    }


def value_table(value: dict[str, Any]) -> list[dict[str, Any]]:
    """The split as rows to print, one per model then the total: ``{"kind", "name", "people",
    "fiscal_cashable", "fiscal_non_cashable", "social", "cost"}`` (``kind`` is ``model`` or
    ``total``). Fiscal and social stay in their own columns; nothing adds them. The fiscal total
    less the overlap between target groups is :func:`fiscal_sentence`."""
    rows = [{"kind": "model", "name": i["name"], "people": i["people"], "fiscal_cashable": i["fiscal_cashable"],
             "fiscal_non_cashable": i["fiscal_non_cashable"], "social": i["social"], "cost": i["cost"]}
            for i in value["interventions"]]
    t = value["totals"]
    rows.append({"kind": "total", "name": "Total", "people": None, "fiscal_cashable": t["fiscal_cashable"],
                 "fiscal_non_cashable": t["fiscal_non_cashable"], "social": t["social"], "cost": t["cost"]})
    return rows


def outcome_sentences(value: dict[str, Any]) -> list[dict[str, Any]]:
    """Each model's outcomes for people in plain words with counts: ``{"model", "outcome",
    "people", "kind", "value", "how"}`` (``how``: cashable, non-cashable, or how social value was
    valued)."""
    out = []
    for i in value["interventions"]:
        for o in i["outcomes"]:
            if o["kind"] == "fiscal":
                how = "fiscal, cashable" if o["cashable"] else "fiscal, non-cashable"
            elif o["valued_by"] == "source":
                how = f"social, the source's own figure (about {o['wellby_equivalent']:,.0f} WELLBYs)" if o.get(
                    "wellby_equivalent") is not None else "social, the source's own figure"
            else:
                how = f"social, {o['units']:,.1f} {o['valued_by'].upper()}s" if o.get("units") is not None else "social"
            out.append({"model": i["name"], "outcome": o["outcome"], "people": o["people"], "kind": o["kind"],
                        "value": o["value"], "how": how})
    return out


def fiscal_sentence(value: dict[str, Any], money: Any) -> str:
    """One line under the table: the fiscal total less the overlap, and the two BCRs."""
    t = value["totals"]
    text = (f"Fiscal value less the overlap between target groups ({money(t['overlap_deduction'])}): "
            f"{money(t['fiscal_net_of_overlap'])} a year; social value, counted apart: {money(t['social'])} a year.")
    if t.get("bcr_fiscal") is not None:
        text += (f" Benefit-cost ratio over the appraisal period: {t['bcr_fiscal']:.2f} on fiscal value alone, "
                 f"{t['bcr_with_social']:.2f} with social value.")
    return text
