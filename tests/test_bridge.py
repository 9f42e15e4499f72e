"""The bridge from the evidence figure to every headline (issue 21): each step by model and payer,
adding up to its headline in the library, the CLI's JSON and tables, the web page, the JSON API,
the PDF's text and the recalculated workbook, for four scenarios (the goldens' four: Birmingham,
a part-scale one, Living Well at 2,000 people, Cornwall on the current basis)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from carescale.scenarios import evaluate_document, parse_data

from .conftest import run_cli
from .test_national import small_files  # noqa: F401  (fixture: two councils' official files)

#: name -> (CLI arguments, the same scenario document)
SCENARIOS = {
    "birmingham": (["--area", "birmingham"], {"version": 1, "area": "birmingham"}),
    "part-scale": (None, {"version": 1, "area": "birmingham", "scale": {"living-well": 0.5, "shared-lives": 0.25}}),
    "overridden": (["--area", "birmingham", "--set", "living-well.older-people-multiple-ltc.people=2000"],
                   {"version": 1, "area": "birmingham",
                    "overrides": {"living-well.older-people-multiple-ltc.people": 2000}}),
    "cornwall-current": (["--area", "cornwall", "--basis", "current"],
                         {"version": 1, "area": "cornwall", "basis": "current"}),
}
SUBTOTALS = ["net_a_year", "net_full_scale_period", "net_over_period", "npv"]


def cli_args(name: str, tmp_path: Path) -> list[str]:
    args, doc = SCENARIOS[name]
    if args is None:
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        args = ["--scenario", str(path)]
    return args


def steps_add_up(bridge: dict, tolerance: float) -> dict[str, float]:
    """Check every subtotal is the sum of the steps above it and equals its headline (by payer
    too); return the subtotals by key."""
    running: dict[str, float] = {"asc": 0.0, "nhs": 0.0}
    found = {}
    for ln in bridge["lines"]:
        if ln["kind"] == "step":
            running[ln["payer"]] += ln["amount"]
            continue
        for payer, amount in running.items():
            assert ln["by_payer"][payer] == pytest.approx(amount, abs=tolerance)
            assert ln["headline_by_payer"][payer] == pytest.approx(amount, abs=tolerance), (ln["step"], payer)
        assert abs(sum(running.values()) - ln["headline"]) < tolerance, ln["step"]
        assert abs(ln["residual"]) < 1e-6
        found[ln["step"]] = ln["headline"]
    assert list(found) == SUBTOTALS
    return found


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_bridge_closes_exactly_on_its_headlines(name):
    ev = evaluate_document(parse_data(SCENARIOS[name][1]))
    b = ev.bridge()
    heads = steps_add_up(b, 1e-6)
    totals = ev.run["totals"]["net_savings"]
    metrics = ev.appraisal_summary()["portfolio"]["metrics"]
    assert heads["net_a_year"] == pytest.approx(totals["asc"] + totals["nhs"], abs=0.01)
    assert heads["net_full_scale_period"] == pytest.approx(ev.appraisal().years * heads["net_a_year"], abs=1e-6)
    assert heads["net_over_period"] == pytest.approx(metrics["net_budget_impact"], abs=0.01)
    assert heads["npv"] == pytest.approx(metrics["npv"], abs=0.01)
    # by model: each model's lines add up to its own run net and its own NPV
    items = {i["id"]: i for i in ev.appraisal_summary()["interventions"]}
    for ln in b["lines"]:
        if ln["kind"] == "subtotal" and "headline_by_model" in ln:
            for model, amount in ln["by_model"].items():
                assert amount == pytest.approx(ln["headline_by_model"][model], abs=1e-6), (ln["step"], model)
            if ln["step"] == "npv":
                assert {m: round(v, 2) for m, v in ln["headline_by_model"].items()} == {
                    m: i["metrics"]["npv"] for m, i in items.items()} | {
                    m: round(v, 2) for m, v in ln["headline_by_model"].items() if m not in items}


def test_each_step_is_the_figure_it_names():
    """Birmingham by hand: optimism bias on Living Well's savings is its evidence level's share of
    ten years of its gross saving (the nesta-levels method: the default Green Book method takes
    nothing off savings); set-up is Shared Lives' set-up investment; discounting is the NPV
    less the undiscounted net; the overlap a year is the run's deduction."""
    ev = evaluate_document(parse_data({**SCENARIOS["birmingham"][1],
                                       "appraisal": {"optimism_bias_method": "nesta-levels"}}))
    b = ev.bridge()
    run = {i["id"]: i for i in ev.run["interventions"]}

    def amount(step, model):
        return sum(ln["amount"] for ln in b["lines"] if ln["kind"] == "step" and ln["step"] == step
                   and ln["model"] == model)

    lw = ev.appraisal().interventions["living-well"]
    down = lw.optimism_bias[1]
    assert down > 0
    gross = sum(run["living-well"]["gross_savings"].values())
    assert amount("gross_a_year", "living-well") == pytest.approx(gross, abs=0.01)
    assert amount("optimism_bias_savings", "living-well") == pytest.approx(-down * 10 * gross, abs=0.1)
    assert amount("setup", "shared-lives") == pytest.approx(-run["shared-lives"]["setup_investment"], abs=0.01)
    assert amount("setup", "shared-lives") < 0
    # the cash-flow table's set-up (with optimism bias; all in year 1, up-front) is set-up plus its optimism bias
    years = ev.appraisal_summary()["portfolio"]["years"]
    assert amount("setup", "shared-lives") + amount("optimism_bias_setup", "shared-lives") == pytest.approx(
        -years[0]["setup"], abs=0.01)
    assert sum(y["setup"] for y in years[1:]) == 0.0
    up = ev.appraisal().interventions["shared-lives"].optimism_bias[0]
    assert amount("optimism_bias_setup", "shared-lives") == pytest.approx(up * amount("setup", "shared-lives"), abs=0.01)
    m = lw.metrics
    assert amount("discounting", "living-well") == pytest.approx(float(m.npv[0] - m.net_budget_impact[0]), abs=1e-6)
    for ov in ev.run["overlaps"]:
        assert amount("overlap_a_year", ov["id"]) == pytest.approx(-sum(ov["deduction"].values()), abs=0.01)
    labels = {ln["step"]: ln["label"] for ln in b["lines"]}
    assert labels["deadweight_attribution"].startswith("Deadweight and attribution")
    assert all(ln["source"] for ln in b["lines"] if ln["kind"] == "step")
    assert b["prices"]["label"] == ev.run["prices"]["label"]


