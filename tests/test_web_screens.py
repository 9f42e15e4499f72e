"""Every screen size, on every route of the app (issue 26; docs/web.md, "Every screen"):
Playwright on Debian's Chromium against a real server. The routes are read from the app itself
(``app.routes``, every GET), each path parameter filled with a real id made here, so a new page
is measured the day it is added (signed in as an admin, so the account pages are measured too:
issue 27). For every HTML page, at 320, 390 and 1280 px: the document is
no wider than the viewport (WCAG 1.4.10 reflow: tables scroll inside their own region), and no
``src``/``href``/``action`` names another host (the app works offline). The charts keep their
title, legend and axis labels inside the chart at 390 px. Screenshots of the result page at
390 px go to artifacts/web/screens-*.png."""

from __future__ import annotations

import re
import time
from urllib.parse import urlparse

import pytest

from tests.test_web_browser import ARTIFACTS, CHROMIUM, LAUNCH_ARGS, browser  # noqa: F401 - the shared harness
from tests.conftest import require_tool  # noqa: F401 - used by the shared browser fixture
from tests.accounts_helpers import sign_in_context, signed_in_cookies
from tests.web_helpers import post_form

pytest.importorskip("playwright")
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

WIDTHS = (320, 390, 1280)

#: GET routes that answer something other than a page (a file, JSON, a redirect to a page that
#: is itself measured); any other GET route must be an HTML page and is measured
NOT_PAGES = {
    "/openapi.json", "/vendor/plotly.min.js", "/area/template.csv",
    "/scenario/{sid}/scenario.json", "/scenario/{sid}/results.json", "/scenario/{sid}/results.csv",
    "/plans/{plan_id}/history.csv", "/national/councils/{area_id}",
    "/scenario/{sid}/report.{fmt}",  # the business case downloaded (PDF, workbook, HTML, Markdown): a file, not a page
    # single sign-on (issue 27): a 303 to the organisation's identity provider, and back from it a 303 to
    # the page the sign-in started from (a refusal is the error page, measured as /no-such-page is);
    # tests/test_oidc_browser.py follows both in Chromium through a real provider
    "/sign-in/{org}/sso", "/sign-in/{org}/sso/callback",
    # a conversation's pack and plan as PDFs (issue 28): files, not pages
    "/conversations/{cid}.pdf", "/conversations/{cid}/easy-read.pdf", "/conversations/{cid}/areas/{area}/pack.pdf",
    "/conversations/{cid}/areas/{area}/easy-read.pdf", "/conversations/{cid}/plan.pdf", "/conversations/{cid}/plan/easy-read.pdf", "/conversations/{cid}/report.pdf",
    "/conversations/{cid}/responses.csv",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from carescale.web.app import create_app
    from carescale.web.server import LiveServer
    from carescale.web.storage import DatabaseScenarioStore

    url = f"sqlite:///{tmp_path_factory.mktemp('screens') / 'store.db'}"
    with LiveServer(create_app(DatabaseScenarioStore(url))) as live:
        live.db_url = url
        yield live


def signed_in(server) -> str:
    """A session of an admin of Birmingham (made once): every page is measured signed in, so the
    account pages are measured too and every header is the longer "Signed in as ..." one."""
    found = getattr(server, "session", None)
    if found is None:
        from carescale.accounts import open_accounts

        acc = open_accounts(server.db_url)
        acc.create_admin("screens.admin@birmingham.gov.uk", "birmingham", "a long password for the screens",
                         org_name="Birmingham City Council")
        acc.create_api_token(acc.get_user("screens.admin@birmingham.gov.uk"), "a token on the account page")
        found = server.session = acc.sign_in("screens.admin@birmingham.gov.uk", "a long password for the screens")[1]
        server.reset_token = acc.issue_password_reset("screens.admin@birmingham.gov.uk")
    return found


def get_routes(app) -> list[tuple[str, set[str]]]:
    """Every route's path and methods, through included routers."""
    out = []

    def walk(routes, prefix=""):
        for r in routes:
            if hasattr(r, "original_router"):  # an included router (FastAPI >= 0.16x)
                walk(r.original_router.routes, prefix + (getattr(r.include_context, "prefix", "") or ""))
            elif hasattr(r, "path"):
                out.append((prefix + r.path, set(getattr(r, "methods", None) or ())))

    walk(app.routes)
    return out


def real_ids(server) -> dict[str, str]:
    """A real value for every path parameter of the app's routes, made through the API."""
    import httpx

    from tests.test_conversation_pages import published_conversation
    from tests.test_web_plans_browser import _new_pages

    plans = _new_pages(server)  # a logic model, a plan with two reviews (the plan cycle's own helper)
    # a local conversation with its plan published, and a session of its staff member (issue 28)
    published_conversation(server.server.config.app.state.store.url, "measured")
    with httpx.Client(base_url=server.url, headers={"Origin": server.url}, timeout=120,
                      cookies=signed_in_cookies(server)) as c:  # a member of Birmingham: its plans and saved scenarios
        sid = c.post("/api/v1/scenarios", json={"version": 1, "area": "birmingham"}).json()["scenario_id"]
        # a result whose uncertainty is worked out on the page (distribution and tornado drawn too)
        drawn = c.post("/api/v1/scenarios", json={"version": 1, "area": "birmingham",
                                                  "uncertainty": {"draws": 1000}}).json()["scenario_id"]
        # its page is drawn at once and the Monte Carlo is the scenario's job (issue 25): wait for it
        started = re.search(r'data-job="([^"]+)"', c.get(f"/scenario/{drawn}").text)
        for _ in range(1200 if started else 0):
            if c.get(f"/api/v1/jobs/{started.group(1)}").json()["status"] not in ("queued", "running"):
                break
            time.sleep(0.1)
        job = c.post("/api/v1/jobs", json={"version": 1, "area": "birmingham", "uncertainty": {"draws": 1000}})
        assert job.status_code == 202, job.text
        job_id = job.json()["id"]
        saved = post_form(c, f"/scenario/{sid}/save", {"name": "Measured", "note": "every screen"},
                       follow_redirects=False).headers["location"]  # a saved scenario (its own page)
    return {
        "sid": sid, "scenario_id": sid, "saved_key": saved.rsplit("/", 1)[1], "drawn": drawn, "job_id": job_id, "intervention_id": "living-well", "area_id": "birmingham",
        "record_id": "health-connections-mendip", "key": plans["logic-model"].rsplit("/", 1)[1],
        "plan_id": plans["plan"].rsplit("/", 1)[1], "step": "about", "fmt": "html",
        "cid": "measured", "area": "2", "pid": "living-well",
        "org": "birmingham", "token": (signed_in(server), server.reset_token)[1],  # the account pages (issue 27)
        # the query a page needs (the builder's answers so far, the logic model a plan starts from)
        "?/logic-models/new/{step}": plans["about"].partition("?")[2],
        "?/logic-models/new/check": plans["check"].partition("?")[2],
        "?/plans/new": plans["plan-form"].partition("?")[2],
    }


def staff_session(server) -> dict[str, str]:
    """The session cookie of the measured conversation's staff member: pages that need an account
    (the conversation's staff page) are measured signed in."""
    from carescale.web.auth import SESSION_COOKIE
    from tests.test_conversation_pages import published_conversation

    return {"name": SESSION_COOKIE, "value": published_conversation(server.server.config.app.state.store.url, "measured"),
            "url": server.url}


def page_paths(server) -> dict[str, str]:
    """Every GET page of the app with its parameters filled (and the optimiser's result)."""
    from carescale.web.app import create_app
    from carescale.web.storage import MemoryScenarioStore

    ids = real_ids(server)
    out: dict[str, str] = {}
    for path, methods in get_routes(create_app(MemoryScenarioStore())):
        if "GET" not in methods or path in NOT_PAGES or path.startswith("/api/v1/"):
            continue
        params = re.findall(r"{(\w+)}", path)
        missing = [p for p in params if p not in ids]
        assert not missing, f"{path}: no real id for {missing}; add one to real_ids"
        filled = path
        for p in params:
            filled = filled.replace("{" + p + "}", ids[p])
        query = ids.get("?" + path)
        out[path] = f"{filled}?{query}" if query else filled
    out["/scenario/{sid} (with its uncertainty)"] = f"/scenario/{ids['drawn']}"
    out["/optimise/result"] = "/optimise/result?area=birmingham&budget=2m"
    out["/evidence (searched)"] = "/evidence?q=living+alone&payer=nhs"
    return out


def test_every_route_is_a_measured_page_or_known_not_to_be_one(server):
    """A new GET route must be measured below (or added to NOT_PAGES with its reason)."""
    import httpx

    paths = page_paths(server)
    assert {"/", "/optimise", "/optimise/result", "/national", "/scenario/{sid}", "/evidence", "/api/docs",
            "/sign-in", "/account", "/reset-password/{token}", "/organisations/{org}/members"} <= set(paths)
    staff_session(server)  # the measured conversation, owned by Birmingham (whose admin measures every page)
    with httpx.Client(base_url=server.url, timeout=120, cookies={"carescale_session": signed_in(server)}) as c:
        for name, path in paths.items():
            got = c.get(path)
            assert got.status_code == 200, f"{name}: {got.status_code}"
            assert got.headers["content-type"].startswith("text/html"), name


def _outside(page, host: str) -> list[str]:
    urls = page.evaluate("""() => Array.from(document.querySelectorAll('[src],[href],[action]'))
        .map(e => e.getAttribute('src') || e.getAttribute('href') || e.getAttribute('action'))""")
    bad = []
    for u in urls:
        if re.match(r"^(https?:)?//", u or "") and urlparse(u if "//" in u[:8] else "http:" + u).netloc != host:
            bad.append(u)
    return bad


def test_no_page_is_wider_than_the_screen_or_names_another_host(browser, server):
    paths = page_paths(server)
    host = urlparse(server.url).netloc
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    staff_session(server)  # the measured conversation, owned by Birmingham (whose admin measures every page)
    context.add_cookies([{"name": "carescale_session", "value": signed_in(server), "url": server.url}])
    requested: list[str] = []
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    pg.on("request", lambda r: requested.append(urlparse(r.url).netloc) if r.url.startswith("http") else None)
    wide, outside, widths = [], [], {}
    try:
        for name, path in paths.items():
            for w in WIDTHS:
                pg.set_viewport_size({"width": w, "height": 900})
                pg.goto(server.url + path)
                if pg.locator(".carescale-chart").count():
                    pg.wait_for_function("document.querySelectorAll('.carescale-chart .main-svg').length > 0")
                if name == "/api/docs":
                    pg.wait_for_selector(".swagger-ui .info")
                pg.wait_for_timeout(100)
                got = pg.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
                widths[(name, w)] = got
                if got > w:
                    wide.append(f"{name} ({path}): {got}px wide at {w}px")
            outside += [f"{name}: {u}" for u in _outside(pg, host)]
    finally:
        context.close()
    print("\n".join(f"{n} @ {w}: {px}px" for (n, w), px in widths.items()))
    assert not outside, "\n".join(outside)
    assert not sorted({h for h in requested if h != host}), "pages asked other hosts"
    assert not wide, "\n".join(wide)


CLIPPED = """() => Array.from(document.querySelectorAll('.carescale-chart')).flatMap(chart => {
    const box = chart.getBoundingClientRect();
    const out = [];
    const texts = Array.from(chart.querySelectorAll('.main-svg text, .main-svg tspan'))
        .filter(t => t.textContent.trim() && t.getBoundingClientRect().width > 0 && !t.closest('.hoverlayer'));
    for (const t of texts) {
        const r = t.getBoundingClientRect();
        if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
            out.push(chart.id + ': "' + t.textContent.trim().slice(0, 40) + '" outside the chart');
        }
    }
    const title = chart.querySelector('.gtitle'), legend = chart.querySelector('.legend');
    if (title && legend) {
        const a = title.getBoundingClientRect(), b = legend.getBoundingClientRect();
        if (a.width && b.width && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {
            out.push(chart.id + ': the legend overlaps the title');
        }
    }
    return out;
})"""


def test_charts_keep_titles_legends_and_labels_inside_on_a_phone(browser, server):
    """Every chart of every page with charts (result, compare, optimiser, national, plan), on a
    320- and a 390-pixel phone: no title, legend entry, tick or axis label drawn outside the chart
    (plotly clips it) and no legend over the title; screenshots at 390 px
    (artifacts/web/screens-result-390.png and each chart)."""
    import httpx

    ids = real_ids(server)
    changed = httpx.post(f"{server.url}/api/v1/scenarios", timeout=60, json={
        "version": 1, "area": "birmingham", "overrides": {"living-well.older-people-multiple-ltc.people": 2000}}).json()
    pages = {"result": f"/scenario/{ids['drawn']}", "compare": f"/scenario/{changed['scenario_id']}/compare",
             "optimise": "/optimise/result?area=birmingham&budget=2m", "national": "/national",
             "plan": f"/plans/{ids['plan_id']}"}
    problems = []
    for width in (320, 390):
        context = browser.new_context(viewport={"width": width, "height": 844})
        sign_in_context(context, server)
        pg = context.new_page()
        pg.set_default_timeout(30_000)
        try:
            for name, path in pages.items():
                pg.goto(server.url + path)
                n = pg.locator(".carescale-chart").count()
                assert n, f"{name}: no chart"
                pg.wait_for_function(f"document.querySelectorAll('.carescale-chart .main-svg').length >= {n}")
                pg.wait_for_timeout(200)
                problems += [f"{name} at {width}px: {p}" for p in pg.evaluate(CLIPPED)]
                if width == 390:
                    ARTIFACTS.mkdir(parents=True, exist_ok=True)
                    pg.screenshot(path=str(ARTIFACTS / f"screens-{name}-390.png"), full_page=True, timeout=60_000)
                    for k, chart in enumerate(pg.locator(".carescale-chart").all()):
                        chart.screenshot(path=str(ARTIFACTS / f"screens-{name}-390-chart{k}.png"))
            # turning the phone draws the charts again for the new width
            pg.set_viewport_size({"width": 844, "height": width})
            pg.wait_for_timeout(600)
            problems += [f"plan, turned from {width}px: {p}" for p in pg.evaluate(CLIPPED)]
        finally:
            context.close()
    assert not problems, "\n".join(problems)
