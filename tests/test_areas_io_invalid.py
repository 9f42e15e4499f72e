"""Every broken area template in tests/invalid_inputs/areas_import/ gives one line naming the
row or cell and what is expected, exits 2, and saves nothing."""

from __future__ import annotations


import pytest

from carescale.areas import MAX_BYTES, AreaFileError, read_area_file
from carescale.errors import CarescaleError
from carescale.library import display_path

from .conftest import INVALID, run_cli

FOLDER = INVALID / "areas_import"

CASES = {
    "missing_row.csv": "no row for 'cohorts.population_65_plus' (Usual resident population aged 65 and over (part of cohorts.population_all_ages)); the models need this row: add it back from 'carescale areas template', and leave its value blank if you do not know it",
    "not_a_number.csv": "row 9 (cohorts.population_65_plus), cell D9: 'about 150k' is not a number; expected a count of people, for example 149412, or a blank cell if not known",
    "negative_count.csv": "row 12 (cohorts.mental_health_long_term_support), cell D12: -461 is negative; a count of people must be 0 or more",
    "cohort_larger_than_parent.csv": "row 10 (cohorts.older_people_very_limited), cell D10: 200,000 is larger than cohorts.population_65_plus (149,412, row 9); a cohort cannot be larger than the population it belongs to",
    "unknown_key.csv": "row 9, cell A9: unknown key 'cohorts.population_65plus' (did you mean 'cohorts.population_65_plus'?); the valid keys are the ones in 'carescale areas template'",
    "not_a_spreadsheet.txt": "not a CSV or XLSX file (it ends in '.txt'); save the area template as .csv or .xlsx (see 'carescale areas template')",
    "empty.csv": "the file is empty; expected a header row (key, description, unit, value, period, status, source) and one row per figure, as written by 'carescale areas template'",
    "header_only.csv": "the file has a header row but no figures; expected one row per figure, as written by 'carescale areas template'",
    "formula_in_value.csv": "row 8 (cohorts.population_18_64), cell D8: '=SUM(D6:D8)' is not a number (formulas are not evaluated); expected a count of people, for example 149412, or a blank cell if not known",
    "formula_cell.xlsx": "row 9 (cohorts.population_65_plus), cell D9: '=D7-D8' is a formula; carescale never evaluates formulas: type the number itself (expected a count of people, for example 149412, or a blank cell if not known)",
    "not_a_workbook.xlsx": "not a valid XLSX workbook (BadZipFile); save the template from your spreadsheet as 'Excel Workbook (.xlsx)' or as CSV",
    "duplicate_key.csv": "row 21, cell A21: 'cohorts.population_18_64' is given twice (rows 8 and 21); keep one",
    "missing_price_year.csv": "row 13 (spend.long_term_placements), cell E13: the price year is missing; pounds need the year their prices are in, for example 2020/21",
    "bad_status.csv": "row 9 (cohorts.population_65_plus), cell F9: status 'guessed' is not valid; expected published, estimated, implied, assumption (blank means published)",
    "bad_id.csv": "row 2 (area.id), cell D2: 'Test Shire' is not a valid id; use lower-case letters, digits and single hyphens, for example 'leeds' or 'north-yorkshire'",
    "unknown_column.csv": "row 1, cell H1: unknown column 'notes'; the columns are: key, description, unit, value, period, status, source",
}


def test_every_file_in_the_folder_has_a_case():
    assert sorted(p.name for p in FOLDER.iterdir()) == sorted(CASES)


@pytest.mark.parametrize("file,message", sorted(CASES.items()))
def test_message(file, message):
    path = FOLDER / file
    with pytest.raises(AreaFileError) as info:
        read_area_file(path)
    assert isinstance(info.value, CarescaleError)
    assert info.value.message == f"{display_path(path)}: {message}"


@pytest.mark.parametrize("file,message", sorted(CASES.items()))
def test_cli_exit_2_and_nothing_saved(file, message, tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("CARESCALE_HOME", str(home))
    path = FOLDER / file
    r = run_cli("areas", "import", str(path))
    assert r.code == 2
    assert r.out == ""
    assert r.err == f"error: {display_path(path)}: {message}\n"
    assert not home.exists() or not any(home.rglob("*"))


def test_run_area_file_reports_the_same_message(tmp_path):
    path = FOLDER / "negative_count.csv"
    r = run_cli("run", "--area-file", str(path))
    assert r.code == 2
    assert r.err == f"error: {display_path(path)}: {CASES['negative_count.csv']}\n"


def test_missing_file(tmp_path):
    path = tmp_path / "nope.csv"
    with pytest.raises(AreaFileError) as info:
        read_area_file(path)
    assert info.value.message == f"{display_path(path)}: file not found"


def test_the_valid_base_of_the_broken_files_imports(tmp_path):
    """The broken files are one change away from a valid file (so each tests one thing)."""
    text = (FOLDER / "negative_count.csv").read_text(encoding="utf-8").replace(",-461,", ",461,")
    p = tmp_path / "ok.csv"
    p.write_text(text, encoding="utf-8")
    area = read_area_file(p).area
    assert area.id == "testshire" and area.cohorts["mental_health_long_term_support"].value == 461


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    """150,000 rows (about 1 MB), written here rather than committed."""
    path = tmp_path / "huge.csv"
    line = "cohorts.population_65_plus,,people,149412,mid-2020,published,\n"
    path.write_text("key,description,unit,value,period,status,source\n" + line * 150_000, encoding="utf-8")
    size = path.stat().st_size
    assert size > MAX_BYTES
    r = run_cli("areas", "import", str(path))
    assert r.code == 2 and r.out == ""
    assert r.err == (
        f"error: {display_path(path)}: the file is {size:,} bytes; an area template may be at most "
        f"{MAX_BYTES:,} bytes (a filled-in template is a few kilobytes): is this the right file?\n"
    )
