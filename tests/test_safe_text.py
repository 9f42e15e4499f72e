"""Output safety (carescale.safe_text): no user text becomes a live spreadsheet formula, rich
markup or a terminal escape in any output, and every CSV/XLSX-writing command keeps an area
named ``=HYPERLINK("http://x","y")`` literal."""

from __future__ import annotations

import csv
import io

import pytest

from carescale.errors import OutputPathError
from carescale.safe_text import (
    FORMULA_START,
    check_output_path,
    csv_records,
    csv_text,
    make_console,
    one_line,
    sheet_value,
    styled,
    term,
    unguard,
    visible,
    write_output,
)

from .conftest import run_cli

EVIL = '=HYPERLINK("http://x","y")'
EVIL_ID = "evil-town"


# -- the guard itself ------------------------------------------------------------------------


@pytest.mark.parametrize("start", FORMULA_START)
def test_every_formula_start_is_guarded_and_unguarded(start):
    text = start + "1+1"
    assert sheet_value(text) == "'" + text
    assert unguard(sheet_value(text)) == text


def test_numbers_stay_numbers_and_plain_text_is_untouched():
    import numpy as np

    assert sheet_value(-5) == -5 and sheet_value(-0.25) == -0.25
    assert sheet_value(np.float64(-1.5)) == -1.5 and isinstance(sheet_value(np.int64(3)), int)
    assert sheet_value(True) is True
    assert sheet_value(None) == ""
    assert sheet_value("Birmingham") == "Birmingham"
    assert sheet_value("'quoted") == "'quoted" and unguard("'quoted") == "'quoted"


def test_csv_text_and_records_guard_every_cell():
    text = csv_text([[EVIL, -3, "@SUM(A1)"]], header=["=h", "b", "c"])
    assert list(csv.reader(io.StringIO(text))) == [["'=h", "b", "c"], ["'" + EVIL, "-3", "'@SUM(A1)"]]
    assert csv_records([{"name": "+1", "n": 2}], bom=True) == "\ufeffname,n\n'+1,2\n"
    assert csv_records([]) == ""


def test_xlsx_cells_are_plain_strings(tmp_path):
    from openpyxl import Workbook, load_workbook

    from carescale.safe_text import xlsx_cell

    wb = Workbook()
    ws = wb.active
    xlsx_cell(ws.cell(1, 1), EVIL)
    xlsx_cell(ws.cell(1, 2), -7.5)
    xlsx_cell(ws.cell(1, 3), None)
    wb.save(tmp_path / "x.xlsx")
    back = load_workbook(tmp_path / "x.xlsx").active
    assert back.cell(1, 1).value == EVIL and back.cell(1, 1).data_type == "s"
    assert back.cell(1, 2).value == -7.5 and back.cell(1, 3).value is None


def test_xlsxwriter_cells_are_plain_strings(tmp_path):
    import xlsxwriter
    from openpyxl import load_workbook

    from carescale.safe_text import xlsxwriter_cell

    wb = xlsxwriter.Workbook(str(tmp_path / "w.xlsx"))
    ws = wb.add_worksheet()
    xlsxwriter_cell(ws, 0, 0, EVIL)
    xlsxwriter_cell(ws, 0, 1, 12)
    xlsxwriter_cell(ws, 0, 2, float("nan"))
    wb.close()
    back = load_workbook(tmp_path / "w.xlsx").active
    assert back.cell(1, 1).value == EVIL and back.cell(1, 1).data_type == "s"
    assert back.cell(1, 2).value == 12 and back.cell(1, 3).value == "nan"


def test_terminal_text_is_made_visible_and_markup_is_escaped():
    assert visible("a\x1b[31mred\x07\tb\u202e") == "a\\x1b[31mred\\x07 b\\u202e"
    assert visible("two\nlines") == "two\nlines" and one_line("two\nlines\r") == "two\\nlines\\x0d"
    assert term("[/bold] x") == "\\[/bold] x"
    assert styled(("[/bold]", "bold"), "\x1b").plain == "[/bold]\\x1b"


