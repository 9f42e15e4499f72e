"""The resource policy under load (issue 19; figures in docs/security.md, "Bounds").

    .venv/bin/python benchmarks/bench_security_load.py [--clients 20] [--seconds 60]

``carescale serve`` in its own process on a free loopback port (its own empty data folder, the
policy's defaults unless CARESCALE_* variables say otherwise). Each of ``--clients`` clients, from
its own loopback address (127.0.0.2, 127.0.0.3, ...), starts the largest background job the
policy allows (1,000,000 draws over 10 years, its own seed) and then asks again and again, for
``--seconds``, for the largest analysis the API works out inside a request (20,000 draws with
Sobol 1,024 base samples, a new seed each time, so nothing comes from the cache). Meanwhile one
more client, in a process of its own, asks for the start page every 100 ms. Reported: the
server's peak resident memory (sampled every 100 ms with psutil, the server and its job processes apart and together) against
the ceiling the policy allows (:func:`ceiling_mb`, docs/security.md "Bounds"), the start page's
p50/p95/max latency, and how the analyses were answered (200 / 202 / 422 / 429). Exits 1 when
the start page took over 200 ms even once, or the peak went over the ceiling.
"""

from __future__ import annotations

import argparse
import collections
import statistics
import sys
import threading
import time
from typing import Any

import httpx
import psutil
from measure import serve

JOB = {"version": 1, "area": "birmingham", "uncertainty": {"draws": 1_000_000}, "appraisal": {"years": 10}}
PAGE_SECONDS = 0.2  # the start page's target, every time
PROCESS_MB = 250  # a job process before its arrays: the interpreter, numpy, scipy, the engine (measured: about 160)
COMPUTE_MB = 150  # a compute process for the API's runs and appraisals, its cached answers included (measured: 88 after 650 answers)
JOB_MARGIN = 1.5  # a job's resident arrays over its memory estimate (measured: 1.26 for 1,000,000 draws over 10 years)
SYNC = {"version": 1, "area": "birmingham", "uncertainty": {"draws": 20_000, "sobol": True, "sobol_samples": 1024},
        "appraisal": {"years": 10}}


def poll_start_page(url: str, began: float, seconds: float, conn: Any) -> None:
    """The start page every 100 ms for ``seconds``, in a process of its own (the clients' threads
    would otherwise hold this process's interpreter lock and add their time to the page's):
    (seconds from ``began``, latency, status) for each answer, sent back through ``conn``."""
    got = []
    with httpx.Client(base_url=url, timeout=30) as c:
        c.get("/")  # the connection made before the clock starts
        while time.time() - began < seconds:
            t0 = time.perf_counter()
            at = time.time() - began
            r = c.get("/")
            dt = time.perf_counter() - t0
            got.append((at, dt, r.status_code))
            time.sleep(max(0.0, 0.1 - dt))
    conn.send(got)
    conn.close()


