"""Start-up benchmarks (issues 12, 20). Run: .venv/bin/python benchmarks/bench_startup.py [--src DIR] [--repeat N]
or, to compare two checkouts: ... bench_startup.py --compare BEFORE_SRC AFTER_SRC [--repeat N]

Wall time of fresh processes: ``python -c "import carescale"``, ``carescale --help`` and
``carescale run --area birmingham``, median and best over ``--repeat`` runs (the machine is
shared, so medians). Target: each under 0.6 s. ``--src DIR`` puts another checkout's ``src``
first on ``PYTHONPATH`` (to measure older code beside this one with the same interpreter).
Also lists which deferred heavy modules a plain ``import carescale`` loaded. Each run of this
script uses a fresh empty CARESCALE_HOME: the first ``carescale run`` fills its cache (the
parsed library), as a user's first command would; the medians include that first run.

``--compare BEFORE_SRC AFTER_SRC`` (issue 20: "start-up does not get slower") times
``carescale --help`` and ``carescale run --area birmingham`` for both ``src`` folders with the
same interpreter, interleaved (before, after, before, after, ...) so that load on the shared
machine hits both alike; each has its own CARESCALE_HOME, warmed by one untimed run, so both are
measured with a filled cache. It prints median and best wall time, median CPU time, and
after/before ratios. To get the code of a commit: ``git archive COMMIT src | tar -x -C DIR``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_S = 0.6
HEAVY = ["scipy.stats", "scipy.optimize", "SALib", "pandas", "openpyxl", "xlrd", "python_calamine",
         "fastapi", "uvicorn", "starlette", "jinja2", "plotly", "weasyprint", "xlsxwriter",
         "matplotlib", "sqlalchemy", "alembic", "psycopg", "dask", "distributed", "playwright"]


def wall(cmd: list[str], env: dict[str, str], repeat: int) -> tuple[float, float, float]:
    """Median and best wall time, and median CPU time (user + system) of the child: CPU time
    suffers less than wall time when other work shares the machine."""
    import resource

    times, cpu = [], []
    for _ in range(repeat):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        times.append(time.perf_counter() - t0)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
        if proc.returncode != 0:
            sys.exit(f"{cmd} failed: {proc.stderr[-2000:]}")
    return statistics.median(times), min(times), statistics.median(cpu)


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    import resource

    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    took = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"{cmd} failed: {proc.stderr[-2000:]}")
    return took, r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime


def compare(before: str, after: str, repeat: int) -> None:
    """Interleaved runs of two checkouts (see the module docstring)."""
    import tempfile

    py = sys.executable
    exe = str(Path(py).with_name("carescale"))
    envs = {}
    for label, src in (("before", before), ("after", after)):
        env = dict(os.environ)
        env["PYTHONPATH"] = str(Path(src).resolve())
        env["CARESCALE_HOME"] = tempfile.mkdtemp(prefix=f"carescale-bench-{label}-")
        envs[label] = env
    rows = [("carescale --help", [exe, "--help"]), ("carescale run --area birmingham", [exe, "run", "--area", "birmingham"])]
    print(f"before: {before}\nafter:  {after}\n{repeat} interleaved fresh processes each (cache warmed first)")
    for name, cmd in rows:
        for env in envs.values():
            _timed(cmd, env)  # untimed: fills the cache, warms the file system
        wall_t: dict[str, list[float]] = {k: [] for k in envs}
        cpu_t: dict[str, list[float]] = {k: [] for k in envs}
        for i in range(repeat):
            order = list(envs) if i % 2 == 0 else list(envs)[::-1]
            for label in order:
                w, c = _timed(cmd, envs[label])
                wall_t[label].append(w)
                cpu_t[label].append(c)
        med = {k: statistics.median(v) for k, v in wall_t.items()}
        cpu = {k: statistics.median(v) for k, v in cpu_t.items()}
        for label in envs:
            print(f"{name:<34} {label:<6} median {med[label]:6.3f} s  best {min(wall_t[label]):6.3f} s  "
                  f"CPU median {cpu[label]:6.3f} s  best {min(cpu_t[label]):6.3f} s")
        print(f"{name:<34} after/before: wall median {med['after'] / med['before']:.3f}, "
              f"best {min(wall_t['after']) / min(wall_t['before']):.3f}; CPU median {cpu['after'] / cpu['before']:.3f}, "
              f"best {min(cpu_t['after']) / min(cpu_t['before']):.3f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", help="a src folder to put first on PYTHONPATH")
    ap.add_argument("--compare", nargs=2, metavar=("BEFORE_SRC", "AFTER_SRC"),
                    help="time two src folders against each other, interleaved")
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    if args.compare:
        compare(*args.compare, args.repeat)
        return
    import tempfile

    env = dict(os.environ)
    env["CARESCALE_HOME"] = tempfile.mkdtemp(prefix="carescale-bench-")  # its cache fills on the first run
    if args.src:
        env["PYTHONPATH"] = str(Path(args.src).resolve())
    py = sys.executable
    exe = str(Path(py).with_name("carescale"))
    probe = ("import sys, carescale; heavy = %r; "
             "print(','.join(m for m in heavy if m in sys.modules) or 'none')" % HEAVY)
    loaded = subprocess.run([py, "-c", probe], capture_output=True, text=True, env=env).stdout.strip()
    print(f"code: {args.src or 'this checkout'}; median/best of {args.repeat} fresh processes")
    print(f"deferred modules loaded by 'import carescale': {loaded}")
    rows = [
        ("python -c 'import carescale'", [py, "-c", "import carescale"]),
        ("carescale --help", [exe, "--help"]),
        ("carescale run --area birmingham", [exe, "run", "--area", "birmingham"]),
    ]
    for name, cmd in rows:
        med, best, cpu = wall(cmd, env, args.repeat)
        verdict = "ok" if med < TARGET_S else "MISSED"
        print(f"{name:<36} median {med:6.3f} s  best {best:6.3f} s  CPU {cpu:6.3f} s  target < {TARGET_S} s: {verdict}")


if __name__ == "__main__":
    main()
