"""One sheet per model: the arithmetic from the area figure to the saving, then the appraisal.

The sheet is written top to bottom in blocks, each a function over the :class:`_ModelSheet`
they share (the running row and the cells later blocks refer to):

* :func:`_heading` - name, description, evidence, source, target group;
* :func:`_cost_block` - who it reaches and what it costs, by segment (beneficiaries as the
  engine sizes them: cohort x take-up, less people served today, times scale);
* :func:`_savings_block` - each saving a year at full scale: :func:`_person_savings` (people x
  outcome rate x saving per person) and :func:`_spend_savings` (spend line x cut x scale), each
  with its appraisal factor (optimism bias, deadweight, attribution);
* :func:`_payer_block` - running cost, gross and net saving by payer, steady and as appraised;
* :func:`_setup_block` - set-up tranches and investment, wider benefits;
* :func:`_timing_block` - when costs and savings start and how long the ramp-up takes;
* :func:`_appraisal_block` - the metrics (:func:`_metrics_block`), the yearly table
  (:func:`_year_rows`), the monthly table (:func:`_month_rows`) and the chart (:func:`_year_chart`).

Each formula's cached value is the engine's own figure: the steady-state run and the appraisal
from the evaluation, and the engine on the appraisal's adjusted values
(``Evaluation.appraisal_runs``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...engine.evaluate import full_cost_amount
from ...schema import PAYERS
from ...scenarios.evaluation import AppraisalRuns
from .book import _Book, _ModelCells, _outcome_additionality
from .cells import EPS, MONEY, cell, col_range, defined_name, model_id, quote_sheet


@dataclass
class _ModelSheet:
    """One model's sheet while it is written: what its blocks share."""

    book: _Book
    ws: Any
    iv: Any
    mc: _ModelCells
    fmt: dict[str, Any]  # big, bold, wrap, money, people
    r: int = 0  # the next row to write
    seg_rows: dict[str, int] = field(default_factory=dict)  # segment id -> its row in the cost block
    n_total: float = 0.0  # beneficiaries at full scale
    cost_name: str = ""  # defined name of the running cost a year
    sav_rows: tuple[int, int] = (0, 0)  # first, last row of the savings block
    rows: dict[str, int] = field(default_factory=dict)  # payer block: figure -> row
    full: dict[str, np.ndarray] = field(default_factory=dict)  # appraisal figures a year at full scale
    refs: dict[str, str | None] = field(default_factory=dict)  # cells of set-up, wider benefits, timing
    wider_adj: float = 0.0  # appraisal wider benefits a year
    full_cost_rows: dict[str, int] = field(default_factory=dict)  # full cost id -> its row in the cost block
    full_cost_values: dict[str, float] = field(default_factory=dict)  # full cost id -> a year at full scale

    @property
    def data(self):
        return self.book.data

    @property
    def iid(self) -> str:
        return self.iv.id

    @property
    def nid(self) -> str:
        return model_id(self.iv.id)

    @property
    def runs(self) -> AppraisalRuns:
        return self.book.runs

    @property
    def settings(self) -> Any:
        return self.data.appraisal.settings

    @property
    def steady(self) -> Any:
        return self.data.result.intervention(self.iv.id)

    def optimism_bias(self) -> tuple[float, float]:
        """(rise in costs, fall in savings) as the appraisal applied them."""
        return self.data.appraisal.interventions[self.iid].optimism_bias


def _model_sheet(book: _Book, ws: Any, iv: Any) -> None:
    mc = _ModelCells(sheet=quote_sheet(ws.get_name()))
    book.models[iv.id] = mc
    fmt = {"big": book.fmt(bold=True, font_size=14), "bold": book.fmt(bold=True),
           "wrap": book.fmt(text_wrap=True, valign="top"), "money": book.fmt(num_format=MONEY),
           "people": book.fmt(num_format="#,##0.0")}
    s = _ModelSheet(book, ws, iv, mc, fmt)
    ws.set_column(0, 0, 34)
    ws.set_column(1, 30, 14)
    _heading(s)
    _cost_block(s)
    _savings_block(s)
    _payer_block(s)
    _setup_block(s)
    _timing_block(s)
    _appraisal_block(s)


