"""The web app reads every figure of a scenario from its one Evaluation (issue 20): the result
page, the downloads, the JSON API and the background job of a document share its run, appraisal
and Monte Carlo, so a report download after the result page does not run the Monte Carlo again.
Also the form models' GOV.UK error-summary items and the error hierarchy's HTTP statuses."""

from __future__ import annotations

import importlib.util
import time

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402
from starlette.datastructures import FormData  # noqa: E402

import carescale.uncertainty  # noqa: E402
from carescale import errors  # noqa: E402
from carescale.scenarios import clear_evaluations  # noqa: E402
from carescale.web.app import create_app  # noqa: E402
from carescale.web.forms import AssumptionsForm, DrawsForm, ModelsForm  # noqa: E402
from carescale.web.jobs import JobManager  # noqa: E402
from carescale.web.policy import Policy  # noqa: E402
from carescale.web.storage import MemoryScenarioStore  # noqa: E402

SAME_ORIGIN = {"Origin": "http://testserver"}


@pytest.fixture
def monte_carlo(monkeypatch):
    """Every Monte Carlo run in this process (the real one, counted), starting from no cached
    evaluation; the Evaluation imports ``carescale.uncertainty.run_uncertainty`` when it runs."""
    real = carescale.uncertainty.run_uncertainty
    calls: list[int] = []

    def counted(scenario, settings, *args, **kwargs):  # noqa: ANN001
        calls.append(settings.draws)
        return real(scenario, settings, *args, **kwargs)

    clear_evaluations()
    monkeypatch.setattr(carescale.uncertainty, "run_uncertainty", counted)
    yield calls
    clear_evaluations()


def _client(**limits):
    jobs = JobManager(workers=1)
    return TestClient(create_app(MemoryScenarioStore(), jobs, policy=Policy(**limits)), follow_redirects=False,
                      headers=SAME_ORIGIN), jobs


def _wait(c, job_id: str) -> dict:
    for _ in range(1200):
        status = c.get(f"/api/v1/jobs/{job_id}").json()
        if status["status"] in ("done", "failed", "cancelled"):
            return status
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {status}")


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
def test_report_download_after_the_result_page_runs_the_monte_carlo_once(monte_carlo):
    doc = {"version": 1, "area": "birmingham", "uncertainty": {"draws": 2_000, "seed": 7}, "note": "once"}
    fmt = "pdf" if importlib.util.find_spec("weasyprint") is not None else "md"
    # in this process, so the counter sees the page's own Monte Carlo (by default the server works
    # it out in a separate process and adopts the result: the next test covers that hand-over)
    c, jobs = _client(job_processes=0)
    with c:
        sid = c.post("/api/v1/scenarios", json=doc).json()["scenario_id"]
        first = c.get(f"/scenario/{sid}")  # drawn at once; the Monte Carlo is the scenario's job
        assert first.status_code == 200 and "Still working" in first.text
        job_id = __import__("re").search(r'data-job="([^"]+)"', first.text).group(1)
        assert _wait(c, job_id)["status"] == "done"
        page = c.get(f"/scenario/{sid}")
        assert 'id="range-text"' in page.text and "2,000 simulated cases" in page.text
        assert monte_carlo == [2_000]
        report = c.get(f"/scenario/{sid}/report.{fmt}")
        assert report.status_code == 200, report.text[:300]
        assert report.content.startswith(b"%PDF" if fmt == "pdf" else b"#")
        assert monte_carlo == [2_000]  # the download reused the page's Monte Carlo
        # the API and the results download read the same evaluation too
        api = c.post("/api/v1/uncertainty", json=doc).json()
        results = c.get(f"/scenario/{sid}/results.json").json()
        assert results["uncertainty"] == api and api["draws"] == 2_000
        assert monte_carlo == [2_000]
    jobs.shutdown()


def test_a_job_in_a_thread_works_on_the_evaluation_the_page_reads(monte_carlo):
    doc = {"version": 1, "area": "birmingham", "uncertainty": {"draws": 3_000, "seed": 11}}
    c, jobs = _client(job_processes=0)
    with c:
        job = c.post("/api/v1/jobs", json=doc).json()
        status = _wait(c, job["id"])
        assert status["status"] == "done", status
        assert monte_carlo == [3_000]
        page = c.get(f"/scenario/{job['scenario_id']}").text
        assert "3,000 simulated cases" in page
        results = c.get(f"/scenario/{job['scenario_id']}/results.json").json()
        assert results["uncertainty"] == status["result"]
        assert c.post("/api/v1/uncertainty", json=doc).json() == status["result"]
        assert monte_carlo == [3_000]
    jobs.shutdown()


