"""Every row of issue 25's table, each as a ratio against its reference measured in the same run.

    .venv/bin/python benchmarks/run_all.py [--src DIR] [--rows npv,startup,web,pdf,national,optimise]
                                           [--quick] [--tests] [--json OUT]

The machine is shared, so absolute times move with the load; each row is timed beside a
reference that the load hits alike (interleaved where the two can be), and the ratio is what is
compared with the target. Each row runs in a fresh child process (``--src DIR`` puts another
checkout's ``src`` first on its path: how the "before" columns of docs/performance.md are
measured); the load average is printed before and after each row.

| row | measured | reference | target |
|---|---|---|---|
| npv | ``appraise_npv``, six-model Birmingham, 10k/100k/1M draws, 10 and 40 years | one read pass: ``np.sum`` over draws x 120 x 2 float64 | under 3x at every size |
| startup | ``carescale --help``, ``carescale run --area birmingham`` (fresh processes) | ``python -c "import numpy"`` | under 3x |
| web | result page p95 (after the first 20 requests, which are timed apart: they wait for the page's figures and Monte Carlo), 20 clients, while 4 more post new documents to the API; ``POST /api/v1/run`` p95 and rate, a new document each request, 20 clients | a static file's p95 and rate under the same load; the same document again (the API's path without the engine's work) | page p95 under 150 ms; run p95 under 60 ms |
| pdf | ``render(prepare(doc), "pdf")`` (``carescale report -o x.pdf`` in-process) | the engine's 10,000-draw uncertainty (``run_uncertainty``) | under 1.5 s |
| national | 153 councils x 10,000 draws, in-process and on 1 and 2 Dask workers | - | under 4 s; 1.8x from 1 to 2 workers |
| optimise | probability objective, 1,000 and 10,000 draws, continuous scales | exhaustive search (60 draws, steps of 0.25) agrees | proven (gap under 0.5%) under 30 s |
| tests (``--tests``) | ``pytest -q -m "not browser and not slow" -n auto`` | - | under 90 s |

``--quick`` leaves out 1M draws in ``npv`` and the worker processes in ``national``.
The web row's clients are ``measure.LightClient`` (``http.client``, a third of httpx's CPU a request
on the cores the server shares), for the static reference and the routes alike;
``CARESCALE_BENCH_HTTPX=1`` measures with httpx as before.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


# -- rows (each runs in a child process: ``run_all.py --row NAME``) ---------------------------------


def row_npv(quick: bool) -> dict:
    import numpy as np

    import carescale
    from carescale import ParameterTable, define_scenario
    from carescale.appraisal import appraise_npv, make_settings
    from measure import jittered_values

    carescale.default_library()
    scen = define_scenario("birmingham")
    params = ParameterTable.from_scenario(scen)
    out = {}
    try:  # the compiled kernel, loaded as a process that runs Monte Carlo again and again has it
        from carescale.appraisal import npv_kernel
    except ImportError:  # older code (--src): none
        npv_kernel = None
    if npv_kernel is not None and hasattr(npv_kernel, "load"):
        t0, c0 = time.perf_counter(), time.process_time()
        if npv_kernel.load():
            out["kernel load, once per process"] = {"seconds": time.perf_counter() - t0,
                                                    "cpu_seconds": time.process_time() - c0}
    for draws in (10_000, 100_000) + (() if quick else (1_000_000,)):
        values = jittered_values(params, draws)
        floor = np.ones((draws, 120, 2))
        repeat = 5 if draws < 1_000_000 else 2
        for years in (10, 40):
            settings = make_settings(years=years)
            appraise_npv(scen, settings, values, params)  # warm: caches and first touch of memory
            a, b = [], []
            for _ in range(repeat):
                t0 = time.perf_counter()
                np.sum(floor)
                b.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                appraise_npv(scen, settings, values, params)
                a.append(time.perf_counter() - t0)
            t, ref = statistics.median(a), statistics.median(b)
            out[f"{draws} draws, {years} years"] = {"seconds": t, "reference_seconds": ref, "ratio": t / ref,
                                                    "per_month_ratio": t / ref * 120 / (12 * years)}
        del values, floor
    return out


def _fresh(cmd: list[str], env: dict) -> tuple[float, float]:
    import resource

    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} failed: {proc.stderr[-1000:]}")
    return wall, r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime


def row_startup(quick: bool) -> dict:
    import tempfile

    exe = str(Path(sys.executable).with_name("carescale"))
    cmds = {"numpy": [sys.executable, "-c", "import numpy"], "--help": [exe, "--help"],
            "run": [exe, "run", "--area", "birmingham"]}
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "CARESCALE_HOME": home, "COLUMNS": "120"}
        for cmd in cmds.values():  # warm: the library cache, bytecode, the page cache
            _fresh(cmd, env)
        times = {k: [] for k in cmds}
        for _ in range(7):
            for k, cmd in cmds.items():  # interleaved, so the load falls on all alike
                times[k].append(_fresh(cmd, env))
    med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in times.items()}
    ref_w, ref_c = med["numpy"]
    return {k: {"seconds": w, "cpu_seconds": c, "reference_seconds": ref_w, "ratio": w / ref_w, "cpu_ratio": c / ref_c}
            for k, (w, c) in med.items() if k != "numpy"}


def _hammer(url: str, clients: int, per_client: int, make) -> dict:
    """``measure.hammer``: concurrent clients, latencies by label and rate. Its clients are
    ``measure.LightClient`` (``CARESCALE_BENCH_HTTPX=1``: httpx, as before issue 25's sixth slice),
    the static reference's as well as the routes'."""
    from measure import hammer

    return hammer(url, clients, per_client, make, light=not os.environ.get("CARESCALE_BENCH_HTTPX"))


def serve():
    """The web benchmarks' server: ``measure.serve`` (its output to a file, never a pipe)."""
    from measure import serve as measure_serve

    return measure_serve()


def _server_cpu(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) of the server's own process and of its child processes
    (the compute processes that work out the API's runs, issue 25), apart."""
    import psutil

    def used(p) -> float:
        try:
            t = p.cpu_times()
            return t.user + t.system
        except psutil.NoSuchProcess:
            return 0.0

    server = psutil.Process(pid)
    return used(server), sum(used(c) for c in server.children(recursive=True))


def _per_request(before: tuple[float, float], after: tuple[float, float], got: dict) -> dict:
    n = got["run"]["requests"]
    return {"server_cpu_ms": 1000 * (after[0] - before[0]) / n, "compute_processes_cpu_ms": 1000 * (after[1] - before[1]) / n}


def row_web(quick: bool) -> dict:
    import threading

    import httpx

    static = "/static/carescale.css"
    out = {}
    with serve() as (url, pid):
        httpx.post(url + "/api/v1/run", json={"version": 1}, timeout=60)  # warm the library
        # 1. POST /api/v1/run, a new document each request, 20 clients; the static file alike
        def run_doc(c, k, i):
            return "run", c.post("/api/v1/run", json={"version": 1, "area": "birmingham", "reprice": False,
                                                      "note": f"client {k} request {i} {time.time()}"})

        def static_file(c, k, i):
            return "static", c.get(static)

        def run_bare(c, k, i):  # the run alone (issue 25: ?include=none; older code ignores it)
            return "run", c.post("/api/v1/run?include=none", json={"version": 1, "area": "birmingham", "reprice": False,
                                                                  "note": f"bare {k} request {i} {time.time()}"})

        ref = _hammer(url, 20, 30, static_file)

        def api_row(make, reference: bool = False) -> dict:
            """20 clients on one way of posting to the API: p95, rate, errors, the ratio to the
            static file's p95, and the CPU a request of the server and its compute processes."""
            c0 = _server_cpu(pid)
            got = _hammer(url, 20, 30, make)
            return {"p95_ms": got["run"]["p95_ms"], "rps": got["run"]["rps"], "errors": got["errors"],
                    **({"reference_p95_ms": ref["static"]["p95_ms"], "reference_rps": ref["static"]["rps"]}
                       if reference else {}),
                    "ratio": got["run"]["p95_ms"] / ref["static"]["p95_ms"], **_per_request(c0, _server_cpu(pid), got)}

        # the same answer again: the API's whole path (parse, the shared Evaluation's figures, JSON,
        # hand-over, 77 KB written) with the engine's work taken away; what a new document adds to
        # this is the work of working it out
        same = {"version": 1, "area": "birmingham", "reprice": False, "note": "the same document"}
        httpx.post(url + "/api/v1/run", json=same, timeout=60)
        out["POST /api/v1/run, the same document again (its figures already worked out)"] = api_row(
            lambda c, k, i: ("run", c.post("/api/v1/run", json=same)))
        out["POST /api/v1/run, new document"] = api_row(run_doc, reference=True)
        out["POST /api/v1/run?include=none, new document"] = api_row(run_bare)
        # 2. the result page of a scenario stored just now (cold: 20 clients ask at once), while
        #    4 more clients post new documents to the API; half the page clients' requests are the
        #    static file instead, so both see the same load
        pages = []
        for rnd in range(3):
            sid = httpx.post(url + "/api/v1/scenarios", timeout=60,
                             json={"version": 1, "area": "birmingham", "note": f"page round {rnd} {time.time()}"}).json()["scenario_id"]
            busy_stop = threading.Event()

            def busy(k: int) -> None:
                from measure import LightClient

                with (httpx.Client(base_url=url, timeout=60) if os.environ.get("CARESCALE_BENCH_HTTPX")
                      else LightClient(url)) as c:
                    i = 0
                    while not busy_stop.is_set():
                        run_doc(c, 100 + k, i)
                        i += 1

            workers = [threading.Thread(target=busy, args=(k,)) for k in range(4)]
            for w in workers:
                w.start()
            time.sleep(0.2)

            def page_or_static(c, k, i, sid=sid):
                if i == 0:  # all 20 at once, on a page nobody has opened yet
                    return "first page", c.get(f"/scenario/{sid}")
                return ("page", c.get(f"/scenario/{sid}")) if (k + i) % 2 == 0 else static_file(c, k, i)

            pages.append(_hammer(url, 20, 10, page_or_static))
            busy_stop.set()
            for w in workers:
                w.join()
        p95 = statistics.median(p["page"]["p95_ms"] for p in pages)
        ref95 = statistics.median(p["static"]["p95_ms"] for p in pages)
        out["result page, API busy"] = {"p95_ms": p95, "reference_p95_ms": ref95, "ratio": p95 / ref95,
                                        "errors": sum(p["errors"] for p in pages),
                                        "max_ms": max(p["page"]["max_ms"] for p in pages)}
        # the 20 first requests, at once, for a page whose figures (and Monte Carlo) nobody has
        # worked out yet: how long the last of them waited
        cold = statistics.median(p["first page"]["max_ms"] for p in pages)
        out["result page, first 20 at once"] = {"max_ms": cold, "p50_ms": statistics.median(p["first page"]["p50_ms"] for p in pages)}
    return out


def row_pdf(quick: bool) -> dict:
    from carescale.reports import prepare, render
    from carescale.scenarios import evaluate_document, parse_scenario

    doc = {"area": "birmingham"}
    render(prepare(doc), "pdf")  # warm: imports and fonts, once per process

    def uncertainty() -> None:  # the reference: the engine's 10,000-draw uncertainty, afresh
        from carescale.uncertainty import run_uncertainty

        ev = evaluate_document(parse_scenario('{"version": 1, "area": "birmingham"}'))
        run_uncertainty(ev.scenario, ev.document.uncertainty.settings(), appraisal=ev.document.appraisal)

    a, b, cpu = [], [], []
    for _ in range(3):
        t0 = time.perf_counter()
        uncertainty()
        b.append(time.perf_counter() - t0)
        t0, c0 = time.perf_counter(), time.process_time()
        render(prepare(doc), "pdf")
        a.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)  # this process's CPU: what the load on a shared machine moves least
    t, ref = statistics.median(a), statistics.median(b)
    out = {"business case PDF": {"seconds": t, "cpu_seconds": statistics.median(cpu), "reference_seconds": ref,
                                 "ratio": t / ref}}
    from carescale.reports import charts

    if hasattr(charts, "_DRAWN"):  # the same, every chart drawn afresh (a scenario's first report)
        os.environ["CARESCALE_NO_CACHE"] = "1"
        a = []
        for _ in range(3):
            charts._DRAWN.clear()
            t0 = time.perf_counter()
            render(prepare(doc), "pdf")
            a.append(time.perf_counter() - t0)
        del os.environ["CARESCALE_NO_CACHE"]
        charts._DRAWN.clear()
        out["business case PDF, charts drawn afresh"] = {"seconds": statistics.median(a), "reference_seconds": ref,
                                                        "ratio": statistics.median(a) / ref}
    # WeasyPrint's share: the HTML (with its charts) made first, then the PDF laid out from it
    try:
        from carescale.reports.html import html_text, pdf_bytes
    except ImportError:  # an older layout
        return out
    parts = []
    os.environ["CARESCALE_NO_CACHE"] = "1"  # charts drawn afresh: the share of a first report
    import inspect

    raster = "raster" in inspect.signature(html_text).parameters  # the PDF's own HTML (PNG charts, issue 25)
    for _ in range(3):
        getattr(charts, "_DRAWN", {}).clear()
        d = prepare(doc)
        t0 = time.perf_counter()
        html_text(d, raster=True) if raster else html_text(d)
        t1 = time.perf_counter()
        pdf_bytes(d)
        parts.append((t1 - t0, time.perf_counter() - t1))
    del os.environ["CARESCALE_NO_CACHE"]
    h, w = statistics.median(p[0] for p in parts), statistics.median(p[1] for p in parts)
    out["PDF parts"] = {"html_and_charts_seconds": h, "weasyprint_seconds": w, "weasyprint_share": w / (h + w)}
    return out


def _national_inputs():
    raw = REPO.parent / "shared" / "data" / "raw"
    from carescale.national import build_profiles
    from carescale.official import read_ascof, read_mye

    return build_profiles(read_mye(raw / "ukpopestimatesmid2020on2021geography.xls"),
                          read_ascof(raw / "meas-from-asc-of-eng-2021-open-data-csv_v2.xlsx"))


def row_national(quick: bool) -> dict:
    from carescale.national.scaleout import dask_client, run_national_uncertainty

    inputs = _national_inputs()
    out, figures = {}, {}
    # The NPV route as `carescale national` runs it in a process of its own: its 1.53 million draws
    # stay on the numpy route (appraisal/npv_kernel.py loads the kernel after 2 million). This row
    # runs every configuration in one process, where the count would go on and load the kernel
    # partway through one of them (0.5 s, in some runs and not others): the route is set instead.
    was = os.environ.get("CARESCALE_NPV_KERNEL")
    os.environ["CARESCALE_NPV_KERNEL"] = "0"
    t0 = time.perf_counter()
    res = run_national_uncertainty(inputs, 10_000, 20170301)
    out["in-process"] = {"seconds": time.perf_counter() - t0, "councils": len(res["areas"])}
    figures["in-process"] = json.dumps({k: v for k, v in res.items() if k != "run"}, sort_keys=True)
    if not quick:
        # The worker processes are forked by a fork server (national/cluster.py), started once per
        # process with Dask and carescale imported: its start is timed apart, as the forked
        # workers of earlier slices found this process's imports already done
        from carescale.national.cluster import start_fork_server

        t0 = time.perf_counter()
        start_fork_server(1)
        with dask_client(1):
            pass
        out["fork server start (with one cluster started and stopped), once per process"] = {"seconds": time.perf_counter() - t0}
    for label, workers in [] if quick else [("1 worker process", 1), ("2 worker processes", 2)]:
        # as a user of `carescale national --workers N` sees it: the cluster started, the run,
        # the cluster stopped; and a second run on the cluster while it is up (the work alone,
        # as on a cluster already running: `--scheduler`, or `client=` in Python)
        t0 = time.perf_counter()
        with dask_client(workers) as client:
            res = run_national_uncertainty(inputs, 10_000, 20170301, client=client)
            t1 = time.perf_counter()
            again = run_national_uncertainty(inputs, 10_000, 20170301, client=client)
            t2 = time.perf_counter()
        out[label] = {"seconds": time.perf_counter() - t0 - (t2 - t1), "councils": len(res["areas"]),
                      "seconds_on_the_running_cluster": t2 - t1}
        for name, r in ((label, res), (label + ", running cluster", again)):
            figures[name] = json.dumps({k: v for k, v in r.items() if k != "run"}, sort_keys=True)
    if not quick:
        one, two = out["1 worker process"], out["2 worker processes"]
        out["speed-up 1 to 2 workers"] = {"ratio": one["seconds"] / two["seconds"]}
        out["speed-up 1 to 2 workers, running cluster"] = {
            "ratio": one["seconds_on_the_running_cluster"] / two["seconds_on_the_running_cluster"]}
    out["identical figures"] = {"value": len(set(figures.values())) == 1}
    if was is None:
        del os.environ["CARESCALE_NPV_KERNEL"]
    else:
        os.environ["CARESCALE_NPV_KERNEL"] = was
    return out


def row_optimise(quick: bool) -> dict:
    import carescale
    from carescale.optimise import optimise

    carescale.default_library()
    doc = {"area": "birmingham", "reprice": False,
           "interventions": ["community-agents", "living-well", "support-at-home", "shared-lives"],
           "appraisal": {"years": 1}, "uncertainty": {"width_scale": 2.0}}
    out = {}
    for draws in (1000, 10_000):
        t0 = time.perf_counter()
        r = optimise(doc, objective="probability", draws=draws, include="shared-lives", budget=700_000, explain=False)
        out[f"{draws} draws"] = {"seconds": time.perf_counter() - t0, "solve_seconds": r.solve_seconds,
                                 "probability": r.objective, "approximation": r.approximation}
    return out


def row_tests(quick: bool) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-m", "not browser and not slow", "-n", "auto",
                           "-p", "no:cacheprovider"], cwd=REPO, capture_output=True, text=True)
    last = (proc.stdout.strip().splitlines() or [""])[-1]
    return {"everyday test run": {"seconds": time.perf_counter() - t0, "summary": last, "returncode": proc.returncode}}


