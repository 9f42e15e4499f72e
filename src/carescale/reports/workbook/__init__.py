"""The live Excel model: every result is a formula over the Inputs sheet (docs/reports.md).

Sheets, one module each: ``About`` (:mod:`.about`); ``Summary`` (:mod:`.summary`: the paper's
table and the appraisal by model, with charts); ``Inputs`` (:mod:`.inputs`: every parameter
with its path, label, value, unit, price year, status, source and verbatim quote; then the
appraisal settings and discount rates; each input has a defined name such as
``in_living_well.older_people_multiple_ltc.unit_cost``); one sheet per model (:mod:`.model`: the
arithmetic from the area figure to the saving, a monthly appraisal table, years, NPV, ROI and
break-even); ``Cash flow`` (:mod:`.cash_flow`: the portfolio by month and year, with the overlap
deduction); ``Bridge`` (:mod:`.bridge`: from the evidence figure to each headline, every
subtotal a formula beside the live headline cell it must equal); ``Options`` and ``Cash budget``
(:mod:`.budget`: the options appraisal and the cash view by financial year, net as formulas);
``Value`` (:mod:`.value`: fiscal cashable, fiscal non-cashable and social value side by side,
totals as SUM formulas, outcomes for people, BCR without and with social value);
``Monte Carlo`` (:mod:`.monte_carlo`: percentiles, histogram, tornado and break-even
targets: values, not formulas). :mod:`.cells` makes references and names, :mod:`.book` holds the
workbook being written.

The formulas are the engine's arithmetic (``engine/evaluate.py``) and the appraisal's
(``appraisal/core.py``): ramp-up as the area under a straight line per month, optimism bias
and additionality on the inputs, set-up tranches, Green Book discount factors. Every formula
cell also carries the engine's own figure as its cached value, so a viewer that does not
recalculate shows the right numbers; ``cached=False`` writes zeros instead (the tests use it
to prove that LibreOffice's recalculation, not the cache, gives the figures). The figures come
from the report's evaluation (:class:`carescale.scenarios.Evaluation`: its result, appraisal,
uncertainty and ``appraisal_runs``): writing a workbook runs neither the engine nor the Monte
Carlo again.

xlsxwriter is imported inside :func:`workbook_bytes` only.
"""

from __future__ import annotations

import io
from typing import Any

from ..data import ReportData
from .about import _about_sheet
from .book import _Book
from .bridge import _bridge_sheet
from .value import _value_sheet
from .budget import _cash_budget_sheet, _options_sheet
from .cash_flow import _cash_flow_sheet
from .cells import EPS, MONEY, MONEY2, _plain_formula, cell, col_range, defined_name, quote_sheet, sheet_name  # noqa: F401
from .inputs import _inputs_sheet
from .model import _model_sheet
from .monte_carlo import _monte_carlo_sheet
from .summary import _summary_sheet


def workbook_bytes(data: ReportData, *, cached: bool = True) -> bytes:
    """The workbook as bytes (``cached=False``: formula cells carry 0 until recalculated)."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
    book = _Book(wb, data, cached)

    def sheet(title: str) -> Any:
        ws = wb.add_worksheet(sheet_name(title, book.used_sheets))
        if hasattr(ws, "_prepare_formula"):
            # Our formulas use no "future" functions, so xlsxwriter's ~70 regular-expression
            # rewrites per formula (two thirds of the time) are skipped; the LibreOffice tests
            # recalculate every formula of this workbook.
            ws._prepare_formula = _plain_formula
        return ws

    about = sheet("About")
    summary = sheet("Summary")
    inputs = sheet("Inputs")
    cash = sheet("Cash flow")
    bridge = sheet("Bridge")
    sheets = {}
    for i, iv in enumerate(data.scenario.interventions, 1):
        sheets[iv.id] = sheet(f"{i} {iv.name}")
    mc = sheet("Monte Carlo")
    history = sheet("Review history") if data.history is not None else None
    options = sheet("Options")
    budget = sheet("Cash budget")
    value = sheet("Value")
    _inputs_sheet(book, inputs)
    for iv in data.scenario.interventions:
        _model_sheet(book, sheets[iv.id], iv)
    _cash_flow_sheet(book, cash)
    _summary_sheet(book, summary)
    _bridge_sheet(book, bridge, cash.get_name())
    _options_sheet(book, options)
    _cash_budget_sheet(book, budget)
    _value_sheet(book, value)
    _monte_carlo_sheet(book, mc)
    if history is not None:
        from ..history import history_sheet

        history_sheet(book, history, data.history)
    _about_sheet(book, about, [s.get_name() for s in wb.worksheets()])
    from .printing import print_setup

    for ws in wb.worksheets():  # A4, one page wide, header rows repeated, wrapped rows tall enough
        print_setup(ws, book.header_rows.get(ws.get_name(), []))
    summary.activate()
    wb.close()
    return buf.getvalue()


__all__ = ["EPS", "MONEY", "MONEY2", "ReportData", "cell", "col_range", "defined_name", "quote_sheet", "sheet_name",
           "workbook_bytes"]
