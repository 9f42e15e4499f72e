"""Compare, save and share in Chromium (issue 26; docs/web.md, "Compare" and "Saved scenarios"):
Living Well at 2,000 people against its baseline with the figures of ``carescale scenario diff
--results``, a saved, named scenario reopened from its link in a fresh browser context, the same
journey by keyboard only, and axe-core on the new pages. Fixtures as tests/test_web_browser.py."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import run_cli
from tests.web_helpers import post_form
from tests.test_web_browser import (  # noqa: F401 - the fixtures
    LW_PEOPLE,
    _tab_to,
    browser,
    choose_birmingham,
    db_url,
    no_charts,
    page,
    server,
    shot,
)

pytest.importorskip("playwright")
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(autouse=True)
def _signed_in(request, server):
    """Saved scenarios are an organisation's (docs/accounts.md): each test's page is its member's."""
    from tests.accounts_helpers import sign_in_context

    if "page" in request.fixturenames:
        sign_in_context(request.getfixturevalue("page").context, server)


def _result_with_living_well_2000(page, server) -> str:
    no_charts(page)
    choose_birmingham(page, server)
    page.get_by_label("Living Well (Age UK): people supported a year").fill("2,000")
    page.get_by_role("button", name="See the result").click()
    page.wait_for_url(re.compile(r"/scenario/[0-9a-f]+$"))
    return page.url.rsplit("/", 1)[1]


def _cli_diff(server, sid: str, tmp_path) -> dict:
    """``carescale scenario diff BASELINE THIS --results --format json`` on the page's own scenario
    file (downloaded) and its baseline (every override dropped)."""
    import httpx

    from carescale.scenarios import parse_data
    from carescale.scenarios.compare import baseline_of

    data = httpx.get(f"{server.url}/scenario/{sid}/scenario.json").json()
    this, base = tmp_path / "this.json", tmp_path / "baseline.json"
    this.write_text(json.dumps(data))
    base.write_text(baseline_of(parse_data(data)).to_json())
    r = run_cli("scenario", "diff", str(base), str(this), "--results", "--format", "json")
    assert r.code == 0, r.err
    return json.loads(r.out)["results"]


def test_living_well_2000_against_its_baseline_as_the_cli(page, server, tmp_path):
    from carescale.formatting import change, money

    sid = _result_with_living_well_2000(page, server)
    page.locator("#compare-link").click()
    page.wait_for_url(re.compile(rf"/scenario/{sid}/compare$"))
    shot(page, "26-compare-living-well-2000", full_page=False)
    cli = _cli_diff(server, sid, tmp_path)
    head = {r["key"]: r for r in cli["headlines"]}
    # the overlap deduction grows: Living Well's extra people are also in the other models' groups
    assert head["overlap_total"]["difference"] < -100_000
    assert head["people"]["difference"] == pytest.approx(1000, abs=0.01)
    for key in ("net_asc", "net_nhs", "overlap_total", "npv"):
        cells = page.locator(f"#headline-{key} td").all_inner_texts()
        assert cells == [money(head[key]["a"]), money(head[key]["b"]), change(head[key]["difference"])], key
    # every overlap, by payer, as the CLI gives it; the pair with Community Agents doubles
    moved = [r for r in cli["overlaps"] if abs(r["difference"]) >= 0.5]
    assert {r["key"] for r in moved} >= {"community-agents-living-well"}
    for r in moved:
        cells = page.locator(f"#model-{r['key']}-{r['payer']} td").all_inner_texts()
        assert cells[1:] == [money(r["a"]), money(r["b"]), change(r["difference"])], r["key"]
    pair = next(r for r in moved if r["key"] == "community-agents-living-well" and r["payer"] == "asc")
    assert pair["b"] == pytest.approx(2 * pair["a"], rel=1e-6)
    # the bridge's steps: each one the CLI lists as changed is on the page with the same figures
    bridge = page.locator("#compare-bridge tbody").inner_text()
    changed = [r for r in cli["bridge"] if r["payer"] == "total" and abs(r["difference"]) >= 0.5]
    assert len(changed) >= 10
    for r in changed:
        assert f"{money(r['a'])}\t{money(r['b'])}\t{change(r['difference'])}" in bridge, r["label"]
    assert "Overlap: people counted by two models, a year" in bridge


