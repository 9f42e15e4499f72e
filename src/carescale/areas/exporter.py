"""Writing the area template: blank (``carescale areas template``) or filled in from a profile
(``carescale areas export``), as CSV or XLSX.

Text that a spreadsheet would take for a formula is never written as one: every cell goes
through :mod:`carescale.safe_text` (in XLSX a plain string cell with Excel's quote prefix; in CSV
a leading apostrophe, which the importer removes again).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..library import Library, default_library
from ..schema import Area, Quantity
from ..safe_text import csv_text, output_errors, check_output_path, xlsx_cell
from .importer import COLUMNS
from .keys import ASSUMPTIONS, TemplateRow, assumption_rows, get_figure, template_rows
from .prevalence import default_prevalence


def _num(v: float) -> float | int:
    return int(v) if float(v).is_integer() and abs(v) < 2**53 else v


def _source(q: Quantity) -> str:
    if q.status != "published" and q.derivation:
        return q.derivation
    text = f'{q.ref.document}, {q.ref.section}: "{q.ref.quote}"'
    return f"{text}. {q.note}" if q.note else text


def template_table(lib: Library | None = None, area: Area | None = None) -> list[list[Any]]:
    """The template as rows of cells (header first), filled in from ``area`` if given."""
    lib = lib or default_library()
    out: list[list[Any]] = [list(COLUMNS)]
    estimable = {k: e.base for k, e in default_prevalence().estimates.items()}
    for tr in template_rows(lib, estimable):
        out.append(_row(tr, area))
    for tr in assumption_rows(lib):  # the assumptions section (its own sheet in XLSX)
        out.append([tr.key, tr.description, tr.unit, "", tr.price_year or "", "", ""])
    return out


def _row(tr: TemplateRow, area: Area | None) -> list[Any]:
    value: Any = ""
    period = status = source = ""
    if area is not None:
        if tr.kind == "text":
            attr = tr.key.split(".", 1)[1]
            value = getattr(area, attr) or ""
        else:
            q = get_figure(area, tr.key)
            if q is not None:
                value = _num(q.value)
                period = (q.price_year if tr.kind == "spend" else q.period) or ""
                status = q.status
                source = _source(q)
    return [tr.key, tr.description, tr.unit, value, period, status, source]


def to_csv(table: list[list[Any]], bom: bool = False) -> str:
    return csv_text(table, bom=bom)


def write_xlsx(table: list[list[Any]], path: Path | str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    area_rows = [row for row in table if not str(row[0]).startswith(ASSUMPTIONS)]
    assumed = [row for row in table if str(row[0]).startswith(ASSUMPTIONS)]
    sheets = [("area", area_rows)] + ([("assumptions", [table[0], *assumed])] if assumed else [])
    for n, (title, rows) in enumerate(sheets):
        ws = wb.active if n == 0 else wb.create_sheet(title)
        ws.title = title
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row, start=1):
                if v == "" or v is None:
                    continue
                cell = ws.cell(row=r, column=c)
                xlsx_cell(cell, v)  # never a formula
                if r == 1:
                    cell.font = Font(bold=True)
        widths = {"A": 45, "B": 80, "C": 14, "D": 16, "E": 12, "F": 12, "G": 60}
        for col, w in widths.items():
            ws.column_dimensions[col].width = w
        for row in ws.iter_rows(min_row=2, min_col=2, max_col=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
    check_output_path(path)
    with output_errors(path):
        wb.save(str(path))
