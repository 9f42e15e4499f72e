"""Properties of the appraisal that must hold for any settings (hypothesis)."""

from __future__ import annotations

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from carescale import ParameterTable, define_scenario, evaluate, summary
from carescale.appraisal import appraise, discount_factors, make_settings, npv

BHAM = define_scenario("birmingham")
PARAMS = ParameterTable.from_scenario(BHAM)
STEADY = {i["id"]: i for i in summary(evaluate(BHAM))["interventions"]}
IDS = list(BHAM.intervention_ids)

months = st.floats(min_value=0, max_value=36, allow_nan=False)
share = st.floats(min_value=0, max_value=1, allow_nan=False)
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _short_and_long(iid, years, more, delay, ramp, deadweight, optimism, size, timing):
    cohorts = {p.path: p.base * size for p in PARAMS if p.kind == "cohort"}
    values = PARAMS.with_values(cohorts)
    adj = {iid: {"months_to_first_beneficiary": delay, "months_to_full_scale": ramp, "deadweight": deadweight}}
    scen = define_scenario("birmingham", [iid])
    params = ParameterTable.from_scenario(scen)
    vals = {k: v for k, v in values.items() if k in params}
    steady = evaluate(scen, vals, parameters=params).intervention(iid)
    ob = 0.25 if optimism else 0.0
    net_steady = steady.gross.sum() * (1 - ob) * (1 - deadweight) - steady.cost.sum() * (1 + ob)
    common = dict(optimism_bias=optimism, counterfactual=False, interventions=adj, setup_timing=timing)
    short = appraise(scen, make_settings(years=years, **common), vals, params)
    long = appraise(scen, make_settings(years=years + more, **common), vals, params)
    return net_steady, short.interventions[iid].metrics.net_budget_impact[0], long.interventions[iid].metrics.net_budget_impact[0]


SETTINGS = dict(
    iid=st.sampled_from(IDS),
    years=st.integers(min_value=1, max_value=14),
    more=st.integers(min_value=1, max_value=6),
    delay=months,
    ramp=months,
    deadweight=st.floats(min_value=0, max_value=0.9),
    optimism=st.booleans(),
    size=st.floats(min_value=0.2, max_value=20),
)


@FAST
@given(**SETTINGS)
def test_more_years_never_lower_cumulative_net_of_a_net_positive_model(
    iid, years, more, delay, ramp, deadweight, optimism, size
):
    """For a model whose net saving at steady state is positive, appraising over more years
    never lowers its cumulative undiscounted net saving, with set-up paid up front (the longer
    appraisal's first years are the shorter one, and every later month is net positive). Lag and
    drop-off are left at 0 here: a lag by design makes costs come before savings, and a drop-off
    makes later years differ from the steady state."""
    net_steady, a, b = _short_and_long(iid, years, more, delay, ramp, deadweight, optimism, size, "up-front")
    assume(net_steady > 0)
    assert b >= a - 1e-6 * max(1.0, abs(a))


@FAST
@given(**SETTINGS)
def test_more_years_never_lower_cumulative_net_once_built_up_when_set_up_is_paid_as_places_fill(
    iid, years, more, delay, ramp, deadweight, optimism, size
):
    """With the default timing (each set-up tranche paid as the places already bought fill) the
    same holds once the shorter period covers the build-up: every tranche is then paid."""
    assume(years * 12 >= delay + ramp)
    net_steady, a, b = _short_and_long(iid, years, more, delay, ramp, deadweight, optimism, size, "as-places-fill")
    assume(net_steady > 0)
    assert b >= a - 1e-6 * max(1.0, abs(a))


