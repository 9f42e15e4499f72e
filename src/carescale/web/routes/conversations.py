"""A local conversation's pages (issue 28; SCIE's Appendix A; docs/conversations.md, "The pages").

Public, no account needed:

* ``/conversations``: every conversation, with its pack and, once published, its plan;
* ``/conversations/<id>`` (and ``/easy-read``, ``.pdf``, ``/easy-read.pdf``): the pack's overview:
  the shared goals, the five areas, the questions;
* ``/conversations/<id>/areas/<n>`` (and ``/easy-read``, ``/pack.pdf``, ``/easy-read.pdf``): the
  pack for one area: its local picture, the proposals with what they mean for people and their
  figures, the money words, the questions;
* ``/conversations/<id>/respond/<proposal>`` (GET and POST; ``?register=easy``): the response
  form (no account; a honeypot, a signed minimum time on the page, and the library's per-client
  limit and duplicate refusal); ``/conversations/<id>/thanks``;
* ``/conversations/<id>/plan`` (and ``/plan/easy-read``, ``/plan.pdf``, ``/plan/easy-read.pdf``):
  the public plan once it is published;
  ``/conversations/<id>/report`` (and ``/report.pdf``): the report on what people said once the
  plan is published (staff before); ``/conversations/<id>/responses.csv``: every response, for staff.

Staff (signed in, with a role in the conversation's organisation): ``/conversations/<id>/staff``
to give the council's own spend figure for an area, what inspectors, staff and people say works and
the money the council or NHS expects for a year, add proposals (a model to grow or a service to
reduce), enter responses, tag themes on comments, choose quotes, record decisions with reasons and
publish, and edit the shared goals. Every figure and count comes from :mod:`carescale.conversations` (the same service as
the CLI and the API); every sentence of the public pages from its text catalogue.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ...errors import CarescaleError, ConversationError, NotFound
from .. import conversation_pack as packs
from ..access import visible
from ..conversation_forms import MAX_COMMENT, ResponseForm, form_secret, sign_time, themes_of
from ..forms import ErrorSummary
from ..templating import render, see_other

router = APIRouter(include_in_schema=False)


# -- the library ------------------------------------------------------------------------------------


def service(request: Request) -> Any:
    """The conversations kept in the app's database (the scenario store's)."""
    from ...conversations.service import Conversations

    return Conversations(getattr(request.app.state.store, "url", None))


def _conversation(request: Request, cid: str) -> tuple[Any, Any]:
    svc = service(request)
    return svc, svc.get(cid)


def _area(n: str) -> int:
    if n not in ("1", "2", "3", "4", "5"):
        raise NotFound(f"area: {n} is not one of the five areas; give 1, 2, 3, 4 or 5")
    return int(n)


def _accepting(conv: Any) -> bool:
    return not getattr(conv, "published", False)


# -- the list -----------------------------------------------------------------------------------------


@router.get("/conversations", response_class=HTMLResponse)
def conversations_list(request: Request) -> HTMLResponse:
    """Every conversation, newest first, with its pack, its plan once published and its staff page."""
    return render(request, "conversations/list.html", nav="conversations", title="Local conversations", conversations=service(request).list())


# -- the pack -----------------------------------------------------------------------------------------


def _pack_context(request: Request, cid: str, area: int | None, easy: bool) -> dict[str, Any]:
    svc, conv = _conversation(request, cid)
    return packs.pack(conv, svc.picture(cid), svc.proposals(cid), area, easy=easy, accepting=_accepting(conv))


def _pack_page(request: Request, cid: str, area: int | None, easy: bool) -> HTMLResponse:
    ctx = _pack_context(request, cid, area, easy)
    return render(request, "conversations/pack.html", nav="conversations", **ctx)


def _pack_pdf(request: Request, cid: str, area: int | None, easy: bool) -> Response:
    name = f"{cid}-{'overview' if area is None else f'area-{area}'}{'-easy-read' if easy else ''}.pdf"
    return _pdf(request, "conversations/pack_print.html", _pack_context(request, cid, area, easy),
                b"carescale-conversation-pack", name)


def _pdf(request: Request, template: str, ctx: dict[str, Any], identifier: bytes, name: str) -> Response:
    """A print page as a PDF named ``name``, laid out once for the same HTML (a PDF takes about a
    second; the HTML, cheap to draw, changes whenever anything shown changes): the app's download
    cache."""
    import hashlib

    from ..security import public_url

    html = request.app.state.templates.get_template(template).render(link=public_url(request), **ctx)
    key = ("conversation-pdf", hashlib.sha256(html.encode("utf-8")).hexdigest())
    pdf = request.app.state.downloads.get_or_make(key, lambda: packs.pdf_bytes(html, identifier))
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'})


@router.get("/conversations/{cid}.pdf")  # before /conversations/{cid}, which would match it
def overview_pdf(request: Request, cid: str) -> Response:
    return _pack_pdf(request, cid, None, False)


@router.get("/conversations/{cid}", response_class=HTMLResponse)
def overview(request: Request, cid: str) -> HTMLResponse:
    return _pack_page(request, cid, None, False)


@router.get("/conversations/{cid}/easy-read", response_class=HTMLResponse)
def overview_easy(request: Request, cid: str) -> HTMLResponse:
    return _pack_page(request, cid, None, True)


@router.get("/conversations/{cid}/easy-read.pdf")
def overview_easy_pdf(request: Request, cid: str) -> Response:
    return _pack_pdf(request, cid, None, True)


@router.get("/conversations/{cid}/areas/{area}", response_class=HTMLResponse)
def area_pack(request: Request, cid: str, area: str) -> HTMLResponse:
    return _pack_page(request, cid, _area(area), False)


@router.get("/conversations/{cid}/areas/{area}/easy-read", response_class=HTMLResponse)
def area_pack_easy(request: Request, cid: str, area: str) -> HTMLResponse:
    return _pack_page(request, cid, _area(area), True)


@router.get("/conversations/{cid}/areas/{area}/pack.pdf")
def area_pack_pdf(request: Request, cid: str, area: str) -> Response:
    return _pack_pdf(request, cid, _area(area), False)


@router.get("/conversations/{cid}/areas/{area}/easy-read.pdf")
def area_pack_easy_pdf(request: Request, cid: str, area: str) -> Response:
    return _pack_pdf(request, cid, _area(area), True)


# -- the public response form ------------------------------------------------------------------------


def _proposal_of(svc: Any, cid: str, pid: str) -> Any:
    for p in svc.proposals(cid):
        if p.id == pid:
            return p
    raise NotFound(f"proposal: {pid!r} is not a proposal of conversation {cid!r}")


def _respond_page(request: Request, cid: str, pid: str, easy: bool, form: ResponseForm | None = None,
                  status: int = 200) -> HTMLResponse:
    svc, conv = _conversation(request, cid)
    p = _proposal_of(svc, cid, pid)
    t = packs.text_for(easy)
    shown = packs.proposal_view(t, cid, p, easy)  # the same sentences as the pack's
    values = form.values() if form else {"stance": "", "respondent": "", "comment": ""}
    errors = form.errors.items if form else []
    stances = [{"value": k, "text": v, "checked": values["stance"] == k} for k, v in t.mapping("views").items()]
    respondents = [{"value": k, "text": v, "checked": values["respondent"] == k} for k, v in t.mapping("types").items()]
    return render(request, "conversations/respond.html", nav="conversations", status_code=status, t=t, easy=easy,
                  title=t("form_title", proposal=p.title), caption=t("pack_caption", area=conv.council_name),
                  proposal=shown, stances=stances, respondents=respondents, values=values, errors=errors,
                  started=sign_time(form_secret(request.app.state)), limit=MAX_COMMENT, limit_text=f"{MAX_COMMENT:,}",
                  action=f"/conversations/{cid}/respond/{pid}", pack_url=packs.base_url(cid, p.area, easy),
                  closed=not _accepting(conv), price_base=packs.price_base_sentence(t, conv, svc.picture(cid)))


@router.get("/conversations/{cid}/respond/{pid}", response_class=HTMLResponse)
def respond_form(request: Request, cid: str, pid: str, register: str = "standard") -> HTMLResponse:
    return _respond_page(request, cid, pid, register == "easy")


@router.post("/conversations/{cid}/respond/{pid}")
async def respond(request: Request, cid: str, pid: str) -> Response:
    from ...errors import ConversationError

    data = await request.form()
    easy = str(data.get("register") or "") == "easy"
    t = packs.text_for(easy)
    svc, conv = _conversation(request, cid)
    p = _proposal_of(svc, cid, pid)
    form = ResponseForm.read(data, t, form_secret(request.app.state))
    thanks = f"/conversations/{cid}/thanks" + ("?register=easy" if easy else "")
    if form.spam:  # the honeypot: a script filled every box; thank it and keep nothing
        return see_other(thanks)
    if not _accepting(conv):
        form.errors.add(t("error_closed"), "closed")  # the page says so where the form was
    if form.errors:
        return _respond_page(request, cid, pid, easy, form, 422)
    try:
        svc.respond(cid, {"proposal": p.id, "stance": form.stance, "respondent": form.respondent,
                          "comment": form.comment, "channel": "public"}, client=_client(request))
    except ConversationError as exc:
        form.errors.add(_public_message(t, exc), "stance" if "comment" not in exc.message else "comment")
        return _respond_page(request, cid, pid, easy, form, exc.http_status)  # 429: too many from one client
    return see_other(thanks)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _public_message(t: Any, exc: CarescaleError) -> str:
    """The library's refusal in the form's own words (a duplicate, too many from one client)."""
    from ...conversations.service import TooManyResponses

    if isinstance(exc, TooManyResponses):
        return t("error_too_many")
    if "is already recorded" in exc.message:
        return t("error_duplicate")
    return exc.message


@router.get("/conversations/{cid}/thanks", response_class=HTMLResponse)
def thanks(request: Request, cid: str, register: str = "standard") -> HTMLResponse:
    _, conv = _conversation(request, cid)
    easy = register == "easy"
    t = packs.text_for(easy)
    return render(request, "conversations/thanks.html", nav="conversations", t=t, easy=easy, title=t("thanks_title"),
                  pack_url=packs.base_url(cid, None, easy))


# -- the report and the public plan ------------------------------------------------------------------


_SCENARIO = re.compile(r"; engine scenario ([0-9a-f]{8,64})")


def _plan_context(request: Request, cid: str, easy: bool = False) -> dict[str, Any]:
    svc, conv = _conversation(request, cid)
    plan = svc.public_plan(cid)  # NotFound (404) until it is published
    t = packs.text_for(easy)
    refs = {p.id: p for p in svc.proposals(cid)}
    # the investment plans carrying a decision out, linked where the reader may open them (a published
    # plan: anyone; the organisation's own: its members); the others are named without a link
    linked = visible(request, "plan", sorted({pl for d in plan.decisions for pl in d.plans}))
    decisions = []
    for d in plan.decisions:
        p = refs.get(d.proposal)
        c = d.people_said
        evidence = (f"/evidence/{p.model_ref}" if p is not None and p.model_ref and p.model_kind in ("library", "case-study")
                    else None)
        scenarios = [m.group(1) for e in d.evidence for m in [_SCENARIO.search(e)] if m]
        decisions.append({
            "proposal": d.proposal, "title": d.title, "decision": d.decision,
            "decision_text": t(f"decisions.{d.decision}"), "reason": d.reason,
            "evidence": [_SCENARIO.sub("", e) for e in d.evidence],  # the engine's run: a link below, not its id
            "scenarios": [f"/scenario/{sid}" for sid in scenarios],
            "said": t("said_counts", support=c.support, oppose=c.oppose, not_sure=c.not_sure),
            "plans": [pl for pl in d.plans if pl in linked], "unlinked": [pl for pl in d.plans if pl not in linked],
            "evidence_href": evidence,
        })
    return {"t": t, "title": t("plan_title", area=conv.council_name), "caption": conv.name, "decisions": decisions,
            "undecided": [refs[u].title if u in refs else u for u in plan.undecided], "report_url": f"/conversations/{cid}/report",
            "published_on": plan.published_at.strftime("%-d %B %Y") if plan.published_at else None,
            "easy": easy, "pdf": f"/conversations/{cid}/plan" + ("/easy-read.pdf" if easy else ".pdf"),
            "other_register": f"/conversations/{cid}/plan" + ("" if easy else "/easy-read")}


@router.get("/conversations/{cid}/plan", response_class=HTMLResponse)
def public_plan(request: Request, cid: str) -> HTMLResponse:
    return render(request, "conversations/plan.html", nav="conversations", **_plan_context(request, cid))


@router.get("/conversations/{cid}/plan/easy-read", response_class=HTMLResponse)
def public_plan_easy(request: Request, cid: str) -> HTMLResponse:
    return render(request, "conversations/plan.html", nav="conversations", **_plan_context(request, cid, easy=True))


def _plan_pdf(request: Request, cid: str, easy: bool) -> Response:
    return _pdf(request, "conversations/plan_print.html", _plan_context(request, cid, easy), b"carescale-public-plan",
                f"{cid}-plan{'-easy-read' if easy else ''}.pdf")


@router.get("/conversations/{cid}/plan.pdf")
def public_plan_pdf(request: Request, cid: str) -> Response:
    return _plan_pdf(request, cid, False)


@router.get("/conversations/{cid}/plan/easy-read.pdf")
def public_plan_easy_pdf(request: Request, cid: str) -> Response:
    return _plan_pdf(request, cid, True)


def _count(c: Any, key: str) -> int:
    return int(getattr(c, key.replace("-", "_"), 0))


def _report_context(request: Request, cid: str) -> dict[str, Any]:
    from ...conversations.model import RESPONDENT_TYPES, STANCES

    svc, conv = _conversation(request, cid)
    report = svc.report(cid)
    # the two tables of counts: (the row's label, its counts by stance)
    tables = {"by_proposal": [(p.title, p.counts) for p in report.by_proposal],
              "by_respondent": [(RESPONDENT_TYPES.get(k, k), c) for k, c in report.by_respondent.items()]}
    return {"title": f"What people said: {conv.name}", "caption": conv.council_name, "report": report, "tables": tables,
            "stances": list(STANCES.items()), "stance_words": STANCES, "respondents": RESPONDENT_TYPES,
            "count": _count, "plan_url": f"/conversations/{cid}/plan" if conv.published else None,
            "pdf": f"/conversations/{cid}/report.pdf"}


@router.get("/conversations/{cid}/report", response_class=HTMLResponse)
def report(request: Request, cid: str) -> HTMLResponse:
    _, conv = _conversation(request, cid)
    if not conv.published:
        _staff(request, conv, "read")
    return render(request, "conversations/report.html", nav="conversations", **_report_context(request, cid))


@router.get("/conversations/{cid}/report.pdf")
def report_pdf(request: Request, cid: str) -> Response:
    """The report as a PDF: public once the plan is published, for staff before."""
    _, conv = _conversation(request, cid)
    if not conv.published:
        _staff(request, conv, "read")
    return _pdf(request, "conversations/report_print.html", _report_context(request, cid),
                b"carescale-conversation-report", f"{cid}-report.pdf")


# -- staff -------------------------------------------------------------------------------------------


@router.get("/conversations/{cid}/responses.csv")
def responses_csv(request: Request, cid: str) -> Response:
    """Every response as CSV for staff (a spreadsheet): each comment exactly as written, a cell that
    would read as a formula guarded by :func:`carescale.safe_text.sheet_value`."""
    from ...safe_text import csv_text

    svc, conv = _conversation(request, cid)
    _staff(request, conv, "read")
    keys = ["id", "proposal", "stance", "respondent", "channel", "themes", "quoted", "comment", "created_at"]
    rows = ([r.id, r.proposal, r.stance, r.respondent, r.channel, "; ".join(r.themes), "yes" if r.quoted else "no",
             r.comment, r.created_at.isoformat()] for r in svc.responses(cid))
    return Response(csv_text(rows, header=keys, bom=True), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{cid}-responses.csv"'})


def _staff(request: Request, conv: Any, action: str) -> Any:
    """The signed-in user with ``action`` in the conversation's organisation (303 to sign in, or 403)."""
    from ..auth import require_role, require_user

    if conv.organisation is None:
        return require_user(request)
    return require_role(request, conv.organisation, action)


