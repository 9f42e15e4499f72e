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
evidence_app = typer.Typer(
    help="The evidence base: every care model and case study in the sources, graded and searchable.",
    no_args_is_help=True,
)
app.add_typer(evidence_app, name="evidence")

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
            "status": iv.status,
            "source_site": iv.source.site if iv.source else "",
        }
        for iv in lib.interventions.values()
    ]
    if fmt is Format.json:
        _echo_json(rows)
    elif fmt is Format.csv:
        _echo_csv(rows)
    else:
        table = Table(title="Evidence library")
        for col in ("id", "name", "status", "area", "target group", "source site"):
            table.add_column(col)
        for r in rows:
            table.add_row(r["id"], r["name"], r["status"], str(r["transformation_area"]), r["target_group"], r["source_site"])
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
    if iv.source:
        console.print(f"Source: {iv.source.site}, {iv.source.period}. {iv.source.description}")
    else:
        console.print(f"Promising model (not runnable); see 'carescale evidence show {iv.id}'")
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
    area_file: Optional[Path] = typer.Option(None, "--area-file", help="Run on an area profile file instead: YAML, or a filled-in template (.csv/.xlsx, see 'carescale areas template')."),
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
    est = data["estimated_figures"]
    if est:
        console.print(
            f"Estimated figures used ({len(est)}), not the area's own: "
            + "; ".join(f"{e['path'].removeprefix('area.')} = {e['value']:,.0f}" for e in est)
            + " (see 'carescale areas show')"
        )


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
    """Check intervention, case-study or area profile YAML files; prints 'ok' for each valid file."""
    for path in files:
        obj = validate_file(path)
        typer.echo(f"ok: {path} ({type(obj).__name__.lower()} {obj.id!r})")


# -- appraise (docs/appraisal.md) --------------------------------------------------------------


