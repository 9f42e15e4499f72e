"""The carescale command as a user types it (in-process)."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

import carescale

from .conftest import run_cli

SIX = ["community-agents", "living-well", "kent-pathways", "shared-lives", "hospital-discharge", "support-at-home"]


def test_interventions_list_json_has_the_six_in_the_papers_order():
    res = run_cli("interventions", "list", "--format", "json")
    assert res.code == 0
    ids = [r["id"] for r in res.json()]
    assert [i for i in ids if i in SIX] == SIX


def test_interventions_show_table_names_values_and_sources():
    res = run_cli("interventions", "show", "shared-lives")
    assert res.code == 0
    assert "Shared Lives" in res.out
    assert "26,000" in res.out and "scie-2017" in res.out


def test_interventions_show_json_is_the_full_definition():
    res = run_cli("interventions", "show", "support-at-home", "--format", "json")
    data = res.json()
    assert data["segments"][0]["unit_cost"]["value"] == 254
    assert data["segments"][0]["unit_cost"]["ref"]["document"] == "scie-2017"


def test_areas_list_and_show():
    res = run_cli("areas", "list", "--format", "json")
    assert {"birmingham", "redcar-and-cleveland", "cornwall", "kent"} <= {a["id"] for a in res.json()}
    show = run_cli("areas", "show", "birmingham", "--format", "json").json()
    assert show["cohorts"]["older_people_very_limited"]["value"] == 45220


def test_run_table_looks_like_the_papers_summary():
    res = run_cli("run", "--area", "birmingham", "--preset", "paper")  # the paper's prices
    assert res.code == 0
    for text in ("Community Agents", "Less overlap between target groups", "Total", "£7.46m", "£1.84m"):
        assert text in res.out


def test_run_csv_matches_json():
    js = run_cli("run", "--format", "json").json()
    rows = list(csv.DictReader(io.StringIO(run_cli("run", "--format", "csv").out)))
    assert [r["id"] for r in rows] == SIX + ["overlap-deduction", "total"]
    total = rows[-1]
    assert float(total["net_savings_asc"]) == pytest.approx(js["totals"]["net_savings"]["asc"])


def test_run_selected_interventions_only():
    data = run_cli("run", "--interventions", "living-well,support-at-home", "--format", "json").json()
    assert [i["id"] for i in data["interventions"]] == ["living-well", "support-at-home"]
    assert [o["id"] for o in data["overlaps"]] == ["living-well-support-at-home", "living-well-support-at-home-nhs"]


def test_run_on_an_area_file(tmp_path):
    src = carescale.default_library().files["areas/birmingham"]
    path = tmp_path / "my-area.yaml"
    path.write_text(src.read_text().replace("id: birmingham", "id: my-area"), encoding="utf-8")
    data = run_cli("run", "--area-file", str(path), "--format", "json").json()
    base = run_cli("run", "--format", "json").json()
    assert data["area"]["id"] == "my-area"
    # the same people and costs; the savings the paper measured elsewhere are priced by
    # Birmingham's own unit costs (its ONS code), as for any council profile but the paper's own
    assert (data["totals"]["beneficiaries"], data["totals"]["cost"]) == (base["totals"]["beneficiaries"], base["totals"]["cost"])
    assert data["totals"]["gross_savings"]["nhs"] == base["totals"]["gross_savings"]["nhs"]  # NCC: one England figure
    assert data["totals"]["gross_savings"]["asc"] != base["totals"]["gross_savings"]["asc"]
    paper = run_cli("run", "--area-file", str(path), "--preset", "paper", "--format", "json").json()
    assert paper["totals"] == run_cli("run", "--preset", "paper", "--format", "json").json()["totals"]


def test_source_site_reports_what_it_cannot_model():
    data = run_cli("run", "--area", "redcar-and-cleveland", "--format", "json").json()
    assert {n["id"] for n in data["not_modelled"]} == {"kent-pathways", "shared-lives", "hospital-discharge", "support-at-home"}


def test_parameters_lists_paths():
    rows = run_cli("parameters", "--format", "json").json()
    paths = {r["path"] for r in rows}
    assert "living-well.older-people-multiple-ltc.unit_cost" in paths
    assert "area.cohorts.population_65_plus" in paths


def test_python_api_gives_a_dataframe():
    frame = carescale.to_frame(carescale.evaluate(carescale.define_scenario("birmingham")))
    assert isinstance(frame, pd.DataFrame)
    # the default price base (2024/25) and full costs, as the CLI's; the paper's £7.46m at published prices
    assert frame.loc["total", "net_savings_asc"] == pytest.approx(8_411_516.64, abs=0.01)
    assert (frame["price_base"] == "2024/25 prices (forecast: OBR, November 2023)").all()
    paper = carescale.to_frame(carescale.evaluate(carescale.define_scenario("birmingham", prices="published")))
    assert paper.loc["total", "net_savings_asc"] == pytest.approx(7_455_173, abs=1)


def test_validate_accepts_the_shipped_files():
    lib = carescale.default_library()
    paths = [str(p) for k, p in lib.files.items() if k.startswith(("areas/", "interventions/"))]
    res = run_cli("validate", *paths)
    assert res.code == 0
    assert res.out.count("ok: ") == len(paths)