def _by(user: Any) -> str:
    return str(getattr(user, "email", None) or getattr(user, "id", None) or "staff")


def _refused(request: Request, cid: str, exc: CarescaleError, anchor: str,
             values: dict[str, str] | None = None) -> Response:
    """What the library refused on a staff form: the staff page again (422), the library's line in
    its error summary, linked to the field ``anchor``, with what was typed kept."""
    errors = ErrorSummary()
    errors.add(exc.message, anchor)
    return _staff_page(request, cid, errors, values, 422)


def _staff_page(request: Request, cid: str, errors: ErrorSummary | None = None, values: dict[str, str] | None = None,
                status: int = 200) -> HTMLResponse:
    from ...conversations.model import DECISIONS, DECISIONS_FOR, PAYER_LABELS, RESPONDENT_TYPES, STANCES, WHO_SAID
    from ...conversations.picture import area_titles

    svc, conv = _conversation(request, cid)
    _staff(request, conv, "read")
    proposals = svc.proposals(cid)
    decided = {d.proposal: d for d in svc.public_plan(cid, draft=True).decisions}

    return render(request, "conversations/staff.html", nav="conversations", status_code=status,
                  title=f"Run the conversation: {conv.name}", conv=conv, proposals=proposals, picture=svc.picture(cid),
                  areas=area_titles(), who_said=WHO_SAID, payers=PAYER_LABELS, services=svc.services(cid),
                  models=svc.model_choices(), responses=svc.responses(cid), decided=decided,
                  stances=STANCES, respondents=RESPONDENT_TYPES, decisions=DECISIONS, decisions_for=DECISIONS_FOR,
                  errors=errors.items if errors else [], values=values or {}, report_url=f"/conversations/{cid}/report",
                  plan_url=f"/conversations/{cid}/plan")


