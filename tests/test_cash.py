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


def test_a_cashable_flag_must_be_true_or_false():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="valid boolean"):
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
