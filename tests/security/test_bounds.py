"""Bounds (docs/security.md): one resource policy. Request bodies, uploads (checked from the
archive's directory before parsing), analyses (costed before they start), jobs per client, and
no page or download computing a heavy analysis inside a GET."""

from __future__ import annotations

import io
import zipfile

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from carescale.web.app import create_app  # noqa: E402
from carescale.web.jobs import JobManager  # noqa: E402
from carescale.web.policy import Policy, estimate  # noqa: E402
from carescale.web.storage import MemoryScenarioStore  # noqa: E402
from ..web_helpers import post_form

SAME_ORIGIN = {"Origin": "http://testserver"}  # the web app refuses state changes from another site

# the example: computed for minutes inside a GET, once per format
HEAVY = {"version": 1, "area": "birmingham", "uncertainty": {"draws": 10_000, "sobol": True, "sobol_samples": 65_536},
         "appraisal": {"years": 60}}
# large but within what one job may do: run as a job, never inside a request
LARGE = {"version": 1, "area": "birmingham", "uncertainty": {"draws": 200_000}, "appraisal": {"years": 30}}


@pytest.fixture
def engine_calls(monkeypatch):
    """Every uncertainty analysis started outside a background job's thread (the GETs below
    must never start one); an analysis in a job waits until the test ends, then stops (it is not
    what is tested: while it waits, the page must say it is still working, whatever the machine's
    speed; an analysis that failed at once raced the page that shows it)."""
    import threading

    import carescale.uncertainty as unc

    calls: list[str] = []
    done = threading.Event()

    def counted(scenario, settings, *args, **kwargs):  # noqa: ANN001
        where = threading.current_thread().name
        if not where.startswith("carescale-job"):
            calls.append(where)
        else:
            done.wait(30)
        raise RuntimeError("not run in this test")

    monkeypatch.setattr(unc, "run_uncertainty", counted)
    yield calls
    done.set()


def _app(**limits):
    jobs = JobManager(workers=1)
    return create_app(MemoryScenarioStore(), jobs, policy=Policy(**limits)), jobs


# -- the policy ------------------------------------------------------------------------------------------


def test_policy_reads_the_environment():
    p = Policy.from_env({"CARESCALE_MAX_DRAWS": "50_000", "CARESCALE_CLIENT_JOBS": "5", "CARESCALE_INLINE_WAIT_SECONDS": "1.5"})
    assert (p.max_draws, p.client_jobs, p.inline_wait_seconds, p.body_bytes) == (50_000, 5, 1.5, 2_000_000)
    with pytest.raises(Exception) as bad:
        Policy.from_env({"CARESCALE_BODY_BYTES": "lots"})
    assert str(bad.value) == "CARESCALE_BODY_BYTES: 'lots' is not valid; give a number above 0"


def test_cost_estimate():
    cost = estimate(LARGE)
    assert (cost.draws, cost.months, cost.sobol_samples) == (200_000, 360, 0)
    assert cost.cells == 200_000 * 360 * cost.models
    heavy = estimate(HEAVY)
    assert heavy.cells > Policy().inline_cost and heavy.memory_mb > Policy().job_memory_mb


# -- request bodies ----------------------------------------------------------------------------------------


def test_body_limit_is_413_with_one_line():
    app, jobs = _app(body_bytes=10_000)
    with TestClient(app, headers=SAME_ORIGIN) as c:
        big = {"version": 1, "note": "x" * 20_000}
        got = c.post("/api/v1/scenarios", json=big)
        assert got.status_code == 413
        assert got.json() == {"detail": [{"loc": ["body"], "type": "too_large",
                                          "msg": "the request is larger than this server accepts (10,000 bytes)"}]}
        assert c.app.state.store._docs == {}  # nothing was stored

        def chunks():  # no Content-Length: counted as it streams in
            for _ in range(20):
                yield b"x" * 1_000

        got = c.post("/api/v1/scenarios", content=chunks(), headers={"content-type": "application/json"})
        assert got.status_code == 413
        page = post_form(c, "/area", {"area": "x" * 20_000})
        assert page.status_code == 413 and "the request is larger than this server accepts (10,000 bytes)" in page.text
        assert c.post("/api/v1/scenarios", json={"version": 1, "note": "small"}).status_code == 201


# -- uploads: the archive's directory is checked before any parser reads it ------------------------------------


