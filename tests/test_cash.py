"""Issue 21, the finance officer's view: the cashable flag of every saving, the cash budget view
(MTFS), the options appraisal and the optimism-bias methods (docs/appraisal.md)."""

from __future__ import annotations

import numpy as np
import pytest

from carescale.library import default_library
from carescale.schema.intervention import DEFAULT_CASHABLE_REASON, Outcome, SpendReduction, cashable_of
from carescale.scenarios import ScenarioDocument, evaluate_document

LIB = default_library()
BIRMINGHAM = ScenarioDocument(area="birmingham")


# -- the cashable flag, set per saving in the evidence --------------------------------------------


def _lines(doc=BIRMINGHAM):
    return evaluate_document(doc).savings()


def test_every_runnable_saving_in_the_library_states_whether_it_is_cashable():
    """The six models of the paper set the flag in their files; fewer placements and less care
    bought are cashable, NHS activity avoided (A&E, admissions, falls) is not."""
    flags = {}
    for iv in LIB.interventions.values():
        for seg in iv.segments:
            for s in (*seg.outcomes, *seg.spend_reductions):
                flags[(iv.id, s.id)] = cashable_of(s)
    paper = ["community-agents", "hospital-discharge", "kent-pathways", "living-well", "shared-lives",
             "support-at-home"]
    for (iid, sid), flag in flags.items():
        if iid in paper:
            assert flag.status == "assumption" and flag.reason, (iid, sid)
    assert flags[("hospital-discharge", "long-term-placements")].value is True
    assert flags[("shared-lives", "avoided-alternative-package")].value is True
    assert flags[("living-well", "ae-and-admissions")].value is False
    assert flags[("support-at-home", "fewer-falls-malnutrition-depression")].value is False


def test_the_default_rule_applies_when_a_file_gives_no_flag():
    ref = {"document": "scie-2017", "section": "s", "quote": "q"}
    money = {"value": 10, "unit": "GBP_per_person_per_year", "price_year": "2015/16", "ref": ref}
    asc = Outcome(id="a", description="d", payer="asc", unit_saving=money)
    nhs = Outcome(id="b", description="d", payer="nhs", unit_saving=money)
    cut = SpendReduction(id="c", description="d", payer="nhs", spend_line="x",
                         reduction={"value": 0.1, "unit": "proportion", "ref": ref})
    assert cashable_of(asc) == (True, "default", DEFAULT_CASHABLE_REASON)
    assert cashable_of(nhs) == (False, "default", DEFAULT_CASHABLE_REASON)
    assert cashable_of(cut).value is False


def test_the_saving_lines_add_up_to_the_engines_gross_saving():
    """Every line of every model of the Birmingham default, by payer, adds up to the gross
    saving `carescale run` prints, to the penny."""
    ev = evaluate_document(BIRMINGHAM)
    run = ev.run
    lines = ev.savings()
    for item in run["interventions"]:
        for payer in ("asc", "nhs"):
            total = sum(line["amount"] for line in lines if line["intervention"] == item["id"] and line["payer"] == payer)
            assert total == pytest.approx(item["gross_savings"][payer], abs=0.02), (item["id"], payer)
    lw = [line for line in lines if line["intervention"] == "living-well"]
    assert {(line["id"], line["payer"], line["cashable"]) for line in lw} == {
        ("social-care-costs", "asc", True), ("ae-and-admissions", "nhs", False)}


@pytest.mark.parametrize("doc", [{"version": 1, "area": "birmingham", "reprice": False},
                                 {"version": 1, "area": "cornwall", "basis": "current"},
                                 {"version": 1, "area": "birmingham", "scale": {"living-well": 0.5},
                                  "overrides": {"living-well.older-people-multiple-ltc.people": 2000}}])
