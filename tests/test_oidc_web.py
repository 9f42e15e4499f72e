"""Single sign-on in the web app (issue 27, docs/accounts.md "Single sign-on with OpenID Connect"):
``/sign-in/<org>/sso`` and its callback on a real server, against the provider tests/test_oidc.py
plays (its own key, the ID token each test signs). A right token gives the session cookie and
goes where the sign-in started; a token with a wrong audience, an expired one, one with a wrong
nonce and a replayed state are each answered 401 with their one line in the page's error summary
and no session. The sign-in in Chromium through oidc-provider-mock is tests/test_oidc_browser.py."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from markupsafe import escape

from .test_oidc import CLIENT_ID, SECRET_ENV, _providers, fake  # noqa: F401 - the fixture

ORG = "birmingham"


@pytest.fixture(autouse=True)
def _secret(monkeypatch):
    monkeypatch.setenv(SECRET_ENV, "test-client-secret")


@pytest.fixture(autouse=True)
def _fresh_limit(request):
    """Each test starts with no failed sign-ins counted (every request here comes from 127.0.0.1)."""
    if "site" in request.fixturenames:
        request.getfixturevalue("site").app.state.sign_in_limit = None


@pytest.fixture(scope="module")
def site(tmp_path_factory, fake):
    """The web app on a real server, with Birmingham's provider the fake one."""
    from carescale.web.app import create_app
    from carescale.web.server import LiveServer
    from carescale.web.storage import DatabaseScenarioStore

    app = create_app(DatabaseScenarioStore(f"sqlite:///{tmp_path_factory.mktemp('sso') / 'store.db'}"))
    app.state.sso_providers = _providers(fake.issuer)
    with LiveServer(app) as live:
        live.app = app
        yield live


def _client(site):
    import httpx

    return httpx.Client(base_url=site.url, follow_redirects=False, timeout=30)


def _start(client, next_path: str = "/") -> dict[str, str]:
    """GET /sign-in/birmingham/sso: a 303 to the provider, whose query is returned."""
    answer = client.get(f"/sign-in/{ORG}/sso", params={"next": next_path})
    assert answer.status_code == 303, answer.text[:500]
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["location"]).query).items()}


def _back(client, sent: dict[str, str], code: str = "code-1"):
    return client.get(f"/sign-in/{ORG}/sso/callback", params={"code": code, "state": sent["state"]})


def _accounts(site):
    from carescale.web.auth import accounts

    class _Req:  # accounts(request) needs only request.app.state
        app = site.app

    return accounts(_Req())


