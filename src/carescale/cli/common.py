"""What every command shares: the typer apps, output formats and small printing helpers."""


from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Optional

import typer
from rich.table import Table

from ..errors import CarescaleError
from ..library import Library, default_library, load_area_file
from ..safe_text import csv_records, make_console, one_line, write_output

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



class _SharedConsole:
    """The CLI's console (:func:`carescale.safe_text.make_console`): never parses markup, makes
    control characters visible, and fits the terminal or ``COLUMNS``. :func:`reset_console`
    (called by ``main`` for each command) makes a fresh one, so output follows the current
    ``sys.stdout`` and environment."""

    _console: Any = None

    def __getattr__(self, name: str) -> Any:
        if _SharedConsole._console is None:
            _SharedConsole._console = make_console()
        return getattr(_SharedConsole._console, name)


def reset_console() -> None:
    _SharedConsole._console = None


console: Any = _SharedConsole()


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class Basis(str, Enum):
    potential = "potential"
    current = "current"


def echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def echo_csv(rows: list[dict[str, Any]], output: Optional[Path] = None) -> None:
    """Records as CSV, every cell guarded against formulas (:mod:`carescale.safe_text`):
    printed, or written to ``output`` with a UTF-8 byte-order mark for Excel."""
    if output is not None:
        write_output(output, csv_records(rows), bom=True)
        typer.echo(f"wrote {output}", err=True)
        return
    typer.echo(csv_records(rows), nl=False)


def output_option() -> Any:
    return typer.Option(
        None, "--output", "-o",
        help="Write the output to this file instead of printing it (--format csv or json; a .csv or "
        ".json name picks the format). CSV files get a byte-order mark so that Excel reads UTF-8.",
    )


def emit(
    fmt: Format,
    data: Any,
    *,
    rows: Optional[Callable[[], list[dict[str, Any]]]] = None,
    table: Optional[Callable[[], None]] = None,
    output: Optional[Path] = None,
    command: str = "this command",
) -> None:
    """What every command does with ``--format`` and ``--output``, so they mean the same
    everywhere: ``json`` prints (or writes) ``data``; ``csv`` prints (or writes, with a BOM)
    ``rows()``, every cell guarded against formulas, or is refused in one line if the command has
    no rows; ``table`` prints ``table()``. With ``--output`` and no ``--format``, the file's
    extension decides (.csv or .json)."""
    if output is not None and fmt is Format.table:
        suffix = output.suffix.lower()
        if suffix not in (".csv", ".json"):
            raise CarescaleError(
                f"--output: {one_line(str(output))!r}: a table is only printed; give --format csv or "
                f"--format json, or a file name ending in .csv or .json"
            )
        fmt = Format.csv if suffix == ".csv" else Format.json
    if fmt is Format.csv and rows is None:
        valid = "table, json" if table is not None else "json"
        raise CarescaleError(f"--format: 'csv' is not available for {command}; valid formats are: {valid}")
    if fmt is Format.table and table is None:
        fmt = Format.json
    if fmt is Format.json:
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        if output is not None:
            write_output(output, text)
            typer.echo(f"wrote {output}", err=True)
        else:
            typer.echo(text, nl=False)
    elif fmt is Format.csv and rows is not None:
        echo_csv(rows(), output)
    elif table is not None:
        table()


def split_ids(value: Optional[str]) -> Optional[list[str]]:
    if value is None:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def library_with_area(area: str, area_file: Optional[Path]) -> tuple[Library, str]:
    lib = default_library()
    if area_file is None:
        return lib, area
    loaded = load_area_file(area_file, lib)
    return lib.with_area(loaded, str(area_file)), loaded.id


def echo_listing(
    rows: list[dict[str, Any]], fmt: Format, title: str, columns: list[tuple[str, str]],
    output: Optional[Path] = None,
) -> None:
    """A list of records as JSON, CSV or a table; ``columns`` are (heading, key) pairs."""

    def print_table() -> None:
        table = Table(title=title)
        for heading, _ in columns:
            table.add_column(heading, overflow="fold")
        for r in rows:
            table.add_row(*(_cell(r[key]) for _, key in columns))
        console.print(table)

    emit(fmt, rows, rows=lambda: rows, table=print_table, output=output)


def _cell(value: Any) -> str:
    return f"{value:,.10g}" if isinstance(value, float) else str(value)


# Options several commands share, declared once so their wording stays the same.
def area_option() -> Any:
    return typer.Option("birmingham", "--area", help="Area profile id (see 'carescale areas list').")


def area_file_option() -> Any:
    return typer.Option(
        None,
        "--area-file",
        help="Run on an area profile file instead: YAML, or a filled-in template (.csv/.xlsx, see "
        "'carescale areas template').",
    )


def interventions_option() -> Any:
    return typer.Option(
        None, "--interventions", help="Comma-separated intervention ids (default: the paper's six models that the area has figures for)."
    )
