"""The Cash flow sheet: the portfolio by month and by year (sums of the model sheets, less the
overlap between target groups), its metrics and charts."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...schema import PAYERS
from .book import _Book
from .cells import MONEY, cell, col_range, defined_name, quote_sheet
from .model import _full_year, _year_chart


def _cash_flow_sheet(book: _Book, ws: Any) -> None:
    data = book.data
    Y = data.appraisal.years
    T = Y * 12
    port = data.appraisal.portfolio
    psum = data.appraisal_summary["portfolio"]
    bold = book.fmt(bold=True)
    _heading(book, ws)
    ov_cells, r = _overlap_rows(book, ws, 3)
    r += 1
    met_r = r
    ws.write_string(r, 0, f"Appraisal over {Y} years", bold)
    r += 1
    metric_rows = r
    r += 12
    ws.write_string(r, 0, "By appraisal year (pounds; net = gross - overlap - running cost - set-up)", bold)
    r += 1
    book.header(ws, r, YEAR_COLUMNS)
    r += 1
    year_first = r
    month_first = year_first + Y + 3
    month_last = month_first + T - 1
    mcols = ["Month", "Year", "Running cost ASC", "Running cost NHS", "Set-up ASC", "Set-up NHS",
             "Gross saving ASC", "Gross saving NHS"] + [f"Overlap {k + 1}" for k in range(len(ov_cells))] + [
             "Less overlap ASC", "Less overlap NHS", "Wider benefits", "Net ASC", "Net NHS", "Net", "Cumulative net",
             "Not yet in profit (month)", "Discounted net", "Discounted cumulative", "Not yet in profit, discounted"]
    col = {k: i for i, k in enumerate(mcols)}
    _year_rows(book, ws, year_first, month_first, month_last, col)
    year_last = year_first + Y - 1
    ws.write_string(month_first - 2, 0, "By month (sums of the model sheets, less each overlap)", bold)
    book.header(ws, month_first - 1, mcols)
    _month_rows(book, ws, month_first, col, ov_cells)
    _portfolio_metrics(book, ws, metric_rows, year_first, year_last, month_first, month_last, col, port.metrics, psum["metrics"])
    _charts(book, ws, met_r, year_first, year_last)
    book.cash = {"year_first": year_first, "year_last": year_last}


#: the yearly table's columns on the Cash flow sheet (:func:`_portfolio_metrics` reads them by position)
YEAR_COLUMNS = ["Year", "Running cost ASC", "Running cost NHS", "Set-up ASC", "Set-up NHS", "Gross saving ASC",
                "Gross saving NHS", "Less overlap ASC", "Less overlap NHS", "Net ASC", "Net NHS", "Net",
                "Cumulative net", "Discount factor", "Discounted net", "Wider benefits"]


def _heading(book: _Book, ws: Any) -> None:
    """The title and the appraisal's settings in one line."""
    data = book.data
    Y = data.appraisal.years
    ws.set_column(0, 0, 40)
    ws.set_column(1, 40, 14)
    ws.write_string(0, 0, "Cash flow: the portfolio, less the overlap between target groups", book.fmt(bold=True, font_size=14))
    s = data.appraisal_summary["settings"]
    ws.write_string(1, 0, f"{Y} years from {s['start_date']}; discounting: "
                    + ("Green Book schedule" if s["discount_schedule"] == "green-book" else f"flat {s['discount_rate']:.1%}")
                    + f"; optimism bias {'on' if s['optimism_bias'] else 'off'}; set-up {s['setup_timing']}; "
                    + (str(data.prices["label"]) if data.prices.get("reprice")
                       else "prices " + ", ".join(s["price_years"]) + " (as published)"))


