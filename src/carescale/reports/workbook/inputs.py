"""The Inputs sheet: every parameter with its path, label, value, unit, price year, status,
source and verbatim quote (each value a yellow input cell with a defined name such as
``in_living_well.older_people_multiple_ltc.unit_cost``); then the appraisal settings and the
discount rates by year (the ``discount_factors`` range the other sheets use)."""

from __future__ import annotations

from typing import Any

from ...appraisal.core import discount_rates, optimism_bias, timelines
from ..data import ReportData
from .book import _Book, _outcome_additionality
from .cells import cell, col_range


def _inputs_sheet(book: _Book, ws: Any) -> None:
    r = _parameter_rows(book, ws)
    r = _setting_rows(book, ws, r + 1)
    _discount_rows(book, ws, r + 1)


def _parameter_rows(book: _Book, ws: Any) -> int:
    """Every parameter: a yellow input cell with its defined name, and where the figure comes
    from. Returns the row after the last."""
    data = book.data
    lib_docs = _documents(data)
    bold = book.fmt(bold=True, font_size=14)
    ws.write_string(0, 0, "Inputs: every figure the model uses. Change a value in column C (yellow) and every result recalculates.", bold)
    ws.write_string(1, 0, "Evidence value is the figure in the evidence library; 'changed' marks figures this scenario overrides, with the note saying why.")
    heads = ["Path", "Label", "Value", "Unit", "Price year", "Status", "Evidence value", "Changed", "Change note",
             "Document", "Section", "Quote (verbatim)", "Derivation", "Defined name", "As published", "Published price year"]
    book.header(ws, 3, heads, [44, 50, 14, 14, 10, 11, 14, 9, 30, 40, 34, 60, 50, 50, 14, 12])
    ws.freeze_panes(4, 1)
    inp = book.fmt(bg_color="#FFF2CC", border=1, num_format="General")
    wrap = book.fmt(text_wrap=True, valign="top")
    r = 4
    for p in data.params:
        q = p.quantity
        value = float(data.values[p.path][0])
        ch = p.change
        book.text(ws, r, 0, p.path)
        book.text(ws, r, 1, p.label)
        ws.write_number(r, 2, value, inp)
        book.text(ws, r, 3, q.unit)
        book.text(ws, r, 4, q.price_year or "")
        book.text(ws, r, 5, q.status)
        ws.write_number(r, 6, data.evidence_value(p.path))
        book.text(ws, r, 7, "yes" if ch else "")
        book.text(ws, r, 8, (ch.note or "") if ch else "")
        book.text(ws, r, 9, lib_docs.get(q.ref.document, q.ref.document))
        book.text(ws, r, 10, q.ref.section)
        book.text(ws, r, 11, q.ref.quote, wrap)
        book.text(ws, r, 12, q.derivation or "")
        nm = book.name("in", p.path, f"Inputs!{cell(r, 2)}")
        book.text(ws, r, 13, nm)
        ws.write_number(r, 14, float(p.published.value))
        book.text(ws, r, 15, p.published.price_year or "")
        r += 1
    return r


