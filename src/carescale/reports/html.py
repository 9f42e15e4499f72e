"""The business case as HTML (Jinja2, autoescaped) and as a tagged PDF (WeasyPrint).

:func:`context` gathers what the template shows from a :class:`ReportData` (no arithmetic of
its own beyond picking and wording the engine's figures); :func:`html_text` renders
``templates/business_case.html.j2``; :func:`pdf_bytes` renders that HTML with WeasyPrint as
PDF/UA-1 (tagged: headings, tables, figures with their alt text; document language and title),
with a URL fetcher that refuses every network or file URL (charts are inline data: SVG in the
HTML; JPEG at print resolution in the PDF, which WeasyPrint places as it is instead of drawing,
handed to it by name).
jinja2, matplotlib and weasyprint are imported inside the functions.
"""

from __future__ import annotations

import base64
import functools
import logging
import math
import re
import threading
import zlib
from html import unescape
from pathlib import Path
from typing import Any, Mapping

from ..appraisal.bridge import bridge_table
from ..collector import paused
from ..appraisal.settings import appraisal_defaults
from ..schema import PAYERS
from . import charts
from .data import ReportData, transformation_areas
from .numbers import figure, headcount, money, pence, people, pounds

TEMPLATES = Path(__file__).parent / "templates"


def data_uri(image: str | bytes) -> str:
    """An inline chart: SVG text, or JPEG or PNG bytes (the PDF's raster charts)."""
    if isinstance(image, bytes):
        kind = "jpeg" if image[:2] == b"\xff\xd8" else "png"
        return f"data:image/{kind};base64," + base64.b64encode(image).decode("ascii")
    return "data:image/svg+xml;base64," + base64.b64encode(image.encode("utf-8")).decode("ascii")


def _documents(data: ReportData) -> dict[str, Any]:
    return data.documents


#: how the PDF's HTML names a raster chart (``carescale-chart:1``, ...): the image itself is
#: handed to WeasyPrint by :func:`write_pdf`'s URL fetcher, not written into the HTML (1.6 MB
#: of base64 that WeasyPrint's HTML parser read character by character and urllib decoded again)
CHART_SCHEME = "carescale-chart"


def _chart_src(pair: tuple[str | bytes, str], images: dict[str, bytes] | None = None) -> dict[str, str]:
    """A chart for the template: inline (``data:``), or, with ``images`` (the PDF's raster
    charts), a ``carescale-chart:`` name whose bytes go into ``images``."""
    image, alt = pair
    if images is not None and isinstance(image, bytes):
        name = f"{CHART_SCHEME}:{len(images) + 1}"
        images[name] = image
        return {"src": name, "alt": alt}
    return {"src": data_uri(image), "alt": alt}


