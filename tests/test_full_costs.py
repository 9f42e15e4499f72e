"""Full costs (issue 21): every runnable model is costed, Shared Lives' savings are gross like the
others', and one ROI and one BCR, checked by hand for each Birmingham model.

The hand figures use ``method="full"`` on the paper's own prices (``prices="published"``), so every
number below is a number of the seed or of the model files, with no price factor."""

from __future__ import annotations

import numpy as np
import pytest

from carescale import define_scenario, evaluate
from carescale.appraisal import appraise, make_settings
from carescale.engine.summary import summary
from carescale.library import default_library

LIB = default_library()
RUNNABLE = sorted(i for i, iv in LIB.interventions.items() if iv.status == "runnable")
SW = 40 * 1540  # a social worker's year: £40 an hour x 1,540 hours (2013/14 prices)
# no optimism bias (its own tests); the counterfactual of each model's evidence design is on
NO_OB = make_settings(years=10, discount_rate=0.035, optimism_bias=False)
BEFORE_AFTER = (1 - 0.2) * 0.9, 0.05  # deadweight 20%, attribution 90%, drop-off 5% a year
COST_COMPARISON = 1 - 0.1  # deadweight 10%, attribution 100%, no drop-off


def _costed(iv) -> bool:
    return (any(s.unit_cost is not None and s.unit_cost.value > 0 for s in iv.segments)
            or bool(iv.full_costs) or iv.setup is not None)


def _says_it_has_no_cost(iv) -> bool:
    """A model calibrated to one site whose source gives no cost says so: its cost is one of the
    numbers a council must add (``missing_numbers``)."""
    return bool(iv.calibration) and any("cost" in m.lower() for m in iv.missing_numbers)


@pytest.mark.parametrize("iid", RUNNABLE)
def test_no_runnable_model_costs_nothing(iid):
    """Every runnable model has a running cost, from its evidence or an explicit assumption
    (status, quoted source and a range), and costs something in Birmingham where it runs there;
    the only exception is a model whose file says its source gives no cost, and every output
    flags it (``cost_evidence: none``; no ROI or BCR, never a return)."""
    iv = LIB.interventions[iid]
    for fc in iv.full_costs:
        q = fc.unit_cost
        assert q.ref.quote and (q.status == "published" or (q.low is not None and q.high is not None)), fc.id
    try:
        scen = define_scenario("birmingham", [iid])
    except Exception:  # a model Birmingham's profile cannot run is checked by its structure only
        assert _costed(iv) or _says_it_has_no_cost(iv), f"{iid} has no cost and does not say so"
        return
    item = summary(evaluate(scen))["interventions"][0]
    m = appraise(scen).interventions[iid].metrics
    if _costed(iv):
        assert item["cost"] > 0 and item["cost_evidence"] in ("published", "assumption")
        assert np.isfinite(m.roi[0])
    else:
        assert _says_it_has_no_cost(iv), f"{iid} costs nothing and its file does not say its source gives no cost"
        assert item["cost"] == 0 and item["cost_evidence"] == "none"
        assert np.isnan(m.roi[0]) and np.isnan(m.bcr[0])


def test_the_paper_method_keeps_the_papers_costs():
    """The paper's own figures leave the full costs out: Kent's two models cost nothing there."""
    res = evaluate(define_scenario("birmingham", prices="published"))
    assert res.scenario.method == "paper"
    assert res.intervention("kent-pathways").cost.sum() == 0
    assert res.intervention("hospital-discharge").cost.sum() == 0
    assert res.intervention("shared-lives").gross[0, 0, 0] == pytest.approx(1_334_000)


def test_shared_lives_is_gross_of_its_cost_and_its_net_is_the_papers():
    sl = evaluate(define_scenario("birmingham", ["shared-lives"], prices="published", method="full")).intervention("shared-lives")
    per_person = 19_500 + SW / 25  # carer payment + a coordinator for every 25 carers
    assert sl.cost[0, 0, 0] == pytest.approx(52 * per_person)
    assert sl.gross[0, 0, 0] == pytest.approx(51 * 26_000 + 8_000 + 52 * per_person)
    assert sl.net[0, 0, 0] == pytest.approx(1_334_000)
    assert sl.workforce["coordinators"][0, 0] == pytest.approx(52 / 25)


def test_hospital_discharge_staff_by_role():
    hd = evaluate(define_scenario("birmingham", ["hospital-discharge"], prices="published", method="full")).intervention("hospital-discharge")
    spend = 4_155_000 / 0.13 + 490_000 / 0.13  # Birmingham's 65+ placement spend (docs/fidelity.md)
    staff = {"discharge coordinators": spend / 5e6, "back-fill social workers": 0.5 * spend / 5e6,
             "senior social workers": spend / 2e7}
    for role, n in staff.items():
        assert hd.workforce[role][0, 0] == pytest.approx(n)
    assert hd.cost[0, 0, 0] == pytest.approx(sum(staff.values()) * SW)
    assert hd.cost[0, 0, 0] == pytest.approx(770_355, abs=1)