def test_the_saving_lines_of_an_engine_run_are_the_lines_worked_out_afresh(doc):
    """The Evaluation's saving lines read its steady-state run's annual figures (issue 25): every
    line, amount and count bit for bit what ``saving_lines`` gives from the values."""
    from carescale.engine.savings import saving_lines
    from carescale.scenarios import parse_data

    ev = evaluate_document(parse_data(doc))
    afresh = saving_lines(ev.scenario, ev.values, ev.parameters)
    assert len(ev.saving_lines) == len(afresh) > 0
    for a, b in zip(ev.saving_lines, afresh):
        assert (a.intervention, a.segment, a.id, a.kind, a.payer, a.cashable) == (b.intervention, b.segment, b.id, b.kind, b.payer, b.cashable)
        np.testing.assert_array_equal(a.amount, b.amount)
        assert (a.count is None) == (b.count is None)
        if a.count is not None:
            np.testing.assert_array_equal(a.count, b.count)
    from carescale.errors import SettingsError

    with pytest.raises(SettingsError):
        saving_lines(ev.scenario, ev.values, run=ev.result)


def test_a_cashable_flag_must_be_true_or_false():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="cashable must be true"):
        Outcome.model_validate({
            "id": "a", "description": "d", "payer": "asc",
            "unit_saving": {"value": 1, "unit": "GBP_per_person_per_year", "price_year": "2015/16",
                            "ref": {"document": "scie-2017", "section": "s", "quote": "q"}},
            "cashable": {"value": "sometimes", "reason": "r"},
        })


# -- the cash budget view -------------------------------------------------------------------------

LW_PEOPLE = "living-well.older-people-multiple-ltc.people"
# HM Treasury's financial-year GDP deflator, December 2023 (2022/23 = 100): 2016/17 84.335; the OBR's
# November 2023 forecast growth 2023/24 +6.10%, 2024/25 +1.68%, 2025/26 +1.71%, 2026/27 +1.62%,
# 2027/28 +1.77%, 2028/29 +1.88% (data/prices/gdp_deflator_financial_year.csv)
FY_2024_25 = 100 * 1.0610 * 1.0168
REPRICE_2016_17 = FY_2024_25 / 84.335  # Living Well's figures are in 2016/17 prices
CASH_2028_29 = 1.0171 * 1.0162 * 1.0177 * 1.0188  # 2028/29 prices / 2024/25 prices
# ONS MYE2, Birmingham, people aged 65 and over: 149,412 at mid-2020, 154,406 at mid-2024
GROWTH_65 = (154_406 / 149_412) ** (1 / 4) - 1


def _lw_doc(**cash):
    return ScenarioDocument(
        area="birmingham", interventions=["living-well"], overrides={LW_PEOPLE: 1000},
        appraisal={"years": 4, "optimism_bias": False,
                   "interventions": {"living-well": {"months_to_first_beneficiary": 3, "months_to_full_scale": 30,
                                                     "deadweight": 0, "attribution": 1, "drop_off": 0,
                                                     "lag_months": 0}}},
    )


def test_year_3_of_living_well_in_cash_by_hand():
    """Living Well in Birmingham at 1,000 people (SCIE 2017: £400 a person, gross £1,181 council
    and £1,598 NHS a person, 2016/17 prices, cost split equally), no optimism bias, first person
    in month 3 and full scale 30 months later (month 33).

    * Ramp-up: year 3 is months 25-36; month k runs at (k - 0.5 - 3) / 30 of full scale up to
      month 33, so months 25-33 add to (21.5 + ... + 29.5) / 30 = 9 x 25.5 / 30 = 7.65 and months
      34-36 to 3: 10.65 months of full scale.
    * Real terms (2024/25 prices): x 107.88248 / 84.335 (the GDP deflator, 2024/25 from the OBR's
      forecast).
    * Growth: people aged 65 and over in Birmingham, (154,406 / 149,412)^(1/4) - 1 = 0.8253% a
      year, two years on from year 1: x 1.008253^2.
    * Inflation: year 3 is 2028/29: x 1.0171 x 1.0162 x 1.0177 x 1.0188 (OBR forecast).
    Council (cashable): 1,000 x 1,181 x those factors; NHS (not cashable): 1,000 x 1,598 x them;
    cost 1,000 x 400 x them, half each."""
    cv = evaluate_document(_lw_doc()).cash_view()
    factor = 10.65 / 12 * REPRICE_2016_17 * (1 + GROWTH_65) ** 2 * CASH_2028_29
    year3 = {r["payer"]: r for r in cv["years"] if r["financial_year"] == "2028/29"}
    assert year3["asc"]["cashable_savings"] == pytest.approx(1000 * 1181 * factor, abs=0.02)
    assert year3["asc"]["non_cashable_savings"] == 0
    assert year3["nhs"]["non_cashable_savings"] == pytest.approx(1000 * 1598 * factor, abs=0.02)
    assert year3["nhs"]["cashable_savings"] == 0
    assert year3["asc"]["cost"] == pytest.approx(1000 * 400 * factor / 2, abs=0.02)
    assert year3["total"]["net"] == pytest.approx(1000 * (1181 + 1598 - 400) * factor, abs=0.05)
    assert year3["asc"]["net_cashable"] == pytest.approx(1000 * (1181 - 200) * factor, abs=0.02)
    assert year3["nhs"]["net_cashable"] == pytest.approx(-1000 * 200 * factor, abs=0.02)
    # the real-terms net is the appraisal's own year 3
    ap = evaluate_document(_lw_doc()).appraisal_summary()
    assert year3["total"]["net_real"] == pytest.approx(ap["portfolio"]["years"][2]["net"], abs=0.01)
    assert cv["inflation"]["factors"]["2028/29"] == pytest.approx(CASH_2028_29, rel=1e-6)
    assert cv["growth"]["by_intervention"]["living-well"]["rate"] == pytest.approx(GROWTH_65)
    # Birmingham made no RO3 return in 2022-23 to 2024-25: the budget is not known, and said so
    assert cv["budget"]["value"] is None and "no return" in cv["budget"]["missing"]