def _arithmetic(data: ReportData, iv: Any) -> list[str]:
    """The steps from the area figure to the saving, in words, with the engine's figures."""
    v = data.values
    res = data.result.intervention(iv.id)
    basis = data.scenario.basis
    area = data.area_name
    lines: list[str] = []
    segment_costs = 0.0
    for seg, sres in zip(iv.segments, res.segments):
        pre = f"{iv.id}.{seg.id}"
        n = float(sres.beneficiaries[0])
        who = seg.description
        if seg.sizing.basis == "none":
            lines.append(f"{who}: savings come from cuts in spend, not from a number of people.")
        elif basis == "current":
            lines.append(f"{who}: {headcount(n)} served today in {area} (current basis).")
        else:
            coh = float(v[f"area.cohorts.{seg.sizing.cohort}"][0])
            rate = float(v[f"{pre}.sizing.rate"][0])
            text = f"{who}: {people(coh)} ({seg.sizing.cohort.replace('_', ' ')} in {area}) × take-up {figure(rate, 'proportion')}"
            if seg.sizing.basis == "additional_to_existing":
                prov = float(v.get(f"area.provision.{iv.id}.{seg.id}", [0.0])[0])
                text += f", less {people(prov)} already served,"
            lines.append(f"{text} = {headcount(n)} a year.")
        if seg.unit_cost is not None:
            uc = float(v[f"{pre}.unit_cost"][0])
            segment_costs += n * uc
            lines.append(f"Running cost: {people(n)} × {figure(uc, 'GBP')} a person = {pounds(n * uc)} a year.")
        for o in seg.outcomes:
            rate = float(v[f"{pre}.outcomes.{o.id}.rate"][0]) if o.rate is not None else 1.0
            us = float(v[f"{pre}.outcomes.{o.id}.unit_saving"][0])
            share = f" × {figure(rate, 'proportion')} who {o.description[0].lower() + o.description[1:]}" if o.rate is not None \
                else f" ({o.description[0].lower() + o.description[1:]})"
            lines.append(f"Saving: {people(n)}{share} × {figure(us, 'GBP')} = {pounds(n * rate * us)} a year to the "
                         f"{'council' if o.payer == 'asc' else 'NHS'}.")
        for red in seg.spend_reductions:
            sp = float(v[f"area.spend.{red.spend_line}"][0])
            cut = float(v[f"{pre}.spend_reductions.{red.id}.reduction"][0])
            lines.append(f"Saving: {pounds(sp)} {red.spend_line.replace('_', ' ')} spend × {figure(cut, 'proportion')} "
                         f"({red.description[0].lower() + red.description[1:]}) = {pounds(sp * cut)} a year to the "
                         f"{'council' if red.payer == 'asc' else 'NHS'}.")
    item = next(i for i in data.run["interventions"] if i["id"] == iv.id)
    full = item["cost"] - segment_costs  # the full costs the source's own figures leave out (issue 21)
    if full >= 0.5 and iv.full_costs:
        netted = any(fc.netted for fc in iv.full_costs)
        lines.append(f"Full costs the evidence leaves out ({', '.join(fc.role for fc in iv.full_costs)}): {pounds(full)} "
                     f"a year{' (its savings were net of them, so they are counted gross)' if netted else ''}.")
    shares = ", ".join(f"{p.upper()} {figure(float(v[f'{iv.id}.cost_shares.{p}'][0]), 'proportion')}"
                       for p in PAYERS if f"{iv.id}.cost_shares.{p}" in data.params
                       and float(v[f"{iv.id}.cost_shares.{p}"][0]) > 0)
    if item["cost"] > 0 and shares:
        lines.append(f"The running cost is shared: {shares}.")
    lines.append(f"Net saving a year at full scale: council {pounds(item['net_savings']['asc'])}, NHS "
                 f"{pounds(item['net_savings']['nhs'])}.")
    if item["setup_investment"]:
        lines.append(f"Set-up investment: {pounds(item['setup_investment'])} (one-off).")
    return lines


def _target_condition(target: str) -> str:
    """``"X pays back within ... together if at least 2% ..."`` -> ``"if at least 2% ..."``: the
    page says once what paying back means; each bullet gives the condition."""
    head, sep, rest = target.partition(" for the council and the NHS together ")
    return rest if sep and rest else target


