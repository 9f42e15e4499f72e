"""Server-rendered pages (Jinja2 on GOV.UK Frontend, our own name and colours; docs/web.md).

Every page works without JavaScript: each step of the journey is a form whose answer becomes a
new scenario document, stored by its content hash, so every step and every result has its own
address (``/s/<id>/models``, ``/s/<id>/assumptions``, ``/scenario/<id>``) and an old address is
never changed. JavaScript only draws the charts (each has a table beside it) and polls the
progress of a background job.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..errors import CarescaleError
from ..safe_text import finite_json
from . import charts, documents, service
from .security import embed_json, plotly_style_ids, public_url

HERE = Path(__file__).parent
router = APIRouter(include_in_schema=False)

MAX_DRAWS = 1_000_000  # the resource policy's default (carescale.web.policy: CARESCALE_MAX_DRAWS)

ERROR_TEXT = {
    404: ("Page not found", ["If you typed the web address, check it is correct.",
                              "If you followed a shared link, the scenario may be stored on a different carescale server."]),
    405: ("Page not found", ["This address does not take that kind of request."]),
    422: ("There is a problem with what was sent", ["Go back, correct it and try again."]),
    429: ("The service is busy", ["Too many large analyses are waiting to start. Try again in a few minutes."]),
    503: ("Sorry, the service is unavailable", ["Saved scenarios cannot be read or saved just now; nothing was half-saved. "
                                                 "Try again later."]),
    500: ("Sorry, there is a problem with the service", ["Try again later. The problem has been recorded; nothing you entered was shared."]),
}


# -- templates and helpers ----------------------------------------------------------------------------


def make_templates() -> Any:
    from fastapi.templating import Jinja2Templates
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader, select_autoescape

    from . import formatting

    env = Environment(
        loader=ChoiceLoader([
            FileSystemLoader(HERE / "templates"),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    formatting.register(env)
    env.filters["embed_json"] = embed_json  # every JSON written into a page (docs/security.md)
    return Jinja2Templates(env=env)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("title", "carescale")
    context.setdefault("errors", [])
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status_code)


def error_page(request: Request, status: int, messages: list[str] | None = None) -> Response:
    heading, paragraphs = ERROR_TEXT.get(status, ERROR_TEXT[500] if status >= 500 else ERROR_TEXT[404])
    return render(request, "error.html", status_code=status, title=heading, heading=heading,
                  paragraphs=paragraphs, errors=[{"text": m} for m in (messages or [])])


def field_id(path: str) -> str:
    return "f-" + re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _doc(request: Request, sid: str) -> Any:
    return documents.parse(service.stored(request.app.state.store, sid))


def _save(request: Request, doc: Any) -> str:
    return request.app.state.store.put(doc)


def _cached(request: Request, sid: str, kind: str, work: Any) -> Any:
    return service.cached(request.app.state, sid, kind, work)


def _number(text: str) -> float | None:
    """A number as a person types it: '2,000', '£400', '12.5%' (a percentage), or blank."""
    t = text.strip().replace(",", "").replace("£", "").replace(" ", "")
    if not t:
        return None
    pct = t.endswith("%")
    value = float(t.rstrip("%"))  # ValueError for anything else
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return value / 100 if pct else value


# -- the start page and the information pages ---------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
async def start(request: Request) -> HTMLResponse:
    return render(request, "start.html", title="Scale up care that works")


@router.get("/api/docs", response_class=HTMLResponse)
async def api_docs() -> HTMLResponse:
    """Swagger UI for the JSON API: its script and style from jsDelivr (an explicit CSP allows exactly
    that, security.DOCS_CSP), its start-up script our own file (no inline script)."""
    from .security import SWAGGER_CDN

    dist = f"{SWAGGER_CDN}/npm/swagger-ui-dist@5"
    return HTMLResponse(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">\n"
        f"<link type=\"text/css\" rel=\"stylesheet\" href=\"{dist}/swagger-ui.css\">\n"
        "<link rel=\"icon\" href=\"/static/carescale-icon.svg\" type=\"image/svg+xml\">\n"
        "<title>carescale JSON API</title>\n</head>\n<body>\n<div id=\"swagger-ui\"></div>\n"
        f"<script src=\"{dist}/swagger-ui-bundle.js\"></script>\n"
        "<script src=\"/static/swagger-init.js\"></script>\n</body>\n</html>\n")


@router.get("/accessibility", response_class=HTMLResponse)
async def accessibility(request: Request) -> HTMLResponse:
    return render(request, "accessibility.html", title="Accessibility statement")


@router.get("/privacy", response_class=HTMLResponse)
async def privacy(request: Request) -> HTMLResponse:
    return render(request, "privacy.html", title="Privacy and cookies")


# -- step 1: the area ------------------------------------------------------------------------------------


def _area_page(request: Request, errors: list[dict[str, str]] | None = None, status: int = 200,
               chosen: str | None = None) -> HTMLResponse:
    rows = service.area_rows()
    national = request.app.state.national
    return render(
        request, "area.html", status_code=status, title="Which area do you want to plan for?", nav="scenario",
        back="/", errors=errors or [], councils=[r for r in rows if r["kind"] == "council"],
        sites=[r for r in rows if r["kind"] != "council"], chosen=chosen or "birmingham",
        national=national.choices() if national is not None else None,
    )


@router.get("/area", response_class=HTMLResponse)
def area_form(request: Request) -> HTMLResponse:
    return _area_page(request)


@router.post("/area")
async def area_choose(request: Request) -> Response:
    form = await request.form()
    area = str(form.get("area") or "")
    national_id = str(form.get("national") or "")
    if area == "national":
        nat = request.app.state.national
        chosen = nat.area(national_id) if nat is not None else None
        if chosen is None:
            return _area_page(request, [{"text": "Select a council from the list", "href": "#national"}], 422, "national")
        from ..catalogue import definition

        doc = documents.parse({"version": 1, "area": {"inline": definition(chosen)}})
    elif area:
        try:
            doc = documents.parse({"version": 1, "area": area})
            documents.scenario(doc)
        except CarescaleError as exc:
            return _area_page(request, [{"text": exc.message, "href": "#area"}], 422)
    else:
        return _area_page(request, [{"text": "Select the area you want to plan for", "href": "#area"}], 422)
    return see_other(f"/s/{_save(request, doc)}/models")


@router.get("/area/template.csv")
def area_template() -> Response:
    from ..areas_io import template_table, to_csv
    from ..library import default_library

    return Response(to_csv(template_table(default_library())), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="carescale-area-template.csv"'})


@router.post("/area/upload")
async def area_upload(request: Request) -> Response:
    form = await request.form()
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return _area_page(request, [{"text": "Select a filled-in area template (.csv or .xlsx) to upload", "href": "#file"}], 422)
    limits = service.policy(request.app.state)
    content = await upload.read(limits.upload_bytes + 1)
    try:
        checked = service.check_area_upload(upload.filename, content, limits)
        doc = documents.parse({"version": 1, "area": checked["scenario_area"], "overrides": checked["overrides"]})
        documents.scenario(doc)
    except CarescaleError as exc:
        return _area_page(request, [{"text": exc.message, "href": "#file"}], 422)
    return see_other(f"/s/{_save(request, doc)}/models")


# -- step 2: the models and how far to scale them ------------------------------------------------------------------


def _model_choices(request: Request, doc: Any) -> list[dict[str, Any]]:
    from ..library import default_library
    from ..scenario import missing_inputs

    sc = documents.scenario(documents.updated(doc, interventions=None))
    area = sc.area
    chosen = canonical_interventions(doc)
    scale = documents.canonical(doc).get("scale") or {}
    out = []
    for iv in default_library().interventions.values():
        if iv.status != "runnable":
            continue
        gaps = missing_inputs(iv, area, documents.canonical(doc).get("basis", "potential"))
        out.append({
            "id": iv.id, "name": iv.name, "target_group": iv.target_group, "level": iv.evidence_grade.level,
            "available": not gaps, "missing": list(gaps),
            "checked": (chosen is None and not gaps) or (chosen is not None and iv.id in chosen),
            "scale": round(100 * float(scale.get(iv.id, 1.0)), 4),
        })
    return out


def canonical_interventions(doc: Any) -> list[str] | None:
    return documents.canonical(doc).get("interventions")


@router.get("/s/{sid}/models", response_class=HTMLResponse)
def models_form(request: Request, sid: str) -> HTMLResponse:
    doc = _doc(request, sid)
    return render(request, "models.html", title="Which care models do you want to scale up?", nav="scenario",
                  back="/area", sid=sid, area=documents.scenario(doc).area, models=_model_choices(request, doc),
                  basis=documents.canonical(doc).get("basis", "potential"),
                  reprice=documents.canonical(doc).get("reprice", True))


@router.post("/s/{sid}/models")
async def models_choose(request: Request, sid: str) -> Response:
    doc = _doc(request, sid)
    form = await request.form()
    models = _model_choices(request, doc)
    picked = [str(v) for v in form.getlist("interventions")]
    errors: list[dict[str, str]] = []
    scale: dict[str, float] = {}
    for m in models:
        if m["id"] not in picked:
            continue
        raw = str(form.get(f"scale:{m['id']}") or "").strip()
        try:
            pct = _number(raw.rstrip("%")) if raw else 100.0
        except ValueError:
            errors.append({"text": f"{m['name']}: how far: {raw!r} is not a number; enter a percentage from 0 to 100", "href": f"#scale-{m['id']}"})
            continue
        if pct is None or not 0 <= pct <= 100:
            errors.append({"text": f"{m['name']}: how far: enter a percentage from 0 to 100", "href": f"#scale-{m['id']}"})
            continue
        if pct != 100:
            scale[m["id"]] = round(pct / 100, 6)
        m["scale"] = pct
    for m in models:
        m["checked"] = m["id"] in picked
    if not picked:
        errors.append({"text": "Select at least one care model", "href": "#interventions"})
    basis = str(form.get("basis") or "potential")
    reprice = str(form.get("reprice") or "yes") != "no"
    new = None
    if not errors:
        try:
            default = [m["id"] for m in models if m["available"]]
            new = documents.updated(doc, interventions=None if sorted(picked) == sorted(default) else picked,
                                    scale=scale, basis=basis, reprice=reprice)
            documents.scenario(new)
        except CarescaleError as exc:
            errors.append({"text": exc.message, "href": "#interventions"})
    if errors:
        return render(request, "models.html", status_code=422, title="Which care models do you want to scale up?",
                      nav="scenario", back="/area", sid=sid, area=documents.scenario(doc).area, models=models,
                      basis=basis, reprice=reprice, errors=errors)
    return see_other(f"/s/{_save(request, new)}/assumptions")


# -- step 3: the assumptions, each beside its evidence --------------------------------------------------------------


def _assumption_groups(doc: Any, run: dict[str, Any]) -> list[dict[str, Any]]:
    params = documents.parameters(doc)
    overrides = documents.overrides_of(doc)
    groups: "OrderedDict[str, dict[str, Any]]" = OrderedDict()
    for iv in run["interventions"]:
        groups[iv["id"]] = {"id": iv["id"], "name": iv["name"], "people": [], "params": [], "level": None}
        for seg in iv["segments"]:
            path = f"{iv['id']}.{seg['id']}.people"
            groups[iv["id"]]["people"].append({
                "path": path, "id": field_id(path), "segment": seg["id"], "value": seg["beneficiaries"],
                "override": overrides.get(path),
            })
    groups["area"] = {"id": "area", "name": "Your area's figures", "people": [], "params": [], "level": None}
    groups["overlaps"] = {"id": "overlaps", "name": "Overlaps between target groups", "people": [], "params": [], "level": None}
    for p in params:
        key = p["intervention"] if p["path"].split(".")[0] not in ("area", "overlaps") else p["path"].split(".")[0]
        g = groups.get(key or "area")
        if g is None:
            continue
        if p["evidence_level"] is not None and key not in ("area", "overlaps"):
            g["level"] = p["evidence_level"]
        g["params"].append({**p, "id": field_id(p["path"])})
    return [g for g in groups.values() if g["params"] or g["people"]]


@router.get("/s/{sid}/assumptions", response_class=HTMLResponse)
def assumptions_form(request: Request, sid: str) -> HTMLResponse:
    doc = _doc(request, sid)
    run = _cached(request, sid, "run", lambda: documents.run(doc))
    return render(request, "assumptions.html", title="Check the assumptions", nav="scenario",
                  back=f"/s/{sid}/models", sid=sid, area=run["area"], groups=_assumption_groups(doc, run))


@router.post("/s/{sid}/assumptions")
async def assumptions_save(request: Request, sid: str) -> Response:
    doc = _doc(request, sid)
    run = _cached(request, sid, "run", lambda: documents.run(doc))
    groups = _assumption_groups(doc, run)
    form = await request.form()
    errors: list[dict[str, str]] = []
    overrides: dict[str, Any] = {}
    for g in groups:
        for item in [*g["people"], *g["params"]]:
            path = item["path"]
            raw = str(form.get(f"v:{path}") or "")
            shown = form.get(f"d:{path}")  # what the page showed: unchanged text is no change
            note = str(form.get(f"n:{path}") or "").strip()
            label = item.get("label") or f"{g['name']}: people supported a year"
            old = item.get("override")
            if shown is not None and raw.strip() == str(shown).strip():
                if old is not None or note:
                    overrides[path] = {"value": old["value"] if old else _number(raw), "note": note} if note else old["value"]
                continue
            try:
                value = _number(raw)
            except ValueError:
                errors.append({"text": f"{label}: {raw.strip()!r} is not a number", "href": f"#{item['id']}"})
                continue
            if value is None:
                continue
            overrides[path] = {"value": value, "note": note} if note else value
    new = None
    if not errors:
        try:
            new = documents.updated(doc, overrides=overrides)
            documents.run(new)
        except CarescaleError as exc:
            href = next((f"#{field_id(p)}" for p in overrides if p in exc.message), "#assumptions")
            errors.append({"text": exc.message, "href": href})
    if errors:
        return render(request, "assumptions.html", status_code=422, title="Check the assumptions", nav="scenario",
                      back=f"/s/{sid}/models", sid=sid, area=run["area"], groups=groups, errors=errors,
                      submitted={k: v for k, v in form.items() if isinstance(v, str)},
                      error_ids=[e["href"].lstrip("#") for e in errors])
    return see_other(f"/scenario/{_save(request, new)}")


# -- the result ------------------------------------------------------------------------------------------------------


def _uncertainty_state(request: Request, sid: str, doc: Any) -> tuple[dict[str, Any] | None, Any]:
    """The uncertainty result if it is known or cheap enough to work out inside the request
    (the resource policy's cost estimate); else the background job working it out, shared by
    every request for this scenario (started here if none is). A page never computes more."""
    got = service.uncertainty_now(request.app.state, sid, doc)
    if got is not None:
        return got, None
    return None, _job_for(request, sid, doc)


def _job_for(request: Request, sid: str, doc: Any) -> Any:
    return service.start_uncertainty_job(request.app.state, doc, service.client_of(request))


@router.get("/scenario/{sid}", response_class=HTMLResponse)
def result(request: Request, sid: str) -> HTMLResponse:
    doc = _doc(request, sid)
    run = _cached(request, sid, "run", lambda: documents.run(doc))
    appraisal = _cached(request, sid, "appraise-monthly", lambda: documents.appraise(doc, monthly=True))
    unc, job, refused = None, None, None
    try:
        unc, job = _uncertainty_state(request, sid, doc)
    except CarescaleError as exc:  # too large for this server, or the visitor's job quota is full
        refused = exc.message
    data = documents.canonical(doc)
    figs = charts.figures(run, appraisal, unc)
    return render(
        request, "result.html", title=f"Result: {run['area']['name']}", nav="scenario", sid=sid, run=run,
        appraisal=appraisal, unc=unc, job=job, unc_refused=refused, doc=data, changes=run.get("changes") or [],
        charts=figs, share_url=f"{public_url(request)}/scenario/{sid}", plotly_style_ids=plotly_style_ids(),
        reports=_reports_available(), draws=documents.draws(doc), max_draws=service.policy(request.app.state).max_draws,
        scale={k: float(v) for k, v in (data.get("scale") or {}).items()},
    )


def _reports_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("carescale.reports") is not None


@router.post("/scenario/{sid}/uncertainty")
async def larger_analysis(request: Request, sid: str) -> Response:
    doc = _doc(request, sid)
    form = await request.form()
    raw = str(form.get("draws") or "")
    try:
        n = _number(raw)
    except ValueError:
        n = None
    most = service.policy(request.app.state).max_draws
    if n is None or not n.is_integer() or not 1 <= n <= most:
        return error_page(request, 422, [f"draws: {raw.strip()!r} is not valid; enter a whole number of draws from 1 to {most:,}"])
    data = documents.canonical(doc)
    unc = dict(data.get("uncertainty") or {})
    unc["draws"] = int(n)
    new = documents.updated(doc, uncertainty=unc)
    new_sid = _save(request, new)
    from .policy import estimate, inline_allowed

    if inline_allowed(service.policy(request.app.state), estimate(new)):
        return see_other(f"/scenario/{new_sid}")
    job = _job_for(request, new_sid, new)
    return see_other(f"/jobs/{job.id}")


# -- downloads -------------------------------------------------------------------------------------------------------


@router.get("/scenario/{sid}/scenario.json")
def download_scenario(request: Request, sid: str) -> Response:
    data = service.stored(request.app.state.store, sid)
    return Response(finite_json(data, indent=2, ensure_ascii=False), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="carescale-scenario-{sid}.json"'})


@router.get("/scenario/{sid}/results.json")
def download_json(request: Request, sid: str) -> Response:
    doc = _doc(request, sid)
    body = {
        "scenario_id": sid,
        "run": _cached(request, sid, "run", lambda: documents.run(doc)),
        "appraise": _cached(request, sid, "appraise", lambda: documents.appraise(doc)),
    }
    unc = request.app.state.results.get((sid, "uncertainty"))
    if unc is not None:
        body["uncertainty"] = unc
    return Response(finite_json(body, indent=2, ensure_ascii=False), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="carescale-results-{sid}.json"'})


@router.get("/scenario/{sid}/results.csv")
def download_csv(request: Request, sid: str) -> Response:
    doc = _doc(request, sid)
    run = _cached(request, sid, "run", lambda: documents.run(doc))
    return Response(service.results_csv(run), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="carescale-results-{sid}.csv"'})


@router.get("/scenario/{sid}/report.{fmt}")
def download_report(request: Request, sid: str, fmt: str) -> Response:
    """The business-case report (``carescale.reports``: pdf, xlsx, html, md) for this scenario."""
    if not _reports_available():
        return error_page(request, 404)
    from ..reports import FORMATS

    if fmt not in FORMATS:
        return error_page(request, 404)
    doc = _doc(request, sid)
    media, suffix = FORMATS[fmt]
    body = request.app.state.results.get((sid, f"report-{fmt}"))
    if body is None:
        unc, job = _uncertainty_state(request, sid, doc)
        if unc is None:  # too heavy for a download: the report waits for the scenario's job
            return see_other(f"/jobs/{job.id}")
        body = _cached(request, sid, f"report-{fmt}", lambda: service.report_bytes(request.app.state, doc, fmt, unc))
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="carescale-report-{sid}{suffix}"'})


# -- background jobs -------------------------------------------------------------------------------------------------


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str) -> HTMLResponse:
    job = service.job(request.app.state, job_id)
    return render(request, "job.html", title="Working out how sure the savings are", nav="scenario", job=job,
                  back=f"/scenario/{job.scenario_id}")


@router.post("/jobs/{job_id}/cancel")
def job_cancel(request: Request, job_id: str) -> Response:
    service.job(request.app.state, job_id)
    request.app.state.jobs.cancel(job_id)
    return see_other(f"/jobs/{job_id}")


# -- the evidence browser --------------------------------------------------------------------------------------------


@router.get("/evidence", response_class=HTMLResponse)
def evidence_list(request: Request, q: str = "", kind: str = "", area: str = "", payer: str = "", min_level: str = "") -> HTMLResponse:
    from .. import evidence

    errors = []
    filters: dict[str, Any] = {}
    try:
        if area:
            filters["area"] = int(area)
        if min_level:
            filters["min_level"] = int(min_level)
    except ValueError:
        errors.append({"text": "Choose a transformation area and level from the lists", "href": "#area"})
    if payer in ("asc", "nhs"):
        filters["payer"] = payer
    if kind in ("model", "case study"):
        filters["kind"] = kind
    try:
        hits = evidence.search(q[:500], **filters) if not errors else []
    except CarescaleError as exc:
        errors.append({"text": exc.message, "href": "#q"})
        hits = []
    return render(request, "evidence.html", title="The evidence behind the figures", nav="evidence",
                  hits=[h.as_dict() for h in hits], q=q, kind=kind, area=area, payer=payer, min_level=min_level,
                  errors=errors, status_code=422 if errors else 200)


@router.get("/evidence/{record_id}", response_class=HTMLResponse)
def evidence_page(request: Request, record_id: str) -> HTMLResponse:
    from .. import evidence

    try:
        d = evidence.detail(record_id)
    except CarescaleError:
        return error_page(request, 404)
    return render(request, "evidence_record.html", title=d["name"], nav="evidence", back="/evidence", d=d)
