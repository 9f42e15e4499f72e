"""The live Excel model: every result is a formula over the Inputs sheet (docs/reports.md).

Sheets: ``About``; ``Summary`` (the paper's table and the appraisal by model, with charts);
``Inputs`` (every parameter with its path, label, value, unit, price year, status, source and
verbatim quote; then the appraisal settings and discount rates; each input has a defined name
such as ``in_living_well.older_people_multiple_ltc.unit_cost``); one sheet per model (the
arithmetic from the area figure to the saving, a monthly appraisal table, years, NPV, ROI and
break-even); ``Cash flow`` (the portfolio by month and year, with the overlap deduction);
``Monte Carlo`` (percentiles, histogram, tornado and break-even targets: values, not formulas).

The formulas are the engine's arithmetic (``engine/evaluate.py``) and the appraisal's
(``appraisal/core.py``): ramp-up as the area under a straight line per month, optimism bias
and additionality on the inputs, set-up tranches, Green Book discount factors. Every formula
cell also carries the engine's own figure as its cached value, so a viewer that does not
recalculate shows the right numbers; ``cached=False`` writes zeros instead (the tests use it
to prove that LibreOffice's recalculation, not the cache, gives the figures).

xlsxwriter is imported inside :func:`workbook_bytes` only.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..schema import PAYERS
from .data import ReportData
from .text import sheet_text

MONEY = "£#,##0;-£#,##0"
MONEY2 = "£#,##0.00;-£#,##0.00"
EPS = "1E-9"


def _col(c: int) -> str:
    s = ""
    c += 1
    while c:
        c, r = divmod(c - 1, 26)
        s = chr(65 + r) + s
    return s


def cell(r: int, c: int, absolute: bool = True) -> str:
    return f"${_col(c)}${r + 1}" if absolute else f"{_col(c)}{r + 1}"


def col_range(c: int, r0: int, r1: int) -> str:
    return f"${_col(c)}${r0 + 1}:${_col(c)}${r1 + 1}"


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def defined_name(prefix: str, path: str) -> str:
    """An Excel name for ``path``: ``prefix_`` then the path with anything but letters, digits,
    ``_`` and ``.`` turned into ``_`` (``in_living_well.older_people_multiple_ltc.unit_cost``)."""
    return prefix + "_" + re.sub(r"[^A-Za-z0-9_.]", "_", path)


def sheet_name(text: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\']", " ", text).strip()[:31].strip() or "Sheet"
    name, i = base, 2
    while name.lower() in used:
        suffix = f" ({i})"
        name, i = base[: 31 - len(suffix)] + suffix, i + 1
    used.add(name.lower())
    return name


@dataclass
class _ModelCells:
    """Where a model's key figures live (absolute references with sheet)."""

    sheet: str
    n: str = ""  # beneficiaries at full scale
    person_gross_adj: dict[str, str] = field(default_factory=dict)  # payer -> appraisal person-based gross a year
    person_gross: dict[str, str] = field(default_factory=dict)
    month_rows: tuple[int, int] = (0, 0)  # first, last row of the monthly table
    month_cols: dict[str, int] = field(default_factory=dict)
    metrics: dict[str, str] = field(default_factory=dict)
    steady: dict[str, str] = field(default_factory=dict)


class _Book:
    def __init__(self, wb: Any, data: ReportData, cached: bool):
        self.wb, self.data, self.cached = wb, data, cached
        self.names: dict[str, str] = {}
        self.fmt_cache: dict[tuple, Any] = {}
        self.used_sheets: set[str] = set()
        self.models: dict[str, _ModelCells] = {}

    # -- small helpers ---------------------------------------------------------------------
    def fmt(self, **props: Any) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self.fmt_cache:
            self.fmt_cache[key] = self.wb.add_format(props)
        return self.fmt_cache[key]

    def text(self, ws: Any, r: int, c: int, value: Any, fmt: Any = None) -> None:
        """User or library text: always a string cell, never a formula."""
        sheet_text(ws, r, c, value, fmt)

    def num(self, ws: Any, r: int, c: int, value: float, fmt: Any = None) -> None:
        v = float(value)
        if math.isfinite(v):
            ws.write_number(r, c, v, fmt)
        else:
            ws.write_string(r, c, "n/a", fmt)

    def formula(self, ws: Any, r: int, c: int, f: str, value: Any, fmt: Any = None) -> None:
        if isinstance(value, (float, np.floating)):
            value = float(value)
            if not math.isfinite(value):
                value = 0.0
        ws.write_formula(r, c, f, fmt, value if self.cached else 0)

    def name(self, prefix: str, path: str, ref: str) -> str:
        nm = defined_name(prefix, path)
        if nm in self.names and self.names[nm] != ref:
            i = 2
            while f"{nm}_{i}" in self.names:
                i += 1
            nm = f"{nm}_{i}"
        self.names[nm] = ref
        self.wb.define_name(nm, "=" + ref)
        return nm

    def header(self, ws: Any, r: int, headings: list[str], widths: list[float] | None = None) -> None:
        h = self.fmt(bold=True, bg_color="#DDE4EE", border=1, text_wrap=True, valign="top")
        for c, t in enumerate(headings):
            ws.write_string(r, c, t, h)
        if widths:
            for c, w in enumerate(widths):
                ws.set_column(c, c, w)


def _plain_formula(formula: str, expand_future_functions: bool = False) -> str:
    return formula[1:] if formula.startswith("=") else formula


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
    sheets = {}
    for i, iv in enumerate(data.scenario.interventions, 1):
        sheets[iv.id] = sheet(f"{i} {iv.name}")
    mc = sheet("Monte Carlo")
    _inputs_sheet(book, inputs)
    for iv in data.scenario.interventions:
        _model_sheet(book, sheets[iv.id], iv)
    _cash_flow_sheet(book, cash)
    _summary_sheet(book, summary)
    _monte_carlo_sheet(book, mc)
    _about_sheet(book, about, [s.get_name() for s in wb.worksheets()])
    summary.activate()
    wb.close()
    return buf.getvalue()


# -- Inputs ------------------------------------------------------------------------------------