@router.get("/conversations/{cid}/staff", response_class=HTMLResponse)
def staff(request: Request, cid: str) -> HTMLResponse:
    return _staff_page(request, cid)


@router.post("/conversations/{cid}/staff/goals")
async def staff_goals(request: Request, cid: str) -> Response:
    """The shared goals, one a line, as the council words them (the pack shows them in both registers)."""
    svc, conv = _conversation(request, cid)
    user = _staff(request, conv, "change")
    data = await request.form()
    text = str(data.get("goals") or "").replace("\r\n", "\n")
    try:
        svc.set_goals(cid, text.split("\n"), by=_by(user))
    except CarescaleError as exc:
        return _refused(request, cid, exc, "goals", {"goals": text})
    return see_other(f"/conversations/{cid}/staff#goals")


@router.post("/conversations/{cid}/staff/responses")
async def staff_response(request: Request, cid: str) -> Response:
    svc, conv = _conversation(request, cid)
    user = _staff(request, conv, "change")
    data = await request.form()
    values = {k: str(data.get(k) or "") for k in ("proposal", "stance", "respondent", "comment")}
    try:
        svc.respond(cid, {**values, "channel": "staff"}, by=_by(user))
    except CarescaleError as exc:
        return _refused(request, cid, exc, "entry-" + next((k for k in ("proposal", "stance", "respondent", "comment")
                                                            if k in exc.message), "proposal"), values)
    return see_other(f"/conversations/{cid}/staff#responses")


