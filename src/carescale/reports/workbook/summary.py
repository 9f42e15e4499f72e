"""The Summary sheet: the paper's table (a year at full scale, by model and payer, less the
overlap between target groups) and the appraisal by model, with a chart; every figure a formula
over the model sheets."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...schema import PAYERS
from ..data import ReportData
from .book import _Book
from .cells import MONEY, cell, col_range, defined_name, model_id
from .model import _person_gross


def _summary_sheet(book: _Book, ws: Any) -> None:
    data = book.data
    run = data.run
    money = book.fmt(num_format=MONEY)
    mbold = book.fmt(num_format=MONEY, bold=True, top=1)
    people_f = book.fmt(num_format="#,##0")
    bold = book.fmt(bold=True)
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 44)
    ws.set_column(2, 2, 36)
    ws.set_column(3, 14, 14)
    ws.write_string(0, 0, "Scaling up what works", book.fmt(bold=True, font_size=16))
    book.text(ws, 1, 0, f"Area: {data.area_name}")
    pr = data.prices
    prices = pr.get("label") or "prices as published"
    ws.write_string(2, 0, f"Basis: {data.scenario.basis}; a year at full scale (pounds, {prices}); every figure is a formula over the Inputs sheet.")
    r = 4
    book.header(ws, r, ["Area", "Model", "Target group", "Beneficiaries", "Cost", "Cost ASC", "Cost NHS", "Gross ASC",
                        "Gross NHS", "Net ASC", "Net NHS", "Set-up", "Wider benefits"])
    r += 1
    first = r
    items = {i["id"]: i for i in run["interventions"]}
    for iv in data.scenario.interventions:
        it = items[iv.id]
        mc = book.models[iv.id]
        nid = model_id(iv.id)
        ws.write_number(r, 0, iv.transformation_area)
        book.text(ws, r, 1, iv.name)
        book.text(ws, r, 2, iv.target_group)
        book.formula(ws, r, 3, f"={mc.n}", float(it["beneficiaries"] or 0.0), people_f)
        book.formula(ws, r, 4, f"=m_{nid}.cost", it["cost"], money)
        for i, p in enumerate(PAYERS):
            book.formula(ws, r, 5 + i, f"={mc.steady[f'cost_{p}']}", it["cost_by_payer"][p], money)
            book.formula(ws, r, 7 + i, f"={mc.steady[f'gross_{p}']}", it["gross_savings"][p], money)
            book.formula(ws, r, 9 + i, f"={mc.steady[f'net_{p}']}", it["net_savings"][p], money)
        book.formula(ws, r, 11, f"={mc.steady['setup']}", it["setup_investment"], money)
        book.formula(ws, r, 12, f"={mc.steady['wider']}", it["wider_benefits"], money)
        r += 1
    last = r - 1
    # overlap row
    ov_r = r
    book.text(ws, r, 1, "Less overlap between target groups (see below)")
    r += 1
    tot_r = r
    r += 3
    ws.write_string(r, 0, "Overlap between target groups: for people in both groups the smaller of the two gross savings per person is counted once, not twice", bold)
    r += 1
    book.header(ws, r, ["", "Overlap", "Models", "Payer", "Share of the smaller group", "People in both",
                        "Gross per person A", "Gross per person B", "Deduction a year"])
    r += 1
    ofirst = r
    ovs = {o["id"]: o for o in run["overlaps"]}
    for ov in data.scenario.overlaps:
        a, b = ov.interventions
        ma, mb = book.models[a], book.models[b]
        o = ovs[ov.id]
        res = next(x for x in data.result.overlaps if x.id == ov.id)
        i = PAYERS.index(ov.payer)
        book.text(ws, r, 1, ov.description)
        book.text(ws, r, 2, f"{a} + {b}")
        ws.write_string(r, 3, ov.payer)
        sp = f"overlaps.{ov.id}.share"
        book.formula(ws, r, 4, "=" + defined_name("in", sp), float(data.values[sp][0]))
        book.formula(ws, r, 5, f"={cell(r, 4, False)}*MIN({ma.n},{mb.n})", o["people"], book.fmt(num_format="#,##0.0"))
        for k, m in enumerate((ma, mb)):
            n = float(sum(float(s.beneficiaries[0]) for s in data.result.intervention(ov.interventions[k]).segments))
            pg = _person_gross_of(data, ov.interventions[k])[i]
            book.formula(ws, r, 6 + k, f"=IF({m.n}>0,{m.person_gross[ov.payer]}/{m.n},0)", pg / n if n > 0 else 0.0, money)
        book.formula(ws, r, 8, f"={cell(r, 5, False)}*MIN({cell(r, 6, False)},{cell(r, 7, False)})",
                     float(res.deduction[0, 0, i]), money)
        r += 1
    olast = r - 1
    for i, p in enumerate(PAYERS):
        ded = run["totals"]["overlap_deduction"][p]
        if data.scenario.overlaps:
            f = f'=-SUMIFS({col_range(8, ofirst, olast)},{col_range(3, ofirst, olast)},"{p}")'
        else:
            f = "=0"
        book.formula(ws, ov_r, 9 + i, f, -ded, money)
    t = run["totals"]
    book.text(ws, tot_r, 1, "Total", bold)
    book.formula(ws, tot_r, 3, f"=SUM({col_range(3, first, last)})", t["beneficiaries"], book.fmt(num_format="#,##0", bold=True, top=1))
    tv = [t["cost"], t["cost_by_payer"]["asc"], t["cost_by_payer"]["nhs"], t["gross_savings"]["asc"], t["gross_savings"]["nhs"]]
    for k, val in enumerate(tv):
        book.formula(ws, tot_r, 4 + k, f"=SUM({col_range(4 + k, first, last)})", val, mbold)
    for i, p in enumerate(PAYERS):
        book.formula(ws, tot_r, 9 + i, f"=SUM({col_range(9 + i, first, ov_r)})", t["net_savings"][p], mbold)
    book.formula(ws, tot_r, 11, f"=SUM({col_range(11, first, last)})", t["setup_investment"], mbold)
    book.formula(ws, tot_r, 12, f"=SUM({col_range(12, first, last)})", t.get("wider_benefits", 0.0), mbold)
    book.formula(ws, tot_r + 1, 10, f"={cell(tot_r, 9, False)}+{cell(tot_r, 10, False)}",
                 t["net_savings"]["asc"] + t["net_savings"]["nhs"], mbold)
    book.text(ws, tot_r + 1, 9, "Net, both")
    for p in PAYERS:
        book.name("t", f"net_{p}", f"Summary!{cell(tot_r, 9 + PAYERS.index(p))}")
    book.name("t", "net", f"Summary!{cell(tot_r + 1, 10)}")
    book.name("t", "cost", f"Summary!{cell(tot_r, 4)}")
    book.name("t", "beneficiaries", f"Summary!{cell(tot_r, 3)}")
    # appraisal by model
    r += 1
    ws.write_string(r, 0, f"Appraisal over {data.appraisal.years} years (from the model sheets and the Cash flow sheet)", bold)
    r += 1
    book.header(ws, r, ["", "Model", "", "NPV", "NPV ASC", "NPV NHS", "Net budget impact", "ROI", "BCR", "Break-even month"])
    r += 1
    asum = {i["id"]: i for i in data.appraisal_summary["interventions"]}
    rows = [(iv.name, book.models[iv.id].metrics, asum[iv.id]["metrics"]) for iv in data.scenario.interventions]
    rows.append(("Portfolio (less overlap)", book.portfolio_metrics, data.appraisal_summary["portfolio"]["metrics"]))
    for label, names, msum in rows:
        book.text(ws, r, 1, label)
        book.formula(ws, r, 3, f"={names['npv']}", msum["npv"], money)
        book.formula(ws, r, 4, f"={names['npv_asc']}", msum["npv_by_payer"]["asc"], money)
        book.formula(ws, r, 5, f"={names['npv_nhs']}", msum["npv_by_payer"]["nhs"], money)
        book.formula(ws, r, 6, f"={names['budget']}", msum["net_budget_impact"], money)
        book.formula(ws, r, 7, f"={names['roi']}", msum["roi"] if msum["roi"] is not None else "no cost evidence", book.fmt(num_format="0.00"))
        book.formula(ws, r, 8, f"={names['bcr']}", msum["bcr"] if msum["bcr"] is not None else "no cost evidence", book.fmt(num_format="0.00"))
        be = msum["break_even_month"]
        book.formula(ws, r, 9, f"={names['break_even']}", be if be else "does not break even")
        r += 1
    # chart: net saving by payer per model
    chart = book.wb.add_chart({"type": "bar", "subtype": "stacked"})
    for i, p in enumerate(PAYERS):
        chart.add_series({"name": f"Net saving {p.upper()}", "categories": f"=Summary!{col_range(1, first, last)}",
                          "values": f"=Summary!{col_range(9 + i, first, last)}"})
    chart.set_title({"name": "Net saving a year at full scale, by payer", "name_font": {"size": 11}})
    chart.set_x_axis({"num_format": "£#,##0"})
    chart.set_y_axis({"reverse": True})
    chart.set_size({"width": 760, "height": 340})
    ws.insert_chart(cell(r + 1, 1, False), chart)


def _person_gross_of(data: ReportData, iid: str) -> np.ndarray:
    """A model's gross saving a year from people's outcomes, by payer (steady state)."""
    iv = next(x for x in data.scenario.interventions if x.id == iid)
    return _person_gross(iv, data.result.intervention(iid), data.values)
