"""The account pages in Chromium (issue 27; docs/accounts.md, "In the web app"): sign in, change the
password, create and revoke an API token, manage a member and sign out, as a person does with the
pages' own forms (each carrying its CSRF token), under the strict Content-Security-Policy with a
clean console (no CSP violation, no error or warning) and no serious or critical axe-core
violation on any account page, its error summaries included. Screenshots go to
artifacts/web/accounts-*.png."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

pytest.importorskip("playwright")
from tests.test_web_browser import ARTIFACTS, browser, desktop_page, live_server  # noqa: E402,F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

EMAIL = "ann@birmingham.gov.uk"
PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a new long pass phrase"
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from carescale.accounts import open_accounts

    url = f"sqlite:///{tmp_path_factory.mktemp('accounts-browser') / 'store.db'}"
    acc = open_accounts(url)
    acc.create_admin(EMAIL, "birmingham", PASSWORD, org_name="Birmingham City Council")
    acc.create_user("vic@birmingham.gov.uk", PASSWORD)
    acc.set_role("vic@birmingham.gov.uk", "birmingham", "viewer")
    with live_server(url) as live:
        live.accounts = acc
        yield live


class Watch:
    """Console errors and warnings, uncaught errors and CSP violations of every page visited, and
    axe-core's serious and critical violations of the pages checked."""

    def __init__(self, page, server):
        from axe_playwright_python.sync_playwright import Axe

        self.page, self.server, self.axe, self.problems = page, server, Axe(), []
        self.hosts: list[str] = []
        page.add_init_script(WATCH)
        page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: self.problems.append(f"uncaught: {e}"))
        page.on("request", lambda r: self.hosts.append(urlparse(r.url).netloc) if r.url.startswith("http") else None)
        self.page_statuses: set[int] = set()  # a form's error page answers 401, 403 or 422: that is its point
        page.on("response", self._response)

    def _response(self, response) -> None:
        if response.status >= 400:
            if response.request.resource_type == "document":
                self.page_statuses.add(response.status)
            else:
                self.problems.append(f"{response.url}: {response.status}")

    def results(self) -> list[str]:
        """Every problem, less Chromium's console line for a page's own error status."""
        own = re.compile(r"console error: Failed to load resource: the server responded with a status of (\d+)")
        return [p for p in self.problems if not ((m := own.match(p)) and int(m.group(1)) in self.page_statuses)]

    def check(self, name: str, shot: bool = True) -> None:
        """This page: its CSP header, no violation so far, and axe."""
        page = self.page
        page.wait_for_load_state("load")
        page.wait_for_timeout(200)  # the module scripts run
        self.problems += [f"{name}: CSP violation: {v}" for v in page.evaluate("window.__csp")]
        found = self.axe.run(page).response["violations"]
        self.problems += [f"{name}: {v['id']} ({v['impact']}): {v['help']}" for v in found
                          if v["impact"] in ("serious", "critical")]
        if shot:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"accounts-{name}.png"), full_page=True)


def _press(page, name: str) -> None:
    """Press a form's button and wait for the page it leads to: a click returns once that page has
    started to load, so what is on it (the header's links, an error summary) may not be there yet."""
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def _errors(page) -> list[str]:
    return [t.strip() for t in page.locator(".govuk-error-summary__list li").all_inner_texts()]


