"""The API's one-draw analyses (``POST /api/v1/run`` and ``/appraise``) worked out in processes of
their own, so that `carescale serve` uses every core it has (issue 25; docs/web.md, "Serving").

One Python process computes on one core at a time (the interpreter lock): before, every run and
appraisal a client asked for took turns at the server's one core, whatever the machine. The
server keeps everything that must be one: the scenario store, the job manager and every client's
job quota, the sign-in rate limit, the pages and their caches. It hands only the answer's work to
a :class:`ComputePool` (``concurrent.futures.ProcessPoolExecutor``, ``spawn``: fresh interpreters
that share nothing with the server but the request's JSON) and sends back the bytes it returns:
the same bytes the server writes when it works the answer out itself (:func:`run_answer`,
:func:`appraise_answer`: one function for both ways).

Anything other than an answer (a bad document, a worker that stopped) is worked out again in the
server, so a refusal is the server's own one-line message and status code, word for word, and a
failure is logged where it always was. Until its processes have started (a second or two after
the server listens) and while one is being replaced, the server works answers out itself as
before. ``CARESCALE_COMPUTE_PROCESSES`` (the policy's ``compute_processes``) sets how many; 0, or
a machine with one core, keeps every answer in the server's own process.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Callable

from .. import config

log = config.logger("web")

#: how often a worker looks whether the server that started it is still there (a server killed
#: without its shutdown leaves no worker behind for longer than this)
PARENT_CHECK_SECONDS = 1.0

#: the longest a request waits for a compute process's answer before the server works it out
#: itself (an answer takes milliseconds: a process that holds one this long is stuck or starved,
#: and the request is not left waiting on it)
ANSWER_SECONDS = 30.0

#: how long :meth:`ComputePool.close` lets the processes finish what they hold before it stops
#: them (``SIGKILL``): a server's shutdown never waits on a stuck process
CLOSE_SECONDS = 5.0

#: how much lower a worker's scheduling priority is than the server's (``os.nice``): when the
#: cores are busy, the server's own work (accepting, pages, writing answers) goes first and the
#: workers take the rest, so a page never waits behind the API's computations
NICENESS = 5


def _encoded(content: Any) -> bytes:
    """``JSONResponse(content).body``'s bytes (Starlette's own ``json.dumps`` arguments) without
    the encoder's check for a list or mapping that holds itself: an answer is plain data built
    afresh, never circular, and the check was a sixth of its encoding."""
    import json

    return json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":"),
                      check_circular=False).encode("utf-8")


def run_answer(doc: Any, bridge: bool, value: bool) -> bytes:
    """The body of ``POST /api/v1/run`` (what ``carescale run --format json`` prints, with or
    without the bridge and the value split): the scenario's shared Evaluation's figures,
    serialised as they are (read only; no copy)."""
    from . import documents

    return _encoded(documents.run(documents.parse(doc), bridge=bridge, value=value, shared=True))


def appraise_answer(doc: Any) -> bytes:
    """The body of ``POST /api/v1/appraise`` (``carescale appraise --format json``)."""
    from . import documents

    return _encoded(documents.appraise(documents.parse(doc)))


#: the functions a worker may be asked to call, by name (nothing else crosses to a worker)
ANSWERS: dict[str, Callable[..., bytes]] = {"run": run_answer, "appraise": appraise_answer}


def _worker_started(parent: int) -> None:  # pragma: no cover - runs in the worker
    """A worker's start: one thread for BLAS (the worker is one of several on the cores), Ctrl+C
    left to the server, a lower priority than the server's (:data:`NICENESS`), the collector tuned
    as the server's, the engine loaded before the first request, and a watch on the server that
    started it."""
    import signal

    config.one_blas_thread()
    # Ctrl+C in a terminal reaches the whole process group: the server stops its workers itself
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        os.nice(NICENESS)
    except (AttributeError, OSError):  # not on this system: the same priority as the server
        pass
    from .. import collector

    collector.tune_for_serving()
    run_answer({"version": 1, "area": "birmingham"}, True, True)

    def watch() -> None:
        import time

        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)  # the server is gone: nobody will ever read an answer

    threading.Thread(target=watch, name="carescale-parent-watch", daemon=True).start()


def _answer(name: str, args: tuple[Any, ...]) -> bytes | None:  # pragma: no cover - runs in the worker
    """The answer's bytes, or None for anything else (the server then works it out itself and
    answers exactly as it would have: its own error message and status, its own log)."""
    try:
        return ANSWERS[name](*args)
    except Exception:  # noqa: BLE001 - the server repeats the work and reports what it raises
        return None


def _ready() -> int:  # pragma: no cover - runs in the worker
    return os.getpid()


def processes_for(wanted: int) -> int:
    """How many compute processes to start: ``wanted``, never more than the cores this process
    may use, and none on one core (a second process would only take turns with the server)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return 0 if cores < 2 else min(wanted, cores)


