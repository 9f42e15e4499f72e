"""Time to produce each report format for the six-model Birmingham portfolio, and the PDF's size.

    .venv/bin/python benchmarks/bench_reports.py [--repeat 3]

Targets (issue 14): PDF under 5 s, workbook under 1 s. ``prepare`` (the engine, the monthly
appraisal and the 10,000-draw Monte Carlo with NPV, switching values and the per-model tornado)
is timed on its own; each format is then timed from freshly prepared data (so the PDF includes
making its HTML and charts), and end to end as `carescale report` does it. Wall time and CPU
time are both printed: on a shared machine the wall time grows with the load average (printed
too), the CPU time much less.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from carescale.reports import prepare, render

DOC = {"area": "birmingham"}  # the paper's six models, 10,000 draws, default settings


def clock(fn, repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``fn()`` over ``repeat`` calls."""
    walls, cpus = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    render(prepare(DOC), "pdf")  # warm: imports (matplotlib, WeasyPrint, fonts) happen once per process
    w, c = clock(lambda: prepare(DOC), args.repeat)
    print(f"prepare (engine, appraisal, 10,000-draw Monte Carlo): wall {w:.2f} s, cpu {c:.2f} s")
    sizes = {}
    for fmt in ("xlsx", "md", "html", "pdf"):
        datas = [prepare(DOC) for _ in range(args.repeat)]
        it = iter(datas)
        out = render(prepare(DOC), fmt)
        sizes[fmt] = len(out)
        w, c = clock(lambda: render(next(it), fmt), args.repeat)
        print(f"{fmt:4s} from prepared data: wall {w:.2f} s, cpu {c:.2f} s, {len(out):,} bytes")
    for fmt in ("xlsx", "pdf"):
        w, c = clock(lambda: render(prepare(DOC), fmt), args.repeat)
        print(f"{fmt:4s} end to end (prepare + render): wall {w:.2f} s, cpu {c:.2f} s")
    print(f"PDF size: {sizes['pdf']:,} bytes ({sizes['pdf'] / 1024:.0f} KiB); workbook {sizes['xlsx'] / 1024:.0f} KiB")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
