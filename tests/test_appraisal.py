"""The appraisal over time (issue 3): Shared Lives break-even from the paper's inputs, NPV against
numpy_financial, the steady state kept, set-up tranches, additionality, per-draw arrays and the
JSON contract."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import numpy_financial as npf
import pytest

from carescale import ParameterTable, define_scenario, evaluate, summary
from carescale.appraisal import (
    appraisal_defaults,
    appraisal_summary,
    appraise,
    discount_factors,
    discount_rates,
    make_settings,
    npv,
)
from carescale.engine.timeline import STEADY_STATE, RampUpTimeline
from carescale.library import default_library

from .conftest import normalise

LIB = default_library()
BHAM = define_scenario("birmingham", prices="published")  # the paper's prices
SL = define_scenario("birmingham", ["shared-lives"], prices="published")
NO_OB = make_settings(optimism_bias=False, counterfactual=False)  # the figures as given


# -- Shared Lives in Birmingham: the paper's inputs and its "up to two years" ----------------

# Each input the appraisal reads, the value it must have and the passage of the paper (SCIE 2017,
# "Alternative accommodation-based care - Shared Lives") it comes from.
SHARED_LIVES_INPUTS = [
    ("shared-lives.setup.cost", 250_000,
     "An investment of around £250,000 is required to set up 75 new Shared Lives arrangements"),
    ("shared-lives.setup.per", 75,
     "An investment of around £250,000 is required to set up 75 new Shared Lives arrangements"),
    ("shared-lives.learning-disability.outcomes.avoided-alternative-package.unit_saving", 26_000,
     "£26,000 net cost savings for every person with learning disabilities who has a live-in arrangement in place"),
    ("shared-lives.mental-health.outcomes.avoided-alternative-package.unit_saving", 8_000,
     "£8,000 net cost savings for every person with mental health needs who has a live-in arrangement in place"),
]
BENEFICIARIES = [  # segment, additional arrangements, passage
    ("learning-disability", 51,
     "51 more people with a primary support reason of learning disability might potentially benefit from live-in arrangements"),
    ("mental-health", 1,
     "One person who currently receives long-term mental health support (out of 461) might potentially benefit from live-in arrangements."),
]
FIRST_MATCH = ("six to seven months before the first carer is matched", 6.5)
BREAK_EVEN = "up to two years until the break-even point for the scheme is reached"


@pytest.mark.parametrize("path,value,quote", SHARED_LIVES_INPUTS, ids=[p for p, _, _ in SHARED_LIVES_INPUTS])
def test_shared_lives_appraisal_reads_the_papers_inputs(path, value, quote):
    assert ParameterTable.from_scenario(SL)[path].base == value


@pytest.mark.parametrize("segment,count,quote", BENEFICIARIES, ids=[s for s, _, _ in BENEFICIARIES])
def test_shared_lives_additional_arrangements_are_the_papers(segment, count, quote):
    seg = {s.id: s for s in evaluate(SL).intervention("shared-lives").segments}[segment]
    assert seg.beneficiaries[0] == pytest.approx(count, abs=0.01)


def test_shared_lives_first_match_is_six_to_seven_months():
    iv = LIB.intervention("shared-lives")
    assert iv.ramp_up.months_to_first_beneficiary.value == FIRST_MATCH[1]
    assert appraise(SL, NO_OB).interventions["shared-lives"].months_to_first_beneficiary[0] == 6.5


def test_shared_lives_quotes_are_in_the_paper(seeds_dir):
    text = normalise((seeds_dir / LIB.sources.documents["scie-2017"].seed).read_text(encoding="utf-8"))
    quotes = [q for _, _, q in SHARED_LIVES_INPUTS] + [q for _, _, q in BENEFICIARIES]
    for q in quotes + [FIRST_MATCH[0], BREAK_EVEN]:
        assert normalise(q) in text, q


def test_shared_lives_breaks_even_within_two_years_from_the_papers_inputs():
    """£250,000 for one tranche (52 places <= 75) in month 1; the first match after 6.5 months
    and a straight-line build-up to all 52 over the next 12 months (our default ramp); savings of
    51 x £26,000 + 1 x £8,000 = £1,334,000 a year at full scale. By hand: the cumulative saving
    t months after the start (6.5 < t < 18.5) is (1,334,000 / 12) x (t - 6.5)^2 / 24, which
    reaches £250,000 at t = 6.5 + sqrt(24 x 250,000 x 12 / 1,334,000) = 13.85, i.e. in month 14.
    The paper says "up to two years" (24 months)."""
    result = appraise(SL, make_settings(optimism_bias=False, years=5), monthly=True)
    f = result.interventions["shared-lives"]
    t = 6.5 + math.sqrt(24 * 250_000 * 12 / 1_334_000)
    assert t == pytest.approx(13.85, abs=0.01)
    assert f.metrics.break_even_month[0] == math.ceil(t) == 14
    assert 6.5 < f.metrics.break_even_month[0] <= 24
    assert f.metrics.breaks_even[0]
    # the investment is one tranche, paid in month 1, to adult social care
    setup = f.monthly.setup[0]
    assert setup[0, 0] == 250_000 and setup.sum() == 250_000
    # nothing is saved before the first match; the saving at full scale is £1,334,000 a year
    assert f.monthly.gross[0, :6].sum() == 0 and f.monthly.gross[0, 6].sum() > 0
    assert f.monthly.gross[0, 24].sum() * 12 == pytest.approx(1_334_000)
    # the cumulative net is negative until the break-even month and positive from then on
    cum = f.monthly.cumulative_net()[0]
    assert cum[12] < 0 < cum[13]


def test_shared_lives_still_breaks_even_within_two_years_with_optimism_bias():
    """With our Nesta-level table for a level 2 model (+25% costs, -25% savings):
    t = 6.5 + sqrt(24 x 312,500 x 12 / (0.75 x 1,334,000)) = 15.98, month 16. With the default
    method (HM Treasury's supplementary guidance, outsourcing: +41% costs, nothing off savings):
    t = 6.5 + sqrt(24 x 352,500 x 12 / 1,334,000) = 15.22, month 16."""
    f = appraise(SL, make_settings(years=5, optimism_bias_method="nesta-levels")).interventions["shared-lives"]
    assert f.optimism_bias == (0.25, 0.25)
    t = 6.5 + math.sqrt(24 * 312_500 * 12 / (0.75 * 1_334_000))
    assert f.metrics.break_even_month[0] == math.ceil(t) == 16
    f = appraise(SL, make_settings(years=5)).interventions["shared-lives"]
    assert f.optimism_bias == (0.41, 0.0)
    t = 6.5 + math.sqrt(24 * 352_500 * 12 / 1_334_000)
    assert f.metrics.break_even_month[0] == math.ceil(t) == 16


# -- discounting and NPV ---------------------------------------------------------------------


@pytest.mark.parametrize("rate", [None, 0.0, 0.035, 0.07, 0.2])
@pytest.mark.parametrize("years", [1, 3, 10, 30])
def test_npv_equals_numpy_financial_npv_on_the_yearly_flows(rate, years):
    """numpy_financial.npv discounts the first flow by (1 + r)^0: our year 1 is its t = 0."""
    result = appraise(BHAM, make_settings(years=years, discount_rate=rate))
    r = 0.035 if rate is None else rate
    for f in [*result.interventions.values(), result.portfolio]:
        flows = f.yearly("net").sum(axis=2)[0]
        assert f.metrics.npv[0] == pytest.approx(npf.npv(r, flows), rel=1e-12, abs=1e-6), f.id
        for i in range(2):
            assert f.metrics.npv_by_payer[0, i] == pytest.approx(npf.npv(r, f.yearly("net")[0, :, i]), abs=1e-6)


def test_npv_at_zero_rate_is_the_plain_sum():
    result = appraise(BHAM, make_settings(discount_rate=0))
    for f in [*result.interventions.values(), result.portfolio]:
        assert f.metrics.npv[0] == pytest.approx(f.yearly("net").sum(), rel=1e-12)
        assert f.metrics.npv[0] == pytest.approx(f.metrics.net_budget_impact[0], rel=1e-12)


def test_green_book_schedule_declines_after_year_30():
    """Green Book years 0-30 at 3.5%, 31-75 at 3.0%, 76-125 at 2.5%, ..."""
    r = discount_rates(60)
    assert (r[:31] == 0.035).all() and (r[31:] == 0.030).all()
    df = discount_factors(40)
    assert df[0] == 1 and df[1] == pytest.approx(1 / 1.035)
    assert df[30] == pytest.approx(1 / 1.035**30)
    assert df[33] == pytest.approx(1 / 1.035**30 / 1.03**3)
    rates = [b.rate.value for b in appraisal_defaults().discounting]
    assert rates == [0.035, 0.030, 0.025, 0.020, 0.015, 0.010]


def test_npv_helper_matches_numpy_financial():
    flows = np.array([-100.0, 20, 40, 60, 80])
    assert npv(flows, discount_factors(5, 0.05)) == pytest.approx(npf.npv(0.05, flows))


# -- the steady state is kept ------------------------------------------------------------------


def test_year_at_full_scale_equals_the_steady_state_run():
    """Once every model is at full scale (year 3: the last reaches it after 18.5 months), a year
    of the appraisal without optimism bias is the `carescale run` figure, payer by payer."""
    data = summary(evaluate(BHAM))
    year3 = appraisal_summary(appraise(BHAM, NO_OB))["portfolio"]["years"][2]
    for p in ("asc", "nhs"):
        assert year3["net_by_payer"][p] == pytest.approx(data["totals"]["net_savings"][p], abs=0.05)
        assert year3["gross_savings_by_payer"][p] == pytest.approx(data["totals"]["gross_savings"][p], abs=0.05)
        assert year3["overlap_deduction_by_payer"][p] == pytest.approx(data["totals"]["overlap_deduction"][p], abs=0.05)
    assert year3["cost"] == pytest.approx(data["totals"]["cost"], abs=0.05)


def test_steady_state_timeline_is_unchanged():
    iv = LIB.intervention("living-well")
    assert STEADY_STATE.periods == 1 and STEADY_STATE.years_per_period == 1.0
    assert STEADY_STATE.scale(iv, {}).tolist() == [[1.0]]


def test_ramp_up_money_is_the_area_under_the_ramp():
    """Months at full scale equivalent over T months = T - delay - ramp / 2 (T > delay + ramp)."""
    iv = LIB.intervention("living-well")
    for d, r in [(0, 0), (3, 12), (6.5, 12), (2.25, 7.5), (0, 1)]:
        tl = RampUpTimeline(periods=48, delay=(("living-well", d),), ramp=(("living-well", r),))
        s = tl.scale(iv, {})
        assert s.sum() == pytest.approx(48 - d - r / 2)
        assert (np.diff(s[0]) >= -1e-12).all() and s.max() == pytest.approx(1.0)


def test_current_basis_has_no_ramp_up():
    scen = define_scenario("birmingham", ["shared-lives"], basis="current")
    f = appraise(scen, NO_OB).interventions["shared-lives"]
    assert f.yearly("setup").sum() == 0
    assert f.yearly("gross")[0, 0].sum() == pytest.approx(summary(evaluate(scen))["totals"]["gross_savings"]["asc"], abs=0.05)


# -- set-up tranches ---------------------------------------------------------------------------


def test_setup_is_bought_in_tranches_as_places_fill():
    """Ten times Birmingham's learning-disability cohort needs ceil(n / 75) tranches: the first in
    month 1, each next one in the month the places already bought are full."""
    params = ParameterTable.from_scenario(SL)
    path = "area.cohorts.learning_disability_long_term_support"
    values = params.with_values({path: params[path].base * 10})
    fill = NO_OB.model_copy(update={"setup_timing": "as-places-fill"})
    result = appraise(SL, fill, values=values, parameters=params, monthly=True)
    f = result.interventions["shared-lives"]
    engine = evaluate(SL, values).intervention("shared-lives")
    n = sum(s.beneficiaries[0] for s in engine.segments)
    tranches = math.ceil(n / 75)
    assert tranches > 10
    setup = f.monthly.setup[0, :, 0]
    assert setup.sum() == pytest.approx(tranches * 250_000) == pytest.approx(engine.setup_investment[0])
    assert setup[0] == 250_000
    people = evaluate(SL, values, RampUpTimeline(periods=120, delay=(("shared-lives", 6.5),),
                                                 ramp=(("shared-lives", 12.0),))).intervention("shared-lives").beneficiaries[0]
    bought = np.cumsum(setup) / 250_000
    # never fewer places bought than people supported, never a tranche more than needed
    assert (bought * 75 >= people - 1e-6).all()
    assert bought[-1] == tranches


# -- additionality and optimism bias ---------------------------------------------------------


def test_deadweight_and_attribution_scale_savings():
    s = make_settings(optimism_bias=False, interventions={"shared-lives": {
        "outcomes": {"avoided-alternative-package": {"deadweight": 0.2, "attribution": 0.5}}}})
    base = appraise(SL, NO_OB).interventions["shared-lives"]
    adj = appraise(SL, s).interventions["shared-lives"]
    np.testing.assert_allclose(adj.yearly("gross"), base.yearly("gross") * 0.8 * 0.5)
    np.testing.assert_allclose(adj.yearly("cost"), base.yearly("cost"))


def test_lag_delays_savings_not_costs():
    s = make_settings(optimism_bias=False, counterfactual=False, interventions={"living-well": {"lag_months": 3}})
    scen = define_scenario("birmingham", ["living-well"])
    base = appraise(scen, NO_OB, monthly=True).interventions["living-well"].monthly
    lag = appraise(scen, s, monthly=True).interventions["living-well"].monthly
    np.testing.assert_allclose(lag.gross[:, 3:], base.gross[:, :-3])
    assert lag.gross[:, :6].sum() == 0
    np.testing.assert_allclose(lag.running_cost, base.running_cost)


def test_drop_off_fades_savings_each_year_after_they_start():
    s = make_settings(optimism_bias=False, counterfactual=False, interventions={"living-well": {"drop_off": 0.1}})
    scen = define_scenario("birmingham", ["living-well"])
    base = appraise(scen, NO_OB, monthly=True).interventions["living-well"].monthly
    drop = appraise(scen, s, monthly=True).interventions["living-well"].monthly
    # savings start after 3 months: months 4-15 are the first year (x 1), 16-27 the second (x 0.9)
    np.testing.assert_allclose(drop.gross[:, 3:15], base.gross[:, 3:15])
    np.testing.assert_allclose(drop.gross[:, 15:27], base.gross[:, 15:27] * 0.9)
    np.testing.assert_allclose(drop.gross[:, 27:39], base.gross[:, 27:39] * 0.81)


@pytest.mark.parametrize("level,share", [(1, 0.40), (2, 0.25), (3, 0.15), (4, 0.10), (5, 0.05)])
def test_optimism_bias_table_by_evidence_level(level, share):
    ob = appraisal_defaults().optimism_bias[level]
    assert ob.costs.value == share and ob.benefits.value == share
    assert ob.costs.status == "assumption" and ob.costs.derivation


@pytest.mark.parametrize("method,extra,up,down", [
    ("nesta-levels", {}, 0.25, 0.25),  # our table, level 2
    (None, {}, 0.41, 0.0),  # the default: HM Treasury's supplementary guidance, outsourcing upper bound
    ("green-book", {"green_book_category": "standard-buildings"}, 0.24, 0.0),
    ("gmca", {}, 0.15, 0.15),  # the default confidence grade, 4
    ("gmca", {"confidence_grade": 6}, 0.40, 0.40),
])
def test_optimism_bias_raises_costs_and_lowers_savings(method, extra, up, down):
    scen = define_scenario("birmingham", ["living-well"])
    on = appraise(scen, make_settings(years=3, optimism_bias_method=method,
                                      interventions={"living-well": extra})).interventions["living-well"]
    off = appraise(scen, make_settings(years=3, optimism_bias=False)).interventions["living-well"]
    assert on.optimism_bias == (up, down)
    np.testing.assert_allclose(on.yearly("cost"), off.yearly("cost") * (1 + up))
    np.testing.assert_allclose(on.yearly("gross"), off.yearly("gross") * (1 - down))
    np.testing.assert_allclose(on.yearly("wider_benefits"), off.yearly("wider_benefits") * (1 - down))


def test_ratios():
    """ROI = PV cashable savings / PV cost; BCR adds the non-cashable wider benefits."""
    f = appraise(define_scenario("birmingham", ["living-well"]), NO_OB).interventions["living-well"]
    m = f.metrics
    assert m.roi[0] == pytest.approx(m.pv_savings[0] / m.pv_cost[0])
    assert m.bcr[0] == pytest.approx((m.pv_savings[0] + m.pv_wider_benefits[0]) / m.pv_cost[0])
    assert m.pv_wider_benefits[0] > 0 and m.bcr[0] > m.roi[0]
    # Kent Pathways is fully costed by default (its staff), so it has a return like the others
    kp = appraise(define_scenario("birmingham", ["kent-pathways"]), NO_OB).interventions["kent-pathways"]
    assert kp.metrics.pv_cost[0] > 0
    assert kp.metrics.roi[0] == pytest.approx(kp.metrics.pv_savings[0] / kp.metrics.pv_cost[0])
    # under the paper's own costs it costs nothing, so it has no ratio
    paper = appraise(define_scenario("birmingham", ["kent-pathways"], prices="published"), NO_OB)
    assert np.isnan(paper.interventions["kent-pathways"].metrics.roi[0])


# -- per-draw arrays (for the uncertainty analysis) ------------------------------------------


def test_per_draw_arrays_match_one_draw_runs():
    params = ParameterTable.from_scenario(BHAM)
    path = "shared-lives.learning-disability.outcomes.avoided-alternative-package.unit_saving"
    savings = np.array([10_000.0, 26_000.0, 40_000.0])
    values = params.with_values({path: savings}, n_draws=3)
    many = appraise(BHAM, NO_OB, values=values, parameters=params)
    assert many.portfolio.metrics.npv.shape == (3,)
    assert many.interventions["shared-lives"].metrics.break_even_month.shape == (3,)
    for i, x in enumerate(savings):
        one = appraise(BHAM, NO_OB, values=params.with_values({path: x}), parameters=params)
        assert many.portfolio.metrics.npv[i] == pytest.approx(one.portfolio.metrics.npv[0])
        assert many.interventions["shared-lives"].metrics.break_even_month[i] == \
            one.interventions["shared-lives"].metrics.break_even_month[0]
    be = many.interventions["shared-lives"].metrics.break_even_month
    assert be[0] > be[1] > be[2]


def test_blocks_give_the_same_answer_as_one_pass(monkeypatch):
    import carescale.appraisal.core as core

    params = ParameterTable.from_scenario(BHAM)
    rng = np.random.default_rng(3)
    path = "living-well.older-people-multiple-ltc.unit_cost"
    values = params.with_values({path: rng.uniform(200, 800, 300)}, n_draws=300)
    whole = appraise(BHAM, values=values, parameters=params)
    monkeypatch.setattr(core, "BLOCK", 7)
    blocks = appraise(BHAM, values=values, parameters=params)
    np.testing.assert_allclose(blocks.portfolio.metrics.npv, whole.portfolio.metrics.npv)
    np.testing.assert_array_equal(blocks.portfolio.metrics.break_even_month, whole.portfolio.metrics.break_even_month)


def test_ramp_up_months_can_vary_by_draw():
    params = ParameterTable.from_scenario(SL)
    values = params.base_values(2)
    values["shared-lives.ramp_up.months_to_first_beneficiary"] = np.array([6.0, 7.0])
    f = appraise(SL, NO_OB, values=values, parameters=params).interventions["shared-lives"]
    assert f.metrics.break_even_month[1] == f.metrics.break_even_month[0] + 1
    assert f.months_to_first_beneficiary.tolist() == [6.0, 7.0]


# -- the JSON contract -----------------------------------------------------------------------


def test_json_contract():
    data = appraisal_summary(appraise(BHAM, make_settings(years=4)))
    assert data["settings"]["years"] == 4 and data["settings"]["discount_rate"] == 0.035
    assert data["settings"]["discount_schedule"] == "green-book"
    assert [i["id"] for i in data["interventions"]] == list(BHAM.intervention_ids)
    for item in [*data["interventions"], data["portfolio"]]:
        assert [y["year"] for y in item["years"]] == [1, 2, 3, 4]
        for y in item["years"]:
            for key in ("cost", "gross_savings", "net", "discounted_net"):
                assert key in y
            for key in ("cost", "gross_savings", "net", "discounted_net"):
                assert sum(y[f"{key}_by_payer"].values()) == pytest.approx(y[key], abs=0.02)
        m = item["metrics"]
        for key in ("npv", "bcr", "roi", "break_even_month", "breaks_even", "net_budget_impact"):
            assert key in m
        assert sum(m["npv_by_payer"].values()) == pytest.approx(m["npv"], abs=0.02)
        assert sum(y["discounted_net"] for y in item["years"]) == pytest.approx(m["npv"], abs=0.1)
    assert data["portfolio"]["years"][0]["starts"] == "2026-04-01"
    assert data["portfolio"]["years"][1]["starts"] == "2027-04-01"


# -- the defaults file -----------------------------------------------------------------------


def test_defaults_cite_known_documents_and_mark_our_choices(seeds_dir):
    from carescale.library import iter_quantities, iter_references

    defaults = appraisal_defaults()
    docs = LIB.sources.documents
    for loc, ref in iter_references(defaults):
        assert ref.document in docs, loc
        if docs[ref.document].seed:
            text = normalise((seeds_dir / docs[ref.document].seed).read_text(encoding="utf-8"))
            assert normalise(ref.quote) in text, loc
    statuses = {loc: q.status for loc, q in iter_quantities(defaults)}
    # the Green Book rates and the supplementary guidance's categories are published; everything
    # else in the file is our own choice (the GMCA grades too, until checked at the source)
    published = ("discounting", "optimism_bias_methods.green_book")
    assert all(s == "published" for loc, s in statuses.items() if loc.startswith(published))
    assert all(s == "assumption" for loc, s in statuses.items() if not loc.startswith(published))
    assert any(loc.startswith("optimism_bias_methods.gmca") for loc in statuses)
    assert {"hmt-green-book-2022", "hmt-cba-local-partnerships-2014"} <= set(docs)
    assert docs["hmt-green-book-2022"].seed is None


def test_default_settings():
    s = make_settings()
    assert (s.years, s.discount_rate, s.optimism_bias) == (10, None, True)
    assert s.start_date.isoformat() == "2026-04-01" and s.price_base_year == "2015/16"


def test_worked_example_in_the_docs():
    """docs/appraisal.md: Shared Lives, 3 years, 3.5%, no optimism bias, by hand."""
    result = appraise(SL, make_settings(years=3, discount_rate=0.035, optimism_bias=False), monthly=True)
    f = result.interventions["shared-lives"]
    month = f.monthly.gross[0, :, 0]
    assert [round(x) for x in month[6:14]] == [1158, 9264, 18528, 27792, 37056, 46319, 55583, 64847]
    assert round(f.monthly.cumulative_net()[0, 13]) == 10547
    data = appraisal_summary(result)["interventions"][0]
    assert [round(y["net"]) for y in data["years"]] == [-109884, 1138300, 1334000]
    assert [round(y["discounted_net"]) for y in data["years"]] == [-109884, 1099807, 1245303]
    assert round(data["metrics"]["npv"]) == 2235227
    assert round(npf.npv(0.035, [-109884, 1138300, 1334000])) == pytest.approx(2235227, abs=2)
    assert data["metrics"]["roi"] == pytest.approx(9.9409, abs=1e-4)
    assert data["metrics"]["break_even_month"] == 14
    text = (Path(__file__).resolve().parents[1] / "docs" / "appraisal.md").read_text(encoding="utf-8")
    for figure in ("£2,235,227", "£1,138,300", "-£109,884", "+£10,547", "month 14", "month 16"):
        assert figure in text


def test_setup_up_front_pays_every_tranche_in_month_1():
    params = ParameterTable.from_scenario(SL)
    path = "area.cohorts.learning_disability_long_term_support"
    values = params.with_values({path: params[path].base * 10})
    s = make_settings(optimism_bias=False, setup_timing="up-front")
    f = appraise(SL, s, values=values, parameters=params, monthly=True).interventions["shared-lives"]
    total = evaluate(SL, values).intervention("shared-lives").setup_investment[0]
    assert f.monthly.setup[0, 0, 0] == pytest.approx(total) and f.monthly.setup[0, 1:].sum() == 0
    # for Birmingham (one tranche) both timings are the same
    a = appraise(SL, make_settings(setup_timing="up-front")).interventions["shared-lives"].metrics.npv
    b = appraise(SL, make_settings()).interventions["shared-lives"].metrics.npv
    assert a == pytest.approx(b)


def test_optimism_bias_reaches_every_cost_and_saving_parameter():
    """The kinds the appraisal adjusts are the engine's kinds for costs and savings, and the
    caller's values are not changed."""
    from carescale.appraisal import adjusted_values
    from carescale.appraisal.core import BENEFIT_KINDS, COST_KINDS

    params = ParameterTable.from_scenario(BHAM)
    kinds = {p.kind for p in params}
    assert COST_KINDS <= kinds and BENEFIT_KINDS <= kinds
    base = params.base_values()
    adj = adjusted_values(BHAM, params, base, make_settings(optimism_bias_method="nesta-levels"))
    for p in params:
        assert base[p.path][0] == p.base
        factor = 1.25 if p.kind in COST_KINDS else 0.75 if p.kind in BENEFIT_KINDS else 1.0
        assert adj[p.path][0] == pytest.approx(p.base * factor), p.path


# -- counterfactual by evidence design (issue 21) ---------------------------------------------


def test_counterfactual_defaults_by_evidence_design():
    """Each model's deadweight, attribution, drop-off and duration come from the design of its
    evidence (data/appraisal_defaults.yaml), each with a range and a source; the paper keeps 0."""
    d = appraisal_defaults().counterfactual
    for design, cf in d.items():
        for name in ("deadweight", "attribution", "drop_off"):
            q = getattr(cf, name)
            assert q.low <= q.value <= q.high and q.ref.quote and q.derivation, (design, name)
    res = appraise(define_scenario("birmingham"), make_settings(optimism_bias=False))
    got = {iid: (a.deadweight, a.attribution, a.drop_off, a.duration_years) for iid, a in res.settings.interventions.items()}
    assert got["living-well"] == (0.2, 0.9, 0.05, 10.0)  # before-and-after
    assert got["shared-lives"] == (0.1, 1.0, 0.0, None)  # a cost comparison
    assert {LIB.interventions[i].evidence_design for i in got} == {"before-and-after", "cost-comparison"}
    # what a user sets wins over the design's default
    mine = appraise(define_scenario("birmingham", ["living-well"]),
                    make_settings(interventions={"living-well": {"deadweight": 0.5}})).settings.interventions["living-well"]
    assert (mine.deadweight, mine.attribution) == (0.5, 0.9)
    # the paper's prices go with the paper's settings: no counterfactual, as the paper
    assert appraise(BHAM).settings.interventions == {}
    # and it can be turned off
    assert appraise(define_scenario("birmingham"), make_settings(counterfactual=False)).settings.interventions == {}


def test_deadweight_and_attribution_scale_savings_by_hand():
    """Living Well's gross saving in a month at full scale, before-and-after design:
    (1 - 20%) x 90% of the figure as given, and 5% less in each full year after savings start."""
    scen = define_scenario("birmingham", ["living-well"])
    off = appraise(scen, make_settings(optimism_bias=False, counterfactual=False), monthly=True).interventions["living-well"].monthly
    on = appraise(scen, make_settings(optimism_bias=False), monthly=True).interventions["living-well"].monthly
    np.testing.assert_allclose(on.gross[:, 3:15], off.gross[:, 3:15] * 0.8 * 0.9)
    np.testing.assert_allclose(on.gross[:, 15:27], off.gross[:, 15:27] * 0.8 * 0.9 * 0.95)
    np.testing.assert_allclose(on.running_cost, off.running_cost)


def test_duration_ends_the_effect():
    scen = define_scenario("birmingham", ["living-well"])
    s = make_settings(optimism_bias=False, counterfactual=False, interventions={"living-well": {"duration_years": 2}})
    f = appraise(scen, s, monthly=True).interventions["living-well"].monthly
    # savings start after 3 months and last 24 months: months 4-27, nothing after; costs go on
    assert f.gross[0, 3:27].sum() > 0 and f.gross[0, 27:].sum() == 0
    assert f.running_cost[0, 27:].sum() > 0


def test_metrics_of_stacked_flows_are_each_flows_own_bit_for_bit():
    """The appraisal works the metrics of every model and the portfolio out on their flows stacked
    (``core._metrics_of``): each flow's figures must be what it gives alone, to the bit, whatever
    the draws, years and signs (zeros and negative zeros included)."""
    from carescale.appraisal.core import MonthlyFlows, _metrics_of

    rng = np.random.default_rng(7)

    def flow(D, T, deduction):
        def a(*shape):
            x = rng.normal(size=shape) * 10.0 ** rng.integers(-3, 8, size=shape)
            x[rng.random(shape) < 0.1] = 0.0
            x[rng.random(shape) < 0.05] = -0.0
            return x
        return MonthlyFlows(a(D, T, 2), a(D, T, 2), a(D, T, 2), a(D, T, 2) if deduction else None, a(D, T))

    for D, years, K in [(1, 10, 7), (1, 1, 1), (1, 40, 3), (3, 5, 4), (256, 10, 7)]:
        flows = [flow(D, 12 * years, k == K - 1) for k in range(K)]
        factors = discount_factors(years, None if D == 1 else 0.05)
        together = _metrics_of(flows, factors)
        for f, (m, yearly) in zip(flows, together):
            ((m1, yearly1),) = _metrics_of([f], factors)
            assert yearly.keys() == yearly1.keys()
            for k in yearly1:
                assert yearly[k].tobytes() == yearly1[k].tobytes(), k
            for k in m1.__dataclass_fields__:
                assert getattr(m, k).tobytes() == getattr(m1, k).tobytes(), k
