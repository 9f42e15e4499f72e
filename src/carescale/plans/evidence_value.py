"""How much evidence is enough (issue 24, the "evidence trap"; docs/plans.md, "How much evidence
is enough"): the expected value of perfect information (EVPI) and of sample information (EVSI)
for a plan, from its reviews so far.

The decision is the one the reviews make: carry on (the service's NPV) or stop (0). With the NPV
drawn as a review draws it (every figure from its uncertainty; the outcome rates, the cost per
person and the reach from their posteriors):

* **EVPI** = E[max(NPV, 0)] - max(E[NPV], 0): what knowing every figure would be worth (it is
  min(G, L) of the review: the smaller of the saving at stake and the loss at stake).
* **EVPPI** (partial: the figures reviews can learn, the outcome rates, the cost per person and
  the reach) = E[max(E[NPV | those figures], 0)] - max(E[NPV], 0). No amount of local data is
  worth more than this.
* **EVSI** of more data (another n review periods, whose people are Poisson(reach x planned), or N
  more people) = E_data[max(E[NPV | data], 0)] - max(E[NPV], 0).

E[NPV | data] comes from the regression method of Strong, Oakley, Brennan and Breeze (2015,
Medical Decision Making 35:570): the data are simulated from each draw (outcomes Binomial(people,
rate), spend Gamma(people x shape, rate of the cost), people Poisson(reach x planned)), the
conjugate updates of the reviews give each draw's posterior means, and the NPV per draw is
regressed on them. The NPV is reach x (sum of rate x saving - cost per person) x factors that do
not depend on the data, so the regressors reach, reach x rate and reach x cost per person (and
each alone) span E[NPV | data] exactly; ordinary least squares only adds Monte Carlo noise.
:func:`nested_evsi` is the brute-force nested Monte Carlo that checks it (a test, within 5%).

The cost of evidence is what running the service for the people it needs is expected to lose
while they are supported: their cost per person less the savings their outcomes bring in the year
(posterior means), when that is a loss, else nothing (a service expected to pay for itself
gathers evidence for free); ``cost_per_person`` replaces it by a figure of the user's (for
example an evaluation's cost per person). Savings that come after the year are not credited, so
the answer errs towards deciding sooner. The expected net gain of an option is its EVSI less its
cost; more evidence is not worth its cost when no option gains. The decision is *clear* after
the first number of periods whose remaining value, EVPPI - EVSI (what local data could still
tell), is below 10% of today's EVPPI.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ..errors import PlanError
from ..formatting import money
from ..library import Library
from .defaults import PlanDefaults, load_plan_defaults
from .plan import Plan, load_plan
from .review import (
    Observed,
    Updated,
    _plan_library,
    _set_money,
    cost_posterior,
    observed,
    posterior,
    prior,
    reach_posterior,
    saving_posterior,
    with_estimates,
    _model_savings,
)
from .scenario_adapter import build, document_from_json

MAX_PERIODS = 40
CLEAR = 0.10  # the decision is clear once less than this share of today's EVPPI is left to learn
MAX_DRAWS = 1_000_000


@dataclass
class Setup:
    """The plan's scenario and the reviews' posteriors, ready to draw."""

    plan: Plan
    reviews: list[Observed]
    updated: Updated
    scenario: Any
    settings: Any
    model: Any
    base: dict[str, Any]
    library: Library
    defaults: PlanDefaults

    @property
    def ids(self) -> list[str]:
        return [o.id for o in self.plan.outcomes]


def current(plan: Plan, reviews: Sequence[Observed], d: PlanDefaults, lib: Library) -> Updated:
    """The posteriors after ``reviews`` (as :func:`carescale.plans.review.assess` forms them)."""
    level = plan.definition["model"]["evidence_level"]
    strength = d.prior_strength[level].people
    shape = d.spend.shape
    rates = {o.id: posterior(*prior(o.evidence_rate, level, d), reviews, o.id) for o in plan.outcomes}
    model_savings = _model_savings(plan, lib)
    savings = {}
    for o in plan.outcomes:
        sp = saving_posterior(model_savings.get(o.id, 0.0), strength, reviews, o.id, shape)
        if sp is not None and o.id in model_savings:
            savings[o.id] = sp
    people = sum(r.people for r in reviews)
    planned = plan.planned_people(plan.start, reviews[-1].period_end) if reviews else 0.0
    return Updated(rates, cost_posterior(plan.definition["unit_cost"], strength, reviews, shape), shape,
                   reach_posterior(strength, people, planned), savings)


def setup(plan_id: str, *, url: str | None = None, library: Library | None = None,
          defaults: PlanDefaults | None = None) -> Setup:
    from ..appraisal import make_settings
    from ..store import open_store
    from ..uncertainty import Model

    d = defaults or load_plan_defaults()
    plan, row = load_plan(plan_id, url=url)
    reviews, _ = with_estimates(plan, [observed(r) for r in row.reviews])
    lib = _plan_library(plan, url, library)
    doc = document_from_json(open_store(url).load_scenario_json(plan.definition["scenario_id"]))
    scenario = build(doc, lib)
    model = Model.build(scenario)
    settings = make_settings(doc.appraisal.model_dump(mode="json"))
    return Setup(plan, reviews, current(plan, reviews, d, lib), scenario, settings, model,
                 model.params.base_values(1), lib, d)


# -- drawing ---------------------------------------------------------------------------------


def draw_learnable(s: Setup, n: int, rng: np.random.Generator, updated: Updated | None = None) -> dict[str, Any]:
    """Rates, cost per person and reach drawn from their posteriors (the figures reviews learn)."""
    u = updated or s.updated
    rates = {oid: rng.beta(*u.rates[oid], size=n) for oid in s.ids}
    ca, cb = u.cost
    cost = u.shape * cb / rng.gamma(ca, 1.0, size=n)
    ra, rb = u.reach
    return {"rates": rates, "cost": cost, "reach": rng.gamma(ra, 1.0 / rb, size=n)}


def _draw_conditional(s: Setup, post: dict[str, Any], rng: np.random.Generator, k: int) -> dict[str, Any]:
    """k draws from each outer sample's own posterior (arrays of shape (J,)), flattened (J x k)."""
    rates = {oid: rng.beta(np.repeat(a, k), np.repeat(b, k)) for oid, (a, b) in post["rates"].items()}
    cost = s.updated.shape * np.repeat(post["cost_b"], k) / rng.gamma(np.repeat(post["cost_a"], k))
    reach = rng.gamma(np.repeat(post["reach_a"], k)) / np.repeat(post["reach_b"], k)
    return {"rates": rates, "cost": cost, "reach": reach}