def test_sign_in_change_password_token_members_and_sign_out_in_chromium(browser, server):
    import httpx

    from carescale.web.security import CSP

    with desktop_page(browser, 30_000) as page:
        watch = Watch(page, server)
        got = page.goto(server.url + "/account")  # anonymous: sent to sign in, and back
        assert got.headers["content-security-policy"] == CSP
        assert urlparse(page.url).path == "/sign-in" and "next=/account" in page.url
        assert page.get_by_role("link", name="Sign in").is_visible()
        watch.check("sign-in")
        page.get_by_label("Email address").fill(EMAIL)
        page.get_by_label("Password").fill("not the right password")
        _press(page, "Sign in")
        assert _errors(page) == ["sign-in failed: the email address or the password is not right"]
        watch.check("sign-in-failed")
        page.get_by_label("Password").fill(PASSWORD)
        _press(page, "Sign in")
        assert urlparse(page.url).path == "/account"
        assert page.get_by_role("link", name=f"Signed in as {EMAIL}").is_visible()
        watch.check("account")

        # a password change that does not match, then one that does: every session ends
        page.get_by_label("Current password").fill(PASSWORD)
        page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("Type the new password again").fill(NEW_PASSWORD + "!")
        _press(page, "Change the password")
        assert _errors(page) == ["confirm_password: the two new passwords are not the same; type the same password "
                                 "in both boxes"]
        watch.check("account-error")
        page.get_by_label("Current password").fill(PASSWORD)
        page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("Type the new password again").fill(NEW_PASSWORD)
        _press(page, "Change the password")
        assert urlparse(page.url).path == "/sign-in"
        assert "Your password has been changed" in page.locator(".govuk-notification-banner").inner_text()
        watch.check("password-changed")
        assert page.goto(server.url + "/account") and urlparse(page.url).path == "/sign-in"  # signed out
        page.get_by_label("Email address").fill(EMAIL)
        page.get_by_label("Password").fill(NEW_PASSWORD)
        _press(page, "Sign in")
        assert urlparse(page.url).path == "/account"

        # a personal API token: shown once, works on the API, revoked on the page
        page.get_by_label("Name of a new token").fill("Finance laptop")
        _press(page, "Create a token")
        token = page.locator("#new-token-value").inner_text().strip()
        assert re.fullmatch(r"csk_[A-Za-z0-9_-]{43}", token)
        watch.check("token-created")
        bearer = {"Authorization": f"Bearer {token}"}
        assert httpx.get(server.url + "/api/v1/account", headers=bearer).json()["email"] == EMAIL
        page.goto(server.url + "/account")
        assert token not in page.content()
        _press(page, "Revoke the token Finance laptop")
        assert "The API token has been revoked" in page.locator(".govuk-notification-banner").inner_text()
        watch.check("token-revoked")
        assert httpx.get(server.url + "/api/v1/account", headers=bearer).status_code == 401

        # the organisation's members: add one, change a role
        page.goto(server.url + "/organisations/birmingham/members")
        watch.check("members")
        page.get_by_label("Email address").fill("bob@birmingham.gov.uk")
        page.get_by_label("editor").check()
        _press(page, "Add the member")
        assert "bob@birmingham.gov.uk is now a member (editor)." in page.locator(".govuk-notification-banner").inner_text()
        assert "/reset-password/" in page.locator("#set-password-link").inner_text()
        watch.check("member-added")
        page.get_by_label("Role of vic@birmingham.gov.uk").select_option("editor")
        _press(page, "Change the role of vic@birmingham.gov.uk")
        assert "The role has been changed." in page.locator(".govuk-notification-banner").inner_text()
        assert server.accounts.get_user("vic@birmingham.gov.uk").roles == {"birmingham": "editor"}

        # signing out from the header
        _press(page, "Sign out")
        assert urlparse(page.url).path == "/sign-in"
        assert "You have signed out." in page.locator(".govuk-notification-banner").inner_text()
        assert page.get_by_role("link", name="Sign in").is_visible()
        watch.check("signed-out")
        page.goto(server.url + "/account")
        assert urlparse(page.url).path == "/sign-in"
    assert not watch.results(), "\n".join(watch.results())
    assert watch.page_statuses == {401, 422}  # the failed sign-in and the passwords that differ
    assert {h for h in watch.hosts} == {urlparse(server.url).netloc}


def test_a_form_from_a_page_without_its_token_is_refused_in_the_browser(browser, server):
    """A form whose hidden token was removed (as a forged form would lack it) is refused with the
    403 GOV.UK page, which itself runs cleanly under the CSP."""
    with desktop_page(browser, 30_000) as page:
        watch = Watch(page, server)
        page.goto(server.url + "/sign-in")
        page.evaluate("document.querySelector('input[name=csrf_token]').remove()")
        page.get_by_label("Email address").fill(EMAIL)
        page.get_by_label("Password").fill(NEW_PASSWORD)
        with page.expect_navigation() as nav:
            page.get_by_role("button", name="Sign in").click()
        assert nav.value.status == 403
        assert page.locator("h1").inner_text() == "Sorry, this form could not be sent"
        assert _errors(page)[0].startswith("Refused: this form was sent without its security token")
        watch.check("csrf-refused")
    assert not watch.results(), "\n".join(watch.results())
    assert watch.page_statuses == {403}