def _setting_rows(book: _Book, ws: Any, r: int) -> int:
    """The appraisal settings as input cells (each with a defined name ``set_...``), starting at
    row ``r``. Returns the row after the last."""
    data = book.data
    inp = book.fmt(bg_color="#FFF2CC", border=1, num_format="General")
    ws.write_string(r, 0, "Appraisal settings (change these to change the appraisal; the layout is fixed to "
                    f"{data.appraisal.years} years)", book.fmt(bold=True, font_size=12))
    r += 1
    book.header(ws, r, ["Setting", "Meaning", "Value", "Unit", "", "", "", "", "", "", "", "", "", "Defined name"])
    r += 1
    settings = data.appraisal.settings
    cost_tl, sav_tl = timelines(data.scenario, settings)

    def setting(key: str, meaning: str, value: Any, unit: str) -> None:
        nonlocal r
        book.text(ws, r, 0, key)
        book.text(ws, r, 1, meaning)
        if isinstance(value, str):
            ws.write_string(r, 2, value, inp)
        else:
            ws.write_number(r, 2, float(value), inp)
        book.text(ws, r, 3, unit)
        book.text(ws, r, 13, book.name("set", key, f"Inputs!{cell(r, 2)}"))
        r += 1

    setting("setup_timing", "When set-up tranches are paid: up-front (all in month 1) or as-places-fill",
            settings.setup_timing, "text")
    ws.data_validation(r - 1, 2, r - 1, 2, {"validate": "list", "source": ["up-front", "as-places-fill"]})
    v1 = {k: a for k, a in data.values.items()}
    for iv in data.scenario.interventions:
        setting(f"{iv.id}.scale", f"{iv.name}: share of its potential it runs at (scale)", data.scenario.scale_of(iv.id), "proportion")
    for iv in data.scenario.interventions:
        up, down = optimism_bias(iv, settings)
        d, rr = cost_tl.months(iv, v1)
        lag = dict(sav_tl.lag).get(iv.id, 0.0)
        drop = dict(sav_tl.drop_off).get(iv.id, 0.0)
        setting(f"{iv.id}.optimism_bias.costs", f"{iv.name}: optimism bias, rise in costs (evidence level {iv.evidence_grade.level})", up, "proportion")
        setting(f"{iv.id}.optimism_bias.savings", f"{iv.name}: optimism bias, fall in savings", down, "proportion")
        setting(f"{iv.id}.months_to_first_beneficiary", f"{iv.name}: months to the first person supported", float(d.ravel()[0]), "months")
        setting(f"{iv.id}.months_to_full_scale", f"{iv.name}: months from then to full scale (straight line)", float(rr.ravel()[0]), "months")
        setting(f"{iv.id}.lag_months", f"{iv.name}: months savings lag behind support", lag, "months")
        setting(f"{iv.id}.drop_off", f"{iv.name}: share of savings lost each year after they start", drop, "proportion")
        dur = dict(sav_tl.duration).get(iv.id)
        setting(f"{iv.id}.duration_years", f"{iv.name}: years the effect lasts from the first saving (1000: no limit)",
                1000.0 if dur is None else dur, "years")
        dw, at = _outcome_additionality(settings, iv.id, None)
        setting(f"{iv.id}.deadweight", f"{iv.name}: deadweight (wider benefits)", dw, "proportion")
        setting(f"{iv.id}.attribution", f"{iv.name}: attribution (wider benefits)", at, "proportion")
        seen = set()
        for seg in iv.segments:
            for o in (*seg.outcomes, *seg.spend_reductions):
                if o.id in seen:
                    continue
                seen.add(o.id)
                dw, at = _outcome_additionality(settings, iv.id, o.id)
                setting(f"{iv.id}.{o.id}.deadweight", f"{iv.name}: deadweight ({o.description})", dw, "proportion")
                setting(f"{iv.id}.{o.id}.attribution", f"{iv.name}: attribution ({o.description})", at, "proportion")
    return r


def _discount_rows(book: _Book, ws: Any, r: int) -> None:
    """The discount rate and factor by appraisal year (the range named ``discount_factors``)."""
    data = book.data
    settings = data.appraisal.settings
    inp = book.fmt(bg_color="#FFF2CC", border=1, num_format="General")
    ws.write_string(r, 0, "Discount rates by appraisal year (year 1 is the Green Book's year 0 and is not discounted)",
                    book.fmt(bold=True, font_size=12))
    r += 1
    book.header(ws, r, ["Appraisal year", "Meaning", "Rate", "Discount factor"])
    r += 1
    rates = discount_rates(data.appraisal.years, settings.discount_rate)
    factors = data.appraisal.portfolio.factors
    first = r
    for y in range(data.appraisal.years):
        ws.write_number(r, 0, y + 1)
        ws.write_string(r, 1, "not discounted" if y == 0 else f"discounted from year {y} by this year's rate")
        ws.write_number(r, 2, float(rates[y]), inp)
        if y == 0:
            book.formula(ws, r, 3, "=1", 1.0)
        else:
            book.formula(ws, r, 3, f"={cell(r - 1, 3)}/(1+{cell(r, 2)})", float(factors[y]))
        r += 1
    book.wb.define_name("discount_factors", f"=Inputs!{col_range(3, first, r - 1)}")


def _documents(data: ReportData) -> dict[str, str]:
    """Document titles by id (the Inputs sheet's Document column)."""
    return {k: getattr(v, "title", k) for k, v in data.documents.items()}
