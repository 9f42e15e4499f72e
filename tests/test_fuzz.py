"""Fuzz the parsers and options (issue 10): generated area templates (CSV and XLSX, including
damaged workbooks), YAML documents and command-line values. Every outcome must be exit 0, or
exit 2 with exactly one ``error:`` line and nothing on stdout; never a traceback (an exception
escaping ``carescale.cli.main`` fails the test with hypothesis's falsifying example).

Bounded so that the whole module runs in well under a minute: a few dozen to two hundred
examples per test, no deadline, no example database (the runs do not depend on earlier ones)."""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from .conftest import INVALID, run_cli

# hypothesis over the CLI: about 10 s together; CI runs them, everyday runs leave them out
pytestmark = pytest.mark.slow

def fuzz(n: int):
    """Bounded settings; CARESCALE_FUZZ_SCALE=10 runs ten times as many examples (for a long
    run by hand; CI uses the default). No "explain" phase: on a failure it re-runs hundreds of
    examples, and the shrunk example is enough."""
    n *= max(1, int(os.environ.get("CARESCALE_FUZZ_SCALE", "1") or 1))
    return settings(max_examples=n, deadline=None, database=None, suppress_health_check=list(HealthCheck),
                    phases=[Phase.explicit, Phase.generate, Phase.shrink])

KEYS = [
    "area.id", "area.name", "area.kind", "area.ons_code", "area.description",
    "cohorts.population_all_ages", "cohorts.population_18_64", "cohorts.population_65_plus",
    "cohorts.older_people_very_limited", "cohorts.learning_disability_long_term_support",
    "cohorts.mental_health_long_term_support", "spend.long_term_placements",
    "spend.short_term_placements", "provision.community-agents.older-people",
    "provision.living-well.older-people-multiple-ltc", "provision.kent-pathways.adults-ld",
    "provision.shared-lives.learning-disability", "provision.shared-lives.mental-health",
    "provision.support-at-home.older-people-very-limited",
]
VALID_CSV = (INVALID / "areas_import" / "negative_count.csv").read_text(encoding="utf-8").replace(",-461,", ",461,")
VALID_ROWS = [line.split(",") for line in VALID_CSV.splitlines()]

# cells a hostile or careless user might type
NASTY = st.sampled_from([
    "", " ", "0", "-1", "1e308", "-1e308", "inf", "nan", "1,4,9,4,1,2", "149,412", "1.234",
    "£31,961,538", "=1+1", "+1", "-", "@SUM(A1)", "\t1", "\r", "'=x", "[/bold]", "\x1b[2J",
    "yes", "true", "2015/16", "mid-2020", "published", "estimated", "implied", "council",
    "source-site", "birmingham", "a" * 300, "\u202e", "null", "~", "0x10", "1_000",
])
CELL = st.one_of(NASTY, st.text(max_size=12), st.integers(-10**12, 10**12).map(str),
                 st.floats(allow_nan=True, allow_infinity=True).map(repr))


def assert_clean(r, args=()):
    """Exit 0, or exit 2 with one ``error:`` line; never anything else."""
    assert r.code in (0, 2), (args, r.code, r.err)
    if r.code == 2:
        lines = r.err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (args, r.err)
        assert "Traceback" not in r.err


class _Home:
    """A throw-away CARESCALE_HOME for one example (hypothesis reuses the test's fixtures)."""

    def __enter__(self) -> Path:
        self._dir = tempfile.TemporaryDirectory()
        self._old = os.environ.get("CARESCALE_HOME")
        os.environ["CARESCALE_HOME"] = self._dir.name
        return Path(self._dir.name)

    def __exit__(self, *exc) -> None:
        if self._old is None:
            os.environ.pop("CARESCALE_HOME", None)
        else:
            os.environ["CARESCALE_HOME"] = self._old
        self._dir.cleanup()


# -- area templates ----------------------------------------------------------------------------


@st.composite
def template_rows(draw) -> list[list[str]]:
    """The valid template with a few rows changed, removed, duplicated or made up."""
    rows = [list(r) for r in VALID_ROWS]
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(rows) - 1))
        action = draw(st.sampled_from(["cell", "cell", "cell", "drop", "dup", "key", "width"]))
        if action == "cell":
            row = rows[i]
            j = draw(st.integers(0, max(len(row) - 1, 0)))
            if row:
                row[j] = draw(CELL)
        elif action == "drop" and len(rows) > 1:
            rows.pop(i)
        elif action == "dup":
            rows.insert(i, list(rows[i]))
        elif action == "key":  # a row cut to nothing by "width" gets a key of its own
            rows[i][:1] = [draw(st.one_of(st.sampled_from(KEYS), CELL))]
        else:
            rows[i] = rows[i][: draw(st.integers(0, 9))] + [draw(CELL)] * draw(st.integers(0, 3))
    return rows


def _csv_text(rows: list[list[str]]) -> str:
    import csv

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


@fuzz(100)
@given(rows=template_rows(), bom=st.booleans(), encoding=st.sampled_from(["utf-8", "cp1252", "utf-16"]),
       command=st.sampled_from(["import", "run"]))
def test_fuzz_area_csv(rows, bom, encoding, command):
    with _Home() as home:
        path = home / "area.csv"
        text = ("\ufeff" if bom else "") + _csv_text(rows)
        path.write_bytes(text.encode(encoding, errors="replace"))
        if command == "import":
            args: tuple[str, ...] = ("areas", "import", str(path), "--id", "fuzz-town", "--replace")
        else:
            args = ("run", "--area-file", str(path), "--format", "json")
        assert_clean(run_cli(*args), args)


