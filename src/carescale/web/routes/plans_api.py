"""The plan cycle in the JSON API (issue 24; docs/web.md): logic models from the builder's answers
(or a complete logic model), plans, reviews and a plan's history, under ``/api/v1/``.

Requests are typed (pydantic models from :mod:`carescale.plans.cycle` and
:class:`carescale.schema.plan.Actuals`), so the OpenAPI document has their schemas and a request
that does not match is 422 with field-level detail; what a schema cannot state (an unknown area or
cohort, a review date outside the plan, more people achieving an outcome than were supported) is
the library's one-line message, 422 under ``body``. An unknown plan or logic model in the address
is 404. Every answer is what the CLI prints with ``--format json`` for the same record.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from ...errors import NotFound, PlanError
from ...plans.cycle import Answers, PlanRequest
from ...schema.plan import Actuals
from ..access import creating, creator, logic_model_access, people_hidden, plan_access, saved_access, visible
from ..auth import accounts
from .common import ErrorBody

router = APIRouter(prefix="/api/v1", generate_unique_id_function=lambda route: route.name, tags=["plans"])


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {
        400: "The body cannot be read (not UTF-8 JSON).",
        401: "Sign in first: send a personal API token as 'Authorization: Bearer csk_...'.",
        403: "The account may read this but not change or approve it (docs/accounts.md).",
        404: "No such plan, logic model or saved scenario, or one of another organisation that is not shared with "
             "yours: the message names the id.",
        422: "Bad input: field-level messages, one line each.",
        429: "The server is working out other analyses; try again in a minute.",
        503: "The store (database) cannot be used just now. Nothing was saved.",
    }
    return {code: {"model": ErrorBody, "description": text[code]} for code in codes}


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class StartingPoints(BaseModel):
    """The promising models and case studies a logic model can start from."""

    models: list[dict[str, str]]
    case_studies: list[dict[str, str]]


class DraftRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: str = Field(description="model, case-study or blank", json_schema_extra={"enum": ["model", "case-study", "blank"]})
    source: str | None = Field(None, max_length=200, description="The promising model's or case study's id.")


class StoredLogicModel(BaseModel):
    """A stored logic model: its key (the hash of its canonical JSON), id, name and the logic
    model itself (what ``carescale logic-model validate`` reads)."""

    key: str
    id: str
    name: str
    logic_model: dict[str, Any]
    url: str | None = None


class LogicModelRequest(BaseModel):
    """A logic model to save: the builder's ``answers``, or a complete ``logic_model`` (the file's
    content as JSON). Give exactly one."""

    model_config = ConfigDict(extra="forbid")
    answers: Answers | None = None
    logic_model: dict[str, Any] | None = None


class PlanOut(_Open):
    """A plan as ``carescale plans show --format json`` prints it (targets, schedule, NPV, history)."""

    id: str
    name: str
    definition: dict[str, Any]
    history: list[dict[str, Any]]


class PlanHistory(PlanOut):
    """``plans show`` plus targets against actuals per review (``rows``) and each outcome rate's
    estimate before and after every review (``series``)."""

    rows: list[dict[str, Any]]
    series: list[dict[str, Any]]


class PlanSummary(_Open):
    id: str
    name: str
    reviews: int
    latest_recommendation: str | None


class ReviewOut(_Open):
    """A saved review with its recommendation and every figure it rests on (``reviews add --format json``)."""

    plan: str
    number: int
    decision: str
    reason: str


def _url(request: Request) -> str | None:
    return getattr(request.app.state.store, "url", None)


def _computing(request: Request, work: Any) -> Any:
    return request.app.state.inline.run(work)


ORGANISATION = Query(None, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$",
                     description="The organisation the new record belongs to (needed when the account is an editor "
                     "or above in several).")


def _owner(request: Request, plan_id: str) -> str | None:
    """The organisation that owns a plan (None: saved before accounts)."""
    return next(iter(accounts(request).owners("plan", plan_id)), None)


def _plan_404(work: Any, plan_id: str | None = None) -> Any:
    """An unknown plan or logic model in the address is 404 (naming the id, not every saved plan)."""
    try:
        return work()
    except PlanError as exc:
        if plan_id is not None and "unknown plan" in exc.message:
            raise NotFound(f"plan_id: no plan {plan_id!r} is saved here") from None
        if "unknown logic model" in exc.message:
            raise NotFound(exc.message) from None
        raise


@router.get("/logic-models/starting-points", summary="The promising models and case studies a logic model can start from")
def logic_model_starting_points() -> StartingPoints:
    from ...plans.cycle import starting_points

    return StartingPoints(**starting_points())


@router.post("/logic-models/draft", summary="The builder's answers filled in from a promising model or case study",
             responses=_errors(400, 422))
def logic_model_draft(body: DraftRequest) -> dict[str, Any]:
    from ...plans.cycle import draft

    return draft(body.start, body.source)


@router.post("/logic-models", status_code=201, responses=_errors(400, 401, 403, 422, 503),
             summary="Check a logic model (as 'logic-model validate') and store it for your organisation; its key and address",
             dependencies=[Depends(creating)])
def save_logic_model(request: Request, body: LogicModelRequest, organisation: str | None = ORGANISATION) -> StoredLogicModel:
    from ...plans.cycle import build_logic_model, save_logic_model as save

    user, owner = creator(request, organisation)
    if (body.answers is None) == (body.logic_model is None):
        raise PlanError("answers: give exactly one of answers (the builder's answers) or logic_model (a complete logic model)")
    data = build_logic_model(body.answers)[1] if body.answers is not None else body.logic_model
    rec = save(data, url=_url(request), owner=owner, actor=user.email)  # type: ignore[arg-type]
    return StoredLogicModel(**rec, url=f"/logic-models/{rec['key']}")


@router.get("/logic-models/{key}", summary="A stored logic model", responses=_errors(401, 404, 503),
            dependencies=[logic_model_access("read")])
def get_logic_model(request: Request, key: str) -> StoredLogicModel:
    from ...plans.cycle import stored_logic_model

    rec = _plan_404(lambda: stored_logic_model(key, url=_url(request)))
    return StoredLogicModel(**rec, url=f"/logic-models/{key}")


@router.get("/plans", summary="The plans you may read: your organisations', those shared with them and the "
            "published ones (the CLI's 'plans list --format json')", responses=_errors(503))
def list_plans(request: Request) -> list[PlanSummary]:
    from ...plans import list_plans as plans

    every = plans(url=_url(request))
    mine = visible(request, "plan", [p["id"] for p in every])
    return [PlanSummary(**people_hidden(request, p, p.get("owner"))) for p in every if p["id"] in mine]


@router.post("/plans", status_code=201, responses=_errors(400, 401, 403, 404, 422, 429, 503),
             summary="Create a plan for your organisation from a stored logic model or a library model: targets, "
             "schedule and NPV", dependencies=[Depends(creating)])
def create_plan(request: Request, body: PlanRequest, organisation: str | None = ORGANISATION) -> PlanOut:
    from ...plans.cycle import create_plan_from

    user, owner = creator(request, organisation)
    if body.logic_model is not None and re.fullmatch(r"[0-9a-f]{16,128}", body.logic_model) \
            and accounts(request).access(user, "logic-model", body.logic_model) == "none":
        # another organisation's logic model: the very answer an unknown key gets (nothing leaked)
        raise PlanError(f"logic_model: {body.logic_model!r} is not a saved logic model (unknown logic model); "
                        "save one first")
    return PlanOut(**_computing(request, lambda: create_plan_from(body, url=_url(request), owner=owner,
                                                                  actor=user.email)))


@router.get("/plans/{plan_id}", summary="A plan with its targets, schedule and whole history", responses=_errors(401, 404, 503),
            dependencies=[plan_access("read")])
def get_plan(request: Request, plan_id: str) -> PlanHistory:
    from ...plans.cycle import history

    h = _plan_404(lambda: history(plan_id, url=_url(request)), plan_id)
    return PlanHistory(**people_hidden(request, h, h.get("owner")))  # a person's email: its owner's members only


@router.get("/plans/{plan_id}/reviews", summary="A plan's reviews (the CLI's 'reviews list --format json')",
            responses=_errors(401, 404, 503), dependencies=[plan_access("read")])
def list_plan_reviews(request: Request, plan_id: str) -> list[dict[str, Any]]:
    from ...plans import list_reviews

    reviews = _plan_404(lambda: list_reviews(plan_id, url=_url(request)), plan_id)
    return people_hidden(request, reviews, _owner(request, plan_id))


@router.post("/plans/{plan_id}/reviews", status_code=201, responses=_errors(400, 401, 403, 404, 422, 429, 503),
             summary="Record a review's actuals; the updated estimates and the recommendation with its reason")
def add_plan_review(request: Request, plan_id: str, body: Actuals, user: Any = plan_access("change")) -> ReviewOut:
    from ...plans import add_review

    got = _plan_404(lambda: _computing(request, lambda: add_review(
        plan_id, body, by=body.recorded_by or user.email, url=_url(request), actor=user.email)), plan_id)
    return ReviewOut(**people_hidden(request, got, _owner(request, plan_id)))  # a partner's: by organisation


class ValueOfInformation(_Open):
    """How much evidence is enough (``carescale plans value-of-information --format json``): EVPI,
    EVPPI and the EVSI of each option, with its cost, net gain and what is left to learn."""

    plan: str
    evpi: float
    evppi: float
    options: list[dict[str, Any]]
    advice: str


NUMBERS = r"^[1-9][0-9]{0,6}(,[1-9][0-9]{0,6}){0,9}$"  # whole numbers from 1, comma-separated


def whole_numbers(text: str | None, name: str) -> tuple[int, ...]:
    """'1,2,4' as (1, 2, 4) (the query's pattern has checked the form)."""
    return tuple(int(x) for x in text.split(",")) if text else ()


@router.get("/plans/{plan_id}/value-of-information", responses=_errors(401, 404, 422, 429, 503),
            dependencies=[plan_access("read")],
            summary="How much evidence is enough: EVPI, and EVSI of more review periods or more people")
def plan_value_of_information(
    request: Request, plan_id: str,
    periods: str = Query("1,2,4,8,12", pattern=NUMBERS, description="Options: this many more review periods (comma-separated)."),
    people: str | None = Query(None, pattern=NUMBERS, description="Options: this many more people (comma-separated)."),
    draws: int | None = Query(None, ge=100, le=20_000, description="Monte Carlo draws (default 10,000; more with the CLI)."),
    cost_per_person: float | None = Query(None, ge=0, le=1e9, description="Pounds each extra person costs the evidence."),
) -> ValueOfInformation:
    from ...plans import load_plan
    from ...plans.evidence_value import value_of_information

    _plan_404(lambda: load_plan(plan_id, url=_url(request)), plan_id)  # an unknown plan is 404 whatever is asked
    limits = request.app.state.policy
    if draws is not None and draws > limits.sync_draws:
        raise PlanError(f"draws: {draws:,} is more than this server works out at once ({limits.sync_draws:,})")
    got = _plan_404(lambda: _computing(request, lambda: value_of_information(
        plan_id, periods=whole_numbers(periods, "periods"), people=whole_numbers(people, "people"), draws=draws,
        cost_per_person=cost_per_person, url=_url(request))), plan_id)
    return ValueOfInformation(**got)


# -- approvals and shares (issue 27; docs/accounts.md, "Ownership, sharing and approvals") ---------------


class ApprovalRequest(BaseModel):
    """What is approved: the plan (no ``review``) or review ``review``'s recommendation; ``scenario_id``
    the plan's scenario as the approver saw it (checked: a different one is refused)."""

    model_config = ConfigDict(extra="forbid")
    review: int | None = Field(None, ge=1, le=100_000)
    scenario_id: str | None = Field(None, max_length=128, pattern=r"^[0-9a-f]{8,128}$")


class Approval(BaseModel):
    """A recorded sign-off: who, when, for which organisation, and the scenario id they saw."""

    kind: str = Field(description="plan or recommendation")
    plan: str
    review: int | None
    organisation: str
    approved_by: str
    approved_at: str
    scenario_id: str | None
    decision: str | None


class ShareRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    partner: str = Field(max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$", description="The partner organisation's id.")
    access: str = Field("read", description="read (read-only) or edit (editable)",
                        json_schema_extra={"enum": ["read", "edit"]})


class Share(BaseModel):
    kind: str
    object_id: str
    owner: str
    partner: str
    access: str
    shared_by: str
    shared_at: str


@router.get("/plans/{plan_id}/approvals", summary="A plan's approvals: who signed off the plan or a review's "
            "recommendation, when, and the scenario id they saw", responses=_errors(401, 404, 503),
            dependencies=[plan_access("read")])
def list_approvals(request: Request, plan_id: str) -> list[Approval]:
    found = accounts(request).approvals(plan_id)
    return [Approval(**a) for a in people_hidden(request, found, _owner(request, plan_id))]


@router.post("/plans/{plan_id}/approvals", status_code=201, responses=_errors(400, 401, 403, 404, 422, 503),
             summary="Approve the plan or a review's recommendation (an approver or admin of its organisation)")
def approve_plan(request: Request, plan_id: str, body: ApprovalRequest, user: Any = plan_access("approve")) -> Approval:
    return Approval(**accounts(request).approve(user, plan_id, body.review, body.scenario_id))


@router.post("/plans/{plan_id}/shares", status_code=201, responses=_errors(400, 401, 403, 404, 422, 503),
             summary="Share the plan with a partner organisation, read-only or editable (an admin of its organisation)")
def share_plan(request: Request, plan_id: str, body: ShareRequest, user: Any = plan_access("change")) -> Share:
    return Share(**accounts(request).share(user, "plan", plan_id, body.partner, body.access))


@router.delete("/plans/{plan_id}/shares/{partner}", status_code=204, responses=_errors(401, 403, 404, 503),
               summary="Stop sharing the plan with a partner organisation (an admin of its organisation)")
def unshare_plan(request: Request, plan_id: str, partner: str, user: Any = plan_access("change")) -> None:
    accounts(request).unshare(user, "plan", plan_id, partner)


# The same sharing for a logic model and a saved scenario (the Share sections of their pages; the
# same library functions and rules as a plan's: the owner's admins share, 201 and 204; another
# organisation's record is 404, as one that does not exist; a viewer, or an editor who is not an
# admin, is 403).


@router.post("/logic-models/{key}/shares", status_code=201, responses=_errors(400, 401, 403, 404, 422, 503),
             summary="Share the logic model with a partner organisation, read-only or editable (an admin of an "
             "organisation that owns it)")
def share_logic_model(request: Request, key: str, body: ShareRequest, user: Any = logic_model_access("change")) -> Share:
    return Share(**accounts(request).share(user, "logic-model", key, body.partner, body.access))


@router.delete("/logic-models/{key}/shares/{partner}", status_code=204, responses=_errors(401, 403, 404, 503),
               summary="Stop sharing the logic model with a partner organisation (an admin of an organisation that owns it)")
def unshare_logic_model(request: Request, key: str, partner: str, user: Any = logic_model_access("change")) -> None:
    accounts(request).unshare(user, "logic-model", key, partner)


@router.post("/saved/{saved_key}/shares", status_code=201, responses=_errors(400, 401, 403, 404, 422, 503),
             tags=["saved scenarios"],
             summary="Share the saved scenario with a partner organisation, read-only or editable (an admin of its "
             "organisation)")
def share_saved_scenario(request: Request, saved_key: str, body: ShareRequest,
                         user: Any = saved_access("change")) -> Share:
    return Share(**accounts(request).share(user, "saved-scenario", saved_key, body.partner, body.access))


@router.delete("/saved/{saved_key}/shares/{partner}", status_code=204, responses=_errors(401, 403, 404, 503),
               tags=["saved scenarios"],
               summary="Stop sharing the saved scenario with a partner organisation (an admin of its organisation)")
def unshare_saved_scenario(request: Request, saved_key: str, partner: str, user: Any = saved_access("change")) -> None:
    accounts(request).unshare(user, "saved-scenario", saved_key, partner)
