"""National probabilistic case benchmark (issue 12). Run:
.venv/bin/python benchmarks/bench_national_draws.py [RAW_DIR] [--draws 10000] [--repeat 1]

``run_national_uncertainty`` on every English council (153, 2023 boundaries) from the real ONS
and ASCOF files, at ``--draws`` draws per council: in-process (the default: one Dask worker
thread), on a local Dask cluster of 1 worker process and of 2 worker processes (start-up of the
cluster included, as a user would see it). Target: 10,000 draws per council under 30 s on this
machine's 2 cores. Prints the wall time of each (median of ``--repeat``), the speed-up of 2
workers over 1, and checks that the three give the same figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_S = 30.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("raw", nargs="?", default=str(REPO.parent / "shared" / "data" / "raw"))
    ap.add_argument("--draws", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--councils", type=int, default=None, help="only the first N councils")
    args = ap.parse_args()
    raw = Path(args.raw)
    from carescale.national import build_profiles
    from carescale.official import read_ascof, read_mye
    from carescale.national.scaleout import run_national_uncertainty

    inputs = build_profiles(read_mye(raw / "ukpopestimatesmid2020on2021geography.xls"),
                            read_ascof(raw / "meas-from-asc-of-eng-2021-open-data-csv_v2.xlsx"))
    if args.councils:
        import dataclasses

        inputs = dataclasses.replace(inputs, councils=inputs.councils[: args.councils])
    n = len(inputs.councils)
    print(f"{n} councils x {args.draws:,} draws (annual net saving and 10-year NPV by payer), median of {args.repeat}")
    results, times = {}, {}
    for label, workers in [("in-process (1 thread)", None), ("LocalCluster, 1 worker process", 1),
                           ("LocalCluster, 2 worker processes", 2)]:
        runs = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            out = run_national_uncertainty(inputs, args.draws, 20170301, workers=workers)
            runs.append(time.perf_counter() - t0)
        times[label] = statistics.median(runs)
        results[label] = json.dumps({k: v for k, v in out.items() if k != "run"}, sort_keys=True)
        verdict = "ok" if times[label] < TARGET_S else "MISSED"
        print(f"  {label:<36} {times[label]:7.1f} s  ({times[label] / n * 1000:.0f} ms a council)  "
              f"target < {TARGET_S:.0f} s: {verdict}")
    one, two = times["LocalCluster, 1 worker process"], times["LocalCluster, 2 worker processes"]
    print(f"  speed-up of 2 worker processes over 1: {one / two:.2f}x")
    same = len(set(results.values())) == 1
    print(f"  identical figures in all three: {same}")
    e = json.loads(results["in-process (1 thread)"])["england"]
    print(f"  England annual net saving: mean £{e['net_savings']['total']['mean'] / 1e6:,.1f}m, "
          f"5-95% £{e['net_savings']['total']['p05'] / 1e6:,.1f}m to £{e['net_savings']['total']['p95'] / 1e6:,.1f}m; "
          f"NPV mean £{e['npv']['total']['mean'] / 1e6:,.1f}m")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