def _heading(s: _ModelSheet) -> None:
    book, ws, iv = s.book, s.ws, s.iv
    ws.write_string(0, 0, iv.name, s.fmt["big"])
    book.text(ws, 1, 0, iv.description, s.fmt["wrap"])
    ws.merge_range(1, 0, 1, 9, None)
    book.text(ws, 1, 0, iv.description, s.fmt["wrap"])
    ws.set_row(1, 60)
    book.text(ws, 2, 0, f"Evidence: Nesta level {iv.evidence_grade.level}. {iv.evidence_grade.reason}")
    if iv.source is not None:
        book.text(ws, 3, 0, f"Source site: {iv.source.site} ({iv.source.period})")
    book.text(ws, 4, 0, f"Target group: {iv.target_group}. Transformation area {iv.transformation_area}. "
              f"Basis: {s.data.scenario.basis}.")
    s.r = 6


def _cost_block(s: _ModelSheet) -> None:
    """Who it reaches (a year at full scale): beneficiaries and running cost by segment."""
    book, ws, iv, data, iid = s.book, s.ws, s.iv, s.data, s.iid
    v = data.values
    basis = data.scenario.basis
    people_f, money = s.fmt["people"], s.fmt["money"]
    r = s.r
    ws.write_string(r, 0, "Who it reaches (a year at full scale)", s.fmt["bold"])
    r += 1
    book.header(ws, r, ["Segment", "Sizing rule", "Cohort (area figure)", "Take-up rate", "People served today",
                        "Beneficiaries", "Cost per person a year", "Running cost a year"])
    r += 1
    seg_first = r
    scale = defined_name("set", f"{iid}.scale")
    steady = s.steady
    for seg, sres in zip(iv.segments, steady.segments):
        pre = f"{iid}.{seg.id}"
        n_val = float(sres.beneficiaries[0])
        s.seg_rows[seg.id] = r
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
    s.n_total = float(sum(float(x.beneficiaries[0]) for x in steady.segments))
    r = _full_cost_rows(s, r, col_range(5, seg_first, seg_last))
    book.text(ws, r, 0, "Total", s.fmt["bold"])
    cost_total = float(steady.cost[0].sum())
    book.formula(ws, r, 5, f"=SUM({col_range(5, seg_first, seg_last)})", s.n_total, book.fmt(num_format="#,##0.0", bold=True))
    book.formula(ws, r, 7, f"=SUM({col_range(7, seg_first, r - 1)})", cost_total, book.fmt(num_format=MONEY, bold=True))
    s.mc.n = book.name("m", f"{s.nid}.beneficiaries", f"{s.mc.sheet}!{cell(r, 5)}")
    s.cost_name = book.name("m", f"{s.nid}.cost", f"{s.mc.sheet}!{cell(r, 7)}")
    s.r = r + 2


def _full_cost_rows(s: _ModelSheet, r: int, people: str) -> int:
    """One row per full cost (the costs the source's own figures leave out): staff in post x a
    year of their cost, or people x cost per person. Returns the next free row."""
    book, ws, iv, data, iid = s.book, s.ws, s.iv, s.data, s.iid
    if data.scenario.method != "full":
        return r
    v = data.values
    money = s.fmt["money"]
    scale = defined_name("set", f"{iid}.scale")
    scale_v = data.scenario.scale_of(iid)
    lines = list(dict.fromkeys(red.spend_line for seg in iv.segments for red in seg.spend_reductions))
    for fc in iv.full_costs:
        pre = f"{iid}.full_costs.{fc.id}"
        unit = float(v[f"{pre}.unit_cost"][0])
        book.text(ws, r, 0, f"Full cost: {fc.role}")
        book.formula(ws, r, 6, "=" + defined_name("in", f"{pre}.unit_cost"), unit, money)
        if fc.staff is None:
            book.text(ws, r, 1, "cost per person supported")
            f, val = f"=SUM({people})*{cell(r, 6, False)}", s.n_total * unit
        else:
            staff, per = defined_name("in", f"{pre}.staff"), defined_name("in", f"{pre}.per")
            ratio = float(v[f"{pre}.staff"][0]) / float(v[f"{pre}.per"][0])
            if fc.per.unit == "people":
                book.text(ws, r, 1, "staff per person supported")
                f, val = f"=SUM({people})*{staff}/{per}*{cell(r, 6, False)}", s.n_total * ratio * unit
            else:
                book.text(ws, r, 1, "staff per pound of spend reduced")
                spend = "+".join(defined_name("in", f"area.spend.{ln}") for ln in lines) or "0"
                total = sum(float(v[f"area.spend.{ln}"][0]) for ln in lines)
                f, val = f"=({spend})*{scale}*{staff}/{per}*{cell(r, 6, False)}", total * scale_v * ratio * unit
        book.formula(ws, r, 7, f, val, money)
        s.full_cost_rows[fc.id], s.full_cost_values[fc.id] = r, val
        r += 1
    return r


