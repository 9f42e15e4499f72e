"""The JSON API, versioned under ``/api/v1/`` (OpenAPI at ``/openapi.json``; docs/web.md).

Thin over the library: each route reads its input, calls the same functions as the CLI and
returns what they return (from the scenario's one :class:`~carescale.scenarios.Evaluation`, shared
with the pages and the jobs). Bad input is a :class:`~carescale.errors.CarescaleError`, answered
with its ``http_status`` (422 with field-level messages) by the handlers in :mod:`carescale.web.app`.

The scenario document is typed in the OpenAPI document (:mod:`carescale.web.contract`: every
operation that takes one refers to the ``ScenarioDocument`` schema), while the routes take the
JSON object and validate it with ``carescale.scenarios`` (:func:`carescale.web.documents.parse`),
so that every refusal is the one-line, field-named message the CLI gives for the same document
(docs/web.md, "The scenario document in the API").
"""

from __future__ import annotations

from typing import Any, Literal, Optional

from fastapi import APIRouter, Body, File, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from ... import evidence
from ...errors import NotFound, SettingsError, UnknownIdError
from .. import documents, service
from .common import ErrorBody, ErrorItem  # noqa: F401 - the error model every operation declares
from ..policy import Policy, estimate

router = APIRouter(prefix="/api/v1", generate_unique_id_function=lambda route: route.name)  # operationId: the function's name


# -- the error bodies every operation declares (one model; docs/web.md) -----------------------------


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {
        400: "The body cannot be read (not UTF-8 JSON, or not a form).",
        404: "No such record: the message names the id.",
        422: "Bad input: field-level messages, one line each.",
        429: "Too many background jobs are waiting to start; try again later.",
        503: "The store (database) cannot be used just now: unreachable, read-only, full, or written by a "
        "newer carescale. Nothing was saved. The Retry-After header says when to try again.",
    }
    return {code: {"model": ErrorBody, "description": text[code]} for code in codes}


def _link(operation_id: str, parameter: str, expression: str) -> dict[str, Any]:
    return {"operationId": operation_id, "parameters": {parameter: expression}}


def _not_found(fn: Any, *args: Any) -> Any:
    """An unknown id in the address is 404 (the same one-line message as the CLI's)."""
    try:
        return fn(*args)
    except UnknownIdError as exc:
        raise NotFound(exc.message) from None


MAX_SYNC_DRAWS = Policy.sync_draws  # the resource policy's defaults (carescale.web.policy), for the docs
MAX_SYNC_SOBOL = Policy.sync_sobol_samples

EXAMPLE = {"version": 1, "area": "birmingham", "basis": "potential"}


def _document_body(description: str) -> Any:
    return Body(..., description=description, examples=[EXAMPLE])


# -- the library --------------------------------------------------------------------------------


@router.get("/interventions", summary="List the care models in the evidence library")
def list_interventions() -> list[dict[str, Any]]:
    return service.intervention_rows()


@router.get("/interventions/{intervention_id}", summary="One care model with every number and its reference",
            responses=_errors(404))
def show_intervention(intervention_id: str) -> dict[str, Any]:
    return _not_found(service.intervention_detail, intervention_id)


@router.get("/areas", summary="List the area profiles (councils and source sites)")
def list_areas() -> list[dict[str, Any]]:
    return service.area_rows()


@router.post("/areas/upload", summary="Check a filled-in area template (.csv or .xlsx) as 'areas import' does",
             responses=_errors(400, 422))
def upload_area(request: Request, file: UploadFile = File(..., description="A filled-in template (.csv or .xlsx).")) -> JSONResponse:
    limits = service.policy(request.app.state)
    checked = service.check_area_upload(file.filename or "upload.csv", file.file.read(limits.upload_bytes + 1), limits)
    return JSONResponse(checked)


# (declared before /areas/{area_id}, so that another method on /areas/upload is 405 with Allow: POST)
@router.get("/areas/{area_id}", summary="One area profile with every figure and its reference", responses=_errors(404))
def show_area(area_id: str) -> dict[str, Any]:
    return _not_found(service.area_detail, area_id)


@router.get("/evidence", summary="Search every model and case study, with filters")
def search_evidence(
    q: str = Query("", max_length=500, description="Words to look for, e.g. 'older people living alone'."),
    area: Optional[int] = Query(None, description="Transformation area, 1 to 5.", json_schema_extra={"minimum": 1, "maximum": 5}),
    target_group: Optional[str] = Query(None, max_length=200, description="Words the target group must contain."),
    payer: Optional[Literal["asc", "nhs"]] = Query(None, description="Only evidence of savings to this payer."),
    min_level: Optional[int] = Query(None, description="Lowest Nesta Standards of Evidence level, 1 to 5.",
                                     json_schema_extra={"minimum": 1, "maximum": 5}),
    kind: Optional[Literal["model", "case-study"]] = Query(None, description="Only models or only case studies."),
    limit: Optional[int] = Query(None, ge=1, le=1000, description="At most this many."),
) -> list[dict[str, Any]]:
    hits = evidence.search(
        q, area=area, target_group=target_group, payer=payer, min_level=min_level,
        kind=kind.replace("-", " ") if kind else None, limit=limit,
    )
    return [h.as_dict() for h in hits]


