"""Signing in with a local account, the account page, password reset and an organisation's
members, through the web (issue 27; docs/accounts.md, "In the web app"): sessions end at sign-out
and at a password change, a revoked API token stops working on /api/, the 6th failed sign-in in a
minute is refused (429, Retry-After) with the same answer and similar timing whether or not the
account exists, and every invalid form (tests/invalid_inputs/accounts/web/) has its exact message."""

from __future__ import annotations

import re
import statistics
import time

import pytest
import yaml

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from tests.conftest import INVALID  # noqa: E402
from tests.web_helpers import post_form  # noqa: E402

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a new long pass phrase"
SAME_ORIGIN = {"Origin": "http://testserver"}
FAILED = "sign-in failed: the email address or the password is not right"
TOO_MANY = "Too many failed sign-in attempts: wait a minute, then try again"
WEB_INVALID = INVALID / "accounts" / "web"


@pytest.fixture(scope="module")
def accounts_db(tmp_path_factory):
    """Three accounts in two councils, made once."""
    from carescale.accounts import open_accounts

    path = tmp_path_factory.mktemp("accounts") / "store.db"
    acc = open_accounts(f"sqlite:///{path}")
    acc.create_admin("ann@council.gov.uk", "birmingham", PASSWORD, org_name="Birmingham City Council")
    acc.create_admin("lee@leeds.gov.uk", "leeds", PASSWORD, org_name="Leeds City Council")
    acc.create_user("vic@council.gov.uk", PASSWORD)
    acc.set_role("vic@council.gov.uk", "birmingham", "viewer")
    acc.store.engine.dispose()
    return path


@pytest.fixture
def app(tmp_path, accounts_db):
    """The app on its own copy of those accounts."""
    import shutil

    from carescale.web.app import create_app
    from carescale.web.storage import DatabaseScenarioStore

    shutil.copy(accounts_db, tmp_path / "store.db")
    return create_app(DatabaseScenarioStore(f"sqlite:///{tmp_path / 'store.db'}"))


def _acc(app):
    from carescale.web import auth

    return auth.accounts(type("R", (), {"app": app})())


def _client(app) -> TestClient:
    return TestClient(app, headers=SAME_ORIGIN, follow_redirects=False)


def _sign_in(c: TestClient, email: str = "ann@council.gov.uk", password: str = PASSWORD, next_path: str = "/"):
    return post_form(c, "/sign-in", {"email": email, "password": password, "next": next_path})


def summary(html: str) -> list[str]:
    if 'govuk-error-summary__list">' not in html:
        return []
    body = html.split('govuk-error-summary__list">', 1)[1].split("</ul>", 1)[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", li)).strip().replace("&#39;", "'").replace("&amp;", "&")
            for li in re.findall(r"<li>(.*?)</li>", body, re.S)]


# -- signing in and out ----------------------------------------------------------------------------------


def test_sign_in_returns_to_next_sets_the_cookie_and_names_the_user_in_the_header(app):
    with _client(app) as c:
        anonymous = c.get("/account")
        assert anonymous.status_code == 303 and anonymous.headers["location"] == "/sign-in?next=/account"
        page = c.get(anonymous.headers["location"])
        assert page.status_code == 200 and '<input type="hidden" name="next" value="/account">' in page.text
        assert '<a class="govuk-service-navigation__link" href="/sign-in">Sign in</a>' in page.text
        assert page.headers["cache-control"] == "no-store"
        got = _sign_in(c, next_path="/account")
        assert got.status_code == 303 and got.headers["location"] == "/account"
        cookie = got.headers["set-cookie"]
        assert re.fullmatch(r"carescale_session=[A-Za-z0-9_-]{43}; HttpOnly; Max-Age=28800; Path=/; SameSite=lax", cookie)
        account = c.get("/account")
        assert account.status_code == 200 and ">Signed in as ann@council.gov.uk</a>" in account.text
        assert "Birmingham City Council: admin" in account.text
        assert ">Signed in as ann@council.gov.uk</a>" in c.get("/evidence").text  # every page's header


