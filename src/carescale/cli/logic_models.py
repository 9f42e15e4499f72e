"""`carescale logic-model new|validate|run` (docs/plans.md)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer
from rich.table import Table

from ..safe_text import echo, echo_data  # user text never reaches the terminal raw
from ..safe_text import styled
from ..errors import CarescaleError
from ..formatting import share
from .common import Format, app, console, emit, output_option

logic_model_app = typer.Typer(
    help="Logic models for new services (SCIE Appendix B): write, check and run one.", no_args_is_help=True
)
app.add_typer(logic_model_app, name="logic-model")


class TemplateFormat(str, Enum):
    yaml = "yaml"
    json = "json"


@logic_model_app.command("new")
def new_command(
    from_model: Optional[str] = typer.Option(
        None, "--from", help="Start from a promising model's record (see 'carescale evidence search')."
    ),
    model_id: Optional[str] = typer.Option(None, "--id", help="Id of the new model (lower case, hyphens)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write the template here (default: print it)."),
    fmt: TemplateFormat = typer.Option(TemplateFormat.yaml, "--format", help="yaml or json."),
) -> None:
    """A logic model template to fill in: blank, or from a promising model's record."""
    import json

    import yaml

    from ..plans.logic_model import template

    text = template(from_model, model_id=model_id)
    if fmt is TemplateFormat.json:
        text = json.dumps(yaml.safe_load(text), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        echo_data(text)
        return
    if output.exists():
        raise CarescaleError(f"{output}: the file exists already; choose another name or remove it first")
    from ..safe_text import write_output

    write_output(output, text)
    echo(f"wrote {output}: fill in every blank (the notes in the file say how), then 'carescale logic-model validate {output}'")


@logic_model_app.command("validate")
def validate_command(
    files: list[Path] = typer.Argument(..., metavar="FILE...", help="Logic model YAML files."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
) -> None:
    """Check logic models like evidence files (schema, units, references, cohort)."""
    from ..plans.logic_model import load_logic_model

    rows = []
    for path in files:
        lm = load_logic_model(path)
        rows.append({"file": str(path), "id": lm.id, "name": lm.name, "outcomes": len(lm.outcomes), "status": "ok"})

    def table() -> None:
        for r in rows:
            console.print(f"ok: {r['file']} (logic model {r['id']!r}, {r['outcomes']} outcomes)")

    emit(fmt, rows, rows=lambda: rows, table=table)


@logic_model_app.command("run")
def run_command(
    file: Path = typer.Argument(..., metavar="FILE", help="A logic model YAML file."),
    area: Optional[str] = typer.Option(None, "--area", help="Area profile id (default birmingham; see 'carescale areas list')."),
    scenario_file: Optional[Path] = typer.Option(
        None, "--scenario", help="A scenario document (YAML/JSON): its area, overrides, appraisal and uncertainty settings."
    ),
    years: Optional[int] = typer.Option(None, "--years", help="Appraisal period, whole years 1-60 (default 10)."),
    draws: Optional[int] = typer.Option(None, "--draws", help="Monte Carlo draws, 1 to 1,000,000 (default 10,000)."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Random seed."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv (csv: the break-even targets)."),
    output: Optional[Path] = output_option(),
) -> None:
    """Run a logic model through the engine, appraisal and uncertainty, with its break-even targets."""
    from ..plans.logic_model import load_logic_model, run_logic_model

    base = None
    if scenario_file is not None:
        if area is not None:
            raise CarescaleError("--area: give --area or --scenario (whose area is used), not both")
        from ..scenarios import load_scenario

        base = load_scenario(scenario_file)
    data = run_logic_model(load_logic_model(file), area, scenario=base, years=years, draws=draws, seed=seed)
    emit(fmt, data, rows=lambda: data["break_even_targets"], table=lambda: print_logic_model_run(data), output=output)


def print_logic_model_run(data: dict[str, Any]) -> None:
    from ..formatting import people, short_money as money

    lm = data["logic_model"]
    iv = data["run"]["interventions"][0]
    unc = next(i for i in data["uncertainty"]["interventions"] if i["id"] == lm["id"])
    ap = data["appraisal"]["portfolio"]["metrics"] if "portfolio" in data["appraisal"] else {}
    table = Table(title=(f"{lm['name']} in {data['run']['area']['name']} (logic model, evidence level {lm['evidence_level']})"))
    table.add_column("Figure")
    table.add_column("Value", justify="right")
    table.add_row("People supported a year at full scale", people(iv["beneficiaries"]))
    table.add_row("Running cost a year", money(iv["cost"]))
    for p in ("asc", "nhs"):
        table.add_row(f"Net saving a year, {p.upper()}", money(iv["net_savings"][p]))
    if ap.get("npv") is not None:
        table.add_row(f"NPV over {data['appraisal'].get('settings', {}).get('years', '')} years (central)", money(ap["npv"]))
    table.add_row("Chance of saving money a year", share(unc['prob_saving'], 1))
    console.print(table)
    console.print(styled(("Break-even targets", "bold"), " (council and NHS together):"))
    for t in data["break_even_targets"]:
        console.print(f"- {(t['target'])}")
