"""`carescale interventions list|show` and `carescale areas list|show`: browse the library."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import typer
from rich.table import Table

from ..library import default_library
from .common import (
    Format,
    areas_app,
    console,
    echo_json,
    echo_listing,
    interventions_app,
)

# -- interventions ---------------------------------------------------------------------------


@interventions_app.command("list")
def interventions_list(fmt: Format = typer.Option(Format.table, "--format", help="Output format.")) -> None:
    """List the interventions in the evidence library."""
    lib = default_library()
    rows = [
        {
            "id": iv.id,
            "name": iv.name,
            "transformation_area": iv.transformation_area,
            "target_group": iv.target_group,
            "status": iv.status,
            "source_site": iv.source.site if iv.source else "",
        }
        for iv in lib.interventions.values()
    ]
    echo_listing(
        rows,
        fmt,
        "Evidence library",
        [("id", "id"), ("name", "name"), ("status", "status"), ("area", "transformation_area"),
         ("target group", "target_group"), ("source site", "source_site")],
    )


@interventions_app.command("show")
def interventions_show(
    intervention_id: str = typer.Argument(..., metavar="ID"),
    fmt: Format = typer.Option(Format.table, "--format", help="table (readable) or json (full definition)."),
) -> None:
    """Show one intervention with every number, its unit and its reference."""
    iv = default_library().intervention(intervention_id)
    source = (
        f"Source: {iv.source.site}, {iv.source.period}. {iv.source.description}"
        if iv.source
        else f"Promising model (not runnable); see 'carescale evidence show {iv.id}'"
    )
    show_definition(
        iv,
        fmt,
        [
            f"[bold]{iv.name}[/bold] ({iv.id}) - transformation area {iv.transformation_area}",
            iv.description,
            f"Target group: {iv.target_group}",
            source,
            f"Evidence: {iv.evidence}",
        ],
        [f"{label}: " + "; ".join(items) for label, items in (("Barriers", iv.barriers), ("Enablers", iv.enablers)) if items],
    )


def show_definition(obj: Any, fmt: Format, head: Sequence[str], tail: Sequence[str] = ()) -> None:
    """A definition as JSON (the whole model), or as text lines around a table of its numbers."""
    if fmt is not Format.table:
        echo_json(obj.model_dump(mode="json", exclude_none=True))
        return
    for line in head:
        console.print(line)
    print_quantities(obj)
    for line in tail:
        console.print(line)


def print_quantities(obj: Any) -> None:
    from ..library import iter_quantities

    table = Table(show_lines=False)
    for col in ("field", "value", "unit", "price year", "status", "source"):
        table.add_column(col, overflow="fold")
    for loc, q in iter_quantities(obj):
        table.add_row(
            loc,
            f"{q.value:,.10g}",
            q.unit,
            q.price_year or q.period or "",
            q.status + (f": {q.derivation}" if q.derivation else ""),
            f"{q.ref.document}, {q.ref.section}: \"{q.ref.quote}\"",
        )
    console.print(table)


# -- areas -----------------------------------------------------------------------------------


@areas_app.command("list")
def areas_list(fmt: Format = typer.Option(Format.table, "--format", help="Output format.")) -> None:
    """List the area profiles."""
    rows = [
        {"id": a.id, "name": a.name, "kind": a.kind, "ons_code": a.ons_code or ""}
        for a in default_library().areas.values()
    ]
    echo_listing(
        rows, fmt, "Area profiles", [("id", "id"), ("name", "name"), ("kind", "kind"), ("ONS code", "ons_code")]
    )


@areas_app.command("show")
def areas_show(
    area_id: str = typer.Argument(..., metavar="ID"),
    fmt: Format = typer.Option(Format.table, "--format", help="table (readable) or json (full profile)."),
) -> None:
    """Show one area profile with every figure and its reference."""
    area = default_library().area(area_id)
    show_definition(
        area, fmt, [f"[bold]{area.name}[/bold] ({area.id}, {area.kind}) {area.ons_code or ''}", area.description]
    )