def test_a_job_in_its_own_process_hands_its_result_to_the_evaluation(monte_carlo):
    doc = {"version": 1, "area": "birmingham", "uncertainty": {"draws": 1_500, "seed": 5}, "note": "own process"}
    c, jobs = _client(job_processes=1)
    with c:
        job = c.post("/api/v1/jobs", json=doc).json()
        status = _wait(c, job["id"])
        assert status["status"] == "done", status
        results = c.get(f"/scenario/{job['scenario_id']}/results.json").json()
        assert results["uncertainty"] == status["result"] and status["result"]["draws"] == 1_500
        assert "1,500 simulated cases" in c.get(f"/scenario/{job['scenario_id']}").text
        clear_evaluations()  # the process forgot the evaluation (it keeps a bounded number): the job still has it
        again = c.get(f"/scenario/{job['scenario_id']}/results.json").json()
        assert again["uncertainty"] == status["result"]
        assert "1,500 simulated cases" in c.get(f"/scenario/{job['scenario_id']}").text
    jobs.shutdown()
    assert monte_carlo == []  # computed in the child process only, never again in this one


# -- form models: GOV.UK error-summary items ------------------------------------------------------------------


MODELS = [{"id": "living-well", "name": "Living Well", "available": True},
          {"id": "shared-lives", "name": "Shared Lives", "available": True}]


def test_models_form_gives_error_summary_items():
    models = [dict(m) for m in MODELS]
    form = ModelsForm.read(FormData([("interventions", "living-well"), ("scale:living-well", "abc")]), models)
    assert form.errors.items == [{
        "text": "Living Well: how far: 'abc' is not a number; enter a percentage from 0 to 100",
        "href": "#scale-living-well",
    }]
    assert [m["checked"] for m in models] == [True, False]
    empty = ModelsForm.read(FormData([("reprice", "no")]), [dict(m) for m in MODELS])
    assert empty.errors.items == [{"text": "Select at least one care model", "href": "#interventions"}]
    assert (empty.basis, empty.reprice) == ("potential", False)
    ok = ModelsForm.read(FormData([("interventions", "shared-lives"), ("scale:shared-lives", "40%")]), [dict(m) for m in MODELS])
    assert not ok.errors and ok.picked == ["shared-lives"] and ok.scale == {"shared-lives": 0.4}


def test_assumptions_and_draws_forms():
    groups = [{"name": "Living Well", "people": [], "params": [
        {"path": "living-well.rate", "id": "f-living-well-rate", "label": "Living Well: rate", "override": None}]}]
    bad = AssumptionsForm.read(FormData([("v:living-well.rate", "lots")]), groups)
    assert bad.errors.items == [{"text": "Living Well: rate: 'lots' is not a number; type it as 2,000, 9% or £2m", "href": "#f-living-well-rate"}]
    assert bad.errors.ids == ["f-living-well-rate"]
    good = AssumptionsForm.read(FormData([("v:living-well.rate", "12.5%"), ("n:living-well.rate", "audit")]), groups)
    assert good.overrides == {"living-well.rate": {"value": 0.125, "note": "audit"}} and not good.errors
    assert DrawsForm.read(FormData([("draws", "20,000")]), 1_000_000).draws == 20_000
    too_many = DrawsForm.read(FormData([("draws", "2.5")]), 50_000)
    assert too_many.draws is None
    assert too_many.errors.items == [{"text": "Simulated cases: '2.5' is not valid; enter a whole number from 1 to 50,000",
                                      "href": "#draws"}]


# -- the error hierarchy ---------------------------------------------------------------------------------------


def _subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return out


def test_every_project_error_has_an_exit_code_and_an_http_status():
    import carescale.areas.importer  # noqa: F401 - AreaFileError
    import carescale.web.policy  # noqa: F401 - TooLarge

    classes = [errors.CarescaleError, *_subclasses(errors.CarescaleError)]
    assert len(classes) >= 16
    for cls in classes:
        assert type(cls.exit_code) is int and type(cls.http_status) is int, cls
        assert 400 <= cls.http_status <= 599 and cls.exit_code == 2, cls
        doc = (cls.__doc__ or "").strip()
        assert doc and "\n" not in doc.splitlines()[0] and doc.splitlines()[0].endswith("."), cls
    statuses = {cls.__name__: cls.http_status for cls in classes}
    assert statuses["CarescaleError"] == statuses["SettingsError"] == statuses["StoreError"] == 422
    assert (statuses["NotFound"], statuses["Busy"], statuses["StoreUnavailableError"]) == (404, 429, 503)


