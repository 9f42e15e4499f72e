"""One price base everywhere (issue 21): the CLI, the Python API, the web API, the national roll-up and the
report read one document and give the same totals and the same price-base statement, in the
default base (2024/25, a forecast year of HM Treasury's December 2023 financial-year deflator)
and under the ``paper`` preset (prices as published)."""

from __future__ import annotations

import csv
import io

import pytest

import carescale
from carescale.national import build_profiles
from carescale.official import read_ascof, read_mye
from carescale.scenarios import ScenarioDocument
from carescale.scenarios.document import AreaInline

from .conftest import run_cli
from .test_national import small_files  # noqa: F401  (fixture: two councils' official files)

DEFAULT_STATEMENT = (
    "2024/25 prices, every money figure re-priced with the HM Treasury GDP deflator at market prices "
    "(December 2023), financial years; 2024/25 is a forecast year of the index (OBR, November 2023), not outturn"
)
PAPER_STATEMENT = "as published, each money figure in its source's price year (not re-priced)"


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
@pytest.mark.parametrize(
    "preset,statement,label",
    [(None, DEFAULT_STATEMENT, "2024/25 prices (forecast: OBR, November 2023)"),
     ("paper", PAPER_STATEMENT, "prices as published")],
    ids=["default", "paper"],
)
def test_every_entry_point_gives_the_same_totals_and_price_base(tmp_path, small_files, preset, statement, label):  # noqa: F811
    mye, ascof = small_files
    # Birmingham as the national roll-up builds it from the official files: one document for all
    (bham,) = [p.area for p in build_profiles(read_mye(mye), read_ascof(ascof), "2023").councils
               if p.area.ons_code == "E08000025"]
    doc = ScenarioDocument(area=AreaInline(inline=bham), **({"preset": preset} if preset else {}))
    path = tmp_path / "s.yaml"
    path.write_text(doc.to_yaml(), encoding="utf-8")

    cli = run_cli("run", "--scenario", str(path), "--format", "json")
    assert cli.code == 0, cli.err
    cli = cli.json()
    net = cli["totals"]["net_savings"]
    assert net["asc"] > 1_000_000 and cli["prices"]["statement"] == statement and cli["prices"]["label"] == label

    table = run_cli("run", "--scenario", str(path), "--format", "csv")
    assert {r["price_base"] for r in csv.DictReader(io.StringIO(table.out))} == {label}

    api = carescale.summary(carescale.evaluate(
        carescale.define_scenario(bham, prices="published" if preset else "default")))
    assert api["totals"]["net_savings"] == net and api["prices"]["statement"] == statement
    if not preset:  # the Python API's default is the CLI's
        assert carescale.summary(carescale.evaluate(carescale.define_scenario(bham)))["totals"] == cli["totals"]

    from fastapi.testclient import TestClient

    from carescale.web.app import create_app
    from carescale.web.storage import MemoryScenarioStore

    with TestClient(create_app(MemoryScenarioStore())) as client:  # the web app's API
        web = client.post("/api/v1/run", json=doc.data())
        assert web.status_code == 200, web.text
        assert web.json()["totals"]["net_savings"] == net and web.json()["prices"]["statement"] == statement

    args = ["national", "--mye", str(mye), "--ascof", str(ascof), "--format", "json"]
    national = run_cli(*args, *(["--preset", preset] if preset else []))
    assert national.code == 0, national.err
    national = national.json()
    (row,) = [a for a in national["areas"] if a["code"] == "E08000025"]
    assert row["net_savings"] == net
    assert national["prices"]["statement"] == statement and label in national["units"]
    by_doc = run_cli(*args, "--scenario", str(path)).json()  # the document itself in every council
    assert [a for a in by_doc["areas"] if a["code"] == "E08000025"][0]["net_savings"] == net
    assert by_doc["prices"]["statement"] == statement
    draws = run_cli(*args, "--draws", "20", *(["--preset", preset] if preset else []))  # the probabilistic roll-up
    assert draws.code == 0, draws.err
    assert draws.json()["prices"]["statement"] == statement and label in draws.json()["units"]

    md = tmp_path / "b.md"
    report = run_cli("report", "--scenario", str(path), "--draws", "200", "-o", str(md))
    assert report.code == 0, report.err
    text = md.read_text(encoding="utf-8")
    assert f"Prices: {statement}." in text and f"in {label}." in text
    from carescale.reports.numbers import money

    assert f"save the council (adult social care) **{money(net['asc'])}**" in text and money(net["nhs"]) in text


def test_the_default_base_is_stated_beside_the_run_and_appraise_headlines():
    run = run_cli("run", "--area", "birmingham")
    assert run.code == 0 and "2024/25 prices (forecast: OBR" in run.out
    appraise = run_cli("appraise", "--area", "birmingham", "--years", "3")
    assert appraise.code == 0
    flat = " ".join(appraise.out.split())
    # the appraise label bug: it said "prices as published (...; not re-priced)" over re-priced figures
    assert "not re-priced" not in flat and "2024/25 prices (forecast: OBR, November 2023)" in flat
    paper = " ".join(run_cli("appraise", "--area", "birmingham", "--years", "3", "--preset", "paper").out.split())
    assert "prices as published (2013/14, 2015/16, 2016/17; not re-priced)" in paper
