"""Local conversations in the JSON API (issue 28; docs/conversations.md, "The API"), under
``/api/v1/conversations``. Every rule is :class:`carescale.conversations.service.Conversations`';
this module reads the request, checks who is asking and returns the library's views.

Who may do what (the same as the pages): anyone reads a conversation's pack (its picture and
proposals) and gives a response (no account; the library's duplicate check and per-client limit,
a hidden ``website`` field that must stay empty); the report and the public plan are public once
the plan is published; everything else needs a signed-in account with a role in the conversation's
owning organisation: ``read`` to list conversations and read responses and drafts, ``change`` to
create, add figures and proposals, enter responses as staff, tag themes and choose quotes,
``approve`` to decide and publish.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from ...conversations.model import (
    MAX_COMMENT,
    Conversation,
    ConversationIn,
    DecisionIn,
    DecisionView,
    LocalPicture,
    OutlookIn,
    OwnSpendIn,
    Pack,
    Proposal,
    ProposalIn,
    PublicPlan,
    Report,
    Response,
    WhatWorksIn,
)
from ...errors import PermissionDeniedError
from .common import ErrorBody

router = APIRouter(prefix="/api/v1/conversations", generate_unique_id_function=lambda route: route.name,
                   tags=["conversations"])


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {
        400: "The body cannot be read (not UTF-8 JSON), or the account may create in several organisations "
             "and names none.",
        401: "Sign in first: a personal API token ('Authorization: Bearer csk_...').",
        403: "The account's role in the conversation's organisation does not allow this.",
        404: "No such conversation (or its public plan is not published).",
        422: "Bad input: field-level messages, one line each.",
        429: "Too many responses from this client in the last hour.",
        503: "The store (database) cannot be used just now. Nothing was saved.",
    }
    return {code: {"model": ErrorBody, "description": text[code]} for code in codes}


def _svc(request: Request) -> Any:
    from ...conversations.service import Conversations

    return Conversations(getattr(request.app.state.store, "url", None))


def _staff(request: Request, conv: Conversation, action: str) -> str:
    """The signed-in user's email, if their role in the conversation's organisation allows ``action``."""
    from ..auth import require_role, require_user

    if conv.organisation is None:
        require_user(request)
        raise PermissionDeniedError(f"conversation {conv.id!r} has no owning organisation; only the CLI can change it")
    return require_role(request, conv.organisation, action).email


class Staff:
    """A route's staff check, as a dependency: it runs before the body is read, so an anonymous
    caller is told to sign in (401) and another organisation or too small a role refused (403)
    whatever the body holds. ``svc``: the conversations; ``by``: the user's email."""

    def __init__(self, action: str):
        self.action = action

    def __call__(self, request: Request, cid: str) -> "StaffCall":
        svc = _svc(request)
        return StaffCall(svc, _staff(request, svc.get(cid), self.action))


class StaffCall:
    def __init__(self, svc: Any, by: str):
        self.svc, self.by = svc, by


def _public(request: Request, cid: str, answer: Any) -> Any:
    """A public answer as the visitor may see it: the staff who entered, proposed or decided
    something are named (by email) to the conversation's organisation's members only; anyone else
    sees the organisation (docs/accounts.md, "People are named to the owner's members only")."""
    from ..access import people_hidden

    def plain(x: Any) -> Any:
        if isinstance(x, BaseModel):
            return x.model_dump(mode="json")
        return [plain(v) for v in x] if isinstance(x, list) else x

    return people_hidden(request, plain(answer), _svc(request).get(cid).organisation)


def _creator(request: Request) -> str:
    """The signed-in user who may create in at least one organisation (their email), before the body."""
    from ..auth import accounts, require_user

    user = require_user(request)
    if not accounts(request).creating_organisations(user):
        accounts(request).owner_for_new(user, None)  # the one-line 403: an editor of no organisation
    return user.email


READ, CHANGE, APPROVE = Depends(Staff("read")), Depends(Staff("change")), Depends(Staff("approve"))


class ResponseRequest(BaseModel):
    """A response. ``channel`` 'staff' needs a signed-in account with 'change'; ``website`` is a
    hidden form field that people leave empty."""

    model_config = ConfigDict(extra="forbid")
    proposal: str = Field(max_length=200)
    stance: Literal["support", "oppose", "not-sure"]
    respondent: Literal["uses-services", "carer", "staff", "provider", "partner", "other"]
    comment: str = Field("", max_length=MAX_COMMENT)
    channel: Literal["staff", "public"] = "public"
    website: str = Field("", max_length=200)


class ThemeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    theme: str = Field(max_length=200)
    on: bool = True


class QuoteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    chosen: bool = True


class GoalsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    goals: list[str] = Field(min_length=1, max_length=20)


class PublishRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    published: bool = True


@router.get("", summary="The conversations of the organisations the signed-in user belongs to",
            responses=_errors(401, 503))
def list_conversations(request: Request) -> list[Conversation]:
    from ..auth import accounts, require_user

    user = require_user(request)
    acc = accounts(request)
    return [c for c in _svc(request).list() if c.organisation is not None and acc.can(user, c.organisation, "read")]


@router.post("", status_code=201, summary="Start a conversation for a council (role 'change' in its organisation)",
             responses=_errors(400, 401, 403, 422, 503))
def create_conversation(request: Request, body: ConversationIn, by: str = Depends(_creator)) -> Conversation:
    """The owning organisation is ``organisation`` (the account must be an editor or above there),
    or the account's one such organisation."""
    from ..auth import accounts, current_user

    org = accounts(request).owner_for_new(current_user(request), body.organisation)
    return _svc(request).create(body.model_copy(update={"organisation": org}), by=by)


@router.get("/{cid}", summary="The conversation pack: goals, the local picture and the proposals (public)",
            responses=_errors(404, 503))
