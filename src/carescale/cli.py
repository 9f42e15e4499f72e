"""The ``carescale`` command: a thin shell over the library (no model logic here).

Every command parses its options, calls library functions and prints. Input problems raise a
:class:`~carescale.errors.CarescaleError`; :func:`main` prints its one line and exits 2.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from . import report
from .engine import ParameterTable, evaluate
from .errors import CarescaleError
from .library import Library, default_library, load_area_file, validate_file
from .scenario import define_scenario

app = typer.Typer(
    name="carescale",
    help="What would scaling up care models that work elsewhere cost, and save, here?",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
interventions_app = typer.Typer(help="The evidence library of care models.", no_args_is_help=True)
areas_app = typer.Typer(help="Area profiles: councils and source sites.", no_args_is_help=True)
app.add_typer(interventions_app, name="interventions")
app.add_typer(areas_app, name="areas")

console = Console(width=160)


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class Basis(str, Enum):
    potential = "potential"
    current = "current"


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _echo_csv(rows: list[dict[str, Any]]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    typer.echo(buf.getvalue(), nl=False)


def _split_ids(value: Optional[str]) -> Optional[list[str]]:
    if value is None:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def _library_with_area(area: str, area_file: Optional[Path]) -> tuple[Library, str]:
    lib = default_library()
    if area_file is None:
        return lib, area
    loaded = load_area_file(area_file, lib)
    return lib.with_area(loaded, str(area_file)), loaded.id


# -- interventions ---------------------------------------------------------------------------


@interventions_app.command("list")
def interventions_list(fmt: Format = typer.Option(Format.table, "--format", help="Output format.")) -> None:
    """List the interventions in the evidence library."""
    lib = default_library()
    rows = [
        {
            "id": iv.id,
            "name": iv.name,
            "transformation_area": iv.transformation_area,
            "target_group": iv.target_group,
            "source_site": iv.source.site,
        }
        for iv in lib.interventions.values()
    ]
    if fmt is Format.json:
        _echo_json(rows)
    elif fmt is Format.csv:
        _echo_csv(rows)
    else:
        table = Table(title="Evidence library")
        for col in ("id", "name", "area", "target group", "source site"):
            table.add_column(col)
        for r in rows:
            table.add_row(r["id"], r["name"], str(r["transformation_area"]), r["target_group"], r["source_site"])
        console.print(table)


@interventions_app.command("show")
def interventions_show(
    intervention_id: str = typer.Argument(..., metavar="ID"),
    fmt: Format = typer.Option(Format.table, "--format", help="table (readable) or json (full definition)."),
) -> None:
    """Show one intervention with every number, its unit and its reference."""
    iv = default_library().intervention(intervention_id)
    if fmt is not Format.table:
        _echo_json(iv.model_dump(mode="json", exclude_none=True))
        return
    console.print(f"[bold]{iv.name}[/bold] ({iv.id}) - transformation area {iv.transformation_area}")
    console.print(iv.description)
    console.print(f"Target group: {iv.target_group}")
    console.print(f"Source: {iv.source.site}, {iv.source.period}. {iv.source.description}")
    console.print(f"Evidence: {iv.evidence}")
    _print_quantities(iv)
    if iv.barriers:
        console.print("Barriers: " + "; ".join(iv.barriers))
    if iv.enablers:
        console.print("Enablers: " + "; ".join(iv.enablers))


def _print_quantities(obj: Any) -> None:
    from .library import iter_quantities

    table = Table(show_lines=False)
    for col in ("field", "value", "unit", "price year", "status", "source"):
        table.add_column(col, overflow="fold")
    for loc, q in iter_quantities(obj):
        table.add_row(
            loc,
            f"{q.value:,.10g}",
            q.unit,
            q.price_year or q.period or "",
            q.status + (f": {q.derivation}" if q.derivation else ""),
            f"{q.ref.document}, {q.ref.section}: \"{q.ref.quote}\"",
        )
    console.print(table)


# -- areas -----------------------------------------------------------------------------------


@areas_app.command("list")
def areas_list(fmt: Format = typer.Option(Format.table, "--format", help="Output format.")) -> None:
    """List the area profiles."""
    rows = [
        {"id": a.id, "name": a.name, "kind": a.kind, "ons_code": a.ons_code or ""}
        for a in default_library().areas.values()
    ]
    if fmt is Format.json:
        _echo_json(rows)
    elif fmt is Format.csv:
        _echo_csv(rows)
    else:
        table = Table(title="Area profiles")
        for col in ("id", "name", "kind", "ONS code"):
            table.add_column(col)
        for r in rows:
            table.add_row(r["id"], r["name"], r["kind"], r["ons_code"])
        console.print(table)


@areas_app.command("show")
def areas_show(
    area_id: str = typer.Argument(..., metavar="ID"),
    fmt: Format = typer.Option(Format.table, "--format", help="table (readable) or json (full profile)."),
) -> None:
    """Show one area profile with every figure and its reference."""
    area = default_library().area(area_id)
    if fmt is not Format.table:
        _echo_json(area.model_dump(mode="json", exclude_none=True))
        return
    console.print(f"[bold]{area.name}[/bold] ({area.id}, {area.kind}) {area.ons_code or ''}")
    console.print(area.description)
    _print_quantities(area)


# -- run -------------------------------------------------------------------------------------


@app.command()
def run(
    area: str = typer.Option("birmingham", "--area", help="Area profile id (see 'carescale areas list')."),
    area_file: Optional[Path] = typer.Option(None, "--area-file", help="Run on an area profile YAML file instead."),
    interventions: Optional[str] = typer.Option(
        None, "--interventions", help="Comma-separated intervention ids (default: all the area supports)."
    ),
    basis: Basis = typer.Option(
        Basis.potential, "--basis", help="potential: scale up by each model's rule; current: what runs there today."
    ),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """Annual costs and savings by payer at full scale, like the paper's summary table."""
    lib, area_id = _library_with_area(area, area_file)
    scenario = define_scenario(area_id, _split_ids(interventions), basis.value, library=lib)
    data = report.summary(evaluate(scenario))
    if fmt is Format.json:
        _echo_json(data)
    elif fmt is Format.csv:
        _echo_csv(report.rows(data))
    else:
        _print_summary_table(data)


