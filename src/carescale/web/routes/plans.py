"""The plan cycle's pages (issue 24; docs/web.md, "Logic models, plans and reviews"): the
logic-model builder (one question a page, then check your answers), a stored logic model, the
plan form, a plan's page with its whole history, and the review form.

Every figure comes from :mod:`carescale.plans` (the same functions and store as ``carescale
logic-model``, ``plans`` and ``reviews``); what takes computing (a plan's targets, a review's
10,000 draws) runs in one of the resource policy's inline slots, as a page's Monte Carlo does.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from ...errors import CarescaleError, NotFound, PlanError
from ...library import default_library
from .. import charts, plan_forms
from ..access import (
    access_level, creating, creating_organisations, creator, logic_model_access, people_hidden, plan_access,
    sees_people, share_form, sharing, visible,
)
from ..auth import accounts, current_user
from ..forms import ErrorSummary
from ..plan_forms import PlanForm, ReviewForm
from ..security import plotly_style_ids
from ..templating import render, see_other

router = APIRouter(include_in_schema=False)
#: The logic-model builder and the plan form make records of an organisation: signed-in editors only.
CREATING = [Depends(creating)]

DECISION_WORDS = {"increase": "Increase investment", "continue": "Continue", "redesign": "Redesign",
                  "reduce": "Reduce", "stop": "Stop"}
DECISION_COLOURS = {"increase": "green", "continue": "blue", "redesign": "yellow", "reduce": "orange", "stop": "red"}


def store_url(request: Request) -> str | None:
    """The database the plans are kept in: the app's scenario store's (``DATABASE_URL`` or the
    user's SQLite file when it names none)."""
    return getattr(request.app.state.store, "url", None)


def computing(request: Request, work: Any) -> Any:
    """Work that takes computing (a plan's targets, a review's draws) in one of the resource
    policy's inline slots (docs/security.md, "Bounds")."""
    return request.app.state.inline.run(work)


def _cycle() -> Any:
    from ...plans import cycle

    return cycle


def _cohorts() -> list[tuple[str, str]]:
    lib = default_library()
    return [(k, v.description) for k, v in lib.vocabulary.cohorts.items()]


def _steps() -> dict[str, plan_forms.Step]:
    return plan_forms.steps(_cohorts())


def _draft(request: Request, d: str | None = None) -> dict[str, Any]:
    return plan_forms.decode(d if d is not None else request.query_params.get("d"))


def _step_url(step: str, draft: dict[str, Any], then: str | None = None) -> str:
    base = "/logic-models/new" if step == "start" else f"/logic-models/new/{step}"
    query = f"?d={plan_forms.encode(draft)}" if draft else ""
    if then:
        query += ("&" if query else "?") + f"then={quote(then)}"
    return base + query


def _choices(draft: dict[str, Any]) -> dict[str, Any]:
    """The options of the source page and the valid answers of every select."""
    points = _cycle().starting_points()
    if draft.get("start") == "case-study":
        options = [(c["id"], f"{c['name']} ({c['place']})") for c in points["case_studies"]]
    else:
        options = [(m["id"], m["name"]) for m in points["models"]]
    return {"options": {"source": options}, "valid": {"source": {o[0] for o in options},
                                                     "cohort": {c[0] for c in _cohorts()}}}


def _notes(draft: dict[str, Any]) -> dict[str, Any] | None:
    if draft.get("start") in ("model", "case-study") and draft.get("source"):
        try:
            return _cycle().source_notes(draft["start"], draft["source"])
        except CarescaleError:
            return None
    return None


def _question(request: Request, step_id: str, draft: dict[str, Any], errors: ErrorSummary | None = None,
              submitted: dict[str, str] | None = None, status: int = 200, then: str | None = None) -> HTMLResponse:
    step = _steps()[step_id]
    fields = plan_forms.step_fields(step, draft)
    choices = _choices(draft)
    prev = plan_forms.previous_step(step_id, draft)
    values = submitted if submitted is not None else {f.name: plan_forms.shown_value(f, draft) for f in fields}
    number = plan_forms.ORDER.index(step_id) + 1
    return render(
        request, "plans/question.html", status_code=status, title=step.title, nav="plans",
        back=_step_url(prev, draft) if prev else "/plans", step=step, fields=fields, values=values,
        options=choices["options"], errors=errors.items if errors else [], d=plan_forms.encode(draft) if draft else "",
        action="/logic-models/new" if step_id == "start" else f"/logic-models/new/{step_id}", then=then or "",
        notes=_notes(draft), position=f"Question {number} of {len(plan_forms.ORDER)}",
    )


def _plannable(iv: Any) -> bool:
    """A runnable model with an outcome rate a plan can track (``plans create`` refuses others)."""
    return iv.status == "runnable" and any(o.rate is not None for seg in iv.segments for o in seg.outcomes)


# -- plans list -----------------------------------------------------------------------------------------


@router.get("/plans", response_class=HTMLResponse)
def plans_list(request: Request) -> HTMLResponse:
    return _plans_page(request)


def _plans_page(request: Request, problem: str | None = None, status: int = 200) -> HTMLResponse:
    """The plans and the ways to start one; ``problem`` (a plan form asked for a model that cannot
    be planned for) is shown as the error summary over the choice of care model."""
    from ...plans import list_plans

    lib = default_library()
    runnable = sorted(((iv.id, iv.name) for iv in lib.interventions.values() if _plannable(iv)), key=lambda x: x[1])
    errors = [{"text": problem, "href": "#model"}] if problem else []
    plans = list_plans(url=store_url(request))
    mine = visible(request, "plan", [p["id"] for p in plans])  # nothing of another organisation's, not even its name
    return render(request, "plans/list.html", status_code=status, title="Logic models and investment plans",
                  nav="plans", plans=[p for p in plans if p["id"] in mine], runnable=runnable, words=DECISION_WORDS,
                  errors=errors, model_error=problem, user=current_user(request))


# -- the logic-model builder ---------------------------------------------------------------------------


@router.get("/logic-models/new", response_class=HTMLResponse, dependencies=CREATING)
def builder_start(request: Request, d: str | None = None, then: str | None = None) -> HTMLResponse:
    return _question(request, "start", _draft(request, d), then=then)


@router.post("/logic-models/new", dependencies=CREATING)
async def builder_start_answer(request: Request) -> Response:
    return await _answer(request, "start")


@router.get("/logic-models/new/check", response_class=HTMLResponse, dependencies=CREATING)
def builder_check(request: Request, d: str | None = None) -> Response:
    draft = _draft(request, d)
    missing = plan_forms.missing_steps(draft)
    if missing:
        return see_other(_step_url(missing[0], draft))
    return _check_page(request, draft)


def _check_page(request: Request, draft: dict[str, Any], errors: ErrorSummary | None = None, status: int = 200,
                organisation: str = "") -> HTMLResponse:
    steps = _steps()
    rows = []
    choices = _choices(draft)
    labels = {k: dict(v) for k, v in choices["options"].items()}
    for sid in plan_forms.ORDER:
        if sid == "source" and draft.get("start") == "blank":
            continue
        for f in plan_forms.step_fields(steps[sid], draft):
            shown = plan_forms.shown_value(f, draft)
            if f.name.startswith("o") and f.name[1:2].isdigit() and not shown:
                continue
            if f.options:
                shown = dict(f.options).get(shown, shown)
            elif f.name in labels:
                shown = labels[f.name].get(shown, shown)
            rows.append({"key": f.label, "value": shown or "Not given", "href": _step_url(sid, draft, "check"),
                         "field": f.name, "step": sid})
    return render(request, "plans/check.html", status_code=status, title="Check your answers before saving your logic model",
                  nav="plans", back=_step_url("evidence", draft), rows=rows, d=plan_forms.encode(draft),
                  errors=errors.items if errors else [], organisations=creating_organisations(request),
                  organisation=organisation)


@router.post("/logic-models/new/check", dependencies=CREATING)
async def builder_save(request: Request) -> Response:
    form = await request.form()
    draft = _draft(request, str(form.get("d") or ""))
    missing = plan_forms.missing_steps(draft)
    if missing:
        return see_other(_step_url(missing[0], draft))
    cycle = _cycle()
    chosen = str(form.get("organisation") or "")
    try:
        user, owner = creator(request, chosen)
    except CarescaleError as exc:
        errors = ErrorSummary()
        errors.add(exc.message, "organisation")
        return _check_page(request, draft, errors, 422, chosen)
    try:
        _, data = cycle.build_logic_model(draft)
        saved = cycle.save_logic_model(data, url=store_url(request), owner=owner, actor=user.email)
    except CarescaleError as exc:
        errors = ErrorSummary()
        errors.add(exc.message, "answers")
        return _check_page(request, draft, errors, 422, chosen)
    except ValueError as exc:  # pydantic: the answers as a whole (the pages check each one)
        errors = ErrorSummary()
        for e in getattr(exc, "errors", lambda: [])() or [{"loc": (), "msg": str(exc)}]:
            where = ".".join(str(x) for x in e.get("loc", ()))
            errors.add(f"{where}: {e.get('msg')}" if where else str(e.get("msg")), "answers")
        return _check_page(request, draft, errors, 422, chosen)
    return see_other(f"/logic-models/{saved['key']}")


@router.get("/logic-models/new/{step}", response_class=HTMLResponse, dependencies=CREATING)
def builder_question(request: Request, step: str, d: str | None = None, then: str | None = None) -> HTMLResponse:
    if step not in plan_forms.ORDER or step == "start":
        raise NotFound(f"step: no question {step!r}; the questions are: {', '.join(plan_forms.ORDER)}")
    return _question(request, step, _draft(request, d), then=then)


@router.post("/logic-models/new/{step}", dependencies=CREATING)
async def builder_answer(request: Request, step: str) -> Response:
    if step not in plan_forms.ORDER or step == "start":
        raise NotFound(f"step: no question {step!r}; the questions are: {', '.join(plan_forms.ORDER)}")
    return await _answer(request, step)


async def _answer(request: Request, step_id: str) -> Response:
    form = await request.form()
    draft = _draft(request, str(form.get("d") or ""))
    then = str(form.get("then") or "")
    step = _steps()[step_id]
    new, errors = plan_forms.read_step(step, form, draft, _choices(draft)["valid"])
    packed = len(plan_forms.encode(new))
    if not errors and packed > plan_forms.MAX_DRAFT:  # the answers travel in the address: keep it short enough
        longest = max((f for f in plan_forms.step_fields(step, draft)), key=lambda f: len(str(form.get(f.name) or "")))
        errors.add(f"Your answers are too long to carry to the next question ({packed:,} characters once packed, at "
                   f"most {plan_forms.MAX_DRAFT:,}); shorten {longest.label.lower()}", longest.id)
    if errors:
        submitted = {k: str(v) for k, v in form.items() if isinstance(v, str)}
        return _question(request, step_id, draft, errors, submitted, 422, then)
    if step_id == "start" and new.get("start") != draft.get("start"):  # a new start: the answers start again
        new = {**_cycle().draft("blank"), "start": new["start"]}
    if step_id == "source" and new.get("source") != draft.get("source"):
        new = {**new, **_cycle().draft(new["start"], new["source"])}  # fill in from the model or case study
    if then == "check" and step_id not in ("start", "source"):
        return see_other(_step_url("check", new))
    return see_other(_step_url(plan_forms.next_step(step_id, new), new))


# -- a stored logic model --------------------------------------------------------------------------------


@router.get("/logic-models/{key}", response_class=HTMLResponse, dependencies=[logic_model_access("read")])
def logic_model_page(request: Request, key: str) -> HTMLResponse:
    return _logic_model_view(request, key)


def _logic_model_view(request: Request, key: str, errors: ErrorSummary | None = None, status: int = 200,
                      values: dict[str, str] | None = None) -> HTMLResponse:
    try:
        rec = _cycle().stored_logic_model(key, url=store_url(request))
    except PlanError as exc:
        raise NotFound(exc.message) from None
    lib = default_library()
    return render(request, "plans/logic_model.html", status_code=status, title=rec["name"], nav="plans", back="/plans",
                  rec=rec, lm=rec["logic_model"], cohort=lib.vocabulary.cohorts.get(rec["logic_model"]["cohort"]),
                  errors=errors.items if errors else [], values=values or {},
                  **sharing(request, "logic-model", key, accounts(request).owners("logic-model", key)))


@router.post("/logic-models/{key}/share", dependencies=[logic_model_access("change")])
async def logic_model_share(request: Request, key: str) -> Response:
    """The owner's admin shares the logic model with a partner organisation, read-only or editable."""
    return await _logic_model_sharing(request, key, stop=False)


@router.post("/logic-models/{key}/unshare", dependencies=[logic_model_access("change")])
async def logic_model_unshare(request: Request, key: str) -> Response:
    """The owner's admin stops sharing the logic model with a partner."""
    return await _logic_model_sharing(request, key, stop=True)


async def _logic_model_sharing(request: Request, key: str, stop: bool) -> Response:
    return await share_form(request, "logic-model", key, stop, lambda errors, values: _logic_model_view(
        request, key, errors, 422, values), f"/logic-models/{key}#sharing")


# -- plans --------------------------------------------------------------------------------------------------


def _model_of(request: Request) -> tuple[dict[str, str], str]:
    """(the plan's model as the request names it, its name) from ``?logic_model=`` or ``?model=``."""
    key = request.query_params.get("logic_model")
    model = request.query_params.get("model")
    if key:
        try:
            if accounts(request).access(current_user(request), "logic-model", key) == "none":
                raise PlanError("logic_model: not one this account may read")  # as if it were not saved
            rec = _cycle().stored_logic_model(key, url=store_url(request))
        except PlanError:
            raise _NoModel("No logic model is saved here at this address: build one, or select a care model of "
                           "the evidence library to plan for") from None
        return {"logic_model": key}, rec["name"]
    lib = default_library()
    iv = lib.interventions.get(model or "")
    if iv is not None and _plannable(iv):
        return {"library": iv.id}, iv.name
    if iv is not None and iv.status != "runnable":
        raise _NoModel(f"{iv.name} is a promising model without the figures to plan with yet: build a logic model "
                       "for it, or select a care model from the list")
    if iv is not None:
        raise _NoModel(f"{iv.name} cannot be planned for: none of its outcomes has a yearly rate a review can "
                       "test; select a care model from the list, or build a logic model for it")
    raise _NoModel("Select a care model of the evidence library to plan for" if not model else
                   "There is no care model of that name in the evidence library: select one from the list")


class _NoModel(NotFound):
    """A plan form's address names no care model that can be planned for (404).

    Answered with the plans page and an error summary over the choice of care model."""


def _plan_page(request: Request, model: dict[str, str], model_name: str, form: PlanForm | None = None,
               status: int = 200) -> HTMLResponse:
    from ...library.catalogue import area_rows

    areas = [(r["id"], r["name"]) for r in area_rows() if r["kind"] == "council"]
    query = "&".join(f"{k}={quote(v)}" for k, v in model.items())
    return render(request, "plans/plan_form.html", status_code=status, title="Create an investment plan", nav="plans",
                  back=f"/logic-models/{model['logic_model']}" if "logic_model" in model else "/plans",
                  model_name=model_name, action=f"/plans/new?{query}", areas=areas,
                  organisations=creating_organisations(request),
                  values=form.values if form else {"phase1_scale": "50%", "phase2_scale": "100%", "review_period": "quarterly",
                                                   "area": "birmingham", "route": "core_budget"},
                  errors=form.errors.items if form else [])


@router.get("/plans/new", response_class=HTMLResponse, dependencies=CREATING)
def plan_form(request: Request) -> HTMLResponse:
    try:
        model, name = _model_of(request)
    except _NoModel as exc:
        return _plans_page(request, exc.message, exc.http_status)
    return _plan_page(request, model, name)


@router.post("/plans/new", dependencies=CREATING)
async def plan_create(request: Request) -> Response:
    from ...library.catalogue import area_rows

    try:
        model, name = _model_of(request)
    except _NoModel as exc:
        return _plans_page(request, exc.message, exc.http_status)
    areas = {r["id"] for r in area_rows() if r["kind"] == "council"}
    posted = await request.form()
    form = PlanForm.read(posted, model, areas)
    form.values["organisation"] = str(posted.get("organisation") or "")
    try:
        user, owner = creator(request, form.values["organisation"])
    except CarescaleError as exc:
        form.errors.add(exc.message, "organisation")
    if form.request is not None and not form.errors:
        req = form.request
        try:
            computing(request, lambda: _cycle().create_plan_from(req, url=store_url(request), owner=owner,
                                                                 actor=user.email))
        except CarescaleError as exc:
            if exc.http_status >= 500:
                raise
            anchor = ("name" if "already saved" in exc.message else "cf-description" if "counterfactual" in exc.message
                      else "plan")
            form.errors.add(exc.message.replace("plan: id: ", "Plan name: ") if anchor == "name" else exc.message, anchor)
    if form.errors:
        return _plan_page(request, model, name, form, 422)
    return see_other(f"/plans/{form.request['id']}")  # type: ignore[index]


def _load(request: Request, plan_id: str) -> dict[str, Any]:
    try:
        return _cycle().history(plan_id, url=store_url(request))
    except PlanError as exc:
        if "unknown plan" in exc.message:
            raise NotFound(f"plan_id: no plan {plan_id!r} is saved here") from None
        raise


@router.get("/plans/{plan_id}", response_class=HTMLResponse, dependencies=[plan_access("read")])
def plan_page(request: Request, plan_id: str) -> HTMLResponse:
    return _plan_view(request, plan_id)


def _plan_view(request: Request, plan_id: str, errors: ErrorSummary | None = None, status: int = 200,
               values: dict[str, str] | None = None) -> HTMLResponse:
    h = _load(request, plan_id)
    owner = h.get("owner")
    h = people_hidden(request, h, owner)  # not the owner's member: the organisation, never a person's email
    area = default_library().areas.get(h["area"])
    acc, user = accounts(request), current_user(request)
    level = access_level(request)
    admin = user is not None and owner is not None and acc.can(user, owner, "members")
    names = {o["id"]: o["name"] for o in acc.organisations()}
    return render(request, "plans/plan.html", status_code=status, title=h["name"], nav="plans", back="/plans", h=h,
                  d=h["definition"], area_name=area.name if area is not None else h["area"],
                  words=DECISION_WORDS, colours=DECISION_COLOURS, charts=charts.posterior_rates(h["series"]),
                  plotly_style_ids=plotly_style_ids(), access=level, admin=admin, owner_name=names.get(owner, owner),
                  approvals=acc.approvals(plan_id), shares=acc.shares("plan", plan_id) if admin else [],
                  partners=[(i, n) for i, n in names.items() if i != owner], org_names=names,
                  errors=errors.items if errors else [], values=values or {},
                  people=sees_people(request, owner))  # approvers by organisation for anyone but its members


def _review_page(request: Request, h: dict[str, Any], form: ReviewForm | None = None, status: int = 200) -> HTMLResponse:
    start = _cycle().next_period_start(h["id"], url=store_url(request))
    return render(request, "plans/review_form.html", status_code=status, title="Add a review", nav="plans",
                  back=f"/plans/{h['id']}", h=h, period_start=start, values=form.values if form else {},
                  errors=form.errors.items if form else [])


@router.get("/plans/{plan_id}/history.csv", dependencies=[plan_access("read")])
def history_csv(request: Request, plan_id: str) -> Response:
    """The plan's review history as CSV (``carescale plans history PLAN --format csv``): one row a
    review, targets against actuals, each rate's posterior and every recommendation with its reason."""
    owner = _load(request, plan_id).get("owner")  # an unknown plan is a 404 page, as for the plan page
    from ...plans.history import review_history
    from ...safe_text import csv_text

    data = people_hidden(request, review_history(plan_id, url=store_url(request)), owner)
    keys = [k for k, _ in data["columns"]]
    body = csv_text(([r.get(k) for k in keys] for r in data["rows"]), header=keys, bom=True)
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="carescale-plan-{quote(plan_id)}-history.csv"'})


@router.get("/plans/{plan_id}/reviews/new", response_class=HTMLResponse, dependencies=[plan_access("change")])
def review_form(request: Request, plan_id: str) -> HTMLResponse:
    return _review_page(request, _load(request, plan_id))


@router.post("/plans/{plan_id}/reviews/new")
async def review_add(request: Request, plan_id: str, user: Any = plan_access("change")) -> Response:
    from ...plans import add_review

    h = _load(request, plan_id)
    outcomes = h["definition"]["outcomes"]
    form = ReviewForm.read(await request.form(), outcomes, h["definition"].get("counterfactual", []))
    number = None
    if form.actuals is not None:
        actuals = form.actuals
        try:
            number = computing(request, lambda: add_review(plan_id, actuals, url=store_url(request),
                                                           by=actuals.get("recorded_by") or user.email,
                                                           actor=user.email))["number"]
        except CarescaleError as exc:
            if exc.http_status >= 500:
                raise
            form.errors.add(exc.message, plan_forms.review_anchor(exc.message, outcomes))
    if form.errors:
        return _review_page(request, h, form, 422)
    return see_other(f"/plans/{plan_id}#review-{number}")


@router.get("/plans/{plan_id}/evidence-value", response_class=HTMLResponse, dependencies=[plan_access("read")])
def evidence_value_page(request: Request, plan_id: str) -> HTMLResponse:
    """How much evidence is enough (EVPI, EVSI of more review periods), worked out in an inline slot."""
    from ...plans.evidence_value import value_of_information

    h = _load(request, plan_id)
    h = people_hidden(request, h, h.get("owner"))
    voi = computing(request, lambda: value_of_information(plan_id, url=store_url(request)))
    return render(request, "plans/evidence_value.html", title="How much evidence is enough?", nav="plans",
                  back=f"/plans/{plan_id}", h=h, voi=voi)


# -- approving, sharing and publishing a plan (issue 27; docs/accounts.md) ----------------------------------


def _refused(request: Request, plan_id: str, exc: CarescaleError, anchor: str, values: dict[str, str]) -> Response:
    """A sign-off, share or publication the library refused: the plan page with the error summary."""
    if exc.http_status >= 500 or exc.http_status in (401, 403, 404):
        raise exc
    errors = ErrorSummary()
    errors.add(exc.message, anchor)
    return _plan_view(request, plan_id, errors, 422, values)


@router.post("/plans/{plan_id}/approve")
async def plan_approve(request: Request, plan_id: str, user: Any = plan_access("approve")) -> Response:
    """An approver signs off the plan (no ``review``) or a review's recommendation (``review``
    its number), recording the scenario id the page showed (``scenario_id``)."""
    form = await request.form()
    review_text = str(form.get("review") or "")
    seen = str(form.get("scenario_id") or "") or None
    try:
        review = int(review_text) if review_text else None
        if review is not None and review < 1:
            raise ValueError
    except ValueError:
        return _refused(request, plan_id, PlanError(f"review: {review_text!r} is not a review number"), "approve", {})
    try:
        accounts(request).approve(user, plan_id, review, seen)
    except CarescaleError as exc:
        return _refused(request, plan_id, exc, "approve", {})
    return see_other(f"/plans/{quote(plan_id)}#approvals")


@router.post("/plans/{plan_id}/share", dependencies=[plan_access("change")])
async def plan_share(request: Request, plan_id: str) -> Response:
    """The owner's admin shares the plan with a partner organisation, read-only or editable."""
    return await _plan_sharing(request, plan_id, stop=False)


@router.post("/plans/{plan_id}/unshare", dependencies=[plan_access("change")])
async def plan_unshare(request: Request, plan_id: str) -> Response:
    """The owner's admin stops sharing the plan with a partner."""
    return await _plan_sharing(request, plan_id, stop=True)


async def _plan_sharing(request: Request, plan_id: str, stop: bool) -> Response:
    return await share_form(request, "plan", plan_id, stop, lambda errors, values: _plan_view(
        request, plan_id, errors, 422, values), f"/plans/{quote(plan_id)}#sharing")


@router.post("/plans/{plan_id}/publish")
async def plan_publish(request: Request, plan_id: str, user: Any = plan_access("change")) -> Response:
    """The owner's admin publishes the plan (anyone may read it without an account) or withdraws it."""
    form = await request.form()
    try:
        accounts(request).set_public(user, plan_id, str(form.get("public") or "") == "yes")
    except CarescaleError as exc:
        return _refused(request, plan_id, exc, "publish", {})
    return see_other(f"/plans/{quote(plan_id)}#sharing")
