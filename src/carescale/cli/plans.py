"""`carescale plans create|list|show` and `carescale reviews add|list` (docs/plans.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer
from rich.table import Table

from ..safe_text import styled
from ..errors import PlanError
from ..formatting import share
from .common import Format, app, console, echo_listing, emit, output_option

plans_app = typer.Typer(help="Investment plans: a model in an area with budget, phases, targets and funding.", no_args_is_help=True)
reviews_app = typer.Typer(help="Reviews of a plan against real outcomes, each with a recommendation.", no_args_is_help=True)
app.add_typer(plans_app, name="plans")
app.add_typer(reviews_app, name="reviews")

PLAN_COLUMNS = [
    ("Plan", "id"), ("Name", "name"), ("Model", "model"), ("Area", "area"), ("Start", "start"),
    ("End", "end"), ("Reviews", "reviews"), ("Latest recommendation", "latest_recommendation"),
    ("Created by", "created_by"), ("Owner", "owned_by"),
]
#: A plan saved before accounts belongs to no organisation until adopted (docs/accounts.md).
NOBODY = "nobody (saved before accounts)"
REVIEW_COLUMNS = [
    ("No.", "number"), ("Period", "period"), ("People", "people_supported"), ("Outcomes", "outcomes_text"),
    ("Spent", "money_spent"), ("P(saves)", "prob_saving"), ("Expected NPV", "expected_npv"),
    ("Recommendation", "decision"), ("Recorded by", "recorded_by"), ("When", "recorded_at"),
]


def _review_rows(reviews: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for r in reviews:
        rows.append({
            **{k: v for k, v in r.items() if k not in ("outcomes", "posterior")},
            "period": f"{r['period_start']} to {r['period_end']}",
            "outcomes_text": ", ".join(f"{k} {v}" for k, v in r["outcomes"].items()),
            **{f"outcome.{k}": v for k, v in r["outcomes"].items()},
            **{f"posterior_mean.{k}": v["mean"] for k, v in r.get("posterior", {}).items()},
        })
    return rows


@plans_app.command("create")
def create_command(
    file: Path = typer.Argument(..., metavar="PLAN.yaml", help="The plan file (see docs/plans.md)."),
    by: Optional[str] = typer.Option(None, "--by", help="Who is creating the plan (default: your login name)."),
    org: Optional[str] = typer.Option(None, "--org", help="The organisation the plan belongs to (default: none "
                                      "until adopted; docs/accounts.md)."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv (csv: the review schedule)."),
    output: Optional[Path] = output_option(),
) -> None:
    """Create a plan: derive its targets from the break-even analysis and store it."""
    from ..plans.plan import create_plan

    if org is not None:
        _known_organisation(org)
    _emit_plan(create_plan(file, by=by, owner=org), fmt, output, created=True)


def _organisation_names() -> dict[str, str]:
    """Each organisation's name by its id (the accounts of the same database)."""
    from ..accounts import open_accounts

    return {o["id"]: o["name"] for o in open_accounts().organisations()}


def _known_organisation(org: str) -> None:
    from ..accounts import open_accounts
    from ..accounts.core import check_slug
    from ..errors import NotFound

    check_slug(org)
    known = [o["id"] for o in open_accounts().organisations()]
    if org not in known:
        raise NotFound(f"--org: there is no organisation {org!r}; "
                       + (f"the organisations are: {', '.join(known)}" if known else
                          "make one with carescale users create-admin"))


@plans_app.command("adopt")
def adopt_command(
    plans: list[str] = typer.Argument(None, metavar="[PLAN]...", help="The plans to adopt (saved before accounts)."),
    org: str = typer.Option(..., "--org", help="The organisation that will own them."),
    every: bool = typer.Option(False, "--all", help="Adopt every plan, logic model and saved scenario that belongs "
                               "to nobody."),
) -> None:
    """Give plans saved before accounts existed (owned by nobody: read-only in the web app) to an organisation."""
    from ..accounts import open_accounts

    _known_organisation(org)
    if not plans and not every:
        raise PlanError("plans: name the plans to adopt, or give --all for everything that belongs to nobody")
    acc = open_accounts()
    wanted = acc.unowned() if every else {"plan": list(plans), "logic-model": [], "saved-scenario": []}
    words = {"plan": "plan", "logic-model": "logic model", "saved-scenario": "saved scenario"}
    done = []
    for kind in ("plan", "logic-model", "saved-scenario"):
        got = acc.adopt(org, kind, wanted[kind])
        if got:
            done.append(f"{len(got)} {words[kind]}{'s' if len(got) != 1 else ''}")
    typer.echo(f"Adopted for {org}: {', '.join(done)}." if done else "Nothing belongs to nobody: nothing to adopt.")