def test_a_saved_named_scenario_reopens_from_its_link(page, browser, server):
    sid = _result_with_living_well_2000(page, server)
    asc = page.locator("#total-asc").inner_text()
    page.locator("#save-link").click()
    page.get_by_role("button", name="Save the scenario").click()  # no name: the error summary names the field
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "Enter a name for the scenario" in summary.inner_text()
    page.get_by_label("Name").fill("Living Well for 2,000 people")
    page.get_by_label("Note (optional)").fill("Our year-one target, for the board")
    page.get_by_role("button", name="Save the scenario").click()
    page.wait_for_url(re.compile(r"/saved/[0-9a-f]{16}$"))
    link = page.locator("#saved-link")
    url = link.inner_text()
    assert url == server.url + link.get_attribute("href")
    assert page.locator("#copy-link").is_visible()  # JavaScript and a clipboard: the copy button shows
    shot(page, "26-saved-scenario", full_page=False)
    # a colleague's browser (a viewer of the same council) opens it from the link; another council's
    # account is told there is no such saved scenario, and a visitor who has not signed in is sent to sign in
    from tests.accounts_helpers import sign_in_context

    for who, seen in ((dict(email="boss@solihull.gov.uk", org="solihull", role="admin"), "Page not found"),
                      ({}, None)):
        ctx = browser.new_context()
        if who:
            sign_in_context(ctx, server, **who)
        pg = ctx.new_page()
        got = pg.goto(url)
        if who:
            assert got.status == 404 and seen in pg.title()
        else:
            assert "/sign-in?next=/saved/" in pg.url
        ctx.close()
    ctx = browser.new_context()
    sign_in_context(ctx, server, email="viewer@birmingham.gov.uk", org="birmingham", role="viewer")
    other = ctx.new_page()
    no_charts(other)
    other.goto(url)
    assert other.locator("#saved-name").inner_text() == "Living Well for 2,000 people"
    assert other.locator("#saved-note").inner_text() == "Our year-one target, for the board"
    other.locator("#open-result").click()
    other.wait_for_url(re.compile(rf"/scenario/{sid}$"))
    assert other.locator("#total-asc").inner_text() == asc
    # it is in the list of saved scenarios, and the compare page offers it
    other.goto(server.url + "/saved")
    assert "Living Well for 2,000 people" in other.locator("#saved-table").inner_text()
    other.goto(f"{server.url}/scenario/{sid}/compare")
    assert "Saved: Living Well for 2,000 people" in other.locator("#with").inner_text()
    ctx.close()


def test_compare_and_save_by_keyboard_only(page, server):
    no_charts(page)
    choose_birmingham(page, server)
    _tab_to(page, f"input[name='v:{LW_PEOPLE}']")
    page.keyboard.press("Control+A")
    page.keyboard.type("2,000")
    _tab_to(page, "#save button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/scenario/[0-9a-f]+$"))
    _tab_to(page, "#compare-link")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/compare$"))
    assert page.locator("#headline-overlap_total").count() == 1
    _tab_to(page, "a[href$='/save']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/save$"))
    _tab_to(page, "#name")
    page.keyboard.type("Keyboard scenario")
    _tab_to(page, "#note")
    page.keyboard.type("Saved without a mouse")
    _tab_to(page, "form[action$='/save'] button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/saved/[0-9a-f]{16}$"))
    assert page.locator("#saved-name").inner_text() == "Keyboard scenario"
    _tab_to(page, "#copy-link")
    _tab_to(page, "#open-result")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/scenario/[0-9a-f]+$"))


