"""`carescale scenario new|show|diff`: scenario documents (docs/scenarios.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer
from rich.table import Table

from ..safe_text import echo  # user text never reaches the terminal raw
from .common import Format, app, console, emit, output_option

scenario_app = typer.Typer(
    help="Scenario documents: one file holding everything a result depends on.", no_args_is_help=True
)
app.add_typer(scenario_app, name="scenario")


@scenario_app.command("new")
def new(
    output: Path = typer.Option(..., "-o", "--output", help="The file to write (YAML)."),
    area: str = typer.Option("birmingham", "--area", help="Area profile id to start from."),
    force: bool = typer.Option(False, "--force", help="Overwrite the file if it exists."),
) -> None:
    """Write a commented starting scenario file with every setting at its default."""
    from ..errors import SettingsError
    from ..scenarios import parse_scenario
    from ..scenarios.template import starting_file

    if output.exists() and not force:
        raise SettingsError(f"{output}: the file exists; give another name or --force to overwrite it")
    text = starting_file(area)
    doc = parse_scenario(text, str(output))  # the starting file is valid as it stands
    output.write_text(text, encoding="utf-8")
    echo(f"wrote {output} (scenario {doc.scenario_id}); run it with: carescale run --scenario {output}")


@scenario_app.command("show")
def show(
    file: Path = typer.Argument(..., help="A scenario file."),
    fmt: Format = typer.Option(Format.table, "--format", help="table (the document as YAML), json, or csv (the changes)."),
    output: Optional[Path] = output_option(),
) -> None:
    """Show a scenario: its id, the document in full, and each figure it changes."""
    from ..engine.summary import changes, describe_change, price_basis
    from ..scenarios import evaluate_document, load_scenario

    doc = load_scenario(file)
    ev = evaluate_document(doc)
    scenario = ev.scenario
    changed = changes(ev.parameters, scenario)
    data = {"scenario_id": doc.scenario_id, "document": doc.data(), "area": {"id": scenario.area.id, "name": scenario.area.name},
            "interventions": list(scenario.intervention_ids), "prices": price_basis(scenario), "changes": changed}

    def rows() -> list[dict[str, Any]]:
        return [{"path": c["path"], "evidence_value": c["evidence_value"], "value": c["value"], "unit": c["unit"],
                 "note": c["note"] or ""} for c in changed] or [dict.fromkeys(("path", "evidence_value", "value", "unit", "note"))]

    def table() -> None:
        console.print(f"Scenario {doc.scenario_id}: {scenario.area.name}, {', '.join(scenario.intervention_ids)}")
        console.print(doc.to_yaml())
        for c in changed:
            console.print("Changed from the evidence: " + describe_change(c))

    emit(fmt, data, rows=rows, table=table, output=output)


def _flat(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, dict) and data:
        out: dict[str, Any] = {}
        for k, v in data.items():
            out.update(_flat(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: data}


def diff_documents(a, b) -> list[dict[str, Any]]:
    """The settings two documents differ in: ``[{"key", "a", "b"}]`` (a missing key is None)."""
    fa, fb = _flat(a.data()), _flat(b.data())
    keys = sorted(set(fa) | set(fb))
    return [{"key": k, "a": fa.get(k), "b": fb.get(k)} for k in keys if fa.get(k) != fb.get(k)]


@scenario_app.command("diff")
def diff(
    a: Path = typer.Argument(..., help="The first scenario file."),
    b: Path = typer.Argument(..., help="The second scenario file."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
    output: Optional[Path] = output_option(),
) -> None:
    """Compare two scenarios setting by setting (identical ones have the same id)."""
    from ..scenarios import load_scenario

    da, db = load_scenario(a), load_scenario(b)
    found = diff_documents(da, db)
    data = {"a": {"file": str(a), "scenario_id": da.scenario_id}, "b": {"file": str(b), "scenario_id": db.scenario_id},
            "identical": not found, "differences": found}

    def table() -> None:
        if not found:
            console.print(f"The scenarios are identical (scenario {da.scenario_id}).")
            return
        t = Table(title=f"{a} ({da.scenario_id}) against {b} ({db.scenario_id})")
        for col in ("setting", str(a), str(b)):
            t.add_column(col, overflow="fold")
        for r in found:
            t.add_row(*(str(x) if x is not None else "(not set)" for x in (r["key"], r["a"], r["b"])))
        console.print(t)

    emit(fmt, data, rows=lambda: found or [dict.fromkeys(("key", "a", "b"))], table=table, output=output)
