"""What every command shares: the typer apps, output formats and small printing helpers."""


from __future__ import annotations

import csv
import io
import json
from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from ..library import Library, default_library, load_area_file

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

console = Console(width=160)


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class Basis(str, Enum):
    potential = "potential"
    current = "current"


def echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def echo_csv(rows: list[dict[str, Any]]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    typer.echo(buf.getvalue(), nl=False)


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
    rows: list[dict[str, Any]], fmt: Format, title: str, columns: list[tuple[str, str]]
) -> None:
    """A list of records as JSON, CSV or a table; ``columns`` are (heading, key) pairs."""
    if fmt is Format.json:
        echo_json(rows)
    elif fmt is Format.csv:
        echo_csv(rows)
    else:
        table = Table(title=title)
        for heading, _ in columns:
            table.add_column(heading, overflow="fold")
        for r in rows:
            table.add_row(*(_cell(r[key]) for _, key in columns))
        console.print(table)


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
