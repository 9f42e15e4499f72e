"""Plans benchmark (issue 15). Run: .venv/bin/python benchmarks/bench_plans.py [--postgres URL]

Time to add one review to a plan and recompute its recommendation: check the actuals, update
each outcome rate (beta-binomial), draw 10,000 rows of every figure with the outcome rates from
their posteriors, appraise them over 10 years (NPV per draw), apply the rule, and save the review,
its outcome counts and the recommendation in one transaction. The worked example's plan (falls
prevention in Birmingham, docs/plans.md), in a fresh SQLite database (and PostgreSQL with
``--postgres``). Also times the store alone (one review transaction) and creating the plan.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from carescale.plans import add_review, create_plan, load_plan_defaults
from carescale.store import core

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "docs" / "examples" / "falls-prevention-plan.yaml"


def bench(url: str, reviews: int) -> None:
    t0 = time.perf_counter()
    create_plan(PLAN, url=url)
    create = time.perf_counter() - t0
    draws = load_plan_defaults().simulation.draws
    times = []
    end = dt.date(2027, 4, 1)
    for i in range(reviews):
        end += dt.timedelta(days=30)
        t0 = time.perf_counter()
        add_review("falls-birmingham", {
            "period_end": end.isoformat(), "people_supported": 30,
            "outcomes": {"fall-admission-avoided": 3 + i % 2, "home-care-avoided": i % 2}, "money_spent": 12000,
        }, url=url)
        times.append(time.perf_counter() - t0)
    store = core.open_store(url)
    from carescale.store.models import RecommendationRow, ReviewRow

    save = []
    for j in range(20):
        end += dt.timedelta(days=1)
        stamp = core.now()
        t0 = time.perf_counter()
        store.add_review(
            ReviewRow(plan_id="falls-birmingham", period_start=end, period_end=end, people_supported=1,
                      money_spent=1.0, recorded_by="bench", recorded_at=stamp, number=0),
            {"fall-admission-avoided": 0, "home-care-avoided": 0},
            RecommendationRow(decision="continue", reason="bench", prob_saving=0.5, expected_npv=0.0,
                              details_json="{}", created_at=stamp),
            reviews + j + 1,
        )
        save.append(time.perf_counter() - t0)
    kind = url.split(":", 1)[0]
    print(f"{kind}: create plan {create * 1000:.0f} ms (targets from the break-even analysis)")
    print(
        f"{kind}: add a review + recommendation with {draws:,} draws: median {statistics.median(times) * 1000:.0f} ms, "
        f"best {min(times) * 1000:.0f} ms, first {times[0] * 1000:.0f} ms ({reviews} reviews)"
    )
    print(f"{kind}: one review transaction alone (store): median {statistics.median(save) * 1000:.1f} ms")
    core.close_all()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reviews", type=int, default=8)
    ap.add_argument("--postgres", default=None, help="a PostgreSQL URL with an empty database or schema")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench(f"sqlite:///{Path(tmp) / 'bench.db'}", args.reviews)
    if args.postgres:
        bench(args.postgres, args.reviews)


if __name__ == "__main__":
    main()
