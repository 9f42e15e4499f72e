"""The journey's pages: the start page, then step 1 the area, step 2 the care models and how far
to scale them, step 3 the assumptions beside their evidence.

Each step is a form whose answer becomes a new scenario document, stored by its content hash, so
every step has its own address (``/s/<id>/models``, ``/s/<id>/assumptions``) and an old address
is never changed; the last step leads to the result (:mod:`carescale.web.routes.results`).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ...errors import CarescaleError
from ...library import default_library
from ...library.catalogue import definition
from .. import documents, service
from ..forms import AreaForm, AssumptionsForm, ErrorSummary, ModelsForm
from ..national import builtin_councils
from ..templating import field_id, render, see_other
from .common import save, stored_document

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def start(request: Request) -> HTMLResponse:
    return render(request, "start.html", title="Scale up care that works")


# -- step 1: the area ------------------------------------------------------------------------------------


def _area_page(request: Request, errors: ErrorSummary | None = None, status: int = 200,
               chosen: str | None = None, from_sid: str | None = None) -> HTMLResponse:
    rows = service.area_rows()
    national = request.app.state.national or builtin_councils()
    return render(
        request, "area.html", status_code=status, title="Which area do you want to plan for?", nav="scenario",
        back="/", errors=errors.items if errors else [], councils=[r for r in rows if r["kind"] == "council"],
        sites=[r for r in rows if r["kind"] != "council"], chosen=chosen or "birmingham",
        national=national.choices(), builtin=request.app.state.national is None,
        from_sid=from_sid,
    )


def _starting() -> dict[str, Any]:
    """What a new scenario starts with on the web: the appraisal from the start of the next
    financial year (docs/web.md, "Settings"; the packaged default date may already be past)."""
    from ...appraisal.settings import next_financial_year_start

    return {"appraisal": {"start_date": next_financial_year_start().isoformat()}}


@router.get("/area", response_class=HTMLResponse)
def area_form(request: Request) -> HTMLResponse:
    return _area_page(request)


@router.get("/s/{sid}/area", response_class=HTMLResponse)
def area_change(request: Request, sid: str) -> HTMLResponse:
    """Step 1 again for a scenario already made: the area page, which keeps what still applies."""
    doc = stored_document(request, sid)
    area = documents.canonical(doc)["area"]
    return _area_page(request, chosen=area if isinstance(area, str) else None, from_sid=sid)


def _carried(request: Request, old_sid: str, doc: Any) -> Any:
    """``doc`` (a new area) with what the scenario ``old_sid`` had chosen that still applies there:
    the care models available in the area, their scale, the basis, the prices, the appraisal and
    uncertainty settings, and every changed figure the area's scenario uses (checked one by one)."""
    from ...scenarios import valid_paths

    old = documents.canonical(stored_document(request, old_sid))
    available = {m["id"] for m in _model_choices(doc) if m["available"]}
    picked = [i for i in (old.get("interventions") or []) if i in available] or None
    keep = {k: old[k] for k in ("basis", "reprice", "price_base_year", "appraisal", "uncertainty") if k in old}
    base = documents.updated(doc, interventions=picked, scale={k: v for k, v in (old.get("scale") or {}).items()
                                                              if k in available}, **keep)
    try:
        documents.scenario(base)
    except CarescaleError:
        base = doc  # the old choices do not fit the new area at all: start afresh there
    valid = set(valid_paths(documents.scenario(base)))
    kept: dict[str, Any] = {}
    for path, override in (old.get("overrides") or {}).items():
        if path not in valid:
            continue
        try:
            documents.scenario(documents.updated(base, overrides={**kept, path: override}))
        except CarescaleError:
            continue
        kept[path] = override
    return documents.updated(base, overrides=kept) if kept else base