def test_cash_view_against_cornwalls_budget_with_the_users_inflation():
    """Cornwall, current basis, 3% inflation: the council's RO3 2024-25 net current expenditure on
    adult social care (£320,430 thousand) grows 3% a year from 2024/25; year 1 (2026/27) is
    x 1.03^2, and net cashable / budget is the ASC net cashable over it."""
    from carescale.appraisal.cash import CashSettings

    doc = ScenarioDocument(area="cornwall", basis="current", appraisal={"years": 3})
    cv = evaluate_document(doc).cash_view(CashSettings(inflation=0.03))
    assert cv["budget"]["value"] == 320_430_000 and cv["budget"]["year"] == "2024/25"
    y1 = next(r for r in cv["years"] if r["financial_year"] == "2026/27" and r["payer"] == "asc")
    assert y1["inflation_factor"] == pytest.approx(1.03 ** 2)
    assert y1["budget"] == pytest.approx(320_430_000 * 1.03 ** 2, abs=0.01)
    assert y1["net_cashable_share_of_budget"] == pytest.approx(y1["net_cashable"] / y1["budget"], abs=1e-6)
    for r in cv["years"]:  # every row adds up
        assert r["net"] == pytest.approx(r["cashable_savings"] + r["non_cashable_savings"] - r["overlap_deduction"]
                                         - r["cost"], abs=0.05)


def test_carescale_cash_json_csv_and_table():
    from .conftest import run_cli

    r = run_cli("cash", "--area", "birmingham", "--years", "3", "--format", "json")
    assert r.code == 0, r.err
    data = r.json()
    assert [y["financial_year"] for y in data["years"] if y["payer"] == "total"] == ["2026/27", "2027/28", "2028/29"]
    r = run_cli("cash", "--area", "birmingham", "--years", "3", "--format", "csv")
    assert r.code == 0 and r.out.splitlines()[0].startswith("model,financial_year,months,payer")
    assert len(r.out.splitlines()) == 1 + 3 * 3 * (1 + len(data["interventions"]))
    r = run_cli("cash", "--area", "birmingham", "--years", "2", "--growth", "1%")
    assert r.code == 0 and "Cash budget view: Birmingham" in r.out and "1.00% a year (yours)" in r.out


@pytest.mark.parametrize("args,message", [
    (["--growth", "50%"], "error: growth: 0.5 is not valid; give a rate a year from -5% to 20% (0.02 or 2%)\n"),
    (["--inflation", "lots"], "error: --inflation: 'lots' is not a share; write a share such as 9% or 0.09\n"),
    (["--budget", "-£5m"], "error: budget: -5000000.0 is not valid; give the budget in pounds a year, more than £0\n"),
])
def test_bad_cash_options_are_one_line(args, message):
    from .conftest import run_cli

    r = run_cli("cash", "--years", "2", *args)
    assert r.code == 2 and r.err.startswith(message) and r.err.count("\n") == 1


