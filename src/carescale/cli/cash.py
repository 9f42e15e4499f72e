"""`carescale cash`: the cash budget view (docs/appraisal.md, "The cash budget view")."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from .common import (
    Basis,
    Format,
    app,
    area_file_option,
    area_option,
    basis_option,
    console,
    emit,
    interventions_option,
    optimism_bias_option,
    output_option,
    preset_option,
    price_base_option,
    price_index_option,
    reprice_option,
    scenario_document,
    scenario_option,
    set_option,
    start_date_option,
    years_option,
)


def cash_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """CSV rows: the portfolio (``model`` = portfolio) and each model, by financial year and payer."""
    out = []
    for r in data["years"]:
        out.append({"model": "portfolio", **r})
    for item in data["interventions"]:
        for r in item["years"]:
            out.append({"model": item["id"], **r})
    keys = list(dict.fromkeys(k for r in out for k in r))
    return [{k: r.get(k) for k in keys} for r in out]


def print_cash(data: dict[str, Any]) -> None:
    from rich.table import Table

    from ..formatting import short_money as money
    from ..safe_text import styled

    infl = data["inflation"]
    console.print(styled((f"Cash budget view: {data['area']['name']}", "bold"),
                         f", from {data['start_date']}; real terms in {data['price_base']} prices, turned into cash "
                         f"with {infl['source']}"))
    growth = data["growth"]
    if growth["method"] == "none":
        first = next(iter(growth["by_intervention"].values()), None)
        console.print(f"Cohorts not grown: {first['source'] if first else 'no models'}")
    else:
        rates = sorted({(g["band"], g["rate"]) for g in growth["by_intervention"].values()})
        console.print("Cohorts grow " + "; ".join(
            f"{'65 and over' if b == '65_plus' else '18 to 64'}: {r:.2%} a year" for b, r in rates)
            + (" (ONS mid-year estimates, mid-2020 to mid-2024)" if growth["method"] == "ons-trend" else " (yours)"))
    b = data["budget"]
    if b and b.get("value") is not None:
        console.print(f"Adult social care budget: {money(b['value'])} a year ({b['source']})")
    elif b:
        console.print(f"Adult social care budget: not known ({b['missing']})")
    table = Table(title="Portfolio in cash by financial year and payer (not discounted)")
    cols = ["Year", "Payer", "Real net", "Cost", "Cashable savings", "Non-cashable savings", "Less overlap",
            "Net cashable", "Net"]
    with_budget = any("budget" in r for r in data["years"])
    if with_budget:
        cols += ["Net cashable / budget"]
    for c in cols:
        table.add_column(c, justify="left" if c in ("Year", "Payer") else "right")
    names = {"asc": "ASC", "nhs": "NHS", "total": "all"}
    for r in data["years"]:
        cells = [r["financial_year"] + ("" if r["months"] == 12 else f" ({r['months']} months)"), names[r["payer"]],
                 money(r["net_real"]), money(r["cost"]), money(r["cashable_savings"]),
                 money(r["non_cashable_savings"]), money(-r["overlap_deduction"]), money(r["net_cashable"]),
                 money(r["net"])]
        if with_budget:
            share = r.get("net_cashable_share_of_budget")
            cells.append("" if share is None else f"{share:.2%}")
        table.add_row(*cells, end_section=r["payer"] == "total")
    console.print(table)


@app.command("cash")
def cash_command(
    ctx: typer.Context,
    area: Optional[str] = area_option(),
    area_file: Optional[Path] = area_file_option(),
    interventions: Optional[str] = interventions_option(),
    basis: Basis = basis_option(),
    years: Optional[str] = years_option(),
    start_date: Optional[str] = start_date_option(),
    optimism_bias: Optional[bool] = optimism_bias_option(),
    settings_file: Optional[Path] = typer.Option(None, "--settings", help="YAML file of appraisal settings."),
    inflation: Optional[str] = typer.Option(
        None, "--inflation", help="Pay-and-price inflation a year, e.g. 3% (default: HM Treasury GDP deflator "
        "with the OBR forecast, then 2% a year)."),
    growth: Optional[str] = typer.Option(
        None, "--growth", help="Growth a year of every target cohort, e.g. 1% (default: the area's ONS trend)."),
    budget: Optional[str] = typer.Option(
        None, "--budget", help="The council's adult social care budget a year in price-base cash, e.g. £300m "
        "(default: RO3 outturn net current expenditure)."),
    scenario_file: Optional[Path] = scenario_option(),
    sets: Optional[list[str]] = set_option(),
    reprice: Optional[bool] = reprice_option(),
    preset: Optional[str] = preset_option(),
    price_base: Optional[str] = price_base_option(),
    price_index: Optional[Path] = price_index_option(),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
    output: Optional[Path] = output_option(),
) -> None:
    """The appraisal in cash by financial year and payer: inflation, cohort growth, cashable and
    non-cashable savings apart, against the council's adult social care budget."""
    from .. import appraisal
    from ..appraisal.cash import CashSettings
    from ..formatting import parse_number
    from ..scenarios import evaluate_document, load_scenario

    over = {"years": years, "start_date": start_date, "optimism_bias": optimism_bias}
    if settings_file:
        settings = appraisal.load_settings(settings_file, **over)
    else:
        base = load_scenario(scenario_file).appraisal if scenario_file else None
        settings = appraisal.make_settings(base.model_dump() if base is not None else None, **over)
    cash = CashSettings(
        inflation=None if inflation is None else parse_number(inflation, "share", "--inflation"),
        growth=None if growth is None else parse_number(growth, "share", "--growth"),
        budget=None if budget is None else parse_number(budget, "GBP", "--budget"),
    )
    doc = scenario_document(ctx, scenario_file, area=area, area_file=area_file, interventions=interventions,
                            basis=basis, sets=sets, reprice=reprice, preset=preset, price_base=price_base,
                            price_index=price_index, appraisal=settings.model_dump(mode="json"))
    data = evaluate_document(doc).cash_view(cash)
    emit(fmt, data, rows=lambda: cash_rows(data), table=lambda: print_cash(data), output=output)
