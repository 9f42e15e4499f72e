"""Issue 10: every class of bad input found by probing as a hostile user gives exactly one
``error:`` line naming the file/option, the value and what is valid, and exit 2; never a
traceback, and never a silent acceptance. Fixtures are in tests/invalid_inputs/hardening/."""

from __future__ import annotations

import shutil

import pytest

import carescale
from carescale.errors import CarescaleError, SettingsError
from carescale.library import display_path

from .conftest import INVALID, RAW, needs_shared, run_cli

FOLDER = INVALID / "hardening"
RULE = "use lower-case letters, digits and single hyphens, for example 'leeds' or 'north-yorkshire'"
PEOPLE = "expected a count of people, for example 149412, or a blank cell if not known"

# fixture -> (command before the file, the message after "error: {file}: ")
FILES = {
    # malformed YAML: shape bounded before any parser can crash or run out of memory
    "yaml_deep_nesting.yaml": ("validate", "not valid YAML: nested more than 64 levels deep; carescale files are a few levels deep"),
    "yaml_deep_block_nesting.yaml": ("validate", "not valid YAML: nested more than 64 levels deep; carescale files are a few levels deep"),
    "yaml_billion_laughs.yaml": ("validate", "line 7, column 7: not valid YAML: more than 200,000 values once aliases are expanded; carescale files are far smaller (remove the aliases that repeat large parts)"),
    "yaml_alias_in_key.yaml": ("validate", "line 7, column 7: not valid YAML: more than 200,000 values once aliases are expanded; carescale files are far smaller (remove the aliases that repeat large parts)"),
    "yaml_alias_loop.yaml": ("validate", "line 2, column 5: not valid YAML: an alias refers to a value that contains it (a loop)"),
    "yaml_list_key.yaml": ("validate", "line 4, column 3: not valid YAML: a key must be a name or a number, not a list"),
    "yaml_mapping_key.yaml": ("validate", "line 4, column 1: not valid YAML: a key must be a name or a number, not a mapping"),
    # accepted when it should not be
    "yaml_yes_as_number.yaml": ("validate", "cohorts.population_all_ages.value: input should be a valid number, unable to parse string as a number (got 'yes')"),
    "yaml_true_as_number.yaml": ("validate", "cohorts.population_all_ages.value: true is not a number; give the number itself"),
    "yaml_too_large.yaml": ("validate", "cohorts.population_all_ages: value 1e+308 is too large; people may be at most 100,000,000 (more people than live in the UK)"),
    "settings_start_date_past_9999.yaml": ("appraise --settings", "start_date: 9995-01-01 with 10 years would run past the year 9999; give a start date in 9989 or earlier"),
    "settings_rate_double_percent.yaml": ("appraise --settings", "discount_rate: '5%%' is not a number; give a rate a year from 0 to 0.2 (0.035 or 3.5% is 3.5%)"),
    "settings_yes_as_boolean.yaml": ("appraise --settings", "optimism_bias: 'yes' is not valid; optimism_bias must be true or false"),
    # area templates
    "import_commas_not_thousands.csv": ("areas import", f"row 9 (cohorts.population_65_plus), cell D9: '1,4,9,4,1,2' is not a number: commas may only separate thousands (149,412); {PEOPLE}"),
    "import_fractional_people.csv": ("areas import", "row 9 (cohorts.population_65_plus), cell D9: 1.234 is not a whole number of people; give the count (a figure worked out from others may have decimals: set its status to implied and show the arithmetic in the source cell)"),
    "import_too_large.csv": ("areas import", f"row 9 (cohorts.population_65_plus), cell D9: 1e+308 is too large (more people than live in the UK); {PEOPLE}"),
    "import_id_too_long.csv": ("areas import", f"row 2 (area.id), cell D2: 'aaaaaaaaaaaaaaaaaaaaaaaa'... is 70 characters long; an id may be at most 64 characters ({RULE})"),
    "import_several_problems.csv": ("areas import", (
        "4 problems: row 4 (area.kind), cell D4: 'county' is not valid; expected council or source-site; "
        f"row 9 (cohorts.population_65_plus), cell D9: 'about 150k' is not a number; {PEOPLE}; "
        "row 12 (cohorts.mental_health_long_term_support), cell D12: -461 is negative; a count of people must be 0 or more; "
        "row 13 (spend.long_term_placements), cell E13: the price year is missing; pounds need the year their prices are in, for example 2020/21"
    )),
    "import_truncated_sheet.xlsx": ("areas import", "the workbook is damaged and cannot be read (ParseError in its first sheet); save it again from your spreadsheet as 'Excel Workbook (.xlsx)' or as CSV"),
}
# fixtures with their own test below
OTHER = {"ascof_negative_count.csv", "broken_saved_profile.yaml"}