def _print_summary_table(data: dict[str, Any]) -> None:
    money, people = report.money, report.people
    title = f"Scaling up what works: {data['area']['name']} ({data['basis']} basis, a year at full scale)"
    table = Table(title=title, show_footer=False)
    for col, just in (
        ("Model", "left"),
        ("Area", "center"),
        ("Beneficiaries", "right"),
        ("Cost", "right"),
        ("Gross ASC", "right"),
        ("Gross NHS", "right"),
        ("Net ASC", "right"),
        ("Net NHS", "right"),
        ("Set-up", "right"),
    ):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for i in data["interventions"]:
        table.add_row(
            i["name"],
            str(i["transformation_area"]),
            people(i["beneficiaries"]),
            money(i["cost"]),
            money(i["gross_savings"]["asc"]),
            money(i["gross_savings"]["nhs"]),
            money(i["net_savings"]["asc"]),
            money(i["net_savings"]["nhs"]),
            money(i["setup_investment"]) if i["setup_investment"] else "",
        )
    t = data["totals"]
    table.add_row(
        "Less overlap between target groups", "", "", "", "", "",
        money(-t["overlap_deduction"]["asc"]), money(-t["overlap_deduction"]["nhs"]), "",
        end_section=True,
    )
    table.add_row(
        "[bold]Total[/bold]", "", people(t["beneficiaries"]), money(t["cost"]),
        money(t["gross_savings"]["asc"]), money(t["gross_savings"]["nhs"]),
        f"[bold]{money(t['net_savings']['asc'])}[/bold]", f"[bold]{money(t['net_savings']['nhs'])}[/bold]",
        money(t["setup_investment"]) if t["setup_investment"] else "",
    )
    console.print(table)
    for n in data["not_modelled"]:
        console.print(f"Not modelled: {n['id']} (the area profile has no {', '.join(n['missing'])})")