def _xlsx(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.fixture
def no_parser(monkeypatch):
    import openpyxl

    def refuse(*a, **k):  # noqa: ANN002
        raise AssertionError("openpyxl parsed a workbook the policy should have refused")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


BOMBS = {
    "huge cell": (
        {"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b"<c><v>" + b"9" * 30_000_000 + b"</v></c>"},
        "bomb.xlsx: the workbook unpacks to 30,000,022 bytes; an area template unpacks to well under 10,000,000 bytes: is this the right file?",
    ),
    "many strings": (
        {"xl/sharedStrings.xml": b"<sst>" + b"<si><t>a</t></si>" * 30_000 + b"</sst>"},
        "bomb.xlsx: the workbook holds 30,000 distinct texts; an area template holds a few hundred (at most 20,000)",
    ),
    "many parts": (
        {f"xl/p{i}.xml": b"" for i in range(300)},
        "bomb.xlsx: the workbook holds 300 parts; an area template holds a few dozen (at most 200)",
    ),
}


@pytest.mark.parametrize("kind", sorted(BOMBS))
def test_upload_bomb_is_refused_before_parsing(no_parser, kind):
    parts, message = BOMBS[kind]
    data = _xlsx(parts)
    assert len(data) < 1_000_000  # small on the wire
    app, _ = _app()
    with TestClient(app, headers=SAME_ORIGIN) as c:
        got = c.post("/api/v1/areas/upload", files={"file": ("bomb.xlsx", data, "application/octet-stream")})
        assert got.status_code == 422
        assert got.json()["detail"][0]["msg"] == message
        page = post_form(c, "/area/upload", files={"file": ("bomb.xlsx", data, "application/octet-stream")})
        assert page.status_code == 422 and message.replace(",", "") in page.text.replace(",", "")


# -- jobs: a quota per client, one job per scenario ----------------------------------------------------------


def test_per_client_job_quota():
    app, jobs = _app(client_jobs=2)
    try:
        with TestClient(app, headers=SAME_ORIGIN, client=("192.0.2.1", 5000)) as mine, TestClient(app, headers=SAME_ORIGIN, client=("192.0.2.2", 5000)) as other:
            codes = [mine.post("/api/v1/jobs", json={**LARGE, "note": str(i)}) for i in range(3)]
            assert [r.status_code for r in codes] == [202, 202, 429]
            assert codes[2].json()["detail"][0]["msg"] == (
                "jobs: you already have 2 analyses waiting or running (at most 2); wait for one to finish or cancel one"
            )
            assert other.post("/api/v1/jobs", json={**LARGE, "note": "other"}).status_code == 202
    finally:
        jobs.cancel_all()


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
def test_same_scenario_shares_one_job():
    app, jobs = _app()
    try:
        with TestClient(app, headers=SAME_ORIGIN, client=("192.0.2.1", 5000)) as a, TestClient(app, headers=SAME_ORIGIN, client=("192.0.2.2", 5000)) as b:
            first = a.post("/api/v1/jobs", json=LARGE).json()["id"]
            assert b.post("/api/v1/jobs", json=LARGE).json()["id"] == first
            sid = a.post("/api/v1/scenarios", json=LARGE).json()["scenario_id"]
            page = b.get(f"/scenario/{sid}")
            assert f"/jobs/{first}" in page.text
            assert sum(1 for j in jobs._jobs.values() if j.scenario_id == sid) == 1
    finally:
        jobs.cancel_all()


def test_job_beyond_the_policy_is_refused_before_it_starts():
    app, jobs = _app()
    with TestClient(app, headers=SAME_ORIGIN) as c:
        got = c.post("/api/v1/jobs", json=HEAVY)
        assert got.status_code == 422
        assert got.json()["detail"][0]["msg"] == "uncertainty.sobol_samples: 65,536 is more than this server runs (32,768)"
        too_long = {**LARGE, "uncertainty": {"draws": 1_000_000}, "appraisal": {"years": 60}}
        msg = c.post("/api/v1/jobs", json=too_long).json()["detail"][0]["msg"]
        assert msg.startswith("uncertainty: this analysis is too large for this server (1,000,000 draws x 720 months x ")
        assert jobs._jobs == {}


def test_sync_uncertainty_is_costed():
    app, _ = _app(inline_cost=1_000_000)
    with TestClient(app, headers=SAME_ORIGIN) as c:
        got = c.post("/api/v1/uncertainty", json={"version": 1, "uncertainty": {"draws": 5_000}})
        assert got.status_code == 422
        assert got.json()["detail"][0]["msg"].startswith(
            "uncertainty: this analysis (5,000 draws x 120 months x "
        )
        assert "start a background job with POST /api/v1/jobs instead" in got.json()["detail"][0]["msg"]


def test_inline_analysis_is_refused_at_once_when_the_queue_is_full():
    import threading
    import time

    from carescale.web.jobs import Busy
    from carescale.web.policy import InlineSlots

    slots = InlineSlots(Policy(inline_slots=1, inline_queue=1, inline_wait_seconds=30))
    release, started = threading.Event(), threading.Event()
    got: list[str] = []

    def hold() -> str:
        started.set()
        release.wait(10)
        return "first"

    first = threading.Thread(target=lambda: got.append(slots.run(hold)))
    first.start()
    assert started.wait(10)
    second = threading.Thread(target=lambda: got.append(slots.run(lambda: "second")))
    second.start()
    for _ in range(200):  # until the second request waits for the slot
        if slots._waiting == 1:
            break
        time.sleep(0.01)
    assert slots._waiting == 1
    t0 = time.perf_counter()
    with pytest.raises(Busy) as busy:
        slots.run(lambda: "third")
    assert time.perf_counter() - t0 < 1.0  # not after inline_wait_seconds (30 s)
    assert busy.value.message == "uncertainty: the queue of analyses waiting for this server is full; try again in a minute"
    release.set()
    first.join(10)
    second.join(10)
    assert got == ["first", "second"] and slots._waiting == 0


# -- pages and downloads never compute a heavy analysis inside a GET ---------------------------------------------


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
# the job-sized document is its own scenario (a note no other test uses): an Evaluation is shared by the
# whole process, and a real LARGE job another test started and cancelled may finish its Monte Carlo
# into it later, after which a page rightly shows the result instead of "Still working"
@pytest.mark.parametrize("doc", [HEAVY, {**LARGE, "note": "its page never computes it"}], ids=["beyond-policy", "job-sized"])
def test_result_page_and_downloads_never_compute_heavy_uncertainty(engine_calls, doc):
    app, jobs = _app(job_processes=0)  # jobs in threads here, so they meet the counting stub too
    try:
        with TestClient(app, headers=SAME_ORIGIN) as c:
            sid = c.post("/api/v1/scenarios", json=doc).json()["scenario_id"]
            page = c.get(f"/scenario/{sid}")
            assert page.status_code == 200
            if doc is HEAVY:
                assert 'id="uncertainty-refused"' in page.text and "65,536 is more than this server runs" in page.text
            else:
                assert "Still working" in page.text
            for fmt in ("md", "html"):
                got = c.get(f"/scenario/{sid}/report.{fmt}", follow_redirects=False)
                assert got.status_code in (303, 422)
                if got.status_code == 303:
                    assert got.headers["location"].startswith("/jobs/")
            results = c.get(f"/scenario/{sid}/results.json")
            assert results.status_code == 200 and "uncertainty" not in results.json()
    finally:
        jobs.cancel_all()
    assert engine_calls == []


# -- a job computes in its own process (its own interpreter lock, a memory ceiling) ---------------------------


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
def test_job_in_a_process_gives_the_same_result_and_can_be_cancelled():
    import time

    from carescale.web import documents

    small = {"version": 1, "area": "birmingham", "uncertainty": {"draws": 30_000}}
    app, jobs = _app(job_processes=1)
    with TestClient(app, headers=SAME_ORIGIN) as c:
        job = c.post("/api/v1/jobs", json=small).json()
        for _ in range(600):
            status = c.get(f"/api/v1/jobs/{job['id']}").json()
            if status["status"] in ("done", "failed"):
                break
            time.sleep(0.1)
        assert status["status"] == "done", status
        assert status["result"] == documents.uncertainty(small)  # the same figures as in this process

        big = c.post("/api/v1/jobs", json={**LARGE, "note": "to cancel"}).json()
        for _ in range(600):  # wait until the process reports progress
            if c.get(f"/api/v1/jobs/{big['id']}").json()["status"] == "running":
                break
            time.sleep(0.1)
        c.post(f"/api/v1/jobs/{big['id']}/cancel")
        for _ in range(100):
            got = c.get(f"/api/v1/jobs/{big['id']}").json()
            if got["status"] == "cancelled":
                break
            time.sleep(0.1)
        assert got["status"] == "cancelled"
    import multiprocessing

    assert [p for p in multiprocessing.active_children() if p.name == "carescale-analysis"] == []
