"""How much evidence is enough (issue 24; docs/plans.md, "How much evidence is enough"): EVPI,
EVPPI and EVSI of a plan, the regression estimates checked against brute-force nested Monte
Carlo on the worked example (within 5%, at small draw counts; the full figures are in
docs/plans.md)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from carescale.errors import PlanError
from carescale.plans import add_review, create_plan
from carescale.plans.evidence_value import check_against_nested, setup, value, value_of_information

from .conftest import run_cli
from .test_plans import PLAN, QUARTER_ENDS, review

QUARTERS = [(95, 11, 3), (92, 10, 2), (94, 3, 0)]  # the worked example's first three quarters


@pytest.fixture(scope="module")
def three_reviews(tmp_path_factory):
    """The worked example after three quarters: expected NPV near zero, so evidence is worth most."""
    url = f"sqlite:///{tmp_path_factory.mktemp('voi') / 's.db'}"
    create_plan(PLAN, url=url)
    for end, q in zip(QUARTER_ENDS, QUARTERS):
        add_review("falls-birmingham", review(end, *q), url=url)
    return url


def test_value_of_a_normal_npv_is_the_textbook_formula():
    """For NPV ~ Normal(mu, sigma), E[max(NPV, 0)] - max(mu, 0) = sigma phi(mu / sigma) - |mu| Phi(-|mu| / sigma)."""
    mu, sigma = 30_000.0, 400_000.0
    g = np.random.default_rng(1).normal(mu, sigma, 2_000_000)
    z = mu / sigma
    phi = math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    Phi = 0.5 * math.erfc(abs(z) / math.sqrt(2))
    assert value(g) == pytest.approx(sigma * phi - abs(mu) * Phi, rel=0.01)


@pytest.mark.parametrize("periods", [1, 4])
def test_evsi_and_evppi_agree_with_nested_monte_carlo(three_reviews, periods):
    """The regression's EVSI (one or four more quarters) and EVPPI against nested Monte Carlo
    (400 outer x 400 inner draws, every inner draw through the engine) on the same outer draws:
    within 5%."""
    s = setup("falls-birmingham", url=three_reviews)
    r = check_against_nested(s, periods, draws=10_000, outer=400, inner=400, seed=7)
    assert r["evsi"] == pytest.approx(r["evsi_nested"], rel=0.05), r
    assert r["evppi"] == pytest.approx(r["evppi_nested"], rel=0.05), r
    # more perfect information is worth more: EVPI >= EVPPI >= EVSI > 0
    assert r["evpi_all"] >= r["evppi_all"] >= r["evsi_all"] > 0


def test_value_of_information_options(three_reviews):
    out = value_of_information("falls-birmingham", periods=(1, 2, 4), people=(100,), draws=4000, url=three_reviews)
    evsi = [o["evsi"] for o in out["options"] if o["kind"] == "periods"]
    assert evsi == sorted(evsi) and evsi[0] > 0  # more periods, more value
    assert out["evpi"] >= out["evppi"] >= max(evsi)
    first = out["options"][0]
    assert first["until"] == "2028-03-31" and first["planned_people"] == pytest.approx(747.06 * 0.5 * 91 / 365.25, abs=0.05)
    assert all(o["remaining"] == pytest.approx(max(out["evppi"] - o["evsi"], 0), abs=0.02) for o in out["options"])
    assert out["advice"].startswith("Knowing every figure would be worth £")
    many = value_of_information("falls-birmingham", periods=(1,), people=(5000,), draws=4000, url=three_reviews)
    (five_thousand,) = [o for o in many["options"] if o["kind"] == "people"]
    assert five_thousand["remaining"] < 0.1 * many["evppi"]
    assert "5,000 more people would make it clear too" in many["advice"]
    # evidence at £1,000 a person is not worth it for one more quarter
    dear = value_of_information("falls-birmingham", periods=(1,), draws=2000, cost_per_person=1000, url=three_reviews)
    assert dear["options"][0]["net_gain"] == pytest.approx(dear["options"][0]["evsi"] - dear["options"][0]["cost"], abs=0.02)
    assert dear["options"][0]["cost"] == pytest.approx(1000 * dear["options"][0]["expected_people"], abs=10)  # people rounded
    assert dear["options"][0]["net_gain"] < 0
    assert dear["advice"].endswith("More evidence is not worth its cost (at £1,000 a person): decide now.")
    with pytest.raises(PlanError, match=r"^--periods: 0 is not valid; give whole numbers of review periods from 1 to 40$"):
        value_of_information("falls-birmingham", periods=(0,), url=three_reviews)


def test_value_of_information_cli(three_reviews, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", three_reviews)
    r = run_cli("plans", "value-of-information", "falls-birmingham", "--periods", "1,2", "--draws", "2000", "--format", "json")
    assert r.code == 0, r.err
    assert [o["periods"] for o in r.json()["options"]] == [1, 2]
    r = run_cli("plans", "value-of-information", "falls-birmingham", "--periods", "1", "--draws", "2000")
    assert r.code == 0 and "EVPI" in r.out and "Net gain" in r.out
    for args, message in (
        (["--periods", "1,x"], "--periods: 'x' is not a whole number; give whole numbers separated by commas, for example 1,2,4"),
        (["--draws", "5"], "--draws: 5 is not valid; give 100 to 1,000,000 draws"),
        (["--people", "0"], "--people: 0 is not valid; give whole numbers of people from 1 to 1,000,000"),
        (["--cost-per-person", "-1"], "--cost-per-person: -1 is not valid; give pounds, 0 or more"),
    ):
        r = run_cli("plans", "value-of-information", "falls-birmingham", *args)
        assert (r.code, r.err) == (2, f"error: {message}\n"), args
    r = run_cli("plans", "value-of-information", "nope")
    assert r.code == 2 and r.err == "error: plan 'nope': unknown plan; saved plans are: falls-birmingham\n"