@router.post("/area")
async def area_choose(request: Request) -> Response:
    raw = await request.form()
    old_sid = str(raw.get("from") or "")
    form = AreaForm.read(raw)
    if old_sid:
        stored_document(request, old_sid)  # 404 for a scenario this server does not have
    if form.area == "national":
        nat = request.app.state.national
        if nat is None:  # the built-in profiles from official figures: saved by id
            if builtin_councils().area(form.national) is None:
                return _area_page(request, AreaForm.no_council(), 422, "national")
            doc = documents.parse({**{"version": 1, "area": form.national}, **_starting()})
            return _to_models(request, doc, old_sid)
        chosen = nat.area(form.national)
        if chosen is None:
            return _area_page(request, AreaForm.no_council(), 422, "national")
        doc = documents.parse({**{"version": 1, "area": {"inline": definition(chosen)}}, **_starting()})
    elif form.area:
        try:
            doc = documents.parse({**{"version": 1, "area": form.area}, **_starting()})
            documents.scenario(doc)
        except CarescaleError as exc:
            errors = ErrorSummary()
            errors.add_error(exc, "area")
            return _area_page(request, errors, 422)
    else:
        return _area_page(request, form.missing(), 422, from_sid=old_sid or None)
    return _to_models(request, doc, old_sid)


def _to_models(request: Request, doc: Any, old_sid: str) -> Response:
    if not old_sid:
        return see_other(f"/s/{save(request, doc)}/models")
    return see_other(f"/s/{save(request, _carried(request, old_sid, doc))}/models?from={old_sid}")


def _carried_note(request: Request, doc: Any, old_sid: str) -> dict[str, Any] | None:
    """What the models page says after the area changed: the changed figures kept, those dropped
    (in words), and the care models not available in the new area."""
    from ...scenarios.compare import setting_label
    from ..storage import ID_RE

    if not ID_RE.match(old_sid):
        return None
    got = request.app.state.store.get(old_sid)
    if got is None:
        return None
    old = documents.parse(got)
    before, after = documents.overrides_of(old), documents.overrides_of(doc)
    labels = {c["path"]: c["label"] for c in documents.run(old).get("changes") or []}
    lib = default_library()
    now = set(documents.canonical(doc).get("interventions") or [])
    was = documents.canonical(old).get("interventions") or []
    return {
        "kept": [p for p in before if p in after],
        "dropped": [setting_label(f"overrides.{p}.value", labels).removeprefix("Changed figure: ")
                    for p in before if p not in after],
        "models_dropped": [lib.interventions[i].name if i in lib.interventions else i for i in was if now and i not in now],
    }


