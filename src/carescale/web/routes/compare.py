"""Compare a result with its baseline or a saved scenario, and save a scenario with a name and a
note (issue 26; docs/web.md, "Compare" and "Saved scenarios").

* ``/scenario/<id>/compare`` (``?with=baseline``, the default, or ``?with=<saved key>`` or
  ``?with=<scenario id>``): the differences by headline, by model and payer (each overlap its own
  row) and by bridge step, from :func:`carescale.scenarios.compare.compare_results`, the function
  ``carescale scenario diff A B --results`` prints, so the figures are the same.
* ``POST /scenario/<id>/save`` (name, note): a saved scenario with its own link ``/saved/<key>``.
* ``/saved``: the saved scenarios, newest first; ``/saved/<key>``: one of them.

Links are built from :func:`carescale.web.security.share_base` (``CARESCALE_PUBLIC_URL``, else
the address the request came to when the server's own is a loopback one, else the server's).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from ...errors import CarescaleError
from .. import charts, documents
from ..forms import ErrorSummary, SaveForm
from ..access import (
    creating, creating_organisations, creator, readable_saved, saved_access, share_form, sharing, signed_in, visible,
)
from ..security import plotly_style_ids, share_base
from ..templating import error_page, render, see_other
from .common import stored_document

router = APIRouter(include_in_schema=False)


def _saved_list(request: Request) -> list[dict[str, Any]]:
    """The saved scenarios the visitor may read (their organisations' and those shared with them)."""
    lister = getattr(request.app.state.store, "list_saved", None)
    every = lister() if lister is not None else []
    if not every:
        return []
    mine = visible(request, "saved-scenario", [r["key"] for r in every])
    return [r for r in every if r["key"] in mine]


def _other(request: Request, doc: Any, chosen: str) -> tuple[Any, str, str | None]:
    """The document to compare with: (document, its name in words, its saved key or None)."""
    from ...scenarios.compare import baseline_of

    if chosen in ("", "baseline"):
        return baseline_of(documents.parse(doc)), "the evidence defaults (no changed figures)", None
    saved = readable_saved(request, chosen)
    if saved is not None:
        return stored_document(request, saved["scenario_id"]), f"saved scenario \u201c{saved['name']}\u201d", chosen
    return stored_document(request, chosen), f"scenario {chosen}", None


@router.get("/scenario/{sid}/compare", response_class=HTMLResponse)
def compare(request: Request, sid: str) -> HTMLResponse:
    from ...scenarios.compare import PAYER_WORDS, compare_results

    chosen = request.query_params.get("with", "baseline")  # "with" is a Python keyword: read it from the query
    doc = stored_document(request, sid)
    other, other_name, saved_key = _other(request, doc, chosen)
    data = compare_results(other, documents.parse(doc))
    run = documents.run(doc)
    shown_bridge = [r for r in data["bridge"] if r["payer"] == "total" and (r["difference"] is None or abs(r["difference"]) >= 0.5)]
    by_model = [r for r in data["by_model"]
                if r["a"] is None or r["b"] is None or abs(r["a"]) >= 0.5 or abs(r["b"]) >= 0.5]
    return render(request, "compare.html", title=f"Compare: {run['area']['name']}", nav="scenario",
                  back=f"/scenario/{sid}", sid=sid, run=run, data=data, other_name=other_name, chosen=chosen or "baseline",
                  saved=_saved_list(request), by_model=by_model, bridge=shown_bridge, payer_words=PAYER_WORDS,
                  chart=charts.compare_by_model(data), plotly_style_ids=plotly_style_ids())


@router.post("/scenario/{sid}/save", dependencies=[Depends(creating)])
async def save_scenario(request: Request, sid: str) -> Response:
    stored_document(request, sid)  # 404 for a scenario this server does not have
    posted = await request.form()
    form = SaveForm.read(posted)
    chosen = str(posted.get("organisation") or "")
    try:
        user, owner = creator(request, chosen)
    except CarescaleError as exc:
        form.errors.add_error(exc, "organisation")
    if form.errors:
        return _save_page(request, sid, form.errors, form.name, form.note, 422, chosen)
    try:
        key = _save_named(request, sid, form.name, form.note, owner, user.email)
    except CarescaleError as exc:
        errors = ErrorSummary()
        errors.add_error(exc, "name")
        return _save_page(request, sid, errors, form.name, form.note, 422, chosen)
    return see_other(f"/saved/{key}")


def _save_named(request: Request, sid: str, name: str, note: str, owner: str, actor: str) -> str:
    """Save under the owner's organisation (a store that predates accounts takes no owner)."""
    store = request.app.state.store
    try:
        return store.save_named(sid, name, note, owner=owner, actor=actor)
    except TypeError:  # pragma: no cover - a ScenarioStore of another shape
        return store.save_named(sid, name, note)


def _save_page(request: Request, sid: str, errors: ErrorSummary | None, name: str, note: str,
               status: int = 200, organisation: str = "") -> HTMLResponse:
    run = documents.run(stored_document(request, sid))
    return render(request, "save.html", status_code=status, title="Save this scenario", nav="scenario",
                  back=f"/scenario/{sid}", sid=sid, run=run, errors=errors.items if errors else [],
                  name=name, note=note, organisations=creating_organisations(request), organisation=organisation)


@router.get("/scenario/{sid}/save", response_class=HTMLResponse, dependencies=[Depends(creating)])
def save_form(request: Request, sid: str) -> HTMLResponse:
    return _save_page(request, sid, None, "", "")


@router.get("/saved", response_class=HTMLResponse, dependencies=[Depends(signed_in)])
def saved_list(request: Request) -> HTMLResponse:
    return render(request, "saved_list.html", title="Saved scenarios", nav="saved", saved=_saved_list(request),
                  base=share_base(request))


@router.get("/saved/{saved_key}", response_class=HTMLResponse, dependencies=[saved_access("read")])
def saved_one(request: Request, saved_key: str) -> Response:
    return _saved_view(request, saved_key)


def _saved_view(request: Request, key: str, errors: ErrorSummary | None = None, status: int = 200,
                values: dict[str, str] | None = None) -> Response:
    getter = getattr(request.app.state.store, "get_saved", None)
    saved = getter(key) if getter is not None else None
    if saved is None:
        return error_page(request, 404)
    doc = stored_document(request, saved["scenario_id"])
    run = documents.run(doc)
    appraisal = documents.appraise(doc)
    owners = [saved["owner"]] if saved.get("owner") else []
    return render(request, "saved.html", status_code=status, title=f"Saved scenario: {saved['name']}", nav="saved",
                  saved=saved, run=run, appraisal=appraisal, link=f"{share_base(request)}/saved/{key}",
                  result_link=f"{share_base(request)}/scenario/{saved['scenario_id']}",
                  errors=errors.items if errors else [], values=values or {},
                  **sharing(request, "saved-scenario", key, owners))


@router.post("/saved/{saved_key}/share", dependencies=[saved_access("change")])
async def saved_share(request: Request, saved_key: str) -> Response:
    """The owner's admin shares the saved scenario with a partner organisation, read-only or editable."""
    return await _saved_sharing(request, saved_key, stop=False)


@router.post("/saved/{saved_key}/unshare", dependencies=[saved_access("change")])
async def saved_unshare(request: Request, saved_key: str) -> Response:
    """The owner's admin stops sharing the saved scenario with a partner."""
    return await _saved_sharing(request, saved_key, stop=True)


async def _saved_sharing(request: Request, key: str, stop: bool) -> Response:
    return await share_form(request, "saved-scenario", key, stop, lambda errors, values: _saved_view(
        request, key, errors, 422, values), f"/saved/{key}#sharing")