def _netted_savings(s: _ModelSheet) -> None:
    """A saving row per netted full cost: the source's saving was net of it, so the gross adds
    the cost back (in the appraisal it moves with the cost, up by optimism bias)."""
    book, ws, iid = s.book, s.ws, s.iid
    money = s.fmt["money"]
    ob_cost = defined_name("set", f"{iid}.optimism_bias.costs")
    up = s.optimism_bias()[0]
    for fc in s.iv.full_costs:
        if not fc.netted or fc.id not in s.full_cost_rows:
            continue
        r, cr = s.r, s.full_cost_rows[fc.id]
        val = book_value = s.full_cost_values[fc.id]
        book.text(ws, r, 0, f"Full cost: {fc.role}")
        book.text(ws, r, 1, "the published saving is net of this cost: added back")
        book.text(ws, r, 2, fc.payer)
        book.formula(ws, r, 6, f"={cell(cr, 7, False)}", book_value, money)
        book.formula(ws, r, 7, f"=1+{ob_cost}", 1 + up)
        book.formula(ws, r, 8, f"={cell(r, 6, False)}*{cell(r, 7, False)}", val * (1 + up), money)
        ws.write_string(r, 9, "person")
        s.r += 1


def _savings_block(s: _ModelSheet) -> None:
    """What it saves (a year at full scale), each line with the appraisal's factor."""
    ws = s.ws
    ws.write_string(s.r, 0, "What it saves (a year at full scale; the appraisal adjusts each line for optimism bias and "
                    "additionality)", s.fmt["bold"])
    s.r += 1
    s.book.header(ws, s.r, ["Segment", "Outcome or cut in spend", "Payer", "Beneficiaries or spend line",
                            "Outcome rate or cut", "Saving per person", "Saving a year", "Appraisal factor",
                            "Saving a year in the appraisal", "Kind"])
    s.r += 1
    sav_first = s.r
    for seg, sres in zip(s.iv.segments, s.steady.segments):
        _person_savings(s, seg, sres)
        _spend_savings(s, seg)
    _netted_savings(s)
    s.sav_rows = (sav_first, max(s.r - 1, sav_first))
    s.r += 1


def _appraisal_factor(s: _ModelSheet, oid: str) -> tuple[float, str]:
    """The appraisal's factor on one saving line: (1 - optimism bias) x (1 - deadweight) x
    attribution, as a value and as a formula over the Inputs sheet."""
    iid = s.iid
    dw, at = _outcome_additionality(s.settings, iid, oid)
    down = s.optimism_bias()[1]
    ob_sav = defined_name("set", f"{iid}.optimism_bias.savings")
    f = (f"=(1-{ob_sav})*(1-{defined_name('set', f'{iid}.{oid}.deadweight')})*"
         f"{defined_name('set', f'{iid}.{oid}.attribution')}")
    return (1 - down) * (1 - dw) * at, f


