"""`carescale report`: the business case as PDF, HTML, a live Excel workbook or Markdown
(docs/reports.md). A thin shell over :mod:`carescale.reports`."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from ..safe_text import echo  # user text never reaches the terminal raw
from ..errors import CarescaleError
from ..extras import require
from ..safe_text import one_line
from .common import (
    Basis,
    app,
    area_file_option,
    area_option,
    interventions_option,
    price_base_option,
    price_index_option,
    preset_option,
    reprice_option,
    scenario_document,
    scenario_option,
    set_option,
)


#: the libraries of the 'reports' extra each format draws with (Markdown needs none)
NEEDS = {"pdf": ("weasyprint", "matplotlib"), "html": ("matplotlib",), "xlsx": ("xlsxwriter",), "md": ()}


class ReportFormat(str, Enum):
    pdf = "pdf"
    html = "html"
    xlsx = "xlsx"
    md = "md"


@app.command("report")
def report_command(
    ctx: typer.Context,
    output: Path = typer.Option(..., "--output", "-o", help="The file to write (.pdf, .html, .xlsx or .md)."),
    fmt: Optional[ReportFormat] = typer.Option(
        None, "--format", help="pdf (board paper), html, xlsx (live workbook) or md (committee summary); "
        "default: from the file name."),
    area: str = area_option(),
    area_file: Optional[Path] = area_file_option(),
    interventions: Optional[str] = interventions_option(),
    basis: Basis = typer.Option(Basis.potential, "--basis", help="potential or current."),
    scenario_file: Optional[Path] = scenario_option(),
    sets: Optional[list[str]] = set_option(),
    reprice: Optional[bool] = reprice_option(),
    preset: Optional[str] = preset_option(),
    price_base: Optional[str] = price_base_option(),
    price_index: Optional[Path] = price_index_option(),
    draws: Optional[int] = typer.Option(None, "--draws", help="Monte Carlo draws (default: the scenario's, 10,000)."),
    note: Optional[str] = typer.Option(None, "--note", help="A note printed on the report (free text)."),
    plan: Optional[str] = typer.Option(
        None, "--plan", help="A saved plan's business case: its scenario document, with its review history."),
) -> None:
    """A business case: PDF or HTML for the board, a live Excel model for finance, Markdown for a committee paper."""
    from ..reports import FORMATS, render
    from ..safe_text import check_output_path, output_errors

    if fmt is None:
        suffix = output.suffix.lower().lstrip(".")
        if suffix not in FORMATS:
            raise CarescaleError(
                f"--output: {one_line(str(output))!r}: give --format pdf, html, xlsx or md, or a file name "
                "ending in .pdf, .html, .xlsx or .md")
        fmt = ReportFormat(suffix)
    require(NEEDS[fmt.value], "reports", f"carescale report --format {fmt.value}")
    path = check_output_path(output)
    fields = {}
    if draws is not None or note is not None:
        from ..scenarios import load_scenario

        base = load_scenario(scenario_file) if scenario_file else None
        if draws is not None:
            unc = base.uncertainty.model_dump() if base is not None else {}
            fields["uncertainty"] = {**unc, "draws": draws}
        if note is not None:
            fields["note"] = note
    if plan is not None:
        if scenario_file is not None:
            raise CarescaleError("--plan: give --plan (whose scenario document is used) or --scenario, not both")
        from ..plans.history import plan_evaluation, review_history
        from ..reports import prepare

        content = render(prepare(plan_evaluation(plan)).with_history(review_history(plan)), fmt.value)
        with output_errors(path):
            path.write_bytes(content)
        echo(f"wrote {output} ({len(content):,} bytes)", err=True)
        return
    doc = scenario_document(ctx, scenario_file, area=area, area_file=area_file, interventions=interventions,
                            basis=basis, sets=sets, reprice=reprice, preset=preset, price_base=price_base,
                            price_index=price_index, **fields)
    content = render(doc, fmt.value)
    with output_errors(path):
        path.write_bytes(content)
    echo(f"wrote {output} ({len(content):,} bytes)", err=True)
