"""A background job's analysis in its own process (docs/security.md, "Bounds").

The job manager's thread starts one process per job (``spawn``: a fresh interpreter, nothing
shared with the server but the document's JSON), passes its progress on to the job (which is
also where a cancelled job stops: the process is terminated), and returns its result. The
process gets an address-space ceiling (``resource.setrlimit``) from the policy's memory limit,
and it holds its own interpreter lock, so the server keeps answering pages while it computes.
"""

from __future__ import annotations

from typing import Any, Callable

from .. import config
from ..errors import CarescaleError

POLL_SECONDS = 0.2


def address_space_bytes(memory_mb: int) -> int:
    """The process's address-space ceiling: twice the estimated memory plus 1.5 GB for the
    interpreter, numpy and reserved but unused mappings (the estimate is of the arrays only)."""
    return (2 * memory_mb + 1_536) * 1024 * 1024


def _child(doc_json: str, conn: Any, memory_mb: int) -> None:  # pragma: no cover - runs in the child
    config.one_blas_thread()
    try:
        import resource

        limit = address_space_bytes(memory_mb)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass
    try:
        import json

        from . import documents

        def progress(stage: str, done: int, total: int) -> None:
            conn.send(("progress", stage, int(done), int(total)))

        out = documents.uncertainty(json.loads(doc_json), progress)
        conn.send(("done", out))
    except CarescaleError as exc:
        conn.send(("error", exc.message))
    except MemoryError:
        conn.send(("error", f"uncertainty: the analysis needed more memory than this server allows one job "
                            f"(CARESCALE_JOB_MEMORY_MB={memory_mb:,}); use fewer draws, years or Sobol samples"))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which logs it
        conn.send(("failed", f"{type(exc).__name__}: {exc}"[:500]))
    finally:
        conn.close()


def uncertainty_in_process(doc_json: str, progress: Callable[[str, int, int], None], memory_mb: int) -> dict[str, Any]:
    """``documents.uncertainty`` for a document (its canonical JSON) in a child process;
    ``progress`` is called as the child reports, and also every POLL_SECONDS with the last
    report, so a cancelled job (whose ``progress`` raises) stops within that time."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(doc_json, sender, memory_mb), daemon=True, name="carescale-analysis")
    proc.start()
    sender.close()
    last: tuple[str, int, int] | None = None
    try:
        while True:
            if receiver.poll(POLL_SECONDS):
                try:
                    kind, *payload = receiver.recv()
                except EOFError:
                    break
                if kind == "progress":
                    last = (payload[0], payload[1], payload[2])
                    progress(*last)
                elif kind == "done":
                    return payload[0]
                elif kind == "error":
                    raise CarescaleError(payload[0])
                else:
                    raise RuntimeError(f"the analysis process failed: {payload[0]}")
            elif not proc.is_alive():
                break
            elif last is not None:
                progress(*last)  # raises when the job has been cancelled
        proc.join(5)
        raise RuntimeError(f"the analysis process stopped unexpectedly (exit code {proc.exitcode})")
    finally:
        if proc.is_alive():
            proc.terminate()
            proc.join(5)
            if proc.is_alive():
                proc.kill()
                proc.join(5)
        receiver.close()