def npv(s: Setup, learn: dict[str, Any], other: dict[str, Any], rng_savings: np.random.Generator | None = None) -> np.ndarray:
    """NPV per draw (the fast NPV route, the same figures as the appraisal) with the learnable
    figures ``learn`` and every other figure from ``other`` (the uncertainty module's draws)."""
    from ..appraisal import appraise_npv

    values = dict(other)
    n = len(learn["cost"])
    savings = {}
    if s.updated.savings:
        rng = rng_savings or np.random.default_rng(0)
        savings = {oid: s.updated.shape * sb / rng.gamma(sa, 1.0, size=n) for oid, (sa, sb) in s.updated.savings.items()}
    _set_money(values, s.plan, s.library, learn["rates"], learn["cost"], learn["reach"], savings, s.base)
    return np.asarray(appraise_npv(s.scenario, s.settings, values, s.model.params).portfolio)


def simulate_data(s: Setup, learn: dict[str, Any], option: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """Data of ``option`` simulated from each draw, and each draw's posterior after it:
    people ~ Poisson(reach x planned) (a period option) or N (a people option); outcomes
    Binomial(people, rate); spend Gamma(people x shape, rate of the cost)."""
    u = s.updated
    n = len(learn["cost"])
    if option["kind"] == "periods":
        people = rng.poisson(learn["reach"] * option["planned_people"])
        planned = option["planned_people"]
    else:
        people = np.full(n, option["people"], dtype=np.int64)
        planned = 0.0
    post: dict[str, Any] = {"rates": {}}
    for oid in s.ids:
        a, b = u.rates[oid]
        k = rng.binomial(people, learn["rates"][oid])
        post["rates"][oid] = (a + k, b + people - k)
    beta = u.shape / learn["cost"]  # each person's cost ~ Gamma(shape, rate beta): mean shape / beta
    spend = np.where(people > 0, rng.gamma(np.maximum(people, 1) * u.shape) / beta, 0.0)
    post["cost_a"] = u.cost[0] + people * u.shape
    post["cost_b"] = u.cost[1] + spend
    post["reach_a"] = u.reach[0] + people
    post["reach_b"] = np.full(n, u.reach[1] + planned)
    return post


def features(rates: dict[str, np.ndarray], cost: np.ndarray, reach: np.ndarray) -> np.ndarray:
    """Regressors spanning E[NPV | data]: 1, reach, reach x each rate, reach x cost, each rate, cost."""
    cols = [np.ones_like(cost), reach, *(reach * r for r in rates.values()), reach * cost, *rates.values(), cost]
    return np.column_stack(cols)


def posterior_means(s: Setup, post: dict[str, Any]) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    rates = {oid: a / (a + b) for oid, (a, b) in post["rates"].items()}
    cost = s.updated.shape * post["cost_b"] / (post["cost_a"] - 1)
    reach = post["reach_a"] / post["reach_b"]
    return rates, cost, reach


def fitted(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Ordinary least squares fitted values (columns scaled first, for a stable solve)."""
    scale = np.maximum(np.abs(x).max(axis=0), 1e-300)
    coef, *_ = np.linalg.lstsq(x / scale, y, rcond=None)
    return (x / scale) @ coef


def value(g: np.ndarray) -> float:
    """E[max(g, 0)] - max(E[g], 0): the value of deciding on g rather than on its mean."""
    return float(np.mean(np.maximum(g, 0.0)) - max(float(np.mean(g)), 0.0))


# -- the options -----------------------------------------------------------------------------


def next_periods(plan: Plan, reviews: Sequence[Observed], n: int) -> tuple[float, str]:
    """(planned people, last day) of the next ``n`` review periods after the last review, from
    the plan's schedule; past the plan's end, its last period repeats."""
    last = reviews[-1].period_end if reviews else plan.start - dt.timedelta(days=1)
    sched = [p for p in plan.definition["schedule"] if dt.date.fromisoformat(p["end"]) > last]
    if not sched:
        sched = plan.definition["schedule"][-1:]
    people = 0.0
    end = sched[0]["end"]
    for i in range(n):
        p = sched[min(i, len(sched) - 1)]
        people += p["planned_people"]
        end = p["end"] if i < len(sched) else f"{p['end']} + {i - len(sched) + 1} period(s) past the plan"
    return people, end


def _check(periods: Sequence[int], people: Sequence[int], draws: int) -> None:
    for p in periods:
        if not 1 <= p <= MAX_PERIODS:
            raise PlanError(f"--periods: {p} is not valid; give whole numbers of review periods from 1 to {MAX_PERIODS}")
    for n in people:
        if not 1 <= n <= 1_000_000:
            raise PlanError(f"--people: {n} is not valid; give whole numbers of people from 1 to 1,000,000")
    if not 100 <= draws <= MAX_DRAWS:
        raise PlanError(f"--draws: {draws} is not valid; give 100 to {MAX_DRAWS:,} draws")


def value_of_information(
    plan_id: str,
    *,
    periods: Sequence[int] = (1, 2, 4, 8, 12),
    people: Sequence[int] = (),
    draws: int | None = None,
    seed: int | None = None,
    cost_per_person: float | None = None,
    url: str | None = None,
    library: Library | None = None,
    defaults: PlanDefaults | None = None,
) -> dict[str, Any]:
    """EVPI, EVPPI (the figures reviews learn) and EVSI of each option (``periods``: another n
    review periods; ``people``: N more people), each with its cost and net gain, and what they
    say: how long the pilot needs to run, or that more evidence is not worth its cost."""
    d = defaults or load_plan_defaults()
    n = int(draws or d.simulation.draws)
    _check(periods, people, n)
    if cost_per_person is not None and not 0 <= cost_per_person <= 1e9:
        raise PlanError(f"--cost-per-person: {cost_per_person:g} is not valid; give pounds, 0 or more")
    s = setup(plan_id, url=url, library=library, defaults=d)
    seed = d.simulation.seed if seed is None else int(seed)
    rng = np.random.default_rng([seed, 24])
    learn = draw_learnable(s, n, rng)
    other = s.model.draws(n, seed)
    y = npv(s, learn, other, np.random.default_rng([seed, 25]))
    evpi = value(y)
    evppi = value(fitted(y, features(learn["rates"], learn["cost"], learn["reach"])))
    unit = float(cost_per_person) if cost_per_person is not None else net_loss_per_person(s)
    reach_mean = s.updated.reach[0] / s.updated.reach[1]
    options = []
    for k in sorted(set(periods)):
        planned, end = next_periods(s.plan, s.reviews, k)
        options.append({"kind": "periods", "periods": k, "planned_people": planned, "until": end,
                        "expected_people": planned * reach_mean})
    for m in sorted(set(people)):
        options.append({"kind": "people", "people": m, "expected_people": float(m)})
    for opt in options:
        post = simulate_data(s, learn, opt, np.random.default_rng([seed, 26, opt.get("periods", 0), opt.get("people", 0)]))
        g = fitted(y, features(*posterior_means(s, post)))
        opt["evsi"] = value(g)
        opt["cost"] = opt["expected_people"] * unit
        opt["net_gain"] = opt["evsi"] - opt["cost"]
        opt["remaining"] = max(evppi - opt["evsi"], 0.0)
    answer = advice(evpi, evppi, options, unit)
    mean = float(np.mean(y))
    return {
        "plan": s.plan.id,
        "reviews": len(s.reviews),
        "draws": n,
        "seed": seed,
        "expected_npv": round(mean, 2),
        "decision_now": "carry on" if mean >= 0 else "stop",
        "evpi": round(evpi, 2),
        "evppi": round(evppi, 2),
        "cost_per_person": round(unit, 2),
        "options": [{k: (round(v, 2) if isinstance(v, float) else v) for k, v in o.items()} for o in options],
        "advice": answer,
        "method": "EVSI by regression on the posterior means (Strong et al. 2015); see docs/plans.md",
    }


def net_loss_per_person(s: Setup) -> float:
    """What supporting one more person is expected to lose in the year: the cost per person less
    the savings of their outcomes (posterior means), when that is a loss, else 0."""
    u = s.updated
    cost = u.shape * u.cost[1] / (u.cost[0] - 1)
    model = _model_savings(s.plan, s.library)
    saving = 0.0
    for oid, (a, b) in u.rates.items():
        sv = u.shape * u.savings[oid][1] / (u.savings[oid][0] - 1) if oid in u.savings else model.get(oid, 0.0)
        saving += a / (a + b) * sv
    return max(cost - saving, 0.0)


def advice(evpi: float, evppi: float, options: list[dict[str, Any]], unit: float) -> str:
    """What the figures say, in words."""
    per = [o for o in options if o["kind"] == "periods"]
    head = (f"Knowing every figure would be worth {money(evpi)} (EVPI); what reviews can learn (outcome rates, cost "
            f"per person, reach) at most {money(evppi)}.")
    parts = [head]
    clear = next((o for o in per if o["remaining"] < CLEAR * evppi), None)
    if clear is not None:
        parts.append(f"The decision is clear after {clear['periods']} more review period"
                     f"{'s' if clear['periods'] != 1 else ''} (to {clear['until']}): less than {CLEAR:.0%} of that "
                     f"value is then left to learn ({money(clear['remaining'])}).")
    elif per:
        parts.append(f"Even {per[-1]['periods']} more review periods leave {money(per[-1]['remaining'])} to learn.")
    enough = next((o for o in options if o["kind"] == "people" and o["remaining"] < CLEAR * evppi), None)
    if enough is not None:
        parts.append(f"{enough['people']:,} more people would make it clear too "
                     f"({money(enough['remaining'])} left to learn).")
    best = max(options, key=lambda o: o["net_gain"]) if options else None
    if best is None or best["net_gain"] <= 0:
        parts.append(f"More evidence is not worth its cost (at {money(unit)} a person): decide now.")
    else:
        what = (f"{best['periods']} more review period{'s' if best['periods'] != 1 else ''} (to {best['until']})"
                if best["kind"] == "periods" else f"{best['people']:,} more people")
        parts.append(f"The best buy is {what}: the evidence is worth {money(best['evsi'])} against its cost "
                     f"{money(best['cost'])} ({money(unit)} a person).")
    return " ".join(parts)


# -- the check: brute-force nested Monte Carlo --------------------------------------------------


def nested_evsi(s: Setup, option: dict[str, Any] | None, outer: int, inner: int, seed: int,
                learn: dict[str, Any] | None = None, post: dict[str, Any] | None = None) -> tuple[float, np.ndarray]:
    """EVSI of ``option`` (or EVPPI when ``option`` is None) by nested Monte Carlo: for each of
    ``outer`` draws of the learnable figures (and, for EVSI, the data simulated from them), the
    expected NPV over ``inner`` draws of everything still uncertain (for EVSI the learnable
    figures from that draw's own posterior, and every other figure; for EVPPI every other figure
    with the learnable ones fixed), through the engine; returns (EVSI, the inner means). Every
    inner draw is drawn afresh (no common random numbers: a shared inner set would shift every
    inner mean alike)."""
    rng = np.random.default_rng([seed, 27])
    if learn is None:
        learn = draw_learnable(s, outer, rng)
    other = s.model.draws(outer * inner, seed + 1)  # every inner draw its own
    if option is None:
        inner_learn = {"rates": {k: np.repeat(v, inner) for k, v in learn["rates"].items()},
                       "cost": np.repeat(learn["cost"], inner), "reach": np.repeat(learn["reach"], inner)}
    else:
        if post is None:
            post = simulate_data(s, learn, option, np.random.default_rng([seed, 28]))
        inner_learn = _draw_conditional(s, post, rng, inner)
    y = npv(s, inner_learn, other, np.random.default_rng([seed, 29])).reshape(outer, inner)
    g = y.mean(axis=1)
    return value(g), g


def _first(d: Any, j: int) -> Any:
    """The first ``j`` outer draws of a nest of draws (dicts and (a, b) pairs of arrays)."""
    if isinstance(d, dict):
        return {k: _first(v, j) for k, v in d.items()}
    if isinstance(d, tuple):
        return tuple(_first(v, j) for v in d)
    return d[:j] if np.size(d) > 1 else d


def check_against_nested(s: Setup, periods: int, *, draws: int, outer: int, inner: int, seed: int) -> dict[str, float]:
    """The regression's EVSI of ``periods`` more review periods and its EVPPI, against
    brute-force nested Monte Carlo on the same first ``outer`` draws (the regression fitted on
    all ``draws``): {"evsi", "evsi_nested", "evppi", "evppi_nested", "evsi_all", "evppi_all"}."""
    planned, _ = next_periods(s.plan, s.reviews, periods)
    opt = {"kind": "periods", "periods": periods, "planned_people": planned}
    learn = draw_learnable(s, draws, np.random.default_rng([seed, 1]))
    y = npv(s, learn, s.model.draws(draws, seed))
    post = simulate_data(s, learn, opt, np.random.default_rng([seed, 2]))
    g = fitted(y, features(*posterior_means(s, post)))
    gp = fitted(y, features(learn["rates"], learn["cost"], learn["reach"]))
    lo, po = _first(learn, outer), _first(post, outer)
    evsi_n, _ = nested_evsi(s, opt, outer, inner, seed, learn=lo, post=po)
    evppi_n, _ = nested_evsi(s, None, outer, inner, seed, learn=lo)
    return {"evsi": value(g[:outer]), "evsi_nested": evsi_n, "evppi": value(gp[:outer]), "evppi_nested": evppi_n,
            "evsi_all": value(g), "evppi_all": value(gp), "evpi_all": value(y)}
