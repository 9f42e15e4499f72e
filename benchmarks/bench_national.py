"""National roll-up benchmark (issue 5). Run: .venv/bin/python benchmarks/bench_national.py [RAW_DIR]

Target: 'carescale national' end to end, reading both real files (ONS MYE2 .xls and the ASCOF
.xlsx in ../shared/data/raw), under 30 s. Prints the end-to-end time of the command in a fresh
process and its peak resident memory, then the time of each stage in-process.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RAW = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared" / "data" / "raw"
MYE = RAW / "ukpopestimatesmid2020on2021geography.xls"
ASCOF = RAW / "meas-from-asc-of-eng-2021-open-data-csv_v2.xlsx"
TARGET_S = 30.0


def stage(name: str, fn):
    t0 = time.perf_counter()
    out = fn()
    print(f"  {name:<44} {time.perf_counter() - t0:8.2f} s")
    return out


def main() -> None:
    if not (MYE.exists() and ASCOF.exists()):
        sys.exit(f"the real files are not in {RAW}; pass the folder holding them")
    exe = Path(sys.executable).with_name("carescale")
    cmd = [str(exe), "national", "--mye", str(MYE), "--ascof", str(ASCOF), "--format", "json"]
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            sys.exit(proc.stderr)
    rss_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    best, worst = min(times), max(times)
    verdict = "ok" if worst < TARGET_S else "OVER TARGET"
    print(f"carescale national (fresh process, JSON, 3 runs): best {best:.2f} s, worst {worst:.2f} s, "
          f"peak RSS {rss_mib:.0f} MiB; target < {TARGET_S:.0f} s: {verdict}")

    print("stages in-process (memory is the peak RSS above; tracemalloc slows openpyxl ten-fold):")
    from carescale.national import build_profiles, run_national
    from carescale.official import read_ascof, read_mye

    mye = stage("read ONS MYE2 (.xls, xlrd)", lambda: read_mye(MYE))
    ascof = stage("read ASCOF (.xlsx, openpyxl read-only)", lambda: read_ascof(ASCOF))
    inputs = stage("build council profiles + estimates", lambda: build_profiles(mye, ascof))
    data = stage(f"run the portfolio on {len(inputs.councils)} councils", lambda: run_national(inputs))
    t = data["totals"]
    print(f"councils {t['councils']}, estimated figures {t['estimated_figures']} of {t['figures']}, "
          f"England net saving ASC £{t['net_savings']['asc'] / 1e6:,.1f}m, NHS £{t['net_savings']['nhs'] / 1e6:,.1f}m a year")


if __name__ == "__main__":
    main()
