"""`carescale interventions list|show` and `carescale areas list|show`: browse the library."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Optional

import typer

from ..library.catalogue import area_rows, definition, intervention_rows
from ..library import default_library
from ..safe_text import styled
from .common import (
    Format,
    areas_app,
    console,
    echo_listing,
    emit,
    interventions_app,
    output_option,
    print_quantities,
    quantity_rows,
)

# -- interventions ---------------------------------------------------------------------------


@interventions_app.command("list")
def interventions_list(
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
    output: Optional[Path] = output_option(),
) -> None:
    """List the interventions in the evidence library."""
    rows = intervention_rows()
    echo_listing(
        rows,
        fmt,
        "Evidence library",
        [("id", "id"), ("name", "name"), ("status", "status"), ("area", "transformation_area"),
         ("target group", "target_group"), ("source site", "source_site")],
        output,
    )


@interventions_app.command("show")
def interventions_show(
    intervention_id: str = typer.Argument(..., metavar="ID"),
    fmt: Format = typer.Option(Format.table, "--format", help="table (readable), json (full definition) or csv (its numbers)."),
    output: Optional[Path] = output_option(),
) -> None:
    """Show one intervention: in plain English first (what it is, who it is for, what it costs,
    what it saves whom, how strong the evidence is), then every number, its unit and its reference."""
    from ..evidence import plain_english

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
            styled((iv.name, "bold"), f" ({iv.id}) - transformation area {iv.transformation_area}"),
            *(f"{label}: {text}" for label, text in plain_english(iv)),
            source,
            "The figures:",
        ],
        [f"{label}: " + "; ".join(items) for label, items in (("Barriers", iv.barriers), ("Enablers", iv.enablers)) if items],
        output,
    )


def show_definition(
    obj: Any, fmt: Format, head: Sequence[Any], tail: Sequence[Any] = (), output: Optional[Path] = None
) -> None:
    """A definition as JSON (the whole model), CSV (one row per number), or as text lines
    around a table of its numbers."""

    def print_table() -> None:
        for line in head:
            console.print(line)
        print_quantities(obj)
        for line in tail:
            console.print(line)

    emit(fmt, definition(obj), rows=lambda: quantity_rows(obj),
         table=print_table, output=output)


# -- areas -----------------------------------------------------------------------------------


@areas_app.command("list")
def areas_list(
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
    built_in: bool = typer.Option(True, "--built-in/--no-built-in", help="Also list the built-in profile of each of the 153 councils (official figures; docs/areas.md)."),
    output: Optional[Path] = output_option(),
) -> None:
    """List the area profiles: the packaged ones, the ones you saved, and (unless --no-built-in)
    every council's built-in profile from official figures."""
    rows = area_rows(built_in=built_in)
    cols = [("id", "id"), ("name", "name"), ("kind", "kind"), ("ONS code", "ons_code")]
    echo_listing(rows, fmt, "Area profiles", cols + ([("profile", "profile")] if built_in else []), output)


@areas_app.command("show")
def areas_show(
    area_id: str = typer.Argument(..., metavar="ID"),
    fmt: Format = typer.Option(Format.table, "--format", help="table (readable), json (full profile) or csv (its figures)."),
    output: Optional[Path] = output_option(),
) -> None:
    """Show one area profile with every figure and its reference."""
    area = default_library().area(area_id)
    show_definition(
        area, fmt, [styled((area.name, "bold"), f" ({area.id}, {area.kind}) {area.ons_code or ''}"), area.description], output=output
    )


@areas_app.command("unit-costs")
def areas_unit_costs(
    area_id: str = typer.Argument("birmingham", metavar="ID"),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
    output: Optional[Path] = output_option(),
) -> None:
    """The unit costs the models use for one area (a care-home week, a home-care hour, an A&E
    attendance, a non-elective admission): the user's own, else the council's official figure,
    else England's, each with its price year and source (docs/evidence.md, "Unit costs")."""
    from ..official.unit_costs import unit_cost_library

    area = default_library().area(area_id)
    ucl = unit_cost_library()
    rows = []
    for kind in sorted(ucl.kinds):
        uc = ucl.get(kind, area.ons_code)
        rows.append({"kind": kind, "value": round(uc.value, 6), "unit": uc.unit, "price_year": uc.price_year,
                     "council": uc.council, "status": uc.status, "document": uc.ref.document,
                     "source": uc.ref.section, "note": uc.note or ""})
    echo_listing(rows, fmt, f"Unit costs for {area.name} ({area.ons_code or 'no ONS code'})",
                 [("kind", "kind"), ("£", "value"), ("unit", "unit"), ("price year", "price_year"),
                  ("source", "source"), ("note", "note")], output)

