"""Outcomes people value, beside the money (issue 23; docs/appraisal.md, "Social value"):
HM Treasury's WELLBY and QALY values as data, Living Well's wider benefits valued by a documented
method, and fiscal cashable, fiscal non-cashable and social value side by side."""

from __future__ import annotations

import pytest

from carescale.errors import InputFileError
from carescale.library import default_library, display_path
from carescale.library.files import validate_file
from carescale.library.social import social_values
from carescale.scenarios import ScenarioDocument, evaluate_document

from .conftest import INVALID, run_cli

SOCIAL = INVALID / "social_value"
LW_PEOPLE = "living-well.older-people-multiple-ltc.people"
# HM Treasury's GDP deflator (December 2023, financial years; calendar 2019 as shipped)
D_2016_17, D_2019, D_2024_25 = 84.335, 89.01075, 107.88248


def test_wellby_and_qaly_values_match_the_cited_green_book_figures():
    """HM Treasury, Wellbeing guidance for appraisal (supplementary Green Book guidance, July 2021):
    one WELLBY is worth £13,000 in 2019 prices, with a range of £10,000 to £16,000 (quoted in the
    greenbook R package's reference manual: "The central published unit value is GBP 13,000 in 2019
    prices, with a low-high sensitivity of GBP 10,000 to GBP 16,000."). The Green Book (2022): one
    QALY is worth £70,000 in 2020/21 prices (HM Treasury's answer to HL5283: "The Green Book provides
    a figure of £70,000 for the value of a Quality-Adjusted Life Year (QALY). This is expressed in
    2020-21 prices.")."""
    sv = social_values().values
    w, q = sv["wellby"], sv["qaly"]
    assert (w.value, w.low, w.high, w.price_year, w.status) == (13_000, 10_000, 16_000, "2019", "published")
    assert (q.value, q.low, q.high, q.price_year, q.status) == (70_000, 70_000, 70_000, "2020/21", "published")
    assert w.ref.document == "hmt-wellbeing-guidance-2021" and "GBP 13,000 in 2019 prices" in w.ref.quote
    assert q.ref.document == "hmt-hl5283-qaly" and "£70,000" in q.ref.quote and "2020-21 prices" in q.ref.quote
    docs = default_library().sources.documents
    assert docs["hmt-wellbeing-guidance-2021"].url.endswith("green-book-supplementary-guidance-wellbeing")
    assert "HL5283" in docs["hmt-hl5283-qaly"].title


def _living_well():
    return evaluate_document(ScenarioDocument(area="birmingham", interventions=["living-well"],
                                              overrides={LW_PEOPLE: 1000}))


def test_living_well_wider_benefits_by_hand():
    """SCIE 2017: Living Well for 1,000 older people in Birmingham, "£1m per year in wider social
    benefits" (2016/17 prices), and "20% average improvement in wellbeing". Method (docs/appraisal.md):
    the source's own figure, £1,000 a person a year, re-priced; its WELLBY equivalent at HM Treasury's
    £13,000 (2019 prices) is the check on its size.

    * social value = 1,000 x £1,000 x 107.88248 / 84.335 = £1,279,213.61 a year (2024/25 prices)
    * WELLBY equivalent = £1,000 x 89.01075 / 84.335 / £13,000 = 0.08119 WELLBY a person a year,
      81.2 WELLBYs for 1,000 people: a rise of 0.08 points of life satisfaction (0-10), well within
      what a 20% improvement in wellbeing would mean, so the £1m is a cautious figure.
    """
    v = _living_well().value()
    lw = v["interventions"][0]
    social = 1000 * 1000 * D_2024_25 / D_2016_17
    assert lw["social"] == pytest.approx(social, abs=0.01)
    assert round(social, 2) == 1_279_213.61
    row = next(o for o in lw["outcomes"] if o["kind"] == "social")
    assert row["valued_by"] == "source" and row["people"] == 1000
    assert "20% average improvement in wellbeing" in row["outcome"]
    w = 1000 * D_2019 / D_2016_17 / 13_000
    assert round(w, 5) == 0.08119
    assert row["wellby_equivalent_per_person"] == pytest.approx(w, abs=1e-4)
    assert row["wellby_equivalent"] == 81.2
    # the fiscal side of the same model: £1,181 council (cashable) and £1,598 NHS (non-cashable) a person
    assert lw["fiscal_cashable"] == pytest.approx(1000 * 1181 * D_2024_25 / D_2016_17, abs=0.01)
    assert lw["fiscal_non_cashable"] == pytest.approx(1000 * 1598 * D_2024_25 / D_2016_17, abs=0.01)