def _pv_weight(first: float, build: float, years: int = 10, r: float = 0.035, drop: float = 0.0) -> float:
    """Sum over months of (share of full scale in the month) / 12 x the year's discount factor,
    for a straight-line build-up starting ``first`` months in and lasting ``build`` months, less
    ``drop`` in each full year after the start."""
    total = 0.0
    for m in range(years * 12):
        a, b = m, m + 1  # the month's start and end, in months
        def area(x):  # integral of the share from 0 to x
            if x <= first:
                return 0.0
            if x <= first + build:
                return (x - first) ** 2 / (2 * build)
            return build / 2 + (x - first - build)
        fade = (1 - drop) ** (max(a - first, 0) // 12)
        total += (area(b) - area(a)) * fade / 12 / (1 + r) ** (m // 12)
    return total


# (model, annual gross saving, annual running cost, annual wider benefits) at full scale, by hand
HAND = {
    "community-agents": (2700 * (0.0219715914 * 12_078 + 0.09 * 2_797), 2700 * 192, 0.0),
    "living-well": (1000 * (1_181 + 1_598), 1000 * 400, 1000 * 1_000),
    "kent-pathways": (146 * 1_716, 146 / 80 * SW, 0.0),
    "hospital-discharge": (4_155_000 + 490_000, (4_155_000 + 490_000) / 0.13 * (1.5 / 5e6 + 1 / 2e7) * SW, 0.0),
    "support-at-home": None,  # from the engine's own per-person figures below (rates with many digits)
}


@pytest.mark.parametrize("iid", ["community-agents", "living-well", "kent-pathways", "hospital-discharge",
                                 "support-at-home", "shared-lives"])
def test_roi_and_bcr_by_hand(iid):
    """ROI = PV of cashable savings / PV of costs (running + set-up); BCR adds the wider benefits.
    Both routes are the same for every model, whatever its evidence."""
    scen = define_scenario("birmingham", [iid], prices="published", method="full")
    m = appraise(scen, NO_OB).interventions[iid].metrics
    if iid == "shared-lives":
        w = _pv_weight(6.5, 12)
        # the deadweight of a cost comparison falls on the saving against the alternative package;
        # the carer payments and coordinators added back to the gross are costs, not outcomes
        gross = (51 * 26_000 + 8_000) * COST_COMPARISON + 52 * (19_500 + SW / 25)
        cost = 52 * (19_500 + SW / 25)
        roi = w * gross / (w * cost + 250_000)
        assert m.roi[0] == pytest.approx(roi, rel=1e-9)
        assert m.bcr[0] == pytest.approx(roi, rel=1e-9)
        return
    if HAND[iid] is None:  # Support at Home: 3% of 45,220; £345,000 cost for 1,357; savings £339,000 / £616,000
        r = evaluate(scen).intervention(iid)
        gross, cost, wider = r.gross[0, 0].sum(), r.cost[0, 0].sum(), 0.0
        assert cost == pytest.approx(344_576, abs=1) and gross == pytest.approx(339_150 + 615_896, abs=1)
    else:
        gross, cost, wider = HAND[iid]
    # no set-up and no lag: costs follow the ramp-up, savings the ramp-up less 5% a year
    factor, drop = BEFORE_AFTER
    w_cost, w_sav = _pv_weight(3, 12), _pv_weight(3, 12, drop=drop)
    assert m.roi[0] == pytest.approx(factor * gross * w_sav / (cost * w_cost), rel=1e-6)
    assert m.bcr[0] == pytest.approx(factor * (gross + wider) * w_sav / (cost * w_cost), rel=1e-6)
    assert np.isfinite(m.roi[0]) and m.roi[0] > 0


# -- the calibrated case-study models (issue 23) are costed too ---------------------------------

#: model -> (source site, role, staff per person the model counts, people it counts at the site)
CASE_STUDY_STAFF = {
    "strengths-based-front-door": ("kirklees-site", "care navigators", 1 / 35_000, 441_290),
    "community-first-conversations": ("bristol-site", "first-contact practitioners", 1 / 25_000, 465_866),
    "reablement": ("swindon-site", "reablement staff", 1 / 2_500, 36_873),
    "community-enterprises": ("somerset-site", "micro-enterprise coordinators", 1 / 350, 700),
    "promoting-independence-reviews": ("wolverhampton-site", "review social workers", 1 / 150, 700),
    "personal-budgets": ("harrow-site", "personal budget support staff", 1 / 200, 259),
    "progression-model": ("darlington-site", "progression workers", 1 / 5, 1),
    "integrated-admission-avoidance": ("leicester-site", "care planning staff", 1 / 50_000, 354_036),
}


@pytest.mark.parametrize("iid", list(CASE_STUDY_STAFF))
def test_case_study_models_cost_their_staff_by_role(iid):
    """The seeds give no cost for these sites, so each model costs the staff it needs at a social
    worker's year, an assumption with a range and a seed quote for the role; at its own site the
    cost is the staff ratio x the people (or residents) the site's saving is spread over."""
    site, role, ratio, people = CASE_STUDY_STAFF[iid]
    iv = LIB.interventions[iid]
    (fc,) = iv.full_costs
    assert fc.role == role and fc.unit_cost.status == "assumption" and fc.staff.status == "assumption"
    assert (fc.unit_cost.low, fc.unit_cost.value, fc.unit_cost.high) == (45_000, SW, 78_000)
    assert (fc.staff.low, fc.staff.high) == (0.5, 2)
    assert iv.evidence_design in ("before-and-after", "cost-comparison")
    r = evaluate(define_scenario(site, [iid], prices="published", method="full")).intervention(iid)
    assert r.workforce[role][0, 0] == pytest.approx(people * ratio, rel=1e-6)
    assert r.cost[0, 0].sum() == pytest.approx(people * ratio * SW, rel=1e-6)
    # the paper's method leaves the assumed cost out, so the site's published saving reproduces
    assert evaluate(define_scenario(site, [iid], prices="published")).intervention(iid).cost.sum() == 0
    item = summary(evaluate(define_scenario("birmingham", [iid])))["interventions"][0]
    assert item["cost"] > 0 and item["cost_evidence"] == "assumption"


def test_community_enterprises_roi_by_hand():
    """A cost comparison (deadweight 10%, no drop-off): costs and savings follow the same ramp-up,
    so ROI = 0.9 x saving per person / cost per person. Birmingham: £800,000 / 700 x £15.58 /
    £22.00 (its and Somerset's home-care hour) = £809.35 a person; a coordinator per 350 people."""
    scen = define_scenario("birmingham", ["community-enterprises"], prices="published", method="full")
    m = appraise(scen, NO_OB).interventions["community-enterprises"].metrics
    roi = COST_COMPARISON * (800_000 / 700 * 15.58 / 22.0) / (SW / 350)
    assert round(roi, 3) == 4.139
    assert m.roi[0] == pytest.approx(roi, rel=1e-6)
    assert m.bcr[0] == pytest.approx(roi, rel=1e-6)  # no wider benefits


def test_promoting_independence_reviews_roi_by_hand():
    """Before-and-after (deadweight 20%, attribution 90%, drop-off 5% a year). Birmingham's
    1,140,525 residents x 700 / 264,407 (Wolverhampton's) = 3,019.5 reviews; 22% give a smaller
    package saving £900,000 / 154 x £15.58 / £15.84 (Birmingham's and Wolverhampton's home-care
    hour); a social worker for every 150 reviews."""
    scen = define_scenario("birmingham", ["promoting-independence-reviews"], prices="published", method="full")
    m = appraise(scen, NO_OB).interventions["promoting-independence-reviews"].metrics
    reviews = 1_140_525 * 0.0026474337  # the file's rate, 700 / 264,407 to ten decimals
    gross = reviews * 0.22 * 900_000 / 154 * 15.58 / 15.84
    cost = reviews / 150 * SW
    factor, drop = BEFORE_AFTER
    roi = factor * gross * _pv_weight(3, 12, drop=drop) / (cost * _pv_weight(3, 12))
    assert m.roi[0] == pytest.approx(roi, rel=1e-6)
    assert m.bcr[0] == pytest.approx(roi, rel=1e-6)
    assert 1 < m.roi[0] < 2  # saves more than it costs, but well short of the gross 3-to-1


def test_the_business_case_arithmetic_names_each_models_full_costs():
    """The PDF/HTML business case's steps from the area's figures to the saving show the full
    costs the evidence leaves out, so that no model reads as costing nothing (Shared Lives' own
    running cost a person is £0: its carers' payments are a full cost); the paper's method has none."""
    from carescale.reports import prepare
    from carescale.reports.html import _arithmetic

    data = prepare({"area": "birmingham", "uncertainty": {"draws": 64}})
    ivs = {iv.id: iv for iv in data.scenario.interventions}
    assert ("Full costs the evidence leaves out (Shared Lives carers, coordinators): £1,392,790 a year (its savings "
            "were net of them, so they are counted gross).") in _arithmetic(data, ivs["shared-lives"])
    assert ("Full costs the evidence leaves out (discharge coordinators, back-fill social workers, senior social "
            "workers): £1,027,469 a year.") in _arithmetic(data, ivs["hospital-discharge"])
    paper = prepare({"area": "birmingham", "preset": "paper", "uncertainty": {"draws": 64}})
    assert not any(line.startswith("Full costs") for iv in paper.scenario.interventions for line in _arithmetic(paper, iv))
