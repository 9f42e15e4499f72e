"""Issue 23: "Every output (CLI table and JSON, web result, PDF, workbook) separates fiscal
cashable, fiscal non-cashable and social value; a test checks the three add to the totals shown."

One test, one case per output format (and the run CSV and Markdown report besides): each shows
the three side by side, one row per model and a total; in each, every column's model rows add to
its total row (within the rounding of the figures shown), the two fiscal parts add to the fiscal
total the output shows (gross savings, or the fiscal value less the overlap with the overlap
stated), and the social value total is the output's own social total. Birmingham's default
scenario, so Living Well's social value and the NHS's non-cashable savings are not zero."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from .conftest import run_cli
from .test_bridge import pounds, table_rows

HEAD = ["Fiscal: cashable", "Fiscal: non-cashable", "Social value"]
# the PDF (WeasyPrint: 6-7 s) is slow, like the other PDF tests (pyproject.toml's markers)
FORMATS = ["table", "json", "csv", "web", "html", pytest.param("pdf", marks=pytest.mark.slow), "markdown", "xlsx"]


@pytest.fixture(scope="module")
def report_data():
    from carescale.reports import prepare

    return prepare({"area": "birmingham", "uncertainty": {"draws": 200}})


@pytest.fixture(scope="module")
def expected(report_data):
    """The split every output renders (``Evaluation.value()``), and the run's own totals."""
    ev = report_data.evaluation
    return ev.value(), ev.run


def _fiscal_sentence(text: str) -> tuple[float, float, float]:
    """(overlap, fiscal less overlap, social) from 'Fiscal value less the overlap between target
    groups (£X): £Y a year; social value, counted apart: £Z a year.'"""
    m = re.search(r"Fiscal value less the overlap between target groups \((£[\d,.]+)\): (£[\d,.]+) a year; "
                  r"social value, counted apart: (£[\d,.]+) a year", " ".join(text.split()))
    assert m, "no fiscal-value sentence"
    return pounds(m.group(1)), pounds(m.group(2)), pounds(m.group(3))


def _rows_from_text_table(lines: list[str], sep: str) -> tuple[list[list[float]], list[float]]:
    """Model rows and the total row of a printed table whose columns 3-5 are the split."""
    models, total = [], None
    for line in lines:
        cells = [c.strip() for c in line.strip().strip(sep).split(sep)]
        if len(cells) < 6 or not cells[2].startswith("£"):
            continue
        figures = [pounds(c) for c in cells[2:5]]
        if cells[0].strip("*") == "Total":
            total = figures
        else:
            models.append(figures)
    assert total is not None and models
    return models, total


