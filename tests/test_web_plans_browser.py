"""The plan cycle in a real browser (issue 24; docs/web.md): Playwright on Debian's Chromium
(/usr/bin/chromium) against a real server. Build a logic model from a case study by the question
pages, create a plan, add two reviews and see the recommendation move; the same by keyboard only;
axe-core finds no serious or critical violation on any new page (error summaries included); every
new page reflows at 320 px. Screenshots of every new page at 1280 and 390 px go to
artifacts/web/plans-*.png."""

from __future__ import annotations

import re

import pytest

from tests.test_web_browser import (  # noqa: F401 - the shared harness
    ARTIFACTS, CHROMIUM, LAUNCH_ARGS, _tab_to, browser, desktop_page, live_server,
)
from tests.conftest import require_tool  # noqa: F401 - used by the shared browser fixture
from tests.accounts_helpers import sign_in_context, signed_in_cookies

pytest.importorskip("playwright")
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CASE = "birmingham-shared-lives"
FALLS = "a-fall-needing-a-hospital-admission-is-avoided"
HOME = "a-year-of-home-care-is-avoided"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(f"sqlite:///{tmp_path_factory.mktemp('plans-browser') / 'store.db'}") as live:
        yield live


@pytest.fixture
def page(browser, server):
    with desktop_page(browser, 30_000) as pg:
        sign_in_context(pg.context, server)  # plans are an organisation's: its approver works on them
        yield pg


def shots(page, name: str) -> None:
    """The page at 1280 px and at 390 px (a phone), full length."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(150)  # plotly redraws the chart at the new width
        page.screenshot(path=str(ARTIFACTS / f"plans-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def cont(page) -> None:
    page.get_by_role("button", name="Continue", exact=True).click()


def build_by_mouse(page, server, screenshots: bool = False) -> str:
    """The question pages as a person fills them in; the saved logic model's address."""
    page.goto(server.url + "/plans")
    if screenshots:
        shots(page, "01-list")
    page.get_by_role("button", name="Build a logic model").click()
    page.get_by_label("From a case study of what a council did").check()
    if screenshots:
        shots(page, "02-start")
    cont(page)
    page.get_by_label("Which one do you want to start from?").select_option(CASE)
    if screenshots:
        shots(page, "03-source")
    cont(page)
    page.get_by_label("Name of the service").fill("Falls prevention service")
    page.locator("#transformation-area").check()
    if screenshots:
        shots(page, "04-about")
    cont(page)
    page.get_by_label("Who the service is for").fill("Older people at risk of falls")
    page.locator("input[name=cohort][value=population_65_plus]").check()
    cont(page)
    page.get_by_label("Share of that group reached a year at full scale").fill("0.5%")
    cont(page)
    page.get_by_label("Running cost per person supported a year").fill("£400")
    page.get_by_label("Share of the running cost the council pays").fill("50%")
    page.get_by_label("Prices of these figures (financial year)").fill("2023/24")
    cont(page)
    page.locator("#o1-description").fill("A fall needing a hospital admission is avoided")
    page.locator("#o1-payer").check()
    page.locator("#o1-rate").fill("8.7%")
    page.locator("#o1-saving").fill("£3,500")
    page.locator("#o2-description").fill("A year of home care is avoided")
    page.locator("#o2-payer-2").check()
    page.locator("#o2-rate").fill("2%")
    page.locator("#o2-saving").fill("£6,000")
    if screenshots:
        shots(page, "05-outcomes")
    cont(page)
    page.locator("#activities").fill("Assess each person's risk of a fall\nRun strength and balance classes")
    page.locator("#resources").fill("Community halls")
    page.locator("#assumptions").fill("People keep up the exercises")
    page.locator("#short-term-outcomes").fill("Fewer falls at home")
    cont(page)
    page.locator("#evidence-level-2").check()
    if screenshots:
        shots(page, "06-evidence")
    cont(page)
    page.wait_for_url(re.compile(r"/logic-models/new/check\?d="))
    if screenshots:
        shots(page, "07-check")
    page.get_by_role("button", name="Save the logic model").click()
    page.wait_for_url(re.compile(r"/logic-models/[0-9a-f]{64}$"))
    if screenshots:
        shots(page, "08-logic-model")
    return page.url


def fill_date(page, name: str, d: int, m: int, y: int) -> None:
    page.locator(f"#{name}-day").fill(str(d))
    page.locator(f"#{name}-month").fill(str(m))
    page.locator(f"#{name}-year").fill(str(y))


def add_review(page, end: tuple[int, int, int], people: int, falls: int, home: int, spent: str) -> None:
    page.get_by_role("button", name="Add a review").click()
    fill_date(page, "period_end", *end)
    page.get_by_label("People supported in the period").fill(str(people))
    page.locator(f"#outcome-{FALLS}").fill(str(falls))
    page.locator(f"#outcome-{HOME}").fill(str(home))
    page.get_by_label("Money spent in the period").fill(spent)
    page.get_by_role("button", name="Save the review").click()
    page.wait_for_url(re.compile(r"/plans/[a-z0-9-]+#review-\d+$"))


