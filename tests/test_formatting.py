"""carescale.formatting: one way to write a figure and one way to read a typed number (issue 20).

The formatter tables are today's exact strings (the CLI's tables, the web's filters): a change
to a formatter that moves an output fails here before it fails the goldens."""

from __future__ import annotations

import math

import pytest

from carescale import formatting as f
from carescale.errors import CarescaleError, SettingsError

# -- parse_number: "9%", "0.09", "£2m", "2,000,000" and "2 000 000" read alike ---------------------

READS = [
    # text, unit, value
    ("9%", "share", 0.09),
    ("0.09", "share", 0.09),
    (" 9 % ", "share", 0.09),
    ("12.5%", "proportion", 0.125),
    ("100%", "share", 1.0),
    ("0", "share", 0.0),
    ("£2m", "money", 2_000_000.0),
    ("2,000,000", "money", 2_000_000.0),
    ("2 000 000", "money", 2_000_000.0),
    ("2\u00a0000\u00a0000", "money", 2_000_000.0),
    ("2000000", "money", 2_000_000.0),
    ("£2,000,000", "GBP_per_year", 2_000_000.0),
    ("£2.5M", "money", 2_500_000.0),
    ("£250k", "GBP", 250_000.0),
    ("£1.2bn", "money", 1_200_000_000.0),
    ("-£1,234.50", "money", -1234.5),
    ("\u2212£5k", "money", -5000.0),
    ("2e6", "money", 2_000_000.0),
    ("2,000", "people", 2000.0),
    ("2 000", "count", 2000.0),
    ("1.5k", "people", 1500.0),
    (".5", "number", 0.5),
    ("1,234.5678", "number", 1234.5678),
    (2000, "people", 2000.0),
    (0.09, "share", 0.09),
]


@pytest.mark.parametrize(("text", "unit", "value"), READS)
def test_parse_number_reads(text, unit, value) -> None:
    assert f.parse_number(text, unit) == pytest.approx(value, rel=1e-15, abs=0)


def test_the_issue_examples_read_alike() -> None:
    assert f.parse_number("9%", "share") == f.parse_number("0.09", "share")
    money = {f.parse_number(t, "money") for t in ("£2m", "2,000,000", "2 000 000", "£2,000,000", "2000000")}
    assert money == {2_000_000.0}


REFUSED = [
    # text, unit, the exact one-line message
    ("", "money", "value: nothing was given; write an amount such as £2m, £250k, 2,000,000 or 2000000"),
    ("  ", "share", "value: nothing was given; write a share such as 9% or 0.09"),
    ("2,00", "money", "value: '2,00' is not an amount; write an amount such as £2m, £250k, 2,000,000 or 2000000"),
    ("2,000 000", "money", "value: '2,000 000' is not an amount; write an amount such as £2m, £250k, 2,000,000 or 2000000"),
    ("two", "people", "value: 'two' is not a number of people; write a number of people such as 2,000 or 2000"),
    ("£2m", "people", "value: '£2m' is in pounds, but this figure is a number of people; write a number of people such as 2,000 or 2000"),
    ("9%", "money", "value: '9%' is a percentage, but this figure is an amount; write an amount such as £2m, £250k, 2,000,000 or 2000000"),
    ("£9", "share", "value: '£9' is in pounds, but this figure is a share; write a share such as 9% or 0.09"),
    ("2m%", "share", "value: '2m%' is not a share; write a share such as 9% or 0.09"),
    ("inf", "number", "value: 'inf' is not a number; write a number such as 2,000, 0.5 or 2m"),
    ("nan", "share", "value: 'nan' is not a share; write a share such as 9% or 0.09"),
    ("1e400", "money", "value: '1e400' is not a finite number; write an amount such as £2m, £250k, 2,000,000 or 2000000"),
    (math.inf, "money", "value: inf is not a finite number; write an amount such as £2m, £250k, 2,000,000 or 2000000"),
    (True, "people", "value: True is a true/false value, not a number; write a number of people such as 2,000 or 2000"),
    ("1_000", "number", "value: '1_000' is not a number; write a number such as 2,000, 0.5 or 2m"),
    ("2,5", "share", "value: '2,5' is not a share; write a share such as 9% or 0.09"),
]


@pytest.mark.parametrize(("text", "unit", "message"), REFUSED)
def test_parse_number_refuses_in_one_line(text, unit, message) -> None:
    with pytest.raises(SettingsError) as info:
        f.parse_number(text, unit)
    assert info.value.message == message
    assert "\n" not in info.value.message
    assert isinstance(info.value, CarescaleError) and info.value.exit_code == 2


def test_parse_number_names_the_field_and_shortens_long_text() -> None:
    with pytest.raises(SettingsError) as info:
        f.parse_number("x" * 100, "money", name="budget")
    assert info.value.message == ("budget: '" + "x" * 37 + "...' is not an amount; "
                                  "write an amount such as £2m, £250k, 2,000,000 or 2000000")


