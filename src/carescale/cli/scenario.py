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


@scenario_app.command("diff")
def diff(
    a: Path = typer.Argument(..., help="The first scenario file (for example the baseline)."),
    b: Path = typer.Argument(..., help="The second scenario file."),
    results: bool = typer.Option(False, "--results", help="Also compare the results: headlines, net saving by model "
                                 "and payer, the overlap, and every step of the bridge (second minus first)."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
    output: Optional[Path] = output_option(),
) -> None:
    """Compare two scenarios setting by setting (identical ones have the same id); with --results,
    their results too (the web's compare page shows the same figures)."""
    from ..scenarios import load_scenario
    from ..scenarios.compare import compare_results, compare_rows, diff_documents

    da, db = load_scenario(a), load_scenario(b)
    found = diff_documents(da, db)
    data: dict[str, Any] = {"a": {"file": str(a), "scenario_id": da.scenario_id},
                            "b": {"file": str(b), "scenario_id": db.scenario_id},
                            "identical": not found, "differences": found}
    if results:
        compared = compare_results(da, db)
        data["results"] = {k: compared[k] for k in ("units", "headlines", "by_model", "overlaps", "bridge")}

    def table() -> None:
        if not found:
            console.print(f"The scenarios are identical (scenario {da.scenario_id}).")
        else:
            # the columns are A and B (file names can be longer than a terminal is wide)
            t = Table(title=f"A: {a} ({da.scenario_id}) against B: {b} ({db.scenario_id})")
            for col in ("setting", "A", "B"):
                t.add_column(col, overflow="fold")
            for r in found:
                t.add_row(*(str(x) if x is not None else "(not set)" for x in (r["key"], r["a"], r["b"])))
            console.print(t)
        if results:
            _print_results(data["results"], str(a), str(b))

    def rows() -> list[dict[str, Any]]:
        if results:
            return compare_rows(data["results"])
        return found or [dict.fromkeys(("key", "a", "b"))]

    emit(fmt, data, rows=rows, table=table, output=output)


def _print_results(data: dict[str, Any], a: str, b: str) -> None:
    from ..formatting import change, money, people
    from ..scenarios.compare import PAYER_WORDS

    def fig(x: Any, key: str) -> str:
        return people(x) if key == "people" else money(x)

    t = Table(title=f"Results: A ({a}) against B ({b}) ({data['units']})")
    for col, just in (("Figure", "left"), ("A", "right"), ("B", "right"), ("Difference", "right")):
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for r in data["headlines"]:
        t.add_row(r["label"], fig(r["a"], r["key"]), fig(r["b"], r["key"]),
                  change(r["difference"], "people" if r["key"] == "people" else "money"))
    console.print(t)
    t = Table(title="Net saving a year by model and payer (each overlap taken off)")
    for col, just in (("Model", "left"), ("Payer", "left"), ("A", "right"), ("B", "right"), ("Difference", "right")):
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for r in data["by_model"]:
        if r["a"] is None or r["b"] is None or abs(r["a"]) >= 0.5 or abs(r["b"]) >= 0.5:
            t.add_row(r["label"], PAYER_WORDS[r["payer"]], money(r["a"]), money(r["b"]), change(r["difference"]))
    console.print(t)
    t = Table(title="The bridge, step by step: what changed (all payers; rows that did not change left out)")
    for col, just in (("Step", "left"), ("Model", "left"), ("A", "right"), ("B", "right"), ("Difference", "right")):
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for r in data["bridge"]:
        if r["payer"] == "total" and (r["difference"] is None or abs(r["difference"]) >= 0.5):
            t.add_row(r["label"], r["model_name"], money(r["a"]), money(r["b"]), change(r["difference"]))
    console.print(t)
