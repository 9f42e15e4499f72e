"""The Excel business case: live formulas recalculated by LibreOffice give the CLI's figures.

Workbooks are written WITHOUT cached values (every formula cell holds 0), then LibreOffice
headless converts them with "recalculate on load: always" set in a throw-away profile, so every
figure read back was computed by LibreOffice from the formulas, not by us. One LibreOffice
start-up converts all the workbooks (module-scoped fixture).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from carescale.reports import prepare
from carescale.reports.workbook import workbook_bytes

from .conftest import require_tool, run_cli

LW_RATE = "living-well.older-people-multiple-ltc.sizing.rate"
HOSTILE_AREA = '=HYPERLINK("http://x","y")'
HOSTILE_NOTE = "<script>alert(1)</script>"

PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def recalculate(files: list[Path], outdir: Path, profile: Path) -> dict[str, Path]:
    """Convert ``files`` to xlsx with LibreOffice, recalculating every formula on load."""
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(PROFILE)
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", "xlsx", "--outdir", str(outdir), *map(str, files)],
        check=True, capture_output=True, timeout=240,
    )
    return {f.stem: outdir / f.name for f in files}


def named(wb, name: str):
    """The value of the cell a defined name points at."""
    (sheet, ref), = list(wb.defined_names[name].destinations)
    return wb[sheet][ref.replace("$", "")].value


def input_cell(wb, path: str):
    (sheet, ref), = list(wb.defined_names["in_" + path.replace("-", "_")].destinations)
    return wb[sheet][ref.replace("$", "")]


CASES = {
    # the paper's prices (as published), and a source site re-priced to the default price base
    "birmingham": {"area": "birmingham", "reprice": False},
    "cornwall": {"area": "cornwall", "basis": "current"},
    # other routes through the formulas: set-up as places fill, a flat 5% rate, a model at half scale
    "birmingham-settings": {"area": "birmingham", "scale": {"living-well": 0.5, "shared-lives": 0.6},
                            "appraisal": {"setup_timing": "as-places-fill", "discount_rate": 0.05}},
    # models calibrated to one site (issue 23) in an official council profile: full costs by role,
    # savings priced by the unit-cost library, a cost from a published return
    "leeds-calibrated": {"area": "leeds", "interventions": ["falls-prevention", "integrated-admission-avoidance",
                                                            "community-enterprises"]},
}


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    require_tool(shutil.which("soffice") is not None, "LibreOffice (soffice)")
    import openpyxl

    tmp = tmp_path_factory.mktemp("workbooks")
    files = []
    prepared = {}
    for key, req in CASES.items():
        data = prepare(req, uncertainty=False)
        prepared[key] = data
        f = tmp / f"{key}.xlsx"
        f.write_bytes(workbook_bytes(data, cached=False))
        files.append(f)
    # a finance officer changes ONE input cell (Living Well take-up) in the Birmingham workbook
    wb = openpyxl.load_workbook(tmp / "birmingham.xlsx")
    input_cell(wb, LW_RATE).value = 0.02
    wb.save(tmp / "birmingham-edited.xlsx")
    files.append(tmp / "birmingham-edited.xlsx")
    out = recalculate(files, tmp / "out", tmp / "lo-profile")
    books = {k: openpyxl.load_workbook(p, data_only=True) for k, p in out.items()}
    return books, prepared


def _check_against(wb, run: dict, appraisal: dict) -> None:
    t = run["totals"]
    assert named(wb, "t_net_asc") == pytest.approx(t["net_savings"]["asc"], abs=1)
    assert named(wb, "t_net_nhs") == pytest.approx(t["net_savings"]["nhs"], abs=1)
    assert named(wb, "t_cost") == pytest.approx(t["cost"], abs=1)
    assert named(wb, "t_beneficiaries") == pytest.approx(t["beneficiaries"], abs=0.01)
    for item in run["interventions"]:
        nid = item["id"].replace("-", "_")
        assert named(wb, f"m_{nid}.net_asc") == pytest.approx(item["net_savings"]["asc"], abs=1), item["id"]
        assert named(wb, f"m_{nid}.net_nhs") == pytest.approx(item["net_savings"]["nhs"], abs=1), item["id"]
    for item in [*appraisal["interventions"], appraisal["portfolio"]]:
        pre = "p_portfolio" if item["id"] == "portfolio" else "m_" + item["id"].replace("-", "_")
        m = item["metrics"]
        assert named(wb, f"{pre}.npv") == pytest.approx(m["npv"], abs=1), item["id"]
        assert named(wb, f"{pre}.npv_asc") == pytest.approx(m["npv_by_payer"]["asc"], abs=1), item["id"]
        assert named(wb, f"{pre}.npv_nhs") == pytest.approx(m["npv_by_payer"]["nhs"], abs=1), item["id"]
        assert named(wb, f"{pre}.budget") == pytest.approx(m["net_budget_impact"], abs=1), item["id"]
        assert named(wb, f"{pre}.break_even") == (m["break_even_month"] or "does not break even"), item["id"]
        if m["roi"] is None:
            assert named(wb, f"{pre}.roi") == "no cost evidence"
        else:
            assert named(wb, f"{pre}.roi") == pytest.approx(m["roi"], abs=1e-4), item["id"]


@pytest.mark.slow  # LibreOffice recalculates the workbooks (about 6 s)
@pytest.mark.parametrize(
    "key,args",
    [
        ("birmingham", ["--area", "birmingham", "--no-reprice"]),
        ("cornwall", ["--area", "cornwall", "--basis", "current"]),
        ("leeds-calibrated", ["--area", "leeds", "--interventions",
                              "falls-prevention,integrated-admission-avoidance,community-enterprises"]),
    ],
)
def test_recalculated_workbook_matches_cli(recalculated, key, args):
    """Birmingham and a source site (Cornwall, current basis): LibreOffice's recalculation of
    the formulas gives the CLI's `run` and `appraise` figures within £1."""
    books, _ = recalculated
    run = run_cli("run", *args, "--format", "json")
    assert run.code == 0, run.err
    if key != "cornwall":
        appraisal = run_cli("appraise", *args, "--format", "json").json()
    else:  # `appraise` takes no --basis: the library call the CLI makes, on the same document
        from carescale.scenarios import appraise_document, parse_data

        appraisal = appraise_document(parse_data(CASES[key]))
    _check_against(books[key], run.json(), appraisal)
    # the published Birmingham totals (scie-2017 summary table: net £7.5m ASC, £1.8m NHS)
    if key == "birmingham":
        assert round(named(books[key], "t_net_asc") / 1e5) / 10 == 7.5
        assert round(named(books[key], "t_net_nhs") / 1e5) / 10 == 1.8


