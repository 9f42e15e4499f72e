"""Killing the process in the middle of saving reviews (SIGKILL at random moments, many times)
loses nothing it reported as saved and never leaves a half-written review.

A child process (forked, so it starts in milliseconds) saves reviews one after another and
reports each review's number on a pipe only after its transaction has committed; the parent
kills it with SIGKILL after a random delay, then checks the database with a separate, plain
connection (sqlite3 / psycopg, not the ORM): every reported review is there, numbers run 1..N
with no gap, and every review has all its outcome rows and its recommendation. Two kinds of
child: the full path (``plans.review.add_review``: checks, posterior, simulation, save) and a
tight loop of saves only (``Store.add_review``), so that many kills land inside a transaction."""

from __future__ import annotations

import datetime as dt
import os
import random
import select
import signal
import time

import pytest
import yaml

from carescale.store import core

from .conftest import REPO
from .store_fixtures import make_database

PLAN = REPO / "docs" / "examples" / "falls-prevention-plan.yaml"
LOGIC_MODEL = REPO / "docs" / "examples" / "falls-prevention-logic-model.yaml"
OUTCOMES = ("fall-admission-avoided", "home-care-avoided")
KILLS = {"sqlite": 24, "postgresql": 10}


def _long_plan(tmp_path) -> str:
    spec = yaml.safe_load(PLAN.read_text())
    spec["model"] = {"logic_model": str(LOGIC_MODEL)}
    spec["end"] = "2060-12-31"
    spec["phases"] = [{"name": "All", "start": "2027-04-01", "end": "2060-12-31", "scale": 1.0}]
    path = tmp_path / "long-plan.yaml"
    path.write_text(yaml.safe_dump(spec))
    return str(path)


def _child(url: str, fd: int, mode: str) -> None:
    """Save reviews forever, writing each committed review's number to ``fd``."""
    try:
        from carescale.plans import load_plan_defaults
        from carescale.plans.review import add_review, list_reviews

        defaults = load_plan_defaults()
        defaults = defaults.model_copy(update={"simulation": defaults.simulation.model_copy(update={"draws": 64})})
        store = core.open_store(url)
        last = list_reviews("falls-birmingham", url=url)
        number = len(last)
        end = dt.date.fromisoformat(last[-1]["period_end"]) if last else dt.date(2027, 3, 31)
        os.write(fd, b"ready\n")
        while True:
            end += dt.timedelta(days=1)
            number += 1
            if mode == "full":
                add_review("falls-birmingham", {
                    "period_end": end.isoformat(), "people_supported": 10,
                    "outcomes": {OUTCOMES[0]: number % 3, OUTCOMES[1]: number % 2}, "money_spent": 1000.0,
                }, url=url, defaults=defaults, by="kill-test")
            else:
                from carescale.store.models import RecommendationRow, ReviewRow

                stamp = core.now()
                store.add_review(
                    ReviewRow(plan_id="falls-birmingham", number=number, period_start=end, period_end=end,
                              people_supported=10, money_spent=1000.0, note="x" * 2000, recorded_by="kill-test",
                              recorded_at=stamp),
                    {OUTCOMES[0]: 1, OUTCOMES[1]: 0},
                    RecommendationRow(decision="continue", reason="tight loop", prob_saving=0.5, expected_npv=0.0,
                                      details_json="{}" + " " * 4000, created_at=stamp),
                    number,
                )
            os.write(fd, f"{number}\n".encode())
    finally:
        os._exit(0)


def _counts(url: str) -> tuple[list[int], dict[int, int], set[int]]:
    """(review numbers, outcome rows per review number, review numbers with a recommendation),
    read with a plain driver connection, separate from the ORM the child used."""
    sql = (
        "SELECT r.number, (SELECT COUNT(*) FROM review_outcomes o WHERE o.review_id = r.id), "
        "(SELECT COUNT(*) FROM recommendations c WHERE c.review_id = r.id) FROM reviews r "
        "WHERE r.plan_id = 'falls-birmingham' ORDER BY r.number"
    )
    if url.startswith("sqlite"):
        import sqlite3

        con = sqlite3.connect(url.split("///", 1)[1])
        try:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            rows = con.execute(sql).fetchall()
        finally:
            con.close()
    else:
        import psycopg
        from urllib.parse import unquote

        base, _, query = url.replace("postgresql+psycopg://", "postgresql://", 1).partition("?")
        options = unquote(query.split("options=", 1)[1])
        with psycopg.connect(base, options=options) as con:
            rows = con.execute(sql).fetchall()
    return [r[0] for r in rows], {r[0]: r[1] for r in rows}, {r[0] for r in rows if r[2] == 1}


@pytest.mark.slow
@pytest.mark.parametrize("backend", [pytest.param(b, marks=pytest.mark.postgres) if b == "postgresql" else b
                                     for b in sorted(KILLS)])
def test_sigkill_while_saving_reviews_loses_nothing(backend, tmp_path):
    import multiprocessing

    from carescale.plans import create_plan

    url, drop = make_database(backend, tmp_path)
    try:
        create_plan(_long_plan(tmp_path), url=url)
        core.close_all()  # the child opens its own connections
        ctx = multiprocessing.get_context("fork")
        rnd = random.Random(20170301)
        reported: set[int] = set()
        kills = 0
        for i in range(KILLS[backend]):
            mode = "full" if i % 2 else "tight"
            r, w = os.pipe()
            proc = ctx.Process(target=_child, args=(url, w, mode))
            proc.start()
            os.close(w)
            buf = b""
            deadline = None
            delay = rnd.uniform(0.0, 0.25 if mode == "tight" else 0.6)
            while True:
                timeout = 10.0 if deadline is None else max(0.0, deadline - time.monotonic())
                ready, _, _ = select.select([r], [], [], timeout)
                if ready:
                    chunk = os.read(r, 4096)
                    if not chunk:
                        break
                    buf += chunk
                    if deadline is None and b"ready\n" in buf:
                        deadline = time.monotonic() + delay
                if deadline is not None and time.monotonic() >= deadline:
                    break
                assert deadline is not None or ready, "the child did not start within 10 s"
            os.kill(proc.pid, signal.SIGKILL)
            proc.join(10)
            kills += 1
            while True:  # lines written before the kill (each write is one whole line)
                chunk = os.read(r, 4096)
                if not chunk:
                    break
                buf += chunk
            os.close(r)
            reported |= {int(x) for x in buf.split() if x.isdigit()}
            numbers, outcomes, recommended = _counts(url)
            assert reported <= set(numbers), f"kill {kills}: reviews {sorted(reported - set(numbers))} reported saved but lost"
            assert numbers == list(range(1, len(numbers) + 1)), f"kill {kills}: review numbers have a gap"
            half = [n for n in numbers if outcomes[n] != len(OUTCOMES) or n not in recommended]
            assert not half, f"kill {kills}: half-written reviews {half}"
        assert kills == KILLS[backend]
        assert len(reported) >= KILLS[backend]  # the children did save reviews between kills
    finally:
        core.close_all()
        drop()