def test_cycle_from_a_case_study(page, server):
    lm_url = build_by_mouse(page, server, screenshots=True)
    assert "Falls prevention service" in page.locator("h1").inner_text()
    page.get_by_role("button", name="Create a plan from this logic model").click()
    page.get_by_label("Name of the plan").fill("Falls prevention in Birmingham")
    fill_date(page, "start", 1, 4, 2027)
    fill_date(page, "end", 31, 3, 2029)
    page.get_by_label("The whole budget for the plan").fill("£450,000")
    fill_date(page, "phase1_end", 31, 3, 2028)
    page.get_by_label("Core budget: the service line whose budget is reduced").fill("Short-term placements")
    page.get_by_label("Core budget: how much it is reduced by a year").fill("£150,000")
    shots(page, "09-plan-form")
    page.get_by_role("button", name="Create the plan").click()
    page.wait_for_url(re.compile(r"/plans/falls-prevention-in-birmingham$"))
    assert "No review yet" in page.locator("#recommendation").inner_text()
    shots(page, "10-plan-new")
    add_review(page, (30, 6, 2027), 95, 11, 3, "£38,000")
    assert page.locator("#decision").inner_text() == "Continue"
    page.get_by_role("button", name="Add a review").click()
    shots(page, "11-review-form")
    page.go_back()
    add_review(page, (30, 9, 2027), 92, 10, 2, "£36,800")
    # the recommendation moved: two good quarters make the saving outweigh 4 times the loss
    assert page.locator("#decision").inner_text() == "Increase investment"
    assert "after 2 reviews" in page.locator("#reason").inner_text()
    page.wait_for_function("document.querySelector('#chart-rate-0 .main-svg') !== null")
    rows = page.locator("table.rate-table").first.locator("tbody tr").all_inner_texts()
    assert [r.split("\t")[1] for r in rows] == ["8.7%", "11.1%", "11.0%"]  # Beta means 0.087, 12.74/115, 22.74/207
    shots(page, "12-plan-two-reviews")
    assert lm_url.startswith(server.url)


def test_keyboard_only_journey(page, server):
    page.route("**/vendor/plotly.min.js", lambda route: route.abort())
    page.goto(server.url + "/plans")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    _tab_to(page, "a.govuk-button--start")
    page.keyboard.press("Enter")
    page.wait_for_url("**/logic-models/new")
    _tab_to(page, "input[name=start]")
    page.keyboard.press("ArrowDown")  # the second choice: a case study
    _tab_to(page, "main form button")  # not the header's Sign out
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/logic-models/new/source"))
    _tab_to(page, "select[name=source]")
    page.keyboard.type("Birmingham Shared")  # choose by typing, as a keyboard user does in a list
    _tab_to(page, "main form button")  # not the header's Sign out
    page.keyboard.press("Enter")

    def answer(step: str, typed: dict[str, str], radios: tuple[str, ...] = ()) -> None:
        page.wait_for_url(re.compile(rf"/logic-models/new/{step}\?"))
        for name, text in typed.items():
            _tab_to(page, f"[name='{name}']")
            page.keyboard.press("Control+A")
            page.keyboard.type(text)
        for name in radios:
            _tab_to(page, f"input[name='{name}']")
            page.keyboard.press("Space")
        _tab_to(page, "main form button")  # not the header's Sign out
        page.keyboard.press("Enter")

    answer("about", {"name": "Falls service by keyboard"}, ("transformation_area",))
    answer("who", {"target_group": "Older people at risk of falls"}, ("cohort",))
    answer("reach", {"take_up": "0.5%"})
    answer("cost", {"unit_cost": "400", "council_share": "50%", "price_year": "2023/24"})
    answer("outcomes", {"o1_description": "A fall needing a hospital admission is avoided", "o1_rate": "8.7%",
                        "o1_saving": "3500"}, ("o1_payer",))
    answer("change", {"activities": "Classes", "resources": "Halls", "assumptions": "People keep exercising",
                      "short_term_outcomes": "Fewer falls"})
    answer("evidence", {}, ("evidence_level",))
    page.wait_for_url(re.compile(r"/logic-models/new/check\?"))
    _tab_to(page, "main form button")  # not the header's Sign out
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/logic-models/[0-9a-f]{64}$"))
    _tab_to(page, "a[href^='/plans/new']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/plans/new\?"))
    for name, text in {"name": "Keyboard plan", "start-day": "1", "start-month": "4", "start-year": "2027",
                       "end-day": "31", "end-month": "3", "end-year": "2029", "budget": "450000",
                       "line_name": "Placements", "line_amount": "150000"}.items():
        _tab_to(page, f"[name='{name}']")
        page.keyboard.type(text)
    _tab_to(page, "main form button")  # not the header's Sign out
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/plans/keyboard-plan$"))
    _tab_to(page, "#add-review")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/reviews/new$"))
    for name, text in {"period_end-day": "30", "period_end-month": "6", "period_end-year": "2027",
                       "people_supported": "95", f"outcome:{FALLS}": "11", "money_spent": "38000"}.items():
        _tab_to(page, f"[name='{name}']")
        page.keyboard.type(text)
    _tab_to(page, "main form button")  # not the header's Sign out
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/plans/keyboard-plan#review-1$"))
    import httpx

    stored = httpx.get(f"{server.url}/api/v1/plans/keyboard-plan/reviews", cookies=signed_in_cookies(server)).json()
    assert [(r["people_supported"], r["outcomes"], r["money_spent"]) for r in stored] == [(95, {FALLS: 11}, 38000.0)]
    # one outcome only (falls, 11 of 95 against a break-even of £400 / £3,500 = 11.4%, from a level-1 prior of 8.7%):
    # the expected NPV is negative while the planned people came, so the rule says redesign
    assert stored[0]["decision"] == "redesign" and page.locator("#decision").inner_text() == "Redesign"