@router.get("/area/template.csv")
def area_template() -> Response:
    from ...areas import template_table, to_csv

    return Response(to_csv(template_table(default_library())), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="carescale-area-template.csv"'})


@router.post("/area/upload")
async def area_upload(request: Request) -> Response:
    form = await request.form()
    upload = form.get("file")
    errors = ErrorSummary()
    if upload is None or isinstance(upload, str) or not upload.filename:
        errors.add("Select a filled-in area template (.csv or .xlsx) to upload", "file")
        return _area_page(request, errors, 422)
    limits = service.policy(request.app.state)
    content = await upload.read(limits.upload_bytes + 1)
    try:
        checked = service.check_area_upload(upload.filename, content, limits)
        doc = documents.parse({**{"version": 1, "area": checked["scenario_area"], "overrides": checked["overrides"]}, **_starting()})
        documents.scenario(doc)
    except CarescaleError as exc:
        from ..wording import message_words

        errors.add(message_words(exc.message), "file")
        return _area_page(request, errors, 422)
    return see_other(f"/s/{save(request, doc)}/models")


# -- step 2: the models and how far to scale them ------------------------------------------------------------------


def _model_choices(doc: Any) -> list[dict[str, Any]]:
    from ...engine.scenario import missing_inputs

    sc = documents.scenario(documents.updated(doc, interventions=None))
    area = sc.area
    data = documents.canonical(doc)
    chosen = data.get("interventions")
    scale = data.get("scale") or {}
    out = []
    lib = default_library()
    default = {iv.id for iv in lib.portfolio()}  # the paper's six: models calibrated to one site are opt-in
    for iv in lib.interventions.values():
        if iv.status != "runnable":
            continue
        gaps = missing_inputs(iv, area, data.get("basis", "potential"))
        out.append({
            "id": iv.id, "name": iv.name, "target_group": iv.target_group, "level": iv.evidence_grade.level,
            "available": not gaps, "missing": list(gaps),
            "calibration": iv.source.site if iv.calibration and iv.source else None,
            "default": iv.id in default,
            "checked": (chosen is None and not gaps and iv.id in default) or (chosen is not None and iv.id in chosen),
            "scale": round(100 * float(scale.get(iv.id, 1.0)), 4),
        })
    return out


def canonical_interventions(doc: Any) -> list[str] | None:
    return documents.canonical(doc).get("interventions")


@router.get("/s/{sid}/models", response_class=HTMLResponse)
def models_form(request: Request, sid: str) -> HTMLResponse:
    doc = stored_document(request, sid)
    data = documents.canonical(doc)
    old = request.query_params.get("from", "")
    return render(request, "models.html", title="Which care models do you want to scale up?", nav="scenario",
                  back="/area", sid=sid, area=documents.scenario(doc).area, models=_model_choices(doc),
                  basis=data.get("basis", "potential"), reprice=data.get("reprice", True),
                  carried=_carried_note(request, doc, old) if old else None)


@router.post("/s/{sid}/models")
async def models_choose(request: Request, sid: str) -> Response:
    doc = stored_document(request, sid)
    models = _model_choices(doc)
    form = ModelsForm.read(await request.form(), models)
    new = None
    if not form.errors:
        try:
            default = [m["id"] for m in models if m["available"] and m["default"]]
            new = documents.updated(doc, interventions=None if sorted(form.picked) == sorted(default) else form.picked,
                                    scale=form.scale, basis=form.basis, reprice=form.reprice)
            documents.scenario(new)
        except CarescaleError as exc:
            form.errors.add_error(exc, "interventions")
    if form.errors:
        return render(request, "models.html", status_code=422, title="Which care models do you want to scale up?",
                      nav="scenario", back="/area", sid=sid, area=documents.scenario(doc).area, models=models,
                      basis=form.basis, reprice=form.reprice, errors=form.errors.items)
    return see_other(f"/s/{save(request, new)}/assumptions")


# -- step 3: the assumptions, each beside its evidence --------------------------------------------------------------


def _area_label(p: dict[str, Any], area: str) -> str:
    """An area figure's label in words (``area.cohorts.population_65_plus``: "Birmingham: usual
    resident population aged 65 and over"); any other label as the engine gives it."""
    from ..wording import words

    parts = p["path"].split(".")
    if len(parts) == 3 and parts[0] == "area" and parts[1] in ("cohorts", "spend"):
        return f"{area}: {words(parts[2])}" + (" spend" if parts[1] == "spend" else "")
    return p["label"]


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
        g["params"].append({**p, "id": field_id(p["path"]), "label": _area_label(p, run["area"]["name"])})
    return [g for g in groups.values() if g["params"] or g["people"]]


@router.get("/s/{sid}/assumptions", response_class=HTMLResponse)
def assumptions_form(request: Request, sid: str) -> HTMLResponse:
    doc = stored_document(request, sid)
    run = documents.run(doc)
    return render(request, "assumptions.html", title="Check the assumptions", nav="scenario",
                  back=f"/s/{sid}/models", sid=sid, area=run["area"], groups=_assumption_groups(doc, run))


@router.post("/s/{sid}/assumptions")
async def assumptions_save(request: Request, sid: str) -> Response:
    doc = stored_document(request, sid)
    run = documents.run(doc)
    groups = _assumption_groups(doc, run)
    raw = await request.form()
    form = AssumptionsForm.read(raw, groups)
    new = None
    if not form.errors:
        try:
            new = documents.updated(doc, overrides=form.overrides)
            documents.run(new)
        except CarescaleError as exc:
            form.refused(exc, field_id, [{"path": i["path"], "label": i.get("label") or f"{g['name']}: people supported a year",
                                          "unit": i.get("unit", "people")} for g in groups for i in (*g["people"], *g["params"])])
    if form.errors:
        return render(request, "assumptions.html", status_code=422, title="Check the assumptions", nav="scenario",
                      back=f"/s/{sid}/models", sid=sid, area=run["area"], groups=groups, errors=form.errors.items,
                      submitted={k: v for k, v in raw.items() if isinstance(v, str)},
                      error_ids=form.errors.ids)
    return see_other(f"/scenario/{save(request, new)}")
