"""`carescale national` (docs/areas.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from ..errors import CarescaleError
from ..safe_text import styled
from ..formatting import people, share, short_money as money
from .common import (
    preset_option,
    price_label,
    price_statement,
    Format,
    app,
    console,
    emit,
    output_option,
)

# -- national roll-up ------------------------------------------------------------------------


@app.command()
def national(
    mye: Optional[Path] = typer.Option(None, "--mye", help="ONS mid-year estimates workbook with an MYE2 - Persons sheet (.xls or .xlsx); with --ascof, profiles built from these files instead of the built-in ones."),
    ascof: Optional[Path] = typer.Option(None, "--ascof", help="NHS Digital ASCOF open data (.csv or .xlsx); with --mye."),
    boundaries: str = typer.Option("2023", "--boundaries", help="Council boundaries: 2023 (Cumberland, Westmorland and Furness, ...) or 2021 (as in the ONS file)."),
    draws: Optional[int] = typer.Option(None, "--draws", help="Monte Carlo draws per council: the distribution of net saving and NPV by payer, per council and for England (docs/performance.md)."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Seed of the draws (with --draws; each council's own figures get a stream derived from it)."),
    workers: Optional[int] = typer.Option(None, "--workers", help="With --draws: run the councils on a local Dask cluster of this many worker processes (default: in this process)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="With --draws: run the councils on an existing Dask cluster, e.g. tcp://127.0.0.1:8786."),
    councils: Optional[str] = typer.Option(None, "--councils", help="Only these councils: ONS codes separated by commas (default: every council)."),
    scenario_file: Optional[Path] = typer.Option(None, "--scenario", help="A scenario file to run in every council: its interventions, scale, overrides, price base, appraisal and uncertainty settings (its area is replaced by each council)."),
    preset: Optional[str] = preset_option(),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
    output: Optional[Path] = output_option(),
) -> None:
    """Every English council with adult social care responsibilities: the paper's portfolio scaled
    to each (its built-in profile from official figures, or the profile you imported for it), and
    the England total, with how many figures came from which source and how many were estimated.
    With --draws, the probabilistic case: the distribution of each council's and England's net
    saving and NPV."""
    from ..national import build_profiles, check_boundaries, official_inputs, run_national, select_councils
    from ..official import read_ascof, read_mye

    check_boundaries(boundaries)
    if (mye is None) != (ascof is None):
        raise CarescaleError(f"{'--mye' if mye is None else '--ascof'}: give both --mye and --ascof (profiles built "
                             "from those files), or neither (the built-in profiles from official figures)")
    if mye is None and boundaries != "2023":
        raise CarescaleError(f"--boundaries: {boundaries!r} only with --mye and --ascof; the built-in profiles are on "
                             "2023 boundaries")
    document = None
    if scenario_file is not None:
        from ..scenarios import load_scenario

        document = load_scenario(scenario_file)
    if preset is not None:
        from ..scenarios import ScenarioDocument

        document = (document or ScenarioDocument()).with_changes(preset=preset)
    if draws is None:
        for flag, value in (("--seed", seed), ("--workers", workers), ("--scheduler", scheduler)):
            if value is not None:
                raise CarescaleError(f"{flag}: only with --draws N (the probabilistic case)")
    else:
        from ..national.cluster import check_workers, start_fork_server
        from ..uncertainty import UncertaintySettings

        UncertaintySettings(draws=draws, seed=0 if seed is None else seed)  # one-line errors before reading files
        check_workers(workers, scheduler)
        start_fork_server(workers, scheduler)  # its imports while the files are read
    from rich.progress import Progress

    err = Console(stderr=True)
    with Progress(console=err, transient=True, disable=not err.is_terminal) as progress:
        if mye is not None and ascof is not None:
            task = progress.add_task("reading ONS and ASCOF files", total=None)
            inputs = select_councils(build_profiles(read_mye(mye), read_ascof(ascof), boundaries), councils)
        else:
            task = progress.add_task("building the councils' profiles from official figures", total=None)
            inputs = select_councils(official_inputs(), councils)
        if draws is None:
            progress.update(task, description="running the portfolio on each council", total=len(inputs.councils), completed=0)
            data = run_national(inputs, progress=lambda name: progress.advance(task), document=document)
        else:
            from ..national.scaleout import describe_client, run_national_uncertainty
            from ..uncertainty.settings import DEFAULT_SEED

            options = document.uncertainty if document is not None else None
            progress.update(task, description=f"{draws:,} draws per council, {describe_client(workers, scheduler)}: councils done",
                            total=len(inputs.councils), completed=0)
            data = run_national_uncertainty(
                inputs, draws, seed if seed is not None else (options.seed if options else DEFAULT_SEED),
                width_scale=options.width_scale if options else 1.0, workers=workers, scheduler=scheduler,
                document=document, progress=lambda name: progress.advance(task),
            )
    if draws is None:
        emit(fmt, data, rows=lambda: _national_rows(data), table=lambda: _print_national_table(data), output=output)
    else:
        emit(fmt, data, rows=lambda: _draws_rows(data), table=lambda: _print_draws_table(data), output=output)


def _print_scenario_line(data: dict[str, Any]) -> None:
    sc = data.get("scenario")
    if sc:
        console.print(f"Scenario {sc['id']} in every council" + (f": {sc['note']}" if sc["note"] else ""), markup=False)


def _draws_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per council (then England), measure and payer."""
    out = []
    for code, name, d in [*((a["code"], a["name"], a) for a in data["areas"]),
                          *((r["code"], f"{r['name']} ({r['councils']} council{'s' if r['councils'] != 1 else ''})", r) for r in data.get("regions", [])),
                          ("E92000001", f"England ({data['england']['councils']} councils)", data["england"])]:
        for measure in ("net_savings", "npv"):
            for payer in ("total", "asc", "nhs"):
                out.append({"code": code, "name": name, "measure": measure, "payer": payer, **d[measure][payer]})
    return out


