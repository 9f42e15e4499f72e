"""Output safety (issue 19, docs/security.md "Output safety"): JSON embedded in pages, the
Content-Security-Policy and security headers, links from configuration (never the Host header),
Markdown that cannot make links, the Origin check on every state-changing request, and CLI output
that never echoes a terminal escape sequence raw."""

from __future__ import annotations

import json
import re
import time
from html.parser import HTMLParser

import pytest

from tests.conftest import run_cli

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from carescale.web import charts, documents  # noqa: E402
from carescale.web.app import create_app  # noqa: E402
from carescale.web.security import CSP, HEADERS, embed_json  # noqa: E402
from carescale.web.storage import DatabaseScenarioStore, MemoryScenarioStore  # noqa: E402
from ..web_helpers import post_form

SELF = "http://testserver"  # the TestClient's own origin
SAME_ORIGIN = {"Origin": SELF}
NASTY_NAMES = [  # (chart labels wrap at spaces, so the dangerous part of each name has none)
    "Leeds <!--<script>",
    "York</script><script>alert(1)</script>",
    "A&B</SCRIPT\u2028\u2029>",
]
CHART_DATA = re.compile(r'<script type="application/json" id="chart-data">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    # one database for the module's scenarios, plans and accounts (a member of Birmingham reads its plans)
    store = DatabaseScenarioStore(f"sqlite:///{tmp_path_factory.mktemp('safety') / 'store.db'}")
    with TestClient(create_app(store), follow_redirects=False, headers=SAME_ORIGIN) as c:
        from tests.accounts_helpers import sign_in

        sign_in(c)  # the plan pages are an organisation's (docs/accounts.md): seen by its member
        yield c


def _area_named(client, name: str) -> dict:
    """Birmingham's profile under another name, through the upload API (as a visitor would)."""
    table = run_cli("areas", "export", "birmingham").out
    assert "area.name,\"The area's name, for example Leeds\",text,Birmingham," in table
    quoted = '"' + name.replace('"', '""') + '"'
    table = table.replace("text,Birmingham,", f"text,{quoted},", 1)
    got = client.post("/api/v1/areas/upload", files={"file": ("area.csv", table.encode(), "text/csv")})
    assert got.status_code == 200, got.text
    area = got.json()["scenario_area"]
    assert area["inline"]["name"] == name
    return area


def _store(client, doc: dict) -> str:
    got = client.post("/api/v1/scenarios", json=doc)
    assert got.status_code == 201, got.text
    return got.json()["scenario_id"]


# -- 1. JSON embedded in pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NASTY_NAMES)
def test_embed_json_round_trips_and_has_no_html_syntax(name):
    value = {"name": name, "list": [name, 1.5, None, True]}
    text = str(embed_json(value))
    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(text) == value


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
@pytest.mark.parametrize("name", NASTY_NAMES)
def test_result_page_chart_data_survives_a_script_breaking_area_name(client, name):
    doc = {"version": 1, "area": _area_named(client, name)}
    sid = _store(client, doc)
    first = client.get(f"/scenario/{sid}")  # drawn at once; its Monte Carlo is the scenario's job
    job = re.search(r'data-job="([^"]+)"', first.text)
    for _ in range(1200 if job else 0):
        if client.get(f"/api/v1/jobs/{job.group(1)}").json()["status"] not in ("queued", "running"):
            break
        time.sleep(0.05)
    page = client.get(f"/scenario/{sid}")  # with every chart, the uncertainty's too
    assert page.status_code == 200
    found = CHART_DATA.findall(page.text)
    assert len(found) == 1
    embedded = found[0]
    assert not set(embedded) & {"<", ">", "&", "\u2028", "\u2029"}
    parsed = json.loads(embedded)
    parsed_doc = documents.parse(doc)
    want = charts.figures(documents.run(parsed_doc), documents.appraise(parsed_doc, monthly=True),
                           documents.uncertainty(parsed_doc))
    assert parsed == want
    assert name in json.dumps(parsed, ensure_ascii=False)  # the area name really is in the chart data
    # the chart scripts still follow the data, as the page's own elements (not swallowed by a comment)
    tail = page.text.split(embedded, 1)[1]
    assert re.search(r'<script src="/static/charts.js" defer></script>', tail)
    assert "<!--<script>" not in page.text  # the name is escaped wherever the page shows it


# -- 2. Content-Security-Policy and security headers ---------------------------------------------------------------


class _Scan(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inline_scripts: list[str] = []
        self.external: list[str] = []
        self.style_attrs: list[str] = []
        self.handlers: list[str] = []
        self._in_inline = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            if a.get("src"):
                self.external.append(a["src"])
            elif a.get("type") != "application/json":
                self._in_inline = True
                self.inline_scripts.append("")
        if tag in ("link",) and a.get("href") and a.get("rel") == "stylesheet":
            self.external.append(a["href"])
        if "style" in a:
            self.style_attrs.append(f"<{tag} style={a['style']!r}>")
        self.handlers += [f"<{tag} {k}>" for k in a if k.startswith("on")]
        if tag == "style":
            self.inline_scripts.append("<style> element")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline = False

    def handle_data(self, data):
        if self._in_inline:
            self.inline_scripts[-1] += data


def _a_plan(client) -> dict[str, tuple[str, int]]:
    """The plan cycle's pages (issue 24), from a plan of a library model with one review."""
    from carescale.web import plan_forms

    if client.get("/api/v1/plans/safety-plan").status_code == 404:
        got = client.post("/api/v1/plans", json={
            "id": "safety-plan", "name": "Safety <plan>", "library": "community-agents", "area": "birmingham",
            "start": "2027-04-01", "end": "2028-03-31", "budget": 2_000_000,
            "phases": [{"name": "all", "start": "2027-04-01", "end": "2028-03-31", "scale": 0.5}],
            "funding": {"route": "transition_funds", "source": "Fund"}})
        assert got.status_code == 201, got.text
        outcomes = {o["id"]: 1 for o in got.json()["definition"]["outcomes"]}
        got = client.post("/api/v1/plans/safety-plan/reviews", json={
            "period_end": "2027-06-30", "people_supported": 100, "outcomes": outcomes, "money_spent": 40_000})
        assert got.status_code == 201, got.text
    d = plan_forms.encode({"start": "blank", "name": "x"})
    return {
        "plans": ("/plans", 200), "builder-start": ("/logic-models/new", 200), "builder-question": (f"/logic-models/new/about?d={d}", 200),
        "plan-form": ("/plans/new?model=community-agents", 200), "plan": ("/plans/safety-plan", 200),
        "review-form": ("/plans/safety-plan/reviews/new", 200), "builder-bad-draft": ("/logic-models/new/who?d=xx!", 422),
    }


def _all_pages(client) -> dict[str, tuple[str, int]]:
    models = post_form(client, "/area", {"area": "birmingham"}).headers["location"]
    sid = models.split("/")[2]
    job = post_form(client, f"/scenario/{sid}/uncertainty", {"draws": "20000"}).headers["location"]
    post_form(client, f"{job}/cancel")
    plan = _a_plan(client)
    return {
        **plan,
        "start": ("/", 200), "area": ("/area", 200), "models": (models, 200), "assumptions": (f"/s/{sid}/assumptions", 200),
        "result": (f"/scenario/{sid}", 200), "job": (job, 200), "evidence": ("/evidence", 200),
        "evidence-record": ("/evidence/living-well", 200), "case-study": ("/evidence/health-connections-mendip", 200),
        "accessibility": ("/accessibility", 200), "privacy": ("/privacy", 200), "not-found": ("/no-such-page", 404),
        "error-422": ("/evidence?min_level=x", None),
    }


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
def test_every_page_has_the_strict_csp_and_no_inline_script_or_style(client):
    for name, (path, status) in _all_pages(client).items():
        got = client.get(path)
        if status is not None:
            assert got.status_code == status, (name, got.status_code)
        assert got.headers["content-security-policy"] == CSP, name
        for header, value in HEADERS.items():
            assert got.headers[header] == value, (name, header)
        scan = _Scan()
        scan.feed(got.text)
        assert scan.inline_scripts == [], (name, scan.inline_scripts)
        assert scan.style_attrs == [], (name, scan.style_attrs)
        assert scan.handlers == [], (name, scan.handlers)
        assert all(src.startswith("/") and not src.startswith("//") for src in scan.external), (name, scan.external)


def test_csp_directives_are_the_strict_ones():
    directives = dict(d.strip().split(" ", 1) for d in CSP.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["img-src"] == "'self' data:"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP
    assert HEADERS["X-Frame-Options"] == "DENY" and HEADERS["X-Content-Type-Options"] == "nosniff"
    assert HEADERS["Cross-Origin-Opener-Policy"] == "same-origin"


def test_api_and_static_answers_carry_the_headers_too(client):
    for path in ("/api/v1/interventions", "/openapi.json", "/static/charts.js", "/api/v1/no-such"):
        got = client.get(path)
        assert got.headers["content-security-policy"] == CSP, path
        assert got.headers["x-frame-options"] == "DENY", path


def test_api_docs_page_is_served_from_the_app_under_the_one_csp(client):
    """Swagger UI comes from the app's own static files (scripts/web-assets.sh copies it from the npm
    package swagger-ui-dist): the page works offline and names no other host."""
    got = client.get("/api/docs")
    assert got.status_code == 200
    assert got.headers["content-security-policy"] == CSP
    scan = _Scan()
    scan.feed(got.text)
    assert scan.inline_scripts == []
    assert "/static/swagger-init.js" in scan.external
    assert scan.external and all(u.startswith("/") for u in scan.external), scan.external
    assert "http" not in got.text.replace('lang="en"', "")
    for url in scan.external:
        asset = client.get(url)
        assert asset.status_code == 200 and len(asset.content) > 100, url
    assert client.get("/openapi.json").status_code == 200


# -- 3. links from configuration, never the Host header ----------------------------------------------------------


def _share_link(client, sid: str, **headers: str) -> str:
    page = client.get(f"/scenario/{sid}", headers=headers)
    assert page.status_code == 200
    m = re.search(r'<a class="govuk-link" id="share-link" data-share-link href="/scenario/[0-9a-f]+">([^<]+)</a>', page.text)
    assert m, "no share link"
    return m.group(1)


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
def test_share_link_ignores_the_host_header(client, monkeypatch):
    monkeypatch.delenv("CARESCALE_PUBLIC_URL", raising=False)
    sid = _store(client, {"version": 1, "area": "birmingham"})
    assert _share_link(client, sid) == f"{SELF}/scenario/{sid}"
    assert _share_link(client, sid, host="evil.example") == f"{SELF}/scenario/{sid}"
    assert _share_link(client, sid, **{"x-forwarded-host": "evil.example", "host": "evil.example:8443"}) == f"{SELF}/scenario/{sid}"


def test_share_link_uses_the_configured_public_url(client, monkeypatch):
    sid = _store(client, {"version": 1, "area": "birmingham"})
    monkeypatch.setenv("CARESCALE_PUBLIC_URL", "https://Carescale.Example.org/")
    try:
        assert _share_link(client, sid, host="evil.example") == f"https://carescale.example.org/scenario/{sid}"
    finally:  # under an https public address a new CSRF cookie is Secure, which this http client never sends back
        client.cookies.delete("carescale_csrf")


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
def test_share_link_on_a_live_server_uses_the_started_address(monkeypatch):
    import httpx

    from carescale.web.server import LiveServer

    monkeypatch.delenv("CARESCALE_PUBLIC_URL", raising=False)
    with LiveServer(create_app(MemoryScenarioStore())) as live:
        with httpx.Client(base_url=live.url) as c:
            sid = c.post("/api/v1/scenarios", json={"version": 1, "area": "birmingham"}).json()["scenario_id"]
            page = c.get(f"/scenario/{sid}", headers={"Host": "evil.example"}).text
    assert f'>{live.url}/scenario/{sid}</a>' in page
    assert "evil.example" not in page


def test_a_bad_public_url_is_one_line(monkeypatch):
    monkeypatch.setenv("CARESCALE_PUBLIC_URL", "javascript:alert(1)")
    got = run_cli("serve", "--port", "1")
    assert got.code == 2
    assert got.err == ("error: CARESCALE_PUBLIC_URL: 'javascript:alert(1)' is not a valid public address; "
                       "give one such as https://carescale.example.org or http://127.0.0.1:8000\n")


# -- 4. Markdown never makes links from user text --------------------------------------------------------------------

NOTE = "See http://evil.example and <http://x> or [a](http://x) ![i](http://x) www.evil.example me@evil.example"


def test_markdown_summary_keeps_urls_in_a_note_literal(tmp_path):
    from markdown_it import MarkdownIt

    out = tmp_path / "summary.md"
    got = run_cli("report", "--area", "birmingham", "--draws", "200", "--note", NOTE, "-o", str(out))
    assert got.code == 0, got.err
    md = out.read_text(encoding="utf-8")
    line = next(ln for ln in md.splitlines() if "evil.example" in ln)
    assert line.count("`http://evil.example`") == 1
    assert "`www.evil.example`" in line and "`me@evil.example`" in line
    # outside code spans no URL is left for a GFM or linkify renderer to pick up
    outside = re.sub(r"`[^`]*`", "", line)
    assert not re.search(r"https?:|www\.|@\w", outside), outside
    html = MarkdownIt("commonmark").render(md)
    assert "<a " not in html and "<img" not in html
    text = re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert NOTE in text  # shown exactly as typed


# -- 5. cross-site requests that change something are refused --------------------------------------------------------


def test_a_cross_site_form_cannot_start_a_million_draw_job(client):
    # a scenario of its own: a result page viewed by another test starts that scenario's Monte Carlo
    sid = _store(client, {"version": 1, "area": "birmingham", "note": "only the cross-site test uses this"})
    before = len(client.app.state.jobs._jobs)
    for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"},
                    {"Origin": "", "Referer": "https://evil.example/page"}):
        got = client.post(f"/scenario/{sid}/uncertainty", data={"draws": "1000000"}, headers=headers)
        assert got.status_code == 403, headers
        assert got.text.count("\n") == 0 and got.text.startswith("Refused: this request changes something on the server")
    assert len(client.app.state.jobs._jobs) == before
    assert sid not in client.app.state.scenario_jobs


def test_no_origin_or_referer_is_refused_unless_json():
    with TestClient(create_app(MemoryScenarioStore()), follow_redirects=False) as bare:
        form = bare.post("/area", data={"area": "birmingham"})
        assert form.status_code == 403
        assert "no Origin or Referer header" in form.text
        assert bare.post("/api/v1/jobs", content=b'{"version": 1}', headers={"content-type": "text/plain"}).status_code == 403
        assert bare.post("/api/v1/run", json={"version": 1, "area": "birmingham"}).status_code == 200
        ok = post_form(bare, "/area", {"area": "birmingham"}, headers={"Referer": f"{SELF}/area"})
        assert ok.status_code == 303


def test_every_state_changing_route_refuses_another_origin(client):
    evil = {"Origin": "https://evil.example"}
    from carescale.web import api, pages
    from carescale.web.routes import plans_api

    routes = [r for r in [*api.router.routes, *plans_api.router.routes, *pages.router.routes]
              if r.methods & {"POST", "PUT", "PATCH", "DELETE"}]
    assert len(routes) >= 10
    for route in routes:
        path = re.sub(r"\{[^}]+\}", "x", route.path)
        for method in sorted(route.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            got = client.request(method, path, json={"version": 1}, headers=evil)
            assert got.status_code == 403, (method, path)
            if path.startswith("/api/"):
                assert got.json()["detail"].startswith("Refused:")


def test_the_refusal_is_in_the_api_contract(client):
    paths = client.get("/openapi.json").json()["paths"]
    posts = [(p, op) for p, ops in paths.items() for m, op in ops.items() if m == "post"]
    assert len(posts) >= 7
    for path, op in posts:
        assert "403" in op["responses"], path
    # a GET changes nothing, so it is never refused as a cross-site change (a GET may still be 403 for
    # an account whose role does not allow it: docs/accounts.md)
    assert all(not op["responses"].get("403", {}).get("description", "").startswith("Refused: a state-changing")
               for ops in paths.values() for m, op in ops.items() if m == "get")


def test_same_origin_forms_still_work(client):
    got = post_form(client, "/area", {"area": "birmingham"})
    assert got.status_code == 303 and got.headers["location"].startswith("/s/")


# -- 6. the CLI never echoes a terminal escape sequence raw -----------------------------------------------------------


def test_areas_import_shows_escape_sequences_from_a_file_name_and_content(tmp_path):
    table = run_cli("areas", "export", "birmingham").out
    table = table.replace("text,birmingham,", "text,redarea,", 1).replace("text,Birmingham,", "text,\x1b[31mRed\x1b[0m,", 1)
    path = tmp_path / "\x1b[31mred.csv"
    path.write_text(table, encoding="utf-8")
    got = run_cli("areas", "import", str(path))
    assert got.code == 0, got.err
    assert "\x1b" not in got.out + got.err
    assert "saved area profile 'redarea' (\\x1b[31mRed\\x1b[0m)" in got.out
    bad = tmp_path / "\x1b[2Jbad.csv"
    bad.write_text("not,a\ntemplate\x1b[31m,file\n", encoding="utf-8")
    got = run_cli("areas", "import", str(bad))
    assert got.code == 2
    assert "\x1b" not in got.out + got.err and "\\x1b[2Jbad.csv" in got.err


def test_cli_outputs_written_to_a_named_file_show_the_name_safely(tmp_path):
    out = tmp_path / "\x1b[31mt.csv"
    got = run_cli("areas", "template", "-o", str(out))
    assert got.code == 0, got.err
    assert "\x1b" not in got.err and "\\x1b[31mt.csv" in got.err
