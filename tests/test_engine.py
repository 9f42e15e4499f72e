"""The engine: vectorisation over draws and periods, and properties that must always hold."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carescale import ParameterTable, Timeline, define_scenario, evaluate, summary
from carescale.schema import PAYERS

from .conftest import probe_json

SCEN = define_scenario("birmingham")
PARAMS = ParameterTable.from_scenario(SCEN)
BASE = evaluate(SCEN)


def test_shapes_follow_draws_periods_payers():
    res = evaluate(SCEN, PARAMS.base_values(7), Timeline(periods=12, years_per_period=1 / 12))
    for r in res.interventions:
        assert r.cost.shape == (7, 12, len(PAYERS))
        assert r.gross.shape == (7, 12, len(PAYERS))
        assert r.beneficiaries.shape == (7, 12)
    assert res.net.shape == (7, 12, 2)


def test_many_identical_draws_equal_one_draw():
    many = evaluate(SCEN, PARAMS.base_values(50))
    np.testing.assert_allclose(many.net, np.repeat(BASE.net, 50, axis=0))


def test_twelve_months_add_up_to_the_year():
    months = evaluate(SCEN, timeline=Timeline(periods=12, years_per_period=1 / 12))
    np.testing.assert_allclose(months.net.sum(axis=1), BASE.net.sum(axis=1))


def test_each_draw_is_evaluated_independently():
    """A vector of values gives, draw by draw, what separate one-draw runs give."""
    rng = np.random.default_rng(1)
    path = "living-well.older-people-multiple-ltc.unit_cost"
    costs = rng.uniform(100, 900, size=5)
    vec = evaluate(SCEN, PARAMS.with_values({path: costs}, 5))
    for d, c in enumerate(costs):
        one = evaluate(SCEN, PARAMS.with_values({path: c}))
        np.testing.assert_allclose(vec.net[d], one.net[0])


def test_net_is_gross_less_cost_less_overlap():
    np.testing.assert_allclose(BASE.net, BASE.gross - BASE.cost - BASE.overlap_deduction)
    # every payer the shared people save for: Living Well and Support at Home both save NHS money
    assert float(BASE.overlap_deduction[0, 0, 1]) > 0.0
    assert [o.payer for o in BASE.overlaps].count(1) == 1


def test_unknown_parameter_path_is_a_clear_error():
    from carescale import SettingsError

    with pytest.raises(SettingsError, match="unknown parameter 'living-well.nope'"):
        PARAMS.with_values({"living-well.nope": 1.0})


def test_overlap_is_only_deducted_when_both_schemes_run():
    alone = evaluate(define_scenario("birmingham", ["community-agents", "kent-pathways"], prices="published"))
    assert alone.overlaps == ()
    pair = evaluate(define_scenario("birmingham", ["community-agents", "living-well"], prices="published"))
    assert [o.id for o in pair.overlaps] == ["community-agents-living-well"]
    # share x min(2,700, 1,000) people x min(£517.10, £1,181) per person
    share = pair.scenario.overlaps[0].share.value
    expected = share * 1000 * (0.0219715914 * 12078 + 0.09 * 2797)
    assert float(pair.overlap_deduction[0, 0, 0]) == pytest.approx(expected)


def test_current_basis_has_no_setup_investment():
    cur = evaluate(define_scenario("birmingham", ["shared-lives"], basis="current"))
    assert float(cur.interventions[0].setup_investment[0]) == 0.0


AREA_PATHS = [p.path for p in PARAMS if p.kind in ("cohort", "spend", "provision")]


@settings(max_examples=40, deadline=None)
@given(k=st.floats(min_value=0.01, max_value=100, allow_nan=False))
def test_scaling_an_area_scales_the_result(k):
    """Multiply every cohort, spend line and existing provision by k: beneficiaries, costs,
    savings and the overlap deduction all scale by k (every rule is linear in the area)."""
    scaled = evaluate(SCEN, PARAMS.with_values({p: PARAMS[p].base * k for p in AREA_PATHS}))
    np.testing.assert_allclose(scaled.net, BASE.net * k, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(scaled.cost, BASE.cost * k, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(scaled.overlap_deduction, BASE.overlap_deduction * k, rtol=1e-9, atol=1e-6)
    for a, b in zip(scaled.interventions, BASE.interventions):
        np.testing.assert_allclose(a.beneficiaries, b.beneficiaries * k, rtol=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    share=st.floats(min_value=0, max_value=1, allow_nan=False),
    iid=st.sampled_from(["living-well", "support-at-home", "community-agents"]),
)
def test_cost_shares_sum_to_the_whole(share, iid):
    """However the cost is split between payers, the payers' costs add up to the total cost and
    the total net saving does not change."""
    vals = PARAMS.with_values({f"{iid}.cost_shares.asc": share, f"{iid}.cost_shares.nhs": 1 - share})
    res = evaluate(SCEN, vals)
    r, b = res.intervention(iid), BASE.intervention(iid)
    assert float(r.cost.sum()) == pytest.approx(float(b.cost.sum()))
    assert float(r.cost[0, 0, 0]) == pytest.approx(float(r.cost.sum()) * share)
    assert float(r.net.sum()) == pytest.approx(float(b.net.sum()))


@settings(max_examples=40, deadline=None)
@given(rate=st.floats(min_value=0, max_value=1, allow_nan=False))
def test_savings_rise_with_an_outcome_rate(rate):
    path = "community-agents.older-people.outcomes.stay-home-longer.rate"
    lo = evaluate(SCEN, PARAMS.with_values({path: rate}))
    hi = evaluate(SCEN, PARAMS.with_values({path: min(1.0, rate + 0.01)}))
    assert float(hi.intervention("community-agents").gross.sum()) >= float(
        lo.intervention("community-agents").gross.sum()
    )


def test_summary_contract_keys():
    data = summary(BASE)
    assert set(data["area"]) == {"id", "name"}
    for item in data["interventions"]:
        assert {"id", "beneficiaries", "cost", "gross_savings", "net_savings"} <= set(item)
        assert set(item["gross_savings"]) == {"asc", "nhs"}
        assert set(item["net_savings"]) == {"asc", "nhs"}
    assert set(data["totals"]["net_savings"]) == {"asc", "nhs"}
    assert set(data["totals"]["overlap_deduction"]) == {"asc", "nhs"}


def test_the_engine_keeps_freed_memory_once_it_runs_many_draws():
    """Issue 25 (engine/memory.py): the first engine run over many draws asks glibc, once per
    process, to keep freed memory for the next arrays; a one-draw run does not (nor imports
    ctypes for it). Checked in a fresh interpreter, with glibc's own report of its settings."""

    probe = r"""
import json, sys
import numpy as np
import carescale
from carescale.engine.memory import keep_freed_memory
scen = carescale.define_scenario("birmingham")
carescale.evaluate(scen)
one = keep_freed_memory.cache_info().misses
params = carescale.ParameterTable.from_scenario(scen)
values = {k: np.repeat(v, 2000) for k, v in params.base_values().items()}
carescale.evaluate(scen, values)
carescale.evaluate(scen, values)
print(json.dumps([one, keep_freed_memory.cache_info().misses, keep_freed_memory(), sys.platform]))
"""
    one, many, tuned, platform = probe_json(probe)
    assert (one, many) == (0, 1)
    if platform.startswith("linux"):
        import ctypes

        assert tuned is bool(getattr(ctypes.CDLL(None), "mallopt", None))


