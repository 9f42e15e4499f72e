"""NHS Digital ASC-FR and SALT 2021-22 reference tables (issue 22): the check values of
../shared/data/ascfr/SOURCES.md, and the fixtures of tests/invalid_inputs/official."""

from __future__ import annotations

import pytest

from carescale.errors import OfficialDataError
from carescale.io.paths import display_path
from carescale.official.ascfr import read_ascfr

from .official_shared import FIXTURES, shared_file

GCE = "Total Gross Current Expenditure (GCE)"


@pytest.fixture(scope="module")
def book():
    return read_ascfr(shared_file("ascfr", "ascfr-salt-data-tables-2021-22.xlsx"))


def test_t14_check_values(book):
    t14 = book.table(14)
    assert book.year == "2021-22"
    assert len(t14.councils) == 152
    england = t14.figure("E92000001", GCE)
    assert round(england.value) == 21_958_360
    bham = {w: t14.figure("E08000025", w) for w in ("Long Term Support GCE", "Short Term Support GCE", "Other GCE", GCE)}
    assert [round(f.value) for f in bham.values()] == [300_715, 8_921, 76_197, 385_833]
    total = bham[GCE]
    assert (total.source, total.table, total.year, total.cell) == (
        "NHS Digital, Adult Social Care Activity and Finance Report 2021-22", "T14", "2021-22", "T14!L82")
    assert total.name == "Birmingham" and total.unit.startswith("£ Thousands")
    assert total.cite() == (
        "NHS Digital, Adult Social Care Activity and Finance Report 2021-22, T14 (2021-22), cell T14!L82: "
        "Total Gross Current Expenditure (GCE)"
    )


def test_t51_home_care_unit_costs(book):
    t51 = book.table(51)
    in_house = t51.figure("E92000001", "2021-22", "In House")
    external = t51.figure("E92000001", "2021-22", "External")
    assert (round(in_house.value, 2), round(external.value, 2)) == (32.74, 18.88)
    assert (in_house.year, in_house.cell, in_house.unit) == ("2021-22", "T51!H10", "£ per hour")
    # the year of a figure is its column's, in a year-on-year table
    assert t51.figure("E92000001", "2020-21", "External").year == "2020-21"


def test_three_row_headers_and_suppressed_cells(book):
    t52 = book.table(52)  # Nursing / 2021-22 / 65 and Over: care homes, £ a week
    week = t52.figure("E08000025", "Nursing", "2021-22", "65 and Over")
    assert week.measure == "Nursing / 2021-22 / 65 and Over" and week.value > 500
    # [c] (fewer than 5) and [x] (not submitted) stay missing, with the sheet's own meaning
    reasons = {m for t in book.tables.values() for r in t.councils.values() for m in r.missing if m}
    assert {"[c] data less than 5", "[x] data not submitted"} <= reasons
    t33 = book.table(33)
    suppressed = [(c, j) for c, r in t33.councils.items() for j, m in enumerate(r.missing) if m == "[c] data less than 5"]
    code, j = suppressed[0]
    assert t33.councils[code].values[j] is None


def test_region_only_tables_are_listed_with_the_reason(book):
    assert sorted(book.skipped, key=lambda s: (len(s), s)) == [
        "T4", "T9", "T21", "T23", "T27", "T29", "T35", "T39", "T41", "T45", "T48",
        "Title", "Contents", "Notes and Definitions"]
    assert len(book.tables) == 44
    # "Region / type name" (T12, T24) is the region column too; the council-type rows are not areas
    t24 = book.table(24)
    assert sorted(set(t24.rows) - set(t24.councils)) == [f"E1200000{n}" for n in range(1, 10)] + ["E92000001"]
    assert t24.figure("E08000025", "Episodes of ST-Max").value == 2200
    assert book.skipped["T21"][0].startswith("Table 21: Number of completed episodes of ST-Max")
    with pytest.raises(OfficialDataError) as info:
        book.table(21)
    assert info.value.message.endswith(
        "no header row with 'Geography code' and 'Region name' in the 20 rows below the title")


# --- fixtures: changed layouts still read; broken ones give one line ---------------------------


def test_header_moved_by_a_row_still_reads():
    f = read_ascfr(FIXTURES / "ascfr_header_moved.xlsx").table(14).figure("E08000025", GCE)
    assert (f.value, f.cell) == (385_833, "T14!L14")  # one row lower than in ascfr_sheet_renamed.xlsx


