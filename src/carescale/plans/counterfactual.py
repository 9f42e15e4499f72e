"""A counterfactual for observed outcomes (issue 24; docs/plans.md, "A counterfactual for
observed outcomes").

A review records what was *observed* among the people served (care-home admissions, care
packages started, people still at home); the plan carries what would be expected *without* the
service, and the effect is the difference, with its uncertainty:

* **A baseline rate** (the council's own official data, ASCOF 2A2, or a rate from the evidence):
  r events a year per person. Over reviews with people n_i and periods of d_i days, the events
  expected without the service are E = sum n_i x r x d_i / 365.25, taken as known (the official
  rate rests on hundreds of events over the whole 65+ population). The events observed K are
  Poisson with mean mu; the effect is the difference K - E (events avoided E - K), with the
  exact (Garwood) 95% confidence interval of mu, [chi2(0.025; 2K) / 2, chi2(0.975; 2K + 2) / 2],
  minus E; the rate ratio K / E with the same interval over E.
* **A comparison group** (matched, or a waiting list) the council records at each review: K1
  events among N1 people served, K0 among N0 in the comparison group over the same periods. The
  effect is the difference in risk K1 / N1 - K0 / N0 with Newcombe's hybrid score 95% interval
  (from each group's Wilson interval), and the events avoided N1 x (K0 / N0 - K1 / N1).

Counts of outcomes *avoided* that a review gives directly (the plan's tracked outcomes) remain
possible: they are labelled as the user's own estimate wherever they are shown.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Sequence

from ..errors import PlanError

DAYS_PER_YEAR = 365.25
LEVEL = 0.95
#: How a review's own outcome counts are labelled (no counterfactual stands behind them).
OWN_ESTIMATE = "your own estimate of outcomes avoided (no counterfactual)"


def resolve(spec: Any, area: Any, name: str, tracked: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The plan's counterfactual outcomes as stored with its definition: each with its baseline
    resolved (an official rate read for the plan's council, with its source and row)."""
    from ..official.baselines import OFFICIAL_BASELINES, official_baseline
    from ..errors import OfficialDataError

    out = []
    for i, c in enumerate(spec.counterfactual):
        b = c.baseline
        where = f"{name}: counterfactual[{c.id}].baseline.official"
        if b.official is not None:
            try:
                base = official_baseline(b.official, getattr(area, "ons_code", None), where)
            except OfficialDataError as exc:
                raise PlanError(exc.message) from None
            baseline = {"kind": "official", "rate": base.rate, "what": OFFICIAL_BASELINES[b.official][2],
                        "figure": base.as_dict()}
        elif b.rate is not None:
            baseline = {"kind": "evidence", "rate": float(b.rate.value),
                        "ref": b.rate.ref.model_dump(mode="json") if b.rate.ref else None}
        else:
            baseline = {"kind": "comparison", "comparison": b.comparison}
        item = {"id": c.id, "description": c.description, "baseline": baseline}
        if c.informs is not None:
            if c.informs not in tracked:
                raise PlanError(
                    f"{name}: counterfactual[{c.id}].informs: unknown outcome {c.informs!r}; the outcomes of the model "
                    f"are: {', '.join(tracked)}"
                )
            item["informs"] = c.informs
        out.append(item)
    return out


def check_observed(plan_counterfactual: list[dict[str, Any]], observed: dict[str, Any], plan_id: str, name: str) -> None:
    """One-line PlanErrors: an unknown outcome, a missing one, comparison counts missing for a
    comparison-group baseline or given for a baseline rate."""
    ids = [c["id"] for c in plan_counterfactual]
    for cid in observed:
        if cid not in ids:
            valid = f"the observed outcomes of plan {plan_id!r} are: {', '.join(ids)}" if ids else (
                f"plan {plan_id!r} has no counterfactual outcomes (add a counterfactual block to the plan)")
            raise PlanError(f"{name}: observed.{cid}: unknown outcome; {valid}")
    for c in plan_counterfactual:
        ob = observed.get(c["id"])
        if ob is None:
            raise PlanError(
                f"{name}: observed.{c['id']}: missing; give the events seen among the people supported for each of: "
                f"{', '.join(ids)}"
            )
        comparison = c["baseline"]["kind"] == "comparison"
        if comparison and ob.comparison_people is None:
            raise PlanError(
                f"{name}: observed.{c['id']}: the baseline is a {c['baseline']['comparison']} comparison group; "
                "give comparison_people and comparison_events for the same period"
            )
        if not comparison and ob.comparison_people is not None:
            raise PlanError(
                f"{name}: observed.{c['id']}: comparison_people: the baseline is a rate "
                f"({c['baseline']['kind']}); a comparison group is not used, leave it out"
            )


def poisson_interval(k: int, level: float = LEVEL) -> tuple[float, float]:
    """Exact (Garwood) interval of a Poisson mean from k events."""
    from scipy.stats import chi2

    a = (1 - level) / 2
    lo = 0.0 if k == 0 else float(chi2.ppf(a, 2 * k)) / 2
    hi = float(chi2.ppf(1 - a, 2 * k + 2)) / 2
    return lo, hi