def _new_pages(server) -> dict[str, str]:
    """Every new page, from a plan (made here by the API) with two reviews."""
    import httpx

    from carescale.plans import cycle
    from carescale.web import plan_forms

    answers = {**cycle.draft("case-study", CASE), "take_up": 0.005, "unit_cost": 400, "council_share": 0.5,
               "outcomes": [{"description": "A fall needing a hospital admission is avoided", "payer": "nhs", "rate": 0.087,
                             "saving": 3500}, {"description": "A year of home care is avoided", "payer": "asc", "rate": 0.02,
                                               "saving": 6000}],
               "activities": ["Classes"], "assumptions": ["People keep exercising"], "short_term_outcomes": ["Fewer falls"],
               "resources": ["Halls"]}
    with httpx.Client(base_url=server.url, headers={"Origin": server.url}, timeout=120,
                      cookies=signed_in_cookies(server)) as c:
        key = c.post("/api/v1/logic-models", json={"answers": answers}).json()["key"]
        plan = "axe-plan"
        if c.get(f"/api/v1/plans/{plan}").status_code == 404:
            got = c.post("/api/v1/plans", json={
                "id": plan, "name": "Axe plan", "logic_model": key, "area": "birmingham", "start": "2027-04-01",
                "end": "2029-03-31", "budget": 450000,
                "phases": [{"name": "Half scale", "start": "2027-04-01", "end": "2028-03-31", "scale": 0.5},
                           {"name": "Full scale", "start": "2028-04-01", "end": "2029-03-31", "scale": 1}],
                "funding": {"route": "transition_funds", "source": "Better Care Fund"}})
            assert got.status_code == 201, got.text
            for end, people, falls, home in (("2027-06-30", 95, 11, 3), ("2027-09-30", 92, 10, 2)):
                got = c.post(f"/api/v1/plans/{plan}/reviews", json={
                    "period_end": end, "people_supported": people, "outcomes": {FALLS: falls, HOME: home},
                    "money_spent": people * 400})
                assert got.status_code == 201, got.text
    d = plan_forms.encode(answers)
    out = {"list": "/plans", "start": "/logic-models/new"}
    for step in ("source", "about", "who", "reach", "cost", "outcomes", "change", "evidence"):
        out[step] = f"/logic-models/new/{step}?d={d}"
    out.update({"check": f"/logic-models/new/check?d={d}", "logic-model": f"/logic-models/{key}",
                "plan-form": f"/plans/new?logic_model={key}", "plan": f"/plans/{plan}",
                "review-form": f"/plans/{plan}/reviews/new", "evidence-value": f"/plans/{plan}/evidence-value"})
    return out


ERROR_PAGES = {  # page -> the submit button that, with nothing filled in, shows the error summary
    "start": "Continue", "outcomes": "Continue", "plan-form": "Create the plan", "review-form": "Save the review",
}


def test_axe_reflow_and_screenshots_of_every_new_page(page, server):
    """Runs after the cycle test (same module): axe-core on every new page, each error summary
    included; no horizontal scroll at 320 px."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems, wide = [], []
    for name, path in _new_pages(server).items():
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(server.url + path)
        if name == "plan":
            page.wait_for_function("document.querySelector('#chart-rate-0 .main-svg') !== null")
        found = axe.run(page).response["violations"]
        problems += [f"{name}: {v['id']} ({v['impact']}): {v['help']}" for v in found if v["impact"] in ("serious", "critical")]
        if name in ("source", "who", "reach", "cost", "change", "evidence-value"):
            shots(page, f"q-{name}")
        page.set_viewport_size({"width": 320, "height": 800})
        page.wait_for_timeout(150)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > 320:
            wide.append(f"{name}: {scroll}px wide at 320px")
        if name in ERROR_PAGES:
            page.set_viewport_size({"width": 1280, "height": 900})
            if name in ("plan-form", "review-form", "outcomes"):
                for el in page.locator("form input[type=text], form textarea").all():
                    el.fill("")
            page.get_by_role("button", name=ERROR_PAGES[name], exact=True).click()
            page.locator(".govuk-error-summary").wait_for()
            found = axe.run(page).response["violations"]
            problems += [f"{name} (errors): {v['id']} ({v['impact']}): {v['help']}" for v in found
                         if v["impact"] in ("serious", "critical")]
            shots(page, f"error-{name}")
    assert not problems, "\n".join(problems)
    assert not wide, "\n".join(wide)
