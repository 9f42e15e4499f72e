"""Reviews: record a period's actuals, update each outcome rate (beta-binomial), recompute the
probability that the service saves money and its expected NPV (10,000 draws through the engine
and the appraisal), and recommend increase / continue / redesign / reduce / stop, with the
reason in plain words. Every review and its recommendation is kept (docs/plans.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..appraisal import appraise, make_settings
from ..errors import PlanError
from ..formatting import money, share
from ..library import Library, default_library, display_path, parse_model, read_yaml
from ..schema.plan import Actuals
from ..uncertainty import Model
from ..uncertainty.evaluation import annual
from .defaults import PlanDefaults, load_plan_defaults
from .logic_model import library_with, parse_logic_model
from .plan import Plan, load_plan, who
from .records import review_record
from .scenario_adapter import build, document_from_json

DECISIONS = ("increase", "continue", "redesign", "reduce", "stop")
WORDS = {
    "increase": "Increase investment",
    "continue": "Continue",
    "redesign": "Redesign",
    "reduce": "Reduce",
    "stop": "Stop",
}


@dataclass(frozen=True)
class Observed:
    """One review's actuals, as the assessment reads them."""

    period_start: dt.date
    period_end: dt.date
    people: int
    outcomes: dict[str, int]
    spent: float


# -- the posterior ---------------------------------------------------------------------------


def prior(rate: float, level: int, defaults: PlanDefaults) -> tuple[float, float]:
    """Beta(a, b) with mean the evidence rate and strength set by the evidence level."""
    n = defaults.prior_strength[level].people
    return rate * n, (1.0 - rate) * n


def posterior(a0: float, b0: float, reviews: Sequence[Observed], oid: str) -> tuple[float, float]:
    """Beta-binomial: every person supported is a trial, every outcome achieved a success."""
    k = sum(r.outcomes.get(oid, 0) for r in reviews)
    n = sum(r.people for r in reviews)
    return a0 + k, b0 + (n - k)


def _interval(a: float, b: float) -> tuple[float, float]:
    from scipy.stats import beta

    lo, hi = beta.ppf([0.05, 0.95], a, b)
    return float(lo), float(hi)


# -- the simulation --------------------------------------------------------------------------


def _plan_library(plan: Plan, url: str | None, library: Library | None) -> Library:
    lib = library or default_library()
    model = plan.definition["model"]
    if model["kind"] == "library":
        return lib
    from ..store import open_store

    data = open_store(url).load_logic_model(model["logic_model_hash"])
    lm = parse_logic_model(data, f"logic model {model['id']}", lib)
    return library_with(lm, lib)


def simulate(
    plan: Plan,
    posteriors: dict[str, tuple[float, float]],
    defaults: PlanDefaults,
    library: Library,
    url: str | None = None,
) -> dict[str, Any]:
    """NPV per draw of the plan's scenario (the model at the plan's target scale), with every
    figure drawn from its uncertainty and each tracked outcome rate from its posterior."""
    from ..store import open_store

    doc = document_from_json(open_store(url).load_scenario_json(plan.definition["scenario_id"]))
    # The plan's document is built once (its Evaluation); the draws below are a different set of
    # values (each outcome rate from its posterior), so they go through the engine here.
    scenario = build(doc, library)
    model = Model.build(scenario)
    sim = defaults.simulation
    values = model.draws(sim.draws, sim.seed)
    rng = np.random.default_rng([sim.seed, 15])
    for o in plan.outcomes:
        a, b = posteriors[o.id]
        draws = rng.beta(a, b, size=sim.draws)
        for path in o.paths:
            values[path] = draws
    settings = make_settings(
        {**doc.appraisal.model_dump(mode="json"), "start_date": plan.start.isoformat(),
         "optimism_bias": defaults.appraisal.optimism_bias}
    )
    npv = []
    for start in range(0, sim.draws, 4000):
        part = {k: v[start:start + 4000] for k, v in values.items()}
        npv.append(np.asarray(appraise(scenario, settings, part, model.params).portfolio.metrics.npv))
    npv_all = np.concatenate(npv)
    net = annual(scenario, values, model.params).portfolio.sum(axis=1)
    p05, p50, p95 = np.percentile(npv_all, [5, 50, 95])
    return {
        "draws": sim.draws,
        "seed": sim.seed,
        "years": settings.years,
        "prob_saving": round(float(np.mean(npv_all > 0)), 4),
        "expected_npv": round(float(np.mean(npv_all)), 2),
        "npv": {"p05": round(float(p05), 2), "p50": round(float(p50), 2), "p95": round(float(p95), 2)},
        "prob_annual_net_saving": round(float(np.mean(net > 0)), 4),
    }


# -- the recommendation ----------------------------------------------------------------------


def _pct(x: float) -> str:
    return share(x, 1)


def _money(x: float) -> str:
    return money(x)