@router.get("/evidence/{record_id}", summary="One model or case study in full, with grade and references",
            responses=_errors(404))
def show_evidence(record_id: str) -> dict[str, Any]:
    return _not_found(evidence.detail, record_id)


# -- running a scenario document ----------------------------------------------------------------------


@router.post("/run", responses=_errors(400, 422), summary="Annual costs and savings by payer (the CLI's 'run --format json')")
async def run(request: Request, doc: dict[str, Any] = _document_body("A scenario document."),
        include: str = Query("bridge,value", max_length=100, description=(
            "The parts worked out besides the run: 'bridge' (from the evidence to each headline), 'value' "
            "(fiscal and social value), both (the default, what 'carescale run --format json' prints) or 'none' "
            "(the run alone, several times quicker)."))) -> Response:
    parts = _run_parts(include)
    return await service.answered(request.app.state, "run", doc, "bridge" in parts, "value" in parts)


RUN_PARTS = ("bridge", "value")


def _run_parts(include: str) -> set[str]:
    words = {w.strip() for w in include.split(",")} - {""}
    if words == {"none"}:
        return set()
    bad = sorted(words - set(RUN_PARTS))
    if bad:
        raise SettingsError(f"include: {bad[0]!r} is not a part of the run; give bridge, value, both as "
                            "'bridge,value' (the default) or 'none'")
    return words


@router.post("/appraise", responses=_errors(400, 422), summary="Cash flows, NPV, ROI and break-even (the CLI's 'appraise --format json')")
async def appraise(request: Request, doc: dict[str, Any] = _document_body("A scenario document.")) -> Response:
    return await service.answered(request.app.state, "appraise", doc)


@router.post(
    "/uncertainty",
    responses=_errors(400, 422),
    summary="Monte Carlo, tornado and switching values (the CLI's 'uncertainty --format json')",
    description=f"Up to {MAX_SYNC_DRAWS:,} draws here; more run as a background job (POST /api/v1/jobs).",
)
def uncertainty(request: Request, doc: dict[str, Any] = _document_body("A scenario document.")) -> JSONResponse:
    d = documents.parse(doc)
    limits = service.policy(request.app.state)
    n = documents.draws(d)
    if n > limits.sync_draws:
        raise SettingsError(
            f"uncertainty.draws: {n:,} draws is more than this endpoint runs at once ({limits.sync_draws:,}); "
            "start a background job with POST /api/v1/jobs instead"
        )
    if d.uncertainty.sobol and d.uncertainty.sobol_samples > limits.sync_sobol_samples:
        raise SettingsError(
            f"uncertainty.sobol_samples: {d.uncertainty.sobol_samples:,} is more than this endpoint runs at once "
            f"({limits.sync_sobol_samples:,}); start a background job with POST /api/v1/jobs instead"
        )
    got = service.uncertainty_now(request.app.state, d)
    if got is None:
        cost = estimate(d)
        raise SettingsError(
            f"uncertainty: this analysis ({cost.draws:,} draws x {cost.months} months x {cost.models} models) is more than "
            f"this endpoint works out at once (about {cost.cells:,} cells; at most {limits.inline_cost:,}); "
            "start a background job with POST /api/v1/jobs instead"
        )
    return JSONResponse(got)


# -- shared scenarios -----------------------------------------------------------------------------------


@router.post(
    "/scenarios", summary="Store a scenario document; its id and shareable URL", status_code=201,
    responses={**_errors(400, 422, 503), 201: {"description": "Stored (or already stored): its id and addresses.", "links": {
        "GetScenario": _link("get_scenario", "scenario_id", "$response.body#/scenario_id"),
        "CompareScenario": _link("compare_scenario", "scenario_id", "$response.body#/scenario_id")}}},
)
def save_scenario(request: Request, doc: dict[str, Any] = _document_body("A scenario document.")) -> dict[str, Any]:
    sid = request.app.state.store.put(documents.runnable(doc))
    return {"scenario_id": sid, "url": f"/scenario/{sid}", "document": f"/api/v1/scenarios/{sid}"}


@router.get("/scenarios/{scenario_id}", summary="A stored scenario document", responses=_errors(404, 503))
def get_scenario(request: Request, scenario_id: str) -> dict[str, Any]:
    return service.stored(request.app.state.store, scenario_id)


# -- comparing two results (issue 26; the CLI's 'scenario diff A B --results --format json') ------------


class CompareSide(BaseModel):
    """One of the two results compared: its scenario id and what it is."""

    scenario_id: str
    kind: Literal["baseline", "scenario", "saved"] = Field(
        description="baseline: the scenario's own document with every figure at its evidence value; scenario: a "
        "stored scenario; saved: a saved scenario (by its key)")
    name: str = Field(description="What it is, in words.")
    saved_key: Optional[str] = None


