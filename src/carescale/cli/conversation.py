"""`carescale conversation ...` (docs/conversations.md): a local conversation (SCIE 2017,
Appendix A) from the local picture to the public plan. Thin: every rule lives in
:mod:`carescale.conversations.service`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from ..safe_text import echo
from .common import Format, app, echo_listing, emit, output_option

conversation_app = typer.Typer(
    help="Local conversations: the local picture, proposals, responses, the report and the public plan.",
    no_args_is_help=True)
app.add_typer(conversation_app, name="conversation")

BY = typer.Option(None, "--by", help="Who is doing this (default: your login name).")
LIST_COLUMNS = [("Conversation", "id"), ("Council", "council_name"), ("Name", "name"), ("Organisation", "organisation"),
                ("Published", "published"), ("Created by", "created_by")]
RESPONSE_COLUMNS = [("No.", "id"), ("Proposal", "proposal"), ("Stance", "stance"), ("Respondent", "respondent"),
                    ("Comment", "comment"), ("Themes", "themes"), ("Quoted", "quoted"), ("Channel", "channel")]


def _service() -> Any:
    from ..conversations.service import Conversations

    return Conversations()


def _money(m: Any) -> str:
    from ..formatting import short_money

    return "not known" if m is None else f"{short_money(m.real)} ({m.price_base} prices)"


def _yaml(path: Path) -> Any:
    from ..io.paths import display_path
    from ..io.yaml import read_yaml

    return read_yaml(path), display_path(path)


@conversation_app.command("create")
def create_command(
    conversation: str = typer.Argument(..., metavar="ID", help="The conversation's id (lower-case, e.g. brum-2027)."),
    council: str = typer.Option(..., "--council", help="The council's ONS code (e.g. E08000025 for Birmingham)."),
    name: str = typer.Option(..., "--name", help="The conversation's name."),
    organisation: Optional[str] = typer.Option(None, "--organisation", help="The owning organisation's id."),
    prices: Optional[str] = typer.Option(None, "--prices", help="The price base of every money figure (e.g. 2024/25)."),
    by: Optional[str] = BY,
) -> None:
    """Start a conversation for a council, with the paper's shared goals in our own words."""
    conv = _service().create({"id": conversation, "council": council, "name": name, "organisation": organisation,
                              "price_year": prices}, by=by)
    echo(f"Created conversation {conv.id} for {conv.council_name} ({conv.council}), {conv.price_year} prices.")