def test_deadweight_drop_off_and_lag_are_their_own_steps_and_still_close():
    doc = {"version": 1, "area": "birmingham", "appraisal": {"interventions": {
        "living-well": {"deadweight": 0.2, "attribution": 0.9, "drop_off": 0.25, "lag_months": 3}}}}
    ev = evaluate_document(parse_data(doc))
    b = ev.bridge()
    steps_add_up(b, 1e-6)

    def amount(step, model):
        return sum(ln["amount"] for ln in b["lines"] if ln["kind"] == "step" and ln["step"] == step
                   and ln["model"] == model)

    gross = amount("gross_a_year", "living-well") * 10
    after_ob = gross + amount("optimism_bias_savings", "living-well")
    # deadweight and attribution keep (1 - 0.2) x 0.9 = 72% of the savings after optimism bias
    assert amount("deadweight_attribution", "living-well") == pytest.approx(-(1 - 0.72) * after_ob, abs=0.1)
    assert amount("drop_off_lag", "living-well") < -0.25 * 0.72 * after_ob  # most years lose a quarter or more
    # a model the settings leave alone takes its evidence design's counterfactual (issue 21:
    # Community Agents is before-and-after evidence: (1 - 20%) x 90% = 72%, 5% a year drop-off)
    ca_after = amount("gross_a_year", "community-agents") * 10 + amount("optimism_bias_savings", "community-agents")
    assert amount("deadweight_attribution", "community-agents") == pytest.approx(-(1 - 0.72) * ca_after, abs=0.1)
    assert amount("drop_off_lag", "community-agents") < 0
    # without the counterfactual defaults it has neither step
    off = evaluate_document(parse_data({**doc, "appraisal": {**doc["appraisal"], "counterfactual": False}})).bridge()
    steps_add_up(off, 1e-6)
    assert sum(ln["amount"] for ln in off["lines"] if ln["kind"] == "step" and ln["model"] == "community-agents"
               and ln["step"] in ("deadweight_attribution", "drop_off_lag")) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("settings", [
    {"years": 3, "discount_rate": 0.05, "setup_timing": "as-places-fill"},
    {"years": 1, "optimism_bias": False},
    {"years": 25, "interventions": {"shared-lives": {"months_to_first_beneficiary": 30, "months_to_full_scale": 40}}},
], ids=["3-years-flat-5pc-as-places-fill", "1-year-no-optimism-bias", "25-years-slow-ramp"])
def test_the_bridge_closes_under_other_settings_from_python(settings):
    import carescale
    from carescale.appraisal import appraise, make_settings
    from carescale.appraisal.bridge import bridge

    scenario = carescale.define_scenario("birmingham")
    st = make_settings(settings)
    result = appraise(scenario, st)
    b = bridge(scenario, result)
    heads = steps_add_up(b, 1e-6)
    assert heads["npv"] == pytest.approx(float(result.portfolio.metrics.npv[0]), abs=1e-6)
    assert b["years"] == st.years
    optimism = [ln["amount"] for ln in b["lines"] if ln["step"].startswith("optimism_bias")]
    assert any(optimism) == st.optimism_bias


