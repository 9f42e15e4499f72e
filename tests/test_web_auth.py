"""The web app's accounts interface (issue 27, carescale.web.auth; docs/accounts.md, "In the web
app"): who is asking (an API token or the session cookie), the answers for an anonymous visitor
(303 to sign in on a page, 401 on the API), roles (403), the session cookie's attributes and the
CSRF field every form carries."""

from __future__ import annotations

import pytest
from fastapi import Request
from fastapi.testclient import TestClient

from .web_helpers import CSRF_COOKIE, csrf_token, post_form, with_token

PASSWORD = "correct horse battery staple"


@pytest.fixture
def app(tmp_path):
    """The app on a SQLite store, with two probe routes that use the interface."""
    from carescale.web import auth
    from carescale.web.app import create_app
    from carescale.web.storage import DatabaseScenarioStore

    app = create_app(DatabaseScenarioStore(f"sqlite:///{tmp_path / 'store.db'}"))

    @app.get("/probe/page")
    def probe_page(request: Request) -> dict:
        return {"email": auth.require_user(request).email}

    @app.get("/api/v1/probe")
    def probe_api(request: Request) -> dict:
        user = auth.current_user(request)
        return {"email": None if user is None else user.email}

    @app.get("/api/v1/probe/change/{org}")
    def probe_change(request: Request, org: str) -> dict:
        return {"email": auth.require_role(request, org, "change").email}

    @app.get("/api/v1/probe/needs-user")
    def probe_needs_user(request: Request) -> dict:
        return {"email": auth.require_user(request).email}

    acc = auth.accounts(type("R", (), {"app": app})())
    acc.create_admin("ann@council.gov.uk", "birmingham", PASSWORD, org_name="Birmingham City Council")
    acc.create_user("vic@council.gov.uk", PASSWORD)
    acc.set_role("vic@council.gov.uk", "birmingham", "viewer")
    return app


def test_accounts_open_once_on_the_stores_database(app, tmp_path):
    from carescale.web import auth

    fake = type("R", (), {"app": app})()
    assert auth.accounts(fake) is auth.accounts(fake)
    assert str(tmp_path / "store.db") in str(auth.accounts(fake).store.url)
    assert [u.email for u in auth.accounts(fake).list_users()] == ["ann@council.gov.uk", "vic@council.gov.uk"]


def test_anonymous_page_goes_to_sign_in_with_next_and_api_answers_401(app):
    with TestClient(app) as c:
        got = c.get("/probe/page?x=1", follow_redirects=False)
        assert got.status_code == 303 and got.headers["location"] == "/sign-in?next=/probe/page%3Fx%3D1"
        api = c.get("/api/v1/probe/needs-user")
        assert api.status_code == 401 and api.headers["www-authenticate"] == "Bearer"
        assert api.json() == {"detail": "sign in first: send a personal API token as 'Authorization: Bearer "
                                         "csk_...' (create one on /account)"}
        assert c.get("/api/v1/probe").json() == {"email": None}


def test_api_token_and_session_cookie_name_the_user_and_stop_when_revoked(app):
    from carescale.web import auth

    acc = auth.accounts(type("R", (), {"app": app})())
    ann = acc.get_user("ann@council.gov.uk")
    token_id, token = acc.create_api_token(ann, "laptop")
    _, session = acc.sign_in("ann@council.gov.uk", PASSWORD)
    with TestClient(app) as c:
        bearer = {"Authorization": f"Bearer {token}"}
        assert c.get("/api/v1/probe/needs-user", headers=bearer).json() == {"email": "ann@council.gov.uk"}
        c.cookies.set(auth.SESSION_COOKIE, session)
        assert c.get("/probe/page").json() == {"email": "ann@council.gov.uk"}
        acc.revoke_api_token(ann, token_id)
        refused = c.get("/api/v1/probe/needs-user", headers=bearer)  # the token wins over the cookie
        assert refused.status_code == 401 and refused.json()["detail"] == auth.API_BAD_TOKEN
        acc.sign_out(session)
        assert c.get("/probe/page", follow_redirects=False).status_code == 303