def conversation_pack(request: Request, cid: str) -> Pack:
    return _public(request, cid, _svc(request).pack(cid))


@router.post("/{cid}/goals", summary="The shared goals, replacing the paper's in our own words (role 'change')",
             responses=_errors(400, 401, 403, 404, 422, 503))
def conversation_goals(request: Request, cid: str, body: GoalsRequest, staff: StaffCall = CHANGE) -> Conversation:
    return staff.svc.set_goals(cid, body.goals, by=staff.by)


@router.get("/{cid}/picture", summary="The local picture (public)", responses=_errors(404, 503))
def conversation_picture(request: Request, cid: str) -> LocalPicture:
    return _public(request, cid, _svc(request).picture(cid))


@router.post("/{cid}/picture/spend", status_code=201, summary="The council's own figure for an area today",
             responses=_errors(400, 401, 403, 404, 422, 503))
def conversation_spend(request: Request, cid: str, body: OwnSpendIn, staff: StaffCall = CHANGE) -> LocalPicture:
    return staff.svc.set_own_spend(cid, body, by=staff.by)


@router.post("/{cid}/picture/works", status_code=201, summary="What inspectors, staff or people say works",
             responses=_errors(400, 401, 403, 404, 422, 503))
def conversation_works(request: Request, cid: str, body: WhatWorksIn, staff: StaffCall = CHANGE) -> LocalPicture:
    return staff.svc.add_what_works(cid, body, by=staff.by)


@router.post("/{cid}/picture/outlook", status_code=201, summary="The council's or NHS's own expected money for a year",
             responses=_errors(400, 401, 403, 404, 422, 503))
def conversation_outlook(request: Request, cid: str, body: OutlookIn, staff: StaffCall = CHANGE) -> LocalPicture:
    return staff.svc.add_outlook(cid, body, by=staff.by)


@router.get("/{cid}/proposals", summary="The proposals with their figures from the engine (public)",
            responses=_errors(404, 503))
def conversation_proposals(request: Request, cid: str) -> list[Proposal]:
    return _public(request, cid, _svc(request).proposals(cid))


@router.post("/{cid}/proposals", status_code=201, summary="A model to grow or a service to reduce",
             responses=_errors(400, 401, 403, 404, 422, 503))
def conversation_propose(request: Request, cid: str, body: ProposalIn, staff: StaffCall = CHANGE) -> Proposal:
    return request.app.state.inline.run(lambda: staff.svc.propose(cid, body, by=staff.by))


@router.post("/{cid}/responses", status_code=201, summary="Give a response (no account needed for the public)",
             responses=_errors(400, 401, 403, 404, 422, 429, 503))
def conversation_respond(request: Request, cid: str, body: ResponseRequest) -> Response:
    from ..service import client_of

    svc = _svc(request)
    conv = svc.get(cid)
    by = _staff(request, conv, "change") if body.channel == "staff" else None
    data = body.model_dump(exclude={"website"})
    return svc.respond(cid, data, by=by, client=None if by else client_of(request), honeypot=body.website)


@router.get("/{cid}/responses", summary="Every response with its themes and quotes (role 'read')",
            responses=_errors(401, 403, 404, 503))
def conversation_responses(request: Request, cid: str, proposal: str | None = Query(None, max_length=200),
                           staff: StaffCall = READ) -> list[Response]:
    return staff.svc.responses(cid, proposal)


@router.post("/{cid}/responses/{rid}/themes", summary="Tag (or untag) a theme on a response's comment",
             responses=_errors(400, 401, 403, 404, 422, 503))
def conversation_tag(request: Request, cid: str, rid: int, body: ThemeRequest, staff: StaffCall = CHANGE) -> Response:
    return staff.svc.tag(cid, rid, body.theme, on=body.on, by=staff.by)


@router.post("/{cid}/responses/{rid}/quote", summary="Choose (or drop) a response's comment as a quote",
             responses=_errors(400, 401, 403, 404, 422, 503))
def conversation_quote(request: Request, cid: str, rid: int, body: QuoteRequest, staff: StaffCall = CHANGE) -> Response:
    return staff.svc.quote(cid, rid, chosen=body.chosen, by=staff.by)


@router.get("/{cid}/report", summary="What people said (public once the plan is published; role 'read' before)",
            responses=_errors(401, 403, 404, 503))
def conversation_report(request: Request, cid: str) -> Report:
    svc = _svc(request)
    conv = svc.get(cid)
    if not conv.published:  # before publishing, the conversation's staff only
        _staff(request, conv, "read")
    return _public(request, cid, svc.report(cid))


@router.post("/{cid}/decisions", status_code=201, summary="The decision on a proposal (role 'approve')",
             responses=_errors(400, 401, 403, 404, 422, 503))
def conversation_decide(request: Request, cid: str, body: DecisionIn, staff: StaffCall = APPROVE) -> DecisionView:
    return staff.svc.decide(cid, body, by=staff.by)


@router.post("/{cid}/publish", summary="Publish the public plan or take it down (role 'approve')",
             responses=_errors(400, 401, 403, 404, 422, 503))
def conversation_publish(request: Request, cid: str, body: PublishRequest, staff: StaffCall = APPROVE) -> PublicPlan:
    return staff.svc.publish(cid, published=body.published, by=staff.by)


@router.get("/{cid}/plan", summary="The public plan (public once published; ?draft=true with role 'read')",
            responses=_errors(401, 403, 404, 503))
def conversation_plan(request: Request, cid: str, draft: bool = False) -> PublicPlan:
    svc = _svc(request)
    if draft:
        _staff(request, svc.get(cid), "read")
    return _public(request, cid, svc.public_plan(cid, draft=draft))
