"""The web server's resource policy: every bound on what one request, one job or one client may
ask for, in one place (docs/security.md, "Bounds").

An administrator sets each limit with an environment variable (read once when the app is
built by :func:`carescale.web.app.create_app`); the defaults suit a small shared server. What the
bounds are for: an anonymous visitor must not be able to make the server compute for minutes or
hold gigabytes, nor to crowd out everyone else.

* **Analyses** are costed before any work starts (:func:`estimate`): the cost is in
  "cells", one model's figures for one draw and one month (about 30 ns of engine time on a
  2024 laptop core), and a memory estimate from the arrays the analysis holds at once.
  Up to ``inline_cost`` an analysis is worked out inside a request (API or page), at most
  ``inline_slots`` at once (at most ``inline_queue`` more waiting for a slot); above it, only
  as a background job, up to ``job_cost`` and ``job_memory_mb``. Draws, Sobol samples,
  years and frontier points each have their own ceiling too.
* **Jobs**: one job per scenario (every request for the same scenario id shares it), at most
  ``client_jobs`` queued or running jobs per client address, and the job manager's own limit of
  waiting jobs.
* **Bodies and uploads**: a request body over ``body_bytes`` is answered 413 before it is read
  in full; an .xlsx upload is refused from its zip directory (entry count, declared sizes)
  and its shared-strings count before a spreadsheet library parses it.
"""

from __future__ import annotations

import threading
import zipfile
from dataclasses import dataclass, fields
from typing import Any, Mapping

from .. import config
from ..errors import Busy, SettingsError

ENV_PREFIX = "CARESCALE_"
#: the limits that may be 0, with what is valid
ZERO_ALLOWED = {"job_processes": "0 or 1", "compute_processes": "0 or more"}
SOBOL_CELLS = 200  # one Sobol model evaluation of one care model costs about as much as 200 cells (measured)


class TooLarge(SettingsError):
    """An analysis or upload beyond what the policy allows (answered 422 with one line)."""


