"""`carescale appraise`: formats, options, and bad settings (one line, exit 2, exact message).

Deliberately invalid settings files are in tests/invalid_inputs/appraisal/.
"""

from __future__ import annotations

import csv
import io

import pytest

from carescale.appraisal import make_settings
from carescale.errors import SettingsError
from carescale.library import default_library

from .conftest import INVALID, run_cli

APPRAISAL = INVALID / "appraisal"
IVS = ", ".join(sorted(default_library().interventions))
RATE = "give a rate a year from 0 to 0.2 (0.035 or 3.5% is 3.5%)"
DATE = "give it as YYYY-MM-DD, for example 2026-04-01"
YEARS = "the appraisal period must be a whole number of years from 1 to 60"

# file name -> the message after "error: tests/invalid_inputs/appraisal/{file}: "
EXPECTED = {
    "negative_years.yaml": f"years: -1 is not valid; {YEARS}",
    "rate_above_20_percent.yaml": f"discount_rate: 0.25 is outside 0-20%; {RATE}",
    "negative_rate.yaml": f"discount_rate: -0.01 is outside 0-20%; {RATE}",
    "start_date_not_a_date.yaml": f"start_date: 'next April' is not a date; {DATE}",
    "start_date_impossible.yaml": f"start_date: '2026-02-30' is not a date; {DATE}",
    "start_date_impossible_unquoted.yaml": f"start_date: '2026-02-30' is not a date; {DATE}",
    "unknown_setting.yaml": (
        "discount: unknown setting; valid settings here are: years, start_date, price_base_year, "
        "discount_rate, optimism_bias, optimism_bias_method, counterfactual, setup_timing, interventions"
    ),
    "number_key.yaml": (
        "2026: unknown setting; valid settings here are: years, start_date, price_base_year, "
        "discount_rate, optimism_bias, optimism_bias_method, counterfactual, setup_timing, interventions"
    ),
    "optimism_bias_method_unknown.yaml": (
        "optimism_bias_method: 'treasury' is not valid; optimism_bias_method must be one of: green-book, gmca, "
        "nesta-levels"
    ),
    "confidence_grade_out_of_range.yaml": (
        "interventions.living-well.confidence_grade: 7 is not valid; confidence_grade must be a whole number from 1 to 6"
    ),
    "setup_timing_unknown.yaml": "setup_timing: 'later' is not valid; setup_timing must be one of: as-places-fill, up-front",
    "unknown_intervention_key.yaml": (
        "interventions.living-well.lag: unknown setting; valid settings here are: deadweight, attribution, "
        "lag_months, drop_off, months_to_first_beneficiary, months_to_full_scale, duration_years, green_book_category, "
        "confidence_grade, outcomes"
    ),
    "deadweight_above_one.yaml": (
        "interventions.shared-lives.outcomes.avoided-alternative-package.deadweight: 1.5 is not valid; "
        "deadweight must be a share from 0 to 1"
    ),
    "negative_lag.yaml": (
        "interventions.living-well.lag_months: -3 is not valid; lag_months must be a number of months from 0 to 120"
    ),
    "price_year_not_financial_year.yaml": (
        "price_base_year: 2015 is not a financial year; give it as YYYY/YY, for example 2015/16"
    ),
    "optimism_bias_not_boolean.yaml": "optimism_bias: 'sometimes' is not valid; optimism_bias must be true or false",
    "unknown_intervention.yaml": f"interventions.shared-live: unknown intervention; valid intervention ids are: {IVS}",
    "unknown_outcome.yaml": (
        "interventions.shared-lives.outcomes.avoided-care-home: unknown outcome; valid outcome ids of "
        "shared-lives are: avoided-alternative-package"
    ),
}