@router.post("/conversations/{cid}/staff/responses/{rid}")
async def staff_tag(request: Request, cid: str, rid: int) -> Response:
    svc, conv = _conversation(request, cid)
    user = _staff(request, conv, "change")
    data = await request.form()
    try:
        current = next((r for r in svc.responses(cid) if r.id == rid), None)
        if current is None:
            raise NotFound(f"response: {rid} is not a response of conversation {cid!r}")
        wanted = themes_of(str(data.get("themes") or ""))
        now = {t.lower() for t in current.themes}
        for theme in wanted:
            if theme.lower() not in now:
                svc.tag(cid, rid, theme, on=True, by=_by(user))
        for theme in current.themes:
            if theme.lower() not in {w.lower() for w in wanted}:
                svc.tag(cid, rid, theme, on=False, by=_by(user))
        quoted = bool(data.get("quoted"))
        if quoted != current.quoted:
            svc.quote(cid, rid, chosen=quoted, by=_by(user))
    except NotFound:
        raise
    except CarescaleError as exc:
        return _refused(request, cid, exc, f"themes-{rid}")
    return see_other(f"/conversations/{cid}/staff#response-{rid}")


@router.post("/conversations/{cid}/staff/decisions")
async def staff_decide(request: Request, cid: str) -> Response:
    svc, conv = _conversation(request, cid)
    user = _staff(request, conv, "approve")
    data = await request.form()
    pid = str(data.get("proposal") or "")
    plans = [s.strip() for s in str(data.get("plans") or "").replace(",", " ").split() if s.strip()]
    values = {"decision-proposal": pid, f"decision-{pid}": str(data.get("decision") or ""),
              f"reason-{pid}": str(data.get("reason") or ""), f"plans-{pid}": str(data.get("plans") or "")}
    try:
        hidden = [p for p in plans if p not in visible(request, "plan", plans)]
        if hidden:  # another organisation's plan: the very line a plan that does not exist gets (no oracle)
            raise ConversationError(f"decision: plans: {hidden[0]!r} is not a saved investment plan; save it first "
                                    "with 'carescale plans create'")
        svc.decide(cid, {"proposal": pid, "decision": str(data.get("decision") or ""),
                         "reason": str(data.get("reason") or ""), "plans": plans}, by=_by(user))
    except CarescaleError as exc:
        return _refused(request, cid, exc, f"reason-{pid}" if "reason" in exc.message else f"decision-{pid}", values)
    return see_other(f"/conversations/{cid}/staff#decide-{pid}")


