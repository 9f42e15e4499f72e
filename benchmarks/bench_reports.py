"""Time to produce each report format for the six-model Birmingham portfolio, and the PDF's size.

    .venv/bin/python benchmarks/bench_reports.py [--repeat 3]

Targets (issue 14): PDF under 5 s, workbook under 1 s. ``prepare`` (the engine, the monthly
appraisal and the 10,000-draw Monte Carlo with NPV and switching values) is timed on its own;
each format is then timed from the prepared data, and end to end (prepare + render) as the
``carescale report`` command does it.
"""

from __future__ import annotations

import argparse
import sys
import time

from measure import timed

from carescale.reports import prepare, render


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    doc = {"area": "birmingham"}  # the paper's six models, 10,000 draws, default settings
    t0 = time.perf_counter()
    data = prepare(doc)
    first = time.perf_counter() - t0
    med, best = timed(lambda: prepare(doc), args.repeat)
    print(f"prepare (engine, appraisal, 10,000-draw Monte Carlo): first {first:.2f} s, median {med:.2f} s, best {best:.2f} s")
    sizes = {}
    for fmt in ("xlsx", "md", "html", "pdf"):
        t0 = time.perf_counter()
        out = render(data, fmt)
        first = time.perf_counter() - t0
        sizes[fmt] = len(out)
        med, best = timed(lambda: render(data, fmt), args.repeat)
        print(f"{fmt:4s}: first {first:.2f} s, median {med:.2f} s, best {best:.2f} s, {len(out):,} bytes")
    med, best = timed(lambda: render(prepare(doc), "pdf"), 1)
    print(f"pdf end to end (prepare + render): {med:.2f} s")
    med, best = timed(lambda: render(prepare(doc), "xlsx"), 1)
    print(f"xlsx end to end (prepare + render): {med:.2f} s")
    print(f"PDF size: {sizes['pdf'] / 1024:.0f} KiB")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
