"""The Cash budget and Options sheets (docs/appraisal.md: "The cash budget view", "Options
appraisal"): the evaluation's cash view by financial year and payer, with its assumptions, and
the three options side by side. Net cashable and net are formulas over the row's cells."""

from __future__ import annotations

from typing import Any

from .book import _Book
from .cells import MONEY, cell

CASH_COLUMNS = ["Financial year", "Payer", "Months", "Inflation factor (x price base)", "Real net (price base)",
                "Cost", "Cashable saving", "Non-cashable saving", "Less overlap (cashable part)",
                "Less overlap (non-cashable part)", "Net cashable", "Net", "Budget (ASC)", "Net cashable / budget"]
PAYER_NAMES = {"asc": "Council (ASC)", "nhs": "NHS", "total": "All"}


def _cash_budget_sheet(book: _Book, ws: Any) -> None:
    cv = book.data.evaluation.cash_view()
    bold = book.fmt(bold=True)
    money = book.fmt(num_format=MONEY)
    factor = book.fmt(num_format="0.000000")
    share = book.fmt(num_format="0.00%")
    ws.write_string(0, 0, f"Cash budget view: {cv['area']['name']} (cash by financial year, not discounted)", bold)
    book.text(ws, 1, 0, f"Real terms in {cv['price_base']} prices, into cash with {cv['inflation']['source']}.")
    growth = cv["growth"]
    rates = sorted({(g["band"], g["rate"], g.get("derivation") or g["source"]) for g in growth["by_intervention"].values()})
    r = 2
    for band, rate, why in rates:
        book.text(ws, r, 0, f"Cohort growth, {'65 and over' if band == '65_plus' else '18 to 64'}: {rate:.4%} a year ({why})")
        r += 1
    b = cv.get("budget")
    if b:
        book.text(ws, r, 0, f"Adult social care budget: £{b['value']:,.0f} a year ({b['source']})" if b.get("value")
                  else f"Adult social care budget: not known ({b.get('missing')})")
        r += 1
    r += 1
    book.header(ws, r, CASH_COLUMNS, [14, 14, 8, 14] + [16] * 10)
    r += 1
    for row in cv["years"]:
        book.text(ws, r, 0, row["financial_year"])
        book.text(ws, r, 1, PAYER_NAMES[row["payer"]])
        book.num(ws, r, 2, row["months"])
        book.num(ws, r, 3, row["inflation_factor"], factor)
        for c, k in ((4, "net_real"), (5, "cost"), (6, "cashable_savings"), (7, "non_cashable_savings"),
                     (8, "overlap_deduction_cashable")):
            book.num(ws, r, c, row[k], money)
        non_ded = round(row["overlap_deduction"] - row["overlap_deduction_cashable"], 2)
        book.num(ws, r, 9, non_ded, money)
        net_cashable = row["cashable_savings"] - row["overlap_deduction_cashable"] - row["cost"]
        book.formula(ws, r, 10, f"={cell(r, 6)}-{cell(r, 8)}-{cell(r, 5)}", net_cashable, money)
        net = row["cashable_savings"] + row["non_cashable_savings"] - row["overlap_deduction_cashable"] - non_ded - row["cost"]
        book.formula(ws, r, 11, f"={cell(r, 6)}+{cell(r, 7)}-{cell(r, 8)}-{cell(r, 9)}-{cell(r, 5)}", net, money)
        if row.get("budget"):
            book.num(ws, r, 12, row["budget"], money)
            book.formula(ws, r, 13, f"={cell(r, 10)}/{cell(r, 12)}", net_cashable / row["budget"], share)
        r += 1
    r += 1
    ws.write_string(r, 0, "Cashable share of each model's gross saving, by payer", bold)
    r += 1
    book.header(ws, r, ["Model", "Council (ASC)", "NHS"])
    r += 1
    for item in cv["interventions"]:
        book.text(ws, r, 0, item["name"])
        book.num(ws, r, 1, item["cashable_share"]["asc"], share)
        book.num(ws, r, 2, item["cashable_share"]["nhs"], share)
        r += 1
    r += 1
    for note in cv["notes"]:
        book.text(ws, r, 0, note)
        r += 1


def _options_sheet(book: _Book, ws: Any) -> None:
    o = book.data.evaluation.options()
    bold = book.fmt(bold=True)
    money = book.fmt(num_format=MONEY)
    ws.write_string(0, 0, f"Options appraisal over {o['years']} years (Green Book): business as usual, do minimum, preferred", bold)
    book.header(ws, 2, ["Option", "NPV", "PV cost", "PV saving", "BCR", "Cost", "Saving", "Net budget impact",
                        "Break-even month", "Models"], [22, 16, 16, 16, 8, 16, 16, 16, 10, 60])
    r = 3
    for row in o["options"]:
        book.text(ws, r, 0, row["name"])
        for c, k in ((1, "npv"), (2, "pv_cost"), (3, "pv_savings"), (5, "cost"), (6, "savings"), (7, "net_budget_impact")):
            book.num(ws, r, c, row[k], money)
        if row["bcr"] is not None:
            book.num(ws, r, 4, row["bcr"], book.fmt(num_format="0.00"))
        else:
            book.text(ws, r, 4, "n/a")
        if row["break_even_month"] is not None:
            book.num(ws, r, 8, row["break_even_month"])
        else:
            book.text(ws, r, 8, "the baseline" if row["id"] == "business-as-usual" else "not within the period")
        book.text(ws, r, 9, ", ".join(row["models"]) or "none")
        r += 1
    r += 1
    for row in o["options"]:
        book.text(ws, r, 0, row["definition"])
        r += 1
    for x in o["do_minimum_left_out"]:
        book.text(ws, r, 0, f"Left out of do minimum: {x['name']} ({x['why']})")
        r += 1
    for note in o["notes"]:
        book.text(ws, r, 0, note)
        r += 1
