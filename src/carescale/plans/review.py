"""Reviews: record a period's actuals, update each outcome rate (beta-binomial), the cost per
person (gamma, from the spend recorded) and the reach (gamma-Poisson, against the planned people),
recompute the NPV's distribution (10,000 draws through the engine and the appraisal, the plan's
one yardstick), and recommend increase / continue / redesign / reduce / stop by a rule derived
from stated losses, with the reason in plain words. Every review and its recommendation is kept (docs/plans.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..appraisal import appraise_npv, make_settings
from ..errors import PlanError
from ..formatting import money, share
from ..library import Library, default_library, display_path, parse_model, read_yaml
from ..schema.plan import Actuals
from ..uncertainty import Model
from ..uncertainty.evaluation import annual
from .defaults import PlanDefaults, load_plan_defaults
from .logic_model import library_with, parse_logic_model
from .plan import Plan, load_plan, who
from .counterfactual import ESTIMATED, OWN_ESTIMATE, check_observed, effects, estimated_avoided, sentence
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
    local: dict[str, tuple[float, int]] = field(default_factory=dict)  # outcome -> (saving, cases)
    #: counterfactual outcome -> (events among the people supported, comparison people, comparison events)
    observed: dict[str, tuple[int, int | None, int | None]] = field(default_factory=dict)


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


def cost_posterior(planned_cost: float, strength: float, reviews: Sequence[Observed], shape: float) -> tuple[float, float]:
    """Gamma(a, b) of the rate beta of each person's cost, Gamma(shape, beta): the prior is worth
    ``strength`` people at the planned cost (a0 = strength x shape + 1, b0 = strength x planned
    cost, so E[shape / beta] = planned cost); recorded spend S over n people gives Gamma(a0 +
    n x shape, b0 + S), and the expected cost per person (n0 x planned + S) / (n0 + n)."""
    n = sum(r.people for r in reviews)
    spent = sum(r.spent for r in reviews)
    return strength * shape + 1 + n * shape, strength * planned_cost + spent


def saving_posterior(model_saving: float, strength: float, reviews: Sequence[Observed], oid: str, shape: float) -> tuple[float, float] | None:
    """The saving per outcome where the council recorded its own cost data: the same gamma model
    as the cost per person, with cases for people (expected saving (n0 x the model's saving +
    sum cases x local saving) / (n0 + sum cases)); None where no review recorded any."""
    seen = [r.local[oid] for r in reviews if oid in r.local]
    if not seen:
        return None
    cases = sum(c for _, c in seen)
    return strength * shape + 1 + cases * shape, strength * model_saving + sum(v * c for v, c in seen)


def reach_posterior(strength: float, people: int, planned: float) -> tuple[float, float]:
    """Gamma(a, b) of the reach (people supported / planned): prior Gamma(n0, n0), mean 1 and
    worth n0 planned people; people ~ Poisson(reach x planned) gives Gamma(n0 + people, n0 + planned)."""
    return strength + people, strength + planned


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


@dataclass(frozen=True)
class Updated:
    """What the reviews so far say about the figures that decide the money."""

    rates: dict[str, tuple[float, float]]  # outcome id -> Beta(a, b)
    cost: tuple[float, float]  # Gamma(a, b) of the rate of each person's cost
    shape: float
    reach: tuple[float, float]  # Gamma(a, b) of the reach
    savings: dict[str, tuple[float, float]] = field(default_factory=dict)  # outcome -> Gamma(a, b), local data only


def _money_paths(plan: Plan, library: Library, values: dict[str, Any]) -> tuple[dict[str, float], list[str]]:
    """(unit-cost path -> that segment's planned cost, sizing-rate paths present in ``values``)."""
    iv = library.interventions[plan.intervention_id]
    costs = {f"{iv.id}.{seg.id}.unit_cost": float(seg.unit_cost.value) for seg in iv.segments if seg.unit_cost}
    sizing = [f"{iv.id}.{seg.id}.sizing.rate" for seg in iv.segments if f"{iv.id}.{seg.id}.sizing.rate" in values]
    return costs, sizing


def _saving_paths(o: Any) -> list[str]:
    return [p.removesuffix(".rate") + ".unit_saving" for p in o.paths]


def _set_money(values: dict[str, Any], plan: Plan, library: Library, rates: dict[str, Any], cost: Any, reach: Any,
               savings: dict[str, Any] | None = None, base: dict[str, Any] | None = None) -> None:
    """Put the updated figures into ``values``: each tracked rate, each segment's unit cost in
    proportion (cost per person / planned cost per person), each sizing rate x the reach, and
    each saving per outcome with local cost data (in proportion to its first segment's)."""
    costs, sizing = _money_paths(plan, library, values)
    for o in plan.outcomes:
        for path in o.paths:
            values[path] = rates[o.id]
        if savings and o.id in savings and base is not None:
            paths = [p for p in _saving_paths(o) if p in base]
            for path in paths:
                values[path] = savings[o.id] * (float(np.asarray(base[path]).ravel()[0]) /
                                                float(np.asarray(base[paths[0]]).ravel()[0]))
    planned = plan.definition["unit_cost"]
    for path, seg_cost in costs.items():
        values[path] = cost * (seg_cost / planned) if planned > 0 else values[path]
    for path in sizing:
        values[path] = values[path] * reach


def _npv(scenario: Any, settings: Any, values: dict[str, Any], params: Any) -> np.ndarray:
    """NPV per draw of the portfolio, all payers: the NPV-only route (``appraise_npv``, the same
    figures as ``appraise``'s ``metrics.npv``, without the monthly flows a review never reads), as
    the value of information (``evidence_value``) and the Monte Carlo take it."""
    return np.asarray(appraise_npv(scenario, settings, values, params).portfolio)


def simulate(
    plan: Plan,
    updated: Updated | dict[str, tuple[float, float]],
    defaults: PlanDefaults,
    library: Library,
    url: str | None = None,
) -> dict[str, Any]:
    """NPV per draw of the plan's scenario (the model at the plan's target scale, appraised with
    its document's settings: the one yardstick), with every figure drawn from its uncertainty and
    each tracked outcome rate, the cost per person and the reach drawn from their posteriors; and
    the NPV at the posterior means."""
    from ..store import open_store

    if not isinstance(updated, Updated):  # outcome rates only (cost and reach as planned)
        s = defaults.prior_strength[plan.definition["model"]["evidence_level"]].people
        updated = Updated(updated, cost_posterior(plan.definition["unit_cost"], s, [], defaults.spend.shape),
                          defaults.spend.shape, reach_posterior(s, 0, 0.0))
    doc = document_from_json(open_store(url).load_scenario_json(plan.definition["scenario_id"]))
    # The plan's document is built once (its Evaluation); the draws below are a different set of
    # values (each figure from its posterior), so they go through the engine here.
    scenario = build(doc, library)
    model = Model.build(scenario)
    sim = defaults.simulation
    values = model.draws(sim.draws, sim.seed)
    rng = np.random.default_rng([sim.seed, 15])
    rates = {o.id: rng.beta(*updated.rates[o.id], size=sim.draws) for o in plan.outcomes}
    ca, cb = updated.cost
    cost = updated.shape * cb / rng.gamma(ca, 1.0, size=sim.draws)  # shape / beta, beta ~ Gamma(ca, rate cb)
    ra, rb = updated.reach
    reach = rng.gamma(ra, 1.0 / rb, size=sim.draws)
    base = model.params.base_values(1)
    savings = {oid: updated.shape * sb / rng.gamma(sa, 1.0, size=sim.draws) for oid, (sa, sb) in updated.savings.items()}
    _set_money(values, plan, library, rates, cost, reach, savings, base)
    settings = make_settings(doc.appraisal.model_dump(mode="json"))
    npv_all = _npv(scenario, settings, values, model.params)
    net = annual(scenario, values, model.params).portfolio.sum(axis=1)
    # the NPV at the posterior means, every other figure at its value
    point = model.params.base_values(1)
    _set_money(point, plan, library, {o: np.asarray([a / (a + b)]) for o, (a, b) in updated.rates.items()},
               np.asarray([updated.shape * cb / (ca - 1)]), np.asarray([ra / rb]),
               {o: np.asarray([updated.shape * sb / (sa - 1)]) for o, (sa, sb) in updated.savings.items()}, base)
    at_means = float(_npv(scenario, settings, point, model.params)[0])
    p05, p50, p95 = np.percentile(npv_all, [5, 50, 95])
    return {
        "draws": sim.draws,
        "seed": sim.seed,
        "years": settings.years,
        "optimism_bias": settings.optimism_bias,
        "prob_saving": round(float(np.mean(npv_all > 0)), 4),
        "expected_npv": round(float(np.mean(npv_all)), 2),
        "npv_at_means": round(at_means, 2),
        "expected_gain": round(float(np.mean(np.maximum(npv_all, 0))), 2),
        "expected_loss": round(float(np.mean(np.maximum(-npv_all, 0))), 2),
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
    gain: float,
    loss: float,
    reach: float | None,
    defaults: PlanDefaults,
    *,
    spent: float = 0.0,
    budget: float | None = None,
    cost_text: str = "",
) -> tuple[str, str]:
    """(decision, the rule's clause in words), by the rule derived from stated losses
    (plans_defaults.yaml: recommendation): ``gain`` = E[max(NPV, 0)] (what stopping forgoes),
    ``loss`` = E[max(-NPV, 0)] (what carrying on loses)."""
    rule = defaults.recommendation
    gl = f"expected saving at stake {_money(gain)} against expected loss {_money(loss)}"
    stop = n_reviews >= rule.stop.min_reviews and rule.stop.forgone_weight * gain < loss
    if budget is not None and spent > budget:
        over = (
            f"spending so far ({_money(spent)}) is above the plan's whole budget ({_money(budget)}) by "
            f"{_money(spent - budget)}: money beyond the budget can never lead to more investment"
        )
        if stop:
            return "stop", f"{over}, and the {gl} is worse than {rule.stop.forgone_weight:g} to 1"
        return "reduce", f"{over}; bring spending back within the budget ({gl})"
    if gain >= rule.increase.loss_weight * loss:
        if n_reviews >= rule.increase.min_reviews:
            return "increase", (
                f"the {gl}: the saving outweighs {rule.increase.loss_weight:g} times the loss, after "
                f"{n_reviews} reviews"
            )
        return "continue", f"the {gl}, but it needs {rule.increase.min_reviews} reviews before investment rises"
    if gain >= loss:
        return "continue", f"the {gl}: the expected NPV is not negative"
    if stop:
        return "stop", (
            f"the {gl}: the loss is more than {rule.stop.forgone_weight:g} times the saving after {n_reviews} reviews"
        )
    if reach is not None and reach < rule.reduce.max_reach:
        return "reduce", (
            f"the {gl} (a negative expected NPV) and only {_pct(reach)} of the planned people were supported "
            f"(below {_pct(rule.reduce.max_reach)}): scale down to the demand seen while the outcomes are tested"
        )
    return "redesign", (
        f"the {gl} (a negative expected NPV) although the planned people came: {cost_text or 'the outcomes'} "
        "fall short of what pays for the service"
    )


def _model_savings(plan: Plan, library: Library) -> dict[str, float]:
    """Each tracked outcome's saving in the model (its first segment with the outcome)."""
    iv = library.interventions[plan.intervention_id]
    out: dict[str, float] = {}
    for seg in iv.segments:
        for o in seg.outcomes:
            if o.unit_saving is not None and o.id not in out:
                out[o.id] = float(o.unit_saving.value)
    return out


def with_estimates(plan: Plan, reviews: Sequence[Observed]) -> tuple[list[Observed], set[str]]:
    """The reviews with each count left out of an outcome a counterfactual ``informs`` filled in
    by the events avoided estimated from it; and the outcomes so estimated."""
    cf = plan.definition.get("counterfactual", [])
    estimated: set[str] = set()
    if not any(c.get("informs") for c in cf):
        return list(reviews), estimated
    filled = []
    for r in reviews:
        est = estimated_avoided(cf, r)
        estimated |= set(est)
        filled.append(replace(r, outcomes={**r.outcomes, **est}) if est else r)
    return filled, estimated


def assess(
    plan: Plan,
    reviews: Sequence[Observed],
    *,
    defaults: PlanDefaults | None = None,
    library: Library | None = None,
    url: str | None = None,
) -> dict[str, Any]:
    """Everything a review reports, from all reviews so far: each outcome's prior and
    posterior with its target, the cost per person and the reach with theirs, people and spend
    against plan, the simulation, and the recommendation with its reason."""
    d = defaults or load_plan_defaults()
    lib = _plan_library(plan, url, library)
    reviews, estimated = with_estimates(plan, reviews)
    level = plan.definition["model"]["evidence_level"]
    strength = d.prior_strength[level].people
    people = sum(r.people for r in reviews)
    outcomes, posts, savings = [], {}, {}
    model_savings = _model_savings(plan, lib)
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
            "achieved": round(achieved, 6) if isinstance(achieved, float) else achieved,
            "people": people,
            "observed_rate": round(achieved / people, 6) if people else None,
            "posterior": {"a": round(a, 6), "b": round(b, 6), "mean": round(mean, 6), "p05": round(lo, 6), "p95": round(hi, 6)},
            "break_even_rate": o.break_even_rate,
            "on_target": on_target,
            "counted_as": ESTIMATED if o.id in estimated else OWN_ESTIMATE,
        })
        sp = saving_posterior(model_savings.get(o.id, 0.0), strength, reviews, o.id, d.spend.shape)
        if sp is not None and o.id in model_savings:
            savings[o.id] = sp
            outcomes[-1]["unit_saving"] = {
                "model": model_savings[o.id], "local_cases": sum(r.local[o.id][1] for r in reviews if o.id in r.local),
                "a": round(sp[0], 6), "b": round(sp[1], 6), "mean": round(d.spend.shape * sp[1] / (sp[0] - 1), 2),
            }
    start = plan.start
    end = reviews[-1].period_end if reviews else plan.start
    planned = plan.planned_people(start, end) if reviews else 0.0
    planned_spend = plan.planned_spend(start, end) if reviews else 0.0
    spent = sum(r.spent for r in reviews)
    reach = people / planned if planned > 0 else None
    unit = plan.definition["unit_cost"]
    shape = d.spend.shape
    cost = cost_posterior(unit, strength, reviews, shape)
    reach_post = reach_posterior(strength, people, planned)
    cost_mean = shape * cost[1] / (cost[0] - 1)
    sim = simulate(plan, Updated(posts, cost, shape, reach_post, savings), d, lib, url)
    budget = float(plan.definition["spec"]["budget"]["value"])
    cost_text = ""
    if cost_mean > unit * 1.1 and all(o["on_target"] is not False for o in outcomes):
        cost_text = f"the cost per person (now estimated at {_money(cost_mean)}, planned {_money(unit)})"
    decision, why = recommend(len(reviews), sim["expected_gain"], sim["expected_loss"], reach, d,
                              spent=spent, budget=budget, cost_text=cost_text)
    counterfactual = effects(plan.definition.get("counterfactual", []), reviews)
    cf_text = "".join(f" Against the counterfactual, {sentence(e)}." for e in counterfactual)
    return {
        "reviews": len(reviews),
        "to": end.isoformat(),
        "people_supported": people,
        "planned_people": round(planned, 1),
        "reach": None if reach is None else round(reach, 4),
        "money_spent": round(spent, 2),
        "planned_spend": round(planned_spend, 2),
        "budget": budget,
        "cost_per_person": round(spent / people, 2) if people else None,
        "updated": {
            "cost_per_person": {"planned": unit, "a": round(cost[0], 6), "b": round(cost[1], 6), "shape": shape,
                                "mean": round(cost_mean, 2)},
            "reach": {"a": round(reach_post[0], 6), "b": round(reach_post[1], 6),
                      "mean": round(reach_post[0] / reach_post[1], 6)},
        },
        "outcomes": outcomes,
        "simulation": sim,
        "decision": decision,
        "reason": reason_text(decision, why, sim, outcomes, people, len(reviews), cost_mean, reach_post)
        + _spend_text(spent, planned_spend) + cf_text,
        "counterfactual": counterfactual,
        "rule": "data/plans_defaults.yaml: recommendation",
    }