@pytest.mark.parametrize("next_path", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_sign_in_never_sends_to_another_site(app, next_path):
    with _client(app) as c:
        got = _sign_in(c, next_path=next_path)
        assert got.status_code == 303 and got.headers["location"] == "/"


def test_session_cookie_is_secure_when_the_public_address_is_https(app, monkeypatch):
    monkeypatch.setenv("CARESCALE_PUBLIC_URL", "https://carescale.example.org")
    with TestClient(app, headers={"Origin": "https://carescale.example.org"}, follow_redirects=False,
                    base_url="https://carescale.example.org") as c:
        first = c.get("/sign-in")  # a new browser: its CSRF cookie is Secure too
        assert re.fullmatch(r"carescale_csrf=[A-Za-z0-9_-]{43}; HttpOnly; Path=/; SameSite=lax; Secure",
                            first.headers["set-cookie"])
        got = _sign_in(c)
        assert got.status_code == 303 and got.headers["set-cookie"].endswith("; SameSite=lax; Secure")


def test_sign_out_ends_the_session_even_for_a_copy_of_the_cookie(app):
    with _client(app) as c:
        _sign_in(c)
        session = c.cookies.get("carescale_session")
        got = post_form(c, "/sign-out")
        assert got.status_code == 303 and got.headers["location"] == "/sign-in?done=signed-out"
        assert 'carescale_session="";' in got.headers["set-cookie"]
        assert "You have signed out." in c.get(got.headers["location"]).text
        with _client(app) as replay:  # the old cookie, sent again, signs nobody in
            replay.cookies.set("carescale_session", session)
            assert replay.get("/account").status_code == 303
            assert replay.get("/api/v1/account").status_code == 401
    assert [a["action"] for a in _acc(app).audit_log()][-2:] == ["sign-in", "sign-out"]


def test_signing_in_again_makes_a_new_session_and_ends_the_browsers_old_one(app):
    with _client(app) as c:
        _sign_in(c)
        ann = c.cookies.get("carescale_session")
        assert _sign_in(c, "vic@council.gov.uk").status_code == 303
        vic = c.cookies.get("carescale_session")
        assert vic != ann and ">Signed in as vic@council.gov.uk</a>" in c.get("/account").text
        with _client(app) as replay:
            replay.cookies.set("carescale_session", ann)
            assert replay.get("/account").status_code == 303


def test_a_password_change_ends_every_session_of_the_account(app):
    with _client(app) as laptop, _client(app) as phone:
        _sign_in(laptop)
        _sign_in(phone)
        assert phone.get("/account").status_code == 200
        got = post_form(laptop, "/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                                       "confirm_password": NEW_PASSWORD})
        assert got.status_code == 303 and got.headers["location"] == "/sign-in?done=password"
        assert "Sign in with your new password." in laptop.get(got.headers["location"]).text
        assert laptop.get("/account").status_code == 303
        assert phone.get("/account").status_code == 303  # the other session has ended too
        assert summary(_sign_in(laptop).text) == [FAILED]  # the old password no longer works
        assert _sign_in(laptop, password=NEW_PASSWORD).status_code == 303
        assert laptop.get("/account").status_code == 200


# -- API tokens ----------------------------------------------------------------------------------------


def test_a_token_made_on_the_account_page_is_shown_once_works_on_the_api_and_stops_when_revoked(app):
    with _client(app) as c:
        _sign_in(c)
        made = post_form(c, "/account/tokens", {"token_name": "Finance laptop"})
        assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
        token = re.search(r'<code id="new-token-value">(csk_[A-Za-z0-9_-]{43})</code>', made.text).group(1)
        again = c.get("/account").text
        assert token not in again and "Finance laptop" in again  # shown once; listed by its name
        token_id = re.search(r'action="/account/tokens/(\d+)/revoke"', again).group(1)
        with TestClient(app) as script:  # no cookie, no Origin: a script with the token
            bearer = {"Authorization": f"Bearer {token}"}
            who = script.get("/api/v1/account", headers=bearer)
            assert who.status_code == 200
            assert who.json() == {"email": "ann@council.gov.uk", "organisations": {"birmingham": "admin"}}
            revoked = post_form(c, f"/account/tokens/{token_id}/revoke")
            assert revoked.status_code == 303 and revoked.headers["location"] == "/account?done=revoked"
            assert "Revoked " in c.get("/account").text
            refused = script.get("/api/v1/account", headers=bearer)
            assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
            assert refused.json() == {"detail": "the API token is not valid (unknown, revoked, or its account is "
                                                "disabled); create a new one on /account"}


def test_another_users_token_cannot_be_revoked(app):
    acc = _acc(app)
    lee_token, _ = acc.create_api_token(acc.get_user("lee@leeds.gov.uk"), "lee's")
    with _client(app) as c:
        _sign_in(c)
        got = post_form(c, f"/account/tokens/{lee_token}/revoke")
        assert got.status_code == 404 and summary(got.text) == [f"token: you have no API token {lee_token}"]
    assert acc.api_tokens(acc.get_user("lee@leeds.gov.uk"))[0]["revoked_at"] is None


# -- password reset --------------------------------------------------------------------------------------


def test_reset_password_with_the_printed_token_works_once_and_ends_sessions(app):
    acc = _acc(app)
    with _client(app) as c, _client(app) as other:
        _sign_in(other)
        token = acc.issue_password_reset("ann@council.gov.uk")
        form = c.get(f"/reset-password/{token}")
        assert form.status_code == 200 and f'action="/reset-password/{token}"' in form.text
        assert form.headers["cache-control"] == "no-store"
        fields = {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
        got = post_form(c, f"/reset-password/{token}", fields)
        assert got.status_code == 303 and got.headers["location"] == "/sign-in?done=reset"
        assert other.get("/account").status_code == 303
        assert _sign_in(c, password=NEW_PASSWORD).status_code == 303
        twice = post_form(c, f"/reset-password/{token}", fields)
        assert twice.status_code == 422 and summary(twice.text) == [
            "reset token: not valid (unknown, already used or expired); ask an administrator for a new one"]


# -- an organisation's members -------------------------------------------------------------------------


def test_an_admin_adds_changes_and_removes_members_and_each_change_is_audited(app):
    acc = _acc(app)
    with _client(app) as c:
        _sign_in(c)
        page = c.get("/organisations/birmingham/members")
        assert page.status_code == 200 and "Birmingham City Council" in page.text
        assert "ann@council.gov.uk (you)" in page.text and "vic@council.gov.uk" in page.text
        new = post_form(c, "/organisations/birmingham/members", {"email": "Bob@Council.gov.uk", "role": "editor"})
        assert new.status_code == 200 and "bob@council.gov.uk is now a member (editor)." in new.text
        link = re.search(r'<code id="set-password-link">http://testserver/reset-password/([A-Za-z0-9_-]+)</code>', new.text)
        acc.reset_password(link.group(1), NEW_PASSWORD)  # the link sets the new account's password
        assert acc.sign_in("bob@council.gov.uk", NEW_PASSWORD)[0].roles == {"birmingham": "editor"}
        existing = post_form(c, "/organisations/birmingham/members", {"email": "lee@leeds.gov.uk", "role": "viewer"})
        assert existing.status_code == 200 and 'id="set-password-link"' not in existing.text
        role = post_form(c, "/organisations/birmingham/members/role", {"email": "bob@council.gov.uk", "role": "approver"})
        assert role.status_code == 303 and role.headers["location"] == "/organisations/birmingham/members?done=role"
        removed = post_form(c, "/organisations/birmingham/members/remove", {"email": "lee@leeds.gov.uk"})
        assert removed.status_code == 303
    assert {m["email"]: m["role"] for m in acc.members("birmingham")} == {
        "ann@council.gov.uk": "admin", "bob@council.gov.uk": "approver", "vic@council.gov.uk": "viewer"}
    lines = [(a["actor"], a["action"], a["detail"]) for a in acc.audit_log() if a["object"] == "organisation:birmingham"]
    assert lines[-4:] == [("ann@council.gov.uk", "membership.set", "bob@council.gov.uk: not a member -> editor"),
                          ("ann@council.gov.uk", "membership.set", "lee@leeds.gov.uk: not a member -> viewer"),
                          ("ann@council.gov.uk", "membership.set", "bob@council.gov.uk: editor -> approver"),
                          ("ann@council.gov.uk", "membership.remove", "lee@leeds.gov.uk: viewer -> removed")]


def test_only_an_admin_of_that_organisation_sees_or_changes_its_members(app):
    with _client(app) as anonymous:
        got = anonymous.get("/organisations/birmingham/members")
        assert got.status_code == 303 and got.headers["location"] == "/sign-in?next=/organisations/birmingham/members"
    for email in ("vic@council.gov.uk", "lee@leeds.gov.uk"):  # a viewer; another council's admin
        with _client(app) as c:
            _sign_in(c, email)
            page = c.get("/organisations/birmingham/members")
            assert page.status_code == 403, email
            assert summary(page.text) == ["members: not allowed in organisation 'birmingham' for this account"]
            assert "vic@council.gov.uk" not in page.text.replace(f"Signed in as {email}", "")
            add = post_form(c, "/organisations/birmingham/members", {"email": "eve@evil.example", "role": "admin"})
            assert add.status_code == 403
            assert post_form(c, "/organisations/birmingham/members/remove", {"email": "ann@council.gov.uk"}).status_code == 403
            assert c.get("/organisations/no-such-org/members").status_code == 403  # the same as a real one
    assert {m["email"] for m in _acc(app).members("birmingham")} == {"ann@council.gov.uk", "vic@council.gov.uk"}


# -- rate limiting and timing ----------------------------------------------------------------------------


def test_the_sixth_failure_in_a_minute_is_refused_for_the_account_and_for_the_address(app):
    with _client(app) as c:
        for _ in range(5):
            got = _sign_in(c, password="not the right password")
            assert (got.status_code, summary(got.text)) == (401, [FAILED])
        sixth = _sign_in(c)  # even with the right password
        assert sixth.status_code == 429 and summary(sixth.text) == [TOO_MANY]
        assert 55 <= int(sixth.headers["retry-after"]) <= 60
        assert "carescale_session" not in sixth.headers.get("set-cookie", "")
        # the same client address, another account, and an account that does not exist: refused too
        for email in ("vic@council.gov.uk", "nobody@council.gov.uk"):
            other = _sign_in(c, email)
            assert (other.status_code, summary(other.text)) == (429, [TOO_MANY])
    app.state.sign_in_limit.window.storage.reset()
    from carescale.web.sign_in_limit import SignInLimit

    limit = SignInLimit()
    for n in range(5):  # the account's own count, from five different addresses
        limit.failed("ann@council.gov.uk", f"10.0.0.{n}")
    assert limit.wait("ANN@council.gov.uk ", "10.0.0.99") is not None
    assert limit.wait("vic@council.gov.uk", "10.0.0.99") is None


def test_failures_answer_the_same_with_similar_timing_whether_or_not_the_account_exists(app, real_password_cost):
    """Median of 5 failed sign-ins each way, at carescale's own argon2 cost (an account made here with
    it); generous tolerance (a shared machine), not absolute speed."""
    from carescale.web.sign_in_limit import SignInLimit

    _acc(app).create_user("kim@council.gov.uk", PASSWORD)
    app.state.sign_in_limit = SignInLimit(per_minute=100)
    seconds: dict[str, list[float]] = {"exists": [], "unknown": []}
    pages = set()
    with _client(app) as c:
        for _ in range(5):
            for kind, email in (("exists", "kim@council.gov.uk"), ("unknown", "nobody@council.gov.uk")):
                t = time.perf_counter()
                got = _sign_in(c, email, "not the right password")
                seconds[kind].append(time.perf_counter() - t)
                pages.add((got.status_code, tuple(summary(got.text))))
    assert pages == {(401, (FAILED,))}
    exists, unknown = statistics.median(seconds["exists"]), statistics.median(seconds["unknown"])
    assert abs(exists - unknown) <= 0.5 * max(exists, unknown) + 0.05, seconds


# -- invalid forms ---------------------------------------------------------------------------------------

MESSAGES = {
    "sign_in_empty.yaml": (422, ["Enter your email address", "Enter your password"]),
    "sign_in_wrong_password.yaml": (401, [FAILED]),
    "sign_in_unknown_account.yaml": (401, [FAILED]),
    "password_change_differs.yaml": (422, ["confirm_password: the two new passwords are not the same; type the "
                                           "same password in both boxes"]),
    "password_change_short.yaml": (422, ["password: has 7 characters; a password needs at least 12"]),
    "password_change_wrong_current.yaml": (422, ["password: the current password is not right"]),
    "token_name_empty.yaml": (422, ["Enter a name for the token, such as the computer or script that will use it"]),
    "token_name_too_long.yaml": (422, ["token name: '" + "x" * 55 + "...' must be between 1 and 200 characters"]),
    "reset_unknown_token.yaml": (422, ["reset token: not valid (unknown, already used or expired); ask an "
                                       "administrator for a new one"]),
    "member_bad_email.yaml": (422, ["email: 'ann.smith@council' is not an email address (expected one like "
                                    "name@council.gov.uk)"]),
    "member_unknown_role.yaml": (422, ["role: 'owner' is not a role; valid roles are: viewer, editor, approver, admin"]),
    "member_no_role.yaml": (422, ["Select a role"]),
    "member_already.yaml": (422, ["email: 'vic@council.gov.uk' is already a member of 'birmingham' (as viewer); "
                                 "change their role instead"]),
    "demote_only_admin.yaml": (422, ["role: 'ann@council.gov.uk' is the only admin of 'birmingham'; make another "
                                     "member an admin first"]),
    "remove_only_admin.yaml": (422, ["email: 'ann@council.gov.uk' is the only admin of 'birmingham'; make another "
                                     "member an admin first"]),
    "remove_not_a_member.yaml": (404, ["email: 'zed@council.gov.uk' is not a member of 'birmingham'"]),
}


def test_every_invalid_form_has_a_test():
    assert sorted(p.name for p in WEB_INVALID.glob("*.yaml")) == sorted(MESSAGES)


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_invalid_form_exact_message(app, name):
    case = yaml.safe_load((WEB_INVALID / name).read_text())
    status, messages = MESSAGES[name]
    before = [m for m in _acc(app).members("birmingham")]
    with _client(app) as c:
        if case["as"] != "nobody":
            assert _sign_in(c, case["as"]).status_code == 303
        got = post_form(c, case["post"], case["form"])
        assert (got.status_code, summary(got.text)) == (status, messages)
        assert got.headers["content-security-policy"].startswith("default-src 'self'")
        for secret in ("correct horse", "not my password", "a new long pass phrase", "hunter2"):
            assert secret not in got.text  # a password is never shown back
    assert _acc(app).members("birmingham") == before  # nothing changed


def test_the_sign_in_page_offers_each_organisations_single_sign_on(tmp_path, accounts_db, monkeypatch):
    """With a provider configured (acc-oidc's CARESCALE_OIDC_PROVIDERS), the sign-in page offers
    "Sign in with <organisation>" (keeping next) above the email and password form."""
    import shutil

    from carescale.web.app import create_app
    from carescale.web.storage import DatabaseScenarioStore

    providers = tmp_path / "providers.yaml"
    providers.write_text(yaml.safe_dump({"providers": {"birmingham": {
        "name": "Birmingham City Council", "issuer": "https://login.example.org/tenant/v2.0",
        "client_id": "carescale", "client_secret_env": "BHAM_SECRET", "allowed_email_domains": ["council.gov.uk"]}}}))
    monkeypatch.setenv("CARESCALE_OIDC_PROVIDERS", str(providers))
    monkeypatch.setenv("BHAM_SECRET", "s3cret")
    shutil.copy(accounts_db, tmp_path / "store.db")
    app = create_app(DatabaseScenarioStore(f"sqlite:///{tmp_path / 'store.db'}"))
    with _client(app) as c:
        page = c.get("/sign-in?next=/plans").text
        assert 'href="/sign-in/birmingham/sso?next=/plans"' in page and "Sign in with Birmingham City Council" in page
        assert page.index("Sign in with Birmingham City Council") < page.index('action="/sign-in"')
        assert "Sign in with an email address and password" in page
    monkeypatch.delenv("CARESCALE_OIDC_PROVIDERS")
    with _client(_app_without_providers(tmp_path)) as c:
        page = c.get("/sign-in").text
        assert "Sign in with your organisation" not in page and "Sign in with an email address" not in page


def _app_without_providers(tmp_path):
    from carescale.web.app import create_app
    from carescale.web.storage import DatabaseScenarioStore

    return create_app(DatabaseScenarioStore(f"sqlite:///{tmp_path / 'store.db'}"))
