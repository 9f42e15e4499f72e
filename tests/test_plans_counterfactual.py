"""A counterfactual for observed outcomes (issue 24; docs/plans.md, "A counterfactual for observed
outcomes"): a review records the events seen among the people served, the plan carries what would
be expected without the service (the council's own ASCOF 2A2 rate, a rate from the evidence, or
a comparison group), and the effect is the difference with its 95% interval, checked by hand."""

from __future__ import annotations

import math

import pytest
import yaml

from carescale.official.baselines import PACKAGED, build_ascof_2a2, official_baseline
from carescale.plans import add_review, create_plan, list_reviews, show_plan
from carescale.plans.counterfactual import OWN_ESTIMATE

from .conftest import REPO, SHARED, needs_shared, run_cli
from .store_fixtures import store_url  # noqa: F401  (fixture)

CF_PLAN = REPO / "docs" / "examples" / "falls-prevention-plan-counterfactual.yaml"
PLAN_ID = "falls-birmingham-counterfactual"
ADMISSION = "care-home-admission"
RAW_ASCOF = SHARED / "data" / "raw" / "meas-from-asc-of-eng-2021-open-data-csv_v2.xlsx"


def year_review(people: int, events: int, **comparison: int) -> dict:
    """The first (yearly) review: 2027-04-01 to 2028-03-31, 366 days (29 February 2028)."""
    return {
        "period_end": "2028-03-31", "people_supported": people,
        "outcomes": {"fall-admission-avoided": 12, "home-care-avoided": 3}, "money_spent": people * 400.0,
        "observed": {ADMISSION: {"events": events, **comparison}},
    }


def test_birmingham_ascof_2a2_is_the_councils_own_figure():
    """ASCOF 2A2 2020-21, Birmingham: 597 permanent admissions of people aged 65+ among 149,412
    (399.6 per 100,000), the same population the area profile sizes the service on."""
    b = official_baseline("ascof-2a2", "E08000025", "test")
    assert (b.events, b.population, b.row) == (597, 149_412, 24558)
    assert b.rate * 100_000 == pytest.approx(399.6, abs=0.05)


def test_packaged_ascof_2a2_is_built_from_the_published_file(tmp_path):
    needs_shared(RAW_ASCOF)
    out = tmp_path / "ascof_2a2.csv"
    assert build_ascof_2a2(RAW_ASCOF, out) == 151  # 150 councils and England
    assert out.read_text(encoding="utf-8") == PACKAGED.read_text(encoding="utf-8")


def test_admissions_among_120_people_against_the_councils_rate(store_url):
    """2 admissions among 120 people in a year against Birmingham's rate. By hand: expected
    without the service E = 120 x 597 / 149,412 x 366 / 365.25 = 0.48046; the difference is
    2 - 0.48046 = +1.51954 (more than expected); the exact Poisson 95% interval of 2 events is
    [chi2(0.025; 4) / 2, chi2(0.975; 6) / 2] = [0.48442 / 2, 14.44938 / 2] = [0.24221, 7.22469]
    (chi-squared tables), so the difference is -0.23825 to +6.74423 and the rate ratio
    2 / 0.48046 = 4.163 (0.504 to 15.04). Kept in the store (SQLite and PostgreSQL)."""
    create_plan(CF_PLAN, url=store_url)
    r = add_review(PLAN_ID, year_review(120, 2), url=store_url)
    (e,) = r["counterfactual"]
    expected = 120 * 597 / 149_412 * 366 / 365.25
    assert expected == pytest.approx(0.48046, abs=5e-6)
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
    assert show_plan(PLAN_ID, url=store_url)["definition"]["counterfactual"][0]["baseline"]["figure"]["row"] == 24558


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
    assert run_cli("plans", "create", str(CF_PLAN)).code == 0
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