def _person_savings(s: _ModelSheet, seg: Any, sres: Any) -> None:
    """One row per outcome for people: beneficiaries x outcome rate x saving per person."""
    book, ws, iid, v = s.book, s.ws, s.iid, s.data.values
    money = s.fmt["money"]
    pre = f"{iid}.{seg.id}"
    n_val = float(sres.beneficiaries[0])
    for o in seg.outcomes:
        r = s.r
        fac, fac_f = _appraisal_factor(s, o.id)
        book.text(ws, r, 0, seg.description)
        book.text(ws, r, 1, o.description)
        book.text(ws, r, 2, o.payer)
        book.formula(ws, r, 3, f"={cell(s.seg_rows[seg.id], 5)}", n_val, s.fmt["people"])
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
        book.formula(ws, r, 7, fac_f, fac)
        book.formula(ws, r, 8, f"={cell(r, 6, False)}*{cell(r, 7, False)}", saving * fac, money)
        ws.write_string(r, 9, "person")
        s.r += 1


def _spend_savings(s: _ModelSheet, seg: Any) -> None:
    """One row per cut in a spend line: spend x cut x scale."""
    book, ws, iid, v = s.book, s.ws, s.iid, s.data.values
    money = s.fmt["money"]
    pre = f"{iid}.{seg.id}"
    scale = defined_name("set", f"{iid}.scale")
    scale_v = s.data.scenario.scale_of(iid)
    for red in seg.spend_reductions:
        r = s.r
        fac, fac_f = _appraisal_factor(s, red.id)
        sp = f"area.spend.{red.spend_line}"
        rp = f"{pre}.spend_reductions.{red.id}.reduction"
        book.text(ws, r, 0, seg.description)
        book.text(ws, r, 1, red.description)
        book.text(ws, r, 2, red.payer)
        book.formula(ws, r, 3, "=" + defined_name("in", sp), float(v[sp][0]), money)
        book.formula(ws, r, 4, "=" + defined_name("in", rp), float(v[rp][0]))
        saving = float(v[sp][0]) * float(v[rp][0]) * scale_v
        book.formula(ws, r, 6, f"={cell(r, 3, False)}*{cell(r, 4, False)}*{scale}", saving, money)
        book.formula(ws, r, 7, fac_f, fac)
        book.formula(ws, r, 8, f"={cell(r, 6, False)}*{cell(r, 7, False)}", saving * fac, money)
        ws.write_string(r, 9, "spend")
        s.r += 1