def _overlap_rows(book: _Book, ws: Any, r: int) -> tuple[list[tuple[Any, int]], int]:
    """Each overlap between target groups with the appraisal's gross saving per person of its
    two models, from row ``r``. Returns (overlap, its row) pairs and the row after the last."""
    data = book.data
    runs = book.runs
    money = book.fmt(num_format=MONEY)
    ws.write_string(r, 0, "Overlap between target groups (appraisal figures, per person a year)", book.fmt(bold=True))
    r += 1
    book.header(ws, r, ["Overlap", "Payer", "Share of the smaller group", "Model A", "Gross per person A",
                        "Model B", "Gross per person B"])
    r += 1
    ov_cells = []
    for ov in data.scenario.overlaps:
        a, b = ov.interventions
        ma, mb = book.models[a], book.models[b]
        book.text(ws, r, 0, ov.description)
        ws.write_string(r, 1, ov.payer)
        sp = f"overlaps.{ov.id}.share"
        book.formula(ws, r, 2, "=" + defined_name("in", sp), float(data.values[sp][0]))
        i = PAYERS.index(ov.payer)
        for k, (iid, m) in enumerate(((a, ma), (b, mb))):
            full = _full_year(runs, next(x for x in data.scenario.interventions if x.id == iid))
            n = float(sum(float(sg.beneficiaries[0]) for sg in data.result.intervention(iid).segments))
            val = full["pgross"][i] / n if n > 0 else 0.0
            book.text(ws, r, 3 + 2 * k, iid)
            book.formula(ws, r, 4 + 2 * k, f"=IF({m.n}>0,{m.person_gross_adj[ov.payer]}/{m.n},0)", val, money)
        ov_cells.append((ov, r))
        r += 1
    return ov_cells, r


def _year_rows(book: _Book, ws: Any, year_first: int, month_first: int, month_last: int, col: dict[str, int]) -> None:
    """One row per appraisal year: sums of the monthly table, net by payer, cumulative, discounted."""
    data = book.data
    port = data.appraisal.portfolio
    psum = data.appraisal_summary["portfolio"]
    money = book.fmt(num_format=MONEY)
    for y in range(data.appraisal.years):
        rr = year_first + y
        ws.write_number(rr, 0, y + 1)
        yb = col_range(col["Year"], month_first, month_last)
        ded = port.yearly("overlap_deduction")[0, y]
        vals = [port.running_cost[0, y, 0], port.running_cost[0, y, 1], port.setup[0, y, 0], port.setup[0, y, 1],
                port.gross[0, y, 0], port.gross[0, y, 1], ded[0], ded[1]]
        keys = ["Running cost ASC", "Running cost NHS", "Set-up ASC", "Set-up NHS", "Gross saving ASC", "Gross saving NHS",
                "Less overlap ASC", "Less overlap NHS"]
        for i, k in enumerate(keys):
            book.formula(ws, rr, 1 + i, f"=SUMIF({yb},{cell(rr, 0, False)},{col_range(col[k], month_first, month_last)})",
                         float(vals[i]), money)
        net_y = port.net[0, y]
        c = lambda k: cell(rr, 1 + keys.index(k), False)  # noqa: E731
        book.formula(ws, rr, 9, f"={c('Gross saving ASC')}-{c('Less overlap ASC')}-{c('Running cost ASC')}-{c('Set-up ASC')}",
                     float(net_y[0]), money)
        book.formula(ws, rr, 10, f"={c('Gross saving NHS')}-{c('Less overlap NHS')}-{c('Running cost NHS')}-{c('Set-up NHS')}",
                     float(net_y[1]), money)
        book.formula(ws, rr, 11, f"={cell(rr, 9, False)}+{cell(rr, 10, False)}", float(net_y.sum()), money)
        book.formula(ws, rr, 12, f"={cell(rr, 11, False)}" if y == 0 else f"={cell(rr - 1, 12, False)}+{cell(rr, 11, False)}",
                     float(psum["years"][y]["cumulative_net"]), money)
        book.formula(ws, rr, 13, f"=INDEX(discount_factors,{cell(rr, 0, False)})", float(port.factors[y]), book.fmt(num_format="0.0000"))
        book.formula(ws, rr, 14, f"={cell(rr, 11, False)}*{cell(rr, 13, False)}", float(net_y.sum() * port.factors[y]), money)
        book.formula(ws, rr, 15, f"=SUMIF({yb},{cell(rr, 0, False)},{col_range(col['Wider benefits'], month_first, month_last)})",
                     float(port.wider_benefits[0, y]), money)