def test_old_homes_of_web_errors_still_import():
    from carescale.web.jobs import Busy
    from carescale.web.service import NotFound

    assert Busy is errors.Busy and NotFound is errors.NotFound


def _page(text: str) -> str:
    """A page without its visitor's CSRF token (issue 27: each browser has its own, put into the
    kept page for each request)."""
    import re

    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value=""', text)


def test_result_page_is_rendered_once_per_state_however_many_ask_at_once(monte_carlo, monkeypatch):
    """Issue 25: the result page of a scenario is rendered once for each state of its
    uncertainty analysis and kept (app.state.pages): twelve visitors asking at the same moment
    get the same page from one rendering, drawn at once without the Monte Carlo, which is the
    scenario's one background job; once it has finished, the page shows its figures (a new
    state, rendered again), never the page of the old state."""
    from concurrent.futures import ThreadPoolExecutor

    from carescale.web import documents

    real, made = documents.appraise, []

    def counted(doc, monthly=False):  # noqa: ANN001
        made.append(monthly)
        return real(doc, monthly=monthly)

    monkeypatch.setattr(documents, "appraise", counted)
    c, jobs = _client(job_processes=0)
    release = __import__("threading").Event()
    with c:
        # the page lane's one worker is busy, so the page's job waits while the twelve ask
        jobs.submit("uncertainty", "elsewhere", lambda progress: release.wait(60), lane="page")
        sid = c.post("/api/v1/scenarios", json={"version": 1, "area": "birmingham", "note": "pages",
                                                "uncertainty": {"draws": 1_000, "seed": 5}}).json()["scenario_id"]
        with ThreadPoolExecutor(12) as ex:
            pages = list(ex.map(lambda _: c.get(f"/scenario/{sid}"), range(12)))
        assert {p.status_code for p in pages} == {200} and len({_page(p.text) for p in pages}) == 1
        first = _page(pages[0].text)
        assert "Still working" in first and 'id="range-text"' not in first
        assert made == [True] and monte_carlo == []
        release.set()
        job_ids = set(__import__("re").findall(r'data-job="([^"]+)"', pages[0].text))
        assert len(job_ids) == 1 and _wait(c, job_ids.pop())["status"] == "done"
        assert made == [True] and monte_carlo == [1_000]
        with ThreadPoolExecutor(12) as ex:
            pages = list(ex.map(lambda _: c.get(f"/scenario/{sid}"), range(12)))
        # rendered once more; visitors arriving while it is rendered get the previous page at once
        assert {p.status_code for p in pages} == {200} and len({_page(p.text) for p in pages}) <= 2
        done = _page(c.get(f"/scenario/{sid}").text)
        assert "1,000 simulated cases" in done and "Still working" not in done
        assert {_page(p.text) for p in pages} <= {done, first}
        assert made == [True, True] and monte_carlo == [1_000]
    jobs.shutdown()
    # too large to work out inside a request: the page starts a job and says "still working"
    # (that state's page, kept); once the job is done the page shows its figures
    c, jobs = _client(job_processes=0, inline_cost=1)
    with c:
        sid = c.post("/api/v1/scenarios", json={"version": 1, "area": "birmingham",
                                                "uncertainty": {"draws": 3_000, "seed": 12}}).json()["scenario_id"]
        first = c.get(f"/scenario/{sid}").text
        assert "Still working" in first and 'id="range-text"' not in first, first[first.find("govuk-main-wrapper"):][:3000]
        job_id = __import__("re").search(r'href="/jobs/([^"]+)"', first).group(1)
        assert _wait(c, job_id)["status"] == "done"
        page = c.get(f"/scenario/{sid}").text
        assert 'id="range-text"' in page and "3,000 simulated cases" in page and "Still working" not in page
        assert c.get(f"/scenario/{sid}").text == page and made == [True, True, True, True]
    jobs.shutdown()