class SettingDifference(BaseModel):
    """A setting of the scenario document the two differ in (``a``/``b`` None when not set)."""

    key: str
    a: Any = None
    b: Any = None


class CompareRow(BaseModel):
    """One figure in both results, in pounds (people for ``people``), unrounded; ``difference`` is
    b - a (None when one result lacks it)."""

    key: str
    label: str
    a: Optional[float]
    b: Optional[float]
    difference: Optional[float]


class CompareModelRow(CompareRow):
    """Net saving a year of one model (or overlap, negative: it takes from the net) to one payer."""

    kind: Literal["model", "overlap"]
    payer: Literal["asc", "nhs"]
    short: str


class CompareBridgeRow(CompareRow):
    """One step of the bridge (or a subtotal, ``model`` None) for one payer or all (``total``)."""

    step: str
    model: Optional[str]
    model_name: str
    kind: Literal["step", "subtotal"]
    payer: Literal["asc", "nhs", "total"]


class CompareResults(BaseModel):
    units: str
    headlines: list[CompareRow]
    by_model: list[CompareModelRow]
    overlaps: list[CompareModelRow]
    bridge: list[CompareBridgeRow]


class Comparison(BaseModel):
    """Two results side by side: ``a`` (what ``with`` names) and ``b`` (the scenario in the address),
    the settings they differ in and, in ``results``, the same figures as ``carescale scenario diff A
    B --results --format json`` (``carescale.scenarios.compare.compare_results``)."""

    a: CompareSide
    b: CompareSide
    identical: bool
    differences: list[SettingDifference]
    results: CompareResults


@router.get(
    "/scenarios/{scenario_id}/compare", response_model=Comparison, responses=_errors(404, 422, 503),
    summary="A stored scenario's results against its baseline or another scenario (the CLI's 'scenario diff A B "
    "--results --format json')",
)
def compare_scenario(
    request: Request, scenario_id: str,
    with_: str = Query("baseline", alias="with", min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_-]+$",
                       description="What to compare with: 'baseline' (the same document with every figure at its "
                       "evidence value, the default), a stored scenario's id or a saved scenario's key."),
) -> dict[str, Any]:
    from ...scenarios.compare import baseline_of, compare_results, diff_documents

    store = request.app.state.store
    doc = documents.parse(service.stored(store, scenario_id))
    b = {"scenario_id": doc.scenario_id, "kind": "scenario", "name": f"scenario {scenario_id}", "saved_key": None}
    if with_ == "baseline":
        other = baseline_of(doc)
        a = {"scenario_id": other.scenario_id, "kind": "baseline", "name": "the evidence defaults (no changed figures)",
             "saved_key": None}
    else:
        from ..access import readable_saved

        saved = readable_saved(request, with_)  # another organisation's saved scenario: as if not kept here
        sid = saved["scenario_id"] if saved is not None else with_
        found = store.get(sid)
        if found is None:
            raise NotFound(f"with: no scenario or saved scenario {with_!r} is stored here; give 'baseline', a "
                           "stored scenario's id or a saved scenario's key")
        other = documents.parse(found)
        a = ({"scenario_id": other.scenario_id, "kind": "saved", "name": f"saved scenario \u201c{saved['name']}\u201d",
              "saved_key": with_} if saved is not None else
             {"scenario_id": other.scenario_id, "kind": "scenario", "name": f"scenario {with_}", "saved_key": None})
    differences = diff_documents(other, doc)
    compared = compare_results(other, doc)
    return {"a": a, "b": b, "identical": not differences, "differences": differences,
            "results": {k: compared[k] for k in ("units", "headlines", "by_model", "overlaps", "bridge")}}


# -- background jobs -----------------------------------------------------------------------------------


@router.post(
    "/jobs", summary="Start an uncertainty analysis as a background job", status_code=202,
    responses={**_errors(400, 422, 429, 503), 202: {"description": "Started: the job's id and where to follow it.", "links": {
        "GetJob": _link("job_status", "job_id", "$response.body#/id"),
        "CancelJob": _link("cancel_job", "job_id", "$response.body#/id")}}},
)
def start_job(request: Request, doc: dict[str, Any] = _document_body("A scenario document.")) -> dict[str, Any]:
    job = service.start_uncertainty_job(request.app.state, documents.runnable(doc), service.client_of(request))
    return {**job.as_dict(), "status_url": f"/api/v1/jobs/{job.id}", "page": f"/jobs/{job.id}"}


@router.get("/jobs/{job_id}", summary="A background job's progress, and its result once done", responses=_errors(404))
def job_status(request: Request, job_id: str) -> dict[str, Any]:
    job = service.job(request.app.state, job_id)
    out = job.as_dict()
    if job.status == "done":
        out["result"] = job.result
    return out


@router.post("/jobs/{job_id}/cancel", summary="Cancel a background job", responses=_errors(404))
def cancel_job(request: Request, job_id: str) -> dict[str, Any]:
    job = service.job(request.app.state, job_id)
    request.app.state.jobs.cancel(job_id)
    return job.as_dict()
