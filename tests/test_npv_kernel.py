"""The NPV route's compiled kernel (appraisal/npv_kernel.py, npv_jit.py) restates the engine's
formulas per draw: these tests check that Monte Carlo runs really go through it, that it gives
the numpy route's NPV on every draw (by model, by payer, portfolio) under every setting and kind
of scenario, and the full monthly appraisal's to the penny where test_npv_route.py does not
already reach it (the ``paper`` method); and that small runs and ``CARESCALE_NPV_KERNEL=0`` keep
to the numpy route."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

import carescale
from carescale.appraisal import appraise_npv, make_settings
from carescale.appraisal import npv_kernel, npv_only

from .test_npv_route import BHAM, VARIANTS, assert_routes_agree, monte_carlo

pytestmark = pytest.mark.skipif(importlib.util.find_spec("numba") is None, reason="numba is not installed")


@pytest.fixture(autouse=True)
def kernel_on(monkeypatch):
    """Every run of 128 draws or more through the kernel (a process loads it by itself only after
    two million draws)."""
    monkeypatch.setenv("CARESCALE_NPV_KERNEL", "1")


@pytest.fixture
def kernel_runs(monkeypatch):
    """How many calls went through the kernel."""
    calls = []
    run = npv_kernel.run

    def counted(*args, **kwargs):
        calls.append(run(*args, **kwargs))
        return calls[-1]

    monkeypatch.setattr(npv_kernel, "run", counted)
    return calls


def both_routes(scenario, settings, values, params, monkeypatch, chunk=None):
    kernel = appraise_npv(scenario, settings, values, params, chunk=chunk)
    monkeypatch.setenv("CARESCALE_NPV_KERNEL", "0")
    numpy_route = appraise_npv(scenario, settings, values, params, chunk=chunk)
    monkeypatch.setenv("CARESCALE_NPV_KERNEL", "1")
    return kernel, numpy_route


def assert_same(a, b) -> None:
    for iid in b.by_payer:
        np.testing.assert_allclose(a.by_payer[iid], b.by_payer[iid], rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(a.portfolio_by_payer, b.portfolio_by_payer, rtol=1e-12, atol=1e-6)


SCENARIOS = {
    "birmingham": lambda: BHAM,
    "paper method": lambda: carescale.define_scenario("birmingham", method="paper"),
    "current basis": lambda: carescale.define_scenario("cornwall", basis="current"),
    "overrides, scales, prices": lambda: carescale.define_scenario(
        "birmingham", overrides={"living-well.older-people-multiple-ltc.unit_cost": 520.0,
                                 "shared-lives.learning-disability.people": 150},
        scale={"living-well": 0.4, "shared-lives": 0.75, "support-at-home": 0.0}, prices=2024),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_the_kernel_gives_the_numpy_routes_npv_on_every_draw(scenario, variant, kernel_runs, monkeypatch) -> None:
    scen = SCENARIOS[scenario]()
    params, values = monte_carlo(scen, n=400, seed=31)
    ids = {iv.id for iv in scen.interventions}
    given = dict(VARIANTS[variant])
    if "interventions" in given:  # only the scenario's models (Cornwall runs one)
        given["interventions"] = {k: x for k, x in given["interventions"].items() if k in ids}
    settings = make_settings(**given)
    a, b = both_routes(scen, settings, values, params, monkeypatch, chunk=150)
    assert kernel_runs == [True]
    assert_same(a, b)
    assert_routes_agree(scen, settings, values, params, chunk=150)  # and the full monthly appraisal's, to the penny
    assert kernel_runs == [True, True]


def test_the_paper_method_agrees_with_the_full_appraisal_through_the_kernel(kernel_runs) -> None:
    scen = SCENARIOS["paper method"]()
    params, values = monte_carlo(scen, seed=2)
    assert_routes_agree(scen, make_settings(), values, params)
    assert_routes_agree(scen, make_settings(setup_timing="up-front", years=40), values, params)
    assert kernel_runs and all(kernel_runs)


def test_scale_by_draw_partial_values_and_odd_people(kernel_runs, monkeypatch) -> None:
    """A scale per draw, partial values (the rest at base), and draws whose people are 0,
    negative or NaN (the overlaps summed month by month for those draws, NaN kept)."""
    params, values = monte_carlo(BHAM, n=600, seed=5)
    values["community-agents.scale"] = np.where(np.arange(600) % 5 == 0, 0.0, 0.8)
    values["living-well.older-people-multiple-ltc.sizing.rate"] = values["living-well.older-people-multiple-ltc.sizing.rate"].copy()
    values["living-well.older-people-multiple-ltc.sizing.rate"][[3, 7]] = [-0.01, np.nan]
    settings = make_settings(years=40, interventions={"living-well": {"drop_off": 0.1, "lag_months": 3}})
    a, b = both_routes(BHAM, settings, values, params, monkeypatch, chunk=256)
    assert_same(a, b)
    assert np.isnan(a.portfolio_by_payer[7]).any()
    partial = {"living-well.older-people-multiple-ltc.unit_cost": values["living-well.older-people-multiple-ltc.unit_cost"]}
    a, b = both_routes(BHAM, None, partial, params, monkeypatch)
    assert_same(a, b)
    assert kernel_runs == [True, True]


def test_small_runs_ramp_ups_by_draw_and_the_switch_keep_to_the_numpy_route(kernel_runs, monkeypatch) -> None:
    params, values = monte_carlo(BHAM, n=npv_only.MIN_KERNEL_DRAWS - 1)
    appraise_npv(BHAM, None, values, params)
    params, values = monte_carlo(BHAM, n=300)
    values["living-well.ramp_up.months_to_full_scale"] = np.linspace(0, 30, 300)
    appraise_npv(BHAM, None, values, params)
    monkeypatch.setenv("CARESCALE_NPV_KERNEL", "0")
    del values["living-well.ramp_up.months_to_full_scale"]
    appraise_npv(BHAM, None, values, params)
    assert kernel_runs == []


def test_prepared_work_is_reused_only_for_the_same_inputs() -> None:
    """The per-call work kept between calls (settings, curves, the kernel's tables) is keyed by
    the scenario, settings, parameter table and ramp-up months given for all draws: a change of
    any of them gives that change's answer."""
    params, values = monte_carlo(BHAM, n=300, seed=4)
    first = appraise_npv(BHAM, make_settings(years=10), values, params).portfolio
    ten = make_settings(years=10)
    assert np.array_equal(appraise_npv(BHAM, ten, values, params).portfolio, first)
    assert not np.array_equal(appraise_npv(BHAM, make_settings(years=12), values, params).portfolio, first)
    later = dict(values, **{"living-well.ramp_up.months_to_first_beneficiary": np.array([9.0])})
    moved = appraise_npv(BHAM, ten, later, params)
    assert not np.array_equal(moved.portfolio, first)
    assert_routes_agree(BHAM, ten, later, params)


def test_a_process_loads_the_kernel_by_itself_after_enough_draws(monkeypatch) -> None:
    """Unset (auto): the numpy route until the process has run LOAD_AFTER_DRAWS draws, then the
    kernel (loading numba costs about as much as the numpy route spends over the kernel on that
    many draws)."""
    monkeypatch.delenv("CARESCALE_NPV_KERNEL")
    monkeypatch.setattr(npv_kernel._kernel, "cache_info", lambda: type("I", (), {"currsize": 0})())  # as if not loaded
    monkeypatch.setattr(npv_kernel, "_numpy_draws", [0])
    monkeypatch.setattr(npv_kernel, "LOAD_AFTER_DRAWS", 1000)
    assert [npv_kernel.use(400), npv_kernel.use(400), npv_kernel.use(400)] == [False, False, True]
    assert npv_kernel.load()


def test_the_switch_and_numbas_cache_folder_come_from_config(monkeypatch, tmp_path) -> None:
    from carescale import config
    from carescale.errors import SettingsError

    for value, mode in (("1", "on"), ("off", "off"), ("", "auto"), ("Auto", "auto")):
        monkeypatch.setenv("CARESCALE_NPV_KERNEL", value)
        assert config.npv_kernel() == mode
    monkeypatch.setenv("CARESCALE_NPV_KERNEL", "fast")
    with pytest.raises(SettingsError, match="CARESCALE_NPV_KERNEL"):
        config.npv_kernel()
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("CARESCALE_HOME", str(tmp_path / "home"))
    assert config.numba_cache_dir(tmp_path) is None  # a folder that can be written: numba's own choice
    monkeypatch.setattr(config.os, "access", lambda path, mode: False)  # a code folder that cannot be written
    assert config.numba_cache_dir(tmp_path) == tmp_path / "home" / "cache" / "numba"
    assert config.numba_cache_dir(tmp_path) == tmp_path / "home" / "cache" / "numba"  # now from the variable


def test_a_forked_process_counts_its_draws_from_nought() -> None:
    """A local Dask worker is forked (national/cluster.py): it must not inherit a count of draws
    that would load the kernel partway through its first tasks."""
    import os

    was = npv_kernel._numpy_draws[0]
    npv_kernel._numpy_draws[0] = 1_500_000
    try:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: say its count and leave at once
            os.write(write, str(npv_kernel._numpy_draws[0]).encode())
            os._exit(0)
        os.close(write)
        os.waitpid(pid, 0)
        with os.fdopen(read) as f:
            assert f.read() == "0"
        assert npv_kernel._numpy_draws[0] == 1_500_000  # this process keeps its own
    finally:
        npv_kernel._numpy_draws[0] = was