def _shown(fmt: str, report_data, expected) -> dict:
    """What the output in ``fmt`` shows: ``models`` (rows of the three), ``total`` (the three),
    and ``fiscal_total``: (the fiscal figure the output states, what it is the sum of)."""
    value, run = expected
    if fmt == "json":
        res = run_cli("run", "--area", "birmingham", "--format", "json")
        assert res.code == 0, res.err
        data = json.loads(res.out)
        v = data["value"]
        models = [[i["fiscal_cashable"], i["fiscal_non_cashable"], i["social"]] for i in v["interventions"]]
        t = v["totals"]
        return {"models": models, "total": [t["fiscal_cashable"], t["fiscal_non_cashable"], t["social"]],
                "gross": sum(data["totals"]["gross_savings"].values()),
                "social": sum(i["wider_benefits"] for i in data["interventions"]), "tolerance": 0.05}
    if fmt == "csv":
        res = run_cli("run", "--area", "birmingham", "--format", "csv")
        assert res.code == 0, res.err
        rows = list(csv.DictReader(io.StringIO(res.out.lstrip("\ufeff"))))
        cols = ["fiscal_cashable", "fiscal_non_cashable", "social_value"]
        models = [[float(r[c]) for c in cols] for r in rows if r["id"] not in ("overlap-deduction", "total")]
        total = next(r for r in rows if r["id"] == "total")
        assert all(next(r for r in rows if r["id"] == "overlap-deduction")[c] == "" for c in cols)
        return {"models": models, "total": [float(total[c]) for c in cols],
                "gross": float(total["gross_savings_asc"]) + float(total["gross_savings_nhs"]), "tolerance": 0.05}
    if fmt == "table":
        res = run_cli("run", "--area", "birmingham")  # COLUMNS=200: the test sets it
        assert res.code == 0, res.err
        lines = res.out.splitlines()
        start = next(i for i, line in enumerate(lines) if all(h in line for h in HEAD))
        end = next(i for i in range(start, len(lines)) if lines[i].startswith("└"))
        models, total = _rows_from_text_table(lines[start + 2:end], "│")
        overlap, less, social = _fiscal_sentence(" ".join(lines[end:end + 3]))
        return {"models": models, "total": total, "less_overlap": (overlap, less), "social": social, "tolerance": 1}
    if fmt == "markdown":
        from carescale.reports import render

        text = render(report_data, "md")
        text = text.decode() if isinstance(text, bytes) else text
        section = text.split("## Fiscal and social value", 1)[1].split("\n## ", 1)[0]
        _one_person(section)
        assert "| Model | People | Fiscal: cashable | Fiscal: non-cashable | Social value | Cost |" in section
        models, total = _rows_from_text_table([ln for ln in section.splitlines() if ln.startswith("| ")], "|")
        overlap, less, social = _fiscal_sentence(section)
        return {"models": models, "total": total, "less_overlap": (overlap, less), "social": social, "tolerance": 1}
    if fmt in ("html", "web"):
        if fmt == "html":
            from carescale.reports import render

            html = render(report_data, "html")
            html = html.decode() if isinstance(html, bytes) else html
        else:
            pytest.importorskip("fastapi")
            from fastapi.testclient import TestClient

            from carescale.web.app import create_app
            from carescale.web.storage import MemoryScenarioStore

            with TestClient(create_app(MemoryScenarioStore()), follow_redirects=False) as client:
                sid = client.post("/api/v1/scenarios", json={"area": "birmingham"}).json()["scenario_id"]
                html = client.get(f"/scenario/{sid}").text
        _one_person(" ".join(re.sub(r"<[^>]+>", " ", html).split()))
        rows = table_rows(html, "value-table")
        assert rows[0][2][2:5] == HEAD
        models = [[pounds(c) for c in r[2][2:5]] for r in rows[1:-1]]
        total = [pounds(c) for c in rows[-1][2][2:5]]
        overlap, less, social = _fiscal_sentence(re.sub(r"<[^>]+>", " ", html).replace("&#39;", "'"))
        return {"models": models, "total": total, "less_overlap": (overlap, less), "social": social, "tolerance": 1}
    if fmt == "pdf":
        pytest.importorskip("weasyprint")
        from pypdf import PdfReader

        from carescale.appraisal.value import value_table
        from carescale.reports import render

        reader = PdfReader(io.BytesIO(render(report_data, "pdf")))
        text = " ".join(re.sub(r"\s+", " ", p.extract_text()) for p in reader.pages)
        page = text.split("Fiscal and social value a year", 1)[1]
        _one_person(re.sub(r"(\w)- (\w)", r"\1-\2", text))  # a hyphenated word broken at a line's end
        # each model's three figures and the total's, in the order the table prints them
        rows = value_table(value)
        for r in rows:
            cells = " ".join(f"£{r[k]:,.0f}" for k in ("fiscal_cashable", "fiscal_non_cashable", "social"))
            assert cells in page, (r["name"], cells)
        models = [[round(r[k]) for k in ("fiscal_cashable", "fiscal_non_cashable", "social")] for r in rows[:-1]]
        total = [round(rows[-1][k]) for k in ("fiscal_cashable", "fiscal_non_cashable", "social")]
        overlap, less, social = _fiscal_sentence(page)
        return {"models": models, "total": total, "less_overlap": (overlap, less), "social": social, "tolerance": 1}
    if fmt == "xlsx":
        openpyxl = pytest.importorskip("openpyxl")
        from carescale.reports import render

        cached = openpyxl.load_workbook(io.BytesIO(render(report_data, "xlsx")), data_only=True)["Value"]
        assert [cached.cell(3, c).value for c in (3, 4, 5)] == HEAD
        n = len(value["interventions"])
        models = [[cached.cell(r, c).value for c in (3, 4, 5)] for r in range(4, 4 + n)]
        assert cached.cell(4 + n, 1).value == "Total"
        return {"models": models, "total": [cached.cell(4 + n, c).value for c in (3, 4, 5)], "tolerance": 0.05}
    raise AssertionError(fmt)


def _one_person(text: str) -> None:
    """Birmingham's Shared Lives has an outcome for one person a year, which read "(1 people a
    year)" before the noun agreed with its count (formatting.headcount); its two groups' outcomes
    have the same words, so each is named with its group (appraisal.value)."""
    assert ("Shared Lives: Net saving against the alternative care package, for live-in arrangements for people "
            "receiving long-term mental health support (1 person a year)") in text
    assert ("Shared Lives: Net saving against the alternative care package, for live-in arrangements for people "
            "with a primary support reason of learning disability (51 people a year)") in text
    assert not re.search(r"(?<![\d,.])1 people", text)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_output_shows_the_three_and_they_add_to_the_totals_shown(fmt, report_data, expected, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    value, run = expected
    shown = _shown(fmt, report_data, expected)
    models, total, tol = shown["models"], shown["total"], shown["tolerance"]
    assert len(models) == len(run["interventions"]) == 6
    # every column's model rows add to its total row (within the rounding of what is shown)
    for col in range(3):
        assert sum(m[col] for m in models) == pytest.approx(total[col], abs=tol * len(models))
    # the totals shown are the evaluation's split, and none of the three is zero for Birmingham
    t = value["totals"]
    assert total == pytest.approx([t["fiscal_cashable"], t["fiscal_non_cashable"], t["social"]], abs=tol)
    assert all(x > 0 for x in total)
    # cashable + non-cashable is the fiscal total the output states ...
    gross = sum(run["totals"]["gross_savings"].values())
    if "gross" in shown:
        assert total[0] + total[1] == pytest.approx(shown["gross"], abs=2 * tol)
    if "less_overlap" in shown:
        overlap, less = shown["less_overlap"]
        assert total[0] + total[1] - overlap == pytest.approx(less, abs=3 * tol)
    assert total[0] + total[1] == pytest.approx(gross, abs=2 * tol)
    # ... and the social value is the output's own social total, apart from the fiscal
    if "social" in shown:
        assert total[2] == pytest.approx(shown["social"], abs=tol)
