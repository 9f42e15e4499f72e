"""Browser tests of the web app (docs/web.md): Playwright driving Debian's Chromium
(/usr/bin/chromium; never 'playwright install') against a real uvicorn server on a free loopback
port. Screenshots of each main page are saved under artifacts/web/ (gitignored; CARESCALE_ARTIFACTS
moves them)."""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import INVALID, REPO, require_tool
from .web_helpers import post_form

pytest.importorskip("playwright")
# everyday runs leave these out: -m "not browser" (pyproject.toml [tool.pytest.ini_options])
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(os.environ.get("CARESCALE_ARTIFACTS", REPO / "artifacts")) / "web"
LW_PEOPLE = "living-well.older-people-multiple-ltc.people"


@pytest.fixture(scope="module")
def db_url(tmp_path_factory):
    return f"sqlite:///{tmp_path_factory.mktemp('web-store') / 'store.db'}"


@contextmanager
def live_server(db_url: str):
    """The web app on a real server over a SQLite store: the harness of every browser test file."""
    from carescale.web.app import create_app
    from carescale.web.storage import DatabaseScenarioStore
    from carescale.web.server import LiveServer

    with LiveServer(create_app(DatabaseScenarioStore(db_url))) as live:
        yield live


@contextmanager
def desktop_page(browser, timeout_ms: int):
    """A page in a fresh browser context (no history, no cookies) at 1280 x 900."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(timeout_ms)
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture(scope="module")
def server(db_url):
    with live_server(db_url) as live:
        yield live


@pytest.fixture(scope="module")
def browser():
    require_tool(CHROMIUM.exists(), "Chromium (/usr/bin/chromium)")
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    b = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
    yield b
    b.close()
    pw.stop()


@pytest.fixture
def page(browser, server):
    """A fresh browser context for each test; every request it makes must go to the test server."""
    hosts: list[str] = []
    with desktop_page(browser, 20_000) as pg:
        pg.on("request", lambda r: hosts.append(urlparse(r.url).netloc) if r.url.startswith("http") else None)
        yield pg
    outside = sorted({h for h in hosts if h != f"127.0.0.1:{server.port}"})
    assert not outside, f"the page asked other hosts: {outside}"


def no_charts(page) -> None:
    """Skip loading plotly.js (4.6 MB) where a test reads figures only: the tables carry them."""
    page.route("**/vendor/plotly.min.js", lambda route: route.abort())


def shot(page, name: str, full_page: bool = True) -> None:
    """Save a picture of the page for a person to look at (an artifact, not an assertion).

    A full-page picture of the 18,800-pixel result page took 1.1 s on a quiet machine but more
    than 20 s twice in CI under two workers' load (it is taller than Chromium's 16,384-pixel
    texture, so it is drawn in tiles, with a dozen Plotly charts); the result page is pictured a
    screen at a time and a picture gets a minute."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page, timeout=60_000, animations="disabled")


def expected(doc: dict) -> dict:
    """What the engine gives for a scenario document, as the result page prints it."""
    from carescale.web import documents
    from carescale.web.formatting import short_money

    t = documents.run(doc)["totals"]
    return {"asc": short_money(t["net_savings"]["asc"]), "nhs": short_money(t["net_savings"]["nhs"]), "totals": t}


def paper_doc() -> dict:
    from carescale.web import documents

    return documents.canonical({"version": 1, "area": "birmingham", **PAPER_PRICES})


# The paper's prices: a document that is not re-priced, when the scenario package re-prices by default.
PAPER_PRICES: dict = {"reprice": False}


def choose_birmingham(page, server, screenshots: bool = False) -> None:
    page.goto(server.url + "/")
    if screenshots:
        shot(page, "01-start")
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("Birmingham").check()
    if screenshots:
        shot(page, "02-area")
    page.get_by_role("button", name="Continue", exact=True).click()
    page.wait_for_url(re.compile(r"/s/[0-9a-f]+/models$"))
    if page.get_by_label("As published in the evidence").count():
        page.get_by_label("As published in the evidence").check()
    if screenshots:
        shot(page, "03-models")
    page.get_by_role("button", name="Continue", exact=True).click()
    page.wait_for_url(re.compile(r"/s/[0-9a-f]+/assumptions$"))


