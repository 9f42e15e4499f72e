"""Official data benchmark (issue 22). Run:
.venv/bin/python benchmarks/bench_official.py [DATA_DIR] [--repeat N]

Measures, with the real files of ../shared/data:

1. building all 153 councils' official figures from the published files
   (``build_council_figures``: ASC-FR, three RO3 .ods, ONS mid-2023, NCC, ASCOF), cold (empty
   parse cache: every file parsed) and warm (the content-hash cache filled);
2. building the 153 built-in profiles from the shipped figures (``official_profiles``, in process);
3. ``carescale national --format json`` end to end on the built-in profiles, in a fresh process:
   the first run with an empty CARESCALE_HOME and the median and best of ``--repeat`` warm runs
   (target: under 2 s warm).
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


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data", nargs="?", default=str(REPO.parent / "shared" / "data"))
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    d = Path(args.data)
    files = dict(
        ascfr=d / "ascfr" / "ascfr-salt-data-tables-2021-22.xlsx",
        ro3=[d / "ro3" / f"RO3_{y}_data_by_LA.ods" for y in ("2022-23", "2023-24", "2024-25")],
        mye=d / "ons" / "mye23tablesew.xlsx",
        ncc=d / "nhs_costs" / "ncc_2023_24.csv",
        ascof=d / "raw" / "meas-from-asc-of-eng-2021-open-data-csv_v2.xlsx",
    )
    missing = [p for p in [files["ascfr"], *files["ro3"], files["mye"], files["ncc"], files["ascof"]] if not p.exists()]
    if missing:
        sys.exit(f"{missing[0]} is absent; pass the folder holding ../shared/data")
    sys.path.insert(0, str(REPO / "src"))
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    with tempfile.TemporaryDirectory() as home:
        os.environ["CARESCALE_HOME"] = home
        from carescale.official.councils import build_council_figures

        figs, cold = timed(lambda: build_council_figures(**files))
        _, warm = timed(lambda: build_council_figures(**files))
        print(f"build the 153 councils' official figures from the files: cold {cold:.2f} s (every file parsed), "
              f"warm {warm:.2f} s (parse cache filled); {len(figs.councils)} councils, {len(figs.series)} series")
        from carescale.areas.official import official_profiles

        profiles, t = timed(official_profiles)
        print(f"build the {len(profiles)} built-in profiles from the shipped figures (in process): {t:.3f} s")

    exe = Path(sys.executable).with_name("carescale")
    cmd = [str(exe), "national", "--format", "json"]

    cpu: list[float] = []

    def run_once(home: str) -> float:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env={**env, "CARESCALE_HOME": home})
        if proc.returncode != 0:
            sys.exit(proc.stderr)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        return time.perf_counter() - t0

    with tempfile.TemporaryDirectory() as home:
        first = run_once(home)
        runs = [run_once(home) for _ in range(args.repeat)]
    med = statistics.median(runs)
    print(f"carescale national --format json (153 built-in profiles), end to end in a fresh process: first {first:.2f} s "
          f"(CPU {cpu[0]:.2f} s), warm median {med:.2f} s, best {min(runs):.2f} s of {args.repeat}, warm CPU median "
          f"{statistics.median(cpu[1:]):.2f} s (target under {TARGET_S:.0f} s: {'met' if med < TARGET_S else 'NOT met'}; "
          f"load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
