"""The optimiser's and the national page in a real browser (issue 26; docs/web.md): Playwright on
Debian's Chromium against a real server. The optimiser page reproduces `carescale optimise
--budget 2m` (the same models, scales and figures), by mouse and by keyboard only, and its
portfolio opens as a scenario; the national table sorts in place with JavaScript as it does by
its links without; axe-core finds no serious or critical violation on the new pages, error
summary included."""

from __future__ import annotations

import re

import pytest

from tests.conftest import run_cli
from tests.test_web_browser import (  # noqa: F401 - the shared harness
    ARTIFACTS, CHROMIUM, LAUNCH_ARGS, _tab_to, browser, desktop_page, live_server,
)
from tests.conftest import require_tool  # noqa: F401 - used by the shared browser fixture

pytest.importorskip("playwright")
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(f"sqlite:///{tmp_path_factory.mktemp('optimise-browser') / 'store.db'}") as live:
        yield live


@pytest.fixture
def page(browser, server):
    with desktop_page(browser, 30_000) as pg:
        yield pg


@pytest.fixture(scope="module")
def cli_2m():
    got = run_cli("optimise", "--budget", "2m", "--format", "json")
    assert got.code == 0, got.err
    return got.json()


def check_against_cli(page, cli: dict) -> None:
    from carescale.formatting import money, share

    assert page.locator("#objective-value").inner_text() == money(cli["objective"]["value"])
    for m in cli["models"]:
        assert page.locator(f"#scale-{m['id']}").inner_text() == (share(m["scale"]) if m["in"] else "out")
        assert page.locator(f"#why-{m['id']}").inner_text()[1:] == m["why"][1:]
    f = cli["figures"]
    assert page.locator("#fig-cost").inner_text() == money(f["cost"])
    assert page.locator("#fig-npv").inner_text() == money(f["npv"])
    assert page.locator("#fig-npv-asc").inner_text() == money(f["npv_by_payer"]["asc"])
    assert page.locator("#fig-npv-nhs").inner_text() == money(f["npv_by_payer"]["nhs"])


def test_the_optimiser_page_reproduces_the_cli_and_opens_the_portfolio(page, server, cli_2m):
    page.goto(server.url + "/")
    page.get_by_role("link", name="Optimise", exact=True).first.click()
    page.wait_for_url("**/optimise")
    page.get_by_label("Budget", exact=True).fill("£2m")
    page.get_by_label("In total over the appraisal period").check()
    page.get_by_role("button", name="Find the best portfolio").click()
    page.wait_for_url(re.compile(r"/optimise/result\?"))
    check_against_cli(page, cli_2m)
    page.wait_for_function("document.querySelector('#chart-frontier .main-svg') !== null")
    assert page.locator("#frontier tbody tr").count() == 9
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "optimise-result.png"), full_page=True)
    page.get_by_role("button", name="Open this portfolio as a scenario").click()
    page.wait_for_url(re.compile(r"/scenario/[0-9a-f]+$"))
    assert page.url.rsplit("/", 1)[1] == cli_2m["scenario_id"]
    assert "Living Well" in page.locator("#summary-table").inner_text()


def test_keyboard_only_through_the_optimiser(page, server, cli_2m):
    page.route("**/vendor/plotly.min.js", lambda route: route.abort())  # the figures are in the tables
    page.goto(server.url + "/optimise")
    _tab_to(page, "#budget")
    page.keyboard.type("2m")
    _tab_to(page, "#budget_kind-budget")
    page.keyboard.press("Space")
    _tab_to(page, "form[action='/optimise/result'] button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/optimise/result\?"))
    check_against_cli(page, cli_2m)
    # the tables scroll in regions a keyboard reaches
    _tab_to(page, "[role=region][aria-labelledby=models-caption]")
    _tab_to(page, "form[action='/optimise/scenario'] button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/scenario/[0-9a-f]+$"))
    assert page.url.rsplit("/", 1)[1] == cli_2m["scenario_id"]


def test_a_model_that_must_run_and_an_error_summary(page, server):
    page.goto(server.url + "/optimise")
    page.locator("#model-shared-lives-must").check()
    page.locator("#model-living-well-not").check()
    page.get_by_label("Budget", exact=True).fill("two million")
    page.get_by_role("button", name="Find the best portfolio").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "Enter the budget in pounds, for example £2m, 2,000,000 or 500k" in summary.inner_text()
    assert page.locator("#model-shared-lives-must").is_checked()  # what was chosen is kept
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "budget"
    page.locator("#budget").fill("1m")
    page.get_by_role("button", name="Find the best portfolio").click()
    page.wait_for_url(re.compile(r"/optimise/result\?"))
    assert page.locator("#scale-living-well").inner_text() == "out"
    assert page.locator("#scale-shared-lives").inner_text() != "out"


def test_the_national_table_sorts_in_place(page, server):
    page.route("**/vendor/plotly.min.js", lambda route: route.abort())
    page.goto(server.url + "/national")
    rows = page.locator("#council-table tbody tr")
    assert rows.count() == 153
    page.locator("#council-table th[data-key=name] a").click()
    assert page.url.endswith("/national")  # sorted by the script, not by loading another page
    names = page.locator("#council-table tbody th").all_inner_texts()
    assert names == sorted(names, key=str.lower)
    assert page.locator("#council-table th[data-key=name]").get_attribute("aria-sort") == "ascending"
    page.locator("#council-table th[data-key=name] a").click()
    assert page.locator("#council-table tbody th").first.inner_text() == sorted(names, key=str.lower)[-1]
    page.locator("#council-table tbody th a").first.click()
    page.wait_for_url(re.compile(r"/scenario/[0-9a-f]+$"))


def test_axe_on_the_new_pages(page, server):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems = []
    pages = {"optimise": "/optimise", "optimise-result": "/optimise/result?area=birmingham&budget=2m",
             "optimise-errors": "/optimise/result?area=birmingham&budget=lots&objective=budget-impact",
             "national": "/national", "national-by-name": "/national?sort=name&order=asc"}
    for name, path in pages.items():
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(server.url + path)
            if page.locator(".carescale-chart").count():
                page.wait_for_function("document.querySelector('.carescale-chart .main-svg') !== null")
            found = axe.run(page).response["violations"]
            problems += [f"{name} at {width}px: {v['id']} ({v['impact']}): {v['help']}" for v in found
                         if v["impact"] in ("serious", "critical")]
    assert not problems, "\n".join(problems)