def context(data: ReportData, raster: bool = False) -> dict[str, Any]:
    """What the template shows; ``raster``: the charts as images at print resolution (the PDF)."""
    run, app, unc = data.run, data.appraisal_summary, data.uncertainty
    docs = _documents(data)
    areas = transformation_areas()
    ivs = {iv.id: iv for iv in data.scenario.interventions}
    app_items = {i["id"]: i for i in app["interventions"]}
    unc_items = {i["id"]: i for i in (unc or {}).get("interventions", [])}
    tornados = data.tornados
    images: dict[str, bytes] = {}  # the raster charts by name (the PDF's HTML refers to them)
    _chart = functools.partial(_chart_src, images=images if raster else None)
    models = []
    for k, item in enumerate(run["interventions"], 1):
        iv = ivs[item["id"]]
        ap = app_items[iv.id]
        years = [y["year"] for y in ap["years"]]
        cf = _chart(charts.cash_flow(f"{iv.name}: cash flow", years, [y["net"] for y in ap["years"]],
                                     [y["cumulative_net"] for y in ap["years"]], ap["metrics"]["break_even_month"], raster=raster))
        u = unc_items.get(iv.id)
        hist = tor = None
        targets: list[str] = []
        if u is not None:
            ns = u["net_savings"]
            hist = _chart(charts.histogram(f"{iv.name}: net saving a year, {unc['draws']:,} draws", u["histogram"]["edges"],
                                           u["histogram"]["counts"], ns["p05"], ns["p50"], ns["p95"], u["prob_saving"], raster=raster))
            rows = tornados.get(iv.id) or []
            if rows:
                tor = _chart(charts.tornado(f"{iv.name}: what moves the net saving most", rows,
                                            u["deterministic"]["total"], raster=raster))
            for sv in u.get("npv_switching_values") or u.get("switching_values") or []:
                if sv["perspective"] == "total" and sv.get("target"):
                    targets.append(_target_condition(sv["target"]))
        models.append({
            "n": k, "iv": iv, "item": item, "appraisal": ap, "area_text": areas.get(iv.transformation_area, ""),
            "arithmetic": _arithmetic(data, iv), "cash_chart": cf, "hist_chart": hist, "tornado_chart": tor,
            "uncertainty": u, "targets": targets,
            "source_doc": docs.get(iv.source.ref.document) if iv.source else None,
            "evidence_doc": docs.get(iv.evidence_ref.document),
        })
    port = app["portfolio"]
    names = [i["name"] for i in run["interventions"]]
    payer_chart = _chart(charts.net_by_payer(names, [i["net_savings"]["asc"] for i in run["interventions"]],
                                             [i["net_savings"]["nhs"] for i in run["interventions"]], raster=raster))
    port_chart = _chart(charts.cash_flow("All models together (less overlap): cash flow", [y["year"] for y in port["years"]],
                                         [y["net"] for y in port["years"]], [y["cumulative_net"] for y in port["years"]],
                                         port["metrics"]["break_even_month"], raster=raster))
    port_hist = None
    if unc is not None:
        pu = unc["portfolio"]
        port_hist = _chart(charts.histogram(f"All models: net saving a year, {unc['draws']:,} draws", pu["histogram"]["edges"],
                                            pu["histogram"]["counts"], pu["net_savings"]["p05"], pu["net_savings"]["p50"],
                                            pu["net_savings"]["p95"], pu["prob_saving"], raster=raster))
    # references: every document behind a figure, a model or its evidence
    used: dict[str, set[str]] = {}
    for p in data.params:
        used.setdefault(p.quantity.ref.document, set()).add(p.quantity.ref.section)
    for iv in data.scenario.interventions:
        used.setdefault(iv.evidence_ref.document, set()).add(iv.evidence_ref.section)
        if iv.source:
            used.setdefault(iv.source.ref.document, set()).add(iv.source.ref.section)
    for ov in data.scenario.overlaps:
        used.setdefault(ov.share.ref.document, set()).add(ov.share.ref.section)
    d = appraisal_defaults()
    method = (app.get("settings") or {}).get("optimism_bias_method") or "nesta-levels"
    ob_ref = {"green-book": d.optimism_bias_methods.green_book[d.optimism_bias_methods.green_book_category].costs.ref,
              "gmca": d.optimism_bias_methods.gmca[d.optimism_bias_methods.gmca_grade].correction.ref,
              }.get(method, d.optimism_bias[min(d.optimism_bias)].costs.ref)
    for ref in (d.discounting[0].rate.ref, ob_ref, d.additionality.deadweight.ref):
        if ref.document in docs:  # the appraisal method's sources (Green Book, local CBA guidance)
            used.setdefault(ref.document, set()).add(ref.section)
    references = [{"id": d, "doc": docs.get(d), "sections": sorted(s)} for d, s in sorted(used.items())]
    overlaps = []
    for o, ov in zip(run["overlaps"], data.scenario.overlaps):
        a, b = (ivs[x].name for x in ov.interventions)
        overlaps.append({"o": o, "a": a, "b": b, "share": float(data.values[f"overlaps.{ov.id}.share"][0])})
    ded = run["totals"]["overlap_deduction"]
    s = app["settings"]
    ob_table = {lvl: (v.costs.value, v.benefits.value) for lvl, v in appraisal_defaults().optimism_bias.items()}
    from ..appraisal.settings import describe_optimism_bias

    ob_text = describe_optimism_bias(s.get("optimism_bias_method"), s["optimism_bias"])
    from ..appraisal.value import fiscal_sentence, outcome_sentences, value_table

    value = data.evaluation.value()
    bridge = bridge_table(data.bridge)
    steps = by_step(bridge)
    return {
        "title": f"Business case: scaling up what works in {data.area_name}",
        "area": data.area_name, "basis": data.scenario.basis, "run": run, "app": app, "unc": unc,
        "models": models, "overlaps": overlaps, "deduction": ded, "areas": areas, "ob_text": ob_text,
        "options": data.evaluation.options(), "cash": data.evaluation.cash_view(),
        "payer_chart": payer_chart, "port_chart": port_chart, "port_hist": port_hist, "portfolio": port,
        "changes": data.changes, "baseline": data.baseline, "note": data.note, "settings": s, "ob_table": ob_table, "prices": data.prices,
        "scenario_id": data.doc.scenario_id, "bridge": bridge, "bridge_fixed": _bridge_fits(bridge),
        "print_widths": {k: v[3] for k, v in PRINT_WIDTHS.items()},
        "bridge_steps": steps, "step_methods": step_methods(steps),
        "value_rows": value_table(value), "value_outcomes": outcome_sentences(value),
        "value_sentence": fiscal_sentence(value, pounds),
        "references": references, "not_modelled": run.get("not_modelled", []),
        "used_areas": sorted({iv.transformation_area for iv in data.scenario.interventions}),
        "history": history_view(data.history),
        "images": images,
    }