def _payer_block(s: _ModelSheet) -> None:
    """By payer: running cost, gross and net saving a year, steady and as appraised."""
    book, ws, iv, iid, nid, data, mc = s.book, s.ws, s.iv, s.iid, s.nid, s.data, s.mc
    v = data.values
    money = s.fmt["money"]
    ws.write_string(s.r, 0, "By payer", s.fmt["bold"])
    s.r += 1
    book.header(ws, s.r, ["Figure", "ASC (council)", "NHS", "Total"])
    s.r += 1
    steady = s.steady
    gross = steady.gross[0, 0]
    cost_p = steady.cost[0, 0]
    person_gross = _person_gross(iv, steady, v, data.scenario)
    sav_first, sav_last = s.sav_rows
    G, C, I, J = (col_range(6, sav_first, sav_last), col_range(2, sav_first, sav_last),
                  col_range(8, sav_first, sav_last), col_range(9, sav_first, sav_last))
    rows = s.rows
    ob_cost = defined_name("set", f"{iid}.optimism_bias.costs")

    def payer_row(key: str, label: str, formulas: list[str], values: list[float], total: bool = True, f=money) -> None:
        rows[key] = s.r
        ws.write_string(s.r, 0, label)
        for i, (fo, va) in enumerate(zip(formulas, values)):
            book.formula(ws, s.r, 1 + i, fo, va, f)
        if total:
            book.formula(ws, s.r, 3, f"={cell(s.r, 1, False)}+{cell(s.r, 2, False)}", float(sum(values)), f)
        s.r += 1

    shares = [float(v[f"{iid}.cost_shares.{p}"][0]) if f"{iid}.cost_shares.{p}" in data.params else 0.0 for p in PAYERS]
    payer_row("share", "Share of running cost",
              [("=" + defined_name("in", f"{iid}.cost_shares.{p}")) if f"{iid}.cost_shares.{p}" in data.params else "=0"
               for p in PAYERS], shares, f=None)
    payer_row("cost", "Running cost a year", [f"={s.cost_name}*{cell(rows['share'], 1 + i)}" for i in range(2)],
              [float(x) for x in cost_p])
    payer_row("gross", "Gross saving a year", [f'=SUMIFS({G},{C},"{p}")' for p in PAYERS], [float(x) for x in gross])
    payer_row("net", "Net saving a year", [f"={cell(rows['gross'], 1 + i)}-{cell(rows['cost'], 1 + i)}" for i in range(2)],
              [float(gross[i] - cost_p[i]) for i in range(2)])
    payer_row("pgross", "of which from people's outcomes (used for overlaps)",
              [f'=SUMIFS({G},{C},"{p}",{J},"person")' for p in PAYERS], list(person_gross))
    # appraisal (adjusted) figures a year at full scale
    s.full = full = _full_year(s.runs, iv)
    payer_row("acost", "Appraisal: running cost a year at full scale",
              [f"={cell(rows['cost'], 1 + i)}*(1+{ob_cost})" for i in range(2)], list(full["cost"]))
    payer_row("agross", "Appraisal: gross saving a year at full scale",
              [f'=SUMIFS({I},{C},"{p}")' for p in PAYERS], list(full["gross"]))
    payer_row("apgross", "Appraisal: of which from people's outcomes",
              [f'=SUMIFS({I},{C},"{p}",{J},"person")' for p in PAYERS], list(full["pgross"]))
    for i, p in enumerate(PAYERS):
        mc.person_gross_adj[p] = f"{mc.sheet}!{cell(rows['apgross'], 1 + i)}"
        mc.person_gross[p] = f"{mc.sheet}!{cell(rows['pgross'], 1 + i)}"
        mc.steady[f"cost_{p}"] = book.name("m", f"{nid}.cost_{p}", f"{mc.sheet}!{cell(rows['cost'], 1 + i)}")
        mc.steady[f"gross_{p}"] = book.name("m", f"{nid}.gross_{p}", f"{mc.sheet}!{cell(rows['gross'], 1 + i)}")
        mc.steady[f"net_{p}"] = book.name("m", f"{nid}.net_{p}", f"{mc.sheet}!{cell(rows['net'], 1 + i)}")
    s.r += 1