class ComputePool:
    """``processes`` worker processes for the API's answers (:meth:`answer`). :meth:`start` starts
    them in the background; until they are ready :meth:`answer` returns None (the caller works
    the answer out itself)."""

    def __init__(self, processes: int):
        self.processes = processes
        self._executor: Any = None
        self._ready = False
        self._lock = threading.Lock()

    @property
    def ready(self) -> bool:
        return self._ready

    def start(self) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with self._lock:
            if self._executor is not None:
                return
            executor = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("spawn"),
                                           initializer=_worker_started, initargs=(os.getpid(),))
            self._executor = executor
        # one call a worker: the executor starts its processes as calls come and none is idle
        pending = [executor.submit(_ready) for _ in range(self.processes)]
        left = [len(pending)]

        def done(future: Any) -> None:
            with self._lock:
                left[0] -= 1
                failed = future.cancelled() or future.exception() is not None
                current = self._executor is executor  # not closed or replaced meanwhile
                if current and not failed and left[0] == 0:
                    self._ready = True
            if failed and current and not future.cancelled():
                log.error("the compute processes did not start (%s); answers are worked out in the server",
                          future.exception())

        for future in pending:
            future.add_done_callback(done)

    async def answer(self, name: str, *args: Any) -> bytes | None:
        """``ANSWERS[name](*args)`` in a worker: its bytes, or None when the pool is not ready,
        the worker could not give an answer, none answered within :data:`ANSWER_SECONDS`, or a
        worker stopped (a new pool is then started)."""
        import asyncio
        from concurrent.futures.process import BrokenProcessPool

        executor = self._executor
        if not self._ready or executor is None:
            return None
        try:
            return await asyncio.wait_for(asyncio.wrap_future(executor.submit(_answer, name, args)), ANSWER_SECONDS)
        except (BrokenProcessPool, RuntimeError) as exc:  # a worker killed; or shut down meanwhile
            log.warning("a compute process stopped (%s); starting new ones", exc)
            self._restart(executor)
            return None
        except asyncio.TimeoutError:  # the call is dropped if no process took it yet
            log.warning("no compute process answered within %s s; the server works the answer out", ANSWER_SECONDS)
            return None

    def _restart(self, broken: Any) -> None:
        with self._lock:
            if self._executor is not broken:
                return  # another request has restarted it already
            self._executor, self._ready = None, False
        broken.shutdown(wait=False, cancel_futures=True)
        self.start()

    def close(self) -> None:
        """Stop the processes: each finishes the call it holds, for up to :data:`CLOSE_SECONDS`
        together, and one still running then is killed. Every wait has that bound (three in all:
        the calls, a kill, the executor's own thread; ``shutdown(wait=True)`` would wait on a stuck
        process for ever, and the server's shutdown with it). Processes still starting (the pool
        not ready: no request was handed to them) are stopped at once: a server stopped in its
        first seconds does not wait for their warm-up."""
        with self._lock:
            executor, ready = self._executor, self._ready
            self._executor, self._ready = None, False
        if executor is None:
            return
        processes = list((executor._processes or {}).values())  # shutdown lets go of them
        manager = getattr(executor, "_executor_manager_thread", None)  # ... and of its thread
        executor.shutdown(wait=False, cancel_futures=True)
        if not ready:
            for process in processes:
                process.terminate()
        left = _stopped_within(processes, CLOSE_SECONDS)
        for process in left:
            log.warning("compute process %s did not stop within %s s; killed", process.pid, CLOSE_SECONDS)
            process.kill()
        _stopped_within(left, CLOSE_SECONDS)
        # The executor's own thread then reaps the processes and closes its queues (what
        # shutdown(wait=True) waits for), given the same bound: the queues' semaphores are then
        # let go of while the server still runs its Python. uvicorn ends a server stopped by a
        # signal with that signal again, which skips the interpreter's exit handlers, and
        # multiprocessing's resource tracker reported semaphores still held then as leaked.
        if manager is not None:
            manager.join(CLOSE_SECONDS)


def _stopped_within(processes: list[Any], seconds: float) -> list[Any]:
    """Wait up to ``seconds`` in all for ``processes`` to end; those still running. Read from each
    process's sentinel (readable once it has ended, whoever reaps it), not ``is_alive()``: the
    executor's own thread reaps its processes as they stop, and ``is_alive()`` in another thread
    reads "running" while that thread has the exit status and has not stored it yet."""
    import time
    from multiprocessing.connection import wait

    running = {}
    for process in processes:
        try:
            running[process.sentinel] = process
        except ValueError:  # closed (Process.close()): it had ended
            pass
    end = time.monotonic() + seconds
    while running and (remaining := end - time.monotonic()) > 0:
        for sentinel in wait(list(running), remaining):
            running.pop(sentinel)
    return list(running.values())