#: The longest figure (bold, in pounds and pence) the bridge's set column widths in the PDF hold:
#: "£999,999,999.99" or "-£99,999,999.99". A longer one (a row of a billion pounds or more, or a
#: loss of £100m or more) gets the table's automatic layout instead, which measures every cell.
BRIDGE_FIXED_CHARS = 15


def _bridge_fits(rows: list[dict[str, Any]]) -> bool:
    """Whether every money figure of the bridge fits the PDF's set column widths."""
    return all(len(pence(r[k])) <= BRIDGE_FIXED_CHARS for r in rows for k in ("asc", "nhs", "total"))


#: Tables the PDF lays out with set column widths (``table-layout: fixed``, print only) instead of
#: the automatic layout, which measures every word of every cell first (issue 25): by id, the page's
#: content width in CSS pixels (A4 less the margins: landscape for the summary), the cells' font
#: size and left plus right padding in pixels, and each column's share of the width in per cent
#: (the automatic layout's for Birmingham, the summary's and the value table's cost column widened). A table keeps them
#: only while every figure (``class="num"``, never wrapped) fits its column (:func:`_fits_columns`).
PRINT_WIDTHS: dict[str, tuple[float, float, float, tuple[float, ...]]] = {
    "summary-table": (1031.8, 8 * 4 / 3, 2 * 1.2 * 96 / 25.4, (3.6, 11.6, 11.2, 8.4, 16.9, 21.7, 6.8, 9.8, 10.0)),
    "cash-flow-table": (695.4, 7.8 * 4 / 3, 2 * 1.4 * 96 / 25.4, (5.3, 7.2, 12.7, 13.4, 12.3, 11.1, 8.7, 14.6, 14.7)),
    "value-table": (695.4, 7.8 * 4 / 3, 2 * 1.4 * 96 / 25.4, (35.5, 7.3, 14.9, 18.7, 11.6, 12.0)),
    "options-table": (695.4, 7.8 * 4 / 3, 2 * 1.4 * 96 / 25.4, (29.1, 13.7, 13.7, 13.7, 9.7, 20.1)),
    "cash-budget-table": (695.4, 7.8 * 4 / 3, 2 * 1.4 * 96 / 25.4, (9.4, 7.9, 8.2, 17.2, 21.4, 13.7, 14.1, 8.1)),
}