def test_start_sends_the_browser_to_the_provider_with_pkce_and_a_short_lived_cookie(site, fake):
    with _client(site) as c:
        answer = c.get(f"/sign-in/{ORG}/sso", params={"next": "/plans"})
    assert answer.status_code == 303
    assert answer.headers["location"].startswith(fake.issuer + "/authorize?")
    sent = {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["location"]).query).items()}
    assert sent["redirect_uri"] == f"{site.url}/sign-in/{ORG}/sso/callback"
    assert sent["client_id"] == CLIENT_ID and sent["code_challenge_method"] == "S256" and sent["scope"] == "openid email profile"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("carescale_sso=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert f"Path=/sign-in/{ORG}/sso" in cookie and "Max-Age=600" in cookie
    from carescale.accounts.oidc import Pending, code_challenge

    pending = Pending.from_cookie(cookie.split(";")[0].split("=", 1)[1])  # base64url JSON: the browser's own
    assert pending.state == sent["state"] and pending.nonce == sent["nonce"] and pending.next == "/plans"
    assert code_challenge(pending.verifier) == sent["code_challenge"] and pending.verifier not in answer.headers["location"]
    assert answer.headers["content-security-policy"]  # the app's headers on the redirect too


def test_a_right_token_gives_the_session_cookie_and_goes_where_the_sign_in_started(site, fake):
    with _client(site) as c:
        sent = _start(c, "/plans")
        fake.id_token = fake.sign(fake.claims(sent["nonce"], email="carol@birmingham.gov.uk"))
        answer = _back(c, sent)
        assert answer.status_code == 303 and answer.headers["location"] == "/plans"
        cookies = answer.headers.get_list("set-cookie")
        session = next(h for h in cookies if h.startswith("carescale_session="))
        assert "HttpOnly" in session and "SameSite=lax" in session and "Path=/" in session
        assert any(h.startswith('carescale_sso=""') or "carescale_sso=;" in h or
                   (h.startswith("carescale_sso=") and "Max-Age=0" in h) for h in cookies)  # pending cleared
        token = session.split(";")[0].split("=", 1)[1]
    user = _accounts(site).session_user(token)
    assert user.email == "carol@birmingham.gov.uk" and user.roles == {ORG: "viewer"} and user.single_sign_on


def _refusal(site, fake, make_token) -> tuple[int, str, list[str]]:
    with _client(site) as c:
        sent = _start(c)
        fake.id_token = make_token(sent["nonce"])
        answer = _back(c, sent)
        return answer.status_code, answer.text, answer.headers.get_list("set-cookie")


REFUSED = {
    "wrong audience": (lambda f, n: f.sign(f.claims(n, aud="another-application")),
                       f"ID token: audience 'another-application' is not this application's client id '{CLIENT_ID}'"),
    "wrong nonce": (lambda f, n: f.sign(f.claims(n, nonce="a-nonce-from-another-sign-in")),
                    "ID token: the nonce is not this sign-in's (the token was issued for another sign-in); start again"),
    "expired": (lambda f, n: f.sign(f.claims(n, iat=int(time.time()) - 4000, exp=int(time.time()) - 400)),
                "ID token: expired at "),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_bad_token_is_a_401_page_with_its_line_and_no_session(case, site, fake):
    make, message = REFUSED[case]
    status, page, cookies = _refusal(site, fake, lambda n: make(fake, n))
    assert status == 401
    assert str(escape(message)) in page and "You could not be signed in" in page
    assert 'class="govuk-error-summary"' in page
    assert not any(h.startswith("carescale_session=") and "Max-Age=0" not in h for h in cookies)


def test_a_replayed_state_is_refused_and_gives_no_second_session(site, fake):
    with _client(site) as c:
        sent = _start(c)
        fake.id_token = fake.sign(fake.claims(sent["nonce"], email="dan@birmingham.gov.uk"))
        pending = c.cookies.get("carescale_sso")
        assert _back(c, sent).status_code == 303
    # the same answer and the same pending cookie again, as an attacker who copied both would send them
    with _client(site) as c:
        c.cookies.set("carescale_sso", pending, path=f"/sign-in/{ORG}/sso")
        answer = _back(c, sent)
    assert answer.status_code == 401
    assert str(escape("state: this sign-in was already used (a replayed answer is refused); start again")) in answer.text
    assert not any(h.startswith("carescale_session=") for h in answer.headers.get_list("set-cookie"))


def test_an_answer_without_the_browsers_pending_cookie_is_refused(site, fake):
    with _client(site) as c:
        sent = _start(c)
        c.cookies.clear()  # another browser, or cookies blocked
        fake.id_token = fake.sign(fake.claims(sent["nonce"]))
        answer = _back(c, sent)
    assert answer.status_code == 401
    assert "state: this browser has no sign-in with this organisation under way" in answer.text


def test_an_organisation_without_single_sign_on_is_404(site):
    with _client(site) as c:
        assert c.get("/sign-in/leeds/sso").status_code == 404
        assert c.get("/sign-in/leeds/sso/callback?code=x&state=y").status_code == 404


def test_next_never_leaves_the_site(site, fake):
    with _client(site) as c:
        sent = _start(c, "https://evil.example/steal")
        fake.id_token = fake.sign(fake.claims(sent["nonce"]))
        assert _back(c, sent).headers["location"] == "/"


def test_the_sign_in_buttons_include_lists_each_configured_organisation(site):
    """The include the sign-in page uses: "Sign in with <name>", carrying where to go next."""
    templates = site.app.state.templates

    class _Req:
        app = site.app

    html = templates.env.get_template("sso_buttons.html").render(request=_Req(), next="/plans/7")
    assert "Sign in with Birmingham City Council" in html
    assert 'href="/sign-in/birmingham/sso?next=/plans/7"' in html
    site.app.state.sso_providers, saved = None, site.app.state.sso_providers
    try:
        assert "Sign in with" not in templates.env.get_template("sso_buttons.html").render(request=_Req())
    finally:
        site.app.state.sso_providers = saved



def test_the_sign_in_page_offers_each_organisation_with_single_sign_on(site):
    with _client(site) as c:
        page = c.get("/sign-in", params={"next": "/plans/7"}).text
    assert page.count("Sign in with your organisation") == 1 and page.count("Sign in with Birmingham City Council") == 1
    assert ('<a href="/sign-in/birmingham/sso?next=/plans/7" role="button" draggable="false" class="govuk-button '
            'govuk-button--secondary govuk-!-margin-bottom-2" data-module="govuk-button" data-sso-org="birmingham">'
            'Sign in with Birmingham City Council</a>') in page


def test_the_sixth_failed_single_sign_on_in_a_minute_is_refused_before_anything_is_checked(site, fake):
    """Failed sign-ins through a provider count with failed passwords, per client address
    (carescale.web.sign_in_limit): after 5 in a minute, the next start and the next answer are 429
    with Retry-After, without looking at the state (so nothing is recorded or exchanged)."""
    with _client(site) as c:
        for _ in range(5):
            _start(c)
            assert c.get(f"/sign-in/{ORG}/sso/callback", params={"code": "x", "state": "forged"}).status_code == 401
        before = len(fake.token_forms)
        started = c.get(f"/sign-in/{ORG}/sso")
        assert started.status_code == 429 and int(started.headers["retry-after"]) >= 1
        assert "Too many failed sign-in attempts: wait a minute, then try again" in started.text
        answer = c.get(f"/sign-in/{ORG}/sso/callback", params={"code": "x", "state": "forged"})
        assert answer.status_code == 429 and "Too many failed sign-in attempts" in answer.text
        assert len(fake.token_forms) == before
