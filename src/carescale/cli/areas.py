"""`carescale areas template|export|import` (docs/areas.md)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer

from ..errors import CarescaleError
from ..library import default_library
from ..safe_text import write_output
from .common import (
    areas_app,
)

# -- area templates, import and export (docs/areas.md) ----------------------------------------


class SheetFormat(str, Enum):
    csv = "csv"
    xlsx = "xlsx"


def _write_template(table: list[list[Any]], fmt: SheetFormat, output: Optional[Path]) -> None:
    from ..areas_io import to_csv, write_xlsx

    if fmt is SheetFormat.xlsx:
        if output is None:
            raise CarescaleError("--output: an XLSX file cannot be printed; give a file name, for example --output area.xlsx")
        write_xlsx(table, output)
        typer.echo(f"wrote {output}", err=True)
    elif output is None:
        typer.echo(to_csv(table), nl=False)
    else:
        write_output(output, to_csv(table), bom=True)  # a byte-order mark so that Excel reads UTF-8
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
    from ..areas_io import template_table

    _write_template(template_table(default_library()), _sheet_format(fmt, output), output)


@areas_app.command("export")
def areas_export(
    area_id: str = typer.Argument(..., metavar="ID"),
    fmt: Optional[SheetFormat] = typer.Option(None, "--format", help="csv or xlsx (default: from --output, else csv)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="File to write (default: print the CSV)."),
) -> None:
    """Write an area profile as a filled-in template (edit it and import it back)."""
    from ..areas_io import template_table

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
    from ..areas_io import read_area_file, save_area
    from ..areas_io.importer import ID_PATTERN, AreaFileError

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
    from ..areas_io.keys import get_figure

    return get_figure(area, key)