def test_console_never_parses_markup_and_shows_escapes():
    from rich.table import Table

    con = make_console()
    buf = io.StringIO()
    con.file = buf
    t = Table(title="[/bold] title")
    t.add_column("name")
    t.add_row("[/bold]\x1b[2J :smile:")
    con.print(t)
    con.print("[red]x[/red]")
    out = buf.getvalue()
    assert "[/bold] title" in out and "[/bold]\\x1b[2J :smile:" in out and "[red]x[/red]" in out
    assert "\x1b" not in out


def test_console_width_follows_columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "61")
    assert make_console().width == 61
    monkeypatch.setenv("COLUMNS", "140")
    assert make_console().width == 140


def test_output_paths_are_one_line_errors(tmp_path):
    with pytest.raises(OutputPathError, match=r"^--output: '.*' is a folder; give a file name inside it"):
        check_output_path(tmp_path)
    with pytest.raises(OutputPathError, match=r"^--output: the folder '.*nowhere' does not exist; create it first"):
        write_output(tmp_path / "nowhere" / "x.csv", "a")
    with pytest.raises(OutputPathError, match=r"^-o: the file name is 300 characters long; a file name may be at most 255 bytes"):
        write_output(tmp_path / ("x" * 300), "a", option="-o")
    (tmp_path / "f").write_text("")
    with pytest.raises(OutputPathError, match=r"is a file, not a folder"):
        write_output(tmp_path / "f" / "x.csv", "a")
    p = write_output(tmp_path / "ok.csv", "a,b\n", bom=True)
    assert p.read_bytes() == b"\xef\xbb\xbfa,b\n"


# -- every CSV/XLSX-writing command ----------------------------------------------------------


@pytest.fixture
def evil_area(tmp_path):
    """A saved area profile whose name is a formula (Birmingham's figures)."""
    res = run_cli("areas", "export", "birmingham")
    assert res.code == 0, res.err
    rows = list(csv.reader(io.StringIO(res.out)))
    for r in rows:
        if r[0] == "area.id":
            r[3] = EVIL_ID
        elif r[0] == "area.name":
            r[3] = EVIL
    path = tmp_path / "evil.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    res = run_cli("areas", "import", str(path))
    assert res.code == 0, res.err
    return path