@pytest.mark.parametrize("name", ["birmingham", "cornwall-current", "lag-drop-off"])
def test_the_bridge_from_the_appraisals_engine_runs_is_the_bridge_worked_out_afresh(name):
    """The bridge reads the appraisal's savings run (and puts its annual figures on the steady
    state and on full scale from month 1) when the appraisal ran on the bridge's own values: every
    line is the one the bridge gives when it runs the engine itself (issue 25)."""
    import dataclasses

    from carescale.appraisal.bridge import bridge

    doc = SCENARIOS[name][1] if name in SCENARIOS else {"version": 1, "area": "birmingham", "appraisal": {
        "interventions": {"living-well": {"drop_off": 0.25, "lag_months": 3, "duration_years": 4}}}}
    ev = evaluate_document(parse_data(doc))
    appraisal = ev.appraisal()
    assert appraisal.engine_runs is not None and appraisal.engine_runs.values is ev.values
    shared = bridge(ev.scenario, appraisal, ev.values, ev.parameters, ev.result)
    afresh = bridge(ev.scenario, dataclasses.replace(appraisal, engine_runs=None), ev.values, ev.parameters, ev.result)
    other_values = bridge(ev.scenario, appraisal, dict(ev.values), ev.parameters, ev.result)  # not the appraisal's: afresh
    assert json.dumps(shared) == json.dumps(afresh) == json.dumps(other_values) == json.dumps(ev.bridge())


@pytest.mark.parametrize("command", ["run", "appraise"])
@pytest.mark.parametrize("name", SCENARIOS)
def test_the_cli_json_bridge_adds_up_to_its_headlines(tmp_path, name, command):
    got = run_cli(command, *cli_args(name, tmp_path), "--format", "json")
    assert got.code == 0, got.err
    data = got.json()
    heads = steps_add_up(data["bridge"], 1.0)
    if command == "run":
        assert heads["net_a_year"] == pytest.approx(sum(data["totals"]["net_savings"].values()), abs=1.0)
    else:
        assert heads["npv"] == pytest.approx(data["portfolio"]["metrics"]["npv"], abs=1.0)
        assert heads["net_over_period"] == pytest.approx(data["portfolio"]["metrics"]["net_budget_impact"], abs=1.0)
    assert data["bridge"]["prices"] == data["prices"]


