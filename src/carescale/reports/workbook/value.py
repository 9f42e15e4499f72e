"""The ``Value`` sheet: fiscal cashable, fiscal non-cashable and social value side by side, a
year at full scale (``carescale.appraisal.value``; docs/appraisal.md "Social value"). Each total
is a SUM of the model rows above it; fiscal and social are never added into one cell. Then each
model's outcomes for people with counts, and the benefit-cost ratio without and with social
value."""

from __future__ import annotations

from typing import Any

from ...appraisal.value import fiscal_sentence, outcome_sentences, value_table
from ...formatting import money as pounds
from .book import _Book
from .cells import MONEY, col_range


def _value_sheet(book: _Book, ws: Any) -> None:
    value = book.data.evaluation.value()
    bold = book.fmt(bold=True)
    money = book.fmt(num_format=MONEY)
    mbold = book.fmt(num_format=MONEY, bold=True)
    ws.write_string(0, 0, "Fiscal and social value, a year at full scale: fiscal (cashable, non-cashable) and social value "
                          "side by side, never added together", bold)
    book.header(ws, 2, ["Model", "People", "Fiscal: cashable", "Fiscal: non-cashable", "Social value", "Cost"],
                [46, 10, 18, 20, 16, 16])
    rows = value_table(value)
    first = r = 3
    for row in rows:
        if row["kind"] == "total":
            book.text(ws, r, 0, "Total", bold)
            for c, k in ((2, "fiscal_cashable"), (3, "fiscal_non_cashable"), (4, "social"), (5, "cost")):
                book.formula(ws, r, c, f"=SUM({col_range(c, first, r - 1)})", row[k], mbold)
        else:
            book.text(ws, r, 0, row["name"])
            if row["people"] is not None:
                book.num(ws, r, 1, row["people"], book.fmt(num_format="#,##0"))
            for c, k in ((2, "fiscal_cashable"), (3, "fiscal_non_cashable"), (4, "social"), (5, "cost")):
                book.num(ws, r, c, row[k], money)
        r += 1
    r += 1
    book.text(ws, r, 0, fiscal_sentence(value, pounds))
    r += 2
    book.text(ws, r, 0, "What the models do for people", bold)
    r += 1
    book.header(ws, r, ["Model", "People a year", "Value a year", "Counted as", "Outcome for people"])
    r += 1
    for o in outcome_sentences(value):
        book.text(ws, r, 0, o["model"])
        if o["people"] is not None:
            book.num(ws, r, 1, o["people"], book.fmt(num_format="#,##0"))
        book.num(ws, r, 2, o["value"], money)
        book.text(ws, r, 3, o["how"])
        book.text(ws, r, 4, o["outcome"])
        r += 1
    r += 1
    for k, v in value["values"].items():
        book.text(ws, r, 0, f"One {k.upper()} ({v['what']}): £{v['value']:,.0f} ({v['price_year']} prices), "
                            f"range £{v['low']:,.0f} to £{v['high']:,.0f}. Source: {v['source']}")
        r += 1