def test_fiscal_cashable_non_cashable_and_social_add_to_the_totals_shown():
    ev = evaluate_document(ScenarioDocument(area="birmingham"))
    v, run, appraisal = ev.value(), ev.run, ev.appraisal_summary()
    t = v["totals"]
    shown_gross = sum(run["totals"]["gross_savings"].values())
    shown_wider = sum(i["wider_benefits"] for i in run["interventions"])
    assert t["fiscal_cashable"] + t["fiscal_non_cashable"] == pytest.approx(shown_gross, abs=0.05)
    assert t["social"] == pytest.approx(shown_wider, abs=0.01)
    assert t["fiscal_cashable"] + t["fiscal_non_cashable"] + t["social"] == pytest.approx(shown_gross + shown_wider, abs=0.05)
    for i, r in zip(v["interventions"], run["interventions"]):
        assert i["fiscal_cashable"] + i["fiscal_non_cashable"] == pytest.approx(sum(r["gross_savings"].values()), abs=0.02)
    m = appraisal["portfolio"]["metrics"]
    assert t["bcr_with_social"] == pytest.approx(m["bcr"], abs=1e-4)  # the appraisal's BCR counts social value
    assert t["bcr_fiscal"] == pytest.approx(m["pv_savings"] / m["pv_cost"], abs=1e-4)
    assert t["bcr_fiscal"] < t["bcr_with_social"]