@app.command("appraise")
def appraise_command(
    area: str = typer.Option("birmingham", "--area", help="Area profile id (see 'carescale areas list')."),
    area_file: Optional[Path] = typer.Option(None, "--area-file", help="Run on an area profile file instead: YAML, or a filled-in template (.csv/.xlsx, see 'carescale areas template')."),
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
    monthly: bool = typer.Option(False, "--monthly", help="Also give the flows month by month (json, csv)."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """Costs, savings, NPV, ROI and break-even over time, with set-up and ramp-up."""
    from . import appraisal
    from .appraisal.tables import print_appraisal

    lib, area_id = _library_with_area(area, area_file)
    scenario = define_scenario(area_id, _split_ids(interventions), "potential", library=lib)
    over = {"years": years, "discount_rate": discount_rate, "start_date": start_date, "optimism_bias": optimism_bias}
    settings = appraisal.load_settings(settings_file, **over) if settings_file else appraisal.make_settings(**over)
    data = appraisal.appraisal_summary(appraisal.appraise(scenario, settings, monthly=monthly))
    if fmt is Format.json:
        _echo_json(data)
    elif fmt is Format.csv:
        _echo_csv(appraisal.appraisal_rows(data))
    else:
        print_appraisal(data, console)


# -- area templates, import and export (docs/areas.md) ----------------------------------------


class SheetFormat(str, Enum):
    csv = "csv"
    xlsx = "xlsx"


def _write_template(table: list[list[Any]], fmt: SheetFormat, output: Optional[Path]) -> None:
    from .areas_io import to_csv, write_xlsx

    if fmt is SheetFormat.xlsx:
        if output is None:
            raise CarescaleError("--output: an XLSX file cannot be printed; give a file name, for example --output area.xlsx")
        write_xlsx(table, output)
        typer.echo(f"wrote {output}", err=True)
    elif output is None:
        typer.echo(to_csv(table), nl=False)
    else:
        output.write_text(to_csv(table), encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)


def _sheet_format(fmt: Optional[SheetFormat], output: Optional[Path]) -> SheetFormat:
    if fmt is not None:
        return fmt
    return SheetFormat.xlsx if output is not None and output.suffix.lower() == ".xlsx" else SheetFormat.csv


@areas_app.command("template")
def areas_template(
    fmt: Optional[SheetFormat] = typer.Option(None, "--format", help="csv or xlsx (default: from --output, else csv)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="File to write (default: print the CSV)."),
) -> None:
    """Write a blank area profile: one row per figure the models use, with a description and unit."""
    from .areas_io import template_table

    _write_template(template_table(default_library()), _sheet_format(fmt, output), output)


@areas_app.command("export")
def areas_export(
    area_id: str = typer.Argument(..., metavar="ID"),
    fmt: Optional[SheetFormat] = typer.Option(None, "--format", help="csv or xlsx (default: from --output, else csv)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="File to write (default: print the CSV)."),
) -> None:
    """Write an area profile as a filled-in template (edit it and import it back)."""
    from .areas_io import template_table

    lib = default_library()
    _write_template(template_table(lib, lib.area(area_id)), _sheet_format(fmt, output), output)


@areas_app.command("import")
def areas_import(
    file: Path = typer.Argument(..., metavar="FILE", help="A filled-in template (.csv or .xlsx)."),
    new_id: Optional[str] = typer.Option(None, "--id", help="Save under this id instead of the file's area.id."),
    replace: bool = typer.Option(False, "--replace", help="Overwrite a profile saved earlier with the same id."),
    estimate: bool = typer.Option(True, "--estimate/--no-estimate", help="Estimate a council's blank figures from its population (docs/areas.md)."),
) -> None:
    """Check a filled-in template and save it as an area profile ('carescale run --area ID')."""
    from .areas_io import read_area_file, save_area
    from .areas_io.importer import ID_PATTERN, AreaFileError

    lib = default_library()
    imported = read_area_file(file, lib, estimate)
    area = imported.area
    if new_id is not None:
        if not ID_PATTERN.match(new_id):
            raise AreaFileError(f"--id: {new_id!r} is not a valid id; use lower-case letters, digits and single hyphens")
        area = area.model_copy(update={"id": new_id})
    path = save_area(area, replace=replace)
    typer.echo(f"saved area profile {area.id!r} ({area.name}) to {path}")
    for key in imported.estimated:
        q = _figure(area, key)
        typer.echo(f"  estimated {key} = {q.value:,.0f}: {q.derivation}")
    for key in imported.given_as_estimates:
        typer.echo(f"  {key}: given as an estimate in the file")
    if imported.blank:
        typer.echo("  left blank (not modelled where needed): " + ", ".join(imported.blank))
    typer.echo(f"run it with: carescale run --area {area.id}")


def _figure(area: Any, key: str) -> Any:
    from .areas_io.keys import get_figure

    return get_figure(area, key)


# -- national roll-up ------------------------------------------------------------------------


@app.command()
def national(
    mye: Path = typer.Option(..., "--mye", help="ONS mid-year estimates workbook with an MYE2 - Persons sheet (.xls or .xlsx)."),
    ascof: Path = typer.Option(..., "--ascof", help="NHS Digital ASCOF open data (.csv or .xlsx)."),
    boundaries: str = typer.Option("2023", "--boundaries", help="Council boundaries: 2023 (Cumberland, Westmorland and Furness, ...) or 2021 (as in the ONS file)."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """Every English council with adult social care responsibilities: the paper's portfolio scaled
    to each, and the England total, with how many figures were estimated."""
    from .national import build_profiles, check_boundaries, run_national
    from .official import read_ascof, read_mye

    check_boundaries(boundaries)
    if fmt is not Format.table:
        data = run_national(build_profiles(read_mye(mye), read_ascof(ascof), boundaries))
        if fmt is Format.json:
            _echo_json(data)
        else:
            _echo_csv(_national_rows(data))
        return
    from rich.progress import Progress

    err = Console(stderr=True)
    with Progress(console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("reading ONS and ASCOF files", total=None)
        inputs = build_profiles(read_mye(mye), read_ascof(ascof), boundaries)
        progress.update(task, description="running the portfolio on each council", total=len(inputs.councils), completed=0)
        data = run_national(inputs, progress=lambda name: progress.advance(task))
    _print_national_table(data)


def _national_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    def row(code, name, d, estimated, n_est):
        return {
            "code": code,
            "name": name,
            "beneficiaries": d["beneficiaries"],
            "cost": d["cost"],
            "gross_savings_asc": d["gross_savings"]["asc"],
            "gross_savings_nhs": d["gross_savings"]["nhs"],
            "overlap_deduction_asc": d["overlap_deduction"]["asc"],
            "net_savings_asc": d["net_savings"]["asc"],
            "net_savings_nhs": d["net_savings"]["nhs"],
            "setup_investment": d["setup_investment"],
            "estimated_figures": n_est,
            "estimated": estimated,
        }

    out = [row(a["code"], a["name"], a, ";".join(a["estimated"]), len(a["estimated"])) for a in data["areas"]]
    t = data["totals"]
    out.append(row("E92000001", f"England ({t['councils']} councils)", t, "", t["estimated_figures"]))
    return out


def _print_national_table(data: dict[str, Any]) -> None:
    from rich.markup import escape

    money, people = report.money, report.people
    table = Table(title=f"Scaling up what works in every council ({data['boundaries']} boundaries, a year at full scale)")
    for col, just in (("Code", "left"), ("Council", "left"), ("Beneficiaries", "right"), ("Cost", "right"),
                      ("Net ASC", "right"), ("Net NHS", "right"), ("Estimated figures", "left")):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for a in data["areas"]:
        table.add_row(a["code"], escape(a["name"]), people(a["beneficiaries"]), money(a["cost"]),
                      money(a["net_savings"]["asc"]), money(a["net_savings"]["nhs"]),
                      _short_estimates(a["estimated"]), end_section=a is data["areas"][-1])
    t = data["totals"]
    table.add_row("E92000001", f"[bold]England[/bold] ({t['councils']} councils)", people(t["beneficiaries"]),
                  money(t["cost"]), f"[bold]{money(t['net_savings']['asc'])}[/bold]",
                  f"[bold]{money(t['net_savings']['nhs'])}[/bold]", f"{t['estimated_figures']} of {t['figures']}")
    console.print(table)
    console.print(
        f"Estimated: {t['estimated_figures']} of {t['figures']} figures ({t['councils_with_estimates']} councils) "
        "were not in the files and were estimated from population (data/prevalence.yaml); see --format json."
    )
    console.print("Key: " + "; ".join(f"{v} = {k}" for k, v in _SHORT.items()))
    for a in data["areas"]:
        for n in a["notes"]:
            console.print(escape(f"Note: {a['name']} ({a['code']}): {n}"))
    for e in data["excluded"]:
        console.print("[bold]Excluded[/bold]: " + escape(f"{e['name']} ({e['code']}): {e['reason']}"))


_SHORT = {
    "cohorts.older_people_very_limited": "VL",
    "cohorts.learning_disability_long_term_support": "LD",
    "cohorts.mental_health_long_term_support": "MH",
    "spend.long_term_placements": "LTP",
    "spend.short_term_placements": "STP",
    "provision.shared-lives.learning-disability": "SL-LD",
    "provision.shared-lives.mental-health": "SL-MH",
}


def _short_estimates(keys: list[str]) -> str:
    return ", ".join(_SHORT.get(k, k) for k in keys)


# -- uncertainty (docs/uncertainty.md) ---------------------------------------------------------


@app.command("uncertainty")
def uncertainty_command(
    area: str = typer.Option("birmingham", "--area", help="Area profile id (see 'carescale areas list')."),
    area_file: Optional[Path] = typer.Option(None, "--area-file", help="Run on an area profile file instead: YAML, or a filled-in template (.csv/.xlsx, see 'carescale areas template')."),
    interventions: Optional[str] = typer.Option(None, "--interventions", help="Comma-separated intervention ids."),
    basis: Basis = typer.Option(Basis.potential, "--basis", help="potential or current."),
    draws: int = typer.Option(10_000, "--draws", help="Monte Carlo draws, 1 to 1,000,000."),
    seed: int = typer.Option(20170301, "--seed", help="Random seed: the same seed gives the same output."),
    width_scale: float = typer.Option(1.0, "--width-scale", help="Multiply every range (0 fixes every figure)."),
    npv: bool = typer.Option(True, "--npv/--no-npv", help="Also draw NPV over the appraisal period (slower)."),
    sobol: bool = typer.Option(False, "--sobol", help="Also compute Sobol indices for the portfolio (SALib)."),
    sobol_samples: int = typer.Option(1024, "--sobol-samples", help="Sobol base samples, a power of 2."),
    fmt: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """How sure are the savings: Monte Carlo, tornado, switching values and break-even targets."""
    from .uncertainty import UncertaintySettings, run_uncertainty
    from .uncertainty.tables import print_uncertainty

    if fmt is Format.csv:
        raise CarescaleError("format: 'csv' is not available for uncertainty; valid formats are: table, json")
    settings = UncertaintySettings(
        draws=draws, seed=seed, width_scale=width_scale, npv=npv, sobol=sobol, sobol_samples=sobol_samples
    )
    lib, area_id = _library_with_area(area, area_file)
    scenario = define_scenario(area_id, _split_ids(interventions), basis.value, library=lib)
    if draws >= 50_000 or sobol:
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as bar:
            tasks: dict[str, Any] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done, total=total)

            data = run_uncertainty(scenario, settings, progress)
    else:
        data = run_uncertainty(scenario, settings)
    if fmt is Format.table:
        print_uncertainty(data, console)
    else:
        _echo_json(data)


# -- evidence --------------------------------------------------------------------------------


class EvidenceFormat(str, Enum):
    table = "table"
    json = "json"


class PayerChoice(str, Enum):
    asc = "asc"
    nhs = "nhs"


class KindChoice(str, Enum):
    model = "model"
    case_study = "case-study"


@evidence_app.command("search")
def evidence_search(
    query: str = typer.Argument("", metavar="QUERY", help="Words to look for, e.g. \"older people living alone\"."),
    area: Optional[int] = typer.Option(None, "--area", help="Transformation area, 1 to 5."),
    target_group: Optional[str] = typer.Option(None, "--target-group", help="Words the target group must contain."),
    payer: Optional[PayerChoice] = typer.Option(None, "--payer", help="Only evidence of savings to this payer."),
    min_level: Optional[int] = typer.Option(None, "--min-level", help="Lowest Nesta Standards of Evidence level, 1 to 5."),
    kind: Optional[KindChoice] = typer.Option(None, "--kind", help="Only models or only case studies."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Show at most this many."),
    fmt: EvidenceFormat = typer.Option(EvidenceFormat.table, "--format", help="Output format."),
) -> None:
    """Search the models and case studies (names, target groups, descriptions, places, results)."""
    from . import evidence

    hits = evidence.search(
        query, area=area, target_group=target_group, payer=payer.value if payer else None,
        min_level=min_level, kind=kind.value.replace("-", " ") if kind else None, limit=limit,
    )
    if fmt is EvidenceFormat.json:
        _echo_json([h.as_dict() for h in hits])
        return
    if not hits:
        console.print("No model or case study matches; try fewer words or filters.")
        return
    table = Table(title=f"Evidence base: {query or 'everything'} ({len(hits)} found)")
    for col in ("id", "kind", "name", "area", "level", "saves", "target group / place"):
        table.add_column(col, overflow="fold")
    for h in hits:
        r = h.record
        who = r.target_group + (f" / {r.place}" if r.place else "")
        kind_text = r.kind if r.kind == "case study" else f"model ({r.status})"
        table.add_row(r.id, kind_text, r.name, ",".join(map(str, r.transformation_areas)),
                      str(r.level), ",".join(p.upper() for p in r.payers), who)
    console.print(table)


@evidence_app.command("show")
def evidence_show(
    record_id: str = typer.Argument(..., metavar="ID", help="A model or case-study id (see 'carescale evidence search')."),
    fmt: EvidenceFormat = typer.Option(EvidenceFormat.table, "--format", help="table (readable) or json."),
) -> None:
    """Show one model or case study in full, with its evidence grade and full references."""
    from . import evidence

    d = evidence.detail(record_id)
    if fmt is EvidenceFormat.json:
        _echo_json(d)
        return
    g = d["evidence_grade"]

    def ref_line(ref: dict[str, Any]) -> str:
        return f"{ref['title']} ({ref['publisher']}, {ref['date']}), {ref['section']}: \"{ref['quote']}\""

    if d["kind"] == "model":
        console.print(f"[bold]{d['name']}[/bold] ({d['id']}) - {d['status']} model, transformation area {d['transformation_area']}")
        if d["transformation_area_note"]:
            console.print(f"Area: {d['transformation_area_note']}")
        console.print(d["description"])
        console.print(f"Target group: {d['target_group']}")
        if d["payers"]:
            console.print("Saves: " + ", ".join(p.upper() for p in d["payers"]))
        console.print(f"Evidence: {d['evidence']}")
        console.print(f"Evidence level {g['level']} of 5 (Nesta Standards of Evidence): {g['reason']}")
        if d["missing_numbers"]:
            console.print("Numbers the seeds do not give (needed to run it): " + "; ".join(d["missing_numbers"]))
        if d["source"]:
            s = d["source"]
            console.print(f"Source site: {s['site']}, {s['period']}. {s['description']}")
        if d["figures"]:
            _print_quantities(evidence.record(record_id))
        if d["case_studies"]:
            console.print("Case studies:")
            for c in d["case_studies"]:
                console.print(f"  {c['id']}: {c['name']} ({c['place']}, {c['period']})")
        console.print("References:")
        for ref in [d["evidence_ref"], *d["references"]]:
            console.print("  " + ref_line(ref))
        return
    console.print(f"[bold]{d['name']}[/bold] ({d['id']}) - case study, {d['place']}, {d['period']}")
    console.print(d["what_was_done"])
    console.print(f"Target group: {d['target_group']}")
    console.print("Evidence for: " + ", ".join(f"{m['name']} ({m['id']}, {m['status']})" for m in d["models"]))
    if d["payers"]:
        console.print("Saves: " + ", ".join(p.upper() for p in d["payers"]))
    console.print(f"Evidence level {g['level']} of 5 (Nesta Standards of Evidence): {g['reason']}")
    if d["results"]:
        table = Table(title="Reported results")
        for col in ("result", "value", "unit", "period / price year", "quote"):
            table.add_column(col, overflow="fold")
        for r in d["results"]:
            table.add_row(r["description"], f"{r['value']:,.10g}", r["unit"],
                          r.get("price_year") or r.get("period") or "", r["ref"]["quote"])
        console.print(table)
    for f in d["findings"]:
        console.print(f"Finding: {f['text']}")
    console.print("References:")
    for ref in d["references"]:
        console.print("  " + ref_line(ref))


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
    except typer.TyperException as exc:  # usage errors: bad option, bad choice, ...
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            typer.echo(f"error: {exc.format_message()}", err=True)
        return exc.exit_code
    return 0


def entry() -> None:  # console_scripts target
    sys.exit(main())
