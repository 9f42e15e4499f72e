"""Start-up benchmarks (issue 12). Run: .venv/bin/python benchmarks/bench_startup.py [--src DIR] [--repeat N]

Wall time of fresh processes: ``python -c "import carescale"``, ``carescale --help`` and
``carescale run --area birmingham``, median and best over ``--repeat`` runs (the machine is
shared, so medians). Target: each under 0.6 s. ``--src DIR`` puts another checkout's ``src``
first on ``PYTHONPATH`` (to measure older code beside this one with the same interpreter).
Also lists which deferred heavy modules a plain ``import carescale`` loaded. Each run of this
script uses a fresh empty CARESCALE_HOME: the first ``carescale run`` fills its cache (the
parsed library), as a user's first command would; the medians include that first run.
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", help="a src folder to put first on PYTHONPATH")
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
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
