"""A plan's review history as one table (docs/plans.md, "Review history"): per review, the
targets against the actuals (planned people and spend, the outcomes needed to break even in the
period, what was achieved), the posterior of each outcome rate (mean and 90% interval), the cost
per person and the reach, the expected NPV, each recommendation with its reason, and the effect
against each counterfactual. ``carescale plans history PLAN --format csv`` writes it; the
business case (``carescale report --plan PLAN``) carries it into the PDF, HTML and workbook."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from .plan import load_plan


def review_history(plan_id: str, *, url: str | None = None) -> dict[str, Any]:
    """{"plan": the plan's headline figures, "outcomes": [(id, description)], "counterfactual":
    [(id, description)], "columns": [(key, heading)], "rows": [one dict a review]}."""
    from ..store.core import utc_iso

    plan, row = load_plan(plan_id, url=url)
    d = plan.definition
    outcomes = [(o.id, o.description) for o in plan.outcomes]
    cf = [(c["id"], c["description"]) for c in d.get("counterfactual", [])]
    rates = {o.id: o.break_even_rate for o in plan.outcomes}
    rows = []
    for r in row.reviews:
        rec = r.recommendation
        det = json.loads(rec.details_json) if rec else {}
        start, end = r.period_start, r.period_end
        planned = plan.planned_people(start, end)
        achieved = {o.outcome_id: o.achieved for o in r.outcomes}
        post = {o["id"]: o["posterior"] for o in det.get("outcomes", [])}
        item: dict[str, Any] = {
            "number": r.number,
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            "planned_people": round(planned, 1),
            "people_supported": r.people_supported,
            "planned_spend": round(planned * d["unit_cost"], 2),
            "money_spent": float(r.money_spent),
        }
        for oid, _ in outcomes:
            rate = rates.get(oid)
            item[f"target.{oid}"] = None if rate is None else round(rate * planned, 1)
            item[f"achieved.{oid}"] = achieved.get(oid)
            p = post.get(oid, {})
            item[f"posterior_mean.{oid}"] = p.get("mean")
            item[f"posterior_p05.{oid}"] = p.get("p05")
            item[f"posterior_p95.{oid}"] = p.get("p95")
        upd = det.get("updated", {})
        sim = det.get("simulation", {})
        item |= {
            "cost_per_person": upd.get("cost_per_person", {}).get("mean"),
            "reach": upd.get("reach", {}).get("mean"),
            "expected_npv": rec.expected_npv if rec else None,
            "prob_saving": rec.prob_saving if rec else None,
            "npv_p05": sim.get("npv", {}).get("p05"),
            "npv_p95": sim.get("npv", {}).get("p95"),
        }
        effects = {e["id"]: e for e in det.get("counterfactual", [])}
        for cid, _ in cf:
            e = effects.get(cid, {})
            item |= {f"observed.{cid}": e.get("observed"), f"expected.{cid}": e.get("expected"),
                     f"avoided.{cid}": e.get("avoided"), f"avoided_low.{cid}": e.get("avoided_low"),
                     f"avoided_high.{cid}": e.get("avoided_high")}
        item |= {
            "decision": rec.decision if rec else None,
            "reason": rec.reason if rec else None,
            "recorded_by": r.recorded_by,
            "recorded_at": utc_iso(r.recorded_at),
        }
        rows.append(item)
    columns = [
        ("number", "Review"), ("period_start", "From"), ("period_end", "To"), ("planned_people", "People planned"),
        ("people_supported", "People supported"), ("planned_spend", "Spend planned"), ("money_spent", "Spent"),
    ]
    for oid, desc in outcomes:
        columns += [(f"target.{oid}", f"{desc}: needed to break even"),
                    (f"achieved.{oid}", f"{desc}: achieved (your own count)"),
                    (f"posterior_mean.{oid}", f"{desc}: rate now (posterior mean)"),
                    (f"posterior_p05.{oid}", f"{desc}: rate, 5th percentile"),
                    (f"posterior_p95.{oid}", f"{desc}: rate, 95th percentile")]
    columns += [("cost_per_person", "Cost per person now"), ("reach", "Reach now"),
                ("expected_npv", "Expected NPV"), ("prob_saving", "P(saves money)"),
                ("npv_p05", "NPV 5th percentile"), ("npv_p95", "NPV 95th percentile")]
    for cid, desc in cf:
        columns += [(f"observed.{cid}", f"{desc}: seen"), (f"expected.{cid}", f"{desc}: expected without the service"),
                    (f"avoided.{cid}", f"{desc}: avoided"), (f"avoided_low.{cid}", f"{desc}: avoided, 95% low"),
                    (f"avoided_high.{cid}", f"{desc}: avoided, 95% high")]
    columns += [("decision", "Recommendation"), ("reason", "Reason"), ("recorded_by", "Recorded by"),
                ("recorded_at", "Recorded at")]
    return {
        "plan": {"id": plan.id, "name": row.name, "model": d["model"]["name"], "area": d["area"],
                 "start": d["spec"]["start"], "end": d["spec"]["end"], "budget": d["spec"]["budget"]["value"],
                 "npv": d.get("npv"), "review_period": d["spec"]["review_period"],
                 "exported": dt.date.today().isoformat()},
        "outcomes": outcomes,
        "counterfactual": cf,
        "columns": columns,
        "rows": rows,
    }


def plan_evaluation(plan_id: str, *, url: str | None = None, library: Any = None) -> Any:
    """The plan's scenario document's one evaluation (its model in its library), for the
    business case that carries the plan's history."""
    from ..store import open_store
    from .review import _plan_library
    from .scenario_adapter import document_from_json, evaluation

    plan, _ = load_plan(plan_id, url=url)
    lib = _plan_library(plan, url, library)
    doc = document_from_json(open_store(url).load_scenario_json(plan.definition["scenario_id"]))
    return evaluation(doc, lib)
