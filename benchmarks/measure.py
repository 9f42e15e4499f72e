"""Timing and memory helpers shared by the benchmark scripts (run as ``python benchmarks/X.py``,
so this folder is on ``sys.path``)."""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Callable, Iterator

import numpy as np


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and best wall time in seconds over ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def peak_mib(fn: Callable[[], object]) -> float:
    """Peak memory traced by tracemalloc (numpy buffers included) during one call, in MiB."""
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def jittered_values(params, draws: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Every parameter of a ``ParameterTable`` varied uniformly within ±20% over ``draws`` draws
    (shares kept between 0 and 1): a realistic workload for timing, not an uncertainty model."""
    rng = np.random.default_rng(seed)
    values = {p.path: p.base * rng.uniform(0.8, 1.2, draws) for p in params}
    for p in params:
        if p.quantity.unit == "proportion":
            values[p.path] = np.clip(values[p.path], 0, 1)
    return values


@contextlib.contextmanager
def serve(home: Path | None = None, database_url: str | None = None,
          tries: int = 300) -> Iterator[tuple[str, int]]:
    """``carescale serve`` on a free loopback port: its URL and process id (the web benchmarks).
    Its data folder is ``home`` (a new empty one by default), its store ``database_url`` (by default
    the one in that folder); it has ``tries`` tenths of a second to start."""
    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = Path(sys.executable).with_name("carescale")
    with contextlib.ExitStack() as stack:
        if home is None:
            home = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        # the server's output goes to a file in its data folder, not a pipe nobody reads (a server
        # that logs a lot would otherwise stop when the pipe is full)
        log = stack.enter_context(open(home / "server.log", "wb"))
        env = {**os.environ, "CARESCALE_HOME": str(home)}
        env.pop("DATABASE_URL", None)
        if database_url is not None:
            env["DATABASE_URL"] = database_url
        proc = subprocess.Popen([str(exe), "serve", "--port", str(port)], env=env, stdout=log, stderr=log)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(tries):
                try:
                    if httpx.get(url + "/", timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            else:
                raise RuntimeError("carescale serve did not start")
            yield url, proc.pid
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


class Answer:
    """What :class:`LightClient` gives back: ``status_code``, ``content``, ``json()``."""

    def __init__(self, status: int, content: bytes):
        self.status_code = status
        self.content = content

    def json(self):
        import json

        return json.loads(self.content)


class LightClient:
    """One keep-alive HTTP/1.1 connection (``http.client``) with httpx.Client's ``get`` and
    ``post(json=...)``: the load generator runs on the same cores as the server, and this costs
    about a third of httpx's CPU a request (0.24 against 0.70 ms for a static file, measured one
    request at a time), so less of what a benchmark measures is its own client."""

    def __init__(self, base_url: str, timeout: float = 60):
        from urllib.parse import urlsplit

        parts = urlsplit(base_url)
        self._where = (parts.hostname, parts.port, timeout)
        self._conn = None

    def request(self, method: str, path: str, json=None, headers: dict | None = None) -> Answer:
        import http.client
        import json as json_

        body, sent = None, dict(headers or {})
        if json is not None:
            body = json_.dumps(json).encode()
            sent["Content-Type"] = "application/json"
        for attempt in (1, 2):  # a connection the server closed while idle is opened again, once
            if self._conn is None:
                host, port, timeout = self._where
                self._conn = http.client.HTTPConnection(host, port, timeout=timeout)
            try:
                self._conn.request(method, path, body=body, headers=sent)
                r = self._conn.getresponse()
                return Answer(r.status, r.read())
            except (http.client.HTTPException, ConnectionError):
                self._conn.close()
                self._conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def get(self, path: str, headers: dict | None = None) -> Answer:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, json=None, headers: dict | None = None) -> Answer:
        return self.request("POST", path, json=json, headers=headers)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()

    def __enter__(self) -> "LightClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def hammer(url: str, clients: int, per_client: int, make, light: bool = False) -> dict:
    """``clients`` threads, each with its own connection, each making ``per_client`` requests
    ``make(client, k, i)`` (a function of an httpx.Client, or of a :class:`LightClient` when
    ``light``): latencies and rate."""
    import threading

    import httpx

    lat: dict[str, list[float]] = {}
    errors = [0]
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def client(k: int) -> None:
        with (LightClient(url) if light else httpx.Client(base_url=url, timeout=60)) as c:
            start.wait()
            for i in range(per_client):
                t0 = time.perf_counter()
                label, r = make(c, k, i)
                dt = time.perf_counter() - t0
                with lock:
                    lat.setdefault(label, []).append(dt)
                    if r.status_code not in (200, 201):
                        errors[0] += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    out = {"errors": errors[0], "wall": wall}
    for label, xs in lat.items():
        xs.sort()
        out[label] = {"requests": len(xs), "rps": len(xs) / wall, "p50_ms": 1000 * statistics.median(xs),
                      "p95_ms": 1000 * xs[int(0.95 * (len(xs) - 1))], "max_ms": 1000 * xs[-1]}
    return out
