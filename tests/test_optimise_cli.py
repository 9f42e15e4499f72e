"""`carescale optimise`: invalid inputs (tests/invalid_inputs/optimise/, exact one-line messages,
exit 2), the scenario document it writes, the frontier table, CSV and chart, and light imports."""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

import pytest
import yaml

from .conftest import INVALID, run_cli, run_probe

OPT = INVALID / "optimise"
F = "tests/invalid_inputs/optimise"
MODELS = "community-agents, living-well, kent-pathways, shared-lives, hospital-discharge, support-at-home"
KEYS = ("objective, payer, year, budget, setup_budget, running_budget, running_budget_per_year, payer_budgets, "
        "staff, min_scale, max_scale, include, exclude, step, draws, seed")

# file -> the whole line on stderr
EXPECTED = {
    "negative_budget.yaml": f"{F}/negative_budget.yaml: budget: -5 is not valid; budget must be a number of pounds, 0 or more",
    "unknown_role.yaml": "staff: unknown role 'nurses'; the models in this optimisation have staffing figures for: coordinators, volunteers",
    "include_breaks_budget.yaml": (
        "budget: £100,000 cannot be met; the models that must run (shared-lives) need at least £352,500 of set-up and "
        "running cost over the 10 years"
    ),
    "include_breaks_staff.yaml": (
        "staff.coordinators: 1 cannot be met; the models that must run (living-well at 50% or more) need at least 7.5 "
        "coordinators at full scale"
    ),
    "min_above_max.yaml": (
        f"{F}/min_above_max.yaml: min_scale.living-well: 0.8 is above max_scale.living-well 0.5; the minimum must not "
        "exceed the maximum"
    ),
    "scale_above_one.yaml": f"{F}/scale_above_one.yaml: max_scale: living-well is 1.5; a scale must be a share of the model's potential from 0 to 1",
    "include_and_exclude.yaml": (
        f"{F}/include_and_exclude.yaml: include: 'living-well' is also in exclude; a model cannot be both included and excluded"
    ),
    "unknown_objective.yaml": (
        f"{F}/unknown_objective.yaml: objective: input should be 'npv', 'budget-impact', 'probability', 'social' or 'npv-with-social' (got 'cheapest')"
    ),
    "budget_impact_without_year.yaml": (
        f"{F}/budget_impact_without_year.yaml: year: the budget-impact objective needs the appraisal year to maximise "
        "(1 = the first year)"
    ),
    "year_beyond_appraisal.yaml": "year: 11 is not valid; the appraisal has years 1 to 10",
    "budget_not_money.yaml": (
        f"{F}/budget_not_money.yaml: budget: 'lots' is not valid; budget must be a number of pounds, 0 or more (for "
        "example 250000, £250k or 1.5m)"
    ),
    "unknown_payer.yaml": f"{F}/unknown_payer.yaml: payer_budgets: unknown payer 'council'; valid payers are: asc, nhs",
    "negative_staff.yaml": (
        f"{F}/negative_staff.yaml: staff: coordinators is -2; the staff available must be a number of people, 0 or more"
    ),
    "unknown_model.yaml": f"include: unknown model 'living-good' in this optimisation; valid models are: {MODELS}",
    "zero_step.yaml": f"{F}/zero_step.yaml: step: 0 is not valid; step must be a share above 0 and at most 1 (for example 0.1)",
    "unknown_key.yaml": f"{F}/unknown_key.yaml: unknown key 'budgit'; valid keys are: {KEYS}",
    "too_few_draws.yaml": f"{F}/too_few_draws.yaml: draws: 5 is not valid; draws must be a whole number from 10 to 100,000",
}


def test_every_fixture_has_a_message():
    assert sorted(p.name for p in OPT.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_constraints(name):
    res = run_cli("optimise", "--no-reprice", "--constraints", f"{F}/{name}")
    assert res.code == 2
    assert res.out == ""
    assert res.err == f"error: {EXPECTED[name]}\n"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--budget", "-5"], "budget: '-5' is not valid; budget must be a number of pounds, 0 or more"),
        (["--staff", "nurses"], "--staff: 'nurses' is not valid; give ROLE=PEOPLE such as coordinators=10"),
        (["--frontier", "5:1:3"], "--frontier: '5:1:3' is not valid; give START:STOP:POINTS, budgets in pounds with "
                                  "STOP at least START and 2 to 1,000 points (for example 0:5m:50)"),
        (["--years", "0"], "years: '0' is not valid; the appraisal period must be a whole number of years from 1 to 60"),
    ],
)
def test_invalid_options(args, message):
    res = run_cli("optimise", *args)
    assert res.code == 2
    assert res.err == f"error: {message}\n"


def test_writes_a_scenario_document(tmp_path):
    out = tmp_path / "portfolio.yaml"
    res = run_cli("optimise", "--no-reprice", "--budget", "2m", "-o", str(out), "--format", "json")
    assert res.code == 0, res.err
    data = res.json()
    doc = yaml.safe_load(out.read_text())
    assert doc == data["scenario"]
    assert doc["interventions"] == ["living-well", "kent-pathways", "shared-lives", "hospital-discharge"]
    assert doc["scale"]["living-well"] == pytest.approx(0.3158, abs=1e-4)  # the default optimism bias: Green Book, outsourcing
    assert [m["id"] for m in data["models"] if not m["in"]] == ["community-agents", "support-at-home"]
    assert all(m["why"] for m in data["models"])
    # the document runs again to the same NPV
    again = run_cli("optimise", "--scenario", str(out), "--max-scale", "living-well=0.3", "--format", "json")
    assert again.code == 0, again.err
    assert again.json()["models"][0]["scale"] == pytest.approx(0.3)


def test_frontier_table_csv_and_chart(tmp_path):
    chart, table = tmp_path / "frontier.png", tmp_path / "frontier.csv"
    res = run_cli("optimise", "--no-reprice", "--frontier", "0:3m:4", "--chart", str(chart), "--csv", str(table))
    assert res.code == 0, res.err
    assert "Efficient frontier" in res.out and "£333,661" in res.out  # Living Well's return per £100k (default optimism bias: Green Book)
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8-sig"))))
    assert [float(r["budget"]) for r in rows] == [0, 1e6, 2e6, 3e6]
    objs = [float(r["objective"]) for r in rows]
    assert objs == sorted(objs)
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


HEAVY = {"scipy", "pandas", "plotly", "matplotlib", "highspy", "yaml_loader_that_is_slow"}


def test_optimiser_modules_import_nothing_heavy_at_top_level():
    """scipy.optimize, scipy.sparse, pandas, plotly and matplotlib are imported inside the
    functions that need them, never at the top of the optimiser or its command."""
    src = Path(__file__).resolve().parents[1] / "src" / "carescale"
    files = sorted((src / "optimise").glob("*.py")) + [src / "cli" / "optimise.py"]
    assert len(files) >= 7
    for path in files:
        tree = ast.parse(path.read_text())
        for node in tree.body:
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            assert not [n for n in names if n.split(".")[0] in HEAVY], (path.name, names)


def test_optimise_help_does_not_import_the_solver():
    code = (
        "import sys; from carescale.cli import main; main(['optimise', '--help']);"
        "print('MATPLOTLIB' if 'matplotlib' in sys.modules or 'plotly' in sys.modules else 'LIGHT')"
    )
    out = run_probe(code)
    assert out.strip().endswith("LIGHT")
