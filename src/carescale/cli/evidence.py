"""`carescale evidence search|show` (docs/evidence.md)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer
from rich.table import Table

from ..formatting import figure
from ..safe_text import styled
from .common import (
    Format,
    console,
    emit,
    evidence_app,
    output_option,
    print_quantities,
)

# -- evidence --------------------------------------------------------------------------------


class PayerChoice(str, Enum):
    asc = "asc"
    nhs = "nhs"


class KindChoice(str, Enum):
    model = "model"
    case_study = "case-study"


@evidence_app.command("search")
def evidence_search(
    query: str = typer.Argument("", metavar="QUERY", help="Words to look for, e.g. \"older people living alone\"."),
    transformation_area: Optional[int] = typer.Option(
        None, "--transformation-area", help="Only models of this transformation area of the paper, 1 to 5 (not a council)."
    ),
    old_area: Optional[int] = typer.Option(None, "--area", hidden=True),  # the old name, kept working
    target_group: Optional[str] = typer.Option(None, "--target-group", help="Words the target group must contain."),
    payer: Optional[PayerChoice] = typer.Option(None, "--payer", help="Only evidence of savings to this payer."),
    min_level: Optional[int] = typer.Option(None, "--min-level", help="Lowest Nesta Standards of Evidence level, 1 to 5."),
    kind: Optional[KindChoice] = typer.Option(None, "--kind", help="Only models or only case studies."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Show at most this many."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
    output: Optional[Path] = output_option(),
) -> None:
    """Search the models and case studies (names, target groups, descriptions, places, results)."""
    from .. import evidence

    hits = evidence.search(
        query, area=transformation_area if transformation_area is not None else old_area, target_group=target_group, payer=payer.value if payer else None,
        min_level=min_level, kind=kind.value.replace("-", " ") if kind else None, limit=limit,
    )
    data = [h.as_dict() for h in hits]
    emit(fmt, data, rows=lambda: _search_rows(data), table=lambda: _print_hits(query, hits), output=output)


def _search_rows(data: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cols = ("kind", "id", "name", "status", "transformation_areas", "target_group", "payers",
            "evidence_level", "place", "summary", "score")
    return [{c: ";".join(map(str, d[c])) if isinstance(d.get(c), list) else d.get(c) for c in cols} for d in data]


def _print_hits(query: str, hits: list[Any]) -> None:
    if not hits:
        console.print("No model or case study matches; try fewer words or filters.")
        return
    table = Table(title=f"Evidence base: {query or 'everything'} ({len(hits)} found)")
    for col in ("id", "kind", "name", "area", "level", "saves", "target group / place"):
        table.add_column(col, overflow="fold")
    for h in hits:
        r = h.record
        who = r.target_group + (f" / {r.place}" if r.place else "")
        kind_text = r.kind if r.kind == "case study" else f"model ({r.status})"
        table.add_row(r.id, kind_text, r.name, ",".join(map(str, r.transformation_areas)),
                      str(r.level), ",".join(p.upper() for p in r.payers), who)
    console.print(table)


@evidence_app.command("show")
def evidence_show(
    record_id: str = typer.Argument(..., metavar="ID", help="A model or case-study id (see 'carescale evidence search')."),
    fmt: Format = typer.Option(Format.table, "--format", help="table (readable) or json."),
    output: Optional[Path] = output_option(),
) -> None:
    """Show one model or case study in full, with its evidence grade and full references."""
    from .. import evidence

    d = evidence.detail(record_id)
    emit(fmt, d, table=lambda: _print_record(record_id, d), output=output, command="evidence show")


def _print_record(record_id: str, d: dict[str, Any]) -> None:
    from .. import evidence

    g = d["evidence_grade"]

    def ref_line(ref: dict[str, Any]) -> str:
        return f"{ref['title']} ({ref['publisher']}, {ref['date']}), {ref['section']}: \"{ref['quote']}\""

    if d["kind"] == "model":
        console.print(styled((d["name"], "bold"), f" ({d['id']}) - {d['status']} model, transformation area {d['transformation_area']}"))
        if d["transformation_area_note"]:
            console.print(f"Area: {d['transformation_area_note']}")
        for line in d["plain_english"]:
            console.print(f"{line['label']}: {line['text']}")
        if d["payers"]:
            console.print("Saves: " + ", ".join(p.upper() for p in d["payers"]))
        console.print(f"Evidence level {g['level']} of 5 (Nesta Standards of Evidence): {g['reason']}")
        if d["source"]:
            s = d["source"]
            console.print(f"Source site: {s['site']}, {s['period']}. {s['description']}")
        if d["figures"]:
            print_quantities(evidence.record(record_id))
        if d["case_studies"]:
            console.print("Case studies:")
            for c in d["case_studies"]:
                console.print(f"  {c['id']}: {c['name']} ({c['place']}, {c['period']})")
        console.print("References:")
        for ref in [d["evidence_ref"], *d["references"]]:
            console.print("  " + ref_line(ref))
        return
    console.print(styled((d["name"], "bold"), f" ({d['id']}) - case study, {d['place']}, {d['period']}"))
    console.print(d["what_was_done"])
    console.print(f"Target group: {d['target_group']}")
    console.print("Evidence for: " + ", ".join(f"{m['name']} ({m['id']}, {m['status']})" for m in d["models"]))
    if d["payers"]:
        console.print("Saves: " + ", ".join(p.upper() for p in d["payers"]))
    console.print(f"Evidence level {g['level']} of 5 (Nesta Standards of Evidence): {g['reason']}")
    if d["results"]:
        table = Table(title="Reported results")
        for col in ("result", "value", "unit", "period / price year", "quote"):
            table.add_column(col, overflow="fold")
        for r in d["results"]:
            table.add_row(r["description"], figure(r["value"], r["unit"]), r["unit"],
                          r.get("price_year") or r.get("period") or "", r["ref"]["quote"])
        console.print(table)
    for f in d["findings"]:
        console.print(f"Finding: {f['text']}")
    console.print("References:")
    for ref in d["references"]:
        console.print("  " + ref_line(ref))
