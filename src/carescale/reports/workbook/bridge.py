"""The Bridge sheet: from the evidence figure to each headline, step by step, by model and payer.

Each step's amounts are the engine's (``carescale.appraisal.bridge``, the same rows every output
shows); each subtotal is a formula, the previous subtotal plus the steps since it, and stands
beside a formula reading the headline cell it must equal (the Summary's net saving a year, the
Cash flow sheet's net budget impact and NPV, all live formulas over the Inputs sheet) and the
difference. A finance officer who changes an input sees the headline move and the difference
open up: the bridge is the evidence base's, the headline the workbook's own.
"""

from __future__ import annotations

from typing import Any

from ...appraisal.bridge import bridge_table
from .book import _Book
from .cells import MONEY2, cell, col_range, quote_sheet


def _bridge_sheet(book: _Book, ws: Any, cash_sheet: str) -> None:
    data = book.data
    bridge = data.bridge
    money = book.fmt(num_format=MONEY2)
    mbold = book.fmt(num_format=MONEY2, bold=True, top=1)
    small = book.fmt(font_size=9, text_wrap=True, valign="top")
    ws.write_string(0, 0, "From the evidence to the headlines", book.fmt(bold=True, font_size=16))
    prices = (data.prices.get("label") or "prices as published")
    ws.write_string(1, 0, f"Pounds and pence, {prices}. Each step is the engine's figure; each subtotal is the previous "
                          "subtotal plus the steps since it, and stands beside the headline cell it must equal.")
    ws.write_string(2, 0, "Years of the appraisal")
    ws.write_number(2, 2, float(bridge["years"]))
    years = cell(2, 2)
    r = 4
    book.header(ws, r, ["Step", "Model", "Council (ASC)", "NHS", "Both", "Headline (live formula)", "Difference",
                        "Difference: council", "Difference: NHS", "How it is worked out"],
                [58, 40, 16, 16, 16, 20, 12, 12, 12, 90])
    r += 1
    cash = quote_sheet(cash_sheet)
    y0, y1 = book.cash["year_first"], book.cash["year_last"]
    headline = {
        "net_a_year": ("t_net_asc", "t_net_nhs", "t_net"),
        "net_full_scale_period": (f"{years}*t_net_asc", f"{years}*t_net_nhs", f"{years}*t_net"),
        "net_over_period": (f"SUM({cash}!{col_range(9, y0, y1)})", f"SUM({cash}!{col_range(10, y0, y1)})",
                            "p_portfolio.budget"),
        "npv": ("p_portfolio.npv_asc", "p_portfolio.npv_nhs", "p_portfolio.npv"),
    }
    previous: int | None = None  # the row of the previous subtotal
    since = r  # the first step row after it
    for row in bridge_table(bridge):
        book.text(ws, r, 0, row["label"])
        book.text(ws, r, 9, ("Equals the " if row["kind"] == "subtotal" else "") + row["source"], small)
        if row["kind"] == "step":
            book.text(ws, r, 1, row["model_name"])
            book.num(ws, r, 2, row["asc"], money)
            book.num(ws, r, 3, row["nhs"], money)
            book.formula(ws, r, 4, f"={cell(r, 2, False)}+{cell(r, 3, False)}", row["total"], money)
            r += 1
            continue
        for c, key in ((2, "asc"), (3, "nhs"), (4, "total")):
            start = f"{cell(previous, c)}+" if previous is not None else ""
            steps = f"SUM({col_range(c, since, r - 1)})" if r > since else "0"
            book.formula(ws, r, c, f"={start}{steps}", row[key], mbold)
        asc_h, nhs_h, both_h = headline[row["step"]]
        book.formula(ws, r, 5, f"={both_h}", row["total"], mbold)
        book.formula(ws, r, 6, f"={cell(r, 4, False)}-{cell(r, 5, False)}", 0.0, money)
        book.name("bridge", f"{row['step']}", f"{quote_sheet(ws.get_name())}!{cell(r, 4)}")
        book.name("bridge", f"{row['step']}_asc", f"{quote_sheet(ws.get_name())}!{cell(r, 2)}")
        book.name("bridge", f"{row['step']}_nhs", f"{quote_sheet(ws.get_name())}!{cell(r, 3)}")
        book.name("headline", f"{row['step']}", f"{quote_sheet(ws.get_name())}!{cell(r, 5)}")
        book.formula(ws, r, 7, f"={cell(r, 2, False)}-({asc_h})", 0.0, money)
        book.formula(ws, r, 8, f"={cell(r, 3, False)}-({nhs_h})", 0.0, money)
        for c, key in ((6, ""), (7, "_asc"), (8, "_nhs")):
            book.name("difference", f"{row['step']}{key}", f"{quote_sheet(ws.get_name())}!{cell(r, c)}")
        previous, since = r, r + 1
        r += 1
    ws.freeze_panes(5, 2)
