"""Web app and JSON API speed (issue 13; figures in the engineer's note and docs/web.md).

    .venv/bin/python benchmarks/bench_web.py [--clients 20] [--requests 50]

1. ``POST /api/v1/run`` for Birmingham from 20 concurrent clients on loopback (``carescale serve``
   in its own process on a free port, each client its own keep-alive connection): requests a second,
   p50/p95/max latency, errors. Measured twice: every request the same document (the app's
   result cache answers repeats of a scenario it has worked out), and every request a different
   document (a new note each time, so each is worked out from scratch).
2. A 10,000-draw uncertainty job end to end: ``POST /api/v1/jobs``, poll until done, read the result.
"""

from __future__ import annotations

import argparse
import statistics
import time

import httpx
from measure import hammer, serve

def load(url: str, clients: int, per_client: int, vary: bool) -> dict[str, float]:
    def make(c: httpx.Client, k: int, i: int):
        doc = {"version": 1, "area": "birmingham", "reprice": False}
        if vary:
            doc["note"] = f"client {k} request {i}"
        return "run", c.post("/api/v1/run", json=doc)

    got = hammer(url, clients, per_client, make)
    return {**got["run"], "errors": got["errors"]}


def job(url: str, draws: int) -> float:
    with httpx.Client(base_url=url, timeout=120) as c:
        t0 = time.perf_counter()
        started = c.post("/api/v1/jobs", json={"version": 1, "area": "birmingham", "uncertainty": {"draws": draws}}).json()
        while True:
            got = c.get(f"/api/v1/jobs/{started['id']}").json()
            if got["status"] not in ("queued", "running"):
                break
            time.sleep(0.02)
        assert got["status"] == "done", got
        assert got["result"]["draws"] == draws
        return time.perf_counter() - t0

def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=50, help="requests per client")
    ap.add_argument("--draws", type=int, default=10_000)
    a = ap.parse_args()
    with serve() as (url, _pid):
        httpx.post(url + "/api/v1/run", json={"version": 1}, timeout=30)  # warm the library
        for vary in (False, True):
            r = load(url, a.clients, a.requests, vary)
            what = "a different document each time" if vary else "the same document (cached result)"
            print(f"POST /api/v1/run, {a.clients} clients, {what}: {r['requests']} requests, {r['errors']} errors, "
                  f"{r['rps']:.0f} requests/s, p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, max {r['max_ms']:.1f} ms")
        times = [job(url, a.draws) for _ in range(3)]
        print(f"uncertainty job, {a.draws:,} draws, end to end (start, poll, result): median {statistics.median(times):.2f} s, "
              f"best {min(times):.2f} s")

if __name__ == "__main__":
    main()
