"""The NPV-only route (appraisal/npv_only.py) gives the full appraisal's NPV to the penny on every
draw: by model, by payer and for the portfolio, over a 1,000-draw Monte Carlo run, under every
setting that shapes the flows (optimism bias, additionality, lag, drop-off, ramp-up months
varying by draw, set-up timing, discounting, period, basis) and with overridden values."""

from __future__ import annotations

import numpy as np
import pytest

import carescale
from carescale import ParameterTable
from carescale.appraisal import appraise, appraise_npv, make_settings
from carescale.uncertainty import Model

PENNY = 0.005
DRAWS = 1000


def monte_carlo(scenario, n: int = DRAWS, seed: int = 12) -> tuple[ParameterTable, dict[str, np.ndarray]]:
    model = Model.build(scenario)
    return model.params, model.draws(n, seed)


def assert_routes_agree(scenario, settings, values, params, chunk: int = 300) -> None:
    full = appraise(scenario, settings, values, params)
    fast = appraise_npv(scenario, settings, values, params, chunk=chunk)
    n = full.n_draws
    assert fast.portfolio_by_payer.shape == (n, 2)
    for iid, flows in full.interventions.items():
        got = fast.by_payer[iid]
        assert got.shape == (n, 2)
        worst = np.abs(got - flows.metrics.npv_by_payer).max()
        assert worst < PENNY, f"{iid}: routes differ by £{worst:.4f} on some draw"
        np.testing.assert_allclose(fast.npv(iid), flows.metrics.npv, rtol=0, atol=PENNY)
    worst = np.abs(fast.portfolio_by_payer - full.portfolio.metrics.npv_by_payer).max()
    assert worst < PENNY, f"portfolio: routes differ by £{worst:.4f} on some draw"
    np.testing.assert_allclose(fast.portfolio, full.portfolio.metrics.npv, rtol=0, atol=PENNY)


BHAM = carescale.define_scenario("birmingham")

VARIANTS = {
    "defaults": {},
    "no optimism bias, flat 3.5%": dict(optimism_bias=False, discount_rate=0.035),
    "set-up up front": dict(setup_timing="up-front"),
    "lag, drop-off and additionality": dict(interventions={
        "living-well": {"lag_months": 5, "drop_off": 0.15, "deadweight": 0.2},
        "shared-lives": {"lag_months": 2.5, "attribution": 0.7, "months_to_full_scale": 0},
        "community-agents": {"drop_off": 0.3, "months_to_first_beneficiary": 7},
    }),
    "40 years (declining Green Book rate)": dict(years=40),
    "one year": dict(years=1),
}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_routes_agree_on_every_draw_of_a_monte_carlo_run(name: str) -> None:
    params, values = monte_carlo(BHAM)
    assert_routes_agree(BHAM, make_settings(**VARIANTS[name]), values, params)


def test_routes_agree_with_ramp_up_months_varying_by_draw_and_overrides() -> None:
    params, values = monte_carlo(BHAM, seed=3)
    rng = np.random.default_rng(5)
    for iv in BHAM.interventions:
        values[f"{iv.id}.ramp_up.months_to_first_beneficiary"] = rng.uniform(0, 12, DRAWS)
        values[f"{iv.id}.ramp_up.months_to_full_scale"] = rng.choice([0.0, 6.0, 18.0, 30.5], DRAWS)
    # overrides: one figure fixed for every draw, one scaled (as a scenario's overrides do)
    assert "shared-lives.learning-disability.sizing.rate" in values
    values["shared-lives.learning-disability.sizing.rate"] = np.full(DRAWS, 0.02)
    values["living-well.older-people-multiple-ltc.unit_cost"] = values["living-well.older-people-multiple-ltc.unit_cost"] * 1.7
    assert_routes_agree(BHAM, make_settings(interventions={"shared-lives": {"lag_months": 4}}), values, params, chunk=128)


def test_routes_agree_with_scale_overrides_and_re_pricing_in_the_scenario() -> None:
    """What a scenario document changes (issue 11): overrides, a scale per model, a price base,
    and a scale varying by draw (the optimiser's decision variable), plus partial values."""
    scen = carescale.define_scenario(
        "birmingham",
        overrides={"living-well.older-people-multiple-ltc.unit_cost": 520.0,
                   "shared-lives.learning-disability.people": 150},
        scale={"living-well": 0.4, "shared-lives": 0.75, "support-at-home": 0.0},
        prices=2024,
    )
    params, values = monte_carlo(scen, seed=8)
    assert "living-well.older-people-multiple-ltc.unit_cost" in values
    values["community-agents.scale"] = np.random.default_rng(2).uniform(0, 1, DRAWS)
    assert_routes_agree(scen, make_settings(), values, params)
    partial = {"living-well.older-people-multiple-ltc.unit_cost": values["living-well.older-people-multiple-ltc.unit_cost"]}
    assert_routes_agree(scen, make_settings(), partial, params)