def _setup_block(s: _ModelSheet) -> None:
    """Set-up tranches and investment (with optimism bias), and the wider benefits a year."""
    book, ws, iv, iid, nid, data, mc = s.book, s.ws, s.iv, s.iid, s.nid, s.data, s.mc
    money = s.fmt["money"]
    basis = data.scenario.basis
    up, down = s.optimism_bias()
    ob_cost = defined_name("set", f"{iid}.optimism_bias.costs")
    ob_sav = defined_name("set", f"{iid}.optimism_bias.savings")
    ws.write_string(s.r, 0, "Set-up and wider benefits", s.fmt["bold"])
    s.r += 1
    steady = s.steady
    setup_total = float(steady.setup_investment[0])
    setup_payer = iv.setup.payer if iv.setup else "asc"
    refs = s.refs
    if iv.setup is not None:
        per_n = defined_name("in", f"{iid}.setup.per")
        sc_n = defined_name("in", f"{iid}.setup.cost")
        per_v = float(data.values[f"{iid}.setup.per"][0])
        tranches = math.ceil(s.n_total / per_v - 1e-9) if basis == "potential" else 0
        ws.write_string(s.r, 0, "Set-up tranches (places / places per tranche, rounded up)")
        book.formula(ws, s.r, 1, f"=-INT(-({mc.n}/{per_n}-{EPS}))" if basis == "potential" else "=0", float(tranches))
        refs["tranches"] = cell(s.r, 1)
        s.r += 1
        ws.write_string(s.r, 0, f"Set-up investment ({setup_payer.upper()})")
        book.formula(ws, s.r, 1, f"={refs['tranches']}*{sc_n}", setup_total, money)
        refs["setup"] = cell(s.r, 1)
        s.r += 1
        ws.write_string(s.r, 0, "Appraisal: set-up investment with optimism bias")
        book.formula(ws, s.r, 1, f"={refs['setup']}*(1+{ob_cost})", setup_total * (1 + up), money)
        refs["asetup"] = cell(s.r, 1)
        s.r += 1
    else:
        refs["tranches"] = refs["asetup"] = refs["setup"] = None
        ws.write_string(s.r, 0, "No set-up investment in the evidence")
        s.r += 1
    mc.steady["setup"] = book.name("m", f"{nid}.setup", f"{mc.sheet}!{refs['setup']}") if refs["setup"] else "0"
    ws.write_string(s.r, 0, "Wider benefits a year (not cashable)")
    wb_terms = [f"{mc.n}*{defined_name('in', f'{iid}.wider_benefits.{wb.id}')}" for wb in iv.wider_benefits]
    wider_v = float(steady.wider_benefits[0].sum())
    book.formula(ws, s.r, 1, "=" + ("+".join(wb_terms) if wb_terms else "0"), wider_v, money)
    wider_ref = cell(s.r, 1)
    mc.steady["wider"] = book.name("m", f"{nid}.wider", f"{mc.sheet}!{wider_ref}")
    s.r += 1
    dw_w, at_w = _outcome_additionality(s.settings, iid, None)
    ws.write_string(s.r, 0, "Appraisal: wider benefits a year")
    s.wider_adj = wider_v * (1 - down) * (1 - dw_w) * at_w
    book.formula(ws, s.r, 1, f"={wider_ref}*(1-{ob_sav})*(1-{defined_name('set', f'{iid}.deadweight')})*"
                 f"{defined_name('set', f'{iid}.attribution')}", s.wider_adj, money)
    refs["awider"] = cell(s.r, 1)
    s.r += 1


def _timing_block(s: _ModelSheet) -> None:
    """When costs and savings start, and the months to full scale (the ramp-up line)."""
    book, ws, iv, iid = s.book, s.ws, s.iv, s.iid
    runs = s.runs
    first, ramp = runs.cost_timeline.months(iv, runs.values)
    ws.write_string(s.r, 0, "Month the ramp-up starts (costs)")
    book.formula(ws, s.r, 1, "=" + defined_name("set", f"{iid}.months_to_first_beneficiary"), float(first.ravel()[0]))
    s.refs["start_costs"] = cell(s.r, 1)
    s.r += 1
    ws.write_string(s.r, 0, "Month savings start (plus lag)")
    lag_v = dict(runs.savings_timeline.lag).get(iid, 0.0)
    book.formula(ws, s.r, 1, f"={s.refs['start_costs']}+{defined_name('set', f'{iid}.lag_months')}",
                 float(first.ravel()[0]) + lag_v)
    s.refs["start_savings"] = cell(s.r, 1)
    s.r += 1
    ws.write_string(s.r, 0, "Months to full scale (a line; under 1E-9 is a step)")
    rv = float(ramp.ravel()[0])
    nm_full = defined_name("set", f"{iid}.months_to_full_scale")
    book.formula(ws, s.r, 1, f"=IF({nm_full}<{EPS},0,{nm_full})", rv if rv >= 1e-9 else 0.0)
    s.refs["ramp"] = cell(s.r, 1)
    s.r += 2


#: the monthly table's columns on a model sheet
MONTH_COLUMNS = ["Month", "Year", "Cost scale", "Savings scale", "People (cost timeline)", "People (savings timeline)",
                 "Running cost ASC", "Running cost NHS", "Set-up ASC", "Set-up NHS", "Gross saving ASC",
                 "Gross saving NHS", "Wider benefits", "Net", "Cumulative net", "Not yet in profit (month)",
                 "Discounted net", "Discounted cumulative", "Not yet in profit, discounted", "Tranches bought"]
