"""`carescale optimise` (docs/optimise.md): a thin shell over :mod:`carescale.optimise`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer
from rich.table import Table

from ..errors import OptimiseError
from ..extras import require
from ..safe_text import check_output_path, csv_records, echo_data, one_line, write_output
from ..formatting import money, share
from .common import (
    Format,
    app,
    area_file_option,
    area_option,
    console,
    echo_json,
    interventions_option,
    preset_option,
    price_base_option,
    price_index_option,
    price_label,
    print_scenario_notes,
    reprice_option,
    scenario_document,
    scenario_option,
    set_option,
    years_option,
)


def _pairs(values: list[str] | None, option: str, what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values or []:
        key, sep, val = item.partition("=")
        if not sep or not key.strip() or not val.strip():
            raise OptimiseError(f"{option}: {item!r} is not valid; give {what}")
        if key.strip() in out:
            raise OptimiseError(f"{option}: {key.strip()} is given twice; give each once")
        out[key.strip()] = val.strip()
    return out


def _csv(rows: list[dict[str, Any]], bom: bool = False) -> str:
    """Records as CSV (every cell guarded against formulas); every record gets every key."""
    keys: list[str] = []
    for r in rows:
        keys.extend(k for k in r if k not in keys)
    return csv_records([{k: r.get(k) for k in keys} for r in rows], bom=bom)


@app.command("optimise")
def optimise_command(
    ctx: typer.Context,
    area: str = area_option(),
    area_file: Optional[Path] = area_file_option(),
    interventions: Optional[str] = interventions_option(),
    scenario_file: Optional[Path] = scenario_option(),
    sets: Optional[list[str]] = set_option(),
    reprice: Optional[bool] = reprice_option(),
    preset: Optional[str] = preset_option(),
    price_base: Optional[str] = price_base_option(),
    price_index: Optional[Path] = price_index_option(),
    constraints: Optional[Path] = typer.Option(None, "--constraints", help="YAML file of objective and constraints (docs/optimise.md)."),
    objective: Optional[str] = typer.Option(None, "--objective", help="npv (default), budget-impact, probability, social (present value of social value) or npv-with-social."),
    payer: Optional[str] = typer.Option(None, "--payer", help="Maximise for one payer: asc or nhs."),
    year: Optional[int] = typer.Option(None, "--year", help="Appraisal year for --objective budget-impact."),
    budget: Optional[str] = typer.Option(None, "--budget", help="Set-up + running cost over the period, e.g. 2m."),
    setup_budget: Optional[str] = typer.Option(None, "--setup-budget", help="Set-up investment."),
    running_budget: Optional[str] = typer.Option(None, "--running-budget", help="Running cost over the period."),
    running_budget_per_year: Optional[str] = typer.Option(None, "--running-budget-per-year", help="Running cost in every year."),
    payer_budget: Optional[list[str]] = typer.Option(None, "--payer-budget", help="PAYER=POUNDS (repeatable), e.g. asc=1.5m."),
    staff: Optional[list[str]] = typer.Option(None, "--staff", help="ROLE=PEOPLE (repeatable), e.g. coordinators=10."),
    min_scale: Optional[list[str]] = typer.Option(None, "--min-scale", help="MODEL=SHARE (repeatable)."),
    max_scale: Optional[list[str]] = typer.Option(None, "--max-scale", help="MODEL=SHARE (repeatable)."),
    include: Optional[str] = typer.Option(None, "--include", help="Comma-separated models that must run."),
    exclude: Optional[str] = typer.Option(None, "--exclude", help="Comma-separated models that must not run."),
    step: Optional[float] = typer.Option(None, "--step", help="Scales in steps of this share (e.g. 0.1)."),
    draws: Optional[int] = typer.Option(None, "--draws", help="Monte Carlo draws for --objective probability (default 1,000)."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Seed of the draws."),
    years: Optional[str] = years_option(),
    frontier: Optional[str] = typer.Option(None, "--frontier", help="Budgets START:STOP:POINTS (e.g. 0:6m:50) or a list 0,1m,2m."),
    frontier_over: str = typer.Option("budget", "--frontier-over", help="Which budget the frontier varies."),
    chart: Optional[Path] = typer.Option(None, "--chart", help="Write the frontier chart (.png, .svg, .pdf or .html)."),
    csv_out: Optional[Path] = typer.Option(None, "--csv", help="Write the frontier (or the chosen models) as CSV."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write the chosen portfolio as a scenario document (YAML)."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """Which models, at what scale, for the money and staff you have (a MILP solved with HiGHS)."""
    from .. import optimise as opt

    for path, opt_name in ((output, "--output"), (csv_out, "--csv"), (chart, "--chart")):
        if path is not None:
            check_output_path(path, opt_name)  # before solving, so a bad path fails at once
    if chart is not None:
        from ..optimise.frontier import CHART_SUFFIXES

        if not frontier:
            raise OptimiseError("--chart: the chart is of the frontier; give --frontier too")
        if chart.suffix.lower() not in CHART_SUFFIXES:
            raise OptimiseError(
                f"--chart: {one_line(chart.name)!r} is not valid; the chart is written as {', '.join(CHART_SUFFIXES)} "
                "(give a file name ending in one of these)"
            )
        if chart.suffix.lower() == ".html":  # plotly writes the interactive chart; matplotlib the others
            require("plotly", "web", "--chart with an .html file")
        else:
            require("matplotlib", "reports", f"--chart with a {chart.suffix.lower()} file")
    if frontier:
        from ..optimise.frontier import budget_points

        try:
            budget_points(frontier)  # before solving
        except OptimiseError as exc:
            raise OptimiseError(f"--{exc.message}") from None
    options: dict[str, Any] = dict(
        objective=objective, payer=payer, year=year, budget=budget, setup_budget=setup_budget,
        running_budget=running_budget, running_budget_per_year=running_budget_per_year,
        payer_budgets=_pairs(payer_budget, "--payer-budget", "PAYER=POUNDS such as asc=1.5m") or None,
        staff=_pairs(staff, "--staff", "ROLE=PEOPLE such as coordinators=10") or None,
        min_scale=_pairs(min_scale, "--min-scale", "MODEL=SHARE such as living-well=0.5") or None,
        max_scale=_pairs(max_scale, "--max-scale", "MODEL=SHARE such as living-well=0.5") or None,
        include=include, exclude=exclude, step=step, draws=draws, seed=seed,
    )
    spec = opt.load_spec(constraints, **options) if constraints else opt.make_spec(None, **options)
    appraisal = None
    if years is not None:
        from ..appraisal import make_settings
        from ..scenarios import load_scenario

        base = load_scenario(scenario_file).appraisal if scenario_file else None
        appraisal = make_settings(base.model_dump() if base is not None else None, years=years).model_dump(mode="json")
    document = scenario_document(ctx, scenario_file, area=area, area_file=area_file, interventions=interventions,
                                 sets=sets, reprice=reprice, preset=preset, price_base=price_base, price_index=price_index,
                                 appraisal=appraisal)
    if frontier:
        rows = opt.frontier(document, spec, frontier, over=frontier_over)
        label = opt.core.objective_label(spec)
        if csv_out:
            write_output(csv_out, _csv(rows), "--csv", bom=True)
        if chart:
            from ..optimise.frontier import frontier_chart

            frontier_chart(rows, check_output_path(chart, "--chart"), label)
        if fmt is Format.json:
            echo_json({"objective": label, "over": frontier_over, "points": rows})
        elif fmt is Format.csv:
            echo_data(_csv(rows))
        else:
            _print_frontier(rows, label, frontier_over)
        return
    result = opt.optimise(document, spec)
    if output:
        write_output(output, opt.adapter.document_yaml(result.document), "--output")
    data = result.summary()
    if csv_out:
        write_output(csv_out, _csv(_model_rows(data)), "--csv", bom=True)
    if fmt is Format.json:
        echo_json(data)
    elif fmt is Format.csv:
        echo_data(_csv(_model_rows(data)))
    else:
        _print_result(data)
        print_scenario_notes({"prices": data["prices"], "changes": data["changes"]})
        if output:
            console.print(f"Scenario document written to {str(output)}")


def _model_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"model": m["id"], "name": m["name"], "scale": m["scale"], "in": m["in"], "why": m["why"]} for m in data["models"]]


def _pounds(x: float) -> str:
    """Whole pounds (as carescale.optimise.core.money writes them in its reasons)."""
    return money(x)


def _print_result(data: dict[str, Any]) -> None:
    obj = data["objective"]
    value = share(obj['value'], 1) if obj["kind"] == "probability" else _pounds(obj["value"])
    t = Table(title=f"Best portfolio for {data['area']['name']}: {obj['label']} {value}")
    t.add_column("Model")
    t.add_column("Scale", justify="right")
    t.add_column("Why", overflow="fold")
    for m in data["models"]:
        t.add_row(m["name"], share(m['scale']) if m["in"] else "out", m["why"])
    console.print(t)
    f = data["figures"]
    console.print(
        f"Cost over the period {_pounds(f['cost'])} (set-up {_pounds(f['setup'])}, running {_pounds(f['running'])}); "
        f"NPV {_pounds(f['npv'])} (ASC {_pounds(f['npv_by_payer']['asc'])}, NHS {_pounds(f['npv_by_payer']['nhs'])}), "
        f"{price_label(data)}"
        + "".join(f"; {n:.1f} {r}" for r, n in f["staff"].items() if n)
    )
    what = ("expected NPV per extra unit, at the same probability" if obj["kind"] == "probability"
            else "objective per extra unit")
    if data["binding_constraints"]:
        for b in data["binding_constraints"]:
            console.print(f"Binding: {b['label']} (limit {b['limit']:,.0f}; shadow price {b['shadow_price']:,.4g}, {what})")
    else:
        console.print("No constraint binds: every model is at the scale that maximises the objective.")
    if data["approximation"]:
        console.print(f"Approximation: {data['approximation']}")


def _print_frontier(rows: list[dict[str, Any]], label: str, over: str) -> None:
    ids = [k.removeprefix("scale.") for r in rows for k in r if k.startswith("scale.")]
    ids = list(dict.fromkeys(ids))
    prob = label.startswith("probability")
    t = Table(title=f"Efficient frontier: best {label} by {over.replace('_', ' ')}")
    t.add_column("Budget", justify="right")
    t.add_column("Best", justify="right")
    t.add_column("Per extra £100k", justify="right")
    for i in ids:
        t.add_column(i, justify="right")
    for r in rows:
        if not r["feasible"]:
            t.add_row(_pounds(r["budget"]), "infeasible", "", *[""] * len(ids))
            continue
        best = share(r['objective'], 1) if prob else _pounds(r["objective"])
        per = "" if r["per_100k"] is None else (f"{r['per_100k'] * 100:+.2f} pts" if prob else _pounds(r["per_100k"]))
        t.add_row(_pounds(r["budget"]), best, per, *[share(r.get('scale.' + i, 0)) for i in ids])
    console.print(t)
