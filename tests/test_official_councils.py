"""The packaged per-council official figures (src/carescale/data/official, issue 22): they load
without ../shared, every figure keeps its source, table, year and cell, splits state their
method, and a rebuild from ../shared/data gives the same files byte for byte."""

from __future__ import annotations

import importlib.util

import pytest

from carescale.errors import OfficialDataError
from carescale.official.councils import PACKAGED, build_council_figures, main, read_council_figures
from carescale.official.ro3 import ASC_LINES

from .official_shared import FIXTURES, shared_file

RO3_YEARS = ("2022-23", "2023-24", "2024-25")


@pytest.fixture(scope="module")
def packaged():
    return read_council_figures()


def test_packaged_figures_need_no_shared_folder(packaged):
    assert len(packaged.councils) == 153
    assert packaged.councils["E08000035"] == "Leeds"
    gce = packaged.figure("E08000025", "ascfr_gce_total")
    assert (gce.value, gce.cell, gce.year, gce.table) == (385_833, "T14!L82", "2021-22", "T14")
    assert gce.source == "NHS Digital, Adult Social Care Activity and Finance Report 2021-22"
    assert packaged.figure("E92000001", "ascfr_gce_total").value == pytest.approx(21_958_360.129085)
    leeds = packaged.figure("E08000035", "ro3_2024_25_total_adult_social_care_c3")
    assert (leeds.value, leeds.cell) == (437_881, "RO3_LA_Data_202425!KL200")
    assert packaged.figure("E08000035", "ro3_2024_25_total_adult_social_care_c7").value == 322_733
    assert packaged.figure("E08000025", "ons_population_65_plus").value == 152_753
    ae = packaged.figure("E92000001", "ncc_a_and_e_attendance")
    assert round(ae.value, 2) == 272.97 and ae.cell == "ncc_2023_24.csv, rows 4770-4781"
    hour = packaged.figure("E92000001", "ascfr_home_care_hour_external")
    assert round(hour.value, 2) == 18.88


def test_missing_figures_stay_missing_with_the_reason(packaged):
    bham = packaged.figure("E08000025", "ro3_2024_25_total_adult_social_care_c3")
    assert (bham.value, bham.missing, bham.cell) == (None, "[x] no return", "RO3_LA_Data_202425!KL28")
    scilly = packaged.figure("E06000053", "ascfr_lts_clients_65_plus_nursing")
    assert (scilly.value, scilly.missing) == (None, "[c] data less than 5")  # suppressed: never zero
    missing = sorted({r[4] for r in packaged.rows if r[3] is None})
    assert missing == ["[c] data less than 5", "[x] data not submitted", "[x] no return", "[x] not available"]
    counts = [sum(1 for r in packaged.rows if r[2] == f"ro3_{y.replace('-', '_')}_total_adult_social_care_c3"
                  and r[0] != "E92000001" and r[3] is not None) for y in RO3_YEARS]
    assert counts == [149, 142, 150]  # 2022-23: 148 of 152 councils, Cumbria's return shared by two


def test_care_home_admissions_short_term_care_and_unit_costs(packaged):
    # ASCOF 2A2 (2020-21): care-home admissions of people aged 65+, count and per 100,000
    bham = packaged.figure("E08000025", "ascof_2a2_admissions_65_plus")
    assert (bham.value, bham.year, bham.table) == (597, "2020-21", "ASCOF 2A2")
    assert packaged.figure("E08000025", "ascof_2a2_admissions_65_plus_per_100k").value == 399.6
    scilly = packaged.figure("E06000053", "ascof_2a2_admissions_65_plus_per_100k").value
    assert scilly == 2107  # the highest in England (the issue: 130 to 2,107)
    rates = [packaged.figure(c, "ascof_2a2_admissions_65_plus_per_100k").value for c in packaged.councils]
    assert min(r for r in rates if r is not None) == 129.5  # printed as 130 in the issue
    assert packaged.figure("E09000012", "ascof_2a2_admissions_65_plus").missing == "[x] not available"  # Hackney
    # Northamptonshire (split April 2021, after ASCOF 2020-21): a count is shared, a rate kept
    north = packaged.figure("E06000061", "ascof_2a2_admissions_65_plus")
    assert north.note.startswith("April 2021 split: North Northamptonshire's share of E10000021's figure is 47.2%, by population aged 65+")
    rate = packaged.figure("E06000061", "ascof_2a2_admissions_65_plus_per_100k")
    assert (rate.value, rate.note) == (320.5, "April 2021 split: North Northamptonshire keeps E10000021's rate unchanged "
                                              "(a rate or unit cost is not shared by population)")
    # ASC-FR T31: short-term care 65+ other than to maximise independence (Leeds £10,856k)
    assert packaged.figure("E08000035", "ascfr_stc_65_plus_other").value == 10_856
    # unit costs of Cumbria's successors are Cumbria's, not shared by population
    for code in ("E06000063", "E06000064"):
        f = packaged.figure(code, "ascfr_home_care_hour_external")
        assert round(f.value, 2) == 18.64 and "keeps E10000006's rate unchanged" in f.note
    assert round(packaged.figure("E08000025", "ascfr_residential_week_18_64_learning_disability").value, 2) == 1751.19
    # regions (from ASC-FR's rows): 153 councils in 9 regions
    assert packaged.regions["E08000035"] == ("E12000003", "Yorkshire and The Humber")
    assert packaged.regions["E06000063"] == ("E12000002", "North West")
    assert len(packaged.regions) == 153 and len({r for r, _ in packaged.regions.values()}) == 9


