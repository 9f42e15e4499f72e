"""Uncertainty: Monte Carlo, tornado, switching values, Sobol (docs/uncertainty.md).

The acceptance points of issue 4 are tested here: byte-for-byte reproducibility, the seed
moving the portfolio mean by less than 1% at 10,000 draws, the deterministic result inside the
5th-95th percentiles, zero widths giving the deterministic result, switching values giving a
net saving of zero within £1, Sobol indices against the Ishigami function, and one-line errors.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import carescale
from carescale.engine import summary as report
from carescale.engine import ParameterTable, evaluate
from carescale.errors import CarescaleError, InputFileError, SettingsError
from carescale.library import default_library, display_path, iter_references, parse_model
from carescale.schema import Quantity
from carescale.uncertainty import (
    Model,
    UncertaintySettings,
    load_defaults,
    make_marginal,
    run_uncertainty,
    sobol_indices,
)

from .conftest import INVALID, normalise, run_cli

PERSPECTIVE = {"total": slice(None), "asc": 0, "nhs": 1}


@pytest.fixture(scope="module")
def birmingham():
    return carescale.define_scenario("birmingham", prices="published")  # the closed forms use the paper's figures


@pytest.fixture(scope="module")
def run10k(birmingham):
    """The default run: 10,000 draws, annual net saving and NPV."""
    return run_uncertainty(birmingham, UncertaintySettings(draws=10_000, seed=1))


# -- reproducibility ---------------------------------------------------------------------------


def test_same_seed_same_output_byte_for_byte():
    args = ("uncertainty", "--area", "birmingham", "--draws", "2000", "--seed", "7", "--format", "json")
    a, b = run_cli(*args), run_cli(*args)
    assert a.code == 0 and b.code == 0, a.err
    assert a.out == b.out
    assert a.json()["draws"] == 2000 and a.json()["seed"] == 7


def test_different_seed_moves_portfolio_mean_less_than_one_percent(birmingham, run10k):
    other = run_uncertainty(birmingham, UncertaintySettings(draws=10_000, seed=2))
    for key in ("net_savings",):
        m1, m2 = run10k["portfolio"][key]["mean"], other["portfolio"][key]["mean"]
        assert m1 != m2  # the seed really changes the draws
        assert abs(m1 - m2) / abs(m1) < 0.01
    n1, n2 = run10k["portfolio"]["npv"]["summary"]["mean"], other["portfolio"]["npv"]["summary"]["mean"]
    assert n1 != n2 and abs(n1 - n2) / abs(n1) < 0.01


def test_chunk_size_does_not_change_results(birmingham):
    a = run_uncertainty(birmingham, UncertaintySettings(draws=500, seed=3, npv=False))
    b = run_uncertainty(birmingham, UncertaintySettings(draws=500, seed=3, npv=False, chunk=7))
    assert json.dumps(a) == json.dumps(b)


# -- the deterministic result and the percentiles -----------------------------------------------


def test_deterministic_result_is_the_core_run(birmingham, run10k):
    core = report.summary(evaluate(birmingham))
    assert run10k["portfolio"]["deterministic"]["asc"] == core["totals"]["net_savings"]["asc"]
    assert run10k["portfolio"]["deterministic"]["nhs"] == core["totals"]["net_savings"]["nhs"]
    for item, c in zip(run10k["interventions"], core["interventions"]):
        assert item["deterministic"]["asc"] == c["net_savings"]["asc"]
        assert item["deterministic"]["nhs"] == c["net_savings"]["nhs"]


def test_deterministic_lies_between_p05_and_p95(run10k):
    blocks = [(i["id"], i) for i in run10k["interventions"]] + [("portfolio", run10k["portfolio"])]
    assert len(blocks) == 7
    for name, b in blocks:
        s, det = b["net_savings"], b["deterministic"]["total"]
        assert s["p05"] < det < s["p95"], name
        n = b["npv"]
        assert n["summary"]["p05"] < n["deterministic"] < n["summary"]["p95"], name
        assert 0 <= b["prob_saving"] <= 1
        assert sum(b["histogram"]["counts"]) == 10_000


def test_zero_widths_give_the_deterministic_result_at_every_percentile(birmingham):
    out = run_uncertainty(birmingham, UncertaintySettings(draws=300, seed=5, width_scale=0))
    for b in [*out["interventions"], out["portfolio"]]:
        det = b["deterministic"]
        for k in ("mean", "p05", "p50", "p95"):
            assert b["net_savings"][k] == det["total"]
            for p in ("asc", "nhs"):
                assert b["net_savings_by_payer"][p][k] == det[p]
            assert b["npv"]["summary"][k] == b["npv"]["deterministic"]
        assert b["net_savings"]["sd"] == 0
    assert out["tornado"] == []
    assert all(p["distribution"] is None for p in out["parameters"])


def test_mean_of_draws_is_close_to_each_value(birmingham):
    model = Model.build(birmingham)
    values = model.draws(40_000, 11)
    for r in model.ranges:
        x = values[r.path]
        if r.marginal.fixed:
            assert np.all(x == r.marginal.value)
            continue
        se = x.std() / math.sqrt(len(x))
        m = r.marginal  # beta, gamma, lognormal: the value is the mean; uniform, triangular: ends and mode
        mean = {"uniform": (m.low + m.high) / 2, "triangular": (m.low + m.value + m.high) / 3}.get(m.distribution, m.value)
        assert abs(x.mean() - mean) < 4 * se + 1e-12, r.path
        assert x.min() >= 0
        if r.parameter.quantity.unit == "proportion":
            assert x.max() <= 1


# -- correlation --------------------------------------------------------------------------------


def test_the_same_figure_is_drawn_once(birmingham):
    model = Model.build(birmingham)
    v = model.draws(1000, 4)
    hd = "hospital-discharge.placements.spend_reductions.{}.reduction"
    assert np.array_equal(v[hd.format("long-term-placements")], v[hd.format("short-term-placements")])
    shares = [v[f"overlaps.{o.id}.share"] for o in birmingham.overlaps]
    assert len(shares) == 3 and all(np.array_equal(shares[0], s) for s in shares)
    assert shares[0].std() > 0
    for iv in birmingham.interventions:
        assert np.allclose(v[f"{iv.id}.cost_shares.asc"] + v[f"{iv.id}.cost_shares.nhs"], 1.0)
    # independent figures are not the same draws
    assert not np.array_equal(
        v["living-well.older-people-multiple-ltc.unit_cost"], v["support-at-home.older-people-very-limited.unit_cost"]
    )


def test_nhs_cost_share_follows_a_ranged_council_share(birmingham):
    """A range on who pays moves money between payers, never the total."""
    import dataclasses

    iv = next(i for i in birmingham.interventions if i.id == "living-well")
    asc = iv.cost_shares["asc"].model_copy(update={"low": 0.3, "high": 0.7, "distribution": "uniform"})
    iv2 = iv.model_copy(update={"cost_shares": {**iv.cost_shares, "asc": asc}})
    scen = dataclasses.replace(birmingham, interventions=(iv2,), overlaps=())
    model = Model.build(scen)
    v = model.draws(2000, 9)
    assert v["living-well.cost_shares.asc"].std() > 0.05
    assert np.allclose(v["living-well.cost_shares.nhs"], 1 - v["living-well.cost_shares.asc"])


# -- distributions ------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    dist=st.sampled_from(["beta", "gamma", "lognormal"]),
    value=st.floats(0.05, 0.95),
    rel=st.floats(0.01, 0.5),
)
def test_fitted_distribution_has_the_value_as_mean_and_the_implied_sd(dist, value, rel):
    low, high = value * (1 - rel), min(value * (1 + rel), 1.0)
    unit = "proportion" if dist == "beta" else "GBP_per_person_per_year"
    m = make_marginal("x", dist, unit, value, low, high)
    f = m.frozen()
    assert f.mean() == pytest.approx(value, rel=1e-9)
    assert f.std() == pytest.approx((high - low) / 3.919927969, rel=1e-6)


def test_triangular_and_uniform_use_low_and_high_as_ends():
    t = make_marginal("x", "triangular", "GBP", 10, 5, 30).frozen()
    assert (t.ppf(0), t.ppf(1)) == (5, 30)
    assert t.pdf(10) == pytest.approx(2 / 25)  # the mode is the value
    u = make_marginal("x", "uniform", "GBP", 10, 5, 30).frozen()
    assert (u.ppf(0), u.ppf(0.5), u.ppf(1)) == (5, 17.5, 30)


# -- switching values ---------------------------------------------------------------------------


def test_each_switching_value_gives_zero_net_saving(birmingham, run10k):
    params = ParameterTable.from_scenario(birmingham)
    found = 0
    for item in run10k["interventions"]:
        for s in item["switching_values"]:
            if s["switch"] is None:
                assert s["reason"].startswith("No switching value")
                continue
            values = params.with_values({p: s["switch"] for p in s["paths"]})
            res = evaluate(birmingham, values, parameters=params).intervention(item["id"])
            net = res.net[0, 0]
            assert abs(float(np.sum(net[PERSPECTIVE[s["perspective"]]]))) < 1.0, s["target"]
            found += 1
    assert found >= 15


def test_each_npv_switching_value_gives_zero_npv(birmingham, run10k):
    from carescale.appraisal import appraise

    params = ParameterTable.from_scenario(birmingham)
    cases = [
        (item["id"], s) for item in run10k["interventions"] for s in item["npv_switching_values"] if s["switch"] is not None
    ]
    assert len(cases) >= 25
    assert all(s["measure"] == "npv" and "pays back within the 10-year appraisal" in s["target"] for _, s in cases)
    values = params.base_values(len(cases))
    for j, (_, s) in enumerate(cases):
        for p in s["paths"]:
            values[p][j] = s["switch"]
    res = appraise(birmingham, None, values, params)
    for j, (iid, s) in enumerate(cases):
        npv = res.interventions[iid].metrics.npv_by_payer[j]
        assert abs(float(np.sum(npv[PERSPECTIVE[s["perspective"]]]))) < 1.0, s["target"]


def _switch(out, iid, suffix, who):
    item = next(i for i in out["interventions"] if i["id"] == iid)
    return next(s for s in item["switching_values"] if s["parameter"].endswith(suffix) and s["perspective"] == who)


def test_living_well_target_is_a_percentage_cut_in_social_care_costs(run10k):
    """Council net = 1,000 x (saving - £200 council share of the £400 cost): break-even at £200
    a person, which is 200/1,181 of the reported 8% reduction (data: reported_outcomes)."""
    s = _switch(run10k, "living-well", "social-care-costs.unit_saving", "asc")
    assert s["switch"] == pytest.approx(200.0, abs=1e-6)
    assert s["reported_outcome"]["reported"] == 0.08
    assert s["reported_outcome"]["break_even"] == pytest.approx(0.08 * 200 / 1181, abs=1e-6)
    assert "social care costs fall by at least 1.35% for people on the scheme" in s["target"]
    assert s["target"].startswith("Living Well (Age UK) breaks even for the council")
    # for both payers together the NHS saving alone pays for it: no switching value
    t = _switch(run10k, "living-well", "social-care-costs.unit_saving", "total")
    assert t["switch"] is None and "at any" in t["reason"]


@pytest.mark.parametrize(
    "iid,suffix,who,expected",
    [
        # Kent Pathways costs nothing (restructured teams): it pays while cost <= its saving, £1,716
        ("kent-pathways", "adults-ld.unit_cost", "total", 1716.0),
        # Support at Home: council net = 1,356.6 x (250 - 0.5 c) -> c = £500; NHS: 454 x 2 = £908
        ("support-at-home", "unit_cost", "asc", 500.0),
        ("support-at-home", "unit_cost", "nhs", 908.0),
        ("support-at-home", "unit_cost", "total", 704.0),
        # Community Agents: gross per person 2,700 x ... / 2,700 = £517.10 (docs/fidelity.md)
        ("community-agents", "unit_cost", "asc", 517.1028809),
    ],
)
def test_switching_values_match_the_closed_form(run10k, iid, suffix, who, expected):
    assert _switch(run10k, iid, suffix, who)["switch"] == pytest.approx(expected, rel=1e-7)


@pytest.mark.parametrize(
    "iid,suffix",
    [
        ("kent-pathways", "less-long-term-support.unit_saving"),  # cost 0: any saving pays
        ("kent-pathways", "sizing.rate"),
        ("hospital-discharge", "long-term-placements.reduction"),  # no cost: any cut pays
        ("living-well", "sizing.rate"),  # net is proportional to take-up
    ],
)
def test_no_switching_value_in_range_is_reported_honestly(run10k, iid, suffix):
    s = _switch(run10k, iid, suffix, "total")
    assert s["switch"] is None
    assert "proportional" in s["reason"] and "saves money" in s["reason"]


def test_hospital_discharge_cut_is_switched_as_one_figure(run10k):
    s = _switch(run10k, "hospital-discharge", "long-term-placements.reduction", "total")
    assert len(s["paths"]) == 2


# -- tornado ------------------------------------------------------------------------------------


def test_tornado_is_ranked_by_swing_and_matches_the_engine(birmingham, run10k):
    rows = run10k["tornado"]
    swings = [r["swing"] for r in rows]
    assert swings == sorted(swings, reverse=True)
    assert rows[0]["parameter"] == "hospital-discharge-placement-cut"
    # 13% +/- 50% of Birmingham's £35.7m placement spend: the swing is 13% x £35.7m = £4.64m
    assert rows[0]["low_value"] == pytest.approx(0.065) and rows[0]["high_value"] == pytest.approx(0.195)
    assert rows[0]["swing"] == pytest.approx(0.13 * (31961538 + 3769231), abs=1)
    params = ParameterTable.from_scenario(birmingham)
    for r in rows[:5]:
        lo = evaluate(birmingham, params.with_values({p: r["low_value"] for p in r["paths"]}), parameters=params)
        assert float(lo.net[0].sum()) == pytest.approx(r["low"], abs=0.01)
    # only figures outside the annual net saving (set-up investment, wider benefits) do not swing it
    flat = {r["parameter"] for r in rows if r["swing"] == 0}
    assert flat == {"shared-lives.setup.cost", "living-well.wider_benefits.wider-social-benefits"}


# -- Sobol ---------------------------------------------------------------------------------------


def test_sobol_first_order_indices_of_the_ishigami_function():
    """Ishigami & Homma (1990), a = 7, b = 0.1, inputs uniform on [-pi, pi]: analytic
    V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2, V1 = (1 + b pi^4/5)^2 / 2, V2 = a^2/8, V3 = 0,
    and total index of x3 = V13 / V with V13 = b^2 pi^8 (1/18 - 1/50)."""
    from SALib.test_functions import Ishigami

    a, b, pi = 7.0, 0.1, math.pi
    V = a**2 / 8 + b * pi**4 / 5 + b**2 * pi**8 / 18 + 0.5
    s1 = [0.5 * (1 + b * pi**4 / 5) ** 2 / V, a**2 / 8 / V, 0.0]
    st3 = b**2 * pi**8 * (1 / 18 - 1 / 50) / V
    assert s1[0] == pytest.approx(0.3139, abs=1e-4) and s1[1] == pytest.approx(0.4424, abs=1e-4)
    si = sobol_indices(Ishigami.evaluate, ["x1", "x2", "x3"], [[-pi, pi]] * 3, 8192, seed=1)
    assert si["S1"] == pytest.approx(s1, abs=0.03)
    assert si["ST"][2] == pytest.approx(st3, abs=0.03)


def test_portfolio_sobol_ranks_the_placement_cut_first(birmingham):
    out = run_uncertainty(birmingham, UncertaintySettings(draws=100, npv=False, sobol=True, sobol_samples=512))
    rows = out["sobol"]
    assert rows[0]["parameter"] == "hospital-discharge-placement-cut"
    # the model is nearly additive: first-order indices add up to about 1
    assert 0.8 < sum(r["S1"] for r in rows) < 1.2


# -- defaults file ------------------------------------------------------------------------------


def test_default_widths_cover_every_evidence_level_and_say_where_they_come_from():
    d = load_defaults()
    assert sorted(d.evidence_levels) == [1, 2, 3, 4, 5]
    effects = [d.evidence_levels[lvl].effect for lvl in range(1, 6)]
    assert effects == sorted(effects, reverse=True)  # stronger evidence, narrower range
    for lvl in d.evidence_levels.values():
        assert lvl.status in ("assumption", "published") and lvl.rationale


def test_defaults_file_quotes_are_in_the_seeds(seeds_dir):
    d = load_defaults()
    docs = default_library().sources.documents
    refs = list(iter_references(d))
    assert len(refs) >= 4
    for where, ref in refs:
        text = normalise((seeds_dir / docs[ref.document].seed).read_text(encoding="utf-8"))
        assert normalise(ref.quote) in text, where


def test_a_range_given_in_a_file_wins_over_the_default(tmp_path):
    src = (INVALID / "uncertainty" / "low_above_high.yaml").read_text()
    good = src.replace("low: 150000", "low: 120000").replace("high: 140000", "high: 160000\n    distribution: triangular")
    path = tmp_path / "area.yaml"
    path.write_text(good)
    r = run_cli("uncertainty", "--area-file", str(path), "--interventions", "living-well", "--draws", "200",
                "--no-npv", "--no-reprice", "--format", "json")
    assert r.code == 0, r.err
    p = next(p for p in r.json()["parameters"] if p["path"] == "area.cohorts.population_65_plus")
    assert (p["low"], p["high"], p["distribution"], p["source"]) == (120000, 160000, "triangular", "file")
    q = next(p for p in r.json()["parameters"] if p["path"].endswith("older-people-multiple-ltc.unit_cost"))
    assert (q["low"], q["high"], q["source"]) == (280, 520, "default: evidence level 2, cost")


# -- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "draws,message",
    [
        ("0", "error: draws: 0 is not valid; give a whole number of draws from 1 to 1,000,000"),
        ("1000001", "error: draws: 1000001 is not valid; give a whole number of draws from 1 to 1,000,000"),
        ("-5", "error: draws: -5 is not valid; give a whole number of draws from 1 to 1,000,000"),
    ],
)
def test_draws_out_of_range_is_one_line_exit_2(draws, message):
    r = run_cli("uncertainty", "--draws", draws)
    assert r.code == 2
    assert r.err.strip() == message


def test_negative_width_scale_is_one_line_exit_2():
    r = run_cli("uncertainty", "--width-scale", "-1")
    assert r.code == 2
    assert r.err.strip() == (
        "error: width_scale: -1.0 is not valid; give a number, 0 or more "
        "(0 fixes every figure at its value, 1 uses the ranges as given)"
    )


def test_settings_errors_in_python():
    with pytest.raises(SettingsError, match="^seed: -1 is not valid"):
        UncertaintySettings(seed=-1)
    with pytest.raises(SettingsError, match="^sobol_samples: 1000 is not valid; give a power of 2"):
        UncertaintySettings(sobol_samples=1000)
    with pytest.raises(SettingsError, match="^draws: 2.5 is not valid"):
        UncertaintySettings(draws=2.5)


FILE_CASES = [
    ("low_above_high.yaml", "low 150000 is above high 140000; low must be at most high"),
    ("low_above_value.yaml", "low 150000 is above the value 149412; low must be at most the value"),
    ("only_low.yaml", "give both low and high, or neither; only low is given"),
    ("beta_on_people.yaml", "distribution 'beta' is for proportions, not people; use gamma, lognormal, triangular or uniform"),
    ("gamma_at_zero.yaml", "distribution 'gamma' needs a value above 0 to have a spread, got 0; use triangular or uniform"),
]


@pytest.mark.parametrize("name,message", FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_invalid_uncertainty_in_a_file_is_one_line_exit_2(name, message):
    path = INVALID / "uncertainty" / name
    r = run_cli("uncertainty", "--area-file", str(path), "--interventions", "living-well", "--draws", "10")
    assert r.code == 2
    assert r.err.strip() == f"error: {display_path(path)}: cohorts.population_65_plus: {message}"
    assert "Traceback" not in r.err


def test_area_where_no_model_runs_is_one_line_exit_2():
    """It used to end in a StopIteration traceback (a 500 on the API)."""
    path = INVALID / "uncertainty" / "no_model_can_run.yaml"
    r = run_cli("uncertainty", "--area-file", str(path), "--draws", "10")
    assert r.code == 2
    assert r.err.strip() == (
        "error: area 'empty-area': no care model can be run on it (see 'not_modelled' in the run's result), so "
        "there is nothing to analyse; add the cohorts the models need to the area profile"
    )


def test_unknown_distribution_name_is_one_line_exit_2():
    path = INVALID / "uncertainty" / "wrong_distribution_name.yaml"
    r = run_cli("uncertainty", "--area-file", str(path), "--interventions", "living-well", "--draws", "10")
    assert r.code == 2
    assert r.err.strip() == (
        f"error: {display_path(path)}: cohorts.population_65_plus.distribution: input should be 'beta', 'gamma', "
        "'lognormal', 'triangular' or 'uniform' (got 'normal')"
    )


@pytest.mark.parametrize(
    "extra,message",
    [
        ({"value": 0.05, "low": 0.0, "high": 1.0, "distribution": "beta"},
         "distribution 'beta' cannot have mean 0.05 with low 0 and high 1: the standard deviation "
         "they imply (0.255) must be below 0.218; narrow the range or use triangular or uniform"),
        ({"value": 0.5, "low": 0.2, "high": 1.2},
         "high 1.2 is above 1; a proportion must be between 0 and 1"),
        ({"value": 0.13, "low": 0.1, "high": 0.12},
         "high 0.12 is below the value 0.13; high must be at least the value"),
    ],
)
def test_invalid_distribution_parameters_name_the_value_and_what_is_valid(extra, message):
    data = {"unit": "proportion", "ref": {"document": "scie-2017", "section": "s", "quote": "q"}, **extra}
    with pytest.raises(InputFileError) as exc:
        parse_model(Quantity, data, "file.yaml")
    assert exc.value.message == f"file.yaml: {message}"


def test_csv_format_gives_the_json_summaries_as_rows():
    import csv
    import io

    args = ("uncertainty", "--draws", "200", "--seed", "7")
    data = run_cli(*args, "--format", "json").json()
    r = run_cli(*args, "--format", "csv")
    assert r.code == 0, r.err
    rows = list(csv.DictReader(io.StringIO(r.out)))
    assert len(rows) == 3 * (len(data["interventions"]) + 1)
    port = {row["payer"]: row for row in rows if row["id"] == "portfolio"}
    assert float(port["total"]["mean"]) == data["portfolio"]["net_savings"]["mean"]
    assert float(port["asc"]["p95"]) == data["portfolio"]["net_savings_by_payer"]["asc"]["p95"]
    assert float(port["total"]["npv_p50"]) == data["portfolio"]["npv"]["summary"]["p50"]
    first = data["interventions"][0]
    row = next(x for x in rows if x["id"] == first["id"] and x["payer"] == "total")
    assert float(row["central"]) == first["deterministic"]["total"]
    assert float(row["prob_saving"]) == first["prob_saving"]


def test_every_error_is_a_carescale_error():
    assert issubclass(SettingsError, CarescaleError)


# -- CLI -----------------------------------------------------------------------------------------


def test_cli_table_and_long_run_with_progress():
    r = run_cli("uncertainty", "--area", "birmingham", "--draws", "50000", "--no-npv")
    assert r.code == 0, r.err
    assert "Portfolio" in r.out and "Break-even targets" in r.out
    assert "social care costs fall by at least 1.35% for people on the scheme" in " ".join(r.out.split())


def test_json_contract_keys(run10k):
    assert {"draws", "seed", "interventions", "portfolio", "tornado"} <= set(run10k)
    i = run10k["interventions"][0]
    assert {"id", "net_savings", "prob_saving", "switching_values"} <= set(i)
    assert {"mean", "p05", "p50", "p95"} <= set(i["net_savings"])
    assert {"parameter", "base", "switch"} <= set(i["switching_values"][0])
    assert {"net_savings", "prob_saving"} <= set(run10k["portfolio"])
    assert {"parameter", "low", "high"} <= set(run10k["tornado"][0])


def test_progress_covers_sampling_and_can_stop_a_run():
    """The progress callback is called while parameter groups are drawn (before any chunk of
    draws is evaluated), and an exception it raises stops the run there: how a background job
    is cancelled (carescale.web.jobs)."""
    import carescale
    from carescale.uncertainty import UncertaintySettings, run_uncertainty

    seen: list[tuple[str, int, int]] = []

    class Stop(Exception):
        pass

    def progress(stage: str, done: int, total: int) -> None:
        seen.append((stage, done, total))
        if stage == "Drawing figures" and done == 2:
            raise Stop

    with pytest.raises(Stop):
        run_uncertainty(carescale.define_scenario("birmingham"), UncertaintySettings(draws=1000), progress)
    assert [s for s, _, _ in seen] == ["Drawing figures"] * 3
    assert seen[0][1] == 0 and seen[0][2] > 2
