"""`carescale appraise` (docs/appraisal.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..scenario import define_scenario
from .common import (
    Format,
    app,
    area_file_option,
    area_option,
    console,
    emit,
    interventions_option,
    library_with_area,
    output_option,
    split_ids,
)

# -- appraise (docs/appraisal.md) --------------------------------------------------------------


@app.command("appraise")
def appraise_command(
    area: str = area_option(),
    area_file: Optional[Path] = area_file_option(),
    interventions: Optional[str] = interventions_option(),
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
    output: Optional[Path] = output_option(),
) -> None:
    """Costs, savings, NPV, ROI and break-even over time, with set-up and ramp-up."""
    from .. import appraisal
    from ..appraisal.tables import print_appraisal

    lib, area_id = library_with_area(area, area_file)
    scenario = define_scenario(area_id, split_ids(interventions), "potential", library=lib)
    over = {"years": years, "discount_rate": discount_rate, "start_date": start_date, "optimism_bias": optimism_bias}
    settings = appraisal.load_settings(settings_file, **over) if settings_file else appraisal.make_settings(**over)
    data = appraisal.appraisal_summary(appraisal.appraise(scenario, settings, monthly=monthly))
    emit(fmt, data, rows=lambda: appraisal.appraisal_rows(data), table=lambda: print_appraisal(data, console),
         output=output)
