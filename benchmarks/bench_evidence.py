"""Evidence-base benchmarks (issue 6). Run: .venv/bin/python benchmarks/bench_evidence.py

Loading the library (31 models, 40 case studies, with every case study's links and figures
checked), building the search index (records, Snowball stems, BM25), and answering queries with
and without filters. Targets: a query under 10 ms once the index is built; load plus index under
3 s; peak traced memory under 50 MB. Prints median and best times and tracemalloc's peak.
"""

from __future__ import annotations

import time
import tracemalloc

from carescale import evidence
from carescale.library import load_library
from measure import timed

QUERIES = [
    "older people living alone",
    "learning disability home",
    "loneliness",
    "hospital discharge",
    "falls",
    "technology",
]


def main() -> None:
    t0 = time.perf_counter()
    lib = load_library()
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    evidence.search("warm up", library=lib)
    t_index = time.perf_counter() - t0
    tracemalloc.start()  # a second, traced load and index build, for memory only
    evidence.search("warm up", library=load_library())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"records: {len(lib.interventions)} models, {len(lib.case_studies)} case studies")
    print(f"load library (with case-study checks): {t_load * 1000:.0f} ms")
    print(f"build search index (first query):      {t_index * 1000:.0f} ms")
    print(f"peak traced memory (load + index):     {peak / 1e6:.1f} MB")
    med, best = timed(lambda: [evidence.search(q, library=lib) for q in QUERIES], 50)
    print(f"query (mean of {len(QUERIES)}):                     median {med / len(QUERIES) * 1000:.2f} ms, best {best / len(QUERIES) * 1000:.2f} ms")
    med, best = timed(
        lambda: [evidence.search(q, area=2, payer="asc", min_level=2, library=lib) for q in QUERIES], 50
    )
    print(f"query with three filters:              median {med / len(QUERIES) * 1000:.2f} ms, best {best / len(QUERIES) * 1000:.2f} ms")
    med, best = timed(lambda: evidence.detail("shared-lives", library=lib), 50)
    print(f"detail of one model:                   median {med * 1000:.2f} ms, best {best * 1000:.2f} ms")


if __name__ == "__main__":
    main()
