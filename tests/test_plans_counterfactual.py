"""A counterfactual for observed outcomes (issue 24; docs/plans.md, "A counterfactual for observed
outcomes"): a review records the events seen among the people served, the plan carries what would
be expected without the service (the council's own ASCOF 2A2 rate, a rate from the evidence, or
a comparison group), and the effect is the difference with its 95% interval, checked by hand."""

from __future__ import annotations

import math

import pytest
import yaml

from carescale.errors import OfficialDataError
from carescale.official.baselines import official_baseline
from carescale.plans import add_review, create_plan, list_reviews, show_plan
from carescale.plans.counterfactual import OWN_ESTIMATE

from .conftest import REPO, run_cli
from .store_fixtures import store_url  # noqa: F401  (fixture)

CF_PLAN = REPO / "docs" / "examples" / "falls-prevention-plan-counterfactual.yaml"
PLAN_ID = "falls-birmingham-counterfactual"
ADMISSION = "care-home-admission"


def year_review(people: int, events: int, **comparison: int) -> dict:
    """The first (yearly) review: 2027-04-01 to 2028-03-31, 366 days (29 February 2028)."""
    return {
        "period_end": "2028-03-31", "people_supported": people,
        "outcomes": {"fall-admission-avoided": 12, "home-care-avoided": 3}, "money_spent": people * 400.0,
        "observed": {ADMISSION: {"events": events, **comparison}},
    }


def test_birmingham_ascof_2a2_is_the_councils_own_figure():
    """ASCOF 2A2 2020-21, Birmingham: 597 permanent admissions of people aged 65+, 399.6 per
    100,000 (597 / 149,412, the same population the area profile sizes the service on), read
    from the shipped per-council figures with its cell."""
    b = official_baseline("ascof-2a2", "E08000025", "test")
    assert (b.per_100000, b.events) == (399.6, 597)
    assert b.rate == pytest.approx(597 / 149_412, rel=2e-4)
    assert b.cell.endswith("(2A2 Outcome), row 24557")
    with pytest.raises(OfficialDataError, match=r"^here: ascof-2a2: council E99999999 has no figure in the official data; "):
        official_baseline("ascof-2a2", "E99999999", "here")


def test_admissions_among_120_people_against_the_councils_rate(store_url):
    """2 admissions among 120 people in a year against Birmingham's rate. By hand: expected
    without the service E = 120 x 399.6 / 100,000 x 366 / 365.25 = 0.48050; the difference is
    2 - 0.48050 = +1.51950 (more than expected); the exact Poisson 95% interval of 2 events is
    [chi2(0.025; 4) / 2, chi2(0.975; 6) / 2] = [0.48442 / 2, 14.44938 / 2] = [0.24221, 7.22469]
    (chi-squared tables), so the difference is -0.23829 to +6.74419 and the rate ratio
    2 / 0.48050 = 4.162 (0.504 to 15.04). Kept in the store (SQLite and PostgreSQL)."""
    create_plan(CF_PLAN, url=store_url)
    r = add_review(PLAN_ID, year_review(120, 2), url=store_url)
    (e,) = r["counterfactual"]
    expected = 120 * 399.6 / 100_000 * 366 / 365.25
    assert expected == pytest.approx(0.48050, abs=5e-6)
    assert e["people"] == 120 and e["observed"] == 2 and e["baseline"]["kind"] == "official"
    assert e["expected"] == pytest.approx(expected, abs=1e-6)
    assert e["difference"] == pytest.approx(2 - expected, abs=1e-6)
    assert e["difference_low"] == pytest.approx(0.48442 / 2 - expected, abs=1e-5)
    assert e["difference_high"] == pytest.approx(14.44938 / 2 - expected, abs=1e-5)
    assert e["avoided"] == pytest.approx(expected - 2, abs=1e-6)
    assert (e["avoided_low"], e["avoided_high"]) == (-e["difference_high"], -e["difference_low"])
    assert e["rate_ratio"] == pytest.approx(2 / expected, abs=1e-5)
    assert e["rate_ratio_low"] == pytest.approx(0.24221 / expected, abs=1e-4)
    assert "2 seen among 120 people against 0.5 expected without the service (the council's official rate): " \
           "-1.5 avoided (95% interval -6.7 to 0.2)" in r["reason"]
    # the review's own counts of outcomes avoided are labelled as the user's own estimate
    assert {o["counted_as"] for o in r["outcomes"]} == {OWN_ESTIMATE}
    # read back from the store
    (saved,) = list_reviews(PLAN_ID, url=store_url)
    assert saved["observed"] == {ADMISSION: {"events": 2}}
    assert saved["counterfactual"][0]["expected"] == e["expected"]
    assert show_plan(PLAN_ID, url=store_url)["definition"]["counterfactual"][0]["baseline"]["figure"]["events"] == 597