# -- the options appraisal ------------------------------------------------------------------------


def test_options_appraisal_side_by_side_for_birmingham():
    """Business as usual is the baseline (nil); do minimum keeps the models with no set-up
    investment and a positive NPV of their own (all but Shared Lives, which needs £250,000 for
    its first 75 places) and is appraised as a portfolio of its own; the preferred option is the
    scenario's own appraisal."""
    ev = evaluate_document(BIRMINGHAM)
    o = ev.options()
    bau, minimum, preferred = o["options"]
    assert [bau["id"], minimum["id"], preferred["id"]] == ["business-as-usual", "do-minimum", "preferred"]
    assert bau["npv"] == 0 and bau["cost"] == 0 and bau["bcr"] is None
    run = {i["id"]: i for i in ev.run["interventions"]}
    npv = {i["id"]: i["metrics"]["npv"] for i in ev.appraisal_summary()["interventions"]}
    expected = [{"id": iid, "name": run[iid]["name"],
                 "why": "needs set-up investment" if run[iid]["setup_investment"] > 0
                 else "costs more than it saves on its own"}
                for iid in npv if run[iid]["setup_investment"] > 0 or npv[iid] <= 0]
    assert o["do_minimum_left_out"] == expected
    assert {"id": "shared-lives", "name": "Shared Lives", "why": "needs set-up investment"} in expected
    assert minimum["models"] == [run[iid]["name"] for iid in minimum["interventions"]]
    assert minimum["interventions"] == [iid for iid in npv if iid not in {x["id"] for x in expected}]
    alone = evaluate_document(BIRMINGHAM.with_changes(interventions=minimum["interventions"])).appraisal_summary()
    assert minimum["npv"] == alone["portfolio"]["metrics"]["npv"]
    m = ev.appraisal_summary()["portfolio"]["metrics"]
    assert (preferred["npv"], preferred["bcr"], preferred["break_even_month"]) == (m["npv"], m["bcr"], m["break_even_month"])
    for row in (minimum, preferred):  # undiscounted savings - cost = the net budget impact
        assert row["savings"] - row["cost"] == pytest.approx(row["net_budget_impact"], abs=0.05)
    assert preferred["npv"] > minimum["npv"] > 0


# -- optimism bias: the named methods -------------------------------------------------------------


def test_the_default_method_is_the_green_book_and_the_paper_keeps_its_table():
    default = evaluate_document(BIRMINGHAM).appraisal_summary()
    assert default["settings"]["optimism_bias_method"] == "green-book"
    assert {i["id"]: (i["optimism_bias"]["costs"], i["optimism_bias"]["benefits"]) for i in default["interventions"]} \
        == {i["id"]: (0.41, 0.0) for i in default["interventions"]}
    paper = evaluate_document(ScenarioDocument(area="birmingham", preset="paper")).appraisal_summary()
    assert paper["settings"]["optimism_bias_method"] == "nesta-levels"
    assert all(i["optimism_bias"] == {"costs": 0.25, "benefits": 0.25} for i in paper["interventions"])
    chosen = ScenarioDocument(area="birmingham", preset="paper", appraisal={"optimism_bias_method": "gmca"})
    assert evaluate_document(chosen).appraisal_summary()["settings"]["optimism_bias_method"] == "gmca"


def test_the_green_book_percentages_are_the_guidance_s_own():
    """HM Treasury, Supplementary Green Book Guidance: Optimism Bias, Table 'Optimism Bias
    Guidelines' (Mott MacDonald 2002): Outsourcing, operating expenditure, upper bound 41%;
    Standard Buildings, capital expenditure, 24%; Non-standard Buildings 51%. Benefits: the Green
    Book (2018, 5.45) gives no generic value."""
    from carescale.appraisal.settings import appraisal_defaults

    gb = appraisal_defaults().optimism_bias_methods.green_book
    assert {k: v.costs.value for k, v in gb.items()} == {
        "outsourcing": 0.41, "standard-buildings": 0.24, "non-standard-buildings": 0.51}
    assert all(v.benefits.value == 0 and v.costs.status == "published" for v in gb.values())
    assert "41*" in gb["outsourcing"].costs.ref.quote
    assert "no generic values available to be applied to benefits" in gb["outsourcing"].benefits.ref.quote


