"""Reviews update everything that decides the money (issue 24): the cost per person from the
spend recorded, the reach against the planned people, the outcome rates; the recommendation comes
from the updated NPV's distribution under one yardstick shared with `logic-model run` and the
plan (docs/plans.md, "One yardstick" and "The recommendation").

Hand check of every NPV below: the falls service in Birmingham reaches 747.06 people a year at
full scale; each saves r1 x £3,500 (an admission avoided) + r2 x £6,000 (home care avoided) and
costs c; with no optimism bias and 10 years at 3.5%, the appraisal's ramp-up (28.125% of a full
year in year 1, 96.875% in year 2, then full) gives the factor
A = 0.28125 + 0.96875 / 1.035 + sum(1.035^-k, k = 2..9) = 7.858743, so
NPV = 747.06 x reach x (r1 x 3,500 + r2 x 6,000 - c) x A."""

from __future__ import annotations

import pytest

from carescale.plans import (
    add_review,
    create_plan,
    list_reviews,
    load_logic_model,
    load_plan_defaults,
    recommend,
    run_logic_model,
)
from carescale.plans.plan import load_plan
from carescale.plans.review import assess

from .store_fixtures import store_url  # noqa: F401  (fixture)
from .test_plans import CARE, FALL, LOGIC_MODEL, PLAN, QUARTER_ENDS, review

A = 0.28125 + 0.96875 / 1.035 + sum(1.035 ** -k for k in range(2, 10))
PEOPLE = 149_412 * 0.005  # 747.06 a year at full scale
N0 = 20  # evidence level 2: every prior is worth 20 people
Q_PLANNED = [PEOPLE * 0.5 * days / 365.25 for days in (91, 92, 92, 91)]  # half scale, per quarter


def hand_npv(r1: float, r2: float, cost: float, reach: float) -> float:
    return PEOPLE * reach * (r1 * 3500 + r2 * 6000 - cost) * A


def hand_means(quarters: list[tuple[int, int, int, float]]) -> tuple[float, float, float, float]:
    """Posterior means after quarters of (people, falls avoided, home care avoided, spend):
    rates (a0 + k) / (n0 + n); cost (n0 x £400 + S) / (n0 + n); reach (n0 + n) / (n0 + planned)."""
    n = sum(q[0] for q in quarters)
    r1 = (0.087 * N0 + sum(q[1] for q in quarters)) / (N0 + n)
    r2 = (0.02 * N0 + sum(q[2] for q in quarters)) / (N0 + n)
    cost = (N0 * 400 + sum(q[3] for q in quarters)) / (N0 + n)
    reach = (N0 + n) / (N0 + sum(Q_PLANNED[: len(quarters)]))
    return r1, r2, cost, reach


def test_hand_factor_is_the_plans_npv(tmp_path):
    """The plan's own NPV (evidence rates, £400, reach 1) is the hand formula: £143,838."""
    plan = create_plan(PLAN, url=f"sqlite:///{tmp_path / 's.db'}")
    assert plan["definition"]["npv"] == pytest.approx(hand_npv(0.087, 0.02, 400, 1.0), abs=0.01)
    assert plan["definition"]["npv"] == pytest.approx(143_838.34, abs=0.01)


def test_one_yardstick_logic_model_run_plan_and_reviews_agree(tmp_path):
    """`logic-model run`, the plan and a review (before any actuals, so every figure is at its
    planned value) give the same NPV of the same service under the same settings."""
    url = f"sqlite:///{tmp_path / 's.db'}"
    plan = create_plan(PLAN, url=url)
    run = run_logic_model(load_logic_model(LOGIC_MODEL), "birmingham", draws=200)
    settings = run["appraisal"]["settings"]
    assert settings["optimism_bias"] is False and settings["years"] == 10
    assert plan["definition"]["yardstick"] == {"optimism_bias": False, "years": 10, "start_date": "2027-04-01"}
    lm_npv = run["appraisal"]["portfolio"]["metrics"]["npv"]
    p, _ = load_plan("falls-birmingham", url=url)
    at_plan = assess(p, [], url=url)["simulation"]
    assert at_plan["optimism_bias"] is False and at_plan["years"] == 10
    assert lm_npv == pytest.approx(plan["definition"]["npv"], abs=0.01)
    assert at_plan["npv_at_means"] == pytest.approx(lm_npv, abs=0.01)