def test_an_unknown_unit_is_refused() -> None:
    with pytest.raises(SettingsError, match=r"^unit: 'metres' is not a unit of a typed number; valid units are: share, "):
        f.parse_number("2", "metres")


# -- formatters keep today's strings -------------------------------------------------------------
# (value, short_money, money, people) as `carescale run` and the web's filters print them. Two
# changes for a reader (issue 20): a figure that rounds to nothing has no minus sign (-0.4 is £0
# and 0 people, as the reports already wrote it), and the step up to k / m is taken on the figure as
# shown (£999,999 is £1.00m, not £1000k); the web's £1000 for £999.70 is £1,000 as elsewhere

FIGURES = [
    (None, "", "–", "N/A"),
    (0, "£0", "£0", "0"),
    (0.4, "£0", "£0", "0"),
    (-0.4, "£0", "£0", "0"),
    (-0.6, "-£1", "-£1", "-1"),
    (999.5, "£1,000", "£1,000", "1,000"),
    (9999.4, "£9,999", "£9,999", "9,999"),
    (9999.6, "£10,000", "£10,000", "10,000"),
    (10000, "£10k", "£10,000", "10,000"),
    (-12345.6, "-£12k", "-£12,346", "-12,346"),
    (520000, "£520k", "£520,000", "520,000"),
    (999999, "£1.00m", "£999,999", "999,999"),
    (999_499, "£999k", "£999,499", "999,499"),
    (1000000, "£1.00m", "£1,000,000", "1,000,000"),
    (-1234567.8, "-£1.23m", "-£1,234,568", "-1,234,568"),
    (2.1e6, "£2.10m", "£2,100,000", "2,100,000"),
]


@pytest.mark.parametrize(("x", "short", "whole", "ppl"), FIGURES)
def test_formatters_keep_todays_strings(x, short, whole, ppl) -> None:
    assert f.short_money(x) == short
    assert f.money(x) == whole
    assert f.people(x) == ppl


def test_web_style_short_money_starts_thousands_at_1000() -> None:
    assert [f.short_money(x, missing="–", thousands_from=1000) for x in (None, 950, 1000, 9999.4)] == [
        "–", "£950", "£1k", "£10k"]
    # the web, the reports and the charts all write the paper's money this way
    assert [f.short_money(x, thousands_from=1000) for x in (999.4, 999.7, -0.3, 1234.5e6)] == [
        "£999", "£1,000", "£0", "£1,234.50m"]


def test_every_output_writes_money_people_and_shares_alike() -> None:
    from carescale.optimise import core
    from carescale.plans import review
    from carescale.reports import charts, numbers
    from carescale.uncertainty import switching
    from carescale.web import formatting as web

    for x in (None, -0.4, 999.7, 12_345.6, -1_234_567.8):
        assert web.short_money(x) == f.short_money(x, missing="–", thousands_from=1000)
        assert numbers.money(x) == f.short_money(x, missing="n/a", thousands_from=1000)
        assert web.people(x) == numbers.people(x) == f.people(x)
        if x is not None:
            assert charts._money(x) == numbers.money(x)
            assert core.money(x) == review._money(x) == numbers.pounds(x) == web.money(x) == f.money(x)
    assert web.percent(0.0912, 1) == review._pct(0.0912) == "9.1%"
    assert [numbers.figure(x, u) for x, u in [(0.045, "proportion"), (0.125, "proportion"), (7.25, "GBP"),
                                              (1234.4, "GBP_per_year"), (8.5, "people")]] == [
        "4.50%", "12.5%", "£7.25", "£1,234", "8.5"]
    assert switching.fmt(0.045, "proportion") == "4.50%" and switching.fmt(8.5, "people") == "8"


def test_money_with_pence_share_number_and_figure() -> None:
    assert f.money(1234.5, pence=True) == "£1,234.50"
    assert f.money(-0.004, pence=True) == "£0.00"
    assert f.money(-2.5, pence=True) == "-£2.50"
    assert [f.share(x) for x in (0.09, 0.5, None)] == ["9%", "50%", "–"]
    assert f.share(0.0912, 1) == "9.1%"
    assert [f.number(x) for x in (None, 12.0, 0.0180708123, 1234.56)] == ["", "12", "0.0180708", "1,235"]
    assert [f.figure(x, u) for x, u in [(3428.6, "people"), (1180999.4, "GBP"), (12.5, "GBP_per_person"),
                                        (12.0, "GBP"), (0.0180708123, "proportion"), (None, "GBP"),
                                        ("", "people")]] == [
        "3,429", "£1,180,999", "£12.50", "£12", "0.0180708", "", ""]