#: the yearly table's columns on a model sheet (:func:`_metrics_block` reads them by position)
YEAR_COLUMNS = ["Year", "Running cost ASC", "Running cost NHS", "Set-up ASC", "Set-up NHS", "Gross saving ASC",
                "Gross saving NHS", "Net ASC", "Net NHS", "Net", "Cumulative net", "Discount factor", "Discounted net",
                "Wider benefits"]


def _appraisal_block(s: _ModelSheet) -> None:
    """The appraisal over the years: metrics and yearly table first (they are what people
    read), the monthly table below; then the chart."""
    book, ws, iv, data, mc = s.book, s.ws, s.iv, s.data, s.mc
    Y = data.appraisal.years
    T = Y * 12
    flows = data.appraisal.interventions[s.iid]
    met_r = s.r
    ws.write_string(s.r, 0, f"Appraisal over {Y} years (formulas over the monthly table below)", s.fmt["bold"])
    metric_rows = s.r + 1
    r = metric_rows + 12  # room for the metrics
    ws.write_string(r, 0, "By appraisal year", s.fmt["bold"])
    r += 1
    book.header(ws, r, YEAR_COLUMNS)
    year_first = r + 1
    month_first = year_first + Y + 3
    month_last = month_first + T - 1
    col = {k: i for i, k in enumerate(MONTH_COLUMNS)}
    mc.month_rows = (month_first, month_last)
    mc.month_cols = col
    ysum = next(i for i in data.appraisal_summary["interventions"] if i["id"] == s.iid)
    _year_rows(s, flows, ysum, year_first, month_first, month_last, col)
    year_last = year_first + Y - 1
    _month_rows(s, flows, month_first, col)
    _metrics_block(book, ws, metric_rows, year_first, year_last, month_first, month_last, col,
                   flows.metrics, ysum["metrics"], f"m_{s.nid}", mc, with_overlap=False)
    _year_chart(book, ws, ws.get_name(), year_first, year_last, 10, f"{iv.name}: cumulative net saving by year",
                insert=cell(met_r, 5, False))


def _year_rows(s: _ModelSheet, flows: Any, ysum: dict, year_first: int, month_first: int, month_last: int,
               col: dict[str, int]) -> None:
    """One row per appraisal year: sums of the monthly table, net, cumulative, discounted."""
    book, ws = s.book, s.ws
    money = s.fmt["money"]
    for y in range(s.data.appraisal.years):
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


def _ramp_area(x: str, rcell: str) -> str:
    """The area under the ramp-up line (0 before the start, rising to 1 over ``rcell`` months)
    up to ``x`` months after the start."""
    return f"IF({x}<=0,0,IF({x}<={rcell},({x})^2/(2*{rcell}),{x}-{rcell}/2))"