# -- staff: the local picture and proposals (the library's set_own_spend, add_what_works, add_outlook
#    and propose, as the API calls them; a field's problem is the library's one line) ------------------


def _typed(text: str) -> Any:
    """A figure as a person types it ('1,200,000', '£1.2m'), read as the other forms read one; text
    that is not a figure goes to the library as typed, so its one line names the value given."""
    from ..forms import number

    try:
        got = number(text)
    except ValueError:
        return text
    return text if got is None else got


def _field_of(message: str, fields: tuple[str, ...], default: str) -> str:
    """The form field a library message is about: its second part ('spend: amount: ...' -> amount)."""
    parts = message.split(": ", 2)
    key = parts[1].split(".")[0].split("[")[0] if len(parts) == 3 else ""
    return key if key in fields else default


#: each picture form: its fields, in order, and the library method it calls
PICTURE_FORMS: dict[str, tuple[str, ...]] = {
    "spend": ("area", "amount", "price_year", "source"),
    "works": ("area", "who", "text", "source"),
    "outlook": ("payer", "year", "amount", "price_year", "source"),
}


async def _picture_entry(request: Request, cid: str, form: str) -> Response:
    svc, conv = _conversation(request, cid)
    user = _staff(request, conv, "change")
    data = await request.form()
    fields = PICTURE_FORMS[form]
    values = {f"{form}-{k}": str(data.get(f"{form}-{k}") or "") for k in fields}  # the page's names and ids
    body: dict[str, Any] = {k: values[f"{form}-{k}"] for k in fields}
    if body.get("area", "").isdigit():
        body["area"] = int(body["area"])
    if "amount" in body:
        body["amount"] = _typed(body["amount"])
    call = {"spend": svc.set_own_spend, "works": svc.add_what_works, "outlook": svc.add_outlook}[form]
    try:
        call(cid, body, by=_by(user))
    except CarescaleError as exc:
        if exc.http_status != 422:  # an unknown conversation (404), the store unavailable (503)
            raise
        return _refused(request, cid, exc, f"{form}-{_field_of(exc.message, fields, fields[0])}", values)
    return see_other(f"/conversations/{cid}/staff#{form}")