#: advance widths (in ems) of DejaVu Sans Bold, the widest face a figure is set in, for the
#: characters of carescale's figures; any other character counts as a full em
_BOLD_EMS = {**dict.fromkeys("0123456789£$", 0.696), ",": 0.38, ".": 0.38, "-": 0.415, "–": 0.5, " ": 0.348,
             "m": 1.042, "k": 0.665, "b": 0.716, "n": 0.712, "/": 0.365, "a": 0.675, "%": 1.002, "(": 0.457, ")": 0.457}
_CELL = re.compile(r"<(td|th)\b([^>]*)>(.*?)</\1>", re.S)


def _fits_columns(table: str, page_px: float, font_px: float, pad_px: float, shares: tuple[float, ...]) -> bool:
    """Whether every figure in the body of a table's HTML (a ``class="num"`` cell, never wrapped)
    fits the column it is in at the set widths, measured in DejaVu Sans Bold with a pixel to spare
    (the headings are the template's own words, which the widths were chosen to hold)."""
    for row in table[table.find("<tbody"):].split("<tr")[1:]:
        col = 0
        for _tag, attrs, text in _CELL.findall(row):
            span = int(m.group(1)) if (m := re.search(r'colspan="(\d+)"', attrs)) else 1
            if 'class="num"' in attrs and col < len(shares):
                room = sum(shares[col:col + span]) / 100 * page_px - pad_px - 1
                width = sum(_BOLD_EMS.get(c, 1.0) for c in unescape(re.sub(r"<[^>]*>", "", text)).strip()) * font_px
                if width > room:
                    return False
            col += span
    return True


def _set_widths(page: str) -> str:
    """The HTML with ``fixed`` added to the class of each table of :data:`PRINT_WIDTHS` whose
    figures fit (the print style sheet gives those their widths)."""
    for table_id, spec in PRINT_WIDTHS.items():
        m = re.search(rf'<table class="([^"]*)" id="{table_id}">', page)
        if m is None:
            continue
        end = page.find("</table>", m.end())
        if _fits_columns(page[m.end():end], *spec):
            page = page[:m.start(1)] + m.group(1) + " fixed" + page[m.end(1):]
    return page


def by_step(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The bridge's rows (:func:`bridge_table`) in runs of one step each, as the business case
    shows them: the step's label once, then its rows (a step's models, or the subtotal). Items:
    ``{"label", "subtotal", "rows"}``."""
    groups: list[dict[str, Any]] = []
    for r in rows:
        subtotal = r["kind"] == "subtotal"
        g = groups[-1] if groups else None
        if g is None or (g["step"], g["label"], g["subtotal"]) != (r["step"], r["label"], subtotal):
            groups.append(g := {"step": r["step"], "label": r["label"], "subtotal": subtotal, "rows": []})
        g["rows"].append(r)
    return groups


def step_methods(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """"How each step is worked out" from :func:`by_step`: each way of working a step out once,
    with every model it applies to, in the bridge's order (the same words and figures as one table
    row per step and model, which repeated the step and most ways up to ten times over four pages
    of the PDF: issue 25). A subtotal's way is "Equals the" its headline. Items:
    ``{"label", "subtotal", "methods": [{"models": [names], "text"}]}``."""
    out = []
    for g in groups:
        by_text: dict[str, list[str]] = {}
        for r in g["rows"]:
            models = by_text.setdefault(f"Equals the {r['source']}" if g["subtotal"] else r["source"], [])
            if r["model_name"]:
                models.append(r["model_name"])
        out.append({"label": g["label"], "subtotal": g["subtotal"],
                    "methods": [{"models": models, "text": text} for text, models in by_text.items()]})
    return out


def history_view(history: dict[str, Any] | None) -> dict[str, Any] | None:
    """A plan's review history as the report's table shows it (reports/history.py)."""
    from .history import history_table

    return None if history is None else history_table(history)


@functools.lru_cache(maxsize=1)
def _env():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,  # every value is HTML-escaped: user text never becomes markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(money=money, pounds=pounds, pence=pence, people=people, headcount=headcount, figure=figure,
                       pct=lambda x: "n/a" if x is None else f"{float(x):.0%}",
                       ratio=lambda x: "no cost evidence" if x is None or not math.isfinite(float(x)) else f"£{float(x):,.2f}")
    return env


def html_text(data: ReportData, raster: bool = False) -> str:
    """The business case as HTML, kept on ``data``: with vector SVG charts inline (the HTML
    report), or with ``raster`` what the PDF lays out: raster charts named ``carescale-chart:N``,
    their bytes kept beside it (:func:`pdf_images`)."""
    slot = "html-raster" if raster else "html"
    cached = data.cache.get(slot)
    if cached is None:
        ctx = context(data, raster)
        cached = data.cache[slot] = _set_widths(_env().get_template("business_case.html.j2").render(**ctx))
        if raster:
            data.cache["pdf-images"] = ctx["images"]
    return cached


def pdf_images(data: ReportData) -> dict[str, bytes]:
    """The raster charts the PDF's HTML (``html_text(data, raster=True)``) names."""
    html_text(data, raster=True)
    return data.cache["pdf-images"]