def reason_text(decision: str, why: str, sim: dict[str, Any], outcomes: list[dict[str, Any]], people: int, n: int,
                cost_mean: float | None = None, reach_post: tuple[float, float] | None = None) -> str:
    parts = []
    for o in outcomes:
        seen = "estimated from the counterfactual" if o.get("counted_as") == ESTIMATED else "seen"
        rate = "no one supported yet" if o["observed_rate"] is None else f"{_pct(o['observed_rate'])} {seen}"
        target = "no break-even target" if o["break_even_rate"] is None else f"break-even target {_pct(o['break_even_rate'])}"
        parts.append(f"'{o['description']}': now estimated at {_pct(o['posterior']['mean'])} ({rate}; {target})")
    if cost_mean is not None:
        parts.append(f"cost per person now estimated at {_money(cost_mean)}")
    if reach_post is not None:
        parts.append(f"reach {_pct(reach_post[0] / reach_post[1])} of the planned people")
    return (
        f"{WORDS[decision]}: {why}. After {n} review{'s' if n != 1 else ''} ({people:,} people supported), "
        f"expected NPV {_money(sim['expected_npv'])} over {sim['years']} years "
        f"(P(saves money) {_pct(sim['prob_saving'])}); " + "; ".join(parts) + "."
    )


def _spend_text(spent: float, planned: float) -> str:
    """A word on spending when it is more than 10% off the plan (it enters the decision through
    the cost per person; over the whole budget it is a hard rule)."""
    if planned <= 0 or abs(spent - planned) <= 0.1 * planned:
        return ""
    side = "above" if spent > planned else "below"
    return f" Spending so far ({_money(spent)}) is {abs(spent / planned - 1):.0%} {side} the plan ({_money(planned)})."