def test_formatted_money_reads_back() -> None:
    for x in (0.0, 950.0, 1234.0, 2_000_000.0, -520_000.0):
        assert f.parse_number(f.money(x), "money") == x
    assert f.parse_number(f.short_money(2_100_000), "money") == 2_100_000
    assert f.parse_number(f.share(0.09), "share") == pytest.approx(0.09)


def test_old_paths_give_the_same_functions() -> None:
    from carescale.engine import summary
    from carescale import report

    assert summary.money is report.money is f.short_money
    assert summary.figure is f.figure and summary.people is f.people


def test_set_reads_a_typed_number_like_a_plain_one() -> None:
    from .conftest import run_cli

    path = "living-well.older-people-multiple-ltc.people"
    plain = run_cli("run", "--set", f"{path}=2000", "--format", "json")
    assert plain.code == 0, plain.err
    for typed in ("2,000", "2 000", "2k"):
        r = run_cli("run", "--set", f"{path}={typed}", "--format", "json")
        assert (r.code, r.out) == (0, plain.out), typed
    r = run_cli("run", "--set", f"{path}=2,00")
    assert (r.code, r.out) == (2, "")
    assert r.err == (f"error: --set: {path}: '2,00' is not a number; "
                     "for example --set living-well.older-people-multiple-ltc.people=2000\n")


# -- every place a person types a number reads it alike (issue 20) ---------------------------------


def test_web_forms_read_typed_numbers_as_parse_number() -> None:
    from carescale.web.forms import number

    assert [number(t) for t in ("", "2,000", "2 000", "£400", "£2m", "250k", "12.5%")] == [
        None, 2000.0, 2000.0, 400.0, 2_000_000.0, 250_000.0, 0.125]
    for bad in ("2,00", "lots", "nan", "£5%"):
        with pytest.raises(ValueError):
            number(bad)


def test_a_share_is_read_as_9_percent_or_0_09() -> None:
    from carescale.appraisal.settings import InterventionAdjustment

    assert InterventionAdjustment(deadweight="9%").deadweight == pytest.approx(0.09)
    assert InterventionAdjustment(deadweight=0.09).deadweight == 0.09
    with pytest.raises(ValueError, match=r"'£9' is not a number; deadweight must be a share from 0 to 1 \(9% or 0.09\)"):
        InterventionAdjustment(deadweight="£9")
    with pytest.raises(ValueError, match=r"'120%' is not valid; deadweight must be a share from 0 to 1"):
        InterventionAdjustment(deadweight="120%")


def test_budgets_and_overrides_read_typed_amounts() -> None:
    from carescale.engine.overrides import normalise_spec
    from carescale.optimise.spec import parse_money

    assert [parse_money(t, "budget") for t in ("£2m", "250k", "2,000,000", "£1.5M", "unlimited")] == [
        2_000_000.0, 250_000.0, 2_000_000.0, 1_500_000.0, None]
    with pytest.raises(ValueError, match=r"^'2,00' is not valid; budget must be a number of pounds, 0 or more \(for"):
        parse_money("2,00", "budget")
    assert normalise_spec("2,000", "overrides.x")["value"] == 2000.0
    assert normalise_spec({"value": "9%", "low": "5%", "high": "0.2"}, "overrides.x")["low"] == pytest.approx(0.05)
    with pytest.raises(SettingsError, match=r"^overrides.x: value 'lots' is not a number$"):
        normalise_spec("lots", "overrides.x")


def test_area_file_cells_read_typed_numbers() -> None:
    from carescale.areas.importer import AreaFileError, Cell, _number

    assert [_number(Cell(t), "A2", "GBP_per_year") for t in ("£31,961,538", "£2m", "250k", "31961538", " ")] == [
        31_961_538.0, 2_000_000.0, 250_000.0, 31_961_538.0, None]
    assert _number(Cell("149,412"), "A2", "people") == 149_412.0
    assert _number(Cell("9%"), "A2", "number") == pytest.approx(0.09)
    with pytest.raises(AreaFileError, match=r"^A2: '1,49,412' is not a number: commas may only separate thousands"):
        _number(Cell("1,49,412"), "A2", "people")


@pytest.mark.parametrize("x, words", [(1.0, "1 person"), (0.6, "1 person"), (1.4, "1 person"), (0.0, "0 people"),
                                      (0.4, "0 people"), (2.0, "2 people"), (3428.6, "3,429 people")])
def test_headcount_agrees_with_its_noun(x, words) -> None:
    assert f.headcount(x) == words



def test_counted_agrees_with_its_noun_as_the_count_is_written() -> None:
    assert [f.counted(n, "figure", "figures") for n in (1, 2, 24, 1234)] == [
        "1 figure", "2 figures", "24 figures", "1,234 figures"]
