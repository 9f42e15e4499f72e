"""Background jobs for long work (a large Monte Carlo): a small thread-based job manager.

A job runs in one of a few worker threads, so the server keeps answering other requests; its
progress comes from the library's ``progress(stage, done, total)`` callback, which is also
where a cancelled job stops (the callback raises :class:`Cancelled` between chunks of draws).
Each job has its own random, unguessable id and its own state, so two users' jobs never touch
each other. Finished jobs are kept (bounded) so their results can be read back.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

from .. import config
from ..errors import Busy, CarescaleError
from .policy import Policy

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"

# The library's stages (uncertainty.run_uncertainty), in order: a reader's label and the share
# of the whole run each takes, so the bar moves once from 0 to 100% instead of once per stage.
STAGES = {
    "Drawing figures": ("Drawing the figures", 0.00, 0.20),
    "Monte Carlo": ("Simulating the annual savings", 0.20, 0.45),
    "Switching values": ("Finding the switching values", 0.45, 0.50),
    "NPV": ("Simulating the net present value", 0.50, 0.97),
    "Sobol": ("Working out the Sobol indices", 0.97, 0.99),
}


class Cancelled(Exception):
    """Raised inside a job's progress callback once the job has been cancelled."""


@dataclass
class Job:
    id: str
    kind: str
    scenario_id: str
    client: str = "unknown"
    status: str = QUEUED
    stage: str = "waiting to start"
    done: int = 0
    total: int = 0
    result: Any = None
    error: str | None = None
    created: float = field(default_factory=time.time)
    finished: float | None = None
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)

    overall: float = 0.0

    @property
    def fraction(self) -> float:
        return 1.0 if self.status == DONE else self.overall

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "scenario_id": self.scenario_id,
            "status": self.status,
            "stage": self.stage,
            "done": self.done,
            "total": self.total,
            "percent": round(100 * self.fraction),
            "error": self.error,
        }

    def progress(self, stage: str, done: int, total: int) -> None:
        if self._cancel.is_set():
            raise Cancelled()
        label, start, end = STAGES.get(stage, (stage, self.overall, self.overall))
        part = min(1.0, done / total) if total else 0.0
        self.stage, self.done, self.total = label, int(done), int(total)
        self.overall = max(self.overall, min(0.99, start + (end - start) * part))


class JobManager:
    """Runs ``work(progress)`` callables in ``workers`` threads; keeps the last ``keep`` jobs;
    at most ``max_waiting`` jobs wait to start and each client has at most ``per_client``
    queued or running (None: the resource policy's ``client_jobs``).

    A second lane, ``"page"`` (:meth:`add_page_lane`), runs the analyses a result page used to
    work out inside its request (within the policy's ``inline_cost``) on their own workers
    (``inline_slots``, at most ``inline_queue`` waiting), so that a page never waits behind a
    visitor's large job and those small analyses do not count against a client's job quota."""

    def __init__(self, workers: int = 2, keep: int = 200, max_waiting: int = 8, per_client: int | None = None):
        self.max_waiting = max_waiting
        self.per_client = per_client
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="carescale-job")
        self._pools: dict[str, tuple[ThreadPoolExecutor, int]] = {}
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lanes: dict[str, str] = {}  # job id -> its lane (absent: the main one)
        self._lock = threading.Lock()
        self._keep = keep

    def add_page_lane(self, workers: int, max_waiting: int) -> None:
        """The page lane's workers and waiting limit (once; later calls change nothing)."""
        with self._lock:
            if "page" not in self._pools:
                self._pools["page"] = (ThreadPoolExecutor(max_workers=workers, thread_name_prefix="carescale-job-page"),
                                       max_waiting)

    def submit(self, kind: str, scenario_id: str, work: Callable[[Callable[[str, int, int], None]], Any],
               client: str = "unknown", lane: str = "job") -> Job:
        job = Job(secrets.token_hex(12), kind, scenario_id, client)
        if self.per_client is None:
            self.per_client = Policy.from_env().client_jobs
        pool, max_waiting = self._pools.get(lane, (self._pool, self.max_waiting))
        lane = lane if lane in self._pools else "job"
        with self._lock:
            waiting = sum(1 for j in self._jobs.values() if j.status == QUEUED and self._lanes.get(j.id, "job") == lane)
            if waiting >= max_waiting:
                raise Busy(
                    f"jobs: {waiting} analyses are already waiting to start; try again in a few minutes"
                )
            mine = sum(1 for j in self._jobs.values() if j.client == client and j.status in (QUEUED, RUNNING)
                       and j.id not in self._lanes)
            if lane == "job" and mine >= self.per_client:
                raise Busy(
                    f"jobs: you already have {mine} analyses waiting or running (at most {self.per_client}); "
                    "wait for one to finish or cancel one"
                )
            self._jobs[job.id] = job
            if lane != "job":
                self._lanes[job.id] = lane
            while len(self._jobs) > self._keep:
                oldest = next(iter(self._jobs))
                if self._jobs[oldest].status in (QUEUED, RUNNING):
                    break
                self._jobs.popitem(last=False)
                self._lanes.pop(oldest, None)
        pool.submit(self._run, job, work)
        return job

    def _run(self, job: Job, work: Callable) -> None:
        if job._cancel.is_set():
            job.status, job.finished = CANCELLED, time.time()
            return
        job.status, job.stage = RUNNING, "starting"
        try:
            job.result = work(job.progress)
            job.status = DONE
            job.stage = "finished"
        except Cancelled:
            job.status, job.stage = CANCELLED, "cancelled"
        except CarescaleError as exc:
            job.status, job.error = FAILED, exc.message
        except Exception:  # noqa: BLE001 - a job must never take the server down
            config.logger("web").exception("job %s failed", job.id)
            job.status, job.error = FAILED, "the analysis stopped because of an internal error"
        finally:
            job.finished = time.time()

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def cancel(self, job_id: str) -> Job | None:
        job = self.get(job_id)
        if job is not None and job.status in (QUEUED, RUNNING):
            job._cancel.set()
            if job.status == QUEUED:
                job.status, job.stage = CANCELLED, "cancelled"
        return job

    def cancel_all(self) -> None:
        """Stop every queued or running job (when the server stops); the manager stays usable."""
        with self._lock:
            ids = list(self._jobs)
        for job_id in ids:
            self.cancel(job_id)

    def shutdown(self) -> None:
        self.cancel_all()
        for pool in [self._pool, *(p for p, _ in self._pools.values())]:
            pool.shutdown(wait=False, cancel_futures=True)