def recommend(
    n_reviews: int,
    prob: float,
    outcomes: list[dict[str, Any]],
    reach: float | None,
    defaults: PlanDefaults,
) -> tuple[str, str]:
    """(decision, the rule's clause in words), by the documented rule (plans_defaults.yaml)."""
    rule = defaults.recommendation
    short = [o for o in outcomes if o["on_target"] is False]
    if prob >= rule.increase.min_prob_saving and not short and n_reviews >= rule.increase.min_reviews:
        return "increase", (
            f"the chance of saving money ({_pct(prob)}) is at least {_pct(rule.increase.min_prob_saving)} "
            f"after {n_reviews} reviews and every outcome is at or above its break-even target"
        )
    if prob >= rule.carry_on.min_prob_saving:
        why = f"the chance of saving money ({_pct(prob)}) is at least {_pct(rule.carry_on.min_prob_saving)}"
        if prob >= rule.increase.min_prob_saving:
            why += (
                f", but {'some outcomes are below target' if short else f'it needs {rule.increase.min_reviews} reviews before investment rises'}"
            )
        return "continue", why
    if prob < rule.stop.max_prob_saving and n_reviews >= rule.stop.min_reviews:
        return "stop", (
            f"the chance of saving money ({_pct(prob)}) is below {_pct(rule.stop.max_prob_saving)} after "
            f"{n_reviews} reviews"
        )
    if reach is not None and reach < rule.reduce.max_reach:
        return "reduce", (
            f"the chance of saving money ({_pct(prob)}) is below {_pct(rule.carry_on.min_prob_saving)} and only "
            f"{_pct(reach)} of the planned people were supported (below {_pct(rule.reduce.max_reach)}): scale down to "
            "the demand seen while the outcomes are tested"
        )
    return "redesign", (
        f"the chance of saving money ({_pct(prob)}) is below {_pct(rule.carry_on.min_prob_saving)} although the "
        "planned people came: the outcomes fall short of what pays for the service"
    )


def assess(
    plan: Plan,
    reviews: Sequence[Observed],
    *,
    defaults: PlanDefaults | None = None,
    library: Library | None = None,
    url: str | None = None,
) -> dict[str, Any]:
    """Everything a review reports, from all reviews so far: each outcome's prior and
    posterior with its target, people and spend against plan, the simulation, and the
    recommendation with its reason."""
    d = defaults or load_plan_defaults()
    lib = _plan_library(plan, url, library)
    level = plan.definition["model"]["evidence_level"]
    people = sum(r.people for r in reviews)
    outcomes, posts = [], {}
    for o in plan.outcomes:
        a0, b0 = prior(o.evidence_rate, level, d)
        a, b = posterior(a0, b0, reviews, o.id)
        posts[o.id] = (a, b)
        mean = a / (a + b)
        lo, hi = _interval(a, b)
        achieved = sum(r.outcomes.get(o.id, 0) for r in reviews)
        on_target = None if o.break_even_rate is None else mean >= o.break_even_rate
        outcomes.append({
            "id": o.id,
            "description": o.description,
            "evidence_rate": o.evidence_rate,
            "prior": {"a": round(a0, 6), "b": round(b0, 6), "strength": a0 + b0},
            "achieved": achieved,
            "people": people,
            "observed_rate": round(achieved / people, 6) if people else None,
            "posterior": {"a": round(a, 6), "b": round(b, 6), "mean": round(mean, 6), "p05": round(lo, 6), "p95": round(hi, 6)},
            "break_even_rate": o.break_even_rate,
            "on_target": on_target,
        })
    start = plan.start
    end = reviews[-1].period_end if reviews else plan.start
    planned = plan.planned_people(start, end) if reviews else 0.0
    planned_spend = plan.planned_spend(start, end) if reviews else 0.0
    spent = sum(r.spent for r in reviews)
    reach = people / planned if planned > 0 else None
    sim = simulate(plan, posts, d, lib, url)
    decision, why = recommend(len(reviews), sim["prob_saving"], outcomes, reach, d)
    return {
        "reviews": len(reviews),
        "to": end.isoformat(),
        "people_supported": people,
        "planned_people": round(planned, 1),
        "reach": None if reach is None else round(reach, 4),
        "money_spent": round(spent, 2),
        "planned_spend": round(planned_spend, 2),
        "cost_per_person": round(spent / people, 2) if people else None,
        "outcomes": outcomes,
        "simulation": sim,
        "decision": decision,
        "reason": reason_text(decision, why, sim, outcomes, people, len(reviews)) + _spend_text(spent, planned_spend),
        "rule": "data/plans_defaults.yaml: recommendation",
    }