def test_449_percent_overspend_above_the_budget_never_increases(tmp_path):
    """Three good quarters (11-12% avoid an admission against an 8% target) but £618,000 spent
    against £112,494 planned (449% over, above the whole £450,000 budget): before issue 24 this
    said "Increase investment"; now the cost per person (£626,000 / 301 = £2,079.73) makes the
    expected NPV about -£9.03m (hand: 747.06 x 0.99922 x (11.21% x 3,500 + 2.46% x 6,000 - 2,079.73) x A), and money beyond the budget can never lead to more."""
    url = f"sqlite:///{tmp_path / 's.db'}"
    create_plan(PLAN, url=url)
    quarters = [(95, 11, 3, 206_000.0), (92, 10, 2, 206_000.0), (94, 11, 2, 206_000.0)]
    for end, (n, f, c, s) in zip(QUARTER_ENDS, quarters):
        r = add_review("falls-birmingham", review(end, n, f, c, spent=s), url=url)
    planned = sum(Q_PLANNED[:3]) * 400
    assert r["planned_spend"] == pytest.approx(planned, abs=0.01) and round(planned) == 112_494
    assert r["money_spent"] == 618_000 and 618_000 / planned - 1 == pytest.approx(4.49, abs=0.005)
    r1, r2, cost, reach = hand_means(quarters)
    assert cost == pytest.approx(2079.73, abs=0.01)
    assert r["updated"]["cost_per_person"]["mean"] == pytest.approx(cost, abs=0.01)
    hand = hand_npv(r1, r2, cost, reach)
    assert r["simulation"]["npv_at_means"] == pytest.approx(hand, rel=1e-6)
    assert r["simulation"]["expected_npv"] == pytest.approx(hand, rel=0.03)
    assert r["decision"] in ("reduce", "stop", "redesign") and r["decision"] == "stop"
    assert "spending so far (£618,000) is above the plan's whole budget (£450,000) by £168,000" in r["reason"]
    assert r["reason"].endswith(f"Spending so far (£618,000) is 449% above the plan (£{planned:,.0f}).")


@pytest.mark.parametrize(
    ("case", "quarters", "decision", "words", "npv_sign"),
    [
        # over the budget in one quarter with good outcomes: the hard rule (one review: not yet stop)
        ("over-spend", [(95, 11, 3, 460_000.0)], "reduce", "above the plan's whole budget (£450,000)", -1),
        # 40 people of 93 planned, poor outcomes: the reach both shrinks the NPV and says reduce
        ("under-reach", [(40, 1, 0, 16_000.0)], "reduce", "of the planned people were supported", -1),
        # good outcomes (11.1%, 3.0%) but £1,000 a person: the cost per person decides
        ("good outcomes at high cost", [(95, 11, 3, 95_000.0)], "redesign",
         "the cost per person (now estimated at £896, planned £400)", -1),
        # poor outcomes (6% against an 8% target) at £250 a person: the service still pays
        ("poor outcomes at low cost", [(95, 6, 2, 23_750.0), (92, 5, 2, 23_000.0)], "increase",
         "the saving outweighs 4 times the loss", 1),
    ],
)
def test_money_decides_table(tmp_path, case, quarters, decision, words, npv_sign):
    url = f"sqlite:///{tmp_path / 's.db'}"
    create_plan(PLAN, url=url)
    for end, (n, f, c, s) in zip(QUARTER_ENDS, quarters):
        r = add_review("falls-birmingham", review(end, n, f, c, spent=s), url=url)
    r1, r2, cost, reach = hand_means(quarters)
    hand = hand_npv(r1, r2, cost, reach)
    sim = r["simulation"]
    assert sim["npv_at_means"] == pytest.approx(hand, rel=1e-6), case
    assert sim["expected_npv"] == pytest.approx(hand, rel=0.05), case
    assert (sim["expected_npv"] > 0) == (npv_sign > 0)
    assert r["decision"] == decision, (case, r["reason"])
    assert words in r["reason"], (case, r["reason"])


HAND_TABLE = {  # the hand NPVs of the table above, written out (NPV = 747.06 x reach x net x A)
    "over-spend": ((1.74 + 11) / 115, (0.4 + 3) / 115, (8000 + 460_000) / 115, 115 / (20 + Q_PLANNED[0])),
    "good outcomes at high cost": ((1.74 + 11) / 115, (0.4 + 3) / 115, 103_000 / 115, 115 / (20 + Q_PLANNED[0])),
}


def test_hand_table_figures():
    """The hand NPVs of the rows, as figures (computed once by hand from the formula above)."""
    assert hand_npv(*HAND_TABLE["over-spend"]) == pytest.approx(-20_926_868, abs=1)
    assert hand_npv(*HAND_TABLE["good outcomes at high cost"]) == pytest.approx(-1_973_723, abs=1)
    assert hand_npv(*hand_means([(40, 1, 0, 16_000.0)])) == pytest.approx(-623_636, abs=1)
    assert hand_npv(*hand_means([(95, 6, 2, 23_750.0), (92, 5, 2, 23_000.0)])) == pytest.approx(460_270, abs=1)