def test_routes_agree_on_the_current_basis_and_for_one_draw() -> None:
    cornwall = carescale.define_scenario("cornwall", basis="current")
    params, values = monte_carlo(cornwall, n=200)
    assert_routes_agree(cornwall, make_settings(), values, params)
    bham_params = ParameterTable.from_scenario(BHAM)
    assert_routes_agree(BHAM, None, None, bham_params)  # deterministic: base values, one draw
    det = appraise_npv(BHAM).portfolio[0]
    assert det == pytest.approx(float(appraise(BHAM).portfolio.metrics.npv[0]), abs=PENNY)


def test_block_size_does_not_change_the_answer() -> None:
    params, values = monte_carlo(BHAM, n=700)
    a = appraise_npv(BHAM, None, values, params, chunk=700)
    b = appraise_npv(BHAM, None, values, params, chunk=64)
    np.testing.assert_allclose(a.portfolio_by_payer, b.portfolio_by_payer, rtol=0, atol=1e-6)


def test_the_set_up_and_overlap_terms_matter() -> None:
    """The two terms that are not figure-times-curve are really computed: leave either out
    and the answer moves by far more than a penny (so the agreement above is not vacuous)."""
    full = appraise(BHAM, make_settings(optimism_bias=False))
    sl = full.interventions["shared-lives"]
    setup_pv = float(sl.setup[0, :, :].sum(axis=1) @ sl.factors)
    assert setup_pv > 1_000  # Shared Lives buys set-up in tranches
    ded_pv = float(full.portfolio.overlap_deduction[0].sum(axis=1) @ full.portfolio.factors)
    assert ded_pv > 1_000  # three overlapping pairs in the default portfolio
    fast = appraise_npv(BHAM, make_settings(optimism_bias=False))
    assert fast.npv("shared-lives")[0] == pytest.approx(float(sl.metrics.npv[0]), abs=PENNY)


def test_routes_agree_with_drop_off_on_ramp_ups_varying_by_draw_and_models_switched_off() -> None:
    """The overlap's two ways of summing (closed form on curves shared by every draw; month by
    month over the ramp-up when they vary by draw) with drop-off, over 40 years, and with draws
    where a model is switched off (no people: the smaller group is empty)."""
    params, values = monte_carlo(BHAM, seed=21)
    rng = np.random.default_rng(9)
    values["community-agents.scale"] = np.where(rng.uniform(size=DRAWS) < 0.2, 0.0, 1.0)
    settings = make_settings(years=40, interventions={
        "living-well": {"drop_off": 0.1, "lag_months": 3},
        "support-at-home": {"drop_off": 0.25},
    })
    assert_routes_agree(BHAM, settings, values, params)
    values["living-well.ramp_up.months_to_full_scale"] = rng.uniform(0, 40, DRAWS)
    assert_routes_agree(BHAM, settings, values, params)


def test_the_overlap_closed_form_equals_the_sum_month_by_month() -> None:
    """``_min_pv`` (sum over months of the smaller of two groups) against ``np.minimum`` month by
    month, on curves with empty months, ties, drop-off steps, and people of 0, negative or NaN."""
    from carescale.appraisal.npv_only import _min_pv

    rng = np.random.default_rng(4)
    T = 96
    weight = rng.uniform(0.05, 0.1, T)
    c_a = np.clip(np.linspace(-0.3, 1.4, T), 0, 1)[None, :] * 0.9 ** (np.arange(T) // 12)
    c_b = np.clip(np.linspace(-0.1, 2.0, T), 0, 1)[None, :]
    c_b[0, 50:60] = c_a[0, 50:60]  # ties
    n_a = rng.uniform(0, 500, 2000)
    n_b = rng.uniform(0, 500, 2000)
    n_a[:5], n_b[5:10], n_a[10], n_b[11], n_a[12] = 0.0, 0.0, -3.0, -1.0, np.nan
    want = np.minimum(n_a[:, None] * c_a, n_b[:, None] * c_b) @ weight
    got = _min_pv(n_a, c_a, n_b, c_b, weight)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-9)
    assert np.isnan(got[12]) and got[10] < 0
    by_draw = np.broadcast_to(c_a, (2000, T)).copy()  # curves varying by draw: month by month
    np.testing.assert_allclose(_min_pv(n_a, by_draw, n_b, c_b, weight), want, rtol=1e-12, atol=1e-9)
