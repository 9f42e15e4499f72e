"""`carescale appraise` (docs/appraisal.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .common import (
    Basis,
    Format,
    app,
    area_file_option,
    area_option,
    basis_option,
    console,
    emit,
    interventions_option,
    optimism_bias_option,
    output_option,
    preset_option,
    price_base_option,
    price_index_option,
    print_scenario_notes,
    reprice_option,
    scenario_document,
    scenario_option,
    set_option,
    start_date_option,
    years_option,
)

# -- appraise (docs/appraisal.md) --------------------------------------------------------------


@app.command("appraise")
def appraise_command(
    ctx: typer.Context,
    area: Optional[str] = area_option(),
    area_file: Optional[Path] = area_file_option(),
    interventions: Optional[str] = interventions_option(),
    basis: Basis = basis_option(),
    years: Optional[str] = years_option(),
    discount_rate: Optional[str] = typer.Option(
        None, "--discount-rate", help="A flat rate a year, 0-0.2 or 0%-20% (default: Green Book schedule, 3.5%)."
    ),
    start_date: Optional[str] = start_date_option(),
    optimism_bias: Optional[bool] = optimism_bias_option(),
    counterfactual: Optional[bool] = typer.Option(
        None, "--counterfactual/--no-counterfactual",
        help="Deadweight, attribution, drop-off and duration by each model's evidence design (default on).",
    ),
    settings_file: Optional[Path] = typer.Option(None, "--settings", help="YAML file of appraisal settings."),
    monthly: bool = typer.Option(False, "--monthly", help="Also give the flows month by month (json, csv)."),
    scenario_file: Optional[Path] = scenario_option(),
    sets: Optional[list[str]] = set_option(),
    reprice: Optional[bool] = reprice_option(),
    preset: Optional[str] = preset_option(),
    price_base: Optional[str] = price_base_option(),
    price_index: Optional[Path] = price_index_option(),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
    output: Optional[Path] = output_option(),
) -> None:
    """Costs, savings, NPV, ROI and break-even over time, with set-up and ramp-up."""
    from .. import appraisal
    from ..appraisal.tables import print_appraisal, print_bridge

    from ..scenarios import evaluate_document, load_scenario

    over = {"years": years, "discount_rate": discount_rate, "start_date": start_date, "optimism_bias": optimism_bias,
            "counterfactual": counterfactual}
    if settings_file:
        settings = appraisal.load_settings(settings_file, **over)
    else:
        base = load_scenario(scenario_file).appraisal if scenario_file else None
        settings = appraisal.make_settings(base.model_dump() if base is not None else None, **over)
    doc = scenario_document(ctx, scenario_file, area=area, area_file=area_file, interventions=interventions,
                            basis=basis, sets=sets, reprice=reprice, preset=preset, price_base=price_base,
                            price_index=price_index, appraisal=settings.model_dump(mode="json"))
    data = evaluate_document(doc).appraisal_output(monthly)  # shared by the evaluation: read only

    def table() -> None:
        print_appraisal(data, console)
        print_bridge(data["bridge"], console)
        print_scenario_notes(data)

    emit(fmt, data, rows=lambda: appraisal.appraisal_rows(data), table=table, output=output)