def ceiling_mb(server_start_mb: float) -> dict[str, float]:
    """The memory the policy allows the server and its job processes at once: the server as it
    starts, plus ``inline_slots`` x (a process, 250 MB, and twice the largest in-request analysis's
    estimate: its arrays, and what the estimate leaves out), plus ``job_workers`` x (a job process, 250 MB,
    plus 1.5 x ``job_memory_mb``, the most any job is estimated to hold: a larger one is refused), plus
    the compute processes for the API's runs and appraisals (150 MB each)."""
    from carescale.web.compute import processes_for
    from carescale.web.policy import Policy, estimate

    policy = Policy.from_env()
    inline = estimate(SYNC).memory_mb
    process = PROCESS_MB if policy.job_processes else 0  # in-request analyses get a process of their own too
    parts = {"server at start": server_start_mb, "in-request analyses": policy.inline_slots * (process + 2 * inline),
             "jobs": policy.job_workers * (PROCESS_MB + JOB_MARGIN * policy.job_memory_mb),
             "compute processes": processes_for(policy.compute_processes) * COMPUTE_MB}
    return {**parts, "ceiling": sum(parts.values())}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60.0)
    args = ap.parse_args()

    with serve() as (url, pid):
        server = psutil.Process(pid)
        stop = threading.Event()
        rss: list[int] = []
        server_rss: list[int] = []
        child_rss: list[int] = []
        page: list[float] = []
        slow: list[float] = []  # when (seconds from the start) the start page took over 200 ms
        page_errors = [0]
        answers: dict[str, collections.Counter] = {"job": collections.Counter(), "sync": collections.Counter()}
        sync_seconds: list[float] = []
        job_ids: list[str] = []
        lock = threading.Lock()

        def sample() -> None:
            while not stop.is_set():
                try:
                    own = server.memory_info().rss
                    kids = sum(c.memory_info().rss for c in server.children(recursive=True))
                except psutil.Error:
                    continue
                server_rss.append(own)
                child_rss.append(kids)
                rss.append(own + kids)
                time.sleep(0.1)

        def client(k: int) -> None:
            transport = httpx.HTTPTransport(local_address=f"127.0.0.{k + 2}")
            with httpx.Client(base_url=url, timeout=120, transport=transport) as c:
                r = c.post("/api/v1/jobs", json={**JOB, "uncertainty": {**JOB["uncertainty"], "seed": 1000 + k}})
                with lock:
                    answers["job"][r.status_code] += 1
                    if r.status_code == 202:
                        job_ids.append(r.json()["id"])
                i = 0
                while not stop.is_set():
                    doc = {**SYNC, "uncertainty": {**SYNC["uncertainty"], "seed": 100_000 * (k + 1) + i}}
                    t0 = time.perf_counter()
                    r = c.post("/api/v1/uncertainty", json=doc)
                    with lock:
                        answers["sync"][r.status_code] += 1
                        if r.status_code == 200:
                            sync_seconds.append(time.perf_counter() - t0)
                    i += 1

        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        receiver, sender = ctx.Pipe(duplex=False)
        poller = ctx.Process(target=poll_start_page, args=(url, time.time() + 1.0, args.seconds, sender))
        poller.start()
        time.sleep(1.0)  # the poller's interpreter started; its clock starts with the clients
        threads = [threading.Thread(target=sample)]
        threads += [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
        baseline = server.memory_info().rss
        for t in threads:
            t.start()
        for at, dt, status in receiver.recv():  # after args.seconds
            page.append(dt)
            page_errors[0] += status != 200
            if dt > PAGE_SECONDS:
                slow.append(round(at, 1))
        poller.join(30)
        stop.set()
        for t in threads:
            t.join(timeout=180)
        done: collections.Counter = collections.Counter()
        with httpx.Client(base_url=url, timeout=30) as c:
            for jid in job_ids:
                done[c.get(f"/api/v1/jobs/{jid}").json()["status"]] += 1
            for jid in job_ids:
                c.post(f"/api/v1/jobs/{jid}/cancel")

    bound = ceiling_mb(baseline / 1e6)
    peak = max(rss) / 1e6 if rss else float("nan")
    ordered = sorted(page)
    p95 = ordered[max(0, int(0.95 * len(ordered)) - 1)] if ordered else float("nan")
    out: dict[str, Any] = {
        "clients": args.clients,
        "seconds": args.seconds,
        "server RSS at start (MB)": round(baseline / 1e6),
        "server peak RSS (MB)": round(max(server_rss) / 1e6) if rss else None,
        "job processes peak RSS (MB)": round(max(child_rss) / 1e6) if rss else None,
        "server + job processes peak RSS (MB)": round(peak),
        "memory ceiling (MB)": f"{round(bound['ceiling'])} = " + " + ".join(f"{round(v)} {k}" for k, v in bound.items() if k != "ceiling"),
        "start page requests": len(page),
        "start page errors": page_errors[0],
        "start page p50 (ms)": round(1000 * statistics.median(page), 1) if page else None,
        "start page p95 (ms)": round(1000 * p95, 1),
        "start page max (ms)": round(1000 * max(page), 1) if page else None,
        "start page over 200 ms": f"{len(slow)} times, at {slow[:12]} s",
        "jobs asked -> answers": dict(answers["job"]),
        "jobs at the end": dict(done),
        "in-request analyses -> answers": dict(answers["sync"]),
        "in-request analysis p50 (s)": round(statistics.median(sync_seconds), 2) if sync_seconds else None,
    }
    width = max(len(k) for k in out)
    for k, v in out.items():
        print(f"{k:<{width}}  {v}")
    failed = []
    if not page or max(page) > PAGE_SECONDS or page_errors[0]:
        failed.append(f"the start page took over {PAGE_SECONDS * 1000:.0f} ms (or failed)")
    if not peak <= bound["ceiling"]:
        failed.append(f"the peak resident memory went over the ceiling ({peak:.0f} MB > {bound['ceiling']:.0f} MB)")
    for line in failed:
        print("FAILED:", line)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
