"""One way to run many independent tasks: dask.distributed futures, on a client made one of three
ways (the code that submits and gathers is the same for all three):

* in-process (the default): a LocalCluster of one worker thread in this process (no other
  process, no network port);
* ``workers=N``: a LocalCluster of N worker processes (one thread each) on 127.0.0.1, random
  free ports, no dashboard, forked by a fork server where the system has one (:func:`start_method`);
* ``scheduler=ADDRESS``: an existing Dask cluster (``tcp://host:8786``); its workers need the
  same carescale installed.

Dask is imported only here, inside functions: ``import carescale`` stays instant.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
from typing import Any, Callable, Iterator, Sequence

from ..errors import SettingsError

MAX_WORKERS = 256
#: How long to try to reach an existing scheduler before giving up with one line.
CONNECT_TIMEOUT = "10s"


#: Dask settings for the local clusters carescale makes for one batch of tasks (in-process or of
#: worker processes; not for a cluster given with ``--scheduler``, whose settings are its own).
#: Each is for a long-running, shared or monitored cluster, and each costs CPU on the same cores
#: as the work: every worker sampled its own stack every 10 ms for the dashboard's profile (about 4%
#: of a worker's CPU), each server (scheduler, nannies, workers) measured its event loop every
#: 20 ms and read the system's CPU, memory, disks and network every 0.5 s, the nannies and
#: workers read their worker's memory every 0.1 s (once a second is enough to stop a worker
#: that runs out of memory), work stealing watched every task for a worker that falls idle
#: (the scheduler hands the tasks out in order as workers free up), and the active memory
#: manager looked for replicas every 2 s (tasks here never share data).
BATCH_SETTINGS = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "1h",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.scheduler.work-stealing": False,
    "distributed.scheduler.active-memory-manager.start": False,
}


@contextlib.contextmanager
def _prompt_nannies() -> Iterator[None]:
    """While a local cluster starts: each nanny (the process that starts and watches a worker
    process) asks every 5 ms, not every 50 ms, whether its worker has joined the scheduler. The
    cluster is ready only once every nanny has seen it, on average 25 ms after the workers are
    (a forked worker is ready about 60 ms after its fork). Dask has no setting for it: the class
    attribute is set for the start and put back; if a version of Dask has no such attribute,
    nothing is changed."""
    from distributed.nanny import WorkerProcess

    was = WorkerProcess.__dict__.get("_init_msg_interval")
    if not isinstance(was, float):
        yield
        return
    WorkerProcess._init_msg_interval = 0.005
    try:
        yield
    finally:
        WorkerProcess._init_msg_interval = was


#: What the fork server (:func:`start_method`) imports once, before it forks any worker: Dask, and
#: the national route's tasks with the default library loaded (:mod:`carescale.national.fork_server`).
FORK_SERVER_PRELOAD = ["distributed", "carescale.national.fork_server"]


def start_method() -> str:
    """How a local cluster's worker processes start: from a fork server where the system has one,
    else afresh (``spawn``, Dask's default).

    A spawned worker imports Dask, then carescale and its library on its first task, 1-2 s
    before it works. The fork server is one process of one thread, started once per process
    with :data:`FORK_SERVER_PRELOAD` imported, that forks each worker: ready in milliseconds,
    as a fork of this process was (docs/performance.md section 4). A fork of this process is not
    safe: it runs Dask's event loop in a thread, and a lock another thread holds at the fork
    (a stream's, a library's) stays held in the worker for ever, and the cluster waits for ever
    for a worker that never joins (Dask's own default, and Python's from 3.14, is not to fork
    a process that has threads)."""
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def _preload_fork_server() -> None:
    """:data:`FORK_SERVER_PRELOAD` for the fork server, before it starts (once per process; once it
    runs, the list no longer matters). Dask sets its own list (Dask and the packages it may use)
    the first time it is asked for the fork server's context: asked here first, then replaced."""
    import dask
    import distributed  # noqa: F401  (its settings' defaults, before a set is undone on leaving it)
    from distributed.utils import get_mp_context

    with dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"}):
        get_mp_context().set_forkserver_preload(FORK_SERVER_PRELOAD)


def start_fork_server(workers: int | None, scheduler: str | None = None) -> None:
    """For a local cluster of worker processes (``workers`` given, no ``scheduler``) on a system
    with a fork server: start it now, so that its imports (:data:`FORK_SERVER_PRELOAD`, 1-1.5 s
    once per process) run while this process does other work, such as reading the official
    files. Its first worker waits for them otherwise."""
    if workers is None or scheduler is not None or start_method() != "forkserver":
        return
    from multiprocessing import forkserver

    _preload_fork_server()
    forkserver.ensure_running()


def check_workers(workers: int | None, scheduler: str | None) -> None:
    if workers is not None and scheduler is not None:
        raise SettingsError("--workers and --scheduler: give one or the other (a local cluster, or an existing one)")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= MAX_WORKERS):
        raise SettingsError(f"--workers: {workers!r} is not valid; give a whole number of worker processes from 1 to {MAX_WORKERS}")
    if scheduler is not None and not str(scheduler).strip():
        raise SettingsError("--scheduler: the address is empty; give the scheduler's address, e.g. tcp://127.0.0.1:8786")