@conversation_app.command("list")
def list_command(
    organisation: Optional[str] = typer.Option(None, "--organisation", help="Only this organisation's conversations."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
    output: Optional[Path] = output_option(),
) -> None:
    """Every conversation."""
    rows = [c.model_dump(mode="json") for c in _service().list(organisation)]
    if not rows and fmt is Format.table:
        typer.echo("No conversations yet: carescale conversation create ID --council CODE --name NAME")
        return
    echo_listing(rows, fmt, "Conversations", LIST_COLUMNS, output)


def _print_picture(p: Any) -> None:
    from ..conversations.model import WHO_SAID

    echo(f"{p.council_name} ({p.council}): what we spend today, {p.price_base} prices")
    for a in p.areas:
        echo(f"{a.area}. {a.title}")
        echo(f"   Spend today: {_money(a.spend)}" + (f" (official figures: {_money(a.official)})" if a.own and a.official else ""))
        echo(f"   {a.note}")
        for s in a.sayings:
            echo(f"   {WHO_SAID.get(s.who, s.who)}: {s.text} ({s.source})")
    for o in (p.outlook.council, p.outlook.nhs):
        echo(f"Money expected, {'council' if o.payer == 'council' else 'NHS'}: {o.note}")
        for y in o.years:
            echo(f"   {y.year}: central {_money(y.central)}, low {_money(y.low)}, high {_money(y.high)}"
                 + (f"; own figure {_money(y.own)}" if y.own else ""))


@conversation_app.command("picture")
def picture_command(
    conversation: str = typer.Argument(..., metavar="ID"),
    file: Optional[Path] = typer.Option(
        None, "--file", help="A YAML file of the council's own entries to add first: spend, works, outlook, goals "
        "(see docs/conversations.md)."),
    by: Optional[str] = BY,
    fmt: Format = typer.Option(Format.table, "--format", help="table or json."),
    output: Optional[Path] = output_option(),
) -> None:
    """The local picture: spend today by area (official or the council's own), what works, the money expected."""
    svc = _service()
    svc.get(conversation)
    if file is not None:
        from ..conversations.core import parse_input
        from ..conversations.model import PictureFileIn

        data, name = _yaml(file)
        entries = parse_input(PictureFileIn, data, name)
        for x in entries.spend:
            svc.set_own_spend(conversation, x, by=by)
        for x in entries.works:
            svc.add_what_works(conversation, x, by=by)
        for x in entries.outlook:
            svc.add_outlook(conversation, x, by=by)
        if entries.goals:
            svc.set_goals(conversation, entries.goals, by=by)
    p = svc.picture(conversation)
    emit(fmt, p.model_dump(mode="json"), table=lambda: _print_picture(p), output=output, command="picture")


@conversation_app.command("propose")
def propose_command(
    conversation: str = typer.Argument(..., metavar="ID"),
    file: Path = typer.Option(..., "--file", help="A YAML file with a list of proposals (see docs/conversations.md)."),
    by: Optional[str] = BY,
    fmt: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """Add proposals: models to grow (their figures from the engine for the council) and services to reduce."""
    from ..errors import ConversationError

    data, name = _yaml(file)
    items = data.get("proposals") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise ConversationError(f"{name}: proposals: give a list of proposals under 'proposals:'")
    if set(data) != {"proposals"}:
        raise ConversationError(f"{name}: unknown key {sorted(set(data) - {'proposals'})[0]!r}; the file holds 'proposals:' only")
    from ..conversations.core import parse_input
    from ..conversations.model import ProposalIn

    svc = _service()
    specs = [parse_input(ProposalIn, item, f"{name}: proposals[{i}]") for i, item in enumerate(items)]  # all first
    out = [svc.propose(conversation, spec, by=by, name=f"{name}: proposals[{spec.id}]") for spec in specs]

    from ..formatting import headcount

    def table() -> None:
        for p in out:
            f = p.figures
            what = (f"{headcount(f.people_helped)} a year, cost {_money(f.cost)}, net {_money(f.net)} a year"
                    if f else f"reduce {p.service.label} by {_money(p.reduction)} a year")  # type: ignore[union-attr]
            echo(f"{p.number}. {p.id} ({p.kind}, area {p.area}): {p.title}: {what}")

    emit(fmt, [p.model_dump(mode="json") for p in out], table=table, command="propose")


@conversation_app.command("respond")
def respond_command(
    conversation: str = typer.Argument(..., metavar="ID"),
    proposal: str = typer.Option(..., "--proposal", help="The proposal's id."),
    stance: str = typer.Option(..., "--stance", help="support, oppose or not-sure."),
    respondent: str = typer.Option(..., "--respondent",
                                   help="uses-services, carer, staff, provider, partner or other."),
    comment: str = typer.Option("", "--comment", help="The comment, kept exactly as written."),
    by: Optional[str] = BY,
) -> None:
    """Record one response entered by staff."""
    r = _service().respond(conversation, {"proposal": proposal, "stance": stance, "respondent": respondent,
                                          "comment": comment, "channel": "staff"}, by=by)
    echo(f"Recorded response {r.id} to {r.proposal}.")


@conversation_app.command("import")
def import_command(
    conversation: str = typer.Argument(..., metavar="ID"),
    file: Path = typer.Argument(..., metavar="RESPONSES.csv",
                                help="Columns: proposal, stance, respondent, comment (comment may be left out)."),
    by: Optional[str] = BY,
) -> None:
    """Import responses entered by staff from a CSV file; duplicates are counted once."""
    from ..io.paths import display_path
    from ..io.yaml import read_user_text

    got = _service().import_responses(conversation, read_user_text(file, "CSV file"), name=display_path(file), by=by)
    echo(f"Imported {got['added']} responses" + (f"; {got['duplicates']} duplicates skipped" if got["duplicates"] else "") + ".")


@conversation_app.command("tag")
def tag_command(
    conversation: str = typer.Argument(..., metavar="ID"),
    response: int = typer.Argument(..., metavar="RESPONSE", help="The response's number."),
    theme: str = typer.Argument(..., metavar="THEME", help="A short theme, e.g. transport."),
    remove: bool = typer.Option(False, "--remove", help="Take the theme off."),
    by: Optional[str] = BY,
) -> None:
    """Tag a theme on a response's comment (staff's own reading: no automatic scoring)."""
    r = _service().tag(conversation, response, theme, on=not remove, by=by)
    echo(f"Response {r.id} themes: {', '.join(r.themes) or 'none'}.")


@conversation_app.command("quote")
def quote_command(
    conversation: str = typer.Argument(..., metavar="ID"),
    response: int = typer.Argument(..., metavar="RESPONSE", help="The response's number."),
    remove: bool = typer.Option(False, "--remove", help="Drop the quote."),
    by: Optional[str] = BY,
) -> None:
    """Choose a response's comment as a quote for the report."""
    r = _service().quote(conversation, response, chosen=not remove, by=by)
    echo(f"Response {r.id} is {'a quote' if r.quoted else 'not a quote'}.")


@conversation_app.command("decide")
def decide_command(
    conversation: str = typer.Argument(..., metavar="ID"),
    proposal: str = typer.Option(..., "--proposal", help="The proposal's id."),
    decision: str = typer.Option(..., "--decision", help="grow, do-not-grow, reduce or keep."),
    reason: str = typer.Option(..., "--reason", help="The reason, in plain words."),
    plan: Optional[list[str]] = typer.Option(None, "--plan", help="A saved investment plan that carries it out (repeat)."),
    by: Optional[str] = BY,
) -> None:
    """Record the decision on a proposal, its reason and the investment plans that carry it out."""
    d = _service().decide(conversation, {"proposal": proposal, "decision": decision, "reason": reason,
                                         "plans": list(plan or [])}, by=by)
    echo(f"Decision on {d.proposal}: {d.decision}.")


def _report_rows(rep: Any) -> list[dict[str, Any]]:
    rows = []
    for p in rep.by_proposal:
        for who, c in [("all", p.counts), *p.by_respondent.items()]:
            rows.append({"proposal": p.proposal, "title": p.title, "respondent": who, "support": c.support,
                         "oppose": c.oppose, "not_sure": c.not_sure, "total": c.total})
    return rows


@conversation_app.command("report")
def report_command(
    conversation: str = typer.Argument(..., metavar="ID"),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv (csv: counts by proposal and respondent)."),
    output: Optional[Path] = output_option(),
) -> None:
    """The report on what people said: counts, staff's themes and quotes."""
    rep = _service().report(conversation)

    def table() -> None:
        echo(f"What people said: {rep.responses} responses.")
        for p in rep.by_proposal:
            c = p.counts
            echo(f"{p.title} ({p.proposal}): {c.support} support, {c.oppose} oppose, {c.not_sure} not sure")
            if p.themes:
                echo("   Themes: " + ", ".join(f"{t} ({n})" for t, n in p.themes.items()))
            for q in p.quotes:
                echo(f"   \"{q.comment}\" ({q.respondent})")
        from ..conversations.model import RESPONDENT_TYPES

        echo("Who responded: " + "; ".join(
            f"{RESPONDENT_TYPES[t]} {c.total} ({c.support} support, {c.oppose} oppose, {c.not_sure} not sure)"
            for t, c in rep.by_respondent.items() if c.total))
        echo(rep.method)

    emit(fmt, rep.model_dump(mode="json"), rows=lambda: _report_rows(rep), table=table, output=output, command="report")


@conversation_app.command("publish")
def publish_command(
    conversation: str = typer.Argument(..., metavar="ID"),
    withdraw: bool = typer.Option(False, "--withdraw", help="Take the public plan down."),
    by: Optional[str] = BY,
) -> None:
    """Publish the public plan (anyone can read it without an account), or take it down."""
    plan = _service().publish(conversation, published=not withdraw, by=by)
    n, u = len(plan.decisions), len(plan.undecided)
    echo(f"The public plan of {conversation} is {'published' if plan.published else 'not published'}"
         f" ({n} decision{'' if n == 1 else 's'}, {u} proposal{'' if u == 1 else 's'} not decided).")


@conversation_app.command("show")
def show_command(
    conversation: str = typer.Argument(..., metavar="ID"),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv (csv: the responses)."),
    output: Optional[Path] = output_option(),
) -> None:
    """Everything: the pack (goals, picture, proposals), the responses, the report, the public plan and what staff recorded."""
    svc = _service()
    pack = svc.pack(conversation)
    responses = svc.responses(conversation)
    data = {**pack.model_dump(mode="json"), "responses": [r.model_dump(mode="json") for r in responses],
            "report": svc.report(conversation).model_dump(mode="json"),
            "public_plan": svc.public_plan(conversation, draft=True).model_dump(mode="json"),
            "history": svc.history(conversation)}

    def table() -> None:
        c = pack.conversation
        echo(f"{c.name} ({c.id}): {c.council_name}, {c.price_year} prices; public plan "
             f"{'published' if c.published else 'not published'}")
        for g in c.goals:
            echo(f"- {g}")
        _print_picture(pack.picture)
        for p in pack.proposals:
            echo(f"Proposal {p.number}. {p.title} ({p.id}, {p.kind}): {p.meaning_for_people}")
        echo_listing([{**r.model_dump(mode="json"), "themes": ", ".join(r.themes)} for r in responses], Format.table,
                     "Responses", RESPONSE_COLUMNS, None)

    emit(fmt, data, rows=lambda: [{**r.model_dump(mode="json"), "themes": "; ".join(r.themes)} for r in responses],
         table=table, output=output, command="show")