@router.post("/conversations/{cid}/staff/spend")
async def staff_spend(request: Request, cid: str) -> Response:
    """The council's own figure for what an area costs today (``Conversations.set_own_spend``)."""
    return await _picture_entry(request, cid, "spend")


@router.post("/conversations/{cid}/staff/works")
async def staff_works(request: Request, cid: str) -> Response:
    """What inspectors, staff or people say works in an area (``Conversations.add_what_works``)."""
    return await _picture_entry(request, cid, "works")


@router.post("/conversations/{cid}/staff/outlook")
async def staff_outlook(request: Request, cid: str) -> Response:
    """The council's or NHS's own expected money for a year (``Conversations.add_outlook``)."""
    return await _picture_entry(request, cid, "outlook")


PROPOSAL_FIELDS = ("id", "kind", "title", "meaning_for_people", "model", "scale", "service", "reduction", "because_of")


@router.post("/conversations/{cid}/staff/proposals")
async def staff_propose(request: Request, cid: str) -> Response:
    """A model to grow (a library model or case study, at a share of its potential) or a service to
    reduce (a line of the local picture, by an amount, because of 'grow' proposals), each with what
    it means for people: ``Conversations.propose``, whose engine run takes an inline slot as the API's."""
    from starlette.concurrency import run_in_threadpool

    svc, conv = _conversation(request, cid)
    user = _staff(request, conv, "change")
    data = await request.form()
    because = [str(b) for b in data.getlist("new-because_of") if str(b)]
    values = {f"new-{k}": str(data.get(f"new-{k}") or "") for k in PROPOSAL_FIELDS if k != "because_of"}
    values["new-because_of"] = ",".join(because)
    kind = values["new-kind"]
    body: dict[str, Any] = {k: values[f"new-{k}"] for k in ("id", "kind", "title", "meaning_for_people")}
    if kind == "grow":  # the fields of the other kind are left out, as the API's caller would
        choice, _, ref = values["new-model"].partition(":")
        body["model"] = {choice: ref} if choice in ("library", "case_study") and ref else None
        if values["new-scale"].strip():
            body["scale"] = _typed(values["new-scale"])
    elif kind == "reduce":
        body["service"] = values["new-service"] or None
        body["reduction"] = _typed(values["new-reduction"]) if values["new-reduction"].strip() else None
        body["because_of"] = because
    try:
        prop = await run_in_threadpool(request.app.state.inline.run, lambda: svc.propose(cid, body, by=_by(user)))
    except CarescaleError as exc:
        if exc.http_status != 422:  # a full queue of analyses (429), the store unavailable (503)
            raise
        return _refused(request, cid, exc, f"new-{_field_of(exc.message, PROPOSAL_FIELDS, 'kind')}", values)
    return see_other(f"/conversations/{cid}/staff#decide-{prop.id}")


@router.post("/conversations/{cid}/staff/publish")
async def staff_publish(request: Request, cid: str) -> Response:
    svc, conv = _conversation(request, cid)
    user = _staff(request, conv, "approve")
    try:
        svc.publish(cid, by=_by(user))
    except CarescaleError as exc:
        return _refused(request, cid, exc, "publish")
    return see_other(f"/conversations/{cid}/plan")
