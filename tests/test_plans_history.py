"""A plan's review history exported (issue 24; docs/plans.md, "Review history"): to CSV
(`carescale plans history PLAN --format csv`), and into the business case's PDF, HTML, Markdown
and workbook (`carescale report --plan PLAN`): targets against actuals, the posterior of each
rate after each review, every recommendation with its reason."""

from __future__ import annotations

import csv
import io
import re

import pytest

from carescale.plans import add_review, create_plan
from carescale.plans.history import plan_evaluation, review_history
from carescale.reports import prepare, render

from .conftest import run_cli
from .test_plans import CARE, FALL, PLAN, QUARTER_ENDS, review

Q1_PLANNED = 747.06 * 0.5 * 91 / 365.25  # the first quarter at half scale
Q2_PLANNED = 747.06 * 0.5 * 92 / 365.25


@pytest.fixture(scope="module")
def two_reviews(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('history') / 's.db'}"
    create_plan(PLAN, url=url)
    add_review("falls-birmingham", review(QUARTER_ENDS[0], 95, 11, 3), by="R. Reviewer", url=url)
    add_review("falls-birmingham", review(QUARTER_ENDS[1], 92, 10, 2), by="R. Reviewer", url=url)
    return url


def test_history_rows_are_targets_against_actuals_and_posteriors(two_reviews):
    """By hand: the falls target is 8% of the planned people (93.1 in quarter 1 -> 7.4); the
    posterior means are (1.74 + 11) / (20 + 95) and (1.74 + 21) / (20 + 187)."""
    h = review_history("falls-birmingham", url=two_reviews)
    r1, r2 = h["rows"]
    assert (r1["planned_people"], r1["people_supported"]) == (round(Q1_PLANNED, 1), 95)
    assert r1[f"target.{FALL}"] == round(0.08 * Q1_PLANNED, 1) == 7.4
    assert r1[f"achieved.{FALL}"] == 11 and r2[f"achieved.{CARE}"] == 2
    assert r1[f"posterior_mean.{FALL}"] == pytest.approx(12.74 / 115, abs=1e-6)
    assert r2[f"posterior_mean.{FALL}"] == pytest.approx(22.74 / 207, abs=1e-6)
    assert r2["planned_spend"] == pytest.approx(round(Q2_PLANNED * 400, 2), abs=0.01)
    assert (r1["decision"], r2["decision"]) == ("continue", "increase")
    assert r2["reason"].startswith("Increase investment: ") and r2["recorded_by"] == "R. Reviewer"
    assert r1["cost_per_person"] == 400 and r1["expected_npv"] > 0


def test_history_csv(two_reviews, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", two_reviews)
    r = run_cli("plans", "history", "falls-birmingham", "--format", "csv")
    assert r.code == 0, r.err
    rows = list(csv.DictReader(io.StringIO(r.out.lstrip("\ufeff"))))
    assert [row["number"] for row in rows] == ["1", "2"]
    assert rows[0][f"target.{FALL}"] == "7.4" and rows[1]["decision"] == "increase"
    assert float(rows[1][f"posterior_mean.{FALL}"]) == pytest.approx(22.74 / 207, abs=1e-6)
    r = run_cli("plans", "history", "falls-birmingham")
    assert r.code == 0 and "Outcome rates over time" in r.out and "11.1% (6.7%-16.2%); 11 / 7.4" in r.out


@pytest.fixture(scope="module")
def report_data(two_reviews):
    return prepare(plan_evaluation("falls-birmingham", url=two_reviews)).with_history(
        review_history("falls-birmingham", url=two_reviews))


def test_history_in_the_workbook(report_data):
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(render(report_data, "xlsx")))
    ws = wb["Review history"]
    heads = [c.value for c in ws[3]]
    assert heads[:3] == ["Review", "From", "To"]
    row = {h: c.value for h, c in zip(heads, ws[5])}  # the second review
    assert row["Recommendation"] == "increase" and row["People supported"] == 92
    assert row["A fall needing a hospital admission is avoided: rate now (posterior mean)"] == pytest.approx(22.74 / 207, abs=1e-6)


def test_history_in_the_html_and_markdown(report_data):
    html = render(report_data, "html").decode()
    assert "Review history: Falls prevention in Birmingham, first two years (falls-birmingham)" in html
    assert "<td class=\"num\">11 (7.4); 11.1% (6.7% to 16.2%)</td>" in html
    assert "Review 2 (2027-09-30), increase:</strong> Increase investment: " in html
    md = render(report_data, "md").decode()
    assert "## Review history: Falls prevention in Birmingham" in md and "| 11 (7.4); 11.1% (6.7% to 16.2%) |" in md


@pytest.mark.slow  # the business-case PDF (about 10 s)
def test_history_in_the_pdf(two_reviews, monkeypatch, tmp_path):
    from pypdf import PdfReader

    monkeypatch.setenv("DATABASE_URL", two_reviews)
    out = tmp_path / "plan.pdf"
    r = run_cli("report", "--plan", "falls-birmingham", "-o", str(out))
    assert r.code == 0, r.err
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(out).pages))
    assert "Review history: Falls prevention in Birmingham" in text
    assert "Review 2 (2027-09-30), increase: Increase investment" in text
    r = run_cli("report", "--plan", "nope", "-o", str(tmp_path / "x.pdf"))
    assert (r.code, r.err) == (2, "error: plan 'nope': unknown plan; saved plans are: falls-birmingham\n")
