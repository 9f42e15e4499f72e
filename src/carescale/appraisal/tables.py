"""The readable tables ``carescale appraise`` prints (from the JSON summary; no arithmetic)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from ..formatting import money as pounds, short_money as money
from ..safe_text import styled


def _ratio(x: float | None) -> str:
    return "no cost evidence" if x is None else pounds(x, pence=True)


def _month(m: dict[str, Any]) -> str:
    if m["break_even_month"] is None:
        return "not within the period"
    return f"month {m['break_even_month']} ({m['break_even_month_starts'][:7]})"


def _prices(data: dict[str, Any]) -> str:
    """The price base of an appraisal's figures: the run's own statement (re-priced or not)."""
    prices = data.get("prices") or {}
    if prices.get("reprice"):
        return str(prices["label"])
    years = data["settings"].get("price_years") or []
    return "prices as published" + (f" ({', '.join(years)}; not re-priced)" if years else " (not re-priced)")


def print_appraisal(data: dict[str, Any], console: Console) -> None:
    s = data["settings"]
    rate = (
        f"Green Book schedule ({s['discount_rate']:.1%} a year for years 0-30)"
        if s["discount_schedule"] == "green-book"
        else f"{s['discount_rate']:.1%} a year"
    )
    console.print(
        styled((f"Appraisal: {data['area']['name']}", "bold"), f", {s['years']} years from {s['start_date']}; "
        f"discounting: {rate}; optimism bias {('applied (' + s.get('optimism_bias_method', '') + ')') if s['optimism_bias'] else 'off'}"
        + "; " + _prices(data))
    )
    table = Table(title=f"By model (pounds over the whole period, {_prices(data)}, all payers; split by payer)")
    for col, just in (
        ("Model", "left"), ("Evidence", "center"), ("Optimism bias", "right"), ("NPV", "right"),
        ("NPV ASC", "right"), ("NPV NHS", "right"), ("Net budget impact", "right"),
        ("ROI (£ saved per £1)", "right"), ("BCR", "right"), ("Breaks even", "left"),
    ):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for i in data["interventions"]:
        m = i["metrics"]
        table.add_row(
            i["name"], f"level {i['evidence_level']}",
            f"+{i['optimism_bias']['costs']:.0%} / -{i['optimism_bias']['benefits']:.0%}",
            money(m["npv"]), money(m["npv_by_payer"]["asc"]), money(m["npv_by_payer"]["nhs"]),
            money(m["net_budget_impact"]), _ratio(m["roi"]), _ratio(m["bcr"]), _month(m),
        )
    p = data["portfolio"]["metrics"]
    table.add_row(
        styled(("Portfolio (less overlap)", "bold")), "", "", styled((money(p["npv"]), "bold")),
        money(p["npv_by_payer"]["asc"]), money(p["npv_by_payer"]["nhs"]), money(p["net_budget_impact"]),
        _ratio(p["roi"]), _ratio(p["bcr"]), _month(p), end_section=True,
    )
    console.print(table)
    years = Table(title="Portfolio by year")
    for col in ("Year", "Starts", "Set-up", "Running cost", "Gross savings", "Less overlap", "Net",
                "Net ASC", "Net NHS", "Cumulative net", "Discount factor", "Discounted net"):
        years.add_column(col, justify="right")
    for y in data["portfolio"]["years"]:
        years.add_row(
            str(y["year"]), y["starts"], money(y["setup"]), money(y["running_cost"]),
            money(y["gross_savings"]), money(-y.get("overlap_deduction", 0.0)), money(y["net"]),
            money(y["net_by_payer"]["asc"]), money(y["net_by_payer"]["nhs"]), money(y["cumulative_net"]),
            f"{y['discount_factor']:.4f}", money(y["discounted_net"]),
        )
    console.print(years)
    for n in data["not_modelled"]:
        console.print(f"Not modelled: {n['id']} (the area profile has no {', '.join(n['missing'])})")


def print_bridge(data: dict[str, Any], console: Console) -> None:
    """The bridge from the evidence figure to each headline (``carescale.appraisal.bridge``): one
    row per step and model, in pounds and pence so that the rows add up to each subtotal."""
    from .bridge import bridge_table

    price = (data.get("prices") or {}).get("label", "")
    table = Table(title=f"From the evidence to the headlines, by model and payer ({price}; each subtotal is "
                        "the sum of the rows above it)")
    for col, just in (("Step", "left"), ("Model", "left"), ("ASC", "right"), ("NHS", "right"),
                      ("All payers", "right")):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for r in bridge_table(data):
        cells = [pounds(r[k], pence=True) for k in ("asc", "nhs", "total")]
        if r["kind"] == "subtotal":
            table.add_row(styled((r["label"], "bold")), "", *(styled((c, "bold")) for c in cells), end_section=True)
        else:
            table.add_row(styled(r["label"]), styled(r["model_name"]), *cells)
    table.carescale_drop = ["All payers"]  # type: ignore[attr-defined]  # narrow: the model stays, money is never cut
    console.print(table)


def print_value(value: dict[str, Any], console: Console, price: str = "") -> None:
    """Fiscal cashable, fiscal non-cashable and social value side by side (``appraisal.value``),
    never added into one figure, then each model's outcomes for people and the BCR without and
    with social value."""
    from ..formatting import people
    from .value import fiscal_sentence, outcome_sentences, value_table

    table = Table(title=f"Fiscal and social value, a year at full scale ({price}; fiscal and social are not added together)")
    for col in ("Model", "People", "Fiscal: cashable", "Fiscal: non-cashable", "Social value", "Cost"):
        table.add_column(col, justify="left" if col == "Model" else "right")
    for r in value_table(value):
        cells = [people(r["people"]) if r["people"] is not None else "",
                 pounds(r["fiscal_cashable"]), pounds(r["fiscal_non_cashable"]), pounds(r["social"]), pounds(r["cost"])]
        if r["kind"] == "total":
            table.add_row(styled(("Total", "bold")), *(styled((c, "bold")) for c in cells), end_section=True)
        else:
            table.add_row(styled(r["name"]), *cells)
    console.print(table)
    console.print(fiscal_sentence(value, pounds))
    outcomes = Table(title="What the models do for people, with how many people they reach here")
    for col in ("Model", "Outcome for people", "People", "Value a year", "Counted as"):
        outcomes.add_column(col, justify="right" if col in ("People", "Value a year") else "left")
    for o in outcome_sentences(value):
        outcomes.add_row(styled(o["model"]), styled(o["outcome"]), people(o["people"]) if o["people"] is not None else "",
                         pounds(o["value"]), o["how"])
    console.print(outcomes)
    groups = value.get("by_age_group") or []
    if groups:
        who = Table(title="Who benefits: by age group and support reason, a year at full scale (before the overlap)")
        for col in ("Age group", "Support reason", "People", "Fiscal: cashable", "Fiscal: non-cashable", "Social value", "Models"):
            who.add_column(col, justify="right" if col in ("People",) or col.startswith(("Fiscal", "Social")) else "left")
        for g in groups:
            who.add_row(styled(g["age_group"]), styled(g["support_reason"] or ""), people(g["people"]),
                        pounds(g["fiscal_cashable"]), pounds(g["fiscal_non_cashable"]), pounds(g["social"]),
                        styled(", ".join(g["models"])))
        console.print(who)