# -- the web result page --------------------------------------------------------------------------


def test_result_page_shows_the_options_and_the_cash_view():
    pytest.importorskip("fastapi")
    from html import unescape

    from fastapi.testclient import TestClient

    from carescale.formatting import money
    from carescale.web.app import create_app
    from carescale.web.storage import MemoryScenarioStore

    from .test_web_pages import SAME_ORIGIN, journey

    with TestClient(create_app(MemoryScenarioStore()), follow_redirects=False, headers=SAME_ORIGIN) as c:
        path = journey(c, area="cornwall")
        page = unescape(c.get(path).text)
        stored = c.get(f"/api/v1/scenarios/{path.rsplit('/', 1)[1]}").json()
    from carescale.web import documents

    assert 'id="options-table"' in page and 'id="cash-budget-table"' in page
    for name in ("Business as usual", "Do minimum", "Preferred portfolio"):
        assert name in page
    assert "Cornwall" in page and "RO3 outturn" in page  # Cornwall's adult social care budget
    assert money(320_430_000) in page
    cv = documents.cash(stored)
    first = next(r for r in cv["years"] if r["payer"] == "asc")
    assert money(first["cashable_savings"]) in page and money(first["net_cashable"]) in page
    preferred = documents.options(stored)["options"][2]
    assert money(preferred["npv"]) in page


# -- the reports ----------------------------------------------------------------------------------


def test_reports_show_the_options_and_the_cash_view():
    """The Markdown and HTML reports carry the options and the cash tables with the evaluation's
    own figures; the workbook has an Options and a Cash budget sheet whose net cashable and net
    are formulas over the row (net = cashable + non-cashable - overlap - cost)."""
    pytest.importorskip("xlsxwriter")
    import io

    import openpyxl

    from carescale.formatting import short_money
    from carescale.reports import prepare, render
    from carescale.reports.workbook import workbook_bytes

    data = prepare({"area": "cornwall", "basis": "current", "uncertainty": {"draws": 200}})
    cv, opts = data.evaluation.cash_view(), data.evaluation.options()
    md = render(data, "md").decode()
    assert "## Options: business as usual, do minimum, preferred" in md and "## Cash budget view" in md
    first = next(r for r in cv["years"] if r["payer"] == "asc")
    assert f"| {first['financial_year']} | Council | {short_money(first['cost'])} | {short_money(first['cashable_savings'])} |" in md
    assert f"| Preferred portfolio | {short_money(opts['options'][2]['npv'])} |" in md
    html = render(data, "html").decode()
    assert 'id="options-table"' in html and 'id="cash-budget-table"' in html
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(data)))
    assert wb.sheetnames[-3:] == ["Options", "Cash budget", "Value"]  # then fiscal and social value (issue 23)
    ws = wb["Cash budget"]
    head = next(r for r in range(1, 20) if ws.cell(r, 1).value == "Financial year")
    assert ws.cell(head + 1, 11).value == f"=$G${head + 1}-$I${head + 1}-$F${head + 1}"
    assert ws.cell(head + 1, 6).value == first["cost"] and ws.cell(head + 1, 7).value == first["cashable_savings"]
    assert [ws_row[0] for ws_row in wb["Options"].iter_rows(min_row=4, max_row=6, values_only=True)] == [
        "Business as usual", "Do minimum", "Preferred portfolio"]


def test_do_minimum_drops_the_scale_overrides_and_settings_of_the_models_it_leaves_out():
    doc = ScenarioDocument(area="birmingham", scale={"shared-lives": 0.5, "living-well": 0.5},
                           overrides={"shared-lives.setup.cost": 300_000, LW_PEOPLE: 800},
                           appraisal={"interventions": {"shared-lives": {"lag_months": 2}}})
    minimum = evaluate_document(doc).options()["options"][1]
    assert "shared-lives" not in minimum["interventions"] and "living-well" in minimum["interventions"]
    alone = evaluate_document(ScenarioDocument(area="birmingham", interventions=minimum["interventions"],
                                               scale={"living-well": 0.5}, overrides={LW_PEOPLE: 800}))
    assert minimum["npv"] == alone.appraisal_summary()["portfolio"]["metrics"]["npv"]
