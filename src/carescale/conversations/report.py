"""The report on what people said and the public plan: pure functions of the proposals, the
responses (with the themes and quotes staff chose) and the decisions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .model import (
    CHANNELS,
    RESPONDENT_TYPES,
    Count,
    DecisionView,
    Proposal,
    ProposalReport,
    PublicPlan,
    Report,
    Response,
)
from .proposals import evidence_lines

METHOD = ("Counts are of every response recorded (entered by staff or through the public form), by proposal, "
          "stance and respondent type. Themes are tagged on comments by staff and quotes are chosen by staff; "
          "no automatic sentiment scoring is used. A comment is shown exactly as it was written.")


def count(responses: list[Response]) -> Count:
    by = {s: sum(1 for r in responses if r.stance == s) for s in ("support", "oppose", "not-sure")}
    return Count(support=by["support"], oppose=by["oppose"], not_sure=by["not-sure"], total=len(responses))


def _themes(responses: list[Response]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in responses:
        for t in r.themes:
            out[t] = out.get(t, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))


def build_report(conversation: str, proposals: list[Proposal], responses: list[Response]) -> Report:
    """Counts by proposal and stance and by respondent type, staff's themes and chosen quotes."""
    per = []
    for p in proposals:
        mine = [r for r in responses if r.proposal == p.id]
        per.append(ProposalReport(
            proposal=p.id, title=p.title, counts=count(mine),
            by_respondent={t: count([r for r in mine if r.respondent == t]) for t in RESPONDENT_TYPES
                           if any(r.respondent == t for r in mine)},
            themes=_themes(mine), quotes=[r for r in mine if r.quoted]))
    return Report(
        conversation=conversation, responses=len(responses), by_proposal=per,
        by_respondent={t: count([r for r in responses if r.respondent == t]) for t in RESPONDENT_TYPES},
        by_channel={c: sum(1 for r in responses if r.channel == c) for c in CHANNELS},
        themes=_themes(responses), quotes=[r for r in responses if r.quoted], method=METHOD)


def build_public_plan(conv: Any, proposals: list[Proposal], responses: list[Response],
                      decisions: dict[str, dict[str, Any]], published: tuple[bool, dt.datetime | None]) -> PublicPlan:
    """The decision on each proposal with its reason, the evidence it rests on, what people said
    and the investment plans that carry it out; the proposals not decided yet."""
    by_id = {p.id: p for p in proposals}
    out = []
    for p in proposals:
        d = decisions.get(p.id)
        if d is None:
            continue
        out.append(DecisionView(
            proposal=p.id, title=p.title, kind=p.kind, decision=d["decision"], reason=d["reason"], plans=list(d["plans"]),
            evidence=evidence_lines(p, by_id), people_said=count([r for r in responses if r.proposal == p.id]),
            decided_by=d["by"], decided_at=d["at"]))
    return PublicPlan(conversation=conv.id, council=conv.council, council_name=conv.council_name,
                      published=published[0], published_at=published[1], decisions=out,
                      undecided=[p.id for p in proposals if p.id not in decisions])
