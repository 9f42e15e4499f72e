"""`carescale run`, `carescale parameters` and `carescale validate`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from ..safe_text import echo  # user text never reaches the terminal raw
from ..engine import summary as report
from ..formatting import people, short_money as money
from ..safe_text import styled
from ..library import validate_file
from .rendered import printed
from .common import (
    Basis,
    Format,
    app,
    area_file_option,
    area_option,
    basis_option,
    console,
    echo_listing,
    emit,
    interventions_option,
    output_option,
    preset_option,
    price_base_option,
    price_index_option,
    price_label,
    print_scenario_notes,
    reprice_option,
    scenario_document,
    scenario_option,
    set_option,
)

# -- run -------------------------------------------------------------------------------------


@app.command()
def run(
    ctx: typer.Context,
    area: Optional[str] = area_option(),
    area_file: Optional[Path] = area_file_option(),
    interventions: Optional[str] = interventions_option(),
    basis: Basis = basis_option(),
    scenario_file: Optional[Path] = scenario_option(),
    sets: Optional[list[str]] = set_option(),
    reprice: Optional[bool] = reprice_option(),
    preset: Optional[str] = preset_option(),
    price_base: Optional[str] = price_base_option(),
    price_index: Optional[Path] = price_index_option(),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
    output: Optional[Path] = output_option(),
) -> None:
    """Annual costs and savings by payer at full scale, like the paper's summary table."""
    from ..scenarios import evaluate_document

    doc = scenario_document(ctx, scenario_file, area=area, area_file=area_file, interventions=interventions,
                            basis=basis, sets=sets, reprice=reprice, preset=preset, price_base=price_base, price_index=price_index)
    evaluation = evaluate_document(doc)
    data = evaluation.run_output()  # shared by the evaluation: read only

    def table() -> None:
        scenario = evaluation.scenario
        lines = (_official_figures(scenario.area) + _official_sizing(scenario) + _baseline(scenario.area, data)
                 + _calibrated_models(scenario))  # what the run prints from the scenario, as text

        def render() -> None:  # reads data and lines only: its text is kept by them (cli.rendered)
            from ..appraisal.tables import print_bridge, print_value

            _print_summary_table(data)
            print_value(data["value"], console, price_label(data))
            print_bridge(data["bridge"], console)
            for line in lines:
                console.print(line, markup=False)
            print_scenario_notes(data)

        printed("run", (data, lines), render)

    emit(fmt, data, rows=lambda: report.rows(data), table=table, output=output)


def _print_summary_table(data: dict[str, Any]) -> None:
    from rich.table import Table

    title = f"Scaling up what works: {data['area']['name']} ({data['basis']} basis, a year at full scale, {price_label(data)})"
    table = Table(title=title, show_footer=False)
    for col, just in (
        ("Model", "left"),
        ("Transformation area", "center"),
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
            money(i["cost"]) + (" (no cost evidence)" if i.get("cost_evidence") == "none" else
                                "*" if i.get("cost_evidence") == "assumption" else ""),
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
        styled(("Total", "bold")), "", people(t["beneficiaries"]), money(t["cost"]),
        money(t["gross_savings"]["asc"]), money(t["gross_savings"]["nhs"]),
        styled((money(t["net_savings"]["asc"]), "bold")), styled((money(t["net_savings"]["nhs"]), "bold")),
        money(t["setup_investment"]) if t["setup_investment"] else "",
    )
    # at 80 columns the least important go first; money is never cut (safe_text.fit_table)
    table.carescale_drop = ["Transformation area", "Set-up", "Gross NHS", "Gross ASC"]  # type: ignore[attr-defined]
    console.print(table)
    if any(i.get("cost_evidence") == "assumption" for i in data["interventions"]):
        console.print("* A running cost the evidence does not give: our documented assumption (full costs, docs/appraisal.md).")
    free = [i["name"] for i in data["interventions"] if i.get("cost_evidence") == "none"]
    if free:
        console.print(f"No cost evidence: {', '.join(free)} cost nothing here, so they have no return on investment.")
    for n in data["not_modelled"]:
        console.print(f"Not modelled: {n['id']} (the area profile has no {', '.join(n['missing'])})")
    est = data["estimated_figures"]
    if est:
        console.print(
            f"Estimated figures used ({len(est)}), not the area's own: "
            + "; ".join(f"{e['path'].removeprefix('area.')} = {e['value']:,.0f}" for e in est)
            + " (see 'carescale areas show')"
        )


OFFICIAL_DOCUMENTS = {"ons-mye-2023": "ONS", "ons-mye-2020": "ONS", "nhs-digital-ascfr-2022": "ASC-FR/SALT",
                      "nhs-digital-ascof-2021": "ASCOF"}


def _official_figures(area: Any) -> list[str]:
    """Which of the area's figures are official (source and year); estimates are listed above."""
    from ..areas.keys import figures

    official = [(k, q) for k, q in figures(area).items()
                if q.status != "estimated" and q.ref.document in OFFICIAL_DOCUMENTS]
    lines = []
    if official:
        lines.append(
            f"Official figures ({len(official)}): "
            + "; ".join(f"{k} = {q.value:,.0f} ({OFFICIAL_DOCUMENTS[q.ref.document]} {q.period or q.price_year})"
                        for k, q in official)
        )
        if len(official) == len(figures(area)):
            lines.append("Estimated figures: none (every figure of the profile is official).")
    return lines