def _month_rows(s: _ModelSheet, flows: Any, month_first: int, col: dict[str, int]) -> None:
    """The monthly table: each month's scale is the area under the ramp-up line over that month."""
    book, ws, iv, iid, data, mc = s.book, s.ws, s.iv, s.iid, s.data, s.mc
    v = data.values
    money, people_f = s.fmt["money"], s.fmt["people"]
    basis = data.scenario.basis
    runs = s.runs
    rows, refs = s.rows, s.refs
    T = data.appraisal.years * 12
    mon = flows.monthly
    people_c = np.asarray(runs.costs.intervention(iid).beneficiaries[0], dtype=float)
    people_s = np.asarray(runs.savings.intervention(iid).beneficiaries[0], dtype=float)
    sc_c = runs.cost_timeline.scale(iv, runs.values)[0]
    sc_s = runs.savings_timeline.scale(iv, runs.values)[0]
    net_m = mon.net[0].sum(axis=1)
    cum = np.cumsum(net_m)
    mfac = np.repeat(flows.factors, 12)
    dcum = np.cumsum(net_m * mfac)
    ws.write_string(month_first - 2, 0, "By month (each month's scale is the area under the ramp-up line over that month)",
                    s.fmt["bold"])
    book.header(ws, month_first - 1, MONTH_COLUMNS)
    setup_cells = {"asc": "Set-up ASC", "nhs": "Set-up NHS"}
    setup_payer = iv.setup.payer if iv.setup else "asc"
    start_c, start_s, ramp = refs["start_costs"], refs["start_savings"], refs["ramp"]
    tr_ref, asetup_ref = refs["tranches"], refs["asetup"]
    drop = defined_name("set", f"{iid}.drop_off")
    timing = defined_name("set", "setup_timing")
    bought_prev = 0.0
    n_tr = math.ceil(s.n_total / float(v[f"{iid}.setup.per"][0]) - 1e-9) if (iv.setup is not None and basis == "potential") else 0
    for m in range(T):
        rr = month_first + m
        A = cell(rr, 0, False)
        ws.write_number(rr, 0, m + 1)
        ws.write_number(rr, 1, m // 12 + 1)
        xc1, xc0 = f"({A}-{start_c})", f"({A}-1-{start_c})"
        book.formula(ws, rr, col["Cost scale"], f"={_ramp_area(xc1, ramp)}-{_ramp_area(xc0, ramp)}", float(sc_c[m]),
                     book.fmt(num_format="0.0000"))
        dur = defined_name("set", f"{iid}.duration_years")  # the effect ends 12 x duration months after it starts
        xs1, xs0 = f"MIN({A}-{start_s},12*{dur})", f"MIN({A}-1-{start_s},12*{dur})"
        book.formula(ws, rr, col["Savings scale"],
                     f"=({_ramp_area(xs1, ramp)}-{_ramp_area(xs0, ramp)})*(1-{drop})^INT(MAX({A}-1-{start_s},0)/12)",
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
        book.formula(ws, rr, col["Wider benefits"], f"={refs['awider']}*{Ss}/12", float(s.wider_adj * sc_s[m] / 12), money)
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


def _person_gross(iv: Any, res: Any, values: dict[str, np.ndarray], scenario: Any = None) -> np.ndarray:
    """A model's gross saving a year from people's outcomes, by payer (the part overlaps count),
    with the netted full costs added back as the engine does."""
    out = np.zeros(2)
    if scenario is not None and scenario.method == "full":
        n = np.asarray([sum(float(x.beneficiaries[0]) for x in res.segments)])
        share = np.asarray([float(np.ravel(values.get(f"{iv.id}.scale", [scenario.scale_of(iv.id)]))[0])])
        v1 = {k: np.asarray(a)[:1] for k, a in values.items()}
        for fc in iv.full_costs:
            if fc.netted:
                out[PAYERS.index(fc.payer)] += float(full_cost_amount(iv, fc, v1, n, share, 1)[0])
    for seg, sres in zip(iv.segments, res.segments):
        for o in seg.outcomes:
            rate = float(values[f"{iv.id}.{seg.id}.outcomes.{o.id}.rate"][0]) if o.rate is not None else 1.0
            out[PAYERS.index(o.payer)] += (float(sres.beneficiaries[0]) * rate
                                           * float(values[f"{iv.id}.{seg.id}.outcomes.{o.id}.unit_saving"][0]))
    return out


def _full_year(runs: AppraisalRuns, iv: Any) -> dict[str, np.ndarray]:
    """The appraisal's adjusted figures a year at full scale (the engine on adjusted values)."""
    res = runs.full_year.intervention(iv.id)
    return {"cost": res.cost[0, 0].astype(float), "gross": res.gross[0, 0].astype(float),
            "pgross": _person_gross(iv, res, runs.values, runs.full_year.scenario)}


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
    book.formula(ws, rr, 1, f'=IF({refs["pv_cost"]}>0,{refs["pv_savings"]}/{refs["pv_cost"]},"no cost evidence")',
                 roi if roi is not None else "no cost evidence", ratio)
    refs["roi"] = cell(rr, 1)
    rr += 1
    ws.write_string(rr, 0, "Benefit-cost ratio (with wider benefits, PV)")
    book.formula(ws, rr, 1, f'=IF({refs["pv_cost"]}>0,({refs["pv_savings"]}+{refs["pv_wider"]})/{refs["pv_cost"]},"no cost evidence")',
                 bcr if bcr is not None else "no cost evidence", ratio)
    refs["bcr"] = cell(rr, 1)
    rr += 1
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
