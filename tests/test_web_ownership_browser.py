"""Two councils side by side in Chromium (issue 27, acceptance; docs/accounts.md): a user of
Alpha and a user of Beta, each in their own browser context, see only their own council's plans;
Alpha's admin shares one plan read-only with Beta through the Share form, and Beta then sees that
plan (and only that one) read-only: no Add a review, no Approve, the review form refused.
Screenshots: artifacts/web/27-two-councils-*.png."""

from __future__ import annotations

import pytest

from tests.accounts_helpers import sign_in_context
from tests.conftest import require_tool  # noqa: F401 - used by the shared browser fixture
from tests.test_web_browser import ARTIFACTS, CHROMIUM, LAUNCH_ARGS, browser, live_server  # noqa: F401

pytest.importorskip("playwright")
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ALPHA = {"email": "planner@alpha.gov.uk", "org": "alpha", "role": "admin"}
BETA = {"email": "planner@beta.gov.uk", "org": "beta", "role": "admin"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from carescale.plans import cycle

    url = f"sqlite:///{tmp_path_factory.mktemp('two-councils') / 'store.db'}"
    with live_server(url) as live:
        from tests.accounts_helpers import member

        member(live.app, ALPHA["email"], "alpha", "admin")
        member(live.app, BETA["email"], "beta", "admin")
        for pid, name, owner in (("alpha-falls", "Alpha falls plan", "alpha"), ("alpha-second", "Alpha second plan", "alpha"),
                                 ("beta-discharge", "Beta discharge plan", "beta")):
            cycle.create_plan_from({
                "id": pid, "name": name, "library": "community-agents", "area": "birmingham", "start": "2027-04-01",
                "end": "2028-03-31", "budget": 2_000_000,
                "phases": [{"name": "all", "start": "2027-04-01", "end": "2028-03-31", "scale": 0.5}],
                "funding": {"route": "transition_funds", "source": "Fund"}}, url=url, owner=owner)
        yield live


def _council(browser, server, who):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    sign_in_context(context, server, **who)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.route("**/vendor/plotly.min.js", lambda route: route.fulfill(body="", content_type="text/javascript"))
    return context, page


def _plans(page, server) -> list[str]:
    page.goto(server.url + "/plans")
    return sorted(page.locator("#plans tbody tr td:first-child a").all_inner_texts())


def test_two_councils_see_only_their_own_plans_and_a_shared_plan_is_read_only(browser, server):
    alpha_ctx, alpha = _council(browser, server, ALPHA)
    beta_ctx, beta = _council(browser, server, BETA)
    try:
        assert _plans(alpha, server) == ["Alpha falls plan", "Alpha second plan"]
        assert _plans(beta, server) == ["Beta discharge plan"]
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        alpha.screenshot(path=str(ARTIFACTS / "27-two-councils-alpha-plans.png"))
        beta.screenshot(path=str(ARTIFACTS / "27-two-councils-beta-plans.png"))
        # Beta cannot open Alpha's plan: the same page as a plan that does not exist
        got = beta.goto(server.url + "/plans/alpha-falls")
        assert got.status == 404 and "Page not found" in beta.title()
        assert "Alpha falls plan" not in beta.content()

        # Alpha's admin shares one plan with Beta, read-only, through the form on the plan's page
        alpha.goto(server.url + "/plans/alpha-falls")
        assert alpha.locator("#add-review").is_visible() and alpha.locator("#approve").is_visible()
        alpha.get_by_label("Share with").select_option("beta")
        alpha.get_by_label("Read only").check()
        alpha.get_by_role("button", name="Share the plan").click()
        alpha.wait_for_url("**/plans/alpha-falls#sharing")
        assert "Beta: read only (shared by planner@alpha.gov.uk)" in alpha.locator("#share-list").inner_text()

        # Beta now sees that plan, and only that one of Alpha's, read-only
        assert _plans(beta, server) == ["Alpha falls plan", "Beta discharge plan"]
        beta.get_by_role("link", name="Alpha falls plan").click()
        beta.wait_for_url("**/plans/alpha-falls")
        assert beta.locator("#read-only").inner_text() == "Read only"
        assert "Belongs to Alpha" in beta.locator("#ownership").inner_text()
        assert beta.locator("#add-review").count() == 0 and beta.locator("#approve").count() == 0
        assert beta.locator("#share-form").count() == 0
        beta.screenshot(path=str(ARTIFACTS / "27-two-councils-beta-reads-shared.png"), full_page=False)
        got = beta.goto(server.url + "/plans/alpha-falls/reviews/new")
        assert got.status == 403
        got = beta.goto(server.url + "/plans/alpha-second")
        assert got.status == 404
        # Beta's own plan is still Beta's alone
        got = alpha.goto(server.url + "/plans/beta-discharge")
        assert got.status == 404
    finally:
        alpha_ctx.close()
        beta_ctx.close()