def test_several_timelines_from_one_set_of_annual_figures_equal_the_engine_on_each():
    """``evaluate_timelines`` (the appraisal's costs and savings, the bridge's states) gives, bit
    for bit, what :func:`evaluate` gives on each timeline alone, every array of every result."""
    from carescale.appraisal import AppraisalSettings
    from carescale.appraisal.core import timelines
    from carescale.engine.evaluate import evaluate_timelines
    from carescale.engine.timeline import STEADY_STATE

    rng = np.random.default_rng(3)
    values = {k: v * rng.uniform(0.8, 1.2, 9) for k, v in PARAMS.base_values(9).items()}
    cost_tl, sav_tl = timelines(SCEN, AppraisalSettings(years=7, interventions={
        iv.id: {"lag_months": 3, "drop_off": 0.1} for iv in SCEN.interventions[:2]}))
    tls = (STEADY_STATE, cost_tl, sav_tl, Timeline(periods=12, years_per_period=1 / 12))
    got = evaluate_timelines(SCEN, values, tls, PARAMS)
    for tl, res in zip(tls, got):
        one = evaluate(SCEN, values, tl, PARAMS)
        assert res.timeline == tl and len(res.interventions) == len(one.interventions) > 0
        for a, b in zip(res.interventions, one.interventions):
            for name in ("beneficiaries", "cost", "gross", "setup_investment", "wider_benefits"):
                np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
            assert a.workforce.keys() == b.workforce.keys()
            for role in a.workforce:
                np.testing.assert_array_equal(a.workforce[role], b.workforce[role])
        assert len(res.overlaps) == len(one.overlaps) > 0
        for a, b in zip(res.overlaps, one.overlaps):
            np.testing.assert_array_equal(a.people, b.people)
            np.testing.assert_array_equal(a.deduction, b.deduction)
