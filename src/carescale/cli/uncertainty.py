"""`carescale uncertainty` (docs/uncertainty.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console

from .common import (
    Basis,
    Format,
    app,
    area_file_option,
    area_option,
    console,
    emit,
    _given,
    interventions_option,
    output_option,
    price_base_option,
    price_index_option,
    print_scenario_notes,
    preset_option,
    reprice_option,
    scenario_document,
    scenario_option,
    set_option,
)

# -- uncertainty (docs/uncertainty.md) ---------------------------------------------------------


@app.command("uncertainty")
def uncertainty_command(
    ctx: typer.Context,
    area: Optional[str] = area_option(),
    area_file: Optional[Path] = area_file_option(),
    interventions: Optional[str] = interventions_option(),
    basis: Basis = typer.Option(Basis.potential, "--basis", help="potential or current."),
    draws: int = typer.Option(10_000, "--draws", help="Monte Carlo draws, 1 to 1,000,000."),
    seed: int = typer.Option(20170301, "--seed", help="Random seed: the same seed gives the same output."),
    width_scale: float = typer.Option(1.0, "--width-scale", help="Multiply every range (0 fixes every figure)."),
    npv: bool = typer.Option(True, "--npv/--no-npv", help="Also draw NPV over the appraisal period (slower)."),
    sobol: bool = typer.Option(False, "--sobol", help="Also compute Sobol indices for the portfolio (SALib)."),
    sobol_samples: int = typer.Option(1024, "--sobol-samples", help="Sobol base samples, a power of 2."),
    scenario_file: Optional[Path] = scenario_option(),
    sets: Optional[list[str]] = set_option(),
    reprice: Optional[bool] = reprice_option(),
    preset: Optional[str] = preset_option(),
    price_base: Optional[str] = price_base_option(),
    price_index: Optional[Path] = price_index_option(),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format (csv: one row per model and payer)."),
    output: Optional[Path] = output_option(),
) -> None:
    """How sure are the savings: Monte Carlo, tornado, switching values and break-even targets."""
    from ..engine.summary import stamp_rows
    from ..scenarios import evaluate_document, load_scenario
    from ..uncertainty import UncertaintySettings
    from ..uncertainty.tables import print_uncertainty, uncertainty_rows

    given = {"draws": draws, "seed": seed, "width_scale": width_scale, "npv": npv, "sobol": sobol,
             "sobol_samples": sobol_samples}
    base = load_scenario(scenario_file).uncertainty.model_dump() if scenario_file else {}
    options = {**base, **{k: v for k, v in given.items() if scenario_file is None or _given(ctx, k)}}
    UncertaintySettings(**options)  # one-line errors for a bad draws/seed/... before any work
    doc = scenario_document(ctx, scenario_file, area=area, area_file=area_file, interventions=interventions,
                            basis=basis, sets=sets, reprice=reprice, preset=preset, price_base=price_base,
                            price_index=price_index, uncertainty=options)
    ev = evaluate_document(doc)
    draws, sobol = doc.uncertainty.draws, doc.uncertainty.sobol
    if draws >= 50_000 or sobol:
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as bar:
            tasks: dict[str, Any] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done, total=total)

            data = ev.uncertainty(progress)  # shared by the evaluation: read only
    else:
        data = ev.uncertainty()

    def table() -> None:
        print_uncertainty(data, console)
        print_scenario_notes(data)

    emit(fmt, data, rows=lambda: stamp_rows(uncertainty_rows(data), data), table=table, output=output)
