"""Scenario documents, overrides, scale and the price base (issue 11, docs/scenarios.md)."""

from __future__ import annotations

import numpy as np
import pytest

import carescale
from carescale.errors import CarescaleError, SettingsError
from carescale.prices import gdp_deflator, price_base
from carescale.scenarios import (
    ScenarioDocument,
    appraise_document,
    build_scenario,
    parse_scenario,
    run_document,
    uncertainty_document,
)

from .conftest import run_cli

LW_SEG = "living-well.older-people-multiple-ltc"
LW_PEOPLE = f"{LW_SEG}.people"
# HM Treasury's financial-year GDP deflator, December 2023 (2022/23 = 100): outturn to 2022/23,
# then the OBR's November 2023 forecast growth, 2023/24 +6.10%, 2024/25 +1.68% (data/prices/SOURCES.md).
FY_2024_25 = 100 * 1.0610 * 1.0168  # = 107.88248, a forecast
# 2016/17 (the paper's edition year, Living Well's price year) is 84.335 in the table itself
F_2016_17 = FY_2024_25 / 84.335


def _lw(data):
    return next(i for i in data["interventions"] if i["id"] == "living-well")


# -- acceptance: Living Well at 2,000 people, by hand from the paper's unit figures -------------


def test_living_well_at_2000_people_from_the_cli_by_hand():
    """SCIE 2017, Living Well: £400 a person, £1,181 council and £1,598 NHS gross saving a person,
    cost split equally (docs/fidelity.md). At 2,000 people: cost 2,000 x 400 = £800,000; gross
    ASC 2,000 x 1,181 = £2,362,000; gross NHS 2,000 x 1,598 = £3,196,000; net ASC 2,362,000 -
    400,000 = £1,962,000; net NHS 3,196,000 - 400,000 = £2,796,000."""
    r = run_cli("run", "--area", "birmingham", "--set", f"{LW_PEOPLE}=2000", "--no-reprice", "--format", "json")
    assert r.code == 0, r.err
    lw = _lw(r.json())
    assert lw["beneficiaries"] == pytest.approx(2000, abs=1e-6)
    assert lw["cost"] == pytest.approx(800_000, abs=0.01)
    assert lw["gross_savings"] == pytest.approx({"asc": 2_362_000, "nhs": 3_196_000}, abs=0.01)
    assert lw["net_savings"] == pytest.approx({"asc": 1_962_000, "nhs": 2_796_000}, abs=0.01)
    (change,) = r.json()["changes"]
    assert change["path"] == LW_PEOPLE and change["unit"] == "people" and change["value"] == 2000
    assert change["evidence_value"] == pytest.approx(1000, abs=1e-4)
    assert change["converted_to"]["path"] == f"{LW_SEG}.sizing.rate"
    assert change["converted_to"]["value"] == pytest.approx(2000 / 149_412)
    assert "people / area.cohorts.population_65_plus (149,412)" in change["converted_to"]["conversion"]


def test_living_well_at_2000_people_in_2024_25_prices():
    """The same in the default price base: every money figure x FY2024/25 / FY2016/17 index."""
    r = run_cli("run", "--area", "birmingham", "--set", f"{LW_PEOPLE}=2000", "--format", "json")
    assert r.code == 0, r.err
    lw = _lw(r.json())
    assert lw["beneficiaries"] == pytest.approx(2000, abs=1e-6)
    assert lw["cost"] == pytest.approx(800_000 * F_2016_17, abs=0.01)
    assert lw["net_savings"]["asc"] == pytest.approx(1_962_000 * F_2016_17, abs=0.01)
    prices = r.json()["prices"]
    assert prices["price_base_year"] == "2024/25" and prices["reprice"] is True and prices["forecast"] is True
    assert prices["label"] == "2024/25 prices (forecast: OBR, November 2023)"


def test_table_lists_the_change_and_the_price_base():
    r = run_cli("run", "--set", f"{LW_PEOPLE}=2000", "--no-reprice")
    assert r.code == 0, r.err
    assert "Changed from the evidence: living-well.older-people-multiple-ltc.people:" in r.out
    assert "-> 2,000" in r.out
    assert "Prices: as published" in r.out


# -- re-pricing -----------------------------------------------------------------------------------