def totals(page) -> tuple[str, str]:
    return page.locator("#total-asc").inner_text(), page.locator("#total-nhs").inner_text()


def test_birmingham_shows_the_paper_totals_and_shares(page, browser, server, db_url):
    """SCIE, Total transformation of care and support (2017), Birmingham summary: net savings
    of about £7.5m to adult social care and £1.8m to the NHS a year."""
    choose_birmingham(page, server, screenshots=True)
    shot(page, "04-assumptions")
    page.get_by_role("button", name="See the result").click()
    page.wait_for_url(re.compile(r"/scenario/[0-9a-f]+$"))
    page.wait_for_function("document.querySelector('#chart-payer .main-svg') !== null")
    shot(page, "05-result", full_page=False)
    want = expected(paper_doc())
    assert totals(page) == (want["asc"], want["nhs"])
    assert round(want["totals"]["net_savings"]["asc"] / 1e6, 1) == 7.5
    assert round(want["totals"]["net_savings"]["nhs"] / 1e6, 1) == 1.8
    assert page.locator("#table-total-asc").inner_text() == want["asc"]
    assert page.locator("#break-even").inner_text().startswith("month ")
    shared = page.locator("#share-link").get_attribute("href")
    assert shared == urlparse(page.url).path
    # a fresh browser context (no history, no cookies) sees the same result
    same_in_fresh_context(browser, server.url + shared, page)
    # and so does a restarted server on the same store
    from carescale.store import core
    from carescale.web.app import create_app
    from carescale.web.server import LiveServer
    from carescale.web.storage import DatabaseScenarioStore

    core.close_all()
    with LiveServer(create_app(DatabaseScenarioStore(db_url))) as again:
        same_in_fresh_context(browser, again.url + shared, page)


def same_in_fresh_context(browser, url: str, seen) -> None:
    """``url`` opened in a new browser context shows the totals and table ``seen`` shows."""
    ctx = browser.new_context()
    other = ctx.new_page()
    no_charts(other)
    other.goto(url)
    assert totals(other) == totals(seen)
    assert other.locator("#summary-table").inner_text() == seen.locator("#summary-table").inner_text()
    ctx.close()


def test_living_well_at_2000_people(page, server):
    no_charts(page)
    choose_birmingham(page, server)
    before = page.url
    page.get_by_text("figures for Living Well (Age UK), with their sources").click()
    page.locator("#living-well").scroll_into_view_if_needed()
    shot(page, "04b-assumptions-living-well-sources", full_page=False)
    page.get_by_label("Living Well (Age UK): people supported a year").fill("2,000")
    page.locator(f"[name='n:{LW_PEOPLE}']").fill("Our own target for year one")
    page.get_by_role("button", name="See the result").click()
    page.wait_for_url(re.compile(r"/scenario/[0-9a-f]+$"))
    want = expected({**paper_doc(), "overrides": {LW_PEOPLE: {"value": 2000, "note": "Our own target for year one"}}})
    assert totals(page) == (want["asc"], want["nhs"])
    base = expected(paper_doc())
    assert totals(page) != (base["asc"], base["nhs"])
    row = page.locator("#row-living-well").inner_text()
    assert "2,000" in row and "£800k" in row
    changes = page.locator("#changes-table").inner_text()
    assert "2,000" in changes and "Our own target for year one" in changes
    assert page.url != before
    shot(page, "06-result-living-well-2000", full_page=False)


def test_bad_template_shows_row_and_cell(page, server):
    page.goto(server.url + "/area")
    page.set_input_files("#file", str(INVALID / "areas_import" / "not_a_number.csv"))
    page.get_by_role("button", name="Upload and continue").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    text = summary.inner_text()
    assert "There is a problem" in text
    assert "row 9" in text and "cell D9" in text and "'about 150k' is not a number" in text
    assert summary.locator("a").first.get_attribute("href") == "#file"
    assert page.title().startswith("Error: ")
    shot(page, "07-area-upload-error")


def _tab_to(page, selector: str, limit: int = 250) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"could not reach {selector} with the Tab key")