@pytest.mark.slow  # LibreOffice recalculates the workbooks (about 6 s)
def test_recalculated_appraisal_settings_route(recalculated):
    """Set-up as places fill and a flat 5% rate: the formula route matches the engine's."""
    books, prepared = recalculated
    d = prepared["birmingham-settings"]
    _check_against(books["birmingham-settings"], d.run, d.appraisal_summary)


@pytest.mark.slow  # LibreOffice recalculates the workbooks (about 6 s)
def test_changing_one_input_cell_recalculates_like_the_engine(recalculated):
    """Changing Living Well's take-up cell in Inputs and recalculating gives what the engine
    gives for the same override, and differs from the unchanged workbook."""
    books, _ = recalculated
    expected = prepare({**CASES["birmingham"], "overrides": {LW_RATE: 0.02}}, uncertainty=False)
    wb = books["birmingham-edited"]
    assert input_cell(wb, LW_RATE).value == 0.02
    _check_against(wb, expected.run, expected.appraisal_summary)
    assert named(wb, "m_living_well.beneficiaries") == pytest.approx(
        next(i for i in expected.run["interventions"] if i["id"] == "living-well")["beneficiaries"], abs=1e-6)
    assert named(wb, "p_portfolio.npv") != pytest.approx(named(books["birmingham"], "p_portfolio.npv"), abs=1000)


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
def test_cached_values_show_the_engine_figures_without_recalculation():
    """A viewer that does not recalculate reads the cached values: the engine's figures."""
    import io

    import openpyxl

    data = prepare(None, uncertainty=False)
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(data)), data_only=True)
    _check_against(wb, data.run, data.appraisal_summary)


def test_inputs_sheet_lists_every_parameter_with_source():
    import io

    import openpyxl

    data = prepare({"overrides": {LW_RATE: {"value": 0.02, "note": "local pilot"}}}, uncertainty=False)
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(data)))
    ws = wb["Inputs"]
    heads = [c.value for c in ws[4]]
    assert heads[:13] == ["Path", "Label", "Value", "Unit", "Price year", "Status", "Evidence value", "Changed",
                          "Change note", "Document", "Section", "Quote (verbatim)", "Derivation"]
    assert heads[14:16] == ["As published", "Published price year"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=5, values_only=True) if r[0]}
    for p in data.params:
        assert p.path in rows, p.path
        assert rows[p.path][11] == p.quantity.ref.quote
        assert input_cell(wb, p.path).value == pytest.approx(float(data.values[p.path][0]))
    lw = rows[LW_RATE]
    assert lw[2] == 0.02 and lw[7] == "yes" and lw[8] == "local pilot"
    assert lw[6] == pytest.approx(data.params[LW_RATE].published.value)
    uc = rows["living-well.older-people-multiple-ltc.unit_cost"]  # re-priced to the price base
    pub = data.params["living-well.older-people-multiple-ltc.unit_cost"].published
    assert uc[4] == data.prices["price_base_year"] and uc[15] == pub.price_year and uc[2] > uc[14] == pub.value
    # the Summary's beneficiaries are formulas over the inputs, not numbers
    f = wb["Summary"]["D6"].value
    assert isinstance(f, str) and f.startswith("=m_")


def test_workbook_has_native_charts():
    import io
    import zipfile

    data = prepare(None)
    z = zipfile.ZipFile(io.BytesIO(workbook_bytes(data)))
    charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    # Summary (net by payer), Cash flow (cumulative, by payer), one per model, Monte Carlo (2)
    assert len(charts) == 2 + 1 + len(data.scenario.interventions) + 2
    mc = z.read(f"xl/worksheets/sheet{6 + len(data.scenario.interventions)}.xml")  # About, Summary, Inputs, Cash flow, Bridge, models, MC
    assert b"<f>" not in mc  # the Monte Carlo sheet holds values, not formulas


def hostile_data(uncertainty: bool = False):
    from carescale import default_library

    area = default_library().area("birmingham").model_dump(mode="json", exclude_none=True)
    area["name"] = HOSTILE_AREA
    return prepare({"area": {"inline": area}, "note": HOSTILE_NOTE,
                    "overrides": {LW_RATE: {"value": 0.02, "note": HOSTILE_NOTE}}}, uncertainty=uncertainty)


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
def test_hostile_text_stays_literal_in_the_workbook():
    """An area named like a formula and a note like a script are plain text cells."""
    import io

    import openpyxl

    data = hostile_data()
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(data)))
    found = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and (HOSTILE_AREA in c.value or HOSTILE_NOTE in c.value):
                    assert c.data_type == "s", (ws.title, c.coordinate)
                    found.append(c.value)
    assert any(v.endswith(HOSTILE_AREA) for v in found)
    assert any(HOSTILE_NOTE in v for v in found)
