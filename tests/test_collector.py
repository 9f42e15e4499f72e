"""The one pause of Python's cyclic garbage collector (carescale.collector, issue 25): counted
across threads, so the end of one piece of work (a cache entry read) never turns the collector
back on under another still inside (a PDF being written)."""

from __future__ import annotations

import gc
import threading

import pytest

from carescale import collector


@pytest.fixture(autouse=True)
def _collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def test_nested_pauses_turn_it_on_again_only_when_the_last_ends():
    with collector.paused():
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_pause_ending_in_another_thread_leaves_the_first_one_paused():
    inside, leave = threading.Event(), threading.Event()

    def pdf() -> None:
        with collector.paused(collect_young=True):
            inside.set()
            leave.wait(10)

    t = threading.Thread(target=pdf)
    t.start()
    inside.wait(10)
    with collector.paused():  # a cache entry read meanwhile
        pass
    assert not gc.isenabled()  # the PDF is still inside
    leave.set()
    t.join(10)
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    with collector.paused(collect_young=True):
        pass
    assert not gc.isenabled()


def test_the_young_are_collected_once_when_the_last_leaves_if_one_asked(monkeypatch):
    calls = []
    monkeypatch.setattr(collector.gc, "collect", lambda generation=2: calls.append(generation))
    with collector.paused(collect_young=True):
        with collector.paused():
            pass
        assert calls == []
    assert calls == [0]
    with collector.paused():
        pass
    assert calls == [0]  # nobody asked this time


def test_a_serving_process_raises_only_the_young_generations_threshold():
    """`carescale serve`'s app (``serving=True``) sets the young generation's threshold when it
    starts (its cached answers are no longer walked every ~30 requests); the app the tests and
    other callers make leaves the collector alone."""
    import sys

    from fastapi.testclient import TestClient

    from carescale.web.app import create_app
    from carescale.web.policy import Policy

    before, interval = gc.get_threshold(), sys.getswitchinterval()
    try:
        with TestClient(create_app()):
            assert gc.get_threshold() == before
        with TestClient(create_app(policy=Policy(compute_processes=0), serving=True)):
            assert gc.get_threshold() == (collector.SERVING_YOUNG_THRESHOLD, *before[1:])
    finally:
        gc.set_threshold(*before)
        sys.setswitchinterval(interval)