def test_whole_journey_by_keyboard(page, server):
    no_charts(page)
    page.goto(server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    _tab_to(page, "a.govuk-button--start")
    page.keyboard.press("Enter")
    page.wait_for_url("**/area")
    _tab_to(page, "input[name=area]")
    page.keyboard.press("Space")
    _tab_to(page, "form[action='/area'] button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/models$"))
    if page.locator("#prices-published").count():
        _tab_to(page, "input[name=reprice]")
        for _ in range(3):
            if page.evaluate("document.activeElement.id") == "prices-published":
                break
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Space")
    _tab_to(page, "form button[type=submit], form button:not([type])")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/assumptions$"))
    _tab_to(page, f"input[name='v:{LW_PEOPLE}']")
    page.keyboard.press("Control+A")
    page.keyboard.type("2000")
    _tab_to(page, "#save button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/scenario/[0-9a-f]+$"))
    want = expected({**paper_doc(), "overrides": {LW_PEOPLE: 2000}})
    assert totals(page) == (want["asc"], want["nhs"])
    # the shared link and the downloads are reachable by keyboard too
    _tab_to(page, "#share-link")
    _tab_to(page, "a[href$='results.csv']")


def test_background_job_progress_and_cancel(page, server):
    no_charts(page)
    page.goto(server.url + "/area")
    page.get_by_role("button", name="Continue", exact=True).click()
    page.get_by_role("button", name="Continue", exact=True).click()
    page.get_by_role("button", name="See the result").click()
    page.wait_for_url(re.compile(r"/scenario/[0-9a-f]+$"))
    page.get_by_label("Run more simulated cases").fill("1,000,000")
    page.get_by_role("button", name="Run the larger analysis").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f]+$"))
    assert page.locator("#job-progress").count() == 1
    shot(page, "08-job-running")
    page.get_by_role("button", name="Cancel the analysis").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f]+$"))
    page.locator("#job-state").wait_for()
    for _ in range(100):
        if "cancelled" in page.locator("#job-state").inner_text():
            break
        page.wait_for_timeout(100)
        page.reload()
    assert "cancelled" in page.locator("#job-state").inner_text()


def test_background_job_finishes_with_live_progress(page, server):
    no_charts(page)
    page.goto(server.url + "/area")
    page.get_by_role("button", name="Continue", exact=True).click()
    page.get_by_role("button", name="Continue", exact=True).click()
    page.get_by_role("button", name="See the result").click()
    page.get_by_label("Run more simulated cases").fill("30000")
    page.get_by_role("button", name="Run the larger analysis").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f]+$"))
    page.locator("#job-result").wait_for(timeout=90_000)  # job.js polls and reloads when done
    page.locator("#job-result").click()
    assert "30,000 simulated cases" in page.locator("#range-text").inner_text()


def test_result_page_shows_its_monte_carlo_when_the_job_is_done(page, server):
    """Issue 25: a new scenario's page is drawn before its Monte Carlo; job.js follows the
    scenario's job (the progress bar moves) and reloads the page once it is done."""
    import httpx

    no_charts(page)
    sid = httpx.post(server.url + "/api/v1/scenarios", headers={"Origin": server.url},
                     json={"version": 1, "area": "birmingham", "note": "live reload",
                           "uncertainty": {"draws": 2_000}}).json()["scenario_id"]
    page.goto(f"{server.url}/scenario/{sid}")
    assert page.locator("#job-progress").count() == 1 or page.locator("#range-text").count() == 1
    page.locator("#range-text").wait_for(timeout=90_000)  # the page reloaded itself
    assert "2,000 simulated cases" in page.locator("#range-text").inner_text()
    assert page.locator("#job-progress").count() == 0


