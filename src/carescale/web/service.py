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
MAX_UPLOAD_BYTES = 5_000_000  # read at most this much of an upload (the importer's own limit is lower)


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


def start_uncertainty_job(state: Any, doc: Any, on_done: Any = None) -> Any:
    """Store the document and start its uncertainty analysis in the background."""
    sid = state.store.put(doc)

    def work(progress: Any) -> Any:
        out = documents.uncertainty(doc, progress)
        if on_done is not None:
            on_done(out)
        return out

    return state.jobs.submit("uncertainty", sid, work)


def results_csv(run: dict[str, Any]) -> str:
    """The run as the CSV 'carescale run --format csv -o FILE' writes (every cell guarded
    against formulas, with a byte-order mark so spreadsheets read it as UTF-8)."""
    from ..report import rows
    from ..safe_text import csv_records

    return csv_records(rows(run), bom=True)


def check_area_upload(filename: str, content: bytes) -> dict[str, Any]:
    """Read an uploaded template exactly as ``carescale areas import`` reads a file (the same
    checks and messages, naming the uploaded file's name), without saving it anywhere: the
    profile goes into a scenario document inline (and the template's assumptions section into
    its overrides), so a shared URL does not depend on the file."""
    from ..areas_io import MAX_BYTES, read_area_file
    from ..catalogue import definition

    name = Path(filename.replace("\\", "/")).name or "upload.csv"
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        got = f"it ends in {Path(name).suffix!r}" if Path(name).suffix else "it has no extension"
        raise SettingsError(
            f"{name}: not a CSV or XLSX file ({got}); save the area template as .csv or .xlsx"
        )
    if len(content) > MAX_BYTES:
        raise SettingsError(
            f"{name}: the file is more than {MAX_BYTES:,} bytes; an area template is a few kilobytes: is this the right file?"
        )
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
