"""CSRF tokens on every form (issue 27; docs/security.md, "Cross-site requests"): a double-submit
token (a random value in the HttpOnly ``carescale_csrf`` cookie and the same value in each form's
hidden ``csrf_token`` field), checked on every state-changing request outside ``/api/`` on top of
the Origin check. A form posted without it, or with another browser's, is a 403 GOV.UK page and
changes nothing; the JSON API keeps the Origin check alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from carescale.web.app import create_app  # noqa: E402
from carescale.web.storage import MemoryScenarioStore  # noqa: E402

from ..web_helpers import CSRF_COOKIE, csrf_token, post_form  # noqa: E402

SAME_ORIGIN = {"Origin": "http://testserver"}
TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "carescale" / "web" / "templates"
REFUSED = ("Refused: this form was sent without its security token, or with one that does not match this "
           "browser's (the page may be out of date, or cookies may be blocked); go back, reload the page and "
           "send the form again.")


@pytest.fixture
def client():
    with TestClient(create_app(MemoryScenarioStore()), follow_redirects=False, headers=SAME_ORIGIN) as c:
        yield c


def _summary(html: str) -> list[str]:
    body = html.split('govuk-error-summary__list">', 1)[1].split("</ul>", 1)[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", li)).strip().replace("&#39;", "'")
            for li in re.findall(r"<li>(.*?)</li>", body, re.S)]


def _form_routes(app) -> list[str]:
    """Every POST route outside /api/, through included routers, its parameters filled."""
    found = []

    def walk(routes, prefix=""):
        for route in routes:
            if hasattr(route, "original_router"):  # an included router (FastAPI >= 0.16x)
                walk(route.original_router.routes, prefix + (getattr(route.include_context, "prefix", "") or ""))
            elif "POST" in (getattr(route, "methods", None) or set()) and not (prefix + route.path).startswith("/api/"):
                found.append(re.sub(r"\{[^}]+\}", "0123456789abcdef", prefix + route.path))

    walk(app.routes)
    return found


def test_every_form_route_refuses_a_post_without_or_with_a_wrong_token(client):
    routes = _form_routes(client.app)
    assert {"/area", "/area/upload", "/scenario/0123456789abcdef/uncertainty", "/sign-in", "/sign-out",
            "/account/password", "/account/tokens", "/reset-password/0123456789abcdef",
            "/organisations/0123456789abcdef/members"} <= set(routes)
    assert len(routes) >= 23
    token = csrf_token(client)
    for path in routes:
        for fields in ({}, {"csrf_token": "x" * 43}, {"csrf_token": ""}):
            got = client.post(path, data={"area": "birmingham", **fields})
            assert got.status_code == 403, (path, fields, got.status_code)
            assert "<h1 class=\"govuk-heading-l\">Sorry, this form could not be sent</h1>" in got.text, path
            assert _summary(got.text) == [REFUSED], path
            assert got.headers["content-security-policy"].startswith("default-src 'self'")
    assert client.cookies.get(CSRF_COOKIE) == token  # a refusal keeps the browser's token


def test_a_refused_form_changes_nothing(client):
    before = len(client.app.state.store._docs)
    got = client.post("/area", data={"area": "birmingham"})
    assert got.status_code == 403
    upload = client.post("/area/upload", files={"file": ("a.csv", b"area,x\n", "text/csv")})
    assert upload.status_code == 403 and _summary(upload.text) == [REFUSED]
    assert len(client.app.state.store._docs) == before
    ok = post_form(client, "/area", {"area": "birmingham"})
    assert ok.status_code == 303 and ok.headers["location"].startswith("/s/")


def test_a_token_from_another_browser_is_refused(client):
    other = TestClient(client.app, headers=SAME_ORIGIN)
    theirs = csrf_token(other)
    csrf_token(client)
    got = client.post("/area", data={"area": "birmingham", "csrf_token": theirs})
    assert got.status_code == 403 and _summary(got.text) == [REFUSED]


def test_the_cookie_is_set_once_httponly_samesite_and_the_form_carries_it(client):
    first = client.get("/area")
    cookie = first.headers["set-cookie"]
    assert re.fullmatch(r"carescale_csrf=[A-Za-z0-9_-]{43}; HttpOnly; Path=/; SameSite=lax", cookie)
    token = client.cookies.get(CSRF_COOKIE)
    assert f'<input type="hidden" name="csrf_token" value="{token}">' in first.text
    again = client.get("/area")
    assert "set-cookie" not in again.headers and f'value="{token}"' in again.text
    assert "set-cookie" not in client.get("/api/v1/areas").headers  # the API sets no cookie
    client.cookies.set(CSRF_COOKIE, "not a token<>")  # a malformed cookie is replaced
    fresh = client.get("/area")
    assert re.match(r"carescale_csrf=[A-Za-z0-9_-]{43};", fresh.headers["set-cookie"])
    assert "not a token" not in fresh.text


def test_the_json_api_needs_no_token_but_keeps_the_origin_check(client):
    assert client.post("/api/v1/run", json={"version": 1, "area": "birmingham"}).status_code == 200
    evil = client.post("/api/v1/run", json={"version": 1, "area": "birmingham"}, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403


def test_every_post_form_in_every_template_carries_the_token():
    forms = 0
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<form\b[^>]*>", text, re.I):
            if not re.search(r'method="post"', match.group(0), re.I):
                continue
            forms += 1
            inside = text[match.end(): text.index("</form>", match.end())]
            assert "{{ csrf_field() }}" in inside, f"{path.name}: a POST form without csrf_field()"
    assert forms >= 22


def test_a_kept_result_page_carries_each_browsers_own_token(client):
    """The result page is rendered once and kept for every visitor (issue 25); each visitor still
    gets their own token (and header) in it, never the first visitor's."""
    sid = client.post("/api/v1/scenarios", json={"version": 1, "area": "birmingham"}).json()["scenario_id"]
    other = TestClient(client.app, headers=SAME_ORIGIN)
    tokens = []
    for browser in (client, other, client):
        page = browser.get(f"/scenario/{sid}").text
        assert "<!--carescale:" not in page and ">Sign in</a>" in page
        tokens.append(re.findall(r'name="csrf_token" value="([^"]+)"', page))
    assert tokens[0] == tokens[2] == [client.cookies.get(CSRF_COOKIE)]
    assert tokens[1] == [other.cookies.get(CSRF_COOKIE)] and tokens[1] != tokens[0]