def test_april_2023_changes_state_their_method(packaged):
    c = packaged.figure("E06000063", "ascfr_gce_total")
    w = packaged.figure("E06000064", "ascfr_gce_total")
    assert c.value + w.value == pytest.approx(201_452.264595)  # Cumbria's 2021-22 total
    assert c.note.startswith("April 2023 split: Cumberland's share of E10000006's figure is 54.3%, by population aged 18+")
    assert c.cell == "T14!L33"  # Cumbria's row
    older = packaged.figure("E06000063", "ascfr_ltc_65_plus_nursing")
    assert "by population aged 65+" in older.note
    ny = packaged.figure("E06000065", "ro3_2022_23_total_adult_social_care_c3")
    assert ny.note == "April 2023: North Yorkshire E10000023 became E06000065 on the same footprint; figure unchanged"
    assert packaged.figure("E06000065", "ro3_2024_25_total_adult_social_care_c3").note is None


def test_attribution_beside_the_figures():
    text = (PACKAGED / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert text.count("Open Government Licence v3.0") == 6  # the heading and 5 sources
    for who in ("Adult Social Care Outcomes Framework 2020-21", "NHS Digital", "Ministry of Housing, Communities and Local Government", "Office for National Statistics",
                "National Cost Collection"):
        assert who in text


def _shared_inputs():
    return dict(
        ascfr=shared_file("ascfr", "ascfr-salt-data-tables-2021-22.xlsx"),
        ro3=[shared_file("ro3", f"RO3_{y}_data_by_LA.ods") for y in RO3_YEARS],
        mye=shared_file("ons", "mye23tablesew.xlsx"),
        ncc=shared_file("nhs_costs", "ncc_2023_24.csv"),
        ascof=shared_file("raw", "meas-from-asc-of-eng-2021-open-data-csv_v2.xlsx"),
    )


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
def test_rebuild_from_shared_gives_the_packaged_files(tmp_path):
    inputs = _shared_inputs()
    args = ["--ascfr", str(inputs["ascfr"]), "--ro3", *map(str, inputs["ro3"]), "--mye", str(inputs["mye"]),
            "--ncc", str(inputs["ncc"]), "--ascof", str(inputs["ascof"]), "--out", str(tmp_path)]
    # a rebuild into the packaged folder keeps the lines other builders wrote for their files
    (tmp_path / "ATTRIBUTION.md").write_bytes((PACKAGED / "ATTRIBUTION.md").read_bytes())
    assert main(args) == 0
    for name in ("series.csv", "councils.csv", "rows.csv", "notes.csv", "regions.csv", "ATTRIBUTION.md"):
        assert (tmp_path / name).read_bytes() == (PACKAGED / name).read_bytes(), name


def _make():
    spec = importlib.util.spec_from_file_location("official_make", FIXTURES / "make.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_council_missing_from_one_series_is_stated(tmp_path):
    make = _make()
    lines = [(line, 10.0, 5.0) for line in ASC_LINES]
    path = tmp_path / "RO3_2024-25_two_councils.ods"
    make.write_ods(path, {"RO3_LA_Data_202425": make._ro3_rows(two_row=False, header_at=7, lines=lines)})
    inputs = _shared_inputs()
    figures = build_council_figures(inputs["ascfr"], [path], inputs["mye"])
    kent = figures.figure("E10000016", "ro3_2024_25_total_adult_social_care_c3")
    assert (kent.value, kent.missing) == (None, "no row for this council in RO3_2024-25_two_councils.ods")
    assert figures.figure("E08000035", "ro3_2024_25_total_adult_social_care_c3").value == 10.0
    figures.write(tmp_path / "out")
    back = read_council_figures(tmp_path / "out")
    assert back.figure("E10000016", "ro3_2024_25_total_adult_social_care_c3").missing == (
        "[absent] no row for this council in RO3_2024-25_two_councils.ods")


def test_an_ro3_file_without_a_line_is_refused(tmp_path):
    inputs = _shared_inputs()
    with pytest.raises(OfficialDataError) as info:
        build_council_figures(inputs["ascfr"], [FIXTURES / "ro3_header_moved.ods"], inputs["mye"])
    assert info.value.message.endswith(
        "no column for 'physical support - adults (18-64)' C3; the service lines are: physical support - older "
        "people (65+), social support: social isolation, total adult social care")


def test_damaged_packaged_copy(tmp_path, packaged):
    packaged.write(tmp_path)
    text = (tmp_path / "councils.csv").read_text(encoding="utf-8").replace("385833", "38x5833", 1)
    (tmp_path / "councils.csv").write_text(text, encoding="utf-8")
    with pytest.raises(OfficialDataError) as info:
        read_council_figures(tmp_path)
    assert info.value.message.endswith(", column ascfr_gce_total: '38x5833' is not a number or a marker")
    assert "row " in info.value.message and "(E08000025)" in info.value.message


def test_figures_are_read_once_a_process_until_their_files_change(tmp_path, packaged):
    """A page or a cash view asks for the figures several times: the same object each time while
    the files are as they were (one read of the disk cache, one index), and the new figures once
    a file is written again."""
    packaged.write(tmp_path)
    first = read_council_figures(tmp_path)
    assert read_council_figures(tmp_path) is first
    assert first.figure("E08000025", "ascfr_gce_total").value == 385833
    text = (tmp_path / "councils.csv").read_text(encoding="utf-8").replace("385833", "385834", 1)
    (tmp_path / "councils.csv").write_text(text, encoding="utf-8")
    again = read_council_figures(tmp_path)
    assert again is not first and again.figure("E08000025", "ascfr_gce_total").value == 385834
    assert read_council_figures(tmp_path) is again


def test_docs_list_every_series(packaged):
    from .conftest import REPO

    text = (REPO / "docs" / "data.md").read_text(encoding="utf-8")
    absent = [sid for sid in packaged.series if f"`{sid}`" not in text]
    assert absent == []
    assert len(packaged.series) == 109


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
def test_data_build_rebuilds_the_figures_the_built_in_profiles_read(tmp_path):
    from carescale.areas.official import official_profiles
    from carescale.config import user_official_dir

    from .conftest import run_cli

    inputs = _shared_inputs()
    args = ["data", "build", "--ascfr", str(inputs["ascfr"]), "--mye", str(inputs["mye"]), "--ncc", str(inputs["ncc"]),
            "--ascof", str(inputs["ascof"])]
    for path in inputs["ro3"]:
        args += ["--ro3", str(path)]
    r = run_cli(*args)
    assert r.code == 0, r.err
    folder = user_official_dir()  # $CARESCALE_HOME/official: read instead of the packaged copy
    assert r.err.strip().endswith(f"built the official figures of 153 councils, 109 series in {folder}")
    for name in ("series.csv", "councils.csv", "rows.csv", "notes.csv", "regions.csv"):
        assert (folder / name).read_bytes() == (PACKAGED / name).read_bytes(), name
    assert (folder / "ATTRIBUTION.md").read_text(encoding="utf-8").count("Open Government Licence v3.0") == 6
    # a newer release: the built-in profiles read the rebuilt figures from then on
    text = (folder / "councils.csv").read_text(encoding="utf-8")
    leeds = next(line for line in text.splitlines() if line.startswith("E08000035,"))
    series = text.splitlines()[0].split(",")
    cells = leeds.split(",")
    cells[series.index("ascfr_lts_year_end_18_64_learning_disability")] = "1900"
    (folder / "councils.csv").write_text(text.replace(leeds, ",".join(cells)), encoding="utf-8")
    assert official_profiles()["leeds"].area.cohorts["learning_disability_long_term_support"].value == 1900
    # the user's own profile still wins over the rebuilt built-in one
    from carescale.library import default_library, packaged_library, user_areas_dir

    user_areas_dir().mkdir(parents=True, exist_ok=True)
    text = packaged_library().files["areas/birmingham"].read_text(encoding="utf-8")
    text = text.replace("id: birmingham", "id: leeds", 1).replace("name: Birmingham", "name: Leeds (our figures)", 1)
    (user_areas_dir() / "leeds.yaml").write_text(text, encoding="utf-8")
    assert default_library().area("leeds").name == "Leeds (our figures)"


def test_data_build_names_a_bad_file():
    from .conftest import run_cli

    r = run_cli("data", "build", "--ascfr", "x.xlsx", "--ro3", "y.ods", "--mye", "z.xlsx")
    assert (r.code, r.err) == (2, "error: z.xlsx: file not found; give the path to the ONS mid-year estimates workbook (MYE2)\n")


def test_data_list_every_series_with_vintage_coverage_and_licence():
    from .conftest import run_cli

    rows = run_cli("data", "list", "--format", "json").json()
    assert len(rows) == 109
    by_id = {r["series"]: r for r in rows}
    assert by_id["ascfr_gce_total"]["coverage"] == "151 of 153" and by_id["ascfr_gce_total"]["year"] == "2021-22"
    assert by_id["ncc_a_and_e_attendance"]["coverage"] == "England only"
    assert by_id["ascof_2a2_admissions_65_plus"]["coverage"] == "152 of 153"
    assert {r["licence"] for r in rows} == {"Open Government Licence v3.0"}
    assert run_cli("data", "list").code == 0


def test_ascof_suppressed_and_missing_rows_are_stated():
    inputs = _shared_inputs()
    figures = build_council_figures(inputs["ascfr"], [], inputs["mye"], ascof=FIXTURES / "ascof_2a2.csv")
    leeds = figures.figure("E08000035", "ascof_2a2_admissions_65_plus")
    assert (leeds.value, leeds.missing) == (None, "[c] suppressed (disclosure control)")  # never zero
    assert figures.figure("E08000035", "ascof_2a2_admissions_65_plus_per_100k").value == 405.1
    bham = figures.figure("E08000025", "ascof_2a2_admissions_65_plus")
    assert (bham.value, bham.missing) == (None, "no row for ASCOF 2A2 (Numerator) for this council in ascof_2a2.csv")
    kent = figures.figure("E10000016", "ascof_2a2_admissions_65_plus")
    assert (kent.value, kent.missing) == (None, "no row for this council in ascof_2a2.csv")


@pytest.mark.parametrize(("option", "fixture", "message"), [
    ("--ascfr", "ascfr_damaged.xlsx", "cannot be read as an Excel .xlsx workbook (invalid Zip archive: Could not find EOCD)"),
    ("--ascfr", "ascfr_sheet_renamed.xlsx", "no sheet titled 'Table 18: ...'; expected NHS Digital's ASC-FR and SALT "
                                            "reference tables (sheets T1 to T55, each titled 'Table N: ...')"),
    ("--ro3", "ro3_damaged.ods", "cannot be read as an OpenDocument .ods spreadsheet (invalid Zip archive: Could not find EOCD)"),
    ("--ro3", "ro3_not_ro3.ods", "no sheet named 'RO3_LA_Data...' and no sheet with a header row holding 'ONS Code' and "
                                 "'Local authority'; the sheets are: Front_Page, Notes"),
    ("--ascof", "ascof_no_2a2.csv", "no council has a row for ASCOF measure 2A2 (Numerator, Disaggregation Level "
                                    "'Total'); the measures are: 1E"),
])
def test_data_build_refuses_a_bad_file_in_one_line(tmp_path, option, fixture, message):
    from carescale.io.paths import display_path

    from .conftest import run_cli

    inputs = _shared_inputs()
    files = {"--ascfr": str(inputs["ascfr"]), "--ro3": str(inputs["ro3"][-1]), "--ascof": str(inputs["ascof"])}
    files[option] = str(FIXTURES / fixture)
    args = ["data", "build", "--mye", str(inputs["mye"]), "--out", str(tmp_path)]
    for k, v in files.items():
        args += [k, v]
    r = run_cli(*args)
    assert (r.code, r.err) == (2, f"error: {display_path(FIXTURES / fixture)}: {message}\n")
    assert not (tmp_path / "councils.csv").exists()  # nothing written