def test_result_page_is_drawn_at_once_and_its_analysis_never_waits_behind_a_large_job(monte_carlo):
    """Issue 25: a new scenario's page is drawn from its deterministic figures without waiting for
    its Monte Carlo, which runs on the job manager's page lane: not behind another visitor's
    large job, not counted against the visitor's job quota; the page says how to see the figures
    without JavaScript (a refresh link) and with it (job.js follows the job and reloads)."""
    import threading

    c, jobs = _client(job_processes=0, client_jobs=1)
    release = threading.Event()
    with c:
        large = jobs.submit("uncertainty", "elsewhere", lambda progress: release.wait(60), client="testclient")
        sid = c.post("/api/v1/scenarios", json={"version": 1, "area": "birmingham", "note": "lane",
                                                "uncertainty": {"draws": 1_000, "seed": 3}}).json()["scenario_id"]
        first = c.get(f"/scenario/{sid}").text
        assert "Still working" in first and 'id="uncertainty-refused"' not in first
        assert f'href="/scenario/{sid}" id="job-refresh"' in first and '<script src="/static/job.js" defer>' in first
        job_id = __import__("re").search(r'data-job="([^"]+)"', first).group(1)
        assert _wait(c, job_id)["status"] == "done" and large.status == "running"
        page = c.get(f"/scenario/{sid}").text
        assert "1,000 simulated cases" in page and "job.js" not in page and monte_carlo == [1_000]
        # the quota still holds for the visitor's own background jobs
        refused = c.post("/api/v1/jobs", json={"version": 1, "area": "birmingham", "uncertainty": {"draws": 2_000}})
        assert refused.status_code == 429
        release.set()
    jobs.shutdown()


def test_result_cache_answers_the_previous_value_while_a_new_one_is_made():
    """``ResultCache.get_or_make(key, make, stale=...)``: one caller makes the new value (single
    flight); a caller arriving meanwhile gets the value kept under ``stale`` at once instead of
    waiting; once made, the new value is kept under both keys. Without a stale value it waits."""
    import threading

    from carescale.web.service import ResultCache

    cache = ResultCache()
    assert cache.get_or_make(("s", "old"), lambda: "old page", stale=("latest", "s")) == "old page"
    started, release, made = threading.Event(), threading.Event(), []

    def slow():
        made.append(1)
        started.set()
        release.wait(30)
        return "new page"

    maker = threading.Thread(target=lambda: made.append(cache.get_or_make(("s", "new"), slow, stale=("latest", "s"))))
    maker.start()
    assert started.wait(30)
    assert cache.get_or_make(("s", "new"), slow, stale=("latest", "s")) == "old page"  # at once, not made again
    waiting = []
    other = threading.Thread(target=lambda: waiting.append(cache.get_or_make(("s", "new"), slow)))
    other.start()
    other.join(0.2)
    assert other.is_alive() and waiting == []  # no stale key given: it waits for the maker
    release.set()
    maker.join(30)
    other.join(30)
    assert made == [1, "new page"] and waiting == ["new page"]
    assert cache.get(("latest", "s")) == "new page" == cache.get_or_make(("s", "new"), slow, stale=("latest", "s"))


def test_a_weighed_cache_keeps_its_last_values_within_their_total_weight():
    from carescale.web.service import ResultCache

    cache = ResultCache(10, weigh=len)
    cache.put("a", "xxxx")
    cache.put("b", "xxxx")
    assert cache.get("a") == "xxxx"  # now the most recent
    cache.put("c", "xxxx")  # 12 characters: the least recent (b) goes
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == ("xxxx", None, "xxxx")
    assert cache.put("d", "x" * 11) == "x" * 11  # heavier than the whole cache: answered, not kept
    assert (cache.get("d"), cache.get("a"), cache.get("c")) == (None, "xxxx", "xxxx")
    counted = ResultCache(2)  # without weigh: how many
    for k in "pqr":
        counted.put(k, k * 100)
    assert (counted.get("p"), counted.get("q"), counted.get("r")) == (None, "q" * 100, "r" * 100)


def test_the_database_store_reads_a_document_from_the_database_once(tmp_path, monkeypatch):
    from carescale import store
    from carescale.web.storage import DatabaseScenarioStore

    db = DatabaseScenarioStore(f"sqlite:///{tmp_path / 'store.db'}")
    sid = db.put({"version": 1, "area": "birmingham"})
    reads = []
    load = store.load_scenario_json
    monkeypatch.setattr(store, "load_scenario_json", lambda *a, **k: reads.append(a) or load(*a, **k))
    first, again = db.get(sid), db.get(sid)
    assert first == again and first["area"] == "birmingham" and first is not again  # a new object each time
    assert len(reads) == 1
    assert db.get("0" * 64) is None  # an unknown id: still looked up, still None