def _print_draws_table(data: dict[str, Any]) -> None:
    table = Table(title=f"Scaling up what works in every council: {data['draws']:,} draws per council, seed {data['seed']} "
                        f"({data['boundaries']} boundaries, {price_label(data)})")
    for col in ("Code", "Council", "Net saving a year: mean", "5% to 95%", "P(saving)",
                f"NPV over {data['npv_years']} years: mean", "5% to 95%", "P(NPV > 0)"):
        table.add_column(col, justify="left" if col in ("Code", "Council") else "right")

    def add(code: str, name: Any, d: dict[str, Any], last: bool = False) -> None:
        n, v = d["net_savings"]["total"], d["npv"]["total"]
        table.add_row(code, name, money(n["mean"]), f"{money(n['p05'])} to {money(n['p95'])}", share(n['prob_saving']),
                      money(v["mean"]), f"{money(v['p05'])} to {money(v['p95'])}", share(v['prob_saving']), end_section=last)

    for a in data["areas"]:
        add(a["code"], a["name"], a, a is data["areas"][-1])
    regions = data.get("regions", [])
    for r in regions:
        add(r["code"], f"{r['name']} ({r['councils']} council{'s' if r['councils'] != 1 else ''})", r, r is regions[-1])
    e = data["england"]
    add("E92000001", styled(("England", "bold"), f" ({e['councils']} councils)"), e)
    console.print(table)
    console.print("Council plus NHS; by payer in --format json or csv. " + data["seeds"] + f". Ran {data['run']['where']}.")
    console.print("Prices: " + price_statement(data))
    _print_scenario_line(data)
    for x in data["excluded"]:
        console.print(styled(("Excluded", "bold"), f": {x['name']} ({x['code']}): {x['reason']}"))


def _national_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    def row(code, name, d, estimated, n_est):
        return {
            "code": code,
            "name": name,
            "region": (d.get("region") or {}).get("name", ""),
            "beneficiaries": d["beneficiaries"],
            "cost": d["cost"],
            "gross_savings_asc": d["gross_savings"]["asc"],
            "gross_savings_nhs": d["gross_savings"]["nhs"],
            "overlap_deduction_asc": d["overlap_deduction"]["asc"],
            "overlap_deduction_nhs": d["overlap_deduction"]["nhs"],
            "net_savings_asc": d["net_savings"]["asc"],
            "net_savings_nhs": d["net_savings"]["nhs"],
            "setup_investment": d["setup_investment"],
            "estimated_figures": n_est,
            "estimated": estimated,
        }

    out = [row(a["code"], a["name"], a, ";".join(a["estimated"]), len(a["estimated"])) for a in data["areas"]]
    t = data["totals"]
    out.append(row("E92000001", f"England ({t['councils']} councils)", t, "", t["estimated_figures"]))
    return out