@dataclass(frozen=True)
class Policy:
    """Every limit, with its environment variable ``CARESCALE_<NAME upper-cased>``."""

    max_draws: int = 1_000_000  # Monte Carlo draws in a background job
    sync_draws: int = 20_000  # draws worked out inside one API request
    max_sobol_samples: int = 32_768  # Sobol base samples in a background job
    sync_sobol_samples: int = 1_024  # Sobol base samples inside one API request
    max_years: int = 60  # appraisal years
    max_frontier_points: int = 50  # points of an optimiser frontier (per request or job)
    inline_cost: int = 150_000_000  # cells a page or API request may compute itself (about 5 s)
    inline_slots: int = 1  # analyses computed inside requests at once (others wait, then 429)
    inline_wait_seconds: float = 20.0  # how long a request waits for a free slot
    inline_queue: int = 32  # requests waiting for a slot at once (under the 40 worker threads); one more: 429 at once
    job_cost: int = 20_000_000_000  # cells one background job may compute (about 10 min)
    job_memory_mb: int = 1_024  # estimated memory one job may hold at once
    client_jobs: int = 2  # queued or running jobs per client address
    job_workers: int = 1  # background jobs running at once
    job_processes: int = 1  # 1: each job computes in its own process (memory ceiling by setrlimit); 0: in a thread
    jobs_waiting: int = 8  # jobs waiting to start, from all clients
    compute_processes: int = 2  # `carescale serve`'s processes for the API's runs and appraisals (web.compute; never more than the cores; 0: in the server)
    body_bytes: int = 2_000_000  # largest request body (uploads included)
    upload_bytes: int = 1_000_000  # largest uploaded area template
    xlsx_entries: int = 200  # files inside an .xlsx archive
    xlsx_uncompressed_bytes: int = 10_000_000  # their declared uncompressed sizes, added up
    xlsx_shared_strings: int = 20_000  # distinct strings in the workbook

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Policy":
        """The defaults, with any ``CARESCALE_<NAME>`` variable in ``env`` (default
        the environment, read by carescale.config) applied; a bad value is one SettingsError line naming the variable."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            name = ENV_PREFIX + f.name.upper()
            read = config.env_float if f.type in (float, "float") else config.env_int
            least = 0 if f.name in ZERO_ALLOWED else 1e-9
            values[f.name] = read(name, getattr(cls, f.name), at_least=least, env=env,
                                  hint="a number " + (ZERO_ALLOWED[f.name] if least == 0 else "above 0"))
        return cls(**values)

    def describe(self) -> list[dict[str, Any]]:
        """Each limit with its variable and value (for docs and the benchmark)."""
        return [{"name": f.name, "variable": ENV_PREFIX + f.name.upper(), "value": getattr(self, f.name)} for f in fields(self)]


@dataclass(frozen=True)
class Cost:
    """What an uncertainty analysis will cost, worked out before it starts."""

    cells: int
    memory_mb: int
    draws: int
    sobol_samples: int
    months: int
    models: int
    params: int


def estimate(doc: Any) -> Cost:
    """The cost of a document's uncertainty analysis: draws x months x models for the
    simulation (months only when the NPV is simulated), plus Sobol samples x (2 x parameters + 2)
    model evaluations x models; memory from the arrays held at once (draws x (parameters + 4 x
    models) for the simulation, the Sobol sample matrix)."""
    from ..engine import ParameterTable
    from . import documents

    d = documents.parse(doc)
    u = d.uncertainty
    scenario = documents.scenario(d)
    models = max(1, len(scenario.interventions))
    params = len(ParameterTable.from_scenario(scenario))
    years = int(getattr(d.appraisal, "years", 10) or 10)
    months = 12 * years if u.npv else 1
    draws = int(u.draws)
    sobol = int(u.sobol_samples) if u.sobol else 0
    evals = sobol * (2 * params + 2)
    cells = draws * months * models + evals * models * SOBOL_CELLS
    chunk = 25_000
    memory = 8 * (draws * (params + 4 * models) + min(draws, chunk) * months * 3 + evals * params + min(evals, chunk) * models * 4)
    return Cost(cells, 64 + memory // 1_000_000, draws, sobol, months, models, params)


def inline_allowed(policy: Policy, cost: Cost) -> bool:
    """Whether a request (a page or the API) may work this analysis out itself."""
    return (cost.cells <= policy.inline_cost and cost.draws <= policy.sync_draws
            and cost.sobol_samples <= policy.sync_sobol_samples)


def check_job(policy: Policy, cost: Cost) -> None:
    """Refuse, before it starts, an analysis beyond what one background job may do."""
    if cost.draws > policy.max_draws:
        raise TooLarge(f"uncertainty.draws: {cost.draws:,} draws is more than this server runs ({policy.max_draws:,})")
    if cost.sobol_samples > policy.max_sobol_samples:
        raise TooLarge(
            f"uncertainty.sobol_samples: {cost.sobol_samples:,} is more than this server runs ({policy.max_sobol_samples:,})"
        )
    if cost.months > 12 * policy.max_years:
        raise TooLarge(f"appraisal.years: {cost.months // 12} years is more than this server runs ({policy.max_years})")
    if cost.cells > policy.job_cost or cost.memory_mb > policy.job_memory_mb:
        raise TooLarge(
            f"uncertainty: this analysis is too large for this server ({cost.draws:,} draws x {cost.months} months x "
            f"{cost.models} models, Sobol {cost.sobol_samples:,}: about {cost.cells:,} cells and {cost.memory_mb:,} MB; "
            f"the limits are {policy.job_cost:,} cells and {policy.job_memory_mb:,} MB); use fewer draws, years or Sobol samples"
        )


def check_frontier(policy: Policy, points: int) -> None:
    if points > policy.max_frontier_points:
        raise TooLarge(f"frontier: {points:,} points is more than this server works out ({policy.max_frontier_points})")


class InlineSlots:
    """At most ``policy.inline_slots`` analyses computed inside requests at once; at most
    ``policy.inline_queue`` requests waiting for a slot (each for up to ``inline_wait_seconds``);
    a request beyond that is refused at once, so waiting requests never fill the server's
    thread pool (docs/security.md, "Bounds")."""

    def __init__(self, policy: Policy):
        self._sem = threading.BoundedSemaphore(policy.inline_slots)
        self._wait = policy.inline_wait_seconds
        self._queue = policy.inline_queue
        self._lock = threading.Lock()
        self._waiting = 0

    def run(self, work: Any) -> Any:
        if not self._sem.acquire(blocking=False):
            with self._lock:
                if self._waiting >= self._queue:
                    raise Busy("uncertainty: the queue of analyses waiting for this server is full; "
                               "try again in a minute")
                self._waiting += 1
            try:
                free = self._sem.acquire(timeout=self._wait)
            finally:
                with self._lock:
                    self._waiting -= 1
            if not free:
                raise Busy("uncertainty: the server is working out other analyses; try again in a minute")
        try:
            return work()
        finally:
            self._sem.release()


# -- uploads ---------------------------------------------------------------------------------------------


def check_xlsx(policy: Policy, name: str, content: bytes) -> None:
    """Refuse an .xlsx whose zip directory (entry count, declared uncompressed sizes) or
    shared-strings count is beyond the policy, before any spreadsheet library parses it.
    ``zipfile`` never inflates an entry beyond its declared size, so the sizes checked here
    bound what the parser can read."""
    import io
    import re

    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise TooLarge(f"{name}: not a valid .xlsx file (it is not a zip archive); save the area template as .xlsx or .csv") from None
    if len(infos) > policy.xlsx_entries:
        raise TooLarge(f"{name}: the workbook holds {len(infos):,} parts; an area template holds a few dozen (at most {policy.xlsx_entries:,})")
    total = sum(max(0, i.file_size) for i in infos)
    if total > policy.xlsx_uncompressed_bytes:
        raise TooLarge(
            f"{name}: the workbook unpacks to {total:,} bytes; an area template unpacks to well under "
            f"{policy.xlsx_uncompressed_bytes:,} bytes: is this the right file?"
        )
    strings = [i for i in infos if i.filename.lower().endswith("sharedstrings.xml")]
    count = 0
    pattern = re.compile(rb"<(?:\w+:)?si[\s>/]")
    for info in strings:
        try:
            with archive.open(info) as fh:
                tail = b""
                while block := fh.read(1 << 16):
                    data = tail + block
                    count += len(pattern.findall(data))
                    tail = data[-8:]
                    count -= len(pattern.findall(tail))
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
            raise TooLarge(f"{name}: not a valid .xlsx file (a part cannot be unpacked); save the area template again") from None
    if count > policy.xlsx_shared_strings:
        raise TooLarge(
            f"{name}: the workbook holds {count:,} distinct texts; an area template holds a few hundred (at most {policy.xlsx_shared_strings:,})"
        )


# -- the request body --------------------------------------------------------------------------------------


class BodyLimit:
    """ASGI middleware: a request whose body is over ``limit`` bytes (by its Content-Length, or
    counted as it streams in) is answered 413 with one line, and its body is never read in full."""

    def __init__(self, app: Any, limit: int):
        self.app = app
        self.limit = limit

    def _message(self) -> str:
        return f"the request is larger than this server accepts ({self.limit:,} bytes)"

    async def _refuse(self, scope: Any, send: Any) -> None:
        import json

        path = scope.get("path", "")
        if path.startswith("/api/") or path == "/openapi.json":
            body = json.dumps({"detail": [{"loc": ["body"], "msg": self._message(), "type": "too_large"}]}).encode()
            ctype = b"application/json"
        else:
            body = (f"<!DOCTYPE html><html lang=\"en\"><head><title>Request too large</title></head><body>"
                    f"<h1>Request too large</h1><p>{self._message()}.</p></body></html>").encode()
            ctype = b"text/html; charset=utf-8"
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.limit:
                    await self._refuse(scope, send)
                    return
        seen = 0
        state = {"over": False, "refused": False}

        async def limited_receive() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    state["over"] = True
                    raise _BodyTooLarge()
            return message

        async def guarded_send(message: Any) -> None:
            if state["over"]:  # whatever the app answers to a cut-off body, the answer is 413
                if not state["refused"]:
                    state["refused"] = True
                    await self._refuse(scope, send)
                return
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _BodyTooLarge:
            pass
        except Exception:
            if not state["over"]:
                raise
        if state["over"] and not state["refused"]:
            state["refused"] = True
            await self._refuse(scope, send)


class _BodyTooLarge(Exception):
    pass