def _official_sizing(scenario: Any) -> list[str]:
    """Each segment sized on another target group than the evidence's (``sizing.otherwise``:
    the area lacks the evidence's figures; docs/fidelity.md, "Official target groups"), with
    the group, the share and how the share was set."""
    from ..library import default_library

    lib = default_library()
    lines = []
    for iv in scenario.interventions:
        own = lib.interventions.get(iv.id)
        if own is None:
            continue
        for seg, mine in zip(iv.segments, own.segments):
            if mine.sizing.otherwise is None or seg.sizing != mine.sizing.otherwise:
                continue
            sz = seg.sizing
            lines.append(
                f"Sizing used here: {iv.id}.{seg.id} = {sz.rate.value:.4g} x cohorts.{sz.cohort} "
                f"(the area has no {'cohorts.' + mine.sizing.cohort if mine.sizing.cohort not in scenario.area.cohorts else 'provision.' + iv.id + '.' + seg.id}; "
                f"share: {' '.join(sz.rate.derivation.split())})"
            )
    return lines


def _baseline(area: Any, data: dict[str, Any]) -> list[str]:
    """What the council spends on adult social care now (official figures), under the model
    results, in the run's price base (docs/data.md, baseline spend)."""
    from ..official.spend_baseline import baseline_for_area, baseline_lines

    b = baseline_for_area(area, (data.get("prices") or {}).get("year"))
    if b is None:
        return []
    return [f"Baseline: what {b['name']} spends now (official figures; every line with its cell in "
            f"'carescale areas baseline {b['code']} --format json'):"] + ["  " + line for line in baseline_lines(b)]


def _calibrated_models(scenario: Any) -> list[str]:
    """Models calibrated to one site are marked, with what a council must add, and each saving
    priced by a unit cost names the unit cost and its source (docs/evidence.md)."""
    lines = []
    for iv in scenario.interventions:
        priced = []
        for seg in iv.segments:
            for o in seg.outcomes:
                q = o.unit_saving
                how = q.derivation if q.derivation and "scaled by" in q.derivation else q.note
                if o.priced_by is not None and how and ("scaled by" in how or "Priced by the unit cost" in how):
                    priced.append(f"  {iv.id}.{seg.id}.{o.id}: {how}")
        if iv.calibration:
            lines.append(
                f"Calibrated to one site: {iv.id} ({iv.source.site}, {iv.source.period}); Nesta level "
                f"{iv.evidence_grade.level}; a council must add: {'; '.join(iv.missing_numbers)}"
            )
        elif priced:
            lines.append(f"Priced by this area's unit costs: {iv.id} (savings measured in {iv.source.site})")
        lines += priced
    return lines


@app.command()
def parameters(
    ctx: typer.Context,
    area: Optional[str] = area_option(),
    area_file: Optional[Path] = area_file_option(),
    interventions: Optional[str] = interventions_option(),
    basis: Basis = typer.Option(Basis.potential, "--basis"),
    scenario_file: Optional[Path] = scenario_option(),
    sets: Optional[list[str]] = set_option(),
    reprice: Optional[bool] = reprice_option(),
    preset: Optional[str] = preset_option(),
    price_base: Optional[str] = price_base_option(),
    price_index: Optional[Path] = price_index_option(),
    fmt: Format = typer.Option(Format.table, "--format"),
    output: Optional[Path] = output_option(),
) -> None:
    """List every number a run uses, by path, with its value, unit and status (and, for a figure
    changed by an override, its evidence value and the note)."""
    from ..engine.parameters import reprice as in_base
    from ..scenarios import evaluate_document

    doc = scenario_document(ctx, scenario_file, area=area, area_file=area_file, interventions=interventions,
                            basis=basis, sets=sets, reprice=reprice, preset=preset, price_base=price_base, price_index=price_index)
    ev = evaluate_document(doc)
    scenario = ev.scenario
    rows = [
        {
            "path": p.path, "label": p.label, "value": p.base, "unit": p.quantity.unit,
            "price_year": p.quantity.price_year or "", "status": "override" if p.change else p.quantity.status,
            "evidence_value": in_base(p.published, scenario).value if p.change else "",
            "note": (p.change.note or "override") if p.change else "",
        }
        for p in ev.parameters
    ]
    echo_listing(
        rows,
        fmt,
        f"Parameters: {scenario.area.name}"
        + (f" ({scenario.prices.year} prices)" if scenario.prices else " (prices as published)"),
        [("path", "path"), ("label", "label"), ("value", "value"), ("unit", "unit"), ("price year", "price_year"),
         ("status", "status"), ("evidence value", "evidence_value"), ("changed because", "note")],
        output,
        unit_key="unit",
    )


@app.command()
def validate(files: list[Path] = typer.Argument(..., metavar="FILE...", help="YAML files to check.")) -> None:
    """Check intervention, case-study, area profile or unit-cost YAML files; prints 'ok' for each valid file."""
    for path in files:
        if _is_unit_cost_file(path):
            from ..official.unit_costs import read_user_unit_costs

            costs = read_user_unit_costs(path)
            echo(f"ok: {path} (unit costs: {len(costs)})")
            continue
        obj = validate_file(path)
        echo(f"ok: {path} ({type(obj).__name__.lower()} {obj.id!r})")


def _is_unit_cost_file(path: Path) -> bool:
    """A unit-cost file is a mapping whose only key is ``unit_costs`` (docs/evidence.md)."""
    from ..io.yaml import read_yaml

    try:
        data = read_yaml(path)
    except Exception:  # noqa: BLE001 - validate_file reports the file's problem in one line
        return False
    return isinstance(data, dict) and set(data) == {"unit_costs"}