@plans_app.command("list")
def list_command(
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
    output: Optional[Path] = output_option(),
) -> None:
    """Every saved plan, with its latest recommendation and the organisation that owns it."""
    from ..plans.plan import list_plans

    rows = list_plans()
    if not rows and fmt is Format.table:
        typer.echo("No plans saved yet: carescale plans create PLAN.yaml")
        return
    names = _organisation_names() if any(r.get("owner") for r in rows) else {}
    rows = [{**r, "owned_by": names.get(r["owner"], r["owner"]) if r.get("owner") else NOBODY} for r in rows]
    echo_listing(rows, fmt, "Investment plans", PLAN_COLUMNS, output)


@plans_app.command("show")
def show_command(
    plan_id: str = typer.Argument(..., metavar="PLAN", help="The plan's id."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv (csv: the review schedule)."),
    output: Optional[Path] = output_option(),
) -> None:
    """A plan: targets, schedule, funding, and every review and recommendation so far."""
    from ..plans.plan import show_plan

    _emit_plan(show_plan(plan_id), fmt, output)


def _whole_numbers(text: str, option: str) -> list[int]:
    out = []
    for part in text.split(","):
        try:
            out.append(int(part.strip()))
        except ValueError:
            raise PlanError(f"{option}: {part.strip()!r} is not a whole number; give whole numbers separated by commas, "
                            "for example 1,2,4") from None
    return out


@plans_app.command("value-of-information")
def value_of_information_command(
    plan_id: str = typer.Argument(..., metavar="PLAN", help="The plan's id."),
    periods: str = typer.Option("1,2,4,8,12", "--periods", help="Options: this many more review periods (comma-separated)."),
    people: Optional[str] = typer.Option(None, "--people", help="Options: this many more people (comma-separated)."),
    cost_per_person: Optional[float] = typer.Option(
        None, "--cost-per-person", help="What the evidence costs a person (default: the expected net loss of supporting one)."),
    draws: Optional[int] = typer.Option(None, "--draws", help="Monte Carlo draws, 100 to 1,000,000 (default 10,000)."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Random seed."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv (csv: one row an option)."),
    output: Optional[Path] = output_option(),
) -> None:
    """How much evidence is enough: EVPI, and EVSI of more review periods or more people."""
    from ..plans.evidence_value import value_of_information

    data = value_of_information(
        plan_id, periods=_whole_numbers(periods, "--periods"), people=_whole_numbers(people, "--people") if people else (),
        draws=draws, seed=seed, cost_per_person=cost_per_person)

    def table() -> None:
        from ..formatting import money

        console.print(f"Value of information for plan {data['plan']} after {data['reviews']} review(s)", style="bold")
        console.print(f"Expected NPV {money(data['expected_npv'])} ({data['decision_now']} now); EVPI "
                      f"{money(data['evpi'])}; EVPPI of what reviews learn {money(data['evppi'])} ({data['draws']:,} draws)")
        t = Table(title="More evidence: its expected value (EVSI), cost and net gain")
        for c in ("Option", "Until", "Expected people", "EVSI", "Cost", "Net gain", "Left to learn"):
            t.add_column(c, justify="left" if c in ("Option", "Until") else "right")
        for o in data["options"]:
            label = f"{o['periods']} more period(s)" if o["kind"] == "periods" else f"{o['people']:,} more people"
            t.add_row(label, o.get("until", ""), f"{o['expected_people']:,.0f}", money(o["evsi"]), money(o["cost"]),
                      money(o["net_gain"]), money(o["remaining"]))
        console.print(t)
        console.print(data["advice"])

    emit(fmt, data, rows=lambda: [{"plan": data["plan"], **o} for o in data["options"]], table=table, output=output)


@plans_app.command("history")
def history_command(
    plan_id: str = typer.Argument(..., metavar="PLAN", help="The plan's id."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv (one row a review, every column)."),
    output: Optional[Path] = output_option(),
) -> None:
    """A plan's review history: targets against actuals, each rate's posterior, every recommendation and its reason."""
    from ..plans.history import review_history

    data = review_history(plan_id)

    def rows() -> list[dict[str, Any]]:
        return [{key: r.get(key) for key, _ in data["columns"]} for r in data["rows"]]

    def table() -> None:
        if not data["rows"]:
            console.print(f"Plan {plan_id} has no reviews yet: carescale reviews add {plan_id} --file REVIEW.yaml")
            return
        from ..plans.review import list_reviews

        _print_reviews(list_reviews(plan_id))
        t = Table(title="Outcome rates over time: posterior mean (90% interval); achieved / needed to break even")
        t.add_column("Review")
        for _, desc in data["outcomes"]:
            t.add_column(desc, justify="right")
        for r in data["rows"]:
            t.add_row(str(r["number"]), *(
                f"{share(r[f'posterior_mean.{oid}'], 1)} ({share(r[f'posterior_p05.{oid}'], 1)}-"
                f"{share(r[f'posterior_p95.{oid}'], 1)}); {r[f'achieved.{oid}']} / "
                f"{'n/a' if r[f'target.{oid}'] is None else format(r[f'target.{oid}'], ',.1f')}"
                for oid, _ in data["outcomes"]))
        console.print(t)

    emit(fmt, data, rows=rows, table=table, output=output)


def _emit_plan(data: dict[str, Any], fmt: Format, output: Optional[Path], created: bool = False) -> None:
    def rows() -> list[dict[str, Any]]:
        return [
            {k: s[k] for k in ("number", "start", "end", "planned_people", "planned_spend")}
            | {f"break_even.{k}": v for k, v in s["break_even_outcomes"].items()}
            for s in data["definition"]["schedule"]
        ]

    emit(fmt, data, rows=rows, table=lambda: _print_plan(data, created), output=output)


def _print_plan(data: dict[str, Any], created: bool = False) -> None:
    d = data["definition"]
    spec = d["spec"]
    from ..formatting import short_money as money

    head = "Created plan" if created else "Plan"
    console.print((f"{head} {data['id']}: {data['name']}"), style="bold")
    console.print((
        f"{d['model']['name']} ({d['model']['kind'].replace('_', ' ')}, evidence level {d['model']['evidence_level']}) in "
        f"{spec['area']}, {spec['start']} to {spec['end']}, reviewed {spec['review_period']}; scenario {data['scenario_id'][:12]}"
    ))
    budget = spec["budget"]["value"]
    console.print(
        f"Budget {money(budget)}; planned spend {money(d['planned_spend'])} "
        f"({'within' if d['within_budget'] else 'OVER'} budget)"
    )
    f = spec["funding"]
    route = {"core_budget": "core budget", "transition_funds": "transition funds", "social_investment": "social investment"}[f["route"]]
    lines = "; ".join(f"{ln['name']} ({money(ln['amount']['value'])})" for ln in f["reduced_service_lines"])
    console.print((f"Funding: {route}" + (f", reducing: {lines}" if lines else "") + (f"; from {f['source']}" if f.get("source") else "")))
    for ph in spec["phases"]:
        console.print((f"Phase: {ph['name']}, {ph['start']} to {ph['end']}, at {share(ph['scale'])} of the model's potential"))
    for c in d.get("counterfactual", []):
        b = c["baseline"]
        base = (f"a {b['comparison']} comparison group recorded at each review" if b["kind"] == "comparison"
                else f"{share(b['rate'], 2)} a year ({b['figure']['source']}, {b['figure']['name']})" if b["kind"] == "official"
                else f"{share(b['rate'], 2)} a year (the evidence)")
        informs = f"; informs '{c['informs']}'" if c.get("informs") else ""
        console.print(f"Counterfactual: '{c['description']}' against {base}{informs}")
    console.print(styled(("Targets per outcome", "bold"), " (break-even, council and NHS together):"))
    for o in d["outcomes"]:
        console.print(f"- {(o['target'])}")
    table = Table(title="Review schedule: people, spend and outcomes needed to break even")
    ids = [o["id"] for o in d["outcomes"]]
    for c in ["No.", "Period", "People", "Spend", *ids]:
        table.add_column((c), justify="left" if c == "Period" else "right")
    for s in d["schedule"]:
        table.add_row(
            str(s["number"]), f"{s['start']} to {s['end']}", f"{s['planned_people']:,.0f}", money(s["planned_spend"]),
            *("" if s["break_even_outcomes"][i] is None else f"{s['break_even_outcomes'][i]:,.1f}" for i in ids),
        )
    console.print(table)
    history = data.get("history", [])
    if history:
        _print_reviews(history)


def _print_reviews(reviews: list[dict[str, Any]]) -> None:
    from ..formatting import short_money as money

    table = Table(title="Reviews and recommendations")
    for h, _ in REVIEW_COLUMNS:
        table.add_column(h)
    for r in _review_rows(reviews):
        table.add_row(
            str(r["number"]), r["period"], f"{r['people_supported']:,}", (r["outcomes_text"]),
            money(r["money_spent"]), share(r['prob_saving'], 1), money(r["expected_npv"]),
            r["decision"], (r["recorded_by"]), r["recorded_at"][:19],
        )
    console.print(table)
    console.print((f"Latest: {reviews[-1]['reason']}"))


def _parse_outcomes(items: list[str], option: str = "--outcome", example: str = "fall-admission-avoided=11") -> dict[str, Any]:
    out: dict[str, Any] = {}
    what = "PEOPLE" if option == "--outcome" else "EVENTS"
    for item in items:
        key, sep, val = item.partition("=")
        if not sep or not key.strip():
            raise PlanError(f"{option}: {item!r} is not valid; write OUTCOME={what}, for example {example}")
        if key.strip() in out:
            raise PlanError(f"{option}: {key.strip()} is given twice; give each outcome once")
        try:
            out[key.strip()] = int(val)
        except ValueError:
            raise PlanError(f"{option} {key.strip()}: {val!r} is not a whole number of {what.lower()}") from None
    return out


def _parse_observed(observed: list[str], comparison: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {k: {"events": v} for k, v in _parse_outcomes(observed, "--observed", "care-home-admission=2").items()}
    for item in comparison:
        key, sep, val = item.partition("=")
        people, colon, events = val.partition(":")
        key = key.strip()
        if not sep or not key or not colon:
            raise PlanError(f"--comparison: {item!r} is not valid; write OUTCOME=PEOPLE:EVENTS, for example care-home-admission=100:9")
        if key not in out:
            raise PlanError(f"--comparison {key}: give the events among the people supported too (--observed {key}=EVENTS)")
        try:
            out[key] |= {"comparison_people": int(people), "comparison_events": int(events)}
        except ValueError:
            raise PlanError(f"--comparison {key}: {val!r} is not valid; write PEOPLE:EVENTS as whole numbers, for example 100:9") from None
    return out


@reviews_app.command("add")
def add_command(
    plan_id: str = typer.Argument(..., metavar="PLAN", help="The plan's id."),
    file: Optional[Path] = typer.Option(None, "--file", help="A review file (YAML) with the actuals."),
    period_end: Optional[str] = typer.Option(None, "--period-end", help="Last day of the period, YYYY-MM-DD."),
    people: Optional[int] = typer.Option(None, "--people", help="People supported in the period."),
    outcome: list[str] = typer.Option([], "--outcome", help="OUTCOME=PEOPLE who achieved it (once per outcome)."),
    spent: Optional[float] = typer.Option(None, "--spent", help="Money spent in the period, pounds."),
    observed: list[str] = typer.Option(
        [], "--observed", help="OUTCOME=EVENTS seen among the people supported, for the plan's counterfactual outcomes."),
    comparison: list[str] = typer.Option(
        [], "--comparison", help="OUTCOME=PEOPLE:EVENTS in the comparison group (matched or waiting list), same period."),
    note: Optional[str] = typer.Option(None, "--note", help="A note kept with the review."),
    by: Optional[str] = typer.Option(None, "--by", help="Who recorded it (default: your login name)."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
    output: Optional[Path] = output_option(),
) -> None:
    """Record a review's actuals; prints the updated outcome rates and the recommendation."""
    from ..plans.review import add_review

    if file is not None:
        if any(v is not None for v in (period_end, people, spent)) or outcome or observed or comparison:
            raise PlanError("reviews add: give the actuals either in --file or as options, not both")
        actuals: Any = file
    else:
        missing = [n for n, v in (("--period-end", period_end), ("--people", people), ("--spent", spent)) if v is None]
        if missing:
            raise PlanError(f"reviews add: {', '.join(missing)} missing; give them, or a review file with --file")
        actuals = {"period_end": period_end, "people_supported": people, "outcomes": _parse_outcomes(outcome),
                   "money_spent": spent, "note": note, "observed": _parse_observed(observed, comparison)}
    data = add_review(plan_id, actuals, by=by)

    def rows() -> list[dict[str, Any]]:
        return [{
            "plan": data["plan"], "number": data["number"], "outcome": o["id"], "achieved": o["achieved"],
            "people": o["people"], "prior_a": o["prior"]["a"], "prior_b": o["prior"]["b"],
            "posterior_a": o["posterior"]["a"], "posterior_b": o["posterior"]["b"], "posterior_mean": o["posterior"]["mean"],
            "break_even_rate": o["break_even_rate"], "prob_saving": data["simulation"]["prob_saving"],
            "expected_npv": data["simulation"]["expected_npv"], "decision": data["decision"],
        } for o in data["outcomes"]]

    emit(fmt, data, rows=rows, table=lambda: _print_review(data), output=output)


def _print_review(data: dict[str, Any]) -> None:
    from ..formatting import short_money as money

    console.print(f"Saved review {data['number']} of plan {data['plan']} (by {data['recorded_by']})", style="bold")
    table = Table(title="Outcome rates: prior, what was seen, posterior")
    for c in ("Outcome", "Evidence", "Avoided (your own count)", "Posterior mean", "90% interval", "Break-even", "On target"):
        table.add_column(c, justify="left" if c == "Outcome" else "right")
    for o in data["outcomes"]:
        p = o["posterior"]
        table.add_row(
            o["description"], share(o['evidence_rate'], 1),
            f"{o['achieved']:,.1f}/{o['people']}" if isinstance(o["achieved"], float) else f"{o['achieved']}/{o['people']}",
            share(p['mean'], 1),
            f"{share(p['p05'], 1)}-{share(p['p95'], 1)}",
            "" if o["break_even_rate"] is None else share(o['break_even_rate'], 1),
            {True: "yes", False: "no", None: ""}[o["on_target"]],
        )
    console.print(table)
    if data.get("counterfactual"):
        _print_counterfactual(data["counterfactual"])
    s = data["simulation"]
    console.print(
        f"People {data['people_supported']:,} of {data['planned_people']:,.0f} planned; spent "
        f"{money(data['money_spent'])} of {money(data['planned_spend'])} planned "
        f"(budget {money(data['budget'])}). Cost per person now {money(data['updated']['cost_per_person']['mean'])} "
        f"(planned {money(data['updated']['cost_per_person']['planned'])}); reach "
        f"{share(data['updated']['reach']['mean'], 1)} of the planned people. "
        f"Chance of saving money {share(s['prob_saving'], 1)}, expected NPV {money(s['expected_npv'])} "
        f"over {s['years']} years ({s['draws']:,} draws; optimism bias {'on' if s['optimism_bias'] else 'off'})."
    )
    console.print(data["reason"], style="bold")


def _print_counterfactual(effects: list[dict[str, Any]]) -> None:
    table = Table(title="Observed against the counterfactual (events among the people supported; 95% interval)")
    for c in ("Outcome", "Baseline", "People", "Seen", "Expected without", "Avoided", "95% interval"):
        table.add_column(c, justify="left" if c in ("Outcome", "Baseline") else "right")
    for e in effects:
        b = e["baseline"]
        base = (f"{b['comparison']} comparison group" if b["kind"] == "comparison"
                else f"{share(b['rate'], 2)} a year ({'official' if b['kind'] == 'official' else 'evidence'})")
        if e.get("estimate", 1) is None:
            table.add_row(e["description"], base, f"{e['people']:,}", str(e["observed"]), "", "", e.get("note", ""))
            continue
        table.add_row(e["description"], base, f"{e['people']:,}", str(e["observed"]), f"{e['expected']:.1f}",
                      f"{e['avoided']:.1f}", f"{e['avoided_low']:.1f} to {e['avoided_high']:.1f}")
    console.print(table)


@reviews_app.command("list")
def list_reviews_command(
    plan_id: str = typer.Argument(..., metavar="PLAN", help="The plan's id."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
    output: Optional[Path] = output_option(),
) -> None:
    """Every review of a plan with its recommendation, who recorded it and when."""
    from ..plans.review import list_reviews

    reviews = list_reviews(plan_id)
    if not reviews and fmt is Format.table and output is None:
        console.print(f"Plan {plan_id} has no reviews yet: carescale reviews add {plan_id} --file REVIEW.yaml")
        return
    emit(
        fmt, reviews,
        rows=lambda: [{k: v for k, v in r.items() if k != "outcomes_text"} for r in _review_rows(reviews)],
        table=lambda: _print_reviews(reviews), output=output,
    )