def test_result_page_does_not_reload_under_a_keyboard_user(page, server):
    """A result page whose Monte Carlo finishes while a visitor moves through it with the keyboard
    says the figures are ready instead of reloading (a reload would take them back to the top)."""
    import httpx

    no_charts(page)
    sid = httpx.post(server.url + "/api/v1/scenarios", headers={"Origin": server.url},
                     json={"version": 1, "area": "birmingham", "note": "keyboard user, no reload",
                           "uncertainty": {"draws": 100_000}}).json()["scenario_id"]
    page.goto(f"{server.url}/scenario/{sid}")
    assert page.locator("#job-progress").count() == 1  # 100,000 draws: still working when drawn
    page.evaluate("window.carescaleTestMark = 'the same page'")
    page.keyboard.press("Tab")
    from playwright.sync_api import expect

    expect(page.locator("#job-stage")).to_have_text(re.compile(r"^The figures are ready"), timeout=90_000)
    assert page.evaluate("window.carescaleTestMark") == "the same page"
    # the whole box says so: no "Still working", no promise that the page refreshes by itself
    assert page.locator("#job-title").inner_text() == "Ready"
    assert page.locator("#job-heading").inner_text() == "100,000 simulated cases have been worked out."
    assert page.evaluate("document.getElementById('job-progress').value") == 100
    assert not page.locator("#job-by-itself").is_visible()
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"


# -- accessibility: axe-core on every page ---------------------------------------------------------------


def _pages(server) -> dict[str, str]:
    import httpx

    with httpx.Client(base_url=server.url, follow_redirects=False, headers={"Origin": server.url}) as c:
        models = post_form(c, "/area", {"area": "birmingham"}).headers["location"]
        sid = models.split("/")[2]
        job = post_form(c, f"/scenario/{sid}/uncertainty", {"draws": "1000000"}).headers["location"]
        post_form(c, f"{job}/cancel")
    return {
        "start": "/", "area": "/area", "models": models, "assumptions": f"/s/{sid}/assumptions",
        "result": f"/scenario/{sid}", "job": job, "evidence": "/evidence", "evidence-search": "/evidence?q=living+alone&payer=nhs",
        "evidence-model": "/evidence/living-well", "evidence-case-study": "/evidence/health-connections-mendip",
        "accessibility": "/accessibility", "privacy": "/privacy", "not-found": "/no-such-page",
    }


SHOTS = {"job", "evidence", "evidence-model", "evidence-case-study", "accessibility", "privacy", "not-found"}


def test_axe_no_serious_or_critical_violation(page, server):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems = []
    for name, path in _pages(server).items():
        page.goto(server.url + path)
        if name == "result":
            page.wait_for_function("document.querySelector('#chart-payer .main-svg') !== null")
        if name in SHOTS:
            shot(page, f"09-{name}", full_page=False)
        found = axe.run(page).response["violations"]
        problems += [f"{name}: {v['id']} ({v['impact']}): {v['help']}" for v in found if v["impact"] in ("serious", "critical")]
    # and the page with an error summary
    page.goto(server.url + "/area")
    page.set_input_files("#file", str(INVALID / "areas_import" / "negative_count.csv"))
    page.get_by_role("button", name="Upload and continue").click()
    found = axe.run(page).response["violations"]
    problems += [f"upload error: {v['id']} ({v['impact']}): {v['help']}" for v in found if v["impact"] in ("serious", "critical")]
    assert not problems, "\n".join(problems)


def test_the_bridge_scrolls_inside_its_region_on_a_phone(browser, server):
    """A 375-pixel-wide phone: the bridge table (issue 21) scrolls sideways inside its own region,
    which takes keyboard focus, while the page itself does not scroll sideways."""
    import httpx

    sid = httpx.post(f"{server.url}/api/v1/scenarios", json={"version": 1, "area": "birmingham"}).json()["scenario_id"]
    context = browser.new_context(viewport={"width": 375, "height": 800})
    try:
        pg = context.new_page()
        no_charts(pg)
        pg.goto(f"{server.url}/scenario/{sid}")
        region = pg.get_by_role("region", name=re.compile("From the evidence to the headlines"))
        assert region.count() == 1
        wide, shown = region.evaluate("el => [el.scrollWidth, el.clientWidth]")
        assert wide > shown  # the table is wider than the phone, so the region scrolls
        assert pg.evaluate("document.documentElement.scrollWidth") <= 375 + 1
        region.focus()
        assert pg.evaluate("document.activeElement.getAttribute('aria-labelledby')") == "bridge-caption"
        shot(pg, "07-result-bridge-phone", full_page=False)
    finally:
        context.close()
