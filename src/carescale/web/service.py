"""What the API routes and the pages share: small calls into the library (no model logic)."""

from __future__ import annotations

import tempfile
from collections import OrderedDict
from pathlib import Path
from threading import Lock
from typing import Any

from ..errors import CarescaleError, SettingsError, UnknownIdError
from . import documents

UPLOAD_SUFFIXES = (".csv", ".xlsx")


class NotFound(CarescaleError):
    """A scenario or job id the server does not know (answered 404)."""


class ResultCache:
    """Results by (scenario id, kind): a scenario's result never changes, so it is worked out once."""

    def __init__(self, size: int = 256):
        self._items: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def get(self, key: tuple[str, str]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key: tuple[str, str], value: Any) -> Any:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


def cached(state: Any, sid: str, kind: str, work: Any) -> Any:
    """``work()`` once per (scenario id, kind): a scenario's result never changes."""
    got = state.results.get((sid, kind))
    return got if got is not None else state.results.put((sid, kind), work())


def intervention_rows() -> list[dict[str, Any]]:
    from ..catalogue import intervention_rows as rows

    return rows()


def intervention_detail(intervention_id: str) -> dict[str, Any]:
    from ..catalogue import definition
    from ..library import default_library

    return definition(default_library().intervention(intervention_id))


def area_rows() -> list[dict[str, Any]]:
    from ..catalogue import area_rows as rows

    return rows()


def area_detail(area_id: str) -> dict[str, Any]:
    from ..catalogue import definition
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


def uncertainty_now(state: Any, sid: str, doc: Any) -> Any:
    """The uncertainty result if it is known, or cheap enough (by the policy's cost estimate)
    to work out inside this request, at most ``inline_slots`` at once; else None (a job must
    do it: :func:`start_uncertainty_job`)."""
    from .policy import estimate, inline_allowed

    got = state.results.get((sid, "uncertainty"))
    if got is not None:
        return got
    if not inline_allowed(policy(state), estimate(doc)):
        return None
    limits = policy(state)

    def work() -> Any:
        if limits.job_processes:  # like a job: its own process, so the server's interpreter lock stays free for pages
            from .worker import uncertainty_in_process

            return uncertainty_in_process(documents.parse(doc).canonical_json(), lambda *_: None, limits.job_memory_mb)
        return documents.uncertainty(doc)

    return cached(state, sid, "uncertainty", lambda: state.inline.run(work))


def warm_up() -> None:
    """A tiny analysis (100 draws, Sobol 64, one year) before `carescale serve` listens, so that
    the engine, scipy and the area data are loaded then: imported on the first visitors' requests
    instead, they held the interpreter lock long enough to keep the start page waiting over a
    second (docs/security.md, "Bounds")."""
    doc = documents.runnable({"version": 1, "area": "birmingham", "appraisal": {"years": 1},
                              "uncertainty": {"draws": 100, "sobol": True, "sobol_samples": 64}})
    documents.uncertainty(doc)


def start_uncertainty_job(state: Any, doc: Any, client: str = "unknown", on_done: Any = None) -> Any:
    """The background job working out a document's uncertainty analysis: the one already
    queued, running or done for the same scenario id (shared by every request), or a new one,
    costed first (a refusal is one line) and counted against the client's quota. The document
    is stored, and the result cached for the result page and the downloads."""
    from .policy import check_job, estimate

    doc = documents.parse(doc)
    sid = state.store.put(doc)
    running = state.scenario_jobs
    with _JOBS_LOCK:
        existing = state.jobs.get(running.get(sid, ""))
        if existing is not None and existing.status not in ("failed", "cancelled"):
            return existing
        check_job(policy(state), estimate(doc))

        limits = policy(state)

        def work(progress: Any) -> Any:
            if limits.job_processes:  # its own process: its own interpreter lock and memory ceiling
                from .worker import uncertainty_in_process

                out = uncertainty_in_process(doc.canonical_json(), progress, limits.job_memory_mb)
            else:
                out = documents.uncertainty(doc, progress)
            state.results.put((sid, "uncertainty"), out)
            if on_done is not None:
                on_done(out)
            return out

        job = state.jobs.submit("uncertainty", sid, work, client=client)
        running[sid] = job.id
        return job


_JOBS_LOCK = Lock()


def report_bytes(state: Any, doc: Any, fmt: str, unc: Any) -> bytes:
    """The business-case report with the uncertainty result already worked out (never
    computed here: the caller got it from :func:`uncertainty_now` or a finished job)."""
    import dataclasses

    from ..reports import prepare, render
    from ..reports.data import model_tornados

    data = prepare(documents.parse(doc), uncertainty=False)
    width = documents.parse(doc).uncertainty.settings().width_scale
    data = dataclasses.replace(data, uncertainty=unc, tornados=model_tornados(data.scenario, width))
    return render(data, fmt)


def results_csv(run: dict[str, Any]) -> str:
    """The run as the CSV 'carescale run --format csv -o FILE' writes (every cell guarded
    against formulas, with a byte-order mark so spreadsheets read it as UTF-8)."""
    from ..report import rows
    from ..safe_text import csv_records

    return csv_records(rows(run), bom=True)


def check_area_upload(filename: str, content: bytes, limits: Any = None) -> dict[str, Any]:
    """Read an uploaded template exactly as ``carescale areas import`` reads a file (the same
    checks and messages, naming the uploaded file's name), without saving it anywhere: the
    profile goes into a scenario document inline (and the template's assumptions section into
    its overrides), so a shared URL does not depend on the file."""
    from ..areas_io import read_area_file
    from ..catalogue import definition
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


__all__ = ["NotFound", "UnknownIdError"]
