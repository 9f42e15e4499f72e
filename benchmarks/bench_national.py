"""National roll-up benchmark (issues 5 and 12). Run:
.venv/bin/python benchmarks/bench_national.py [RAW_DIR] [--src DIR] [--repeat N]

Target: 'carescale national' end to end, reading both real files (ONS MYE2 .xls and the ASCOF
.xlsx in ../shared/data/raw), under 2 s (issue 12; issue 5's was 30 s). Prints the end-to-end
wall time of the command in a fresh process, first with an empty cache (a first run: both
files parsed) and then the median and best of ``--repeat`` runs with the cache filled (a
second national run: nothing parsed again), the peak resident memory, and then the time of each
stage in-process. Each run gets a fresh empty CARESCALE_HOME for the cold case. ``--src DIR``
runs another checkout's ``src`` (older code has no cache, so cold and warm are the same).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_S = 2.0


def stage(name: str, fn):
    t0 = time.perf_counter()
    out = fn()
    print(f"  {name:<52} {time.perf_counter() - t0:8.2f} s")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("raw", nargs="?", default=str(REPO.parent / "shared" / "data" / "raw"))
    ap.add_argument("--src")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    raw = Path(args.raw)
    mye_file = raw / "ukpopestimatesmid2020on2021geography.xls"
    ascof_file = raw / "meas-from-asc-of-eng-2021-open-data-csv_v2.xlsx"
    if not (mye_file.exists() and ascof_file.exists()):
        sys.exit(f"the real files are not in {raw}; pass the folder holding them")
    env = dict(os.environ)
    if args.src:
        env["PYTHONPATH"] = str(Path(args.src).resolve())
        sys.path.insert(0, str(Path(args.src).resolve()))
    exe = Path(sys.executable).with_name("carescale")
    cmd = [str(exe), "national", "--mye", str(mye_file), "--ascof", str(ascof_file), "--format", "json"]

    def run_once(home: str) -> float:
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env={**env, "CARESCALE_HOME": home})
        dt = time.perf_counter() - t0
        if proc.returncode != 0:
            sys.exit(proc.stderr)
        return dt

    with tempfile.TemporaryDirectory() as home:
        cold = run_once(home)
        warm = [run_once(home) for _ in range(args.repeat)]
    rss_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    med = statistics.median(warm)
    print(f"code: {args.src or 'this checkout'}")
    print(f"carescale national, fresh process, JSON: first run (empty cache) {cold:.2f} s; "
          f"second and later runs median {med:.2f} s, best {min(warm):.2f} s over {args.repeat}; "
          f"peak RSS {rss_mib:.0f} MiB; target < {TARGET_S:g} s: {'ok' if med < TARGET_S else 'MISSED'}")

    os.environ["CARESCALE_NO_CACHE"] = "1"  # stages: parse for real
    print("stages in-process (no cache):")
    import carescale
    from carescale.national import build_profiles, run_national
    from carescale.official import read_ascof, read_mye

    stage("import carescale + load the library", carescale.default_library)
    mye = stage("read ONS MYE2 (.xls)", lambda: read_mye(mye_file))
    ascof = stage("read ASCOF (.xlsx)", lambda: read_ascof(ascof_file))
    inputs = stage("build council profiles + estimates", lambda: build_profiles(mye, ascof))
    data = stage(f"run the portfolio on {len(inputs.councils)} councils", lambda: run_national(inputs))
    t = data["totals"]
    print(f"councils {t['councils']}, estimated figures {t['estimated_figures']} of {t['figures']}, "
          f"England net saving ASC £{t['net_savings']['asc'] / 1e6:,.1f}m, NHS £{t['net_savings']['nhs'] / 1e6:,.1f}m a year")


if __name__ == "__main__":
    main()