def wilson(k: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """Wilson score interval of a proportion k / n (scipy's binomtest)."""
    from scipy.stats import binomtest

    ci = binomtest(k, n).proportion_ci(confidence_level=level, method="wilson")
    return float(ci.low), float(ci.high)


def newcombe(k1: int, n1: int, k0: int, n0: int, level: float = LEVEL) -> tuple[float, float, float]:
    """(p1 - p0, lower, upper): Newcombe's hybrid score interval (method 10, 1998)."""
    p1, p0 = k1 / n1, k0 / n0
    l1, u1 = wilson(k1, n1, level)
    l0, u0 = wilson(k0, n0, level)
    d = p1 - p0
    return d, d - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)


def _days(r: Any) -> int:
    return (r.period_end - r.period_start).days + 1


def effect(c: dict[str, Any], reviews: Sequence[Any]) -> dict[str, Any]:
    """The effect so far on one counterfactual outcome, over every review that recorded it
    (``reviews``: the assessment's ``Observed`` rows)."""
    seen = [(r, r.observed[c["id"]]) for r in reviews if c["id"] in getattr(r, "observed", {})]
    people = sum(r.people for r, _ in seen)
    k = sum(o[0] for _, o in seen)
    out: dict[str, Any] = {"id": c["id"], "description": c["description"], "baseline": c["baseline"],
                           "reviews": len(seen), "people": people, "observed": k, "level": LEVEL}
    if not seen or people == 0:
        return out | {"estimate": None, "note": "no one supported yet"}
    if c["baseline"]["kind"] == "comparison":
        n0 = sum(o[1] or 0 for _, o in seen)
        k0 = sum(o[2] or 0 for _, o in seen)
        if n0 == 0:
            return out | {"comparison_people": 0, "comparison_events": k0, "estimate": None,
                          "note": "no one in the comparison group yet"}
        d, lo, hi = newcombe(k, people, k0, n0)
        return out | {
            "method": "difference in risk, Newcombe hybrid score interval",
            "comparison_people": n0, "comparison_events": k0,
            "risk_served": k / people, "risk_comparison": k0 / n0,
            "expected": people * k0 / n0,
            "difference": d, "difference_low": lo, "difference_high": hi,
            "avoided": -d * people, "avoided_low": -hi * people, "avoided_high": -lo * people,
        }
    rate = c["baseline"]["rate"]
    expected = sum(r.people * rate * _days(r) / DAYS_PER_YEAR for r, _ in seen)
    lo, hi = poisson_interval(k)
    return out | {
        "method": "observed minus expected, exact Poisson interval (baseline rate taken as known)",
        "rate_per_person_year": rate,
        "person_years": sum(r.people * _days(r) / DAYS_PER_YEAR for r, _ in seen),
        "expected": expected,
        "difference": k - expected, "difference_low": lo - expected, "difference_high": hi - expected,
        "avoided": expected - k, "avoided_low": expected - hi, "avoided_high": expected - lo,
        "rate_ratio": k / expected if expected > 0 else None,
        "rate_ratio_low": lo / expected if expected > 0 else None,
        "rate_ratio_high": hi / expected if expected > 0 else None,
    }


def effects(plan_counterfactual: list[dict[str, Any]], reviews: Sequence[Any]) -> list[dict[str, Any]]:
    return [_rounded(effect(c, reviews)) for c in plan_counterfactual]


def _rounded(d: dict[str, Any]) -> dict[str, Any]:
    return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in d.items()}


def sentence(e: dict[str, Any]) -> str:
    """The effect in words, for the review's reason."""
    if e.get("estimate", 1) is None:
        return f"'{e['description']}': {e.get('note', 'nothing observed yet')}"
    lo, hi = e["avoided_low"], e["avoided_high"]
    base = ("a " + e["baseline"]["comparison"] + " comparison group" if e["baseline"]["kind"] == "comparison"
            else "the council's official rate" if e["baseline"]["kind"] == "official" else "the evidence's rate")
    return (
        f"'{e['description']}': {e['observed']} seen among {e['people']:,} people against {e['expected']:.1f} expected "
        f"without the service ({base}): {e['avoided']:.1f} avoided (95% interval {lo:.1f} to {hi:.1f})"
    )


def expected_in(c: dict[str, Any], r: Any) -> float | None:
    """Events expected without the service among one review's people (None: not recorded)."""
    ob = getattr(r, "observed", {}).get(c["id"])
    if ob is None:
        return None
    if c["baseline"]["kind"] == "comparison":
        return r.people * ob[2] / ob[1] if ob[1] else None
    return r.people * c["baseline"]["rate"] * _days(r) / DAYS_PER_YEAR


def estimated_avoided(plan_counterfactual: list[dict[str, Any]], r: Any) -> dict[str, float]:
    """For one review: each tracked outcome a counterfactual informs and the review gave no
    count for -> the events avoided estimated from it, expected - observed, between 0 and the
    people supported."""
    out: dict[str, float] = {}
    for c in plan_counterfactual:
        oid = c.get("informs")
        if oid is None or oid in r.outcomes:
            continue
        e = expected_in(c, r)
        if e is not None:
            out[oid] = min(max(e - r.observed[c["id"]][0], 0.0), float(r.people))
    return out


ESTIMATED = "estimated from the counterfactual: events expected without the service less those seen"


def period_days(start: dt.date, end: dt.date) -> int:
    return (end - start).days + 1