def test_one_2015_16_figure_repriced_to_2024_25_by_hand():
    """£1,000,000 in 2015/16 prices (Shared Lives' price year) in 2024/25 prices,
    from the financial-year table: 2015/16 = 82.459 (outturn); 2024/25 = 100 (2022/23) x 1.0610
    (2023/24) x 1.0168 (2024/25) = 107.88248 (OBR forecast); 1,000,000 x 107.88248 / 82.459 =
    £1,308,316.62."""
    pb = price_base()
    assert pb.year == "2024/25"
    assert 1_000_000 * pb.factor("2015/16") == pytest.approx(1_308_316.62, abs=0.01)
    assert gdp_deflator().value("2015/16") == 82.459 and gdp_deflator().value("2024/25") == pytest.approx(107.88248)
    assert pb.is_forecast and pb.label == "2024/25 prices (forecast: OBR, November 2023)"
    assert "2024/25 is a forecast year of the index (OBR, November 2023), not outturn" in pb.statement


def test_one_2015_16_figure_repriced_to_a_later_forecast_year_by_hand():
    """The same £1,000,000 in 2027/28 prices: 107.88248 x 1.0171 (2025/26) x 1.0162 (2026/27) x
    1.0177 (2027/28): 109.72727, 111.50485, 113.47849; 1,000,000 x 113.47849 / 82.459 = £1,376,180.75."""
    fy_2027_28 = 100 * 1.0610 * 1.0168 * 1.0171 * 1.0162 * 1.0177
    assert fy_2027_28 == pytest.approx(113.47849, abs=1e-5)
    pb = price_base("2027/28")
    assert 1_000_000 * pb.factor("2015/16") == pytest.approx(1_000_000 * fy_2027_28 / 82.459, abs=1e-6)
    assert 1_000_000 * pb.factor("2015/16") == pytest.approx(1_376_180.75, abs=0.01)
    assert pb.label == "2027/28 prices (forecast: OBR, November 2023)"


def test_an_outturn_base_is_not_called_a_forecast():
    """2022/23 is the release's last outturn year: 1,000,000 x 100 / 82.459 = £1,212,723.90."""
    pb = price_base("2022/23")
    assert 1_000_000 * pb.factor("2015/16") == pytest.approx(1_212_723.90, abs=0.01)
    assert not pb.is_forecast and pb.label == "2022/23 prices" and "forecast" not in pb.statement


def test_a_councils_2024_25_figures_are_accepted_as_a_price_year():
    """A council's own 2024/25 figure re-priced to the default base is unchanged, and to 2022/23
    it is divided by 1.0610 x 1.0168."""
    assert price_base().factor("2024/25") == 1
    assert price_base("2022/23").factor("2024/25") == pytest.approx(1 / (1.0610 * 1.0168))


def test_a_calendar_year_is_a_quarter_of_one_financial_year_and_three_of_the_next():
    """Calendar 2016 = 0.25 x 2015/16 + 0.75 x 2016/17 = 0.25 x 82.459 + 0.75 x 84.335."""
    assert gdp_deflator().value("2016") == pytest.approx(0.25 * 82.459 + 0.75 * 84.335)


def test_the_earlier_calendar_year_deflator_check_value_from_sources_md():
    """data/prices/SOURCES.md (the calendar table, kept for comparison): a figure in 2016 prices
    is worth 100 / 76.4554 = 1.30795 times as much in 2024 prices."""
    from carescale.prices import PriceBase, calendar_gdp_deflator

    assert PriceBase("2024", calendar_gdp_deflator()).factor("2016") == pytest.approx(1.30795, abs=5e-6)
    assert calendar_gdp_deflator().latest_year == "2024"


def test_a_known_figure_repriced_by_hand():
    """Living Well's unit cost, £400 in 2016/17 prices, in 2024/25 prices: 400 x 107.88248 / 84.335."""
    sc = carescale.define_scenario("birmingham", ["living-well"])  # the default base
    p = carescale.ParameterTable.from_scenario(sc)[f"{LW_SEG}.unit_cost"]
    assert p.base == pytest.approx(400 * 107.88248 / 84.335)
    assert p.quantity.price_year == "2024/25" and p.published.price_year == "2016/17"
    published = carescale.define_scenario("birmingham", ["living-well"], prices="published")
    assert carescale.ParameterTable.from_scenario(published)[f"{LW_SEG}.unit_cost"].base == 400