def test_stopping_during_a_fast_build_up_can_lower_the_cumulative_net():
    """Why the condition: Shared Lives at four times Birmingham's size, first match after 20
    months and full scale 2 months later, half the saving deadweight. Year 2 buys five more
    tranches (£1.25m) in months 21-22 but has only four months of savings, so two years end
    lower than one. With set-up paid up front, the second year cannot be negative."""
    net_steady, one, two = _short_and_long("shared-lives", 1, 1, 20.0, 2.0, 0.5, False, 4.0, "as-places-fill")
    assert net_steady > 0 and two < one
    _, one, two = _short_and_long("shared-lives", 1, 1, 20.0, 2.0, 0.5, False, 4.0, "up-front")
    assert two >= one


negative = st.floats(min_value=-1e7, max_value=-1, allow_nan=False)
positive = st.floats(min_value=0, max_value=1e7, allow_nan=False)
rate = st.floats(min_value=0, max_value=0.2, allow_nan=False)


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
@settings(max_examples=300, deadline=None)
@given(first=negative, later=st.lists(positive, min_size=1, max_size=40), r1=rate, r2=rate)
def test_higher_rate_never_raises_npv_of_a_cost_first_flow(first, later, r1, r2):
    """A flow negative in the first year (t = 0, the set-up year) and positive afterwards: a
    higher discount rate never raises its NPV."""
    lo, hi = sorted((r1, r2))
    flows = np.array([first, *later])
    n = len(flows)
    assert npv(flows, discount_factors(n, hi)) <= npv(flows, discount_factors(n, lo)) + 1e-6
    assert npv(flows, discount_factors(n, hi)) == pytest.approx(npf.npv(hi, flows), rel=1e-9, abs=1e-6)


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
@settings(max_examples=300, deadline=None)
@given(costs=st.lists(negative, min_size=1, max_size=5), later=st.lists(positive, min_size=1, max_size=40),
       r1=rate, r2=rate)
def test_higher_rate_never_raises_a_non_negative_npv_of_a_negative_then_positive_flow(costs, later, r1, r2):
    """Negative for several years, then positive: a higher rate never raises the NPV as long as
    the NPV at the higher rate is not negative (if it is, see the next test)."""
    lo, hi = sorted((r1, r2))
    flows = np.array([*costs, *later])
    n = len(flows)
    at_hi = npv(flows, discount_factors(n, hi))
    assume(at_hi >= 0)
    assert at_hi <= npv(flows, discount_factors(n, lo)) + 1e-6 * max(1.0, abs(at_hi))


def test_a_higher_rate_can_raise_a_negative_npv_when_costs_run_over_several_years():
    """Why the property above needs its condition: -1, -1, then +0.1. Discounting shrinks the
    second year's cost more than the small saving, so the NPV rises with the rate. docs/appraisal.md
    says so."""
    flows = np.array([-1.0, -1.0, 0.1])
    assert npv(flows, discount_factors(3, 0.2)) > npv(flows, discount_factors(3, 0.0))


@settings(max_examples=25, deadline=None)
@given(r1=rate, r2=rate, years=st.integers(min_value=2, max_value=15))
def test_higher_rate_never_raises_shared_lives_npv(r1, r2, years):
    """Shared Lives pays its set-up in year 1 and saves afterwards (a cost-first flow)."""
    lo, hi = sorted((r1, r2))
    scen = define_scenario("birmingham", ["shared-lives"])
    a = appraise(scen, make_settings(years=years, discount_rate=lo, counterfactual=False)).interventions["shared-lives"]
    b = appraise(scen, make_settings(years=years, discount_rate=hi, counterfactual=False)).interventions["shared-lives"]
    assert b.metrics.npv[0] <= a.metrics.npv[0] + 1e-6


@settings(max_examples=40, deadline=None)
@given(flows=st.lists(st.floats(min_value=-1e7, max_value=1e7, allow_nan=False), min_size=1, max_size=30))
def test_zero_rate_npv_is_the_plain_sum(flows):
    arr = np.array(flows)
    assert npv(arr, discount_factors(len(arr), 0.0)) == pytest.approx(arr.sum(), abs=1e-6)