def write_pdf(html: str, identifier: bytes, images: Mapping[str, bytes] | None = None) -> bytes:
    """HTML as a tagged PDF (PDF/UA-1) by WeasyPrint, fetching nothing from the network or the
    disk: ``data:`` URLs and the ``images`` given by name (the charts, :data:`CHART_SCHEME`);
    every PDF carescale makes goes through here.

    Two things cost time without changing a byte of the file (issue 25): Python's cyclic garbage
    collector is paused while WeasyPrint builds and writes the document (the boxes and styles it
    makes set off full collections, each walking every object of the process: 14% of a business
    case's time; what it leaves is collected in one young-generation pass at the end), and each
    compressed stream is compressed once (:func:`_compress_once`), not again for the file
    identifier's checksum. The document's styles are let go of as soon as the file is written
    (:func:`_render_and_release`), so that reference counting frees them instead of that young
    collection walking them."""
    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    with paused(collect_young=True):
        return _render_and_release(HTML(string=html, url_fetcher=_fetcher(images or {}), base_url=None),
                                   pdf_variant="pdf/ua-1", pdf_identifier=identifier, finisher=_compress_once)


_LAYOUT = threading.local()  # the layout context of the document this thread is rendering


@functools.lru_cache(maxsize=1)
def _releasing_document() -> type | None:
    """WeasyPrint's ``Document`` with its layout context kept aside for :func:`_render_and_release`,
    or None where WeasyPrint's private rendering steps are not the ones this was written for (then
    the PDF is written the plain way)."""
    import inspect

    from weasyprint.document import Document

    steps = {name: list(inspect.signature(getattr(Document, name)).parameters) for name in
             ("_render", "_build_layout_context")}
    if steps != {"_render": ["html", "font_config", "counter_style", "color_profiles", "options"],
                 "_build_layout_context": ["html", "font_config", "counter_style", "color_profiles", "options"]}:
        return None

    class ReleasingDocument(Document):
        @classmethod
        def _build_layout_context(cls, *args: Any) -> Any:
            _LAYOUT.context = context = super()._build_layout_context(*args)
            return context

    return ReleasingDocument


def _render_and_release(page: Any, finisher: Any = None, **options: Any) -> bytes:
    """``page.write_pdf(finisher=finisher, **options)`` for a WeasyPrint ``HTML``, step by step as
    that method takes them (``render``, then the document's ``write_pdf``: the same bytes), and then
    the document's styles let go of (issue 25).

    WeasyPrint's computed styles are in reference cycles (each keeps the style of its anonymous
    boxes, which points back at it; the layout context keeps a ``partial`` of itself and every
    style), so none of the ~110,000 objects they hold (the styles' dictionaries and values) is
    freed until a collection walks them all: about 0.1 s a business case. Emptied here once the
    file is written, they are freed by reference counting as they are let go of."""
    from weasyprint import DEFAULT_OPTIONS

    document_class = _releasing_document()
    if document_class is None:
        return page.write_pdf(finisher=finisher, **options)
    options = {**DEFAULT_OPTIONS, **options}
    try:
        document = document_class._render(page, None, None, None, options)
        return document.write_pdf(None, 1, finisher, **{key: options[key] for key in DEFAULT_OPTIONS})
    finally:
        context = _LAYOUT.__dict__.pop("context", None)
        if context is not None:
            _release(context)