@app.command()
def parameters(
    area: str = typer.Option("birmingham", "--area", help="Area profile id."),
    interventions: Optional[str] = typer.Option(None, "--interventions", help="Comma-separated ids."),
    basis: Basis = typer.Option(Basis.potential, "--basis"),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """List every number a run uses, by path, with its value, unit and status."""
    scenario = define_scenario(area, _split_ids(interventions), basis.value)
    rows = [
        {"path": p.path, "label": p.label, "value": p.base, "unit": p.quantity.unit, "status": p.quantity.status}
        for p in ParameterTable.from_scenario(scenario)
    ]
    if fmt is Format.json:
        _echo_json(rows)
    elif fmt is Format.csv:
        _echo_csv(rows)
    else:
        table = Table(title=f"Parameters: {scenario.area.name}")
        for col in ("path", "label", "value", "unit", "status"):
            table.add_column(col, overflow="fold")
        for r in rows:
            table.add_row(r["path"], r["label"], f"{r['value']:,.10g}", r["unit"], r["status"])
        console.print(table)


@app.command()
def validate(files: list[Path] = typer.Argument(..., metavar="FILE...", help="YAML files to check.")) -> None:
    """Check intervention or area profile YAML files; prints 'ok' for each valid file."""
    for path in files:
        obj = validate_file(path)
        typer.echo(f"ok: {path} ({type(obj).__name__.lower()} {obj.id!r})")


# -- appraise (docs/appraisal.md) --------------------------------------------------------------


@app.command("appraise")
def appraise_command(
    area: str = typer.Option("birmingham", "--area", help="Area profile id (see 'carescale areas list')."),
    area_file: Optional[Path] = typer.Option(None, "--area-file", help="Run on an area profile YAML file instead."),
    interventions: Optional[str] = typer.Option(None, "--interventions", help="Comma-separated intervention ids."),
    years: Optional[str] = typer.Option(None, "--years", help="Appraisal period, whole years 1-60 (default 10)."),
    discount_rate: Optional[str] = typer.Option(
        None, "--discount-rate", help="A flat rate a year, 0-0.2 or 0%-20% (default: Green Book schedule, 3.5%)."
    ),
    start_date: Optional[str] = typer.Option(None, "--start-date", help="YYYY-MM-DD month 1 starts (default 2026-04-01)."),
    optimism_bias: Optional[bool] = typer.Option(
        None, "--optimism-bias/--no-optimism-bias", help="Adjust costs and savings by strength of evidence (default on)."
    ),
    settings_file: Optional[Path] = typer.Option(None, "--settings", help="YAML file of appraisal settings."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """Costs, savings, NPV, ROI and break-even over time, with set-up and ramp-up."""
    from . import appraisal
    from .appraisal.tables import print_appraisal

    lib, area_id = _library_with_area(area, area_file)
    scenario = define_scenario(area_id, _split_ids(interventions), "potential", library=lib)
    over = {"years": years, "discount_rate": discount_rate, "start_date": start_date, "optimism_bias": optimism_bias}
    settings = appraisal.load_settings(settings_file, **over) if settings_file else appraisal.make_settings(**over)
    data = appraisal.appraisal_summary(appraisal.appraise(scenario, settings))
    if fmt is Format.json:
        _echo_json(data)
    elif fmt is Format.csv:
        _echo_csv(appraisal.appraisal_rows(data))
    else:
        print_appraisal(data, console)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, turning any CarescaleError into one line on stderr and exit 2."""
    try:
        app(args=argv, standalone_mode=False)
    except CarescaleError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 1
    except Exception as exc:  # click usage errors
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            return exc.exit_code
        raise
    return 0


def entry() -> None:  # console_scripts target
    sys.exit(main())