def _outcome_additionality(settings: Any, iid: str, oid: str | None) -> tuple[float, float]:
    """(deadweight, attribution) as the appraisal applies them (appraisal/core.py)."""
    from ..appraisal.settings import appraisal_defaults

    d = appraisal_defaults().additionality
    adj = settings.interventions.get(iid)
    o = adj.outcomes.get(oid) if (adj is not None and oid is not None) else None
    dw = next(x for x in (o.deadweight if o else None, adj.deadweight if adj else None, d.deadweight.value) if x is not None)
    at = next(x for x in (o.attribution if o else None, adj.attribution if adj else None, d.attribution.value) if x is not None)
    return float(dw), float(at)


def _inputs_sheet(book: _Book, ws: Any) -> None:
    from ..appraisal.core import discount_rates, optimism_bias, timelines

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

    # appraisal settings
    r += 1
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

    # discount rates
    r += 1
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
    from ..library import default_library

    lib = data.library if data.library is not None else default_library()
    try:
        docs = lib.sources.documents
    except AttributeError:
        return {}
    return {k: getattr(v, "title", k) for k, v in docs.items()}


# -- one sheet per model ------------------------------------------------------------------------


def _engine_runs(data: ReportData):
    """The engine on the appraisal's two timelines with the adjusted values (for cached values)."""
    from ..appraisal.core import adjusted_values, timelines
    from ..engine import evaluate

    settings = data.appraisal.settings
    adj = adjusted_values(data.scenario, data.params, data.values, settings)
    cost_tl, sav_tl = timelines(data.scenario, settings)
    res_c = evaluate(data.scenario, adj, cost_tl, data.params)
    res_s = evaluate(data.scenario, adj, sav_tl, data.params)
    return adj, cost_tl, sav_tl, res_c, res_s


