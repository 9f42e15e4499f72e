"""`carescale areas template|export|import` (docs/areas.md)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer

from ..errors import CarescaleError
from ..library import default_library
from ..safe_text import echo, echo_data, one_line, write_output
from .common import (
    areas_app,
)

# -- area templates, import and export (docs/areas.md) ----------------------------------------


class SheetFormat(str, Enum):
    csv = "csv"
    xlsx = "xlsx"


def _write_template(table: list[list[Any]], fmt: SheetFormat, output: Optional[Path]) -> None:
    from ..areas import to_csv, write_xlsx

    if fmt is SheetFormat.xlsx:
        if output is None:
            raise CarescaleError("--output: an XLSX file cannot be printed; give a file name, for example --output area.xlsx")
        write_xlsx(table, output)
        echo(f"wrote {output}", err=True)
    elif output is None:
        echo_data(to_csv(table))
    else:
        write_output(output, to_csv(table), bom=True)  # a byte-order mark so that Excel reads UTF-8
        echo(f"wrote {output}", err=True)


def _sheet_format(fmt: Optional[SheetFormat], output: Optional[Path]) -> SheetFormat:
    """--format, else the --output extension, else csv; a file name must end in its format's
    extension (an XLSX workbook in a .csv file, or the reverse, would not open)."""
    if output is None:
        return fmt or SheetFormat.csv
    suffix = output.suffix.lower()
    from_name = {".csv": SheetFormat.csv, ".xlsx": SheetFormat.xlsx}.get(suffix)
    if from_name is None:
        want = f"--format {fmt.value} writes a .{fmt.value} file" if fmt else "the template is written as .csv or .xlsx"
        raise CarescaleError(
            f"--output: {one_line(output.name)!r} does not end in .csv or .xlsx; {want}: name the file so"
        )
    if fmt is not None and fmt is not from_name:
        raise CarescaleError(
            f"--output: {one_line(output.name)!r} ends in {suffix} but --format is {fmt.value}; "
            f"name the file .{fmt.value}, or leave out --format"
        )
    return from_name


@areas_app.command("template")
def areas_template(
    fmt: Optional[SheetFormat] = typer.Option(None, "--format", help="csv or xlsx (default: from --output, else csv)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="File to write (default: print the CSV)."),
) -> None:
    """Write a blank area profile: one row per figure the models use, with a description and unit."""
    from ..areas import template_table

    _write_template(template_table(default_library()), _sheet_format(fmt, output), output)


@areas_app.command("export")
def areas_export(
    area_id: str = typer.Argument(..., metavar="ID"),
    fmt: Optional[SheetFormat] = typer.Option(None, "--format", help="csv or xlsx (default: from --output, else csv)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="File to write (default: print the CSV)."),
) -> None:
    """Write an area profile as a filled-in template (edit it and import it back)."""
    from ..areas import template_table

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
    from ..areas import read_area_file, save_area
    from ..areas.importer import AreaFileError, id_problem

    lib = default_library()
    imported = read_area_file(file, lib, estimate)
    area = imported.area
    if new_id is not None:
        problem = id_problem(new_id)
        if problem:
            raise AreaFileError(f"--id: {problem}")
        area = area.model_copy(update={"id": new_id})
    path = save_area(area, replace=replace)
    echo(f"saved area profile {area.id!r} ({area.name}) to {path}")
    for key in imported.estimated:
        q = _figure(area, key)
        echo(f"  estimated {key} = {q.value:,.0f}: {q.derivation}")
    for key in imported.given_as_estimates:
        echo(f"  {key}: given as an estimate in the file")
    if imported.assumptions:
        echo(
            f"  the file's assumptions ({len(imported.assumptions)}: {', '.join(sorted(imported.assumptions))}) "
            "change model figures, not the area, so they are not saved with the profile; run on the file "
            "itself (--area-file) or put them in a scenario's overrides (docs/scenarios.md)"
        )
    if imported.blank:
        echo("  left blank (not modelled where needed): " + ", ".join(imported.blank))
    echo(f"run it with: carescale run --area {area.id}")


def _figure(area: Any, key: str) -> Any:
    from ..areas.keys import get_figure

    return get_figure(area, key)


@areas_app.command("remove")
def areas_remove(area_id: str = typer.Argument(..., metavar="ID", help="A profile saved with 'carescale areas import'.")) -> None:
    """Delete a saved area profile (also one whose file no longer loads). Built-in profiles stay."""
    from ..areas.store import remove_area

    path = remove_area(area_id)
    echo(f"removed saved area profile {area_id!r} ({path})")
