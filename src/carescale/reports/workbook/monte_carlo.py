"""The Monte Carlo sheet: percentiles, histogram, tornado and break-even targets from the
evaluation's uncertainty (values from the draws, not formulas)."""

from __future__ import annotations

from typing import Any

from .book import _Book
from .cells import MONEY, cell, col_range, quote_sheet


def _monte_carlo_sheet(book: _Book, ws: Any) -> None:
    data = book.data
    u = data.uncertainty
    bold = book.fmt(bold=True)
    money = book.fmt(num_format=MONEY)
    ws.set_column(0, 0, 44)
    ws.set_column(1, 12, 14)
    ws.write_string(0, 0, "Monte Carlo: how sure are the savings (values from the draws, not formulas)", book.fmt(bold=True, font_size=14))
    if u is None:
        ws.write_string(2, 0, "No Monte Carlo run was asked for.")
        return
    ws.write_string(1, 0, f"{u['draws']:,} draws, seed {u['seed']}; measure: {u['measure']}. NPV over {u['npv_settings']['years'] if u.get('npv_settings') else '-'} years with the default appraisal settings.")
    if data.changes:
        ws.write_string(2, 0, "The draws vary every figure over its evidence range around the values in the Inputs sheet.")
    r = 4
    book.header(ws, r, ["Model", "Net saving a year: mean", "5th percentile", "median", "95th percentile",
                        "Chance it saves money", "NPV: mean", "NPV 5th percentile", "NPV median", "NPV 95th percentile",
                        "Chance NPV > 0"])
    r += 1
    pct = book.fmt(num_format="0.0%")
    for item in [*u["interventions"], {**u["portfolio"], "name": "Portfolio (less overlap)"}]:
        book.text(ws, r, 0, item["name"])
        ns = item["net_savings"]
        for k, key in enumerate(["mean", "p05", "p50", "p95"]):
            ws.write_number(r, 1 + k, ns[key], money)
        ws.write_number(r, 5, item["prob_saving"], pct)
        if item.get("npv"):
            s = item["npv"]["summary"]
            for k, key in enumerate(["mean", "p05", "p50", "p95"]):
                ws.write_number(r, 6 + k, s[key], money)
            ws.write_number(r, 10, item["npv"]["prob_positive"], pct)
        r += 1
    r += 1
    ws.write_string(r, 0, "Distribution of the portfolio's net saving a year", bold)
    r += 1
    book.header(ws, r, ["From", "To", "Draws"])
    r += 1
    h = u["portfolio"]["histogram"]
    hfirst = r
    for k, cnt in enumerate(h["counts"]):
        ws.write_number(r, 0, h["edges"][k], money)
        ws.write_number(r, 1, h["edges"][k + 1], money)
        ws.write_number(r, 2, cnt)
        r += 1
    hlast = r - 1
    chart = book.wb.add_chart({"type": "column"})
    chart.add_series({"name": "Draws", "categories": f"={quote_sheet(ws.get_name())}!{col_range(0, hfirst, hlast)}",
                      "values": f"={quote_sheet(ws.get_name())}!{col_range(2, hfirst, hlast)}", "gap": 10})
    chart.set_title({"name": "Portfolio net saving a year: distribution", "name_font": {"size": 11}})
    chart.set_x_axis({"num_format": "£#,##0", "name": "Net saving a year (lower edge of bin)"})
    chart.set_legend({"none": True})
    chart.set_size({"width": 620, "height": 300})
    ws.insert_chart(cell(hfirst, 4, False), chart)
    r += 1
    ws.write_string(r, 0, "Tornado: the portfolio's net saving a year with each figure at its low and high value", bold)
    r += 1
    book.header(ws, r, ["Figure", "Low value", "Value", "High value", "Net saving at low", "Net saving at high", "Swing"])
    r += 1
    tfirst = r
    for t in u["tornado"][:15]:
        book.text(ws, r, 0, t["label"])
        ws.write_number(r, 1, t["low_value"])
        ws.write_number(r, 2, t["value"])
        ws.write_number(r, 3, t["high_value"])
        ws.write_number(r, 4, t["low"], money)
        ws.write_number(r, 5, t["high"], money)
        ws.write_number(r, 6, t["swing"], money)
        r += 1
    tlast = r - 1
    if u["tornado"]:
        chart = book.wb.add_chart({"type": "bar"})
        for k, nm in ((4, "At low value"), (5, "At high value")):
            chart.add_series({"name": nm, "categories": f"={quote_sheet(ws.get_name())}!{col_range(0, tfirst, tlast)}",
                              "values": f"={quote_sheet(ws.get_name())}!{col_range(k, tfirst, tlast)}"})
        chart.set_title({"name": "Tornado: portfolio net saving a year", "name_font": {"size": 11}})
        chart.set_x_axis({"num_format": "£#,##0"})
        chart.set_y_axis({"reverse": True})
        chart.set_size({"width": 760, "height": 420})
        ws.insert_chart(cell(tfirst, 8, False), chart)
    r += 1
    ws.write_string(r, 0, "Break-even targets: the value at which a model's NPV is zero (targets for a first phase)", bold)
    r += 1
    book.header(ws, r, ["Model", "Figure", "Perspective", "Evidence value", "Break-even value", "What it means"])
    r += 1
    for item in u["interventions"]:
        for sv in item.get("npv_switching_values") or item.get("switching_values") or []:
            if sv["perspective"] != "total":
                continue
            book.text(ws, r, 0, item["name"])
            book.text(ws, r, 1, sv["label"])
            ws.write_string(r, 2, "council and NHS")
            ws.write_number(r, 3, sv["base"])
            if sv.get("switch") is not None:
                ws.write_number(r, 4, sv["switch"])
            else:
                ws.write_string(r, 4, "none")
            book.text(ws, r, 5, sv.get("reason") or "")
            r += 1
