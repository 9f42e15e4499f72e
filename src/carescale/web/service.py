"""What the API routes and the pages share: small calls into the library (no model logic)."""

from __future__ import annotations

import tempfile
from collections import OrderedDict
from pathlib import Path
from threading import Lock
from typing import Any, Callable, TypeVar

from anyio.lowlevel import RunVar

from ..errors import CarescaleError, NotFound, SettingsError, UnknownIdError
from ..scenarios import Evaluation, evaluate_document
from . import documents

UPLOAD_SUFFIXES = (".csv", ".xlsx")


class ResultCache:
    """Finished outputs by key, the last ``size`` of them, each made once (:meth:`get_or_make`).
    The app has one for its rendered report files (``app.state.downloads``, key (scenario id,
    format): a scenario's report never changes and a PDF takes seconds to lay out) and one for its
    rendered result pages (``app.state.pages``, key the scenario id and what the page shows of
    its uncertainty analysis). The figures themselves are the scenario's
    :class:`~carescale.scenarios.Evaluation` (:func:`evaluation`), which works out its run,
    appraisal and Monte Carlo once each."""

    def __init__(self, size: int = 32, weigh: Callable[[Any], int] | None = None):
        """``size``: how many values are kept; with ``weigh``, their total weight instead (the
        database store keeps its last documents read by their characters), and a value heavier
        than ``size`` alone is not kept."""
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._size = size
        self._weigh = weigh if weigh is not None else (lambda value: 1)
        self._weight = 0
        self._lock = Lock()
        self._flights: dict[Any, Lock] = {}

    def get(self, key: Any) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key: Any, value: Any) -> Any:
        weight = self._weigh(value)
        if weight > self._size:
            return value
        with self._lock:
            if key in self._items:
                self._weight -= self._weigh(self._items[key])
            self._items[key] = value
            self._weight += weight
            while self._weight > self._size:
                self._weight -= self._weigh(self._items.popitem(last=False)[1])
        return value

    def get_or_make(self, key: Any, make: Any, stale: Any = None) -> Any:
        """The value for ``key``, made by ``make()`` once however many ask at the same time
        (single flight: the others wait for the first and get its value; if it raises, the next
        caller tries again). ``stale``: a key whose value (an older version of the same thing,
        e.g. the page of a scenario before its job finished) is answered at once to callers that
        arrive while another caller is making ``key``, instead of waiting; the value made is
        also kept under ``stale``."""
        got = self.get(key)
        if got is not None:
            return got
        with self._lock:
            busy = key in self._flights
            flight = self._flights.setdefault(key, Lock())
        if busy and stale is not None:
            older = self.get(stale)
            if older is not None:
                return older
        with flight:
            got = self.get(key)
            if got is None:
                got = self.put(key, make())
                if stale is not None:
                    self.put(stale, got)
        with self._lock:
            if self._flights.get(key) is flight:
                del self._flights[key]
        return got


def evaluation(doc: Any) -> Evaluation:
    """The scenario's one :class:`~carescale.scenarios.Evaluation` (``evaluate_document``: shared
    by the whole process, so the result page, the API, the jobs and the downloads of one scenario
    read the same run, appraisal and Monte Carlo, each worked out once)."""
    return evaluate_document(documents.parse(doc))


#: one-draw analyses the API works out at once (``computed``): the interpreter lock lets one
#: thread compute at a time, so more only take turns at it and switch between threads (issue 25,
#: measured with 20 clients posting new documents to /api/v1/run: 9.2-9.5 ms of the server's CPU a
#: request with one, 9.6-11.3 ms with the thread pool's 40)
COMPUTE_SLOTS = 1
_compute_slots: RunVar[Any] = RunVar("carescale_compute_slots")
T = TypeVar("T")


async def computed(work: Callable[[], T]) -> T:
    """``work()`` (a one-draw analysis: the API's run and appraisal) in a worker thread, at most
    :data:`COMPUTE_SLOTS` at once; the others wait their turn without holding a thread, so the
    pages and static files keep the thread pool."""
    import anyio

    try:
        limiter = _compute_slots.get()
    except LookupError:  # one limiter per event loop (each test client may run its own)
        limiter = anyio.CapacityLimiter(COMPUTE_SLOTS)
        _compute_slots.set(limiter)
    return await anyio.to_thread.run_sync(work, limiter=limiter)


async def answered(state: Any, name: str, *args: Any) -> Any:
    """The API's answer ``compute.ANSWERS[name](*args)`` as a JSON response: from the app's
    compute processes when it has them (:class:`~carescale.web.compute.ComputePool`), else (and
    for anything but an answer: a refusal, a worker that stopped) worked out here by
    :func:`computed`, so errors are raised and answered as always."""
    from fastapi.responses import Response

    from .compute import ANSWERS

    pool = getattr(state, "compute", None)
    body = await pool.answer(name, *args) if pool is not None else None
    if body is None:
        body = await computed(lambda: ANSWERS[name](*args))
    return Response(body, media_type="application/json")