def describe_client(workers: int | None, scheduler: str | None) -> str:
    if scheduler is not None:
        return f"the Dask cluster at {scheduler}"
    if workers is not None:
        return f"a local Dask cluster of {workers} worker process{'es' if workers != 1 else ''}"
    return "in-process (one Dask worker thread)"


@contextlib.contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None) -> Iterator[Any]:
    """A ``distributed.Client`` for the duration of the block (see the module docstring)."""
    check_workers(workers, scheduler)
    import dask
    from distributed import Client, LocalCluster

    quiet = logging.ERROR
    if scheduler is not None:
        try:
            client = Client(str(scheduler).strip(), timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            raise SettingsError(
                f"--scheduler: cannot connect to {scheduler!r} ({type(exc).__name__}: {exc}); "
                "give the address of a running Dask scheduler, e.g. tcp://127.0.0.1:8786"
            ) from None
        with client:
            yield client
        return
    # Loopback only, no dashboard: Dask starts each node's small HTTP server (health, metrics)
    # anyway, so it is put on a free loopback port (a worker's would otherwise listen on every
    # interface); the workers' dashboard would need bokeh, which carescale does not install.
    common = dict(threads_per_worker=1, dashboard_address=None, silence_logs=quiet,
                  scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
                  worker_dashboard_address="127.0.0.1:0")
    if workers is not None:
        # Dask sets MALLOC_TRIM_THRESHOLD_=65536 in worker processes to hand memory back to the
        # system sooner; with it every temporary array of the engine is mapped and unmapped
        # afresh, which more than doubles the CPU time of a council (measured: 0.124 s against
        # 0.054 s). Our tasks hold little memory, so the worker processes keep glibc's default.
        method = start_method()
        with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
                              "distributed.worker.multiprocessing-method": method, **BATCH_SETTINGS}), _prompt_nannies():
            if method == "forkserver":
                _preload_fork_server()
            cluster = LocalCluster(n_workers=workers, processes=True, host="127.0.0.1", **common)
    else:  # in-process: workers are threads here, talking over in-memory queues
        with dask.config.set(BATCH_SETTINGS):
            cluster = LocalCluster(n_workers=1, processes=False, **common)
    # The results come straight from the workers: through the scheduler (Dask's default) they
    # were read and written again by this same process, the scheduler being in it too.
    with cluster, Client(cluster, direct_to_workers=True) as client:
        yield client


def run_tasks(
    client: Any,
    fn: Callable[..., Any],
    items: Sequence[Any],
    *args: Any,
    done: Callable[[int, Any], None],
) -> None:
    """``fn(item, *args)`` for every item on ``client``'s workers; ``done(index, result)`` is
    called in this process as each finishes (in whatever order they finish), and nothing else
    keeps the result here, so memory here stays bounded by what ``done`` keeps. The results are
    released on the workers once all are in (when the futures are let go of, on return): a
    release for each as it came in was a message to the scheduler (in this process) and on to
    the worker while the other workers still worked, on the same cores."""
    from distributed import as_completed
    from distributed.protocol.pickle import dumps

    # Each task goes as a pickle made here (pickle, or cloudpickle where pickle cannot), all in
    # one graph: Dask's scheduler unpickles the graph it is sent and pickles each task again for
    # its worker, and a graph per task (a submit each) was a message and an update each. With the
    # councils' profiles as pydantic models that was about 0.1 s of a local cluster's CPU a
    # national run (the scheduler runs in this process); as bytes in one graph they pass through.
    # The tasks are handed out in the items' order, as before.
    blobs = [dumps((fn, item, args)) for item in items]
    futures = client.map(_call_pickled, blobs, pure=False)
    index = {f.key: i for i, f in enumerate(futures)}
    for fut, result in as_completed(futures, with_results=True):
        done(index[fut.key], result)


def _call_pickled(blob: bytes) -> Any:
    """``fn(item, *args)`` from :func:`run_tasks`'s pickle of ``(fn, item, args)``; on a worker."""
    from distributed.protocol.pickle import loads

    fn, item, args = loads(blob)
    return fn(item, *args)
