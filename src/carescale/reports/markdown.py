"""A plain-English Markdown summary to paste into a committee paper.

Every piece of text that comes from a user or the library goes through :func:`md_text`
(Markdown and inline HTML escaped, one line), so an area name or a note can never become a
link, a heading or a script when the paper is rendered.
"""

from __future__ import annotations

from ..appraisal.bridge import bridge_table
from ..appraisal.settings import describe_optimism_bias

from ..engine.summary import PUBLISHED_STATEMENT

from .data import ReportData, transformation_areas
from .numbers import headcount, money, pence, people, pounds
from .text import md_text as t


def _months(m: int | None) -> str:
    return f"month {m}" if m else "not within the period"


def _value_section(data: ReportData, price_text: str) -> list[str]:
    """Fiscal cashable, fiscal non-cashable and social value side by side (issue 23), the same
    rows and sentences as the HTML/PDF report (``appraisal.value``): never added into one figure."""
    from ..appraisal.value import fiscal_sentence, outcome_sentences, value_table

    value = data.evaluation.value()
    lines = ["", "## Fiscal and social value", "",
             "What the models save in public money and what they do for people, side by side and never added into one "
             "figure: fiscal, cashable (a budget can bank it); fiscal, non-cashable (capacity freed); and social value "
             "(wellbeing and health, valued in WELLBYs or QALYs at HM Treasury's values, or by the source's own figure). "
             f"A year at full scale, {price_text}.", "",
             "| Model | People | Fiscal: cashable | Fiscal: non-cashable | Social value | Cost |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in value_table(value):
        who = "**Total**" if r["kind"] == "total" else t(r["name"])
        n = "" if r["people"] is None else people(r["people"])
        lines.append(f"| {who} | {n} | {pounds(r['fiscal_cashable'])} | {pounds(r['fiscal_non_cashable'])} | "
                     f"{pounds(r['social'])} | {pounds(r['cost'])} |")
    lines += ["", t(fiscal_sentence(value, pounds)), "", "What the models do for people:", ""]
    for o in outcome_sentences(value):
        count = "" if o["people"] is None else f" ({headcount(o['people'])} a year)"
        lines.append(f"- {t(o['model'])}: {t(o['outcome'])}{count}, {money(o['value'])} a year ({t(o['how'])})")
    return lines


def markdown_text(data: ReportData) -> str:
    run, app, unc = data.run, data.appraisal_summary, data.uncertainty
    tot = run["totals"]
    port = app["portfolio"]["metrics"]
    s = app["settings"]
    prices = data.prices
    price_text = prices.get("label") or "prices as published"
    lines: list[str] = [
        f"# Scaling up what works in {t(data.area_name)}",
        "",
        f"This paper sets out what it would cost, and save, to scale up {len(run['interventions'])} care models that "
        f"have worked elsewhere to {t(data.area_name)}'s own figures "
        f"({'potential beneficiaries' if data.scenario.basis == 'potential' else 'the people served today'}). "
        f"Figures are pounds a year at full scale, in {price_text}.",
        "",
        f"Prices: {prices.get('statement') or PUBLISHED_STATEMENT}.",
        "",
    ]
    if data.note:
        lines += [f"Note: {t(data.note)}", ""]
    lines += [
        "## Summary",
        "",
        f"- Each year at full scale the models would save the council (adult social care) **{money(tot['net_savings']['asc'])}** "
        f"and the NHS **{money(tot['net_savings']['nhs'])}**, after their running costs.",
        f"- They would reach about {headcount(tot['beneficiaries'])} a year, at a running cost of {money(tot['cost'])} a year.",
    ]
    ded = tot["overlap_deduction"]
    if run["overlaps"]:
        lines.append(f"- Some people are in more than one model's target group; their saving is counted once, which takes "
                     f"{money(ded['asc'])} a year off the council's total{' and ' + money(ded['nhs']) + ' off the NHS' if ded['nhs'] else ''}.")
        lines += [f"  - {t(o['sentence'])}" for o in run["overlaps"] if o.get("sentence")]
    lines.append(f"- Over {s['years']} years, allowing for set-up, the time to build up and optimism bias, the net present value is "
                 f"{money(port['npv'])} (council {money(port['npv_by_payer']['asc'])}, NHS {money(port['npv_by_payer']['nhs'])}); "
                 f"the models together break even in {_months(port['break_even_month'])}.")
    if unc:
        lines.append(f"- In {people(unc['draws'])} simulations that vary every figure over its evidence range, "
                     f"{unc['portfolio']['prob_saving']:.0%} save money each year; the net saving a year is between "
                     f"{money(unc['portfolio']['net_savings']['p05'])} and {money(unc['portfolio']['net_savings']['p95'])} "
                     "in nine cases out of ten.")
    lines += [
        "",
        "## The models",
        "",
        "| Model | Who it is for | People a year | Cost a year | Net saving, council | Net saving, NHS |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for i in run["interventions"]:
        flag = " (no cost evidence)" if i.get("cost_evidence") == "none" else " (our assumption)" if i.get("cost_evidence") == "assumption" else ""
        lines.append(f"| {t(i['name'])} | {t(i['target_group'])} | {people(i['beneficiaries'])} | {money(i['cost'])}{flag} | "
                     f"{money(i['net_savings']['asc'])} | {money(i['net_savings']['nhs'])} |")
    lines.append(f"| Less overlap between target groups | | | | {money(-ded['asc'])} | {money(-ded['nhs'])} |")
    lines.append(f"| **Total** | | **{people(tot['beneficiaries'])}** | **{money(tot['cost'])}** | "
                 f"**{money(tot['net_savings']['asc'])}** | **{money(tot['net_savings']['nhs'])}** |")
    if data.baseline:
        lines += ["", f"## What {t(data.baseline['name'])} spends now", "",
                  "Adult social care spend from the official figures (MHCLG RO3 outturn, NHS Digital ASC-FR 2021-22), "
                  "in the same prices as the results.", ""]
        lines += [f"- {t(line)}" for line in data.baseline["lines"]]
    lines += [
        "",
        "## From the evidence to the headlines",
        "",
        f"Each step by model and payer, in pounds and pence ({price_text}); each subtotal (**=**) is the sum of every row "
        "above it and equals the headline it names.",
        "",
        "| Step | Model | Council | NHS | Both |",
        "|---|---|---:|---:|---:|",
    ]
    for r in bridge_table(data.bridge):
        if r["kind"] == "subtotal":
            lines.append(f"| **= {t(r['label'])}** | | **{pence(r['asc'])}** | **{pence(r['nhs'])}** | **{pence(r['total'])}** |")
        else:
            lines.append(f"| {t(r['label'])} | {t(r['model_name'])} | {pence(r['asc'])} | {pence(r['nhs'])} | {pence(r['total'])} |")
    lines += _value_section(data, price_text)
    lines += ["", "## Each model in brief", ""]
    areas = transformation_areas()
    ivs = {iv.id: iv for iv in data.scenario.interventions}
    apps = {i["id"]: i for i in app["interventions"]}
    for i in run["interventions"]:
        iv = ivs[i["id"]]
        m = apps[iv.id]["metrics"]
        src = f" It is based on {t(iv.source.site)} ({t(iv.source.period)})." if iv.source else ""
        if iv.calibration:  # a model calibrated to one site's published figures (docs/evidence.md)
            src += f" {t(iv.calibration)} A council must add: {t('; '.join(iv.missing_numbers))}."
        lines += [
            f"**{t(iv.name)}.** {t(iv.description)}{src} The evidence is at level {iv.evidence_grade.level} of 5 on Nesta's "
            f"Standards of Evidence. It belongs to the paper's area {iv.transformation_area}: "
            f"{t(areas.get(iv.transformation_area, ''))} Over {s['years']} years its net present value is {money(m['npv'])} "
            f"and it breaks even in {_months(m['break_even_month'])}.",
            "",
        ]
    if data.history is not None:
        from .history import history_markdown

        lines += history_markdown(data.history)
    opts = data.evaluation.options()
    lines += ["## Options: business as usual, do minimum, preferred", "",
              f"Over {opts['years']} years (NPV discounted; cost and saving undiscounted).", "",
              "| Option | NPV | Cost | Saving | BCR | Breaks even |", "|---|---|---|---|---|---|"]
    for o in opts["options"]:
        be = ("the baseline" if o["id"] == "business-as-usual" else _months(o["break_even_month"]))
        bcr = "n/a" if o["bcr"] is None else f"{o['bcr']:.2f}"
        lines.append(f"| {o['name']} | {money(o['npv'])} | {money(o['cost'])} | {money(o['savings'])} | {bcr} | {be} |")
    lines += [""] + [f"- {o['definition']}" for o in opts["options"]]
    lines += [f"- Left out of do minimum: {x['name']} ({x['why']})." for x in opts["do_minimum_left_out"]] + [""]
    cv = data.evaluation.cash_view()
    b = cv.get("budget")
    lines += ["## Cash budget view", "",
              f"Cash by financial year, not discounted; prices rise with {cv['inflation']['source']}; cohorts grow "
              + ("with the area's ONS trend (mid-2020 to mid-2024)" if cv["growth"]["method"] == "ons-trend"
                 else "as you set" if cv["growth"]["method"] == "user" else "not at all (no trend known for the area)")
              + "." + (f" Adult social care budget: {money(b['value'])} a year ({b['source']})." if b and b.get("value")
                       else f" Adult social care budget: not known ({b['missing']})." if b else ""), "",
              "| Year | Payer | Cost | Cashable saving | Non-cashable saving | Less overlap | Net cashable | Net |",
              "|---|---|---|---|---|---|---|---|"]
    for r in cv["years"]:
        if r["payer"] != "total":
            lines.append(f"| {r['financial_year']} | {'Council' if r['payer'] == 'asc' else 'NHS'} | {money(r['cost'])} | "
                         f"{money(r['cashable_savings'])} | {money(r['non_cashable_savings'])} | {money(-r['overlap_deduction'])} | "
                         f"{money(r['net_cashable'])} | {money(r['net'])} |")
    lines += [""]
    lines += ["## Figures changed from the evidence", ""]
    if data.changes:
        for c in data.changes:
            unit = " people" if c.get("unit") == "people" else ""
            why = f" Why: {t(c['note'])}" if c.get("note") else ""
            lines.append(f"- {t(c['label'])}: {c['evidence_value']:,.6g}{unit} in the evidence, {c['value']:,.6g}{unit} here.{why}")
    else:
        lines.append("None: every figure is the value in the evidence library.")
    lines += [
        "",
        "## How the figures were made",
        "",
        f"The figures come from carescale, which scales each model's published costs and outcomes to the area's population "
        f"and spending. Money is in {price_text}. The appraisal runs for {s['years']} years from {s['start_date']}, "
        + ("discounted with the HM Treasury Green Book schedule (3.5% a year)" if s["discount_schedule"] == "green-book"
           else f"discounted at {s['discount_rate']:.1%} a year")
        + (". Optimism bias: " + describe_optimism_bias(s.get("optimism_bias_method"), True)
           if s["optimism_bias"] else ", without an optimism-bias adjustment."),
        f"Scenario id: {data.doc.scenario_id}.",
        "",
        "## Sources",
        "",
    ]
    docs = data.documents
    used = sorted({p.quantity.ref.document for p in data.params} | {iv.evidence_ref.document for iv in data.scenario.interventions})
    for d in used:
        doc = docs.get(d)
        lines.append(f"- {t(doc.title)}, {t(doc.publisher)}, {t(doc.date or '')}" if doc is not None else f"- {t(d)}")
    return "\n".join(lines) + "\n"