def test_recommend_rule_from_stated_losses():
    """gain G = E[max(NPV, 0)], loss L = E[max(-NPV, 0)]: increase at G >= 4 L after 2 reviews;
    continue at G >= L; stop at 4 G < L after 2 reviews; over the budget never increase."""
    d = load_plan_defaults()
    assert recommend(2, 400, 100, 1.0, d)[0] == "increase"
    assert recommend(1, 400, 100, 1.0, d)[0] == "continue"  # too early to increase
    assert recommend(3, 399, 100, 1.0, d)[0] == "continue"
    assert recommend(3, 100, 100, 1.0, d)[0] == "continue"  # expected NPV 0
    assert recommend(3, 100, 101, 1.0, d)[0] == "redesign"
    assert recommend(3, 100, 101, 0.5, d)[0] == "reduce"
    assert recommend(3, 100, 401, 1.0, d)[0] == "stop"
    assert recommend(3, 100, 400, 1.0, d)[0] == "redesign"  # not worse than 4 to 1
    assert recommend(1, 100, 401, 1.0, d)[0] == "redesign"  # one review is too few to stop
    over = recommend(2, 1000, 1, 1.0, d, spent=500_001, budget=500_000)
    assert over[0] == "reduce" and "above the plan's whole budget (£500,000) by £1" in over[1]
    assert recommend(2, 100, 401, 1.0, d, spent=500_001, budget=500_000)[0] == "stop"
    assert recommend(2, 1000, 1, 1.0, d, spent=500_000, budget=500_000)[0] == "increase"  # at the budget


def test_local_cost_data_update_the_saving_per_outcome(store_url):
    """The council records its own cost of a fall admission: £4,100 over 12 cases. The saving
    per outcome becomes (20 x £3,500 + 12 x £4,100) / 32 = £3,725, kept in the store (SQLite and
    PostgreSQL) and read back by the next review; the NPV moves with it (hand check)."""
    create_plan(PLAN, url=store_url)
    first = review(QUARTER_ENDS[0], 95, 11, 3) | {"local_savings": {FALL: {"saving": 4100, "cases": 12}}}
    r1 = add_review("falls-birmingham", first, url=store_url)
    r2 = add_review("falls-birmingham", review(QUARTER_ENDS[1], 92, 10, 2), url=store_url)
    for r, quarters in ((r1, [(95, 11, 3, 38_000.0)]), (r2, [(95, 11, 3, 38_000.0), (92, 10, 2, 36_800.0)])):
        saving = next(o for o in r["outcomes"] if o["id"] == FALL)["unit_saving"]
        assert saving["mean"] == pytest.approx((20 * 3500 + 12 * 4100) / 32, abs=0.01) == 3725
        assert saving["local_cases"] == 12 and saving["model"] == 3500
        assert "unit_saving" not in next(o for o in r["outcomes"] if o["id"] == CARE)  # no local data
        r1_, r2_, cost, reach = hand_means(quarters)
        hand = PEOPLE * reach * (r1_ * 3725 + r2_ * 6000 - cost) * A
        assert r["simulation"]["npv_at_means"] == pytest.approx(hand, rel=1e-6)
        assert r["simulation"]["expected_npv"] == pytest.approx(hand, rel=0.05)
    history = list_reviews("falls-birmingham", url=store_url)
    assert history[0]["local_savings"] == {FALL: {"saving": 4100.0, "cases": 12}}
    assert history[1]["local_savings"] == {}


def test_plan_targets_are_where_the_yardstick_npv_is_zero(tmp_path):
    """The plan's targets and `logic-model run`'s break-even targets are the same rates, and on
    the one yardstick the NPV at each target (all else at its planned value) is zero: the hand
    formula's (r1 x 3,500 + r2 x 6,000 - 400) is 0 there. `logic-model run` on the command line
    gives the plan's NPV too."""
    import numpy as np

    from carescale.plans.evidence_value import npv, setup

    url = f"sqlite:///{tmp_path / 's.db'}"
    plan = create_plan(PLAN, url=url)
    targets = {o["id"]: o["break_even_rate"] for o in plan["definition"]["outcomes"]}
    run = run_logic_model(load_logic_model(LOGIC_MODEL), "birmingham", draws=200)
    lm_targets = {t["parameter"].split(".")[-2]: t["break_even"] for t in run["break_even_targets"]
                  if t["parameter"].endswith(".rate") and ".outcomes." in t["parameter"]}
    assert lm_targets == pytest.approx(targets, abs=1e-12)
    s = setup("falls-birmingham", url=url)
    base = s.model.params.base_values(1)
    evidence = {FALL: 0.087, CARE: 0.02}
    for oid, target in targets.items():
        rates = {o: np.array([target if o == oid else evidence[o]]) for o in evidence}
        at_target = npv(s, {"rates": rates, "cost": np.array([400.0]), "reach": np.array([1.0])}, dict(base))
        # a target is given to 10 significant figures (uncertainty.switching.SWITCH_FIGURES): on
        # PEOPLE x the annuity that is under a penny (0.0001 for 0.01591666667 against 95.5 / 6,000)
        assert hand_npv(rates[FALL][0], rates[CARE][0], 400, 1.0) == pytest.approx(0, abs=0.001)
        assert at_target[0] == pytest.approx(0, abs=0.01), oid
    planned = npv(s, {"rates": {o: np.array([v]) for o, v in evidence.items()}, "cost": np.array([400.0]),
                      "reach": np.array([1.0])}, dict(base))
    assert planned[0] == pytest.approx(plan["definition"]["npv"], abs=0.01)
    from .conftest import run_cli

    r = run_cli("logic-model", "run", str(LOGIC_MODEL), "--draws", "200", "--format", "json")
    assert r.json()["appraisal"]["portfolio"]["metrics"]["npv"] == pytest.approx(plan["definition"]["npv"], abs=0.01)