def test_axe_on_the_compare_and_saved_pages(page, server):
    import httpx
    from axe_playwright_python.sync_playwright import Axe

    from tests.accounts_helpers import signed_in_cookies

    with httpx.Client(base_url=server.url, follow_redirects=False, headers={"Origin": server.url},
                      cookies=signed_in_cookies(server)) as c:
        sid = c.post("/api/v1/scenarios", json={"version": 1, "area": "birmingham",
                                                "overrides": {LW_PEOPLE: 2000}}).json()["scenario_id"]
        saved = post_form(c, f"/scenario/{sid}/save", {"name": "Axe check", "note": "a note"}).headers["location"]
        moved = post_form(c, "/area", {"area": "cornwall", "from": sid}).headers["location"]  # keeps what applies
    axe = Axe()
    problems = []
    for name, path in {"compare": f"/scenario/{sid}/compare", "save": f"/scenario/{sid}/save",
                       "saved": saved, "saved-list": "/saved", "settings": f"/s/{sid}/settings",
                       "area-change": f"/s/{sid}/area", "models-after-area-change": moved}.items():
        page.goto(server.url + path)
        if name == "compare":  # the chart of the differences is drawn (its figures are in the table too)
            page.wait_for_function("document.querySelector('#chart-compare .main-svg') !== null")
        found = axe.run(page).response["violations"]
        problems += [f"{name}: {v['id']} ({v['impact']}): {v['help']}" for v in found if v["impact"] in ("serious", "critical")]
    page.goto(f"{server.url}/scenario/{sid}/save")
    page.get_by_role("button", name="Save the scenario").click()
    page.locator(".govuk-error-summary").wait_for()
    found = axe.run(page).response["violations"]
    problems += [f"save error: {v['id']} ({v['impact']}): {v['help']}" for v in found if v["impact"] in ("serious", "critical")]
    page.goto(f"{server.url}/s/{sid}/settings")
    page.get_by_label("Appraisal period, in years").fill("0")
    page.get_by_role("button", name="Save the settings and see the result").click()
    page.locator(".govuk-error-summary").wait_for()
    found = axe.run(page).response["violations"]
    problems += [f"settings error: {v['id']} ({v['impact']}): {v['help']}" for v in found if v["impact"] in ("serious", "critical")]
    assert not problems, "\n".join(problems)


def test_a_share_link_shows_the_address_the_browser_used_not_loopback(browser, server):
    """The server writes share links from its started or configured address, never from the
    request's Host header (a cached page would carry one visitor's Host to all: docs/security.md).
    Reached at another name (carescale.test, whose requests the browser context passes to the test
    server), the page's script shows and copies the browser's own address instead of a loopback one."""
    from urllib.parse import urlsplit

    import httpx

    port = urlsplit(server.url).port
    elsewhere = f"http://carescale.test:{port}"
    with httpx.Client(base_url=server.url) as c:
        sid = c.post("/api/v1/scenarios", json={"version": 1, "area": "birmingham",
                                                "note": "reached at another name"}).json()["scenario_id"]
        raw = c.get(f"/scenario/{sid}", headers={"Host": f"carescale.test:{port}"}).text
    assert f">{server.url}/scenario/{sid}</a>" in raw and "carescale.test" not in raw  # never the Host header
    from playwright.sync_api import Error as PlaywrightError

    def passed_on(route) -> None:
        try:
            route.fulfill(response=route.fetch(url=route.request.url.replace(elsewhere, server.url)))
        except PlaywrightError:  # a request still in flight as the context closes (a late script or poll)
            pass

    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        ctx.route(f"{elsewhere}/**", passed_on)
        pg = ctx.new_page()
        no_charts(pg)
        pg.goto(f"{elsewhere}/scenario/{sid}")
        pg.wait_for_function("document.querySelector('#share-link').textContent.includes('carescale.test')")
        assert pg.locator("#share-link").inner_text() == f"{elsewhere}/scenario/{sid}"
    finally:
        # stop passing requests on before closing, so none is fulfilled on a closed context (that error
        # is raised in Playwright's event loop and breaks every later browser test of this worker)
        ctx.unroute_all(behavior="ignoreErrors")
        ctx.close()
