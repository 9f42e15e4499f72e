"""MHCLG RO3 revenue outturn 2022-23 to 2024-25 (issue 22): the check values and coverage of
../shared/data/ro3/SOURCES.md, and the fixtures of tests/invalid_inputs/official."""

from __future__ import annotations

import pytest

from carescale.errors import OfficialDataError
from carescale.io.paths import display_path
from carescale.official.ro3 import ASC_LINES, PREVENTION_LINES, line_key, read_ro3

from .official_shared import FIXTURES, shared_file

TOTAL = "total adult social care"


@pytest.fixture(scope="module", params=["2022-23", "2023-24", "2024-25"])
def ro3(request):
    return read_ro3(shared_file("ro3", f"RO3_{request.param}_data_by_LA.ods"))


def test_every_year_has_every_adult_social_care_line(ro3):
    for line in ASC_LINES:
        for measure in ("C3", "C7"):
            assert (line, measure) in ro3.columns, (ro3.year, line, measure)
    assert set(PREVENTION_LINES) <= set(ASC_LINES)


def test_coverage_of_the_total_matches_sources(ro3):
    no_return = sorted(r.name for c, r in ro3.councils.items() if ro3.figure(c, TOTAL).value is None)
    expected = {
        "2022-23": (152, ["Birmingham", "Slough", "Thurrock", "Torbay"]),
        "2023-24": (153, None),  # 142 of 153 returned
        "2024-25": (153, ["Birmingham", "Cumberland", "Slough UA"]),
    }[ro3.year]
    assert len(ro3.councils) == expected[0]
    if expected[1] is not None:
        assert no_return == expected[1]
    else:
        assert len(ro3.councils) - len(no_return) == 142
    # a council with no return is missing, never zero
    bham = ro3.figure("E08000025", TOTAL)
    assert (bham.value, bham.missing) == (None, "[x] no return")


def test_2024_25_check_values():
    r = read_ro3(shared_file("ro3", "RO3_2024-25_data_by_LA.ods"))
    assert r.year == "2024-25" and r.sheet == "RO3_LA_Data_202425" and r.header_row == 7
    assert round(r.figure("England", TOTAL).value) == 35_323_840  # 35,323,839.5
    assert int(r.figure("England", TOTAL).value) == 35_323_839
    assert int(r.figure("England", TOTAL, "C7").value) == 25_243_898
    leeds = r.figure("E08000035", TOTAL)
    assert (leeds.value, r.figure("E08000035", TOTAL, "C7").value) == (437_881, 322_733)
    assert (leeds.source, leeds.table, leeds.year, leeds.cell, leeds.unit) == (
        "MHCLG, Local authority revenue expenditure and financing: RO3 outturn 2024-25", "RO3", "2024-25",
        "RO3_LA_Data_202425!KL200", "£ thousands")
    assert r.figure("E10000016", TOTAL).value == 918_085
    # the lines add up to the total (C3), for Leeds
    parts = [r.figure("E08000035", line).value for line in ASC_LINES if line != TOTAL]
    assert sum(parts) == pytest.approx(437_881, abs=5)


def test_two_row_header_years_read_by_the_same_names():
    r = read_ro3(shared_file("ro3", "RO3_2022-23_data_by_LA.ods"))
    assert r.header_row == 12
    assert r.figure("E08000035", TOTAL).value == 373_565
    assert r.figure("E08000035", "Physical support - older people (65+)", "C3").cell.startswith("RO3_LA_Data_2022-23!")


def test_line_key_normalises_published_spellings():
    assert line_key("TOTAL ADULT SOCIAL CARE  [note 2]") == TOTAL
    assert line_key("Physical support - adults (18\u201364)") == "physical support - adults (18-64)"
    assert line_key("Subcategory: Information and early intervention") == "information and early intervention"


# --- fixtures ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["ro3_header_moved.ods", "ro3_two_row_header.ods", "ro3_sheet_renamed.ods"])
def test_changed_layouts_still_read(fixture):
    r = read_ro3(FIXTURES / fixture)
    leeds = r.figure("E08000035", TOTAL)
    assert leeds.value == 437_881
    assert r.figure("E08000035", "social support: social isolation", "C7").value == 400
    assert r.figure("E08000025", TOTAL).missing == "[x] no return"
    header = {"ro3_header_moved.ods": 8, "ro3_two_row_header.ods": 12, "ro3_sheet_renamed.ods": 7}[fixture]
    assert r.header_row == header
    assert leeds.cell.endswith(f"!L{header + 1}")


@pytest.mark.parametrize(
    ("fixture", "call", "message"),
    [
        ("ro3_not_ro3.ods", None,
         "no sheet named 'RO3_LA_Data...' and no sheet with a header row holding 'ONS Code' and 'Local authority'; "
         "the sheets are: Front_Page, Notes"),
        ("ro3_no_total.ods", None,
         "sheet 'RO3_LA_Data_202425', header row 7: no column for 'TOTAL ADULT SOCIAL CARE' Total Expenditure (C3); "
         "is this an RO3 return?"),
        ("ro3_damaged.ods", None,
         "cannot be read as an OpenDocument .ods spreadsheet (invalid Zip archive: Could not find EOCD)"),
        ("ro3_header_moved.ods", ("E06000001", TOTAL),
         "sheet 'RO3_LA_Data_202425': no row for ONS code E06000001; the file has 2 councils with adult social care "
         "responsibilities"),
        ("ro3_header_moved.ods", ("E08000035", TOTAL, "C9"),
         "measure 'C9' is not valid; valid measures are: C1 employees, C2 running expenses, C3 total expenditure, "
         "C4 sales, fees and charges, C5 other income, C6 total income, C7 net current expenditure"),
        ("ro3_header_moved.ods", ("E08000035", "physical support - adults (18-64)"),
         "sheet 'RO3_LA_Data_202425': no column for 'physical support - adults (18-64)' C3; the service lines are: "
         "physical support - older people (65+), social support: social isolation, total adult social care"),
    ],
)
def test_invalid_ro3_messages(fixture, call, message):
    path = FIXTURES / fixture
    with pytest.raises(OfficialDataError) as info:
        r = read_ro3(path)
        if call:
            r.figure(*call)
    assert info.value.message == f"{display_path(path)}: {message}"


def test_cached_parse_names_the_file_read(tmp_path):
    """The cache keys on content: a copy under another name is served from it, and its
    messages name the copy, not the first file."""
    first = read_ro3(FIXTURES / "ro3_header_moved.ods")
    copy = tmp_path / "copy.ods"
    copy.write_bytes((FIXTURES / "ro3_header_moved.ods").read_bytes())
    second = read_ro3(copy)
    assert second.rows == first.rows and second.path == copy
    with pytest.raises(OfficialDataError) as info:
        second.figure("E06000001", TOTAL)
    assert info.value.message.startswith(f"{display_path(copy)}: sheet 'RO3_LA_Data_202425': no row for ONS code E06000001")