XLSX_CELL = st.one_of(
    CELL, st.integers(-10**15, 10**15), st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(), st.none(), st.sampled_from(["=D7-D8", "=1/0", '=HYPERLINK("http://x","y")']),
)


@fuzz(40)
@given(rows=template_rows(), extra=st.lists(st.tuples(st.integers(0, 25), st.integers(0, 9), XLSX_CELL), max_size=6),
       damage=st.one_of(st.none(), st.tuples(st.sampled_from(["cut", "flip"]), st.floats(0, 1))))
def test_fuzz_area_xlsx(rows, extra, damage):
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cell(v):  # openpyxl cannot write control characters (a hand-made file could hold them)
        return ILLEGAL_CHARACTERS_RE.sub("?", v) if isinstance(v, str) else v

    wb = Workbook()
    ws = wb.active
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row, start=1):
            if v:
                ws.cell(row=r, column=c, value=float(v) if v.replace(".", "", 1).isdigit() else cell(v))
    for r, c, v in extra:
        ws.cell(row=r + 1, column=c + 1, value=cell(v))
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if damage is not None:
        kind, where = damage
        if kind == "cut":  # a workbook whose sheet XML is cut short, inside a valid zip
            src = zipfile.ZipFile(io.BytesIO(data))
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
                for item in src.infolist():
                    body = src.read(item.filename)
                    if item.filename.startswith("xl/worksheets/"):
                        body = body[: int(len(body) * where)]
                    z.writestr(item, body)
            data = out.getvalue()
        else:  # a byte flipped anywhere
            i = min(int(len(data) * where), len(data) - 1)
            data = data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:]
    with _Home() as home:
        path = home / "area.xlsx"
        path.write_bytes(data)
        args = ("areas", "import", str(path), "--id", "fuzz-town", "--replace")
        assert_clean(run_cli(*args), args)


# -- YAML documents ------------------------------------------------------------------------------

SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(), st.text(max_size=10),
                   NASTY)
TREE = st.recursive(SCALAR, lambda kids: st.lists(kids, max_size=4) | st.dictionaries(
    st.one_of(st.sampled_from(["id", "name", "kind", "cohorts", "value", "unit", "ref", "segments",
                                "years", "start_date", "discount_rate", "optimism_bias", "version",
                                "area", "interventions", "overrides"]), st.text(max_size=6)),
    kids, max_size=5), max_leaves=25)
YAML_SYNTAX = st.text(alphabet="abc:-[]{}&*!|>'\"#?,.0123456789 \n\t%@`~", max_size=200)
BIRMINGHAM = (Path(__file__).resolve().parents[1] / "src" / "carescale" / "data" / "areas" / "birmingham.yaml").read_text(encoding="utf-8")


@st.composite
def yaml_documents(draw) -> str:
    kind = draw(st.sampled_from(["tree", "syntax", "mutated"]))
    if kind == "tree":
        return yaml.safe_dump(draw(TREE), allow_unicode=True)
    if kind == "syntax":
        return draw(YAML_SYNTAX)
    text = BIRMINGHAM
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        j = min(len(text), i + draw(st.integers(0, 30)))
        text = text[:i] + draw(st.one_of(YAML_SYNTAX, NASTY)) + text[j:]
    return text


@fuzz(150)
@given(doc=yaml_documents(), command=st.sampled_from(["validate", "appraise --settings", "run --scenario",
                                                      "run --area-file"]))
def test_fuzz_yaml(doc, command):
    with _Home() as home:
        path = home / "doc.yaml"
        path.write_text(doc, encoding="utf-8", errors="surrogatepass")
        args = (*command.split(), str(path))
        if command.startswith(("appraise", "run")):
            args = (*args, "--format", "json")
        assert_clean(run_cli(*args), args)


# -- command-line values ---------------------------------------------------------------------------

OPTION_VALUE = st.one_of(NASTY, st.text(max_size=15), st.integers(-10**6, 10**6).map(str),
                         st.floats(allow_nan=True, allow_infinity=True).map(repr))
COMMANDS = {
    ("run",): ["--area", "--interventions", "--basis", "--format", "--set"],
    ("parameters",): ["--area", "--interventions", "--basis", "--format"],
    ("appraise", "--format", "json"): ["--area", "--interventions", "--years", "--discount-rate",
                                       "--start-date", "--basis", "--set"],
    ("uncertainty", "--draws", "20", "--no-npv", "--format", "json"): ["--seed", "--width-scale", "--area",
                                                                      "--interventions", "--basis"],
    ("evidence", "search", "older people"): ["--transformation-area", "--target-group", "--payer",
                                             "--min-level", "--kind", "--limit", "--format"],
    ("interventions", "show"): [None],
    ("areas", "show"): [None],
    ("evidence", "show"): [None],
    ("areas", "template"): ["--format"],
}


@fuzz(120)
@given(command=st.sampled_from(sorted(COMMANDS)), data=st.data())
def test_fuzz_cli_options(command, data):
    options = COMMANDS[command]
    given_opts = data.draw(st.lists(st.sampled_from(options), min_size=1, max_size=3))
    args: list[str] = list(command)
    for opt in given_opts:
        value = data.draw(OPTION_VALUE)
        args += [value] if opt is None else [opt, value]
    with _Home():
        assert_clean(run_cli(*args), args)
