"""Single sign-on in Chromium (issue 27 acceptance; docs/accounts.md): the web app on a real server
and ``oidc-provider-mock`` as a real OpenID Connect provider on another loopback address (a
different site, so the SameSite=Lax cookies are tested as a browser treats them). The person
opens the sign-in page, presses "Sign in with Birmingham City Council", types their email at the provider and presses
Authorize; they come back signed in, with a session the accounts library knows, as a passwordless
member of Birmingham. Our pages keep a clean console under the Content-Security-Policy, and the
browser asks no host but the app and the provider (the mock's own stylesheet CDN is blocked)."""

from __future__ import annotations

import re

import pytest

from .test_oidc import SECRET_ENV, _providers, mock_issuer  # noqa: F401 - the fixture

pytest.importorskip("playwright")
from .test_web_browser import browser, desktop_page  # noqa: E402,F401 - the shared Chromium

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


@pytest.fixture
def site(tmp_path, mock_issuer, monkeypatch):
    from carescale.web.app import create_app
    from carescale.web.server import LiveServer
    from carescale.web.storage import DatabaseScenarioStore

    monkeypatch.setenv(SECRET_ENV, "test-client-secret")
    from carescale.accounts import oidc

    oidc.CACHE.clear()
    app = create_app(DatabaseScenarioStore(f"sqlite:///{tmp_path / 'store.db'}"))
    app.state.sso_providers = _providers(mock_issuer, first_sign_in_role="editor")
    with LiveServer(app) as live:
        live.app = app
        yield live


def test_sign_in_through_the_provider_in_chromium(browser, site, mock_issuer):
    from urllib.parse import urlsplit

    from carescale.web.auth import SESSION_COOKIE, accounts

    ours = urlsplit(site.url).netloc
    theirs = urlsplit(mock_issuer).netloc
    problems: list[str] = []
    hosts: set[str] = set()
    with desktop_page(browser, 20_000) as page:
        page.route("https://cdn.jsdelivr.net/**", lambda route: route.abort())  # the mock's stylesheet
        page.on("request", lambda r: hosts.add(urlsplit(r.url).netloc) if r.url.startswith("http") else None)
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning") and urlsplit(m.location.get("url") or "").netloc == ours else None)
        page.on("pageerror", lambda e: problems.append(f"uncaught: {e}"))
        page.add_init_script(WATCH)

        page.goto(site.url + "/sign-in?next=/plans")
        assert page.evaluate("window.__csp") == []
        from axe_playwright_python.sync_playwright import Axe

        found = Axe().run(page).response["violations"]  # the sign-in page with its organisation's button
        problems += [f"axe: {v['id']} ({v['impact']}): {v['help']}" for v in found if v["impact"] in ("serious", "critical")]
        page.get_by_role("button", name="Sign in with Birmingham City Council").click()
        page.wait_for_url(re.compile(re.escape(mock_issuer) + r"/oauth2/authorize\?"))
        page.locator("input[name=sub]").fill("erin.jones@birmingham.gov.uk")
        page.get_by_role("button", name="Authorize").click()
        page.wait_for_url(site.url + "/plans")
        page.wait_for_load_state("load")
        assert page.evaluate("window.__csp") == []
        assert page.get_by_role("link", name="Signed in as erin.jones@birmingham.gov.uk").is_visible()
        cookies = {c["name"]: c for c in page.context.cookies(site.url)}
        assert SESSION_COOKIE in cookies and cookies[SESSION_COOKIE]["httpOnly"]
        assert cookies[SESSION_COOKIE]["sameSite"] == "Lax"
        assert "carescale_sso" not in cookies  # the pending sign-in is gone

    class _Req:
        app = site.app

    user = accounts(_Req()).session_user(cookies[SESSION_COOKIE]["value"])
    assert user.email == "erin.jones@birmingham.gov.uk" and user.roles == {"birmingham": "editor"}
    assert user.single_sign_on
    assert hosts <= {ours, theirs, "cdn.jsdelivr.net"}, hosts
    assert not problems, "\n".join(problems)


def test_a_refused_sign_in_is_a_page_with_its_line_under_the_csp(browser, site, mock_issuer):
    """The person presses Deny at the provider: back on carescale, a 401 page says why in its error
    summary, no session cookie is set, and the page runs under the CSP with a clean console."""
    from urllib.parse import urlsplit

    from carescale.web.auth import SESSION_COOKIE
    from carescale.web.security import CSP

    ours = urlsplit(site.url).netloc
    problems: list[str] = []
    with desktop_page(browser, 20_000) as page:
        page.route("https://cdn.jsdelivr.net/**", lambda route: route.abort())
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning") and urlsplit(m.location.get("url") or "").netloc == ours
                and "status of 401" not in m.text else None)  # the page's own status is its point
        page.on("pageerror", lambda e: problems.append(f"uncaught: {e}"))
        page.add_init_script(WATCH)
        page.goto(site.url + "/sign-in/birmingham/sso")
        page.wait_for_url(re.compile(re.escape(mock_issuer) + r"/oauth2/authorize\?"))
        with page.expect_navigation(url=re.compile(re.escape(site.url) + "/sign-in/birmingham/sso/callback")) as nav:
            page.get_by_role("button", name="Deny").click()
        answer = nav.value
        assert answer.status == 401 and answer.headers["content-security-policy"] == CSP
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)  # let module scripts run
        assert page.get_by_role("heading", name="You could not be signed in").is_visible()
        summary = page.locator(".govuk-error-summary").inner_text()
        assert ("sign-in with Birmingham City Council was not completed: the provider answered 'access_denied'"
                in summary)
        assert page.evaluate("window.__csp") == []
        assert "js-enabled" in page.evaluate("document.body.className")  # the GOV.UK script ran from its file
        assert SESSION_COOKIE not in {c["name"] for c in page.context.cookies(site.url)}
    assert not problems, "\n".join(problems)