def _release(context: Any) -> None:
    """Empty a written document's styles (computed, cascaded, and the anonymous ones cached on
    them) and its layout context, breaking the cycles that keep them."""
    style_for = getattr(context, "style_for", None)
    for style in getattr(style_for, "_computed_styles", {}).values():
        while style is not None:
            anonymous = style.__dict__.pop("anonymous_style", None)
            style.clear()
            style.__dict__.clear()
            style = anonymous
    for cascaded in getattr(style_for, "_cascaded_styles", {}).values():
        cascaded.clear()
    if style_for is not None:
        style_for.__dict__.clear()
    context.__dict__.clear()


def _fetcher(images: Mapping[str, bytes]):
    """A WeasyPrint URL fetcher that answers the names in ``images`` and ``data:`` URLs only."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class Fetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if url in images:
                kind = "jpeg" if images[url][:2] == b"\xff\xd8" else "png"
                return URLFetcherResponse(url, images[url], {"Content-Type": f"image/{kind}"})
            return super().fetch(url, headers)

    return Fetcher(allowed_protocols={"data"}, allow_redirects=False)


def _compress_once(document: Any, pdf: Any) -> None:
    """A WeasyPrint finisher: each stream WeasyPrint left to compress is compressed now, as pydyf
    would (same bytes), and kept so, and each dictionary's bytes are worked out once, as are
    those of the object stream pydyf then packs them into (:func:`_kept_classes`): pydyf
    otherwise writes every object twice when the PDF has an identifier (once into the file, once
    more for the identifier's checksum), compressing each stream again and writing out again the
    ~3,600 dictionaries of a business case's structure tree (nothing changes the objects between
    the two)."""
    import pydyf

    kept, kept_pdf, _ = _kept_classes()
    pdf.__class__ = kept_pdf
    for obj in pdf.objects:
        if (isinstance(obj, pydyf.Stream) and type(obj).data is pydyf.Stream.data and obj.compress
                and "Filter" not in obj.extra):  # pages' content (WeasyPrint's subclass), fonts, metadata
            obj.compress = False
            data = b"\n".join(pydyf._to_bytes(item) for item in obj.stream)
            compressor = zlib.compressobj(level=9)  # pydyf's Stream.data
            obj.stream = [compressor.compress(data) + compressor.flush()]
            obj.extra = {**obj.extra, "Filter": "/FlateDecode"}
        elif type(obj) is pydyf.Dictionary:
            obj.kept_data = obj.data
            obj.__class__ = kept


@functools.lru_cache(maxsize=1)
def _kept_classes() -> tuple[type, type, type]:
    """pydyf's ``Dictionary``, ``PDF`` and ``Stream`` for a document once :func:`_compress_once`
    has run (nothing changes its objects from then on): a dictionary whose bytes were worked out
    there; the PDF, whose ``write`` adds its object stream and cross-reference stream with
    ``add_object``, here made streams whose bytes are worked out (and compressed) once."""
    import pydyf

    class KeptDictionary(pydyf.Dictionary):
        @property
        def data(self) -> bytes:
            return self.kept_data

    class KeptStream(pydyf.Stream):
        @property
        def data(self) -> bytes:
            if "kept_data" not in self.__dict__:
                self.kept_data = pydyf.Stream.data.fget(self)
            return self.kept_data

    class KeptPDF(pydyf.PDF):
        def add_object(self, object_: Any) -> None:
            if type(object_) is pydyf.Stream:
                object_.__class__ = KeptStream
            super().add_object(object_)

    return KeptDictionary, KeptPDF, KeptStream


def pdf_bytes(data: ReportData) -> bytes:
    """The business case as a tagged PDF (PDF/UA-1)."""
    return write_pdf(html_text(data, raster=True), b"carescale-business-case", pdf_images(data))