def test_require_role_403_for_a_viewer_and_another_organisation(app):
    from carescale.web import auth

    acc = auth.accounts(type("R", (), {"app": app})())
    _, ann = acc.create_api_token(acc.get_user("ann@council.gov.uk"), "a")
    _, vic = acc.create_api_token(acc.get_user("vic@council.gov.uk"), "v")
    with TestClient(app) as c:
        ok = c.get("/api/v1/probe/change/birmingham", headers={"Authorization": f"Bearer {ann}"})
        assert ok.status_code == 200 and ok.json() == {"email": "ann@council.gov.uk"}
        viewer = c.get("/api/v1/probe/change/birmingham", headers={"Authorization": f"Bearer {vic}"})
        assert viewer.status_code == 403
        assert viewer.json()["detail"][0]["msg"] == "change: not allowed in organisation 'birmingham' for this account"
        other = c.get("/api/v1/probe/change/leeds", headers={"Authorization": f"Bearer {ann}"})
        assert other.status_code == 403
        assert c.get("/api/v1/probe/change/leeds").status_code == 401


def test_session_cookie_attributes(monkeypatch):
    from fastapi.responses import Response

    from carescale.web import auth

    plain = Response()
    auth.start_session(plain, "tok")
    cookie = plain.headers["set-cookie"]
    assert cookie.startswith("carescale_session=tok;")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie and "Max-Age=28800" in cookie
    assert "Secure" not in cookie  # a server on one's own computer, over plain http
    monkeypatch.setenv("CARESCALE_PUBLIC_URL", "https://carescale.example.org")
    secure = Response()
    auth.start_session(secure, "tok")
    assert "Secure" in secure.headers["set-cookie"]
    ended = Response()
    auth.end_session(ended)
    assert ended.headers["set-cookie"].startswith('carescale_session="";') and "Max-Age=0" in ended.headers["set-cookie"]


@pytest.mark.parametrize("value, expected", [
    ("/plans?x=1", "/plans?x=1"), ("", "/"), (None, "/"), ("https://evil.example/", "/"),
    ("//evil.example/", "/"), ("/\\evil.example", "/"), ("plans", "/"), ("/sign-in?next=/x", "/"),
    ("/a\nb", "/"),
])
def test_next_is_a_path_on_this_site_only(value, expected):
    from carescale.web.auth import safe_next

    assert safe_next(value) == expected


def test_csrf_field_renders_the_requests_token_escaped():
    from types import SimpleNamespace

    from carescale.web.templating import make_templates

    env = make_templates().env
    request = SimpleNamespace(state=SimpleNamespace(csrf_token='ab"<c'), cookies={})
    html = env.from_string("<form>{{ csrf_field() }}</form>").render(request=request)
    assert html == '<form><input type="hidden" name="csrf_token" value="ab&#34;&lt;c"></form>'


def test_post_form_helper_adds_the_clients_token():
    import httpx

    client = httpx.Client(base_url="http://testserver")
    token = csrf_token(client)
    assert client.cookies.get(CSRF_COOKIE) == token == csrf_token(client) and len(token) >= 40
    assert with_token({"a": "1"}, token) == {"a": "1", "csrf_token": token}
    assert with_token([("a", "1")], token) == [("a", "1"), ("csrf_token", token)]
    assert with_token(None, token) == {"csrf_token": token}
    seen = {}
    transport = httpx.MockTransport(lambda req: seen.update(body=req.content, cookie=req.headers.get("cookie"))
                                    or httpx.Response(200))
    client = httpx.Client(base_url="http://testserver", transport=transport)
    post_form(client, "/area", {"area": "birmingham"})
    token = client.cookies.get(CSRF_COOKIE)
    assert seen["body"] == f"area=birmingham&csrf_token={token}".encode() and seen["cookie"] == f"{CSRF_COOKIE}={token}"
