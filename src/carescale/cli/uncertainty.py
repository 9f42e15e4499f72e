"""`carescale uncertainty` (docs/uncertainty.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console

from ..scenario import define_scenario
from .common import (
    Basis,
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

# -- uncertainty (docs/uncertainty.md) ---------------------------------------------------------


@app.command("uncertainty")
def uncertainty_command(
    area: str = area_option(),
    area_file: Optional[Path] = area_file_option(),
    interventions: Optional[str] = interventions_option(),
    basis: Basis = typer.Option(Basis.potential, "--basis", help="potential or current."),
    draws: int = typer.Option(10_000, "--draws", help="Monte Carlo draws, 1 to 1,000,000."),
    seed: int = typer.Option(20170301, "--seed", help="Random seed: the same seed gives the same output."),
    width_scale: float = typer.Option(1.0, "--width-scale", help="Multiply every range (0 fixes every figure)."),
    npv: bool = typer.Option(True, "--npv/--no-npv", help="Also draw NPV over the appraisal period (slower)."),
    sobol: bool = typer.Option(False, "--sobol", help="Also compute Sobol indices for the portfolio (SALib)."),
    sobol_samples: int = typer.Option(1024, "--sobol-samples", help="Sobol base samples, a power of 2."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format (csv: one row per model and payer)."),
    output: Optional[Path] = output_option(),
) -> None:
    """How sure are the savings: Monte Carlo, tornado, switching values and break-even targets."""
    from ..uncertainty import UncertaintySettings, run_uncertainty
    from ..uncertainty.tables import print_uncertainty, uncertainty_rows

    settings = UncertaintySettings(
        draws=draws, seed=seed, width_scale=width_scale, npv=npv, sobol=sobol, sobol_samples=sobol_samples
    )
    lib, area_id = library_with_area(area, area_file)
    scenario = define_scenario(area_id, split_ids(interventions), basis.value, library=lib)
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
    emit(fmt, data, rows=lambda: uncertainty_rows(data), table=lambda: print_uncertainty(data, console),
         output=output)