def test_renamed_sheet_is_found_by_its_title():
    t = read_ascfr(FIXTURES / "ascfr_sheet_renamed.xlsx").table(14)
    f = t.figure("E08000025", GCE)
    assert (f.value, f.cell, f.table) == (385_833, "GCE by care type!L13", "T14")


def test_suppressed_cell_is_missing_never_zero():
    f = read_ascfr(FIXTURES / "ascfr_suppressed.xlsx").table(14).figure("E08000025", "Short Term Support GCE")
    assert f.value is None and f.is_missing
    assert f.missing == "[c] data less than 5"
    x = read_ascfr(FIXTURES / "ascfr_suppressed.xlsx").table(51).figure("E08000025", "2021-22", "In House")
    assert (x.value, x.missing) == (None, "[x] data not submitted")


@pytest.mark.parametrize(
    ("fixture", "table", "args", "message"),
    [
        ("ascfr_no_title.xlsx", 14, None,
         "no sheet titled 'Table 14: ...'; expected NHS Digital's ASC-FR and SALT reference tables "
         "(sheets T1 to T55, each titled 'Table N: ...')"),
        ("ascfr_header_renamed.xlsx", 14, None,
         "sheet 'T14' (Table 14: Gross Current Expenditure, by care type, 2021-22): no header row with "
         "'Geography code' and 'Region name' in the 20 rows below the title"),
        ("ascfr_council_missing.xlsx", 51, ("E08000025", "2021-22", "External"),
         "sheet 'T51' (Table 51): no row for area E08000025; it has 1 council, the regions and England"),
        ("ascfr_council_missing.xlsx", 51, ("E08000035", "External"),
         "sheet 'T51' (Table 51): 'External' matches 2 columns (2020-21 / External; 2021-22 / External); "
         "give more of the header"),
        ("ascfr_council_missing.xlsx", 51, ("E08000035", "2022-23"),
         "sheet 'T51' (Table 51): no column headed '2022-23'; the columns are: 2020-21 / In House; "
         "2020-21 / External; 2021-22 / In House; 2021-22 / External"),
    ],
)
def test_invalid_ascfr_messages(fixture, table, args, message):
    path = FIXTURES / fixture
    with pytest.raises(OfficialDataError) as info:
        t = read_ascfr(path).table(table)
        if args:
            t.figure(*args)
    assert info.value.message == f"{display_path(path)}: {message}"


def test_damaged_workbook_is_one_line():
    path = FIXTURES / "ascfr_damaged.xlsx"
    with pytest.raises(OfficialDataError) as info:
        read_ascfr(path)
    assert info.value.message == (
        f"{display_path(path)}: cannot be read as an Excel .xlsx workbook (invalid Zip archive: Could not find EOCD)"
    )


def test_wrong_kind_of_file(tmp_path):
    p = tmp_path / "ascfr.csv"
    p.write_text("a,b\n")
    with pytest.raises(OfficialDataError) as info:
        read_ascfr(p)
    assert info.value.message == (
        f"{display_path(p)}: expected NHS Digital's ASC-FR and SALT reference tables workbook ending in .xlsx, not '.csv'"
    )


def test_cached_parse_names_the_file_read(tmp_path):
    first = read_ascfr(FIXTURES / "ascfr_council_missing.xlsx")
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes((FIXTURES / "ascfr_council_missing.xlsx").read_bytes())
    second = read_ascfr(copy)
    assert second.tables.keys() == first.tables.keys() and second.path == copy
    with pytest.raises(OfficialDataError) as info:
        second.table(51).figure("E08000025", "2021-22", "External")
    assert info.value.message == (
        f"{display_path(copy)}: sheet 'T51' (Table 51): no row for area E08000025; it has 1 council, the regions and England"
    )


def test_every_official_fixture_is_tested():
    """tests/invalid_inputs/official holds exactly the fixtures these tests use (make.py builds them)."""
    assert sorted(p.name for p in FIXTURES.iterdir() if p.name != "__pycache__") == sorted([
        "make.py",
        "ascfr_council_missing.xlsx", "ascfr_damaged.xlsx", "ascfr_header_moved.xlsx", "ascfr_header_renamed.xlsx",
        "ascfr_no_title.xlsx", "ascfr_sheet_renamed.xlsx", "ascfr_suppressed.xlsx",
        "ro3_damaged.ods", "ro3_header_moved.ods", "ro3_no_total.ods", "ro3_not_ro3.ods", "ro3_sheet_renamed.ods",
        "ro3_two_row_header.ods",
        "ncc_missing_column.csv", "ncc_not_a_number.csv", "lookup_missing_column.csv",
        "ascof_2a2.csv", "ascof_no_2a2.csv",
    ])