ROWS = {"npv": row_npv, "startup": row_startup, "web": row_web, "pdf": row_pdf, "national": row_national,
        "optimise": row_optimise, "tests": row_tests}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", help="a src folder to import carescale from (the 'before' code)")
    ap.add_argument("--rows", default="npv,startup,web,pdf,national,optimise")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--tests", action="store_true", help="also time the everyday test run")
    ap.add_argument("--json", help="write every figure to this file")
    ap.add_argument("--row", help=argparse.SUPPRESS)  # internal: run one row here, print JSON
    a = ap.parse_args()
    if a.row:
        sys.path.insert(0, str(HERE))
        print("JSON:" + json.dumps(ROWS[a.row](a.quick)))
        return
    src = str(Path(a.src).resolve()) if a.src else str(REPO / "src")
    env = {**os.environ, "PYTHONPATH": src}
    rows = a.rows.split(",") + (["tests"] if a.tests else [])
    print(f"code: {src}; {os.cpu_count()} cores")
    results = {}
    for name in rows:
        before = load()
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, __file__, "--row", name] + (["--quick"] if a.quick else []),
                              env=env, capture_output=True, text=True)
        line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("JSON:")), None)
        if proc.returncode != 0 or line is None:
            print(f"{name}: FAILED\n{proc.stderr[-2000:]}")
            results[name] = {"failed": proc.stderr[-2000:]}
            continue
        got = json.loads(line[5:])
        results[name] = {"load_before": before, "load_after": load(), "rows": got}
        print(f"{name} (load {before} -> {load()}, {time.perf_counter() - t0:.0f} s):")
        for what, fig in got.items():
            print(f"  {what}: " + ", ".join(f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in fig.items()))
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