def _assert_no_live_formula(text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    for row in rows:
        for cell in row:
            if cell[:1] in FORMULA_START:
                float(cell)  # only a number (a negative figure) may start with '-' or '+'
    return rows


def _cells(rows: list[list[str]]) -> set[str]:
    return {c for r in rows for c in r}


CSV_COMMANDS = [
    ("areas", "list", "--format", "csv"),
    ("areas", "show", EVIL_ID, "--format", "csv"),
    ("areas", "export", EVIL_ID, "--format", "csv"),
    ("run", "--area", EVIL_ID, "--format", "csv"),
    ("parameters", "--area", EVIL_ID, "--format", "csv"),
    ("appraise", "--area", EVIL_ID, "--years", "2", "--format", "csv"),
    ("uncertainty", "--area", EVIL_ID, "--draws", "50", "--no-npv", "--format", "csv"),
    ("interventions", "list", "--format", "csv"),
]


@pytest.mark.parametrize("args", CSV_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_csv_commands_keep_a_formula_name_literal(evil_area, args):
    res = run_cli(*args)
    assert res.code == 0, res.err
    rows = _assert_no_live_formula(res.out)
    if args[0] == "areas":  # the outputs that carry the area name
        assert "'" + EVIL in _cells(rows)
        assert unguard("'" + EVIL) == EVIL


@pytest.mark.parametrize("args", CSV_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_csv_written_with_output_has_a_bom_and_no_formula(evil_area, tmp_path, args):
    out = tmp_path / "out.csv"
    res = run_cli(*args, "-o", str(out))
    assert res.code == 0, res.err
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    _assert_no_live_formula(raw.decode("utf-8"))


def test_xlsx_export_keeps_a_formula_name_literal(evil_area, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "evil.xlsx"
    res = run_cli("areas", "export", EVIL_ID, "-o", str(out))
    assert res.code == 0, res.err
    ws = load_workbook(out).active
    cells = {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}
    assert cells[EVIL].data_type == "s"
    assert not any(c.data_type == "f" for c in cells.values())
    # and it imports back as the same literal name
    res = run_cli("areas", "import", str(out), "--id", "evil-again")
    assert res.code == 0, res.err
    assert run_cli("areas", "show", "evil-again", "--format", "json").json()["name"] == EVIL


def test_national_csv_keeps_a_formula_name_literal(monkeypatch, tmp_path):
    import types

    import carescale.national as nat
    import carescale.official as off

    area = {"code": "E06000001", "name": EVIL, "beneficiaries": 1.0, "cost": 2.0,
            "gross_savings": {"asc": 3.0, "nhs": 4.0}, "overlap_deduction": {"asc": 0.5, "nhs": 0.25},
            "net_savings": {"asc": -1.0, "nhs": 2.0}, "setup_investment": 0.0, "estimated": ["=x"], "notes": []}
    totals = {**area, "councils": 1, "estimated_figures": 1, "figures": 9, "councils_with_estimates": 1,
              "estimated_share": 0.1111, "figures_by_source": {"estimated": 1, "official: ONS mid-2023": 8},
              "councils_by_profile": {"official": 1}}
    data = {"areas": [area], "totals": totals, "excluded": [], "boundaries": "2023"}
    monkeypatch.setattr(off, "read_mye", lambda p: None)
    monkeypatch.setattr(off, "read_ascof", lambda p: None)
    monkeypatch.setattr(nat, "build_profiles", lambda *a: types.SimpleNamespace(councils=[1]))
    monkeypatch.setattr(nat, "run_national", lambda *a, **k: data)
    res = run_cli("national", "--mye", "m.xls", "--ascof", "a.csv", "--format", "csv")
    assert res.code == 0, res.err
    rows = _assert_no_live_formula(res.out)
    assert "'" + EVIL in _cells(rows) and "'=x" in _cells(rows)
    res = run_cli("national", "--mye", "m.xls", "--ascof", "a.csv")
    assert res.code == 0, res.err
    assert EVIL in res.out


def test_tables_print_markup_and_escapes_in_names_literally(tmp_path):
    path = tmp_path / "m.csv"
    res = run_cli("areas", "export", "birmingham")
    rows = list(csv.reader(io.StringIO(res.out)))
    for r in rows:
        if r[0] == "area.id":
            r[3] = "markup-town"
        elif r[0] == "area.name":
            r[3] = "[/bold]Town\x1b[2J"
    path.write_text(csv_text(rows), encoding="utf-8")
    assert run_cli("areas", "import", str(path)).code == 0
    for args in (("areas", "list"), ("areas", "show", "markup-town"), ("run", "--area", "markup-town"),
                 ("parameters", "--area", "markup-town"), ("appraise", "--area", "markup-town", "--years", "1"),
                 ("uncertainty", "--area", "markup-town", "--draws", "20", "--no-npv")):
        res = run_cli(*args)
        assert res.code == 0, (args, res.err)
        assert "[/bold]Town\\x1b[2J" in res.out and "\x1b" not in res.out, args


def test_evidence_search_query_with_markup_does_not_crash():
    res = run_cli("evidence", "search", "[/bold] \x1b[31m")
    assert res.code == 0, res.err
    assert "\x1b" not in res.out


def test_a_lone_carriage_return_in_a_cell_reads_back_as_written():
    """csv quotes a cell holding its line end (\\n) but not a lone \\r, which every reader takes for a
    line end: such a row is written fully quoted, and reads back cell for cell; other rows are unchanged."""
    import csv
    import io

    text = csv_text([["a\rb", "x"], ["c", "d"]], header=["h1", "h2"])
    assert text == 'h1,h2\n"a\rb","x"\nc,d\n'
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["h1", "h2"], ["a\rb", "x"], ["c", "d"]]