def test_zero_admissions_interval():
    """No admission among 120: the interval of 0 events is [0, chi2(0.975; 2) / 2] = [0, 3.68888]."""
    from carescale.plans.counterfactual import effect

    class R:  # one review's actuals
        import datetime as dt
        period_start, period_end, people = dt.date(2027, 4, 1), dt.date(2028, 3, 31), 120
        observed = {ADMISSION: (0, None, None)}

    c = {"id": ADMISSION, "description": "x", "baseline": {"kind": "evidence", "rate": 0.05}}
    e = effect(c, [R()])
    expected = 120 * 0.05 * 366 / 365.25
    assert e["expected"] == pytest.approx(expected) and e["avoided"] == pytest.approx(expected)
    assert e["avoided_high"] == pytest.approx(expected) and e["avoided_low"] == pytest.approx(expected - 3.68888, abs=1e-5)


def _wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_comparison_group_difference_with_newcombes_interval(tmp_path):
    """A waiting list of 100 people with 9 admissions against 3 among the 120 served: the risk
    difference 3/120 - 9/100 = -0.065, Newcombe's hybrid score interval from each group's Wilson
    interval (written out here), and 120 x 0.065 = 7.8 admissions avoided."""
    data = yaml.safe_load(CF_PLAN.read_text())
    data["counterfactual"][0]["baseline"] = {"comparison": "waiting-list"}
    data["model"]["logic_model"] = str(CF_PLAN.parent / data["model"]["logic_model"])
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data))
    url = f"sqlite:///{tmp_path / 's.db'}"
    create_plan(path, url=url)
    r = add_review(PLAN_ID, year_review(120, 3, comparison_people=100, comparison_events=9), url=url)
    (e,) = r["counterfactual"]
    p1, p0 = 3 / 120, 9 / 100
    l1, u1 = _wilson(3, 120)
    l0, u0 = _wilson(9, 100)
    assert e["difference"] == pytest.approx(p1 - p0)
    assert e["difference_low"] == pytest.approx(p1 - p0 - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2), abs=1e-6)
    assert e["difference_high"] == pytest.approx(p1 - p0 + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2), abs=1e-6)
    assert e["avoided"] == pytest.approx(7.8) and e["expected"] == pytest.approx(10.8)
    assert e["difference_high"] < 0  # the interval excludes no effect
    assert "waiting-list comparison group" in r["reason"]