def _print_national_table(data: dict[str, Any]) -> None:
    table = Table(title=f"Scaling up what works in every council ({data['boundaries']} boundaries, a year at full scale, "
                        f"{price_label(data)})")
    for col, just in (("Code", "left"), ("Council", "left"), ("Beneficiaries", "right"), ("Cost", "right"),
                      ("Net ASC", "right"), ("Net NHS", "right"), ("Estimated figures", "left")):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for a in data["areas"]:
        table.add_row(a["code"], a["name"], people(a["beneficiaries"]), money(a["cost"]),
                      money(a["net_savings"]["asc"]), money(a["net_savings"]["nhs"]),
                      _short_estimates(a["estimated"]), end_section=a is data["areas"][-1])
    t = data["totals"]
    table.add_row("E92000001", styled(("England", "bold"), f" ({t['councils']} councils)"), people(t["beneficiaries"]),
                  money(t["cost"]), styled((money(t["net_savings"]["asc"]), "bold")),
                  styled((money(t["net_savings"]["nhs"]), "bold")), f"{t['estimated_figures']} of {t['figures']}")
    console.print(table)
    _print_regions_and_ranking(data)
    console.print(
        f"Estimated: {t['estimated_figures']} of {t['figures']} figures ({share(t['estimated_share'], 1)}, "
        f"{t['councils_with_estimates']} councils) were in no official series and were estimated "
        "(each figure's derivation says from what); see --format json."
    )
    console.print("Figures by source: " + "; ".join(f"{k} {v:,}" for k, v in t["figures_by_source"].items()), markup=False)
    console.print("Profiles used: " + "; ".join(f"{k} {v:,}" for k, v in t["councils_by_profile"].items()), markup=False)
    console.print("Key: " + "; ".join(f"{v} = {k}" for k, v in _SHORT.items()))
    console.print("Prices: " + price_statement(data))
    _print_scenario_line(data)
    for a in data["areas"]:
        for n in a["notes"]:
            console.print(f"Note: {a['name']} ({a['code']}): {n}")
    for e in data["excluded"]:
        console.print(styled(("Excluded", "bold"), f": {e['name']} ({e['code']}): {e['reason']}"))


def _print_regions_and_ranking(data: dict[str, Any], top: int = 10) -> None:
    """England's regions, then the councils with the largest net saving (all of them in
    --format json, ``ranked``)."""
    if data.get("regions"):
        reg = Table(title=f"By region ({price_label(data)})")
        for col, just in (("Region", "left"), ("Councils", "right"), ("Beneficiaries", "right"), ("Cost", "right"),
                          ("Net ASC", "right"), ("Net NHS", "right"), ("Net total", "right"), ("Net per person 65+", "right")):
            reg.add_column(col, justify=just)  # type: ignore[arg-type]
        for r in data["regions"]:
            per = r["net_saving_per_person_65_plus"]
            reg.add_row(r["name"], f"{r['councils']:,}", people(r["beneficiaries"]), money(r["cost"]),
                        money(r["net_savings"]["asc"]), money(r["net_savings"]["nhs"]), money(r["net_savings"]["total"]),
                        "–" if per is None else f"£{per:,.2f}")
        console.print(reg)
    ranked = data.get("ranked") or []
    if len(ranked) > 1:
        rk = Table(title=f"Councils ranked by net saving a year, council plus NHS (top {min(top, len(ranked))} of {len(ranked)}; "
                         "all in --format json, 'ranked')")
        for col, just in (("Rank", "right"), ("Council", "left"), ("Region", "left"), ("Net total", "right"),
                          ("Share of England", "right"), ("Net per person 65+", "right")):
            rk.add_column(col, justify=just)  # type: ignore[arg-type]
        for r in ranked[:top]:
            per = r["net_saving_per_person_65_plus"]
            rk.add_row(f"{r['rank']}", r["name"], r["region"], money(r["net_savings"]),
                       "–" if r["share_of_england"] is None else share(r["share_of_england"], 1),
                       "–" if per is None else f"£{per:,.2f}")
        console.print(rk)


_SHORT = {
    "cohorts.older_people_very_limited": "VL",
    "cohorts.learning_disability_long_term_support": "LD",
    "cohorts.mental_health_long_term_support": "MH",
    "spend.long_term_placements": "LTP",
    "spend.short_term_placements": "STP",
    "provision.shared-lives.learning-disability": "SL-LD",
    "provision.shared-lives.mental-health": "SL-MH",
}


def _short_estimates(keys: list[str]) -> str:
    return ", ".join(_SHORT.get(k, k) for k in keys)