def test_every_fixture_has_a_case():
    assert sorted(p.name for p in FOLDER.iterdir()) == sorted([*FILES, *OTHER])


@pytest.mark.parametrize("file", sorted(FILES))
def test_fixture_message(file, tmp_path, monkeypatch):
    monkeypatch.setenv("CARESCALE_HOME", str(tmp_path / "home"))
    command, message = FILES[file]
    path = FOLDER / file
    r = run_cli(*command.split(), str(path))
    assert (r.code, r.out) == (2, "")
    assert r.err == f"error: {display_path(path)}: {message}\n"
    assert not (tmp_path / "home").exists()  # nothing saved


def test_run_area_file_gives_the_import_message():
    path = FOLDER / "import_truncated_sheet.xlsx"
    r = run_cli("run", "--area-file", str(path))
    assert r.code == 2 and r.err == f"error: {display_path(path)}: {FILES[path.name][1]}\n"


def test_negative_official_figure_names_the_row(tmp_path):
    mye = RAW / "ukpopestimatesmid2020on2021geography.xls"
    needs_shared(mye)
    path = FOLDER / "ascof_negative_count.csv"
    r = run_cli("national", "--mye", str(mye), "--ascof", str(path), "--format", "json")
    assert (r.code, r.out) == (2, "")
    assert r.err == (
        "error: ascof_negative_count.csv, row 4 (Birmingham E08000025), measure 1E denominator: "
        "value -2249 is negative; people must be a count of people (0 or more)\n"
    )


# -- the user's store ------------------------------------------------------------------------