def test_every_invalid_file_has_a_case():
    assert sorted(p.name for p in APPRAISAL.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_settings_file(name):
    res = run_cli("appraise", "--settings", str(APPRAISAL / name))
    assert res.code == 2
    assert res.out == ""
    assert res.err == f"error: tests/invalid_inputs/appraisal/{name}: {EXPECTED[name]}\n"


@pytest.mark.parametrize(
    "args,message",
    [
        (["--years", "-1"], f"years: '-1' is not valid; {YEARS}"),
        (["--years", "0"], f"years: '0' is not valid; {YEARS}"),
        (["--years", "ten"], f"years: 'ten' is not valid; {YEARS}"),
        (["--discount-rate", "0.25"], f"discount_rate: '0.25' is outside 0-20%; {RATE}"),
        (["--discount-rate", "21%"], f"discount_rate: '21%' is outside 0-20%; {RATE}"),
        (["--discount-rate", "-1%"], f"discount_rate: '-1%' is outside 0-20%; {RATE}"),
        (["--discount-rate", "cheap"], f"discount_rate: 'cheap' is not a number; {RATE}"),
        (["--start-date", "01/04/2026"], f"start_date: '01/04/2026' is not a date; {DATE}"),
        (["--start-date", "tomorrow"], f"start_date: 'tomorrow' is not a date; {DATE}"),
    ],
)
def test_bad_options_give_one_line_and_exit_2(args, message):
    res = run_cli("appraise", *args)
    assert res.code == 2
    assert res.err == f"error: {message}\n"


def test_settings_for_a_model_not_in_the_appraisal(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("interventions:\n  shared-lives:\n    lag_months: 1\n")
    res = run_cli("appraise", "--interventions", "living-well", "--settings", str(path))
    assert res.code == 2
    assert res.err == "error: interventions.shared-lives: not in this appraisal; valid intervention ids are: living-well\n"


def test_settings_errors_are_settings_errors():
    with pytest.raises(SettingsError):
        make_settings(years=-1)


def test_rate_as_percentage_or_fraction():
    assert make_settings(discount_rate="3.5%").discount_rate == pytest.approx(0.035)
    assert make_settings(discount_rate="0.035").discount_rate == pytest.approx(0.035)
    assert make_settings(discount_rate="0").discount_rate == 0
    assert make_settings(discount_rate="20%").discount_rate == pytest.approx(0.2)


def test_json_from_the_cli():
    res = run_cli("appraise", "--area", "birmingham", "--years", "3", "--discount-rate", "0.05", "--no-reprice",
                  "--format", "json")
    assert res.code == 0, res.err
    data = res.json()
    assert data["settings"]["years"] == 3
    assert data["settings"]["discount_rate"] == 0.05
    assert data["settings"]["discount_schedule"] == "flat"
    sl = next(i for i in data["interventions"] if i["id"] == "shared-lives")
    assert sl["metrics"]["break_even_month"] == 16
    assert sl["years"][0]["setup"] == 352_500.0  # £250,000 + 41% optimism bias (Green Book, outsourcing)
    assert data["settings"]["optimism_bias_method"] == "green-book"
    assert set(sl["years"][0]["net_by_payer"]) == {"asc", "nhs"}
    assert data["portfolio"]["years"][1]["discount_factor"] == pytest.approx(1 / 1.05, abs=1e-6)


def test_settings_file_and_options(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("years: 4\nstart_date: 2027-01-01\noptimism_bias: false\n"
                    "interventions:\n  shared-lives:\n    months_to_full_scale: 24\n")
    res = run_cli("appraise", "--settings", str(path), "--years", "6", "--format", "json")
    assert res.code == 0, res.err
    data = res.json()
    assert data["settings"]["years"] == 6  # the option wins over the file
    assert data["settings"]["start_date"] == "2027-01-01"
    assert data["settings"]["optimism_bias"] is False
    sl = next(i for i in data["interventions"] if i["id"] == "shared-lives")
    assert sl["ramp_up"] == {"months_to_first_beneficiary": 6.5, "months_to_full_scale": 24.0}
    assert sl["metrics"]["break_even_month_starts"].startswith("2028-")


def test_csv_from_the_cli():
    res = run_cli("appraise", "--years", "2", "--format", "csv")
    assert res.code == 0, res.err
    rows = list(csv.DictReader(io.StringIO(res.out)))
    port = [r for r in rows if r["id"] == "portfolio"]
    assert [r["year"] for r in port] == ["1", "2", "total"]
    assert float(port[-1]["npv"]) == pytest.approx(float(port[0]["net"]) + float(port[1]["net"]) / 1.035, abs=0.05)


def test_table_from_the_cli():
    res = run_cli("appraise", "--years", "2")
    assert res.code == 0, res.err
    assert "Shared Lives" in res.out and "Portfolio by year" in res.out


def test_an_area_that_supports_no_model_gives_zeros_not_a_crash():
    res = run_cli("appraise", "--area", "british-red-cross-evaluation", "--years", "2", "--format", "json")
    assert res.code == 0, res.err
    data = res.json()
    assert data["interventions"] == []
    assert data["portfolio"]["metrics"]["npv"] == 0 and data["portfolio"]["metrics"]["breaks_even"] is False
    assert {n["id"] for n in data["not_modelled"]} >= {"shared-lives", "living-well"}


def test_monthly_flows_from_the_cli():
    res = run_cli("appraise", "--interventions", "shared-lives", "--years", "2", "--no-optimism-bias",
                  "--monthly", "--no-reprice", "--format", "json")
    assert res.code == 0, res.err
    sl = res.json()["interventions"][0]
    months = sl["months"]
    assert [m["month"] for m in months] == list(range(1, 25))
    assert months[0]["setup"] == 250_000 and months[6]["gross_savings"] == pytest.approx(1_334_000 / 12 / 96, abs=0.01)
    assert months[12]["cumulative_net"] < 0 < months[13]["cumulative_net"]  # break-even in month 14
    assert sum(m["net"] for m in months[:12]) == pytest.approx(sl["years"][0]["net"], abs=0.1)
    rows = list(csv.DictReader(io.StringIO(run_cli("appraise", "--years", "1", "--monthly", "--format", "csv").out)))
    assert [r["month"] for r in rows if r["id"] == "portfolio"] == [str(m) for m in range(1, 13)] + [""]