def test_a_price_base_after_the_series_needs_an_index():
    with pytest.raises(SettingsError) as e:
        price_base("2029/30")
    assert str(e.value) == (
        "price_base_year: 2029/30 needs the index for 2029/30, which the HM Treasury GDP deflator at market prices "
        "(December 2023), financial years (1990/91-2028/29) does not have; choose a year the index covers or give "
        "your own index file (price_index)"
    )


def test_a_user_index_file(tmp_path):
    path = tmp_path / "index.csv"
    path.write_text("year,value\n2016/17,80\n2024/25,100\n2013/14,70\n2015/16,75\n2017/18,82\n2018/19,85\n2018,84\n")
    r = run_cli("run", "--interventions", "living-well", "--price-index", str(path), "--price-base", "2024/25",
                "--format", "json")
    assert r.code == 0, r.err
    assert _lw(r.json())["cost"] == pytest.approx(400_000 * 100 / 80, abs=0.01)


# -- Python: partial values, overrides, scale -------------------------------------------------------


def test_evaluate_with_a_partial_mapping_keeps_everything_else_at_its_default():
    sc = carescale.define_scenario("birmingham")
    rate = f"{LW_SEG}.sizing.rate"
    res = carescale.evaluate(sc, values={rate: np.array([2 * 0.0066929028])})
    assert res.intervention("living-well").beneficiaries[0, 0] == pytest.approx(2000, abs=1e-3)
    assert res.intervention("shared-lives").beneficiaries[0, 0] == pytest.approx(52, abs=1)


def test_define_scenario_overrides_and_with_overrides_agree():
    a = carescale.define_scenario("birmingham", overrides={LW_PEOPLE: 2000})
    b = carescale.define_scenario("birmingham").with_overrides({LW_PEOPLE: 2000})
    assert carescale.summary(carescale.evaluate(a)) == carescale.summary(carescale.evaluate(b))


def test_scale_halves_beneficiaries_costs_savings_setup_and_workforce():
    full = carescale.summary(carescale.evaluate(carescale.define_scenario("birmingham")))
    half = carescale.summary(carescale.evaluate(carescale.define_scenario("birmingham", scale={"living-well": 0.5})))
    f, h = _lw(full), _lw(half)
    assert h["beneficiaries"] == pytest.approx(f["beneficiaries"] / 2)
    assert h["cost"] == pytest.approx(f["cost"] / 2)
    assert h["gross_savings"]["nhs"] == pytest.approx(f["gross_savings"]["nhs"] / 2)
    assert h["workforce"]["volunteers"] == pytest.approx(f["workforce"]["volunteers"] / 2, abs=0.01)  # rounded to 2 dp
    assert half["totals"]["overlap_deduction"]["asc"] < full["totals"]["overlap_deduction"]["asc"]


def test_scale_is_a_vectorised_path():
    sc = carescale.define_scenario("birmingham", ["living-well"])
    res = carescale.evaluate(sc, values={"living-well.scale": np.array([0.0, 0.5, 1.0])})
    assert res.intervention("living-well").beneficiaries[:, 0] == pytest.approx([0, 500, 1000], abs=1e-3)


# -- the document ---------------------------------------------------------------------------------


