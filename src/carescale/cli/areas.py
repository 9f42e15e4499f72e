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


@areas_app.command("baseline")
def baseline(
    area: str = typer.Argument(..., help="A council: a profile id (leeds) or an ONS code (E08000035)."),
    price_base: Optional[str] = typer.Option(None, "--price-base", help="Re-price to this financial year, e.g. 2024/25 (default: the one default price base)."),
    fmt: str = typer.Option("table", "--format", help="Output format: table, json or csv."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file (.csv or .json)."),
) -> None:
    """What a council spends on adult social care now, from the official figures: by support
    reason and age (RO3), by setting (ASC-FR 2021-22), its prevention lines and the trend, each in
    cash of its year and re-priced, with its source and cell (docs/data.md)."""
    from ..official.spend_baseline import baseline_for_area, baseline_lines, council_baseline
    from .common import Format, console, emit

    fmt = Format(fmt)
    if area.upper().startswith("E") and area[1:].isdigit():
        b = council_baseline(area.upper(), price_base or "default")
    else:
        b = baseline_for_area(default_library().area(area), price_base)
        if b is None:
            raise CarescaleError(f"area: {area!r} is not a council in the official figures (it has no ONS code of one of "
                                 "the 153 councils); give a council's id, such as leeds, or its ONS code")

    def rows() -> list[dict[str, Any]]:
        out = []
        for t in b["total"] + b["net_total"]:
            out.append({"section": "total", "line": t["measure"], "age": "", **_money_cells(t)})
        for year, items in b["by_reason"].items():
            out += [{"section": f"support reason {year}", "line": r["reason"], "age": r["age"], **_money_cells(r)} for r in items]
        out += [{"section": "setting", "line": s["setting"], "age": s["age"], **_money_cells(s)} for s in b["by_setting"]]
        for p in b["prevention"]:
            out += [{"section": "prevention", "line": p["line"], "age": "", **_money_cells(y)} for y in p["years"]]
        return out

    def table() -> None:
        console.print(f"Baseline: what {b['name']} ({b['code']}, {b['region']['name']}) spends on adult social care now",
                      markup=False)
        for line in baseline_lines(b):
            console.print("  " + line, markup=False)
        console.print("Prices: " + b["prices"]["statement"], markup=False)

    emit(fmt, b, rows=rows, table=table, output=output, command="areas baseline")


def _money_cells(x: dict[str, Any]) -> dict[str, Any]:
    return {"year": x["year"], "cash": x["cash"], "real": x["real"], "source": x["source"], "cell": x["cell"],
            "missing": x.get("missing") or ""}
