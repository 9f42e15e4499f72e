"""Area templates: the blank template, export -> import round trips, the user's area store,
formula-looking text, and the scaling property (every count and spend x k -> results x k)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import carescale
from carescale.areas import read_area_file, template_rows, template_table, to_csv, write_xlsx
from carescale.areas.keys import required_keys
from carescale.library import default_library

from .conftest import run_cli


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch) -> Path:
    """Every test saves profiles in its own CARESCALE_HOME."""
    h = tmp_path / "home"
    monkeypatch.setenv("CARESCALE_HOME", str(h))
    return h


def _summary(area) -> dict:
    return carescale.summary(carescale.evaluate(carescale.define_scenario(area)))


def _export_csv(tmp_path: Path, area_id: str = "birmingham") -> Path:
    path = tmp_path / f"{area_id}.csv"
    r = run_cli("areas", "export", area_id, "--output", str(path))
    assert r.code == 0, r.err
    return path


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def _write(path: Path, rows: list[list[str]]) -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def _set(rows, key, value, col=3):
    for r in rows:
        if r[0] == key:
            r[col] = value
    return rows


# -- the blank template ----------------------------------------------------------------------


def test_template_has_a_row_per_figure_with_description_and_unit():
    r = run_cli("areas", "template")
    assert r.code == 0, r.err
    rows = list(csv.DictReader(io.StringIO(r.out)))
    keys = [row["key"] for row in rows]
    lib = default_library()
    for cid in lib.vocabulary.cohorts:
        assert f"cohorts.{cid}" in keys
    for sid in lib.vocabulary.spend_lines:
        assert f"spend.{sid}" in keys
    assert "provision.shared-lives.learning-disability" in keys
    by_key = {row["key"]: row for row in rows}
    assert by_key["cohorts.population_65_plus"]["unit"] == "people"
    assert by_key["spend.long_term_placements"]["unit"] == "GBP_per_year"
    assert "aged 65 and over" in by_key["cohorts.population_65_plus"]["description"]
    assert "estimates it from cohorts.population_65_plus" in by_key["cohorts.older_people_very_limited"]["description"]
    assert all(row["description"] for row in rows)
    assert all(row["value"] == "" for row in rows)


def test_template_xlsx(tmp_path):
    path = tmp_path / "blank.xlsx"
    r = run_cli("areas", "template", "--output", str(path))
    assert r.code == 0, r.err
    ws = openpyxl.load_workbook(path).active
    header = [c.value for c in ws[1]]
    assert header == ["key", "description", "unit", "value", "period", "status", "source"]
    assert ws.max_row == 1 + len(template_rows(default_library()))


def test_xlsx_to_stdout_is_refused():
    r = run_cli("areas", "template", "--format", "xlsx")
    assert r.code == 2
    assert r.err == "error: --output: an XLSX file cannot be printed; give a file name, for example --output area.xlsx\n"


def test_blank_template_filled_with_populations_only_estimates_the_rest(tmp_path):
    rows = _rows(_write(tmp_path / "t.csv", list(csv.reader(io.StringIO(to_csv(template_table()))))))
    for key, v in (("area.id", "leeds"), ("area.name", "Leeds"), ("area.kind", "council"),
                   ("cohorts.population_all_ages", "798786"), ("cohorts.population_18_64", "510000"),
                   ("cohorts.population_65_plus", "120000")):
        _set(rows, key, v)
    _set(rows, "cohorts.population_all_ages", "mid-2020", col=4)
    imp = read_area_file(_write(tmp_path / "leeds.csv", rows))
    assert imp.area.cohorts["older_people_very_limited"].value == pytest.approx(120000 * 45220 / 149412)
    assert imp.area.cohorts["older_people_very_limited"].status == "estimated"
    assert imp.area.spend["long_term_placements"].value == pytest.approx(120000 * 31961538 / 149412)
    assert imp.area.spend["long_term_placements"].price_year == "2016/17"
    assert imp.area.cohorts["learning_disability_long_term_support"].value == pytest.approx(510000 * 133658 / 33992831)
    assert set(imp.estimated) == {
        "cohorts.older_people_very_limited", "cohorts.learning_disability_long_term_support",
        "cohorts.mental_health_long_term_support", "spend.long_term_placements",
        "spend.short_term_placements",
    }  # no Shared Lives count: Shared Lives is sized by the paper's printed share (sizing.otherwise)
    # the six models run on it
    data = _summary(imp.area)
    assert len(data["interventions"]) == 6 and data["not_modelled"] == []


# -- round trips -----------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_export_birmingham_import_back_identical_results(tmp_path, suffix):
    path = tmp_path / f"birmingham.{suffix}"
    assert run_cli("areas", "export", "birmingham", "--output", str(path)).code == 0
    imported = read_area_file(path)
    assert imported.estimated == ()
    base = default_library().area("birmingham")
    for section in ("cohorts", "spend"):
        got = {k: q.value for k, q in getattr(imported.area, section).items()}
        want = {k: q.value for k, q in getattr(base, section).items()}
        assert got == want
    assert _summary(imported.area) == _summary(base)


def test_run_area_file_csv_equals_run_area(tmp_path):
    path = _export_csv(tmp_path)
    a = run_cli("run", "--area", "birmingham", "--format", "json")
    b = run_cli("run", "--area-file", str(path), "--format", "json")
    assert a.code == b.code == 0, b.err
    # the same figures; only the scenario (an area id against a file, so its id) differs
    ja, jb = a.json(), b.json()
    assert ja.pop("scenario")["id"] != jb.pop("scenario")["id"]
    assert ja == jb


def test_import_saves_a_profile_the_library_finds(tmp_path, home):
    rows = _rows(_export_csv(tmp_path))
    _set(rows, "area.id", "testshire")
    _set(rows, "area.name", "Testshire")
    path = _write(tmp_path / "testshire.csv", rows)
    r = run_cli("areas", "import", str(path))
    assert r.code == 0, r.err
    saved = home / "areas" / "testshire.yaml"
    assert saved.exists()
    assert f"saved area profile 'testshire' (Testshire) to {saved}" in r.out
    listed = run_cli("areas", "list", "--format", "json").json()
    assert "testshire" in [a["id"] for a in listed]
    # Birmingham's figures under Birmingham's ONS code: as published under the paper preset; by
    # default the savings the paper measured elsewhere are priced by Birmingham's unit costs
    a = run_cli("run", "--area", "testshire", "--preset", "paper", "--format", "json").json()
    b = run_cli("run", "--area", "birmingham", "--preset", "paper", "--format", "json").json()
    assert a["totals"] == b["totals"]
    # importing again needs --replace
    again = run_cli("areas", "import", str(path))
    assert again.code == 2
    assert again.err == (
        f"error: area.id: a saved profile 'testshire' already exists ({saved}); use --replace to overwrite it\n"
    )
    assert run_cli("areas", "import", str(path), "--replace").code == 0


def test_import_refuses_a_builtin_id_and_offers_another(tmp_path, home):
    path = _export_csv(tmp_path)
    r = run_cli("areas", "import", str(path))
    assert r.code == 2
    assert r.err == (
        "error: area.id: 'birmingham' is a built-in area profile; give this profile another id "
        "(change the area.id row, or use --id)\n"
    )
    assert not (home / "areas").exists()
    r = run_cli("areas", "import", str(path), "--id", "birmingham-2020")
    assert r.code == 0, r.err
    assert (home / "areas" / "birmingham-2020.yaml").exists()
    exported = run_cli("areas", "export", "birmingham-2020")
    assert exported.code == 0
    assert "birmingham" in exported.out


def test_import_reports_what_it_estimated(tmp_path, home):
    rows = _rows(_export_csv(tmp_path))
    _set(rows, "area.id", "testshire")
    _set(rows, "cohorts.older_people_very_limited", "")
    r = run_cli("areas", "import", str(_write(tmp_path / "t.csv", rows)))
    assert r.code == 0, r.err
    assert "estimated cohorts.older_people_very_limited = 45,220: 0.3026530667 x 149,412 (cohorts.population_65_plus) = 45,220" in r.out
    # the estimate is flagged when exported again
    out = run_cli("areas", "export", "testshire").out
    row = [x for x in csv.reader(io.StringIO(out)) if x[0] == "cohorts.older_people_very_limited"][0]
    assert row[3] == "45220" and row[5] == "estimated"
    assert row[6].startswith("0.3026530667 x 149,412")
    # and imported back as an estimate given in the file
    imp = read_area_file(_write(tmp_path / "again.csv", list(csv.reader(io.StringIO(out)))))
    assert imp.given_as_estimates == ("cohorts.older_people_very_limited",)
    assert imp.area.cohorts["older_people_very_limited"].status == "estimated"


def test_optional_rows_may_be_left_out(tmp_path):
    rows = [r for r in _rows(_export_csv(tmp_path)) if not r[0].startswith("provision.kent-pathways")
            and r[0] not in ("area.ons_code", "area.description")]
    imp = read_area_file(_write(tmp_path / "short.csv", rows))
    assert _summary(imp.area) == _summary(default_library().area("birmingham"))
    assert set(required_keys(default_library())) >= {"cohorts.population_65_plus", "spend.long_term_placements"}


def test_thousands_separators_and_pound_signs_are_read(tmp_path):
    rows = _rows(_export_csv(tmp_path))
    _set(rows, "cohorts.population_65_plus", "149,412")
    _set(rows, "spend.long_term_placements", "£31,961,538")
    imp = read_area_file(_write(tmp_path / "t.csv", rows))
    assert imp.area.cohorts["population_65_plus"].value == 149412
    assert imp.area.spend["long_term_placements"].value == 31961538


# -- formula-looking text --------------------------------------------------------------------


FORMULAS = ["=HYPERLINK(\"http://example.com\",\"x\")", "+44 121 303 1111", "-minus", "@SUM(A1)"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_like_text_is_kept_as_text_csv(tmp_path, home, text):
    rows = _rows(_export_csv(tmp_path))
    _set(rows, "area.id", "testshire")
    _set(rows, "area.name", text)
    r = run_cli("areas", "import", str(_write(tmp_path / "t.csv", rows)))
    assert r.code == 0, r.err
    lib = default_library()
    assert lib.area("testshire").name == text
    out = run_cli("areas", "export", "testshire").out
    name_row = [x for x in csv.reader(io.StringIO(out)) if x[0] == "area.name"][0]
    assert name_row[3] == "'" + text  # a spreadsheet opening the CSV shows text, not a formula
    # the CSV guard is removed again on import
    imp = read_area_file(_write(tmp_path / "back.csv", list(csv.reader(io.StringIO(out)))))
    assert imp.area.name == text


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_like_text_is_a_string_cell_in_xlsx(tmp_path, home, text):
    rows = _rows(_export_csv(tmp_path))
    _set(rows, "area.id", "testshire")
    _set(rows, "area.name", text)
    assert run_cli("areas", "import", str(_write(tmp_path / "t.csv", rows))).code == 0
    path = tmp_path / "out.xlsx"
    assert run_cli("areas", "export", "testshire", "--output", str(path)).code == 0
    ws = openpyxl.load_workbook(path).active  # data_only=False: formulas would show as type 'f'
    cell = [row[3] for row in ws.iter_rows(min_row=2) if row[0].value == "area.name"][0]
    assert cell.value == text
    assert cell.data_type == "s"
    assert cell.quotePrefix
    assert read_area_file(path).area.name == text


def test_a_formula_cell_in_a_text_row_is_kept_as_its_text_not_evaluated(tmp_path):
    table = template_table(default_library(), default_library().area("birmingham"))
    path = tmp_path / "f.xlsx"
    write_xlsx(table, path)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "area.name":
            row[3].value = "=1+1"  # a real formula cell (type 'f')
            assert row[3].data_type == "f"
    wb.save(path)
    assert read_area_file(path).area.name == "=1+1"


# -- scaling property ------------------------------------------------------------------------


SCALED_PREFIXES = ("cohorts.", "spend.", "provision.")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(k=st.floats(min_value=0.05, max_value=50, allow_nan=False, allow_infinity=False))
def test_scaling_every_count_and_spend_scales_results(tmp_path_factory, k):
    """Multiply every count and spend figure in the exported file by k: beneficiaries, costs,
    gross and net savings and the overlap deduction all scale by k (Shared Lives' 'target share x
    cohort - existing provision' stays linear because provision is scaled too)."""
    tmp = tmp_path_factory.mktemp("scale")
    table = template_table(default_library(), default_library().area("birmingham"))
    for row in table[1:]:
        if row[0].startswith(SCALED_PREFIXES) and row[3] != "":
            row[3] = float(row[3]) * k
            # a scaled count has decimals: only a worked-out (implied) figure may
            row[5], row[6] = "implied", f"the published figure times {k!r}"
    path = tmp / "scaled.csv"
    path.write_text(to_csv(table), encoding="utf-8")
    got = carescale.evaluate(carescale.define_scenario(read_area_file(path).area))
    base = carescale.evaluate(carescale.define_scenario(default_library().area("birmingham")))
    assert [r.id for r in got.interventions] == [r.id for r in base.interventions]

    def close(a, b):
        np.testing.assert_allclose(a, np.asarray(b) * k, rtol=1e-9, atol=1e-9)

    close(got.cost, base.cost)
    close(got.gross, base.gross)
    close(got.overlap_deduction, base.overlap_deduction)
    close(got.net, base.net)
    assert base.overlap_deduction.sum() > 0 and base.net.sum() > 0
    for g, b in zip(got.interventions, base.interventions):
        close(g.beneficiaries, b.beneficiaries)
        close(g.cost, b.cost)
        close(g.gross, b.gross)


def test_run_table_lists_estimated_figures(tmp_path):
    rows = _rows(_export_csv(tmp_path))
    _set(rows, "area.id", "testshire")
    _set(rows, "cohorts.older_people_very_limited", "")
    r = run_cli("run", "--area-file", str(_write(tmp_path / "t.csv", rows)))
    assert r.code == 0, r.err
    assert "Estimated figures used (1), not the area's own: cohorts.older_people_very_limited = 45,220" in r.out
    plain = run_cli("run", "--area", "birmingham")
    assert "Estimated figures" not in plain.out
    # JSON and CSV flag it too: on the run and on the model that uses it
    data = run_cli("run", "--area-file", str(tmp_path / "t.csv"), "--format", "json").json()
    assert [e["path"] for e in data["estimated_figures"]] == ["area.cohorts.older_people_very_limited"]
    sah = next(i for i in data["interventions"] if i["id"] == "support-at-home")
    assert sah["estimated_inputs"] == ["area.cohorts.older_people_very_limited"]
    assert all(not i["estimated_inputs"] for i in data["interventions"] if i["id"] != "support-at-home")
    csv_out = run_cli("run", "--area-file", str(tmp_path / "t.csv"), "--format", "csv").out
    assert "support-at-home,British Red Cross Support at Home," in csv_out
    assert list(csv.DictReader(io.StringIO(csv_out)))[5]["estimated_inputs"] == "area.cohorts.older_people_very_limited"


@pytest.mark.parametrize("area_id", sorted(default_library().areas))
def test_every_builtin_area_round_trips(tmp_path, area_id):
    """Source sites too: their 'current basis' figures (provision) survive export and import."""
    base = default_library().area(area_id)
    path = tmp_path / f"{area_id}.xlsx"
    write_xlsx(template_table(default_library(), base), path)
    imp = read_area_file(path)
    assert imp.estimated == ()
    for basis in ("potential", "current"):
        a = carescale.summary(carescale.evaluate(carescale.define_scenario(imp.area, basis=basis)))
        b = carescale.summary(carescale.evaluate(carescale.define_scenario(base, basis=basis)))
        assert a == b


def test_no_estimate_leaves_blanks(tmp_path, home):
    rows = _rows(_export_csv(tmp_path))
    _set(rows, "area.id", "testshire")
    _set(rows, "cohorts.older_people_very_limited", "")
    path = _write(tmp_path / "t.csv", rows)
    imp = read_area_file(path, estimate=False)
    assert "older_people_very_limited" not in imp.area.cohorts
    assert imp.blank[0] == "cohorts.older_people_very_limited"
    r = run_cli("areas", "import", str(path), "--no-estimate")
    assert r.code == 0, r.err
    assert "left blank (not modelled where needed): cohorts.older_people_very_limited" in r.out
    out = run_cli("run", "--area", "testshire", "--format", "json").json()
    assert out["not_modelled"] == [{"id": "support-at-home", "missing": ["cohorts.older_people_very_limited"]}]