def intervention_rows() -> list[dict[str, Any]]:
    from ..library.catalogue import intervention_rows as rows

    return rows()


def intervention_detail(intervention_id: str) -> dict[str, Any]:
    from ..library.catalogue import definition
    from ..library import default_library

    return definition(default_library().intervention(intervention_id))


def area_rows() -> list[dict[str, Any]]:
    from ..library.catalogue import area_rows as rows

    return rows()


def baseline(area: Any, price_year: str | None) -> dict[str, Any] | None:
    """What a council spends now (:mod:`carescale.official.spend_baseline`) for the result page:
    its name and plain sentences, for any council profile (built-in, a council's own, or the
    paper's Birmingham, whose figures stay as published beside it); None for a source site or
    any other area."""
    from ..official.spend_baseline import baseline_for_area, baseline_lines

    b = baseline_for_area(area, price_year)
    return None if b is None else {"name": b["name"], "code": b["code"], "lines": baseline_lines(b)}


def area_detail(area_id: str) -> dict[str, Any]:
    from ..library.catalogue import definition
    from ..library import default_library

    return definition(default_library().area(area_id))


def stored(store: Any, scenario_id: str) -> dict[str, Any]:
    doc = store.get(scenario_id)
    if doc is None:
        raise NotFound(f"scenario_id: no scenario {scenario_id!r} is stored here")
    return doc


def job(state: Any, job_id: str) -> Any:
    found = state.jobs.get(job_id)
    if found is None:
        raise NotFound(f"job_id: no job {job_id!r} (jobs are kept while the server runs)")
    return found


def policy(state: Any) -> Any:
    """The app's resource policy (:mod:`carescale.web.policy`)."""
    from .policy import Policy

    got = getattr(state, "policy", None)
    return got if got is not None else Policy.from_env()


def client_of(request: Any) -> str:
    """The client's address, the key of the per-client job quota."""
    return request.client.host if request is not None and request.client else "unknown"


def uncertainty_known(doc: Any, state: Any = None) -> dict[str, Any] | None:
    """The document's uncertainty result if it has been worked out (never computes it): by its
    Evaluation, or (``state`` given) by the app's finished job for the scenario, whose result is
    handed back to the Evaluation (the process keeps a bounded number of evaluations)."""
    ev = evaluation(doc)
    if not ev.has_uncertainty and state is not None:
        job = state.jobs.get(state.scenario_jobs.get(ev.scenario_id, ""))
        if job is not None and job.status == "done" and job.result is not None:
            ev.adopt_uncertainty(job.result)
    return ev.uncertainty() if ev.has_uncertainty else None


def uncertainty_now(state: Any, doc: Any) -> dict[str, Any] | None:
    """The uncertainty result if it is known, or cheap enough (by the policy's cost estimate)
    to work out inside this request, at most ``inline_slots`` at once; else None (a job must
    do it: :func:`start_uncertainty_job`)."""
    from .policy import estimate, inline_allowed

    known = uncertainty_known(doc, state)
    if known is not None:
        return known
    if not inline_allowed(policy(state), estimate(doc)):
        return None
    ev, limits = evaluation(doc), policy(state)
    # worked out by another request while this one waited for the slot: the Evaluation has it
    return state.inline.run(lambda: ev.uncertainty() if ev.has_uncertainty else _work_out(ev, limits))


def _work_out(ev: Evaluation, limits: Any, progress: Any = None) -> dict[str, Any]:
    """The Monte Carlo of ``ev``, for a page or a job alike: in its own process when the policy says
    so (its own interpreter lock, so pages stay quick, and a memory ceiling; the result is handed to
    the Evaluation), else in this thread on the Evaluation itself."""
    if limits.job_processes:
        from .worker import uncertainty_in_process

        return ev.adopt_uncertainty(uncertainty_in_process(ev.document.canonical_json(),
                                                           progress or (lambda *_: None), limits.job_memory_mb))
    return ev.uncertainty(progress)


def warm_up() -> None:
    """A tiny analysis (100 draws, Sobol 64, one year) before `carescale serve` listens, so that
    the engine, scipy and the area data are loaded then: imported on the first visitors' requests
    instead, they held the interpreter lock long enough to keep the start page waiting over a
    second (docs/security.md, "Bounds")."""
    doc = documents.runnable({"version": 1, "area": "birmingham", "appraisal": {"years": 1},
                              "uncertainty": {"draws": 100, "sobol": True, "sobol_samples": 64}})
    evaluation(doc).uncertainty()