# -- recording a review ----------------------------------------------------------------------


def observed(row: Any) -> Observed:
    return Observed(
        row.period_start, row.period_end, row.people_supported,
        {o.outcome_id: o.achieved for o in row.outcomes}, float(row.money_spent),
        {o.outcome_id: (float(o.local_saving), int(o.local_cases)) for o in row.outcomes if o.local_cases},
        {o.measure_id: (o.events, o.comparison_people, o.comparison_events) for o in row.observations},
    )


def check_actuals(plan: Plan, actuals: Actuals, previous: Sequence[Observed], name: str) -> dt.date:
    """One-line PlanErrors for actuals that do not fit the plan; returns the period's start."""
    if actuals.plan is not None and actuals.plan != plan.id:
        raise PlanError(f"{name}: plan: {actuals.plan!r} does not match the plan being reviewed, {plan.id!r}")
    ids = [o.id for o in plan.outcomes]
    for oid in actuals.outcomes:
        if oid not in ids:
            raise PlanError(f"{name}: outcomes.{oid}: unknown outcome; the outcomes of plan {plan.id!r} are: {', '.join(ids)}")
    for oid in actuals.local_savings:
        if oid not in ids:
            raise PlanError(
                f"{name}: local_savings.{oid}: unknown outcome; the outcomes of plan {plan.id!r} are: {', '.join(ids)}"
            )
    informed = {c["informs"]: c["id"] for c in plan.definition.get("counterfactual", []) if c.get("informs")}
    for oid in ids:
        if oid not in actuals.outcomes and oid not in informed:
            raise PlanError(f"{name}: outcomes.{oid}: missing; give how many people achieved each of: {', '.join(ids)}")
    if actuals.observed or plan.definition.get("counterfactual"):
        check_observed(plan.definition.get("counterfactual", []), actuals.observed, plan.id, name)
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
    actor: str | None = None,
) -> dict[str, Any]:
    """Check and save one review with its recommendation (one transaction, with its audit line
    naming ``actor``, default who recorded it); returns the review record as ``reviews list``
    prints it."""
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
    local = {oid: (float(v.saving), int(v.cases)) for oid, v in actuals.local_savings.items()}
    seen = {cid: (o.events, o.comparison_people, o.comparison_events) for cid, o in actuals.observed.items()}
    this = Observed(start, actuals.period_end, actuals.people_supported, dict(actuals.outcomes), float(actuals.money_spent),
                    local, seen)
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
    number = open_store(url).add_review(review, dict(actuals.outcomes), rec, len(previous) + 1, local, seen,
                                        actor=actor)
    return {"plan": plan.id, "number": number, "recorded_by": review.recorded_by,
            "recorded_at": stamp.isoformat(), **result}


def list_reviews(plan_id: str, *, url: str | None = None) -> list[dict[str, Any]]:
    _, row = load_plan(plan_id, url=url)
    return [review_record(r) for r in row.reviews]