def reason_text(decision: str, why: str, sim: dict[str, Any], outcomes: list[dict[str, Any]], people: int, n: int) -> str:
    parts = []
    for o in outcomes:
        rate = "no one supported yet" if o["observed_rate"] is None else f"{_pct(o['observed_rate'])} seen"
        target = "no break-even target" if o["break_even_rate"] is None else f"break-even target {_pct(o['break_even_rate'])}"
        parts.append(f"'{o['description']}': now estimated at {_pct(o['posterior']['mean'])} ({rate}; {target})")
    return (
        f"{WORDS[decision]}: {why}. After {n} review{'s' if n != 1 else ''} ({people:,} people supported), "
        f"expected NPV {_money(sim['expected_npv'])} over {sim['years']} years; " + "; ".join(parts) + "."
    )


def _spend_text(spent: float, planned: float) -> str:
    """A word on spending when it is more than 10% off the plan (reported, not part of the rule)."""
    if planned <= 0 or abs(spent - planned) <= 0.1 * planned:
        return ""
    side = "above" if spent > planned else "below"
    return f" Spending so far ({_money(spent)}) is {abs(spent / planned - 1):.0%} {side} the plan ({_money(planned)})."


# -- recording a review ----------------------------------------------------------------------


def observed(row: Any) -> Observed:
    return Observed(
        row.period_start, row.period_end, row.people_supported,
        {o.outcome_id: o.achieved for o in row.outcomes}, float(row.money_spent),
    )


def check_actuals(plan: Plan, actuals: Actuals, previous: Sequence[Observed], name: str) -> dt.date:
    """One-line PlanErrors for actuals that do not fit the plan; returns the period's start."""
    if actuals.plan is not None and actuals.plan != plan.id:
        raise PlanError(f"{name}: plan: {actuals.plan!r} does not match the plan being reviewed, {plan.id!r}")
    ids = [o.id for o in plan.outcomes]
    for oid in actuals.outcomes:
        if oid not in ids:
            raise PlanError(f"{name}: outcomes.{oid}: unknown outcome; the outcomes of plan {plan.id!r} are: {', '.join(ids)}")
    for oid in ids:
        if oid not in actuals.outcomes:
            raise PlanError(f"{name}: outcomes.{oid}: missing; give how many people achieved each of: {', '.join(ids)}")
    start = previous[-1].period_end + dt.timedelta(days=1) if previous else plan.start
    end = actuals.period_end
    if not plan.start <= end <= plan.end:
        raise PlanError(
            f"{name}: period_end: {end} is outside the plan ({plan.start} to {plan.end}); give a date within the plan"
        )
    if end < start:
        raise PlanError(
            f"{name}: period_end: {end} is before this review's period starts ({start}, the day after "
            "the previous review); give a later date"
        )
    return start


def add_review(
    plan_id: str,
    actuals: Actuals | dict[str, Any] | Path | str,
    *,
    by: str | None = None,
    url: str | None = None,
    library: Library | None = None,
    defaults: PlanDefaults | None = None,
) -> dict[str, Any]:
    """Check and save one review with its recommendation (one transaction); returns the review
    record as ``reviews list`` prints it."""
    from ..store import open_store
    from ..store.core import canonical_json, now
    from ..store.models import RecommendationRow, ReviewRow

    if isinstance(actuals, (str, Path)):
        path = Path(actuals)
        name = display_path(path)
        actuals = parse_model(Actuals, read_yaml(path), name)
    elif isinstance(actuals, dict):
        name = "review"
        actuals = parse_model(Actuals, actuals, name)
    else:
        name = "review"
    plan, row = load_plan(plan_id, url=url)
    previous = [observed(r) for r in row.reviews]
    start = check_actuals(plan, actuals, previous, name)
    this = Observed(start, actuals.period_end, actuals.people_supported, dict(actuals.outcomes), float(actuals.money_spent))
    result = assess(plan, [*previous, this], defaults=defaults, library=library, url=url)
    stamp = now()
    review = ReviewRow(
        plan_id=plan.id,
        number=len(previous) + 1,
        period_start=start,
        period_end=actuals.period_end,
        people_supported=actuals.people_supported,
        money_spent=float(actuals.money_spent),
        note=actuals.note,
        recorded_by=who(by or actuals.recorded_by),
        recorded_at=stamp,
    )
    rec = RecommendationRow(
        decision=result["decision"],
        reason=result["reason"],
        prob_saving=result["simulation"]["prob_saving"],
        expected_npv=result["simulation"]["expected_npv"],
        details_json=canonical_json(result),
        created_at=stamp,
    )
    number = open_store(url).add_review(review, dict(actuals.outcomes), rec, len(previous) + 1)
    return {"plan": plan.id, "number": number, "recorded_by": review.recorded_by,
            "recorded_at": stamp.isoformat(), **result}


def list_reviews(plan_id: str, *, url: str | None = None) -> list[dict[str, Any]]:
    _, row = load_plan(plan_id, url=url)
    return [review_record(r) for r in row.reviews]