def test_the_cli_tables_print_the_bridge(monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")  # wide enough that no label wraps
    got = run_cli("run", "--area", "birmingham")
    assert got.code == 0, got.err
    flat = " ".join(got.out.split())
    assert "From the evidence to the headlines" in flat and "Optimism bias on savings" in flat
    assert "Net present value (NPV)" in flat
    appraise = " ".join(run_cli("appraise", "--area", "birmingham").out.split())
    assert "Net over the 10 years, undiscounted (the cash-flow table's total)" in appraise


# -- the web page and the JSON API ---------------------------------------------------------------------------


class TableRows(HTMLParser):
    """The rows of one table (by id) of a page: (data-step, class, [cell texts])."""

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id, self.inside, self.rows, self.cell = table_id, False, [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and a.get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append((a.get("data-step"), a.get("class") or "", []))
        elif self.inside and tag in ("td", "th") and self.rows:
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table" and self.inside:
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1][2].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def pounds(text: str) -> float:
    """'-£1,234.56' -> -1234.56"""
    m = re.fullmatch(r"(-?)£([\d,]+(?:\.\d+)?)", text.strip())
    assert m, text
    return (-1 if m.group(1) else 1) * float(m.group(2).replace(",", ""))


def table_rows(html: str, table_id: str):
    parser = TableRows(table_id)
    parser.feed(html)
    return parser.rows


def page_bridge_adds_up(html: str, tolerance: float = 1.0) -> dict[str, tuple[float, float, float]]:
    """The bridge table of a result page: every subtotal row is the sum of the rows above it (by
    payer and both); the subtotals by step."""
    rows = table_rows(html, "bridge-table")
    assert rows, "no bridge table on the page"
    run = [0.0, 0.0, 0.0]
    found = {}
    for step, cls, cells in rows[1:]:  # the first row is the head
        if "carescale-total" in cls:
            got = [pounds(c) for c in cells[1:4]]  # the label spans two columns
            assert got == pytest.approx(run, abs=tolerance), step
            found[step] = tuple(got)
        else:
            amounts = [pounds(c) for c in cells[2:5]]
            assert amounts[2] == pytest.approx(amounts[0] + amounts[1], abs=0.011)
            run = [r + a for r, a in zip(run, amounts)]
    assert list(found) == SUBTOTALS
    return found


@pytest.fixture(scope="module")
def web():
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from carescale.web.app import create_app
    from carescale.web.storage import MemoryScenarioStore

    with TestClient(create_app(MemoryScenarioStore()), follow_redirects=False) as client:
        yield client


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
@pytest.mark.parametrize("name", SCENARIOS)
def test_the_web_page_bridge_adds_up_to_its_headlines(web, name):
    doc = SCENARIOS[name][1]
    sid = web.post("/api/v1/scenarios", json=doc).json()["scenario_id"]
    html = web.get(f"/scenario/{sid}").text
    found = page_bridge_adds_up(html)
    api = web.post("/api/v1/appraise", json=doc).json()
    heads = steps_add_up(api["bridge"], 1.0)  # the JSON API's bridge, the same
    for step, (asc, nhs, both) in found.items():
        assert both == pytest.approx(heads[step], abs=1.0)
    assert found["npv"][2] == pytest.approx(api["portfolio"]["metrics"]["npv"], abs=1.0)
    run = web.post("/api/v1/run", json=doc).json()
    assert found["net_a_year"][0] == pytest.approx(run["totals"]["net_savings"]["asc"], abs=1.0)
    assert found["net_a_year"][1] == pytest.approx(run["totals"]["net_savings"]["nhs"], abs=1.0)
    # the headline panel and the key figures show the same figures, rounded
    from carescale.web.formatting import money, short_money

    assert f'<span id="total-asc">{short_money(found["net_a_year"][0])}</span>' in html
    assert f"{money(found['npv'][2])} (council {money(found['npv'][0])}, NHS {money(found['npv'][1])})" in html
    # the cash-flow table: every column that makes its net, by year; the nets add up to the bridge's total
    cash = [cells for _, cls, cells in table_rows(html, "cash-table")[1:]]
    years, total = cash[:-1], cash[-1]
    for cells in years:
        gross, overlap, running, setup, net = (pounds(c) for c in cells[1:6])
        assert net == pytest.approx(gross - overlap - running - setup, abs=2.0)
    assert sum(pounds(c[5]) for c in years) == pytest.approx(found["net_over_period"][2], abs=len(years))
    assert pounds(total[2]) == pytest.approx(found["net_over_period"][2], abs=1.0)
    assert sum(pounds(c[10]) for c in years) == pytest.approx(found["npv"][2], abs=len(years))
    assert 'role="region" aria-labelledby="bridge-caption" tabindex="0"' in html  # scrolls on a phone


# -- the PDF business case and the recalculated workbook ---------------------------------------------------------

MONEY = r"-?£[\d,]+\.\d\d"
BRIDGE_ROW = re.compile(rf"^(.*?)\s({MONEY})\s+({MONEY})\s+({MONEY})\s*$")


def pdf_bridge(pdf: bytes, tmp_path: Path) -> list[tuple[bool, list[float]]]:
    """The bridge table of a business-case PDF read back with pdftotext -layout: (is a subtotal,
    [council, NHS, both]) for each row."""
    import subprocess

    path = tmp_path / "case.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True, timeout=120).stdout
    start = text.index("The bridge (pounds and pence")
    end = text.index("How each step is worked out", start)
    rows = []
    for line in text[start:end].splitlines():
        m = BRIDGE_ROW.match(line.strip())
        if m:
            rows.append((m.group(1).startswith("= "), [pounds(m.group(k)) for k in (2, 3, 4)]))
    return rows


@pytest.mark.slow  # four business-case PDFs (about 6 s each)
@pytest.mark.parametrize("name", SCENARIOS)
def test_the_pdf_bridge_adds_up_to_its_headlines(tmp_path, name):
    import shutil

    from carescale.reports import prepare, render

    from .conftest import require_tool

    require_tool(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    data = prepare(SCENARIOS[name][1], uncertainty=False)
    rows = pdf_bridge(render(data, "pdf"), tmp_path)
    heads = steps_add_up(data.bridge, 1e-6)
    running = [0.0, 0.0, 0.0]
    subtotals = []
    for is_subtotal, amounts in rows:
        if is_subtotal:
            assert amounts == pytest.approx(running, abs=1.0)
            subtotals.append(amounts)
        else:
            assert amounts[2] == pytest.approx(amounts[0] + amounts[1], abs=0.011)
            running = [r + a for r, a in zip(running, amounts)]
    assert len(subtotals) == len(SUBTOTALS)
    for key, amounts in zip(SUBTOTALS, subtotals):
        assert amounts[2] == pytest.approx(heads[key], abs=1.0), key
    assert subtotals[-1][2] == pytest.approx(data.appraisal_summary["portfolio"]["metrics"]["npv"], abs=1.0)


@pytest.mark.slow  # LibreOffice recalculates four workbooks (one start-up)
def test_the_recalculated_workbook_bridge_sums_to_its_live_headline_cells(tmp_path):
    import shutil

    from carescale.reports import prepare
    from carescale.reports.workbook import workbook_bytes

    from .conftest import require_tool
    from .test_reports_workbook import named, recalculate

    require_tool(shutil.which("soffice") is not None, "LibreOffice (soffice)")
    import openpyxl

    files, prepared = [], {}
    for name, (_, doc) in SCENARIOS.items():
        prepared[name] = prepare(doc, uncertainty=False)
        f = tmp_path / f"{name}.xlsx"
        f.write_bytes(workbook_bytes(prepared[name], cached=False))  # every formula cell 0 until recalculated
        files.append(f)
    out = recalculate(files, tmp_path / "out", tmp_path / "lo-profile")
    for name, path in out.items():
        wb = openpyxl.load_workbook(path, data_only=True)
        heads = steps_add_up(prepared[name].bridge, 1e-6)
        for key in SUBTOTALS:
            assert named(wb, f"bridge_{key}") == pytest.approx(heads[key], abs=1.0), (name, key)
            assert named(wb, f"headline_{key}") == pytest.approx(heads[key], abs=1.0), (name, key)
            for payer in ("", "_asc", "_nhs"):
                assert abs(named(wb, f"difference_{key}{payer}")) < 1.0, (name, key, payer)
        # and the rows: each subtotal is the sum of the step rows above it
        ws = wb["Bridge"]
        running = [0.0, 0.0, 0.0]
        seen = 0
        for row in ws.iter_rows(min_row=6, values_only=True):
            if row[0] is None:
                continue
            amounts = [float(row[c]) for c in (2, 3, 4)]
            if row[5] is None:  # a step
                running = [r + a for r, a in zip(running, amounts)]
            else:
                assert amounts == pytest.approx(running, abs=1e-4)
                seen += 1
        assert seen == len(SUBTOTALS)
        assert named(wb, "p_portfolio.npv") == pytest.approx(heads["npv"], abs=1.0)


# -- one document, every entry point --------------------------------------------------------------------------


def test_every_entry_point_gives_the_same_bridge_totals_and_price_base(tmp_path, small_files):  # noqa: F811
    """One document (Birmingham as the national roll-up builds it from the official files) through
    the CLI (run and appraise), the Python API, the JSON API, the national roll-up and the report:
    the same net saving a year, net over the period and NPV, and the same price base."""
    import carescale
    from carescale.national import build_profiles
    from carescale.official import read_ascof, read_mye
    from carescale.reports.numbers import pence
    from carescale.scenarios import ScenarioDocument, load_scenario
    from carescale.scenarios.document import AreaInline

    mye, ascof = small_files
    (bham,) = [p.area for p in build_profiles(read_mye(mye), read_ascof(ascof), "2023").councils
               if p.area.ons_code == "E08000025"]
    doc = ScenarioDocument(area=AreaInline(inline=bham))
    path = tmp_path / "s.yaml"
    path.write_text(doc.to_yaml(), encoding="utf-8")

    run = run_cli("run", "--scenario", str(path), "--format", "json").json()
    heads = steps_add_up(run["bridge"], 1.0)
    label = run["prices"]["label"]
    assert label.startswith("2024/25 prices") and run["bridge"]["prices"]["label"] == label
    net = run["totals"]["net_savings"]
    assert heads["net_a_year"] == pytest.approx(net["asc"] + net["nhs"], abs=1.0)

    appraise = run_cli("appraise", "--scenario", str(path), "--format", "json").json()
    assert steps_add_up(appraise["bridge"], 1.0) == pytest.approx(heads, abs=1.0)
    assert appraise["portfolio"]["metrics"]["npv"] == pytest.approx(heads["npv"], abs=1.0)
    assert appraise["prices"]["label"] == label

    ev = evaluate_document(load_scenario(path))  # the Python API, on the same file
    assert ev.bridge()["headlines"] == pytest.approx(heads, abs=1.0)
    api = carescale.summary(carescale.evaluate(carescale.define_scenario(bham)))
    assert api["totals"]["net_savings"] == net and api["prices"]["label"] == label

    from fastapi.testclient import TestClient

    from carescale.web.app import create_app
    from carescale.web.storage import MemoryScenarioStore

    with TestClient(create_app(MemoryScenarioStore())) as client:
        for route in ("run", "appraise"):
            got = client.post(f"/api/v1/{route}", json=doc.data())
            assert got.status_code == 200, got.text
            assert steps_add_up(got.json()["bridge"], 1.0) == pytest.approx(heads, abs=1.0)
            assert got.json()["prices"]["label"] == label

    national = run_cli("national", "--mye", str(mye), "--ascof", str(ascof), "--format", "json")
    assert national.code == 0, national.err
    national = national.json()
    (row,) = [a for a in national["areas"] if a["code"] == "E08000025"]
    assert row["net_savings"] == net and label in national["units"]
    assert row["net_savings"]["asc"] + row["net_savings"]["nhs"] == pytest.approx(heads["net_a_year"], abs=1.0)

    md = tmp_path / "b.md"
    report = run_cli("report", "--scenario", str(path), "--draws", "200", "-o", str(md))
    assert report.code == 0, report.err
    text = md.read_text(encoding="utf-8")
    assert f"in {label}." in text
    bridge = [ln for ln in run["bridge"]["lines"] if ln["kind"] == "subtotal"]
    for ln in bridge:  # every subtotal of the bridge, to the penny, in the report's bridge table
        assert f"**= {ln['label']}** | | **{pence(ln['by_payer']['asc'])}** | **{pence(ln['by_payer']['nhs'])}** | " \
               f"**{pence(ln['amount'])}** |" in text, ln["step"]