def test_one_broken_saved_profile_breaks_only_itself(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("CARESCALE_HOME", str(home))
    (home / "areas").mkdir(parents=True)
    broken = home / "areas" / "broken-town.yaml"
    shutil.copy(FOLDER / "broken_saved_profile.yaml", broken)
    problem = f"{display_path(broken)}: line 4, column 1: not valid YAML: expected the node content, but found '<stream end>'"
    r = run_cli("run", "--area", "kent", "--format", "json")
    assert r.code == 0 and r.json()["area"]["id"] == "kent"
    assert r.err == (
        f"warning: saved area profile 'broken-town' was skipped: {problem} (fix the file, or remove "
        f"it with 'carescale areas remove broken-town')\n"
    )
    r = run_cli("run", "--area", "broken-town")
    assert (r.code, r.out) == (2, "")
    assert r.err == f"error: {problem} (fix the file, or remove it with 'carescale areas remove broken-town')\n"
    r = run_cli("areas", "remove", "broken-town")
    assert r.code == 0 and not broken.exists()
    assert r.out == f"removed saved area profile 'broken-town' ({broken})\n"
    r = run_cli("areas", "list", "--format", "json")
    assert r.code == 0 and r.err == ""


def test_areas_remove_refuses_built_in_and_unknown(tmp_path, monkeypatch):
    monkeypatch.setenv("CARESCALE_HOME", str(tmp_path / "home"))
    r = run_cli("areas", "remove", "birmingham")
    assert (r.code, r.err) == (2, "error: 'birmingham' is a built-in area profile and cannot be removed\n")
    r = run_cli("areas", "remove", "nowhere")
    assert r.code == 2
    assert r.err == f"error: no saved area profile 'nowhere'; saved profiles are: none (in {tmp_path / 'home' / 'areas'})\n"


def test_carescale_home_a_file(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.write_text("")
    monkeypatch.setenv("CARESCALE_HOME", str(home))
    assert run_cli("run", "--format", "json").code == 0  # a run needs no store
    src = tmp_path / "ok.csv"
    src.write_text(
        (INVALID / "areas_import" / "negative_count.csv").read_text(encoding="utf-8").replace(",-461,", ",461,"),
        encoding="utf-8",
    )
    r = run_cli("areas", "import", str(src))
    assert (r.code, r.out) == (2, "")
    assert r.err == (
        f"error: CARESCALE_HOME: '{home}' is a file, not a folder; saved area profiles go in "
        f"'{home / 'areas'}': point CARESCALE_HOME at a folder\n"
    )


def test_id_too_long_for_a_file_name(tmp_path, monkeypatch):
    monkeypatch.setenv("CARESCALE_HOME", str(tmp_path / "home"))
    src = FOLDER.parent / "areas_import" / "negative_count.csv"
    ok = tmp_path / "ok.csv"
    ok.write_text(src.read_text(encoding="utf-8").replace(",-461,", ",461,"), encoding="utf-8")
    r = run_cli("areas", "import", str(ok), "--id", "a" * 300)
    assert (r.code, r.out) == (2, "")
    assert r.err == f"error: --id: '{'a' * 24}'... is 300 characters long; an id may be at most 64 characters ({RULE})\n"


# -- output paths ----------------------------------------------------------------------------


def test_output_paths(tmp_path):
    cases = [
        (["run", "--format", "csv", "-o", str(tmp_path)],
         f"--output: '{tmp_path}' is a folder; give a file name inside it, for example '{tmp_path / 'out.csv'}'"),
        (["areas", "template", "-o", str(tmp_path / "no" / "t.xlsx")],
         f"--output: the folder '{tmp_path / 'no'}' does not exist; create it first or write somewhere else"),
        (["parameters", "--format", "json", "-o", str(tmp_path / ("p" * 260 + ".json"))],
         "--output: the file name is 265 characters long; a file name may be at most 255 bytes: give a shorter name"),
        (["run", "-o", str(tmp_path / "run.txt")],
         f"--output: '{tmp_path / 'run.txt'}': a table is only printed; give --format csv or --format json, or a file name ending in .csv or .json"),
        (["areas", "template", "-o", str(tmp_path / "t.csv"), "--format", "xlsx"],
         "--output: 't.csv' ends in .csv but --format is xlsx; name the file .xlsx, or leave out --format"),
        (["areas", "template", "-o", str(tmp_path / "t.xlsx"), "--format", "csv"],
         "--output: 't.xlsx' ends in .xlsx but --format is csv; name the file .csv, or leave out --format"),
    ]
    for args, message in cases:
        r = run_cli(*args)
        assert (r.code, r.out, r.err) == (2, "", f"error: {message}\n"), args
    assert list(tmp_path.iterdir()) == []  # nothing half-written


# -- command-line values -----------------------------------------------------------------------

OPTION_CASES = [
    (["evidence", "search", "--limit", "-1"], "limit: -1 is not valid; give how many to show at most, 1 or more"),
    (["evidence", "search", "--limit", "0"], "limit: 0 is not valid; give how many to show at most, 1 or more"),
    (["appraise", "--discount-rate", "5%%"], "discount_rate: '5%%' is not a number; give a rate a year from 0 to 0.2 (0.035 or 3.5% is 3.5%)"),
    (["appraise", "--start-date", "9995-01-01"], "start_date: 9995-01-01 with 10 years would run past the year 9999; give a start date in 9989 or earlier"),
    (["run", "--area", "kent", "--area-file", "my.csv"], "--area 'kent' and --area-file 'my.csv': give one of them, not both"),
    (["run", "--interventions", "living-well,living-well"], "interventions: 'living-well' is listed twice; list each id once"),
    (["run", "--format", "xml"], "carescale run: invalid value for '--format': 'xml' is not one of 'table', 'json', 'csv' (see 'carescale run --help')"),
    (["uncertainty", "--draws", "many"], "carescale uncertainty: invalid value for '--draws': Input should be a valid integer, unable to parse string as an integer (got 'many') (see 'carescale uncertainty --help')"),
    (["parameters", "--limit", "3"], "carescale parameters: no such option: --limit (see 'carescale parameters --help')"),
    (["areas", "show"], "carescale areas show: missing argument 'ID' (see 'carescale areas show --help')"),
    (["nothing"], "carescale: no such command 'nothing' (see 'carescale --help')"),
    (["evidence", "show", "living-well", "--format", "csv"], "--format: 'csv' is not available for evidence show; valid formats are: table, json"),
    (["validate", "my-area.xlsx"], "my-area.xlsx: 'carescale validate' checks YAML files; to check a filled-in area template use 'carescale areas import my-area.xlsx' (it checks every row and saves nothing unless the whole file is valid)"),
]


@pytest.mark.parametrize("args,message", OPTION_CASES, ids=lambda x: " ".join(x) if isinstance(x, list) else "")
def test_option_values(args, message):
    r = run_cli(*args)
    assert (r.code, r.out, r.err) == (2, "", f"error: {message}\n")


def test_markup_in_a_search_query_is_printed_literally():
    r = run_cli("evidence", "search", "[/bold] living alone")
    assert r.code == 0 and "[/bold] living alone" in r.out


# -- the Python API ---------------------------------------------------------------------------

SC = "a Scenario from carescale.define_scenario(...)"
API_CASES = [
    (lambda: carescale.define_scenario("birmingham", "living-well"),
     "interventions: give a list of ids, not the text 'living-well' (for example ['living-well']; on the command line, ids separated by commas)"),
    (lambda: carescale.define_scenario("birmingham", ["living-well", "living-well"]), "interventions: 'living-well' is listed twice; list each id once"),
    (lambda: carescale.define_scenario("birmingham", [1]), "interventions: every id must be text; got int 1"),
    (lambda: carescale.define_scenario(5), "area: give an area id as text, not int 5"),
    (lambda: carescale.define_scenario("birmingham", library="x"), "library: expected a Library from carescale.default_library() or None, not str 'x'"),
    (lambda: carescale.evaluate("birmingham"), f"scenario: expected {SC}, not str 'birmingham'"),
    (lambda: carescale.evaluate(carescale.define_scenario("kent"), values=5),
     "values: expected a mapping of parameter path to value (see 'carescale parameters'), not int 5"),
    (lambda: carescale.summary("x"), "result: expected a result from carescale.evaluate(scenario), not str 'x'"),
    (lambda: carescale.to_frame(None), "result: expected a result from carescale.evaluate(scenario), not NoneType None"),
    (lambda: carescale.appraise("birmingham"), f"scenario: expected {SC}, not str 'birmingham'"),
    (lambda: carescale.appraise(carescale.define_scenario("kent"), "x"),
     "settings: expected AppraisalSettings, a mapping of its keys (for example {'years': 5}) or None, not str 'x'"),
    (lambda: carescale.AppraisalSettings(years="x"), "years: 'x' is not valid; the appraisal period must be a whole number of years from 1 to 60"),
    (lambda: carescale.run_uncertainty(None), f"scenario: expected {SC}, not NoneType None"),
    (lambda: carescale.run_uncertainty(carescale.define_scenario("kent"), {"drawz": 5}),
     "settings: unknown setting 'drawz'; valid settings are: draws, seed, width_scale, sobol, sobol_samples, bins, chunk, npv"),
    (lambda: carescale.load_area_file(5), "path: expected the path of an area file (str or pathlib.Path), not int 5"),
    (lambda: carescale.load_library(None), "data_dir: expected the path of a folder laid out like carescale/data, not NoneType None"),
]


@pytest.mark.parametrize("call,message", API_CASES, ids=[m[:40] for _, m in API_CASES])
def test_python_api_wrong_types(call, message):
    with pytest.raises(CarescaleError) as info:
        call()
    assert isinstance(info.value, SettingsError)
    assert info.value.message == message