def _model_sheet(book: _Book, ws: Any, iv: Any) -> None:
    data = book.data
    if not hasattr(book, "_runs"):
        book._runs = _engine_runs(data)  # type: ignore[attr-defined]
    adj, cost_tl, sav_tl, res_c, res_s = book._runs  # type: ignore[attr-defined]
    sname = quote_sheet(ws.get_name())
    mc = _ModelCells(sheet=sname)
    book.models[iv.id] = mc
    v = data.values
    steady = data.result.intervention(iv.id)
    iid = iv.id
    nid = re.sub(r"[^A-Za-z0-9_]", "_", iid)
    settings = data.appraisal.settings
    basis = data.scenario.basis
    big = book.fmt(bold=True, font_size=14)
    bold = book.fmt(bold=True)
    wrap = book.fmt(text_wrap=True, valign="top")
    money = book.fmt(num_format=MONEY)
    people_f = book.fmt(num_format="#,##0.0")
    ws.set_column(0, 0, 34)
    ws.set_column(1, 30, 14)
    ws.write_string(0, 0, iv.name, big)
    book.text(ws, 1, 0, iv.description, wrap)
    ws.merge_range(1, 0, 1, 9, None)
    book.text(ws, 1, 0, iv.description, wrap)
    ws.set_row(1, 60)
    book.text(ws, 2, 0, f"Evidence: Nesta level {iv.evidence_grade.level}. {iv.evidence_grade.reason}")
    if iv.source is not None:
        book.text(ws, 3, 0, f"Source site: {iv.source.site} ({iv.source.period})")
    book.text(ws, 4, 0, f"Target group: {iv.target_group}. Transformation area {iv.transformation_area}. "
              f"Basis: {basis}.")

    # segments
    r = 6
    ws.write_string(r, 0, "Who it reaches (a year at full scale)", bold)
    r += 1
    book.header(ws, r, ["Segment", "Sizing rule", "Cohort (area figure)", "Take-up rate", "People served today",
                        "Beneficiaries", "Cost per person a year", "Running cost a year"])
    r += 1
    seg_rows: dict[str, int] = {}
    seg_first = r
    scale = defined_name("set", f"{iid}.scale")
    scale_v = data.scenario.scale_of(iid)
    for seg, sres in zip(iv.segments, steady.segments):
        pre = f"{iid}.{seg.id}"
        n_val = float(sres.beneficiaries[0])
        seg_rows[seg.id] = r
        book.text(ws, r, 0, seg.description)
        book.text(ws, r, 1, seg.sizing.basis.replace("_", " ") if basis == "potential" else "current provision")
        coh = f"area.cohorts.{seg.sizing.cohort}" if seg.sizing.cohort else None
        prov = f"area.provision.{iid}.{seg.id}"
        rate = f"{pre}.sizing.rate"
        has = lambda p: p is not None and p in data.params  # noqa: E731
        if has(coh):
            book.formula(ws, r, 2, "=" + defined_name("in", coh), float(v[coh][0]), people_f)
        if has(rate) and basis == "potential":
            book.formula(ws, r, 3, "=" + defined_name("in", rate), float(v[rate][0]))
        if has(prov):
            book.formula(ws, r, 4, "=" + defined_name("in", prov), float(v[prov][0]), people_f)
        else:
            ws.write_number(r, 4, 0.0, people_f)
        C, D, E = cell(r, 2, False), cell(r, 3, False), cell(r, 4, False)
        if seg.sizing.basis == "none":
            f = "=0"
        elif basis == "current":
            f = f"={E}*{scale}"
        elif seg.sizing.basis == "share_of_cohort":
            f = f"={C}*{D}*{scale}"
        else:
            f = f"=MAX({C}*{D}-{E},0)*{scale}"
        book.formula(ws, r, 5, f, n_val, people_f)
        uc = f"{pre}.unit_cost"
        if has(uc):
            book.formula(ws, r, 6, "=" + defined_name("in", uc), float(v[uc][0]), money)
            book.formula(ws, r, 7, f"={cell(r, 5, False)}*{cell(r, 6, False)}", n_val * float(v[uc][0]), money)
        else:
            ws.write_number(r, 7, 0.0, money)
        r += 1
    seg_last = r - 1
    book.text(ws, r, 0, "Total", bold)
    n_total = float(sum(float(s.beneficiaries[0]) for s in steady.segments))
    cost_total = float(steady.cost[0].sum())
    book.formula(ws, r, 5, f"=SUM({col_range(5, seg_first, seg_last)})", n_total, book.fmt(num_format="#,##0.0", bold=True))
    book.formula(ws, r, 7, f"=SUM({col_range(7, seg_first, seg_last)})", cost_total, book.fmt(num_format=MONEY, bold=True))
    n_ref = f"{sname}!{cell(r, 5)}"
    cost_ref = f"{sname}!{cell(r, 7)}"
    mc.n = book.name("m", f"{nid}.beneficiaries", n_ref)
    cost_name = book.name("m", f"{nid}.cost", cost_ref)
    r += 2

    # savings
    ws.write_string(r, 0, "What it saves (a year at full scale; the appraisal adjusts each line for optimism bias and additionality)", bold)
    r += 1
    book.header(ws, r, ["Segment", "Outcome or cut in spend", "Payer", "Beneficiaries or spend line",
                        "Outcome rate or cut", "Saving per person", "Saving a year", "Appraisal factor",
                        "Saving a year in the appraisal", "Kind"])
    r += 1
    sav_first = r
    ob_sav = defined_name("set", f"{iid}.optimism_bias.savings")
    ob_cost = defined_name("set", f"{iid}.optimism_bias.costs")
    up, down = (data.appraisal.interventions[iid].optimism_bias)
    for seg, sres in zip(iv.segments, steady.segments):
        pre = f"{iid}.{seg.id}"
        n_val = float(sres.beneficiaries[0])
        for o in seg.outcomes:
            dw, at = _outcome_additionality(settings, iid, o.id)
            book.text(ws, r, 0, seg.description)
            book.text(ws, r, 1, o.description)
            book.text(ws, r, 2, o.payer)
            book.formula(ws, r, 3, f"={cell(seg_rows[seg.id], 5)}", n_val, people_f)
            if o.rate is not None:
                rp = f"{pre}.outcomes.{o.id}.rate"
                rate_v = float(v[rp][0])
                book.formula(ws, r, 4, "=" + defined_name("in", rp), rate_v)
            else:
                rate_v = 1.0
                ws.write_number(r, 4, 1.0)
            up_ = f"{pre}.outcomes.{o.id}.unit_saving"
            us = float(v[up_][0])
            book.formula(ws, r, 5, "=" + defined_name("in", up_), us, money)
            saving = n_val * rate_v * us
            book.formula(ws, r, 6, f"={cell(r, 3, False)}*{cell(r, 4, False)}*{cell(r, 5, False)}", saving, money)
            fac = (1 - down) * (1 - dw) * at
            book.formula(ws, r, 7, f"=(1-{ob_sav})*(1-{defined_name('set', f'{iid}.{o.id}.deadweight')})*"
                         f"{defined_name('set', f'{iid}.{o.id}.attribution')}", fac)
            book.formula(ws, r, 8, f"={cell(r, 6, False)}*{cell(r, 7, False)}", saving * fac, money)
            ws.write_string(r, 9, "person")
            r += 1
        for red in seg.spend_reductions:
            dw, at = _outcome_additionality(settings, iid, red.id)
            sp = f"area.spend.{red.spend_line}"
            rp = f"{pre}.spend_reductions.{red.id}.reduction"
            book.text(ws, r, 0, seg.description)
            book.text(ws, r, 1, red.description)
            book.text(ws, r, 2, red.payer)
            book.formula(ws, r, 3, "=" + defined_name("in", sp), float(v[sp][0]), money)
            book.formula(ws, r, 4, "=" + defined_name("in", rp), float(v[rp][0]))
            saving = float(v[sp][0]) * float(v[rp][0]) * scale_v
            book.formula(ws, r, 6, f"={cell(r, 3, False)}*{cell(r, 4, False)}*{scale}", saving, money)
            fac = (1 - down) * (1 - dw) * at
            book.formula(ws, r, 7, f"=(1-{ob_sav})*(1-{defined_name('set', f'{iid}.{red.id}.deadweight')})*"
                         f"{defined_name('set', f'{iid}.{red.id}.attribution')}", fac)
            book.formula(ws, r, 8, f"={cell(r, 6, False)}*{cell(r, 7, False)}", saving * fac, money)
            ws.write_string(r, 9, "spend")
            r += 1
    sav_last = max(r - 1, sav_first)
    r += 1

    # totals by payer
    ws.write_string(r, 0, "By payer", bold)
    r += 1
    book.header(ws, r, ["Figure", "ASC (council)", "NHS", "Total"])
    r += 1
    gross = steady.gross[0, 0]
    cost_p = steady.cost[0, 0]
    person_gross = np.zeros(2)
    for seg, sres in zip(iv.segments, steady.segments):
        for o in seg.outcomes:
            rate_v = float(v[f"{iid}.{seg.id}.outcomes.{o.id}.rate"][0]) if o.rate is not None else 1.0
            person_gross[PAYERS.index(o.payer)] += float(sres.beneficiaries[0]) * rate_v * float(v[f"{iid}.{seg.id}.outcomes.{o.id}.unit_saving"][0])
    G, C, I, J = (col_range(6, sav_first, sav_last), col_range(2, sav_first, sav_last),
                  col_range(8, sav_first, sav_last), col_range(9, sav_first, sav_last))
    rows: dict[str, int] = {}

    def payer_row(key: str, label: str, formulas: list[str], values: list[float], total: bool = True, f=money) -> None:
        nonlocal r
        rows[key] = r
        ws.write_string(r, 0, label)
        for i, (fo, va) in enumerate(zip(formulas, values)):
            book.formula(ws, r, 1 + i, fo, va, f)
        if total:
            book.formula(ws, r, 3, f"={cell(r, 1, False)}+{cell(r, 2, False)}", float(sum(values)), f)
        r += 1

    shares = [float(v[f"{iid}.cost_shares.{p}"][0]) if f"{iid}.cost_shares.{p}" in data.params else 0.0 for p in PAYERS]
    payer_row("share", "Share of running cost",
              [("=" + defined_name("in", f"{iid}.cost_shares.{p}")) if f"{iid}.cost_shares.{p}" in data.params else "=0"
               for p in PAYERS], shares, f=None)
    payer_row("cost", "Running cost a year", [f"={cost_name}*{cell(rows['share'], 1 + i)}" for i in range(2)],
              [float(x) for x in cost_p])
    payer_row("gross", "Gross saving a year", [f'=SUMIFS({G},{C},"{p}")' for p in PAYERS], [float(x) for x in gross])
    payer_row("net", "Net saving a year", [f"={cell(rows['gross'], 1 + i)}-{cell(rows['cost'], 1 + i)}" for i in range(2)],
              [float(gross[i] - cost_p[i]) for i in range(2)])
    payer_row("pgross", "of which from people's outcomes (used for overlaps)",
              [f'=SUMIFS({G},{C},"{p}",{J},"person")' for p in PAYERS], list(person_gross))
    # appraisal (adjusted) figures a year at full scale
    full_c = _full_year(adj, data, iv)
    payer_row("acost", "Appraisal: running cost a year at full scale",
              [f"={cell(rows['cost'], 1 + i)}*(1+{ob_cost})" for i in range(2)], list(full_c["cost"]))
    payer_row("agross", "Appraisal: gross saving a year at full scale",
              [f'=SUMIFS({I},{C},"{p}")' for p in PAYERS], list(full_c["gross"]))
    payer_row("apgross", "Appraisal: of which from people's outcomes",
              [f'=SUMIFS({I},{C},"{p}",{J},"person")' for p in PAYERS], list(full_c["pgross"]))
    for i, p in enumerate(PAYERS):
        mc.person_gross_adj[p] = f"{sname}!{cell(rows['apgross'], 1 + i)}"
        mc.person_gross[p] = f"{sname}!{cell(rows['pgross'], 1 + i)}"
        mc.steady[f"cost_{p}"] = book.name("m", f"{nid}.cost_{p}", f"{sname}!{cell(rows['cost'], 1 + i)}")
        mc.steady[f"gross_{p}"] = book.name("m", f"{nid}.gross_{p}", f"{sname}!{cell(rows['gross'], 1 + i)}")
        mc.steady[f"net_{p}"] = book.name("m", f"{nid}.net_{p}", f"{sname}!{cell(rows['net'], 1 + i)}")
    r += 1
    # set-up and wider benefits
    ws.write_string(r, 0, "Set-up and wider benefits", bold)
    r += 1
    setup_total = float(steady.setup_investment[0])
    setup_payer = iv.setup.payer if iv.setup else "asc"
    if iv.setup is not None:
        per_n = defined_name("in", f"{iid}.setup.per")
        sc_n = defined_name("in", f"{iid}.setup.cost")
        per_v = float(v[f"{iid}.setup.per"][0])
        tranches = math.ceil(n_total / per_v - 1e-9) if basis == "potential" else 0
        ws.write_string(r, 0, "Set-up tranches (places / places per tranche, rounded up)")
        book.formula(ws, r, 1, f"=-INT(-({mc.n}/{per_n}-{EPS}))" if basis == "potential" else "=0", float(tranches))
        tr_ref = cell(r, 1)
        r += 1
        ws.write_string(r, 0, f"Set-up investment ({setup_payer.upper()})")
        book.formula(ws, r, 1, f"={tr_ref}*{sc_n}", setup_total, money)
        setup_ref = cell(r, 1)
        r += 1
        ws.write_string(r, 0, "Appraisal: set-up investment with optimism bias")
        book.formula(ws, r, 1, f"={setup_ref}*(1+{ob_cost})", setup_total * (1 + up), money)
        asetup_ref = cell(r, 1)
        r += 1
    else:
        tr_ref = asetup_ref = setup_ref = None
        ws.write_string(r, 0, "No set-up investment in the evidence")
        r += 1
    mc.steady["setup"] = book.name("m", f"{nid}.setup", f"{sname}!{setup_ref}") if setup_ref else "0"
    ws.write_string(r, 0, "Wider benefits a year (not cashable)")
    wb_terms = [f"{mc.n}*{defined_name('in', f'{iid}.wider_benefits.{wb.id}')}" for wb in iv.wider_benefits]
    wider_v = float(steady.wider_benefits[0].sum())
    book.formula(ws, r, 1, "=" + ("+".join(wb_terms) if wb_terms else "0"), wider_v, money)
    wider_ref = cell(r, 1)
    mc.steady["wider"] = book.name("m", f"{nid}.wider", f"{sname}!{wider_ref}")
    r += 1
    dw_w, at_w = _outcome_additionality(settings, iid, None)
    ws.write_string(r, 0, "Appraisal: wider benefits a year")
    book.formula(ws, r, 1, f"={wider_ref}*(1-{ob_sav})*(1-{defined_name('set', f'{iid}.deadweight')})*{defined_name('set', f'{iid}.attribution')}",
                 wider_v * (1 - down) * (1 - dw_w) * at_w, money)
    awider_ref = cell(r, 1)
    r += 1
    # timing
    ws.write_string(r, 0, "Month the ramp-up starts (costs)")
    book.formula(ws, r, 1, "=" + defined_name("set", f"{iid}.months_to_first_beneficiary"),
                 float(cost_tl.months(iv, adj)[0].ravel()[0]))
    start_c = cell(r, 1)
    r += 1
    ws.write_string(r, 0, "Month savings start (plus lag)")
    lag_v = dict(sav_tl.lag).get(iid, 0.0)
    book.formula(ws, r, 1, f"={start_c}+{defined_name('set', f'{iid}.lag_months')}",
                 float(cost_tl.months(iv, adj)[0].ravel()[0]) + lag_v)
    start_s = cell(r, 1)
    r += 1
    ws.write_string(r, 0, "Months to full scale (a line; under 1E-9 is a step)")
    rv = float(cost_tl.months(iv, adj)[1].ravel()[0])
    nm_full = defined_name("set", f"{iid}.months_to_full_scale")
    book.formula(ws, r, 1, f"=IF({nm_full}<{EPS},0,{nm_full})", rv if rv >= 1e-9 else 0.0)
    ramp = cell(r, 1)
    r += 1
    drop = defined_name("set", f"{iid}.drop_off")
    r += 1

    # metrics and yearly table first (they are what people read), the monthly table below
    Y = data.appraisal.years
    T = Y * 12
    flows = data.appraisal.interventions[iid]
    met_r = r
    ws.write_string(r, 0, f"Appraisal over {Y} years (formulas over the monthly table below)", bold)
    r += 1
    metric_rows = r
    r += 12  # room for the metrics
    ws.write_string(r, 0, "By appraisal year", bold)
    r += 1
    ycols = ["Year", "Running cost ASC", "Running cost NHS", "Set-up ASC", "Set-up NHS", "Gross saving ASC",
             "Gross saving NHS", "Net ASC", "Net NHS", "Net", "Cumulative net", "Discount factor", "Discounted net",
             "Wider benefits"]
    book.header(ws, r, ycols)
    r += 1
    year_first = r
    month_first = year_first + Y + 3
    month_last = month_first + T - 1
    mcols = ["Month", "Year", "Cost scale", "Savings scale", "People (cost timeline)", "People (savings timeline)",
             "Running cost ASC", "Running cost NHS", "Set-up ASC", "Set-up NHS", "Gross saving ASC", "Gross saving NHS",
             "Wider benefits", "Net", "Cumulative net", "Not yet in profit (month)", "Discounted net",
             "Discounted cumulative", "Not yet in profit, discounted", "Tranches bought"]
    col = {k: i for i, k in enumerate(mcols)}
    mc.month_rows = (month_first, month_last)
    mc.month_cols = col
    mon = flows.monthly
    people_c = np.asarray(res_c.intervention(iid).beneficiaries[0], dtype=float)
    people_s = np.asarray(res_s.intervention(iid).beneficiaries[0], dtype=float)
    sc_c = cost_tl.scale(iv, adj)[0]
    sc_s = sav_tl.scale(iv, adj)[0]
    net_m = mon.net[0].sum(axis=1)
    cum = np.cumsum(net_m)
    mfac = np.repeat(flows.factors, 12)
    dcum = np.cumsum(net_m * mfac)
    # yearly rows
    yr = data.appraisal_summary["interventions"]
    ysum = next(i for i in yr if i["id"] == iid)
    for y in range(Y):
        rr = year_first + y
        ws.write_number(rr, 0, y + 1)
        rng = lambda k: col_range(col[k], month_first, month_last)  # noqa: E731
        yb = col_range(col["Year"], month_first, month_last)
        vals = [flows.running_cost[0, y, 0], flows.running_cost[0, y, 1], flows.setup[0, y, 0], flows.setup[0, y, 1],
                flows.gross[0, y, 0], flows.gross[0, y, 1]]
        for i, k in enumerate(["Running cost ASC", "Running cost NHS", "Set-up ASC", "Set-up NHS", "Gross saving ASC", "Gross saving NHS"]):
            book.formula(ws, rr, 1 + i, f"=SUMIF({yb},{cell(rr, 0, False)},{rng(k)})", float(vals[i]), money)
        net_y = flows.net[0, y]
        book.formula(ws, rr, 7, f"={cell(rr, 5, False)}-{cell(rr, 1, False)}-{cell(rr, 3, False)}", float(net_y[0]), money)
        book.formula(ws, rr, 8, f"={cell(rr, 6, False)}-{cell(rr, 2, False)}-{cell(rr, 4, False)}", float(net_y[1]), money)
        book.formula(ws, rr, 9, f"={cell(rr, 7, False)}+{cell(rr, 8, False)}", float(net_y.sum()), money)
        book.formula(ws, rr, 10, f"={cell(rr, 9, False)}" if y == 0 else f"={cell(rr - 1, 10, False)}+{cell(rr, 9, False)}",
                     float(ysum["years"][y]["cumulative_net"]), money)
        book.formula(ws, rr, 11, f"=INDEX(discount_factors,{cell(rr, 0, False)})", float(flows.factors[y]), book.fmt(num_format="0.0000"))
        book.formula(ws, rr, 12, f"={cell(rr, 9, False)}*{cell(rr, 11, False)}", float(net_y.sum() * flows.factors[y]), money)
        book.formula(ws, rr, 13, f"=SUMIF({yb},{cell(rr, 0, False)},{rng('Wider benefits')})", float(flows.wider_benefits[0, y]), money)
    year_last = year_first + Y - 1
    # monthly table
    ws.write_string(month_first - 2, 0, "By month (each month's scale is the area under the ramp-up line over that month)", bold)
    book.header(ws, month_first - 1, mcols)
    setup_cells = {"asc": "Set-up ASC", "nhs": "Set-up NHS"}
    cost_adj = full_c["cost"]
    gross_adj = full_c["gross"]
    wider_adj = wider_v * (1 - down) * (1 - dw_w) * at_w
    timing = defined_name("set", "setup_timing")
    bought_prev = 0.0
    n_tr = math.ceil(n_total / float(v[f"{iid}.setup.per"][0]) - 1e-9) if (iv.setup is not None and basis == "potential") else 0
    for m in range(T):
        rr = month_first + m
        A = cell(rr, 0, False)
        ws.write_number(rr, 0, m + 1)
        ws.write_number(rr, 1, m // 12 + 1)

        def area(x: str, rcell: str) -> str:
            return f"IF({x}<=0,0,IF({x}<={rcell},({x})^2/(2*{rcell}),{x}-{rcell}/2))"

        xc1, xc0 = f"({A}-{start_c})", f"({A}-1-{start_c})"
        book.formula(ws, rr, col["Cost scale"], f"={area(xc1, ramp)}-{area(xc0, ramp)}", float(sc_c[m]), book.fmt(num_format="0.0000"))
        xs1, xs0 = f"({A}-{start_s})", f"({A}-1-{start_s})"
        book.formula(ws, rr, col["Savings scale"],
                     f"=({area(xs1, ramp)}-{area(xs0, ramp)})*(1-{drop})^INT(MAX({A}-1-{start_s},0)/12)",
                     float(sc_s[m]), book.fmt(num_format="0.0000"))
        Cs, Ss = cell(rr, col["Cost scale"], False), cell(rr, col["Savings scale"], False)
        book.formula(ws, rr, col["People (cost timeline)"], f"={mc.n}*{Cs}", float(people_c[m]), people_f)
        book.formula(ws, rr, col["People (savings timeline)"], f"={mc.n}*{Ss}", float(people_s[m]), people_f)
        for i, p in enumerate(PAYERS):
            book.formula(ws, rr, col[f"Running cost {p.upper()}"], f"={cell(rows['acost'], 1 + i)}*{Cs}/12",
                         float(mon.running_cost[0, m, i]), money)
            book.formula(ws, rr, col[f"Gross saving {p.upper()}"], f"={cell(rows['agross'], 1 + i)}*{Ss}/12",
                         float(mon.gross[0, m, i]), money)
        # set-up
        Tb = col["Tranches bought"]
        if asetup_ref is not None:
            pc = cell(rr, col["People (cost timeline)"], False)
            per_n = defined_name("in", f"{iid}.setup.per")
            prev = "0" if m == 0 else cell(rr - 1, Tb, False)
            bought = max(bought_prev, min(n_tr, math.floor(float(people_c[m]) / float(v[f"{iid}.setup.per"][0]) + 1e-9) + 1)) if n_tr else 0.0
            book.formula(ws, rr, Tb, f"=MAX({prev},MIN({tr_ref},INT({pc}/{per_n}+{EPS})+1))", float(bought))
            for i, p in enumerate(PAYERS):
                cc = col[setup_cells[p]]
                if p == setup_payer:
                    book.formula(
                        ws, rr, cc,
                        f'=IF({timing}="up-front",IF({A}=1,{asetup_ref},0),'
                        f"IF({tr_ref}>0,({cell(rr, Tb, False)}-{prev})*{asetup_ref}/{tr_ref},0))",
                        float(mon.setup[0, m, i]), money)
                else:
                    ws.write_number(rr, cc, 0.0, money)
            bought_prev = bought
        else:
            ws.write_number(rr, col["Set-up ASC"], 0.0, money)
            ws.write_number(rr, col["Set-up NHS"], 0.0, money)
            ws.write_number(rr, Tb, 0.0)
        book.formula(ws, rr, col["Wider benefits"], f"={awider_ref}*{Ss}/12", float(wider_adj * sc_s[m] / 12), money)
        c = lambda k: cell(rr, col[k], False)  # noqa: E731
        book.formula(ws, rr, col["Net"], f"={c('Gross saving ASC')}+{c('Gross saving NHS')}-{c('Running cost ASC')}-"
                     f"{c('Running cost NHS')}-{c('Set-up ASC')}-{c('Set-up NHS')}", float(net_m[m]), money)
        book.formula(ws, rr, col["Cumulative net"], f"={c('Net')}" if m == 0 else f"={cell(rr - 1, col['Cumulative net'], False)}+{c('Net')}",
                     float(cum[m]), money)
        book.formula(ws, rr, col["Not yet in profit (month)"], f"=IF({c('Cumulative net')}<=1E-6,{A},0)",
                     float(m + 1 if cum[m] <= 1e-6 else 0))
        book.formula(ws, rr, col["Discounted net"], f"={c('Net')}*INDEX(discount_factors,{c('Year')})",
                     float(net_m[m] * mfac[m]), money)
        book.formula(ws, rr, col["Discounted cumulative"], f"={c('Discounted net')}" if m == 0 else
                     f"={cell(rr - 1, col['Discounted cumulative'], False)}+{c('Discounted net')}", float(dcum[m]), money)
        book.formula(ws, rr, col["Not yet in profit, discounted"], f"=IF({c('Discounted cumulative')}<=1E-6,{A},0)",
                     float(m + 1 if dcum[m] <= 1e-6 else 0))
    _metrics_block(book, ws, metric_rows, year_first, year_last, month_first, month_last, col,
                   flows.metrics, ysum["metrics"], f"m_{nid}", mc, with_overlap=False)
    _year_chart(book, ws, ws.get_name(), year_first, year_last, 10, f"{iv.name}: cumulative net saving by year",
                insert=cell(met_r, 5, False))


def _full_year(adj: dict, data: ReportData, iv: Any) -> dict[str, np.ndarray]:
    """The appraisal's adjusted figures a year at full scale (the engine on adjusted values)."""
    from ..engine import evaluate

    res = evaluate(data.scenario, adj, parameters=data.params).intervention(iv.id)
    pg = np.zeros(2)
    n_seg = {s.id: float(s.beneficiaries[0]) for s in res.segments}
    for seg in iv.segments:
        for o in seg.outcomes:
            rate = float(adj[f"{iv.id}.{seg.id}.outcomes.{o.id}.rate"][0]) if o.rate is not None else 1.0
            pg[PAYERS.index(o.payer)] += n_seg[seg.id] * rate * float(adj[f"{iv.id}.{seg.id}.outcomes.{o.id}.unit_saving"][0])
    return {"cost": res.cost[0, 0].astype(float), "gross": res.gross[0, 0].astype(float), "pgross": pg}


def _metrics_block(book: _Book, ws: Any, r: int, y0: int, y1: int, m0: int, m1: int, col: dict[str, int],
                   metrics: Any, msum: dict, prefix: str, mc: _ModelCells | None, with_overlap: bool) -> None:
    money = book.fmt(num_format=MONEY, bold=True)
    ratio = book.fmt(num_format="0.00", bold=True)
    yc = lambda c: col_range(c, y0, y1)  # noqa: E731
    # yearly columns: model sheet: 1..6 running/setup/gross, 7 net asc, 8 net nhs, 9 net, 11 df, 13 wider
    #                  cash flow:  see _cash_flow_sheet (passes the same column meanings through `col`)
    yi = col["_years"] if "_years" in col else {
        "cost": [1, 2, 3, 4], "savings": [5, 6], "net_asc": 7, "net_nhs": 8, "net": 9, "df": 11, "wider": 13}
    df = yc(yi["df"])
    cost_terms = "+".join(yc(c) for c in yi["cost"])
    sav_terms = "+".join(yc(c) for c in yi["savings"])
    m = metrics
    items = [
        ("npv", "Net present value (NPV)", f"=SUMPRODUCT({yc(yi['net'])},{df})", m.npv[0], money),
        ("npv_asc", "NPV to the council (ASC)", f"=SUMPRODUCT({yc(yi['net_asc'])},{df})", m.npv_by_payer[0, 0], money),
        ("npv_nhs", "NPV to the NHS", f"=SUMPRODUCT({yc(yi['net_nhs'])},{df})", m.npv_by_payer[0, 1], money),
        ("budget", "Net budget impact (undiscounted)", f"=SUM({yc(yi['net'])})", m.net_budget_impact[0], money),
        ("pv_cost", "Present value of costs (running and set-up)", f"=SUMPRODUCT(({cost_terms}),{df})", m.pv_cost[0], money),
        ("pv_savings", "Present value of cashable savings" + (" (after the overlap deduction)" if with_overlap else ""),
         f"=SUMPRODUCT(({sav_terms}),{df})", m.pv_savings[0], money),
        ("pv_wider", "Present value of wider benefits (not cashable)", f"=SUMPRODUCT({yc(yi['wider'])},{df})", m.pv_wider_benefits[0], money),
    ]
    ws.write_string(r, 0, "Measure", book.fmt(bold=True))
    refs: dict[str, str] = {}
    rr = r
    for key, label, f, val, fm in items:
        ws.write_string(rr, 0, label)
        book.formula(ws, rr, 1, f, float(val), fm)
        refs[key] = cell(rr, 1)
        rr += 1
    roi = msum["roi"]
    bcr = msum["bcr"]
    ws.write_string(rr, 0, "Return on investment (£ saved per £1 spent, PV)")
    book.formula(ws, rr, 1, f'=IF({refs["pv_cost"]}>0,{refs["pv_savings"]}/{refs["pv_cost"]},"n/a (no cost)")',
                 roi if roi is not None else "n/a (no cost)", ratio)
    refs["roi"] = cell(rr, 1)
    rr += 1
    ws.write_string(rr, 0, "Benefit-cost ratio (with wider benefits, PV)")
    book.formula(ws, rr, 1, f'=IF({refs["pv_cost"]}>0,({refs["pv_savings"]}+{refs["pv_wider"]})/{refs["pv_cost"]},"n/a (no cost)")',
                 bcr if bcr is not None else "n/a (no cost)", ratio)
    refs["bcr"] = cell(rr, 1)
    rr += 1
    cum = col_range(col["Cumulative net"], m0, m1)
    last = cell(m1, col["Cumulative net"])
    flag = col_range(col["Not yet in profit (month)"], m0, m1)
    be = msum["break_even_month"]
    ws.write_string(rr, 0, "Break-even month (cumulative net stays above zero from this month)")
    book.formula(ws, rr, 1, f'=IF({last}>1E-6,MAX({flag})+1,"does not break even")', be if be else "does not break even",
                 book.fmt(bold=True))
    refs["break_even"] = cell(rr, 1)
    rr += 1
    dlast = cell(m1, col["Discounted cumulative"])
    dflag = col_range(col["Not yet in profit, discounted"], m0, m1)
    dbe = msum["discounted_break_even_month"]
    ws.write_string(rr, 0, "Break-even month, discounted")
    book.formula(ws, rr, 1, f'=IF({dlast}>1E-6,MAX({dflag})+1,"does not break even")', dbe if dbe else "does not break even",
                 book.fmt(bold=True))
    refs["discounted_break_even"] = cell(rr, 1)
    del cum
    sheet = quote_sheet(ws.get_name())
    for k, ref in refs.items():
        nm = book.name(prefix.split("_", 1)[0], f"{prefix.split('_', 1)[1]}.{k}", f"{sheet}!{ref}")
        if mc is not None:
            mc.metrics[k] = nm


def _year_chart(book: _Book, ws: Any, name: str, y0: int, y1: int, col: int, title: str, insert: str) -> None:
    chart = book.wb.add_chart({"type": "line"})
    sheet = quote_sheet(name)
    chart.add_series({
        "name": "Cumulative net saving",
        "categories": f"={sheet}!{col_range(0, y0, y1)}",
        "values": f"={sheet}!{col_range(col, y0, y1)}",
        "marker": {"type": "circle"},
    })
    chart.set_title({"name": title, "name_font": {"size": 11}})
    chart.set_x_axis({"name": "Appraisal year"})
    chart.set_y_axis({"name": "£", "num_format": "£#,##0"})
    chart.set_legend({"none": True})
    chart.set_size({"width": 620, "height": 300})
    ws.insert_chart(insert, chart)


# -- Cash flow (the portfolio) ------------------------------------------------------------------


def _cash_flow_sheet(book: _Book, ws: Any) -> None:
    data = book.data
    adj, cost_tl, sav_tl, res_c, res_s = book._runs if hasattr(book, "_runs") else _engine_runs(data)  # type: ignore[attr-defined]
    Y = data.appraisal.years
    T = Y * 12
    port = data.appraisal.portfolio
    psum = data.appraisal_summary["portfolio"]
    money = book.fmt(num_format=MONEY)
    bold = book.fmt(bold=True)
    ws.set_column(0, 0, 40)
    ws.set_column(1, 40, 14)
    ws.write_string(0, 0, "Cash flow: the portfolio, less the overlap between target groups", book.fmt(bold=True, font_size=14))
    s = data.appraisal_summary["settings"]
    ws.write_string(1, 0, f"{Y} years from {s['start_date']}; discounting: "
                    + ("Green Book schedule" if s["discount_schedule"] == "green-book" else f"flat {s['discount_rate']:.1%}")
                    + f"; optimism bias {'on' if s['optimism_bias'] else 'off'}; set-up {s['setup_timing']}; "
                    + (f"{data.prices['price_base_year']} prices" if data.prices.get("reprice")
                       else "prices " + ", ".join(s["price_years"]) + " (as published)"))
    # overlaps (appraisal per-person figures)
    r = 3
    ws.write_string(r, 0, "Overlap between target groups (appraisal figures, per person a year)", bold)
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
        gpp = {}
        for k, (iid, m) in enumerate(((a, ma), (b, mb))):
            full = _full_year(adj, data, next(x for x in data.scenario.interventions if x.id == iid))
            n = float(sum(float(sg.beneficiaries[0]) for sg in data.result.intervention(iid).segments))
            val = full["pgross"][i] / n if n > 0 else 0.0
            gpp[iid] = val
            book.text(ws, r, 3 + 2 * k, iid)
            book.formula(ws, r, 4 + 2 * k, f"=IF({m.n}>0,{m.person_gross_adj[ov.payer]}/{m.n},0)", val, money)
        ov_cells.append((ov, r))
        r += 1
    r += 1
    met_r = r
    ws.write_string(r, 0, f"Appraisal over {Y} years", bold)
    r += 1
    metric_rows = r
    r += 12
    ws.write_string(r, 0, "By appraisal year (pounds; net = gross - overlap - running cost - set-up)", bold)
    r += 1
    ycols = ["Year", "Running cost ASC", "Running cost NHS", "Set-up ASC", "Set-up NHS", "Gross saving ASC",
             "Gross saving NHS", "Less overlap ASC", "Less overlap NHS", "Net ASC", "Net NHS", "Net",
             "Cumulative net", "Discount factor", "Discounted net", "Wider benefits"]
    book.header(ws, r, ycols)
    r += 1
    year_first = r
    month_first = year_first + Y + 3
    month_last = month_first + T - 1
    mcols = ["Month", "Year", "Running cost ASC", "Running cost NHS", "Set-up ASC", "Set-up NHS",
             "Gross saving ASC", "Gross saving NHS"] + [f"Overlap {k + 1}" for k in range(len(ov_cells))] + [
             "Less overlap ASC", "Less overlap NHS", "Wider benefits", "Net ASC", "Net NHS", "Net", "Cumulative net",
             "Not yet in profit (month)", "Discounted net", "Discounted cumulative", "Not yet in profit, discounted"]
    col = {k: i for i, k in enumerate(mcols)}
    mon = port.monthly
    net_m = mon.net[0]
    cum = np.cumsum(net_m.sum(axis=1))
    mfac = np.repeat(port.factors, 12)
    dcum = np.cumsum(net_m.sum(axis=1) * mfac)
    ov_res = {o.id: o for o in res_s.overlaps}
    for y in range(Y):
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
    year_last = year_first + Y - 1
    ws.write_string(month_first - 2, 0, "By month (sums of the model sheets, less each overlap)", bold)
    book.header(ws, month_first - 1, mcols)
    models = list(book.models.values())
    for m in range(T):
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
    _portfolio_metrics(book, ws, metric_rows, year_first, year_last, month_first, month_last, col, port.metrics, psum["metrics"])
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
    book.cash = {"year_first": year_first, "year_last": year_last}  # type: ignore[attr-defined]


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
    book.formula(ws, rr, 1, f'=IF({refs["pv_cost"]}>0,{refs["pv_savings"]}/{refs["pv_cost"]},"n/a (no cost)")',
                 msum["roi"] if msum["roi"] is not None else "n/a (no cost)", ratio)
    refs["roi"] = cell(rr, 1)
    rr += 1
    ws.write_string(rr, 0, "Benefit-cost ratio (with wider benefits, PV)")
    book.formula(ws, rr, 1, f'=IF({refs["pv_cost"]}>0,({refs["pv_savings"]}+{refs["pv_wider"]})/{refs["pv_cost"]},"n/a (no cost)")',
                 msum["bcr"] if msum["bcr"] is not None else "n/a (no cost)", ratio)
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
    book.portfolio_metrics = {k: book.name("p", f"portfolio.{k}", f"{sheet}!{ref}") for k, ref in refs.items()}  # type: ignore[attr-defined]


# -- Summary -------------------------------------------------------------------------------------


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
    prices = f"{pr['price_base_year']} prices" if pr.get("reprice") else "prices as published"
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
        nid = re.sub(r"[^A-Za-z0-9_]", "_", iv.id)
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
            pg = _person_gross(data, ov.interventions[k])[i]
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
    rows.append(("Portfolio (less overlap)", book.portfolio_metrics, data.appraisal_summary["portfolio"]["metrics"]))  # type: ignore[attr-defined]
    for label, names, msum in rows:
        book.text(ws, r, 1, label)
        book.formula(ws, r, 3, f"={names['npv']}", msum["npv"], money)
        book.formula(ws, r, 4, f"={names['npv_asc']}", msum["npv_by_payer"]["asc"], money)
        book.formula(ws, r, 5, f"={names['npv_nhs']}", msum["npv_by_payer"]["nhs"], money)
        book.formula(ws, r, 6, f"={names['budget']}", msum["net_budget_impact"], money)
        book.formula(ws, r, 7, f"={names['roi']}", msum["roi"] if msum["roi"] is not None else "n/a (no cost)", book.fmt(num_format="0.00"))
        book.formula(ws, r, 8, f"={names['bcr']}", msum["bcr"] if msum["bcr"] is not None else "n/a (no cost)", book.fmt(num_format="0.00"))
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


def _person_gross(data: ReportData, iid: str) -> np.ndarray:
    iv = next(x for x in data.scenario.interventions if x.id == iid)
    v = data.values
    res = data.result.intervention(iid)
    out = np.zeros(2)
    for seg, sres in zip(iv.segments, res.segments):
        for o in seg.outcomes:
            rate = float(v[f"{iid}.{seg.id}.outcomes.{o.id}.rate"][0]) if o.rate is not None else 1.0
            out[PAYERS.index(o.payer)] += float(sres.beneficiaries[0]) * rate * float(v[f"{iid}.{seg.id}.outcomes.{o.id}.unit_saving"][0])
    return out


# -- Monte Carlo --------------------------------------------------------------------------------


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


# -- About ---------------------------------------------------------------------------------------


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
        "3. The monthly table on each model sheet is the appraisal: each month's scale is the area under the ramp-up line over that month; costs are raised and savings lowered by the optimism bias for the model's evidence level, savings multiplied by (1 - deadweight) x attribution; years are sums of months, discounted with the factors in Inputs.",
        "4. Cash flow adds the models and deducts the overlap between target groups: for each pair, share x the smaller group's people x the smaller gross saving per person, for the overlap's payer.",
        "5. Summary is the paper's table and the appraisal by model; Monte Carlo holds values from the draws (not formulas).",
        "Every formula cell also stores the figure carescale computed, so viewers that do not recalculate show the same numbers; Excel and LibreOffice recalculate when an input changes.",
        "Sheets: " + ", ".join(sheet_names),
    ]
    for i, line in enumerate(lines):
        ws.write_string(r, 0, line, book.fmt(bold=True) if i == 0 else wrap)
        r += 1
    from ..engine.summary import describe_change

    p = data.prices
    book.text(ws, r, 0, "Prices: " + (f"{p['price_base_year']} prices (re-priced with the {p.get('index')})" if p.get("reprice")
                                      else "as published (each figure in its source's price year; not re-priced)"))
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