def _month_rows(book: _Book, ws: Any, month_first: int, col: dict[str, int], ov_cells: list[tuple[Any, int]]) -> None:
    """The portfolio by month: sums of the model sheets' months, less each overlap (share x the
    smaller group's people x the smaller gross saving per person)."""
    data = book.data
    port = data.appraisal.portfolio
    money = book.fmt(num_format=MONEY)
    mon = port.monthly
    net_m = mon.net[0]
    cum = np.cumsum(net_m.sum(axis=1))
    mfac = np.repeat(port.factors, 12)
    dcum = np.cumsum(net_m.sum(axis=1) * mfac)
    ov_res = {o.id: o for o in book.runs.savings.overlaps}
    models = list(book.models.values())
    for m in range(data.appraisal.years * 12):
        rr = month_first + m
        A = cell(rr, 0, False)
        ws.write_number(rr, 0, m + 1)
        ws.write_number(rr, 1, m // 12 + 1)
        for key in ["Running cost ASC", "Running cost NHS", "Set-up ASC", "Set-up NHS", "Gross saving ASC", "Gross saving NHS",
                    "Wider benefits"]:
            terms = [f"{mm.sheet}!{cell(mm.month_rows[0] + m, mm.month_cols[key], False)}" for mm in models]
            if key == "Wider benefits":
                val = float(mon.wider_benefits[0, m])
            else:
                kind = {"Running": mon.running_cost, "Set-up": mon.setup, "Gross": mon.gross}[key.split(" ")[0]]
                val = float(kind[0, m, 0 if key.endswith("ASC") else 1])
            book.formula(ws, rr, col[key], "=" + ("+".join(terms) if terms else "0"), val, money)
        for k, (ov, orow) in enumerate(ov_cells):
            a, b = ov.interventions
            ma, mb = book.models[a], book.models[b]
            pa = f"{ma.sheet}!{cell(ma.month_rows[0] + m, ma.month_cols['People (savings timeline)'], False)}"
            pb = f"{mb.sheet}!{cell(mb.month_rows[0] + m, mb.month_cols['People (savings timeline)'], False)}"
            val = float(ov_res[ov.id].deduction[0, m, PAYERS.index(ov.payer)])
            book.formula(ws, rr, col[f"Overlap {k + 1}"],
                         f"={cell(orow, 2)}*MIN({pa},{pb})*MIN({cell(orow, 4)},{cell(orow, 6)})/12", val, money)
        for i, p in enumerate(PAYERS):
            terms = [cell(rr, col[f"Overlap {k + 1}"], False) for k, (ov, _) in enumerate(ov_cells) if ov.payer == p]
            book.formula(ws, rr, col[f"Less overlap {p.upper()}"], "=" + ("+".join(terms) if terms else "0"),
                         float(mon.overlap_deduction[0, m, i]), money)
        c = lambda k: cell(rr, col[k], False)  # noqa: E731
        for i, p in enumerate(PAYERS):
            P = p.upper()
            book.formula(ws, rr, col[f"Net {P}"], f"={c(f'Gross saving {P}')}-{c(f'Less overlap {P}')}-{c(f'Running cost {P}')}-{c(f'Set-up {P}')}",
                         float(net_m[m, i]), money)
        book.formula(ws, rr, col["Net"], f"={c('Net ASC')}+{c('Net NHS')}", float(net_m[m].sum()), money)
        book.formula(ws, rr, col["Cumulative net"], f"={c('Net')}" if m == 0 else f"={cell(rr - 1, col['Cumulative net'], False)}+{c('Net')}",
                     float(cum[m]), money)
        book.formula(ws, rr, col["Not yet in profit (month)"], f"=IF({c('Cumulative net')}<=1E-6,{A},0)", float(m + 1 if cum[m] <= 1e-6 else 0))
        book.formula(ws, rr, col["Discounted net"], f"={c('Net')}*INDEX(discount_factors,{c('Year')})", float(net_m[m].sum() * mfac[m]), money)
        book.formula(ws, rr, col["Discounted cumulative"], f"={c('Discounted net')}" if m == 0 else
                     f"={cell(rr - 1, col['Discounted cumulative'], False)}+{c('Discounted net')}", float(dcum[m]), money)
        book.formula(ws, rr, col["Not yet in profit, discounted"], f"=IF({c('Discounted cumulative')}<=1E-6,{A},0)",
                     float(m + 1 if dcum[m] <= 1e-6 else 0))


def _charts(book: _Book, ws: Any, met_r: int, year_first: int, year_last: int) -> None:
    """The portfolio's cumulative net saving by year, and its net saving by payer and year."""
    _year_chart(book, ws, ws.get_name(), year_first, year_last, 12, "Portfolio: cumulative net saving by year",
                insert=cell(met_r, 4, False))
    chart = book.wb.add_chart({"type": "column", "subtype": "stacked"})
    sheet = quote_sheet(ws.get_name())
    for i, p in enumerate(PAYERS):
        chart.add_series({"name": f"Net saving {p.upper()}", "categories": f"={sheet}!{col_range(0, year_first, year_last)}",
                          "values": f"={sheet}!{col_range(9 + i, year_first, year_last)}"})
    chart.set_title({"name": "Net saving by payer and year", "name_font": {"size": 11}})
    chart.set_y_axis({"num_format": "£#,##0"})
    chart.set_size({"width": 620, "height": 300})
    ws.insert_chart(cell(met_r, 12, False), chart)


def _portfolio_metrics(book: _Book, ws: Any, r: int, y0: int, y1: int, m0: int, m1: int, col: dict[str, int],
                       metrics: Any, msum: dict) -> None:
    """The portfolio's metrics: as a model's, with savings after the overlap deduction."""
    money = book.fmt(num_format=MONEY, bold=True)
    yc = lambda c: col_range(c, y0, y1)  # noqa: E731
    df = yc(13)
    m = metrics
    items = [
        ("npv", "Net present value (NPV)", f"=SUMPRODUCT({yc(11)},{df})", m.npv[0]),
        ("npv_asc", "NPV to the council (ASC)", f"=SUMPRODUCT({yc(9)},{df})", m.npv_by_payer[0, 0]),
        ("npv_nhs", "NPV to the NHS", f"=SUMPRODUCT({yc(10)},{df})", m.npv_by_payer[0, 1]),
        ("budget", "Net budget impact (undiscounted)", f"=SUM({yc(11)})", m.net_budget_impact[0]),
        ("pv_cost", "Present value of costs (running and set-up)", f"=SUMPRODUCT(({yc(1)}+{yc(2)}+{yc(3)}+{yc(4)}),{df})", m.pv_cost[0]),
        ("pv_savings", "Present value of cashable savings after the overlap deduction",
         f"=SUMPRODUCT(({yc(5)}+{yc(6)}-{yc(7)}-{yc(8)}),{df})", m.pv_savings[0]),
        ("pv_wider", "Present value of wider benefits (not cashable)", f"=SUMPRODUCT({yc(15)},{df})", m.pv_wider_benefits[0]),
    ]
    refs: dict[str, str] = {}
    rr = r
    for key, label, f, val in items:
        ws.write_string(rr, 0, label)
        book.formula(ws, rr, 1, f, float(val), money)
        refs[key] = cell(rr, 1)
        rr += 1
    ratio = book.fmt(num_format="0.00", bold=True)
    ws.write_string(rr, 0, "Return on investment (£ saved per £1 spent, PV)")
    book.formula(ws, rr, 1, f'=IF({refs["pv_cost"]}>0,{refs["pv_savings"]}/{refs["pv_cost"]},"no cost evidence")',
                 msum["roi"] if msum["roi"] is not None else "no cost evidence", ratio)
    refs["roi"] = cell(rr, 1)
    rr += 1
    ws.write_string(rr, 0, "Benefit-cost ratio (with wider benefits, PV)")
    book.formula(ws, rr, 1, f'=IF({refs["pv_cost"]}>0,({refs["pv_savings"]}+{refs["pv_wider"]})/{refs["pv_cost"]},"no cost evidence")',
                 msum["bcr"] if msum["bcr"] is not None else "no cost evidence", ratio)
    refs["bcr"] = cell(rr, 1)
    rr += 1
    for key, label, ccum, cflag, val in [
        ("break_even", "Break-even month (cumulative net stays above zero from this month)", "Cumulative net",
         "Not yet in profit (month)", msum["break_even_month"]),
        ("discounted_break_even", "Break-even month, discounted", "Discounted cumulative", "Not yet in profit, discounted",
         msum["discounted_break_even_month"]),
    ]:
        ws.write_string(rr, 0, label)
        book.formula(ws, rr, 1, f'=IF({cell(m1, col[ccum])}>1E-6,MAX({col_range(col[cflag], m0, m1)})+1,"does not break even")',
                     val if val else "does not break even", book.fmt(bold=True))
        refs[key] = cell(rr, 1)
        rr += 1
    sheet = quote_sheet(ws.get_name())
    book.portfolio_metrics = {k: book.name("p", f"portfolio.{k}", f"{sheet}!{ref}") for k, ref in refs.items()}
