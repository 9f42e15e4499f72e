"""The About sheet: what the workbook holds and how to audit it, the prices, the scenario id
and the figures changed from the evidence."""

from __future__ import annotations

from typing import Any

from ...engine.summary import describe_change
from .book import _Book


def _about_sheet(book: _Book, ws: Any, sheet_names: list[str]) -> None:
    data = book.data
    ws.set_column(0, 0, 110)
    wrap = book.fmt(text_wrap=True, valign="top")
    ws.write_string(0, 0, "carescale business case workbook", book.fmt(bold=True, font_size=16))
    book.text(ws, 1, 0, f"Area: {data.area_name}")
    ws.write_string(2, 0, f"Basis: {data.scenario.basis}. Models: " + ", ".join(iv.name for iv in data.scenario.interventions))
    r = 3
    if data.note:
        book.text(ws, r, 0, f"Note: {data.note}", wrap)
        r += 1
    lines = [
        "How to audit this workbook",
        "1. Inputs holds every figure the model uses, with its unit, price year, status, source document, section and the verbatim quote. Yellow cells are inputs; each has a defined name (column N) used in the formulas.",
        "2. Each model sheet works from the area figure to the saving: beneficiaries = cohort x take-up rate (or the people served today on the current basis), running cost = beneficiaries x cost per person, split by the cost shares; each saving = beneficiaries x outcome rate x saving per person, or spend line x cut.",
        "3. The monthly table on each model sheet is the appraisal: each month's scale is the area under the ramp-up line over that month; costs are raised and savings lowered by the optimism bias of the appraisal's method (the settings in Inputs), savings multiplied by (1 - deadweight) x attribution; years are sums of months, discounted with the factors in Inputs.",
        "4. Cash flow adds the models and deducts the overlap between target groups: for each pair, share x the smaller group's people x the smaller gross saving per person, for the overlap's payer.",
        "5. Summary is the paper's table and the appraisal by model; Monte Carlo holds values from the draws (not formulas).",
        "Every formula cell also stores the figure carescale computed, so viewers that do not recalculate show the same numbers; Excel and LibreOffice recalculate when an input changes.",
        "Sheets: " + ", ".join(sheet_names),
    ]
    for i, line in enumerate(lines):
        ws.write_string(r, 0, line, book.fmt(bold=True) if i == 0 else wrap)
        r += 1
    p = data.prices
    book.text(ws, r, 0, "Prices: " + (p.get("statement") or "as published, each money figure in its source's price year (not re-priced)"))
    r += 1
    book.text(ws, r, 0, f"Scenario id: {data.doc.scenario_id}")
    r += 1
    if data.changes:
        r += 1
        ws.write_string(r, 0, "Figures changed from the evidence", book.fmt(bold=True))
        r += 1
        for ch in data.changes:
            book.text(ws, r, 0, f"{ch['label']}: " + describe_change(ch), wrap)
            r += 1
