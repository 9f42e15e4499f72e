"""The result page, the larger analysis and the downloads of a scenario (``/scenario/<id>``).

Every figure comes from the scenario's one :class:`~carescale.scenarios.Evaluation` (through
:mod:`carescale.web.documents` and :mod:`carescale.web.service`), so the page, the downloads,
the API and the background job of one scenario share its run, appraisal and Monte Carlo. A GET
never computes an uncertainty analysis beyond the resource policy's inline limits: it starts
(or shows) the scenario's background job instead.
"""

from __future__ import annotations

import importlib.util

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ... import formatting
from ...appraisal.bridge import bridge_table
from ...appraisal.value import fiscal_sentence, outcome_sentences, value_table
from ...errors import CarescaleError
from ...safe_text import finite_json
from .. import auth, charts, documents, service
from ..forms import DrawsForm
from ..policy import estimate, inline_allowed
from ..security import plotly_style_ids, share_base
from ..templating import error_page, render, see_other
from .common import job_for, save, stored_document, uncertainty_state

router = APIRouter(include_in_schema=False)


def reports_available() -> bool:
    return importlib.util.find_spec("carescale.reports") is not None


@router.get("/scenario/{sid}", response_class=HTMLResponse)
def result(request: Request, sid: str) -> HTMLResponse:
    doc = stored_document(request, sid)
    state = request.app.state
    unc, job, refused = None, None, None
    try:
        # never worked out inside the page (issue 25): the page is drawn at once from the
        # deterministic figures, and the Monte Carlo is the scenario's background job (one per
        # scenario, under the resource policy's job limits), shown as "still working" with its
        # progress until it is done
        unc = service.uncertainty_known(doc, state)
        if unc is None:
            job = job_for(request, doc, page=True)
            if job.status == "done":  # finished since the line above
                unc, job = service.uncertainty_known(doc, state), None
    except CarescaleError as exc:  # too large for this server, or the visitor's job quota is full
        refused = exc.message
    max_draws = service.policy(state).max_draws
    share_url = f"{share_base(request)}/scenario/{sid}"
    # the page of a scenario changes only with what it shows of the uncertainty analysis: it is
    # rendered once per state (issue 25; the same page for every visitor, made once however many
    # ask at the same time) and kept in the app's page cache; while a new state's page is being
    # rendered, other visitors get the previous state's page at once (stale)
    key = (sid, share_url, unc is not None, getattr(job, "id", None), refused, max_draws)

    def page() -> bytes:
        with auth.shared_page(request):  # kept for every visitor: their token and header go in below
            return _page()

    def _page() -> bytes:
        run = documents.run(doc)
        appraisal = documents.appraise(doc, monthly=True)
        data = documents.canonical(doc)
        figs = charts.figures(run, appraisal, unc)
        return bytes(render(
            request, "result.html", title=f"Result: {run['area']['name']}", nav="scenario", sid=sid, run=run,
            appraisal=appraisal, bridge=bridge_table(run["bridge"]), cash=documents.cash(doc),
            value_rows=value_table(run["value"]), value_outcomes=outcome_sentences(run["value"]),
            value_sentence=fiscal_sentence(run["value"], formatting.money),
            options=documents.options(doc), unc=unc, job=job, unc_refused=refused, doc=data,
            changes=run.get("changes") or [], charts=figs, share_url=share_url, plotly_style_ids=plotly_style_ids(),
            reports=reports_available(), draws=documents.draws(doc), max_draws=max_draws,
            scale={k: float(v) for k, v in (data.get("scale") or {}).items()},
            baseline=service.baseline(documents.scenario(doc).area, (run.get("prices") or {}).get("year")),
            units={p["path"]: p["unit"] for p in documents.parameters(doc)} if unc else {},
        ).body)

    pages = getattr(state, "pages", None)
    if pages is None:
        return HTMLResponse(auth.personalise(request, page()))
    return HTMLResponse(auth.personalise(request, pages.get_or_make(key, page, stale=("latest", sid, share_url))))


@router.post("/scenario/{sid}/uncertainty")
async def larger_analysis(request: Request, sid: str) -> Response:
    doc = stored_document(request, sid)
    form = DrawsForm.read(await request.form(), service.policy(request.app.state).max_draws)
    if form.draws is None:
        return error_page(request, 422, [e["text"] for e in form.errors.items])
    unc = dict(documents.canonical(doc).get("uncertainty") or {})
    unc["draws"] = form.draws
    new = documents.updated(doc, uncertainty=unc)
    new_sid = save(request, new)
    if inline_allowed(service.policy(request.app.state), estimate(new)):
        return see_other(f"/scenario/{new_sid}")
    return see_other(f"/jobs/{job_for(request, new).id}")


# -- downloads -------------------------------------------------------------------------------------------------------


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get("/scenario/{sid}/scenario.json")
def download_scenario(request: Request, sid: str) -> Response:
    data = service.stored(request.app.state.store, sid)
    return Response(finite_json(data, indent=2, ensure_ascii=False), media_type="application/json",
                    headers=_attachment(f"carescale-scenario-{sid}.json"))


@router.get("/scenario/{sid}/results.json")
def download_json(request: Request, sid: str) -> Response:
    doc = stored_document(request, sid)
    body = {"scenario_id": sid, "run": documents.run(doc), "appraise": documents.appraise(doc)}
    unc = service.uncertainty_known(doc, request.app.state)  # only when already worked out: a download never starts it
    if unc is not None:
        body["uncertainty"] = unc
    return Response(finite_json(body, indent=2, ensure_ascii=False), media_type="application/json",
                    headers=_attachment(f"carescale-results-{sid}.json"))


@router.get("/scenario/{sid}/results.csv")
def download_csv(request: Request, sid: str) -> Response:
    doc = stored_document(request, sid)
    return Response(service.results_csv(documents.run(doc)), media_type="text/csv; charset=utf-8",
                    headers=_attachment(f"carescale-results-{sid}.csv"))


@router.get("/scenario/{sid}/report.{fmt}")
def download_report(request: Request, sid: str, fmt: str) -> Response:
    """The business-case report (``carescale.reports``: pdf, xlsx, html, md) for this scenario."""
    if not reports_available():
        return error_page(request, 404)
    from ...reports import FORMATS

    if fmt not in FORMATS:
        return error_page(request, 404)
    doc = stored_document(request, sid)
    media, suffix = FORMATS[fmt]
    body = request.app.state.downloads.get((sid, fmt))
    if body is None:
        unc, job = uncertainty_state(request, doc)
        if unc is None:  # too heavy for a download: the report waits for the scenario's job
            return see_other(f"/jobs/{job.id}")
        body = service.report_bytes(request.app.state, doc, fmt)
    return Response(body, media_type=media, headers=_attachment(f"carescale-report-{sid}{suffix}"))