def test_the_same_override_through_scenario_file_set_and_python_gives_the_same_json(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(f"version: 1\narea: birmingham\npreset: paper\noverrides:\n  {LW_PEOPLE}: 2000\n")
    by_file = run_cli("run", "--scenario", str(path), "--format", "json").json()
    by_set = run_cli("run", "--set", f"{LW_PEOPLE}=2000", "--preset", "paper", "--format", "json").json()
    assert by_file == by_set  # the same document, so the same id too
    py = carescale.summary(carescale.evaluate(
        carescale.define_scenario("birmingham", overrides={LW_PEOPLE: 2000}, prices="published")))
    by_file.pop("scenario")
    bridge = by_file.pop("bridge")  # the CLI's JSON also gives the bridge to every headline (issue 21)
    value = by_file.pop("value")  # ... and fiscal and social value side by side (issue 23)
    assert value == evaluate_document_value(path)
    assert py == by_file
    from carescale.scenarios import evaluate_document, load_scenario

    assert bridge["headlines"] == pytest.approx(evaluate_document(load_scenario(path)).bridge()["headlines"])


def test_appraise_and_uncertainty_honour_an_override():
    doc = ScenarioDocument(overrides={LW_PEOPLE: 2000}, interventions=["living-well"], reprice=False,
                           uncertainty={"draws": 200, "npv": False})
    base = ScenarioDocument(interventions=["living-well"], reprice=False, uncertainty={"draws": 200, "npv": False})
    a, a0 = appraise_document(doc), appraise_document(base)
    assert a["portfolio"]["metrics"]["npv"] == pytest.approx(2 * a0["portfolio"]["metrics"]["npv"], rel=1e-7)
    u, u0 = uncertainty_document(doc), uncertainty_document(base)
    assert u["portfolio"]["deterministic"]["total"] == pytest.approx(2 * u0["portfolio"]["deterministic"]["total"])
    rate = next(p for p in u["parameters"] if p["path"] == f"{LW_SEG}.sizing.rate")
    rate0 = next(p for p in u0["parameters"] if p["path"] == f"{LW_SEG}.sizing.rate")
    # no range of its own: the default relative width for its kind, around the new value
    assert rate["low"] / rate["value"] == pytest.approx(rate0["low"] / rate0["value"])
    assert rate["source"].startswith("override, default")
    assert [c["path"] for c in u["changes"]] == [LW_PEOPLE] == [c["path"] for c in a["changes"]]


def test_scenario_id_ignores_layout_and_key_order():
    a = parse_scenario("version: 1\narea: birmingham\noverrides: {a.b: 1}\n")
    b = parse_scenario('{"overrides": {"a.b": {"value": 1.0}},   "area": "birmingham", "version": 1}')
    assert a.scenario_id == b.scenario_id and a.canonical_json() == b.canonical_json()
    c = parse_scenario("version: 1\narea: birmingham\noverrides: {a.b: 2}\n")
    assert c.scenario_id != a.scenario_id


def test_scenario_new_writes_a_valid_commented_file(tmp_path):
    path = tmp_path / "my.yaml"
    r = run_cli("scenario", "new", "-o", str(path))
    assert r.code == 0, r.err
    text = path.read_text()
    assert text.startswith("# A carescale scenario") and "overrides: {}" in text
    assert parse_scenario(text).scenario_id == ScenarioDocument().scenario_id
    assert run_cli("run", "--scenario", str(path), "--format", "json").code == 0


def test_scenario_show_and_diff(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("version: 1\n")
    b.write_text(f"version: 1\noverrides:\n  {LW_SEG}.unit_cost: {{value: 450, note: our quote}}\n")
    shown = run_cli("scenario", "show", str(b), "--format", "json").json()
    assert shown["changes"][0]["note"] == "our quote" and shown["scenario_id"] == parse_scenario(b.read_text()).scenario_id
    d = run_cli("scenario", "diff", str(a), str(b), "--format", "json").json()
    assert d["identical"] is False
    assert {r["key"] for r in d["differences"]} >= {f"overrides.{LW_SEG}.unit_cost.value"}
    same = run_cli("scenario", "diff", str(a), str(a))
    assert "identical" in same.out


def test_version_option():
    r = run_cli("--version")
    assert r.code == 0 and r.out.strip() == f"carescale {carescale.__version__}"


def test_build_scenario_returns_the_scenario_and_its_values():
    scenario, values = build_scenario(ScenarioDocument(overrides={LW_PEOPLE: 2000}, reprice=False))
    assert values[f"{LW_SEG}.sizing.rate"][0] == pytest.approx(2000 / 149_412)
    assert run_document(ScenarioDocument(overrides={LW_PEOPLE: 2000}, reprice=False))["scenario"]["id"]
    assert isinstance(scenario, carescale.Scenario)


def test_override_equal_to_the_default_changes_nothing():
    sc = carescale.define_scenario("birmingham", overrides={f"{LW_SEG}.unit_cost": 400}, prices="published")
    assert sc.changes == ()


def test_errors_are_carescale_errors():
    with pytest.raises(CarescaleError):
        carescale.define_scenario("birmingham", overrides={"nope": 1})


# -- the assumptions section of the area template -------------------------------------------------


def _export(tmp_path, suffix):
    path = tmp_path / f"birmingham{suffix}"
    r = run_cli("areas", "export", "birmingham", "--output", str(path))
    assert r.code == 0, r.err
    return path


def test_template_assumptions_csv_scenario_and_python_give_identical_json(tmp_path):
    import csv
    import io

    path = _export(tmp_path, ".csv")
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    key = f"assumptions.{LW_PEOPLE}"
    (row,) = [r for r in rows if r[0] == key]
    row[3], row[6] = "2000", "our plan for 2026/27"
    path.write_text("".join(",".join(f'"{c}"' for c in r) + "\n" for r in rows), encoding="utf-8")
    by_template = run_cli("run", "--area-file", str(path), "--no-reprice", "--format", "json").json()
    spec = {"value": 2000, "note": "our plan for 2026/27"}
    scen = tmp_path / "s.yaml"
    scen.write_text(
        f"version: 1\nreprice: false\noverrides:\n  {LW_PEOPLE}:\n    value: 2000\n    note: our plan for 2026/27\n"
    )
    by_scenario = run_cli("run", "--scenario", str(scen), "--format", "json").json()
    py = carescale.summary(carescale.evaluate(carescale.define_scenario("birmingham", overrides={LW_PEOPLE: spec}, prices="published")))
    by_template.pop("scenario"), by_scenario.pop("scenario")
    assert by_template.pop("value") == by_scenario.pop("value")  # fiscal and social value (issue 23)
    assert by_template.pop("bridge") == by_scenario.pop("bridge")  # the CLI's JSON also gives the bridge
    assert by_template == by_scenario == py
    assert _lw(py)["beneficiaries"] == pytest.approx(2000)
    assert py["changes"][0]["note"] == "our plan for 2026/27"


def test_template_assumptions_sheet_in_xlsx(tmp_path):
    import openpyxl

    path = _export(tmp_path, ".xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["area", "assumptions"]
    ws = wb["assumptions"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == f"assumptions.{LW_SEG}.unit_cost":
            row[3].value = 450
    wb.save(path)
    data = run_cli("run", "--area-file", str(path), "--interventions", "living-well", "--no-reprice",
                   "--format", "json").json()
    assert _lw(data)["cost"] == pytest.approx(450 * 1000, rel=1e-6)
    assert data["changes"][0]["path"] == f"{LW_SEG}.unit_cost" and data["changes"][0]["evidence_value"] == 400


def test_an_unknown_assumption_row_is_one_line(tmp_path):
    path = _export(tmp_path, ".csv")
    text = path.read_text(encoding="utf-8-sig") + "assumptions.living-well.unit_cost,,,450,,,\n"
    path.write_text(text, encoding="utf-8")
    r = run_cli("run", "--area-file", str(path))
    assert r.code == 2
    assert r.err.startswith("error: ") and r.err.count("\n") == 1 and ": row " in r.err
    assert "unknown assumption 'assumptions.living-well.unit_cost' (did you mean" in r.err


# -- tidy DataFrames --------------------------------------------------------------------------------


def test_run_frame_is_tidy_and_sums_to_the_totals():
    from carescale.scenarios import run_frame
    from carescale.scenarios.frames import COLUMNS

    doc = ScenarioDocument(reprice=False)
    data = run_document(doc)
    f = run_frame(data)
    assert tuple(f.columns) == COLUMNS
    net = f[f.measure == "net_savings"].groupby("payer").value.sum()
    for payer in ("asc", "nhs"):
        assert net[payer] == pytest.approx(data["totals"]["net_savings"][payer], abs=0.05)
    lw = f[(f.model == "living-well") & (f.measure == "beneficiaries") & (f.segment == "")]
    assert lw.value.iloc[0] == pytest.approx(1000, abs=1e-3)
    assert run_frame(doc).equals(f)  # a document is run for you


def test_appraisal_and_uncertainty_frames():
    from carescale.scenarios import appraisal_frame, uncertainty_frame

    data = appraise_document(ScenarioDocument(appraisal={"years": 3}, reprice=False))
    f = appraisal_frame(data)
    assert set(f.period) == {"year 1", "year 2", "year 3", "appraisal"}
    npv = f[(f.measure == "npv")].value.sum()
    assert npv == pytest.approx(data["portfolio"]["metrics"]["npv"] + _overlap_pv(data), abs=1.0)
    u = uncertainty_frame(uncertainty_document(ScenarioDocument(uncertainty={"draws": 100, "npv": False})))
    assert set(u.model) >= {"living-well", "portfolio"} and "net_savings.p05" in set(u.measure)


def _overlap_pv(data):
    """The discounted overlap deduction (the portfolio NPV is the models' NPVs less it)."""
    return sum(y.get("overlap_deduction", 0.0) * y["discount_factor"] for y in data["portfolio"]["years"])


def test_uncertainty_npv_uses_the_documents_appraisal_settings():
    u = uncertainty_document(ScenarioDocument(interventions=["living-well"], appraisal={"years": 3},
                                              uncertainty={"draws": 50}))
    a = appraise_document(ScenarioDocument(interventions=["living-well"], appraisal={"years": 3}))
    assert u["npv_settings"]["years"] == 3
    assert u["portfolio"]["npv"]["deterministic"] == pytest.approx(a["portfolio"]["metrics"]["npv"], abs=0.01)


def test_an_override_without_a_range_keeps_the_evidence_ranges_relative_width():
    from carescale.uncertainty import parameter_ranges

    lib = carescale.default_library()
    b = lib.area("birmingham")
    q = b.cohorts["population_65_plus"]
    ranged = q.model_copy(update={"low": q.value * 0.8, "high": q.value * 1.1})
    area = b.model_copy(update={"cohorts": {**b.cohorts, "population_65_plus": ranged}})
    path = "area.cohorts.population_65_plus"
    sc = carescale.define_scenario(area, ["living-well"], library=lib, overrides={path: 200_000})
    p = carescale.ParameterTable.from_scenario(sc)[path]
    assert (p.quantity.low, p.quantity.high) == pytest.approx((160_000, 220_000))
    assert p.change.range_source == "evidence-relative"
    r = next(r for r in parameter_ranges(sc) if r.path == path)
    assert r.source == "override: the evidence range, same relative width"
    own = carescale.define_scenario(area, ["living-well"], library=lib,
                                    overrides={path: {"value": 200_000, "low": 190_000, "high": 230_000}})
    assert carescale.ParameterTable.from_scenario(own)[path].quantity.low == 190_000


def test_areas_import_says_assumptions_are_not_saved_with_the_profile(tmp_path):
    path = _export(tmp_path, ".csv")
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines = [ln if not ln.startswith("area.id,") else "area.id,Short id,text,testshire,,," for ln in lines]
    lines.append(f"assumptions.{LW_SEG}.unit_cost,,,450,,,our quote")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = run_cli("areas", "import", str(path))
    assert r.code == 0, r.err
    assert f"the file's assumptions (1: {LW_SEG}.unit_cost) change model figures" in r.out


def evaluate_document_value(path):
    from carescale.scenarios import evaluate_document, load_scenario

    return evaluate_document(load_scenario(path)).value()


def test_what_a_caller_gets_is_a_deep_copy_of_the_shared_figures():
    """``copied`` (every command's and page's copy of an Evaluation's figures) copies every level:
    changing the copy leaves the shared figures alone, and the values are equal, numpy arrays and
    NaN included; what a pickle cannot hold is still copied (by ``copy.deepcopy``)."""
    import math

    from carescale.scenarios import evaluate_document, parse_scenario
    from carescale.scenarios.evaluation import copied

    ev = evaluate_document(parse_scenario('{"version": 1, "area": "birmingham"}'))
    shared = ev.cash_view()
    mine = copied(shared)
    assert mine == shared and mine is not shared
    before = copied(shared)
    mine["interventions"][0].clear()
    mine["budget"].clear()
    mine.clear()
    assert shared == before and shared is ev.cash_view() and shared["interventions"][0] and shared["budget"]

    data = {"a": [1.5, {"b": np.arange(3.0)}], "nan": math.nan, "f": len}
    out = copied(data)
    assert out["a"][1]["b"] is not data["a"][1]["b"] and out["a"][1]["b"].tolist() == [0.0, 1.0, 2.0]
    assert math.isnan(out["nan"]) and out["f"] is len
    unpicklable = {"g": lambda x: x, "list": [1, 2]}
    out = copied(unpicklable)
    assert out["g"] is unpicklable["g"] and out["list"] == [1, 2] and out["list"] is not unpicklable["list"]