def start_uncertainty_job(state: Any, doc: Any, client: str = "unknown", on_done: Any = None, page: bool = False) -> Any:
    """The background job working out a document's uncertainty analysis: the one already
    queued, running or done for the same scenario id (shared by every request), or a new one,
    costed first (a refusal is one line) and counted against the client's quota. The document
    is stored, and the job works on the scenario's Evaluation (in a thread: its Monte Carlo;
    in its own process: the result is handed to it), which the result page and the downloads
    then read. ``page``: started by the result page; an analysis within the policy's
    ``inline_cost`` (what a page used to work out inside its request) then runs on the job
    manager's page lane (:meth:`~carescale.web.jobs.JobManager.add_page_lane`)."""
    from .policy import check_job, estimate, inline_allowed

    doc = documents.parse(doc)
    running = state.scenario_jobs
    live = state.jobs.get(running.get(doc.scenario_id, ""))
    if live is not None and live.status not in ("failed", "cancelled"):
        return live  # every page of a scenario while its job runs: no store write, no costing again
    sid = state.store.put(doc)
    with _JOBS_LOCK:
        existing = state.jobs.get(running.get(sid, ""))
        if existing is not None and existing.status not in ("failed", "cancelled"):
            return existing
        limits = policy(state)
        cost = estimate(doc)
        check_job(limits, cost)
        lane = "page" if page and inline_allowed(limits, cost) else "job"

        def work(progress: Any) -> Any:
            out = _work_out(evaluation(doc), limits, progress)
            if on_done is not None:
                on_done(out)
            return out

        job = state.jobs.submit("uncertainty", sid, work, client=client, lane=lane)
        running[sid] = job.id
        return job


_JOBS_LOCK = Lock()


def report_bytes(state: Any, doc: Any, fmt: str) -> bytes:
    """The business-case report (``carescale.reports.render``), rendered once per scenario and
    format. The caller makes sure the uncertainty result is known first (:func:`uncertainty_now`
    or a finished job): ``render`` reads it from the scenario's Evaluation, never a second run."""
    from ..reports import render

    doc = documents.parse(doc)
    key = (doc.scenario_id, fmt)
    return state.downloads.get_or_make(key, lambda: render(doc, fmt))


def results_csv(run: dict[str, Any]) -> str:
    """The run as the CSV 'carescale run --format csv -o FILE' writes (every cell guarded
    against formulas, with a byte-order mark so spreadsheets read it as UTF-8)."""
    from ..engine.summary import rows
    from ..safe_text import csv_records

    return csv_records(rows(run), bom=True)


def check_area_upload(filename: str, content: bytes, limits: Any = None) -> dict[str, Any]:
    """Read an uploaded template exactly as ``carescale areas import`` reads a file (the same
    checks and messages, naming the uploaded file's name), without saving it anywhere: the
    profile goes into a scenario document inline (and the template's assumptions section into
    its overrides), so a shared URL does not depend on the file."""
    from ..areas import read_area_file
    from ..library.catalogue import definition
    from .policy import Policy, check_xlsx

    name = Path(filename.replace("\\", "/")).name or "upload.csv"
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        got = f"it ends in {Path(name).suffix!r}" if Path(name).suffix else "it has no extension"
        raise SettingsError(
            f"{name}: not a CSV or XLSX file ({got}); save the area template as .csv or .xlsx"
        )
    limits = limits if limits is not None else Policy.from_env()
    if len(content) > limits.upload_bytes:
        raise SettingsError(
            f"{name}: the file is more than {limits.upload_bytes:,} bytes; an area template is a few kilobytes: is this the right file?"
        )
    if suffix == ".xlsx":  # the archive's declared sizes, before any spreadsheet library reads it
        check_xlsx(limits, name, content)
    with tempfile.TemporaryDirectory(prefix="carescale-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(content)
        try:
            imported = read_area_file(path, None, True)
        except CarescaleError as exc:
            exc.message = exc.message.replace(str(path), name)
            exc.args = (exc.message,)
            raise
    area = definition(imported.area)
    return {
        "area": area,
        "estimated": list(imported.estimated),
        "given_as_estimates": list(imported.given_as_estimates),
        "blank": list(imported.blank),
        "scenario_area": {"inline": area},
        # the template's assumptions section: overrides of model figures, as 'run --area-file' reads them
        "overrides": {k: {kk: vv for kk, vv in dict(v).items() if vv not in (None, "")} for k, v in imported.assumptions.items()},
    }


__all__ = ["ResultCache", "NotFound", "UnknownIdError", "evaluation"]