def test_reviews_add_cli_records_observations(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    r = run_cli("plans", "create", str(CF_PLAN))
    assert r.code == 0 and "Counterfactual: 'Permanent admission to a residential or nursing care home' against 0.40% a year" in r.out
    r = run_cli("reviews", "add", PLAN_ID, "--period-end", "2028-03-31", "--people", "120", "--spent", "48000",
                "--outcome", "fall-admission-avoided=12", "--outcome", "home-care-avoided=3",
                "--observed", f"{ADMISSION}=2")
    assert r.code == 0, r.err
    assert "Observed against the counterfactual" in r.out and "Avoided (your own count)" in r.out
    assert run_cli("reviews", "list", PLAN_ID, "--format", "json").json()[0]["observed"] == {ADMISSION: {"events": 2}}
    r = run_cli("reviews", "add", PLAN_ID, "--period-end", "2029-03-31", "--people", "1", "--spent", "1",
                "--comparison", f"{ADMISSION}=100")
    assert (r.code, r.err) == (2, f"error: --comparison: '{ADMISSION}=100' is not valid; write OUTCOME=PEOPLE:EVENTS, "
                                  "for example care-home-admission=100:9\n")


def test_a_counterfactual_can_inform_an_outcome_count(tmp_path):
    """A counterfactual that `informs` a tracked outcome: a review may leave that outcome's count
    out, and the events avoided estimated from the counterfactual take its place in the outcome's
    beta-binomial update. Home care started after a fall at 25% a year without the service (an
    evidence rate); 27 started among 120 people in the plan's first year (366 days). By hand:
    expected 120 x 0.25 x 366 / 365.25 = 30.0616, so 3.0616 avoided, and home care avoided is
    Beta(0.4 + 3.0616, 19.6 + 120 - 3.0616), mean 3.4616 / 140 = 2.4726%."""
    data = yaml.safe_load(CF_PLAN.read_text())
    ref = {"document": "scie-2017", "section": "Appendix B – Developing logic models for promising models",
           "quote": "Poor outcomes should lead to the intervention being redesigned, reduced or discontinued."}
    data["counterfactual"] = [{
        "id": "home-care-started", "description": "A package of home care starts", "informs": "home-care-avoided",
        "baseline": {"rate": {"value": 0.25, "unit": "proportion", "status": "assumption", "ref": ref,
                              "derivation": "an example: a quarter of people at risk start home care in a year"}},
    }]
    data["model"]["logic_model"] = str(CF_PLAN.parent / data["model"]["logic_model"])
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 's.db'}"
    create_plan(path, url=url)
    r = add_review(PLAN_ID, {"period_end": "2028-03-31", "people_supported": 120, "money_spent": 48_000,
                             "outcomes": {"fall-admission-avoided": 12}, "observed": {"home-care-started": {"events": 27}}},
                   url=url)
    avoided = 120 * 0.25 * 366 / 365.25 - 27
    assert avoided == pytest.approx(3.0616, abs=5e-5)
    care = next(o for o in r["outcomes"] if o["id"] == "home-care-avoided")
    assert care["achieved"] == pytest.approx(avoided, abs=1e-6) and care["counted_as"].startswith("estimated from the counterfactual")
    assert care["posterior"]["a"] == pytest.approx(0.4 + avoided, abs=1e-6)
    assert care["posterior"]["b"] == pytest.approx(19.6 + 120 - avoided, abs=1e-6)
    assert care["posterior"]["mean"] == pytest.approx((0.4 + avoided) / 140, abs=1e-6)
    fall = next(o for o in r["outcomes"] if o["id"] == "fall-admission-avoided")
    assert fall["counted_as"] == OWN_ESTIMATE and fall["achieved"] == 12
    assert "2.5% (2.6% estimated from the counterfactual" in r["reason"]
    # the value of information reads the same posteriors
    from carescale.plans.evidence_value import setup

    assert setup(PLAN_ID, url=url).updated.rates["home-care-avoided"] == pytest.approx((0.4 + avoided, 19.6 + 120 - avoided))
    # an outcome the counterfactual does not inform still has to be counted
    from carescale.errors import PlanError

    with pytest.raises(PlanError, match=r"^review: outcomes\.fall-admission-avoided: missing; "):
        add_review(PLAN_ID, {"period_end": "2029-03-31", "people_supported": 10, "money_spent": 4000, "outcomes": {},
                      "observed": {"home-care-started": {"events": 1}}}, url=url)