EXPECTED = {
    "no_valuation_source.yaml": (
        "wider_benefits[wider-social-benefits]: valued_by: the outcome has no valuation source; give wellby "
        "(HM Treasury's WELLBY), qaly (the Green Book's QALY) or source (the document's own money figure, "
        "quoted in value_per_person.ref)"),
    "wellby_out_of_range.yaml": (
        "wider_benefits[wider-social-benefits].unit_value: £20,000 a WELLBY is outside the cited range, "
        "£10,000 to £16,000 (2019 prices; hmt-wellbeing-guidance-2021); give a value within it"),
    "wellby_not_its_value.yaml": (
        "wider_benefits[wider-social-benefits].value_per_person: £1,000.00 is not 0.08 WELLBYs x £13,000 "
        "(2019 prices) re-priced to 2016/17, £985.37; give that value"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_bad_valuation_is_refused_in_one_line(name):
    path = SOCIAL / name
    with pytest.raises(InputFileError) as exc:
        validate_file(path)
    assert exc.value.message == f"{display_path(path)}: {EXPECTED[name]}"
    res = run_cli("validate", str(path))
    assert res.code == 2 and res.out == ""
    assert res.err == f"error: {display_path(path)}: {EXPECTED[name]}\n"


def test_a_social_values_file_with_a_wellby_outside_its_range_is_refused():
    path = SOCIAL / "social_values_out_of_range.yaml"
    with pytest.raises(InputFileError) as exc:
        social_values(path)
    assert exc.value.message == (
        f"{display_path(path)}: values.wellby: value: 20,000 is outside its range, 10,000 to 16,000 (low to high); "
        "give a value within the range the source states")


def test_every_fixture_has_its_message():
    names = {p.name for p in SOCIAL.glob("*.yaml")}
    assert names == set(EXPECTED) | {"social_values_out_of_range.yaml"}


def test_the_run_table_and_json_show_the_three_side_by_side(monkeypatch):
    import json

    monkeypatch.setenv("COLUMNS", "200")
    res = run_cli("run", "--area", "birmingham", "--format", "json")
    assert res.code == 0, res.err
    data = json.loads(res.out)
    t = data["value"]["totals"]
    gross = sum(data["totals"]["gross_savings"].values())
    assert t["fiscal_cashable"] + t["fiscal_non_cashable"] == pytest.approx(gross, abs=0.05)
    assert t["social"] == pytest.approx(sum(i["wider_benefits"] for i in data["interventions"]), abs=0.01)
    assert set(data["value"]["values"]) == {"wellby", "qaly"}
    res = run_cli("run", "--area", "birmingham")
    assert res.code == 0, res.err
    out = res.out
    assert "Fiscal: cashable" in out and "Fiscal: non-cashable" in out and "Social value" in out
    total = next(line for line in out.splitlines() if "£13,225,782" in line)
    assert "£2,865,641" in total and "£1,279,214" in total  # cashable, non-cashable and social in one Total row
    assert "1.69 on fiscal value alone, 1.81 with social value" in " ".join(out.split())
    assert "people feel better (a 20% average improvement in wellbeing)" in out


@pytest.fixture(scope="module")
def web():
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from carescale.web.app import create_app
    from carescale.web.storage import MemoryScenarioStore

    with TestClient(create_app(MemoryScenarioStore()), follow_redirects=False) as client:
        yield client


def test_the_web_result_page_shows_the_three_side_by_side_and_they_add_to_the_totals(web):
    from .test_bridge import pounds, table_rows

    doc = {"area": "birmingham"}
    sid = web.post("/api/v1/scenarios", json=doc).json()["scenario_id"]
    html = web.get(f"/scenario/{sid}").text
    rows = table_rows(html, "value-table")
    head, body = rows[0], rows[1:]
    assert head[2][2:5] == ["Fiscal: cashable", "Fiscal: non-cashable", "Social value"]
    total = [pounds(c) for c in body[-1][2][2:5]]
    models = [[pounds(c) for c in r[2][2:5]] for r in body[:-1]]
    for col in range(3):
        assert total[col] == pytest.approx(sum(m[col] for m in models), abs=len(models))
    api = web.post("/api/v1/run", json=doc).json()
    t = api["value"]["totals"]
    assert total == pytest.approx([t["fiscal_cashable"], t["fiscal_non_cashable"], t["social"]], abs=1)
    assert total[0] + total[1] == pytest.approx(sum(api["totals"]["gross_savings"].values()), abs=2)
    assert "1.69 on fiscal value alone, 1.81 with social value" in html
    assert "people feel better (a 20% average improvement in wellbeing)" in html


@pytest.fixture(scope="module")
def report_data():
    from carescale.reports import prepare

    return prepare({"area": "birmingham", "uncertainty": {"draws": 200}})


def test_the_html_business_case_shows_the_three_side_by_side(report_data):

    from carescale.reports import render

    from .test_bridge import pounds, table_rows

    t = report_data.evaluation.value()["totals"]
    html = render(report_data, "html")
    html = html.decode() if isinstance(html, bytes) else html
    rows = table_rows(html, "value-table")
    assert rows[0][2][2:5] == ["Fiscal: cashable", "Fiscal: non-cashable", "Social value"]
    total = [pounds(c) for c in rows[-1][2][2:5]]
    assert total == pytest.approx([t["fiscal_cashable"], t["fiscal_non_cashable"], t["social"]], abs=1)
    models = [[pounds(c) for c in r[2][2:5]] for r in rows[1:-1]]
    for col in range(3):
        assert total[col] == pytest.approx(sum(m[col] for m in models), abs=len(models))
    assert f"{t['bcr_fiscal']:.2f} on fiscal value alone, {t['bcr_with_social']:.2f} with social value" in html


@pytest.mark.slow  # a whole business-case PDF (WeasyPrint): the everyday run leaves it out, CI runs it
def test_the_pdf_business_case_shows_the_three_side_by_side(report_data):
    import io
    import re

    from carescale.reports import render

    t = report_data.evaluation.value()["totals"]
    pytest.importorskip("weasyprint")
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(render(report_data, "pdf")))
    text = " ".join(re.sub(r"\s+", " ", p.extract_text()) for p in reader.pages)
    assert "Fiscal and social value" in text
    assert f"£{t['fiscal_cashable']:,.0f}" in text and f"£{t['social']:,.0f}" in text
    assert f"{t['bcr_fiscal']:.2f} on fiscal value alone" in text


def test_the_workbook_value_sheet_shows_the_three_side_by_side_and_totals_are_sums(report_data):
    import io

    openpyxl = pytest.importorskip("openpyxl")
    from carescale.reports import render

    t = report_data.evaluation.value()["totals"]
    data = render(report_data, "xlsx")
    formulas = openpyxl.load_workbook(io.BytesIO(data))["Value"]
    cached = openpyxl.load_workbook(io.BytesIO(data), data_only=True)["Value"]
    assert [formulas.cell(3, c).value for c in (3, 4, 5)] == ["Fiscal: cashable", "Fiscal: non-cashable", "Social value"]
    n = len(report_data.evaluation.value()["interventions"])
    total_row = 4 + n
    assert formulas.cell(total_row, 1).value == "Total"
    for col, key in ((3, "fiscal_cashable"), (4, "fiscal_non_cashable"), (5, "social")):
        letter = "CDE"[col - 3]
        assert formulas.cell(total_row, col).value == f"=SUM(${letter}$4:${letter}${total_row - 1})"
        column = [cached.cell(r, col).value for r in range(4, total_row)]
        assert cached.cell(total_row, col).value == pytest.approx(sum(column), abs=0.05)
        assert cached.cell(total_row, col).value == pytest.approx(t[key], abs=0.05)


def test_the_optimiser_with_a_social_objective_gives_a_different_explained_portfolio_for_birmingham():
    """Birmingham, £8m over 10 years for set-up and running cost. Maximising NPV (fiscal) fills
    Living Well (the best return per pound) and spends what is left on 10% of Kent's hospital
    discharge project; maximising social value takes Living Well only, the one model whose evidence
    values what it does for people (SCIE's "£1m per year in wider social benefits"), and leaves the
    hospital discharge project out because it adds no social value. Fiscal and social together
    (npv-with-social) choose as NPV does: Living Well's social value only adds to its lead."""
    from carescale.optimise.core import optimise

    def run(objective):
        s = optimise({"area": "birmingham"}, {"objective": objective, "budget": 8_000_000}).summary()
        return s, {m["id"]: m for m in s["models"]}

    fiscal, fm = run("npv")
    social, sm = run("social")
    both, bm = run("npv-with-social")
    assert fm["living-well"]["scale"] == pytest.approx(1.0) and sm["living-well"]["scale"] == pytest.approx(1.0)
    assert 0.05 < fm["hospital-discharge"]["scale"] < 0.2 and fm["hospital-discharge"]["in"]
    assert not sm["hospital-discharge"]["in"] and sm["hospital-discharge"]["scale"] == 0
    assert sm["hospital-discharge"]["why"] == (
        "left out: adding it at 100% would not raise the present value of social value over 10 years")
    assert social["objective"]["label"] == "present value of social value over 10 years"
    # the two portfolios: the same social value, the NPV one £1.56m more NPV
    assert social["figures"]["pv_social"] == pytest.approx(fiscal["figures"]["pv_social"], rel=1e-9)
    assert social["objective"]["value"] == pytest.approx(social["figures"]["pv_social"])
    assert fiscal["figures"]["npv"] - social["figures"]["npv"] == pytest.approx(1_556_971, abs=5)
    assert {k: m["scale"] for k, m in bm.items()} == pytest.approx({k: m["scale"] for k, m in fm.items()})
    assert both["objective"]["value"] == pytest.approx(both["figures"]["npv"] + both["figures"]["pv_social"])


def test_social_value_is_no_payers_money_in_the_optimiser():
    from carescale.optimise.spec import OptimiseSpec

    with pytest.raises(ValueError, match="payer: social value is no payer's money; leave payer out of the social objective"):
        OptimiseSpec(objective="social", payer="asc")


def test_the_uncertainty_analysis_covers_social_value_apart_from_the_money():
    """Living Well's £1,000 a person of wider benefits is drawn like every figure (its default
    width), so social value gets its own spread; the NPV and net savings stay fiscal."""
    ev = evaluate_document(ScenarioDocument(area="birmingham", uncertainty={"draws": 500}))
    u = ev.uncertainty()
    sv = u["portfolio"]["social_value"]
    assert sv["deterministic"] == pytest.approx(1_279_213.6, abs=0.01)
    s = sv["summary"]
    assert s["p05"] < sv["deterministic"] < s["p95"] and s["sd"] > 0
    by_id = {i["id"]: i["social_value"] for i in u["interventions"]}
    assert by_id["community-agents"]["summary"]["sd"] == 0 and by_id["community-agents"]["deterministic"] == 0
    assert by_id["living-well"]["summary"]["mean"] == pytest.approx(s["mean"])
    # the NPV is fiscal: its central value is the appraisal's NPV, not NPV plus social value
    assert u["portfolio"]["npv"]["deterministic"] == pytest.approx(ev.appraisal_summary()["portfolio"]["metrics"]["npv"], abs=1)


def test_results_by_age_group_add_up_to_the_totals(monkeypatch):
    """Birmingham: people aged 65 and over (Community Agents, Living Well, Support at Home),
    adults with a learning disability (Kent Pathways, Shared Lives), with mental health needs
    (Shared Lives) and the hospital discharge project (sized from spend, so its age is not known)."""
    v = evaluate_document(ScenarioDocument(area="birmingham")).value()
    groups = {(g["age_group"], g["support_reason"]): g for g in v["by_age_group"]}
    assert set(groups) == {("65 and over", None), ("all ages (adults)", "learning disability"),
                           ("all ages (adults)", "mental health"),
                           ("not known (the model is sized from spend, not people)", None)}
    older = groups[("65 and over", None)]
    assert older["models"] == ["Community Agents", "Living Well (Age UK)", "British Red Cross Support at Home"]
    assert older["social"] == v["totals"]["social"]  # Living Well's wider benefits reach people aged 65 and over
    people = {i["id"]: i["people"] for i in v["interventions"]}
    assert older["people"] == pytest.approx(people["community-agents"] + people["living-well"] + people["support-at-home"], abs=0.1)
    for key in ("fiscal_cashable", "fiscal_non_cashable", "social"):
        assert sum(g[key] for g in groups.values()) == pytest.approx(v["totals"][key], abs=0.05)
    monkeypatch.setenv("COLUMNS", "220")
    res = run_cli("run", "--area", "birmingham")
    assert "Who benefits: by age group and support reason" in res.out and "learning disability" in res.out


def test_ascot_where_the_evidence_reports_it(seeds_dir):
    """Issue 23: social-care-related quality of life (ASCOT) 'where the evidence reports it'. Two
    seed sentences report it, both as a direction with no score or change; each is kept as a
    finding (with its quote) of the case study behind the model, and docs/appraisal.md says plainly
    that no seed reports a figure to carry or value."""
    import re
    from pathlib import Path

    from .conftest import normalise

    text = " ".join(normalise(p.read_text(encoding="utf-8")) for p in sorted(seeds_dir.glob("*.txt")))
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if re.search(r"\bASCOT\b|ASCOF tool", s)]
    assert len(sentences) == 2
    assert not any(re.search(r"\d", s) for s in sentences)  # no score, no change: a direction only
    lib = default_library()
    findings = {c.id: [normalise(f.ref.quote) for f in c.findings] for c in lib.case_studies.values()}
    for case, model in (("micro-enterprise-research", "community-enterprises"),
                        ("wolverhampton-promoting-independence", "promoting-independence-reviews")):
        assert model in lib.case_study(case).models
        assert any(re.search(r"\bASCOT\b|ASCOF tool", q) for q in findings[case]), case
    docs = " ".join((Path(__file__).resolve().parents[1] / "docs" / "appraisal.md").read_text(encoding="utf-8").split())
    assert "No seed reports an ASCOT (or ASCOF 1A social-care-related quality of life) score or change" in docs
