"""The pages without a browser (docs/web.md): the journey works with plain form posts (no
JavaScript), every step gets its own address and never overwrites one, downloads match the CLI,
no page refers to another host, and errors are friendly pages without a traceback."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.conftest import INVALID, run_cli
from tests.web_helpers import post_form

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from carescale.web import documents  # noqa: E402
from carescale.web.app import STATIC, create_app  # noqa: E402
from carescale.web.storage import MemoryScenarioStore  # noqa: E402

# What a browser sends with a form on this site (state-changing requests from elsewhere are refused, docs/security.md).
SAME_ORIGIN = {"Origin": "http://testserver"}

LW = "living-well.older-people-multiple-ltc.people"


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(MemoryScenarioStore()), follow_redirects=False, headers=SAME_ORIGIN) as c:
        yield c


def journey(c, area="birmingham", models=None, reprice="no", values=None) -> str:
    """Post the three forms as a browser without JavaScript would; the result's path."""
    models_url = post_form(c, "/area", {"area": area}).headers["location"]
    page = c.get(models_url).text
    picked = models or re.findall(r'name="interventions" type="checkbox" value="([^"]+)"\s+aria-describedby="[^"]+" checked', page)
    got = post_form(c, models_url, {"interventions": picked, "basis": "potential", "reprice": reprice})
    assert got.status_code == 303, got.text
    assumptions = got.headers["location"]
    got = post_form(c, assumptions, {f"v:{k}": v for k, v in (values or {}).items()})
    assert got.status_code == 303, got.text
    return got.headers["location"]


def test_no_javascript_journey_gives_the_engine_figures(client):
    path = journey(client)
    sid = path.rsplit("/", 1)[1]
    page = client.get(path).text
    want = documents.run({"version": 1, "area": "birmingham", "reprice": False})["totals"]["net_savings"]
    assert '<span id="total-asc">£7.46m</span>' in page
    assert '<span id="total-nhs">£1.84m</span>' in page
    assert round(want["asc"] / 1e4) == 746 and round(want["nhs"] / 1e4) == 184
    assert documents.scenario_id(client.get(f"/api/v1/scenarios/{sid}").json()) == sid


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
def test_changing_an_input_gives_a_new_address(client):
    first = journey(client)
    second = journey(client, values={LW: "2,000"})
    assert first != second
    again = journey(client)
    assert again == first  # the same inputs, the same address
    page = client.get(second).text
    assert "£800k" in page  # Living Well's cost at 2,000 people x £400
    assert client.get(first).text.count("£400k") >= 1  # the old result is unchanged


def test_bad_number_on_the_assumptions_page(client):
    models_url = post_form(client, "/area", {"area": "birmingham"}).headers["location"]
    assumptions = models_url.replace("/models", "/assumptions")
    got = post_form(client, assumptions, {f"v:{LW}": "lots"})
    assert got.status_code == 422
    assert "There is a problem" in got.text
    assert "Living Well (Age UK): people supported a year: &#39;lots&#39; is not a number" in got.text
    assert 'href="#f-living-well-older-people-multiple-ltc-people"' in got.text
    assert 'value="lots"' in got.text  # what the person typed is kept


def test_out_of_range_assumption_names_the_bound(client):
    models_url = post_form(client, "/area", {"area": "birmingham"}).headers["location"]
    got = post_form(client, models_url.replace("/models", "/assumptions"),
                      data={"v:living-well.older-people-multiple-ltc.sizing.rate": "1.5"})
    assert got.status_code == 422
    assert "govuk-error-summary" in got.text
    assert 'href="#f-living-well-older-people-multiple-ltc-sizing-rate"' in got.text


def test_models_page_checks_the_scale(client):
    models_url = post_form(client, "/area", {"area": "birmingham"}).headers["location"]
    got = post_form(client, models_url, {"interventions": ["living-well"], "scale:living-well": "150"})
    assert got.status_code == 422
    assert "Living Well (Age UK): how far: enter a percentage from 0 to 100" in got.text
    got = post_form(client, models_url, {"interventions": []})
    assert "Select at least one care model" in got.text
    half = post_form(client, models_url, {"interventions": ["living-well"], "scale:living-well": "50", "reprice": "no"})
    assert half.status_code == 303
    result = post_form(client, half.headers["location"], {}).headers["location"]
    doc = client.get("/api/v1/scenarios/" + result.rsplit("/", 1)[1]).json()
    assert doc["scale"] == {"living-well": 0.5} and doc["interventions"] == ["living-well"]
    assert "500" in client.get(result).text  # half of Living Well's 1,000 people


def test_bad_template_upload_names_row_and_cell(client):
    path = INVALID / "areas_import" / "not_a_number.csv"
    got = post_form(client, "/area/upload", files={"file": ("my-area.csv", path.read_bytes(), "text/csv")})
    assert got.status_code == 422
    # the row's figure in words (the file's key, cohorts.population_65_plus, is the CLI's)
    assert ("my-area.csv: row 9 (usual resident population aged 65 and over), cell D9: &#39;about 150k&#39; "
            "is not a number") in got.text
    assert '<a href="#file">' in got.text


def test_good_template_upload_runs_inline(client):
    csv_text = run_cli("areas", "export", "kent").out
    got = post_form(client, "/area/upload", files={"file": ("kent.csv", csv_text.encode(), "text/csv")})
    assert got.status_code == 303
    sid = got.headers["location"].split("/")[2]
    doc = client.get(f"/api/v1/scenarios/{sid}").json()
    assert doc["area"]["inline"]["id"] == "kent"


def test_csv_download_is_the_cli_csv(client, tmp_path):
    path = journey(client)
    got = client.get(path + "/results.csv")
    assert got.status_code == 200
    out = tmp_path / "run.csv"
    assert run_cli("run", "--area", "birmingham", "--no-reprice", "--format", "csv", "-o", str(out)).code == 0
    assert got.content == out.read_bytes()


def test_scenario_download_runs_in_the_cli(client, tmp_path):
    path = journey(client, values={LW: "2000"})
    doc = tmp_path / "scenario.json"
    doc.write_bytes(client.get(path + "/scenario.json").content)
    cli = run_cli("run", "--scenario", str(doc), "--format", "json").json()
    api = client.post("/api/v1/run", json=client.get("/api/v1/scenarios/" + path.rsplit("/", 1)[1]).json()).json()
    assert cli == api
    assert cli["interventions"][1]["beneficiaries"] == pytest.approx(2000)


def test_friendly_errors(client):
    got = client.get("/no-such-page")
    assert got.status_code == 404 and "Page not found" in got.text
    got = client.get("/scenario/0123456789abcdef0123")
    assert got.status_code == 404 and "Page not found" in got.text
    got = client.get("/jobs/nope")
    assert got.status_code == 404
    assert "Traceback" not in got.text


def test_only_the_csrf_cookie_is_set_once(client):
    """No tracking cookie: a new browser gets one cookie, the forms' CSRF token (issue 27), with
    its first page, and no other cookie on any page of the journey."""
    with TestClient(client.app, follow_redirects=False, headers=SAME_ORIGIN) as fresh:
        first = fresh.get("/")
        assert re.fullmatch(r"carescale_csrf=[A-Za-z0-9_-]{43}; HttpOnly; Path=/; SameSite=lax",
                            first.headers["set-cookie"])
        path = journey(fresh)
        for url in ("/", "/area", path, "/evidence"):
            assert "set-cookie" not in fresh.get(url).headers
        assert list(fresh.cookies.keys()) == ["carescale_csrf"]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("href", "src", "action", "data", "poster", "srcset") and v:
                self.urls.append(v)


def test_no_page_refers_to_another_host(client):
    result = journey(client)
    sid = result.rsplit("/", 1)[1]
    job = post_form(client, f"{result}/uncertainty", {"draws": "1000000"}).headers["location"]
    post_form(client, f"{job}/cancel")
    pages = ["/", "/area", f"/s/{sid}/models", f"/s/{sid}/assumptions", result, job, "/evidence",
             "/evidence/living-well", "/evidence/health-connections-mendip", "/accessibility", "/privacy", "/missing"]
    for url in pages:
        html = client.get(url).text
        parser = _Links()
        parser.feed(html)
        for link in parser.urls:
            assert not re.match(r"^(https?:)?//", link) or link.startswith("http://testserver/"), f"{url}: {link}"
        assert "fonts.googleapis" not in html and "cdn." not in html
    for css in STATIC.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", text), css
        assert "GDS Transport" not in text, f"{css} names the GDS Transport font"


def test_pages_carry_our_name_not_the_gov_uk_brand(client):
    for url in ("/", "/area", "/evidence"):
        html = client.get(url).text
        assert "carescale" in html
        assert "govuk-header__logo" not in html and "crown" not in html.lower()
        assert "GOV.UK" not in html


def test_template_assumptions_become_overrides(client, tmp_path):
    """An uploaded template's assumptions section changes the run as 'run --area-file' does."""
    lines = run_cli("areas", "export", "birmingham").out.splitlines()
    key = f"assumptions.{LW},"
    lines = [(ln.split(",", 1)[0] + "," + ln.split(",", 1)[1].rsplit(",", 4)[0] + ",2000,,,") if ln.startswith(key) else ln
             for ln in lines]
    path = tmp_path / "birmingham-2000.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = post_form(client, "/area/upload", files={"file": (path.name, path.read_bytes(), "text/csv")})
    assert got.status_code == 303, got.text
    sid = got.headers["location"].split("/")[2]
    doc = client.get(f"/api/v1/scenarios/{sid}").json()
    assert doc["overrides"][LW]["value"] == 2000
    web = client.post("/api/v1/run", json=doc).json()
    cli = run_cli("run", "--area-file", str(path), "--format", "json").json()
    assert web["totals"] == cli["totals"]
    assert web["interventions"][1]["beneficiaries"] == pytest.approx(2000)


def test_report_downloads_when_reports_are_installed(client):
    path = journey(client)
    page = client.get(path).text
    try:
        from carescale.reports import FORMATS, render
    except ImportError:
        assert "report.pdf" not in page  # no link to a download that cannot be made
        assert client.get(path + "/report.pdf").status_code == 404
        pytest.skip("carescale.reports is not in this build yet")
    assert f'href="{path}/report.pdf"' in page and f'href="{path}/report.xlsx"' in page
    doc = client.get("/api/v1/scenarios/" + path.rsplit("/", 1)[1]).json()
    got = client.get(path + "/report.md")
    assert got.status_code == 200 and got.headers["content-type"].startswith(FORMATS["md"][0].split(";")[0])
    assert got.content == render(doc, "md")
    # the PDF and Excel writers are the reports package's own (tested there, and slow): the
    # route is the same code for every format, so only the quick Markdown one is fetched here
    assert client.get(path + "/report.doc").status_code == 404


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
FUZZ = {"examples": 0}


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(people=_TEXT, rate=_TEXT, note=_TEXT, scale=_TEXT, draws=_TEXT, q=_TEXT, upload=st.binary(max_size=300))
def test_forms_never_crash(client, people, rate, note, scale, draws, q, upload):
    """Whatever is typed into any form, the answer is a redirect or a page with an error
    summary, never a server error."""
    FUZZ["examples"] += 1
    models_url = post_form(client, "/area", {"area": "birmingham"}).headers["location"]
    sid = models_url.split("/")[2]
    got = post_form(client, models_url, {"interventions": ["living-well"], "scale:living-well": scale})
    assert got.status_code in (303, 422), got.text
    got = post_form(client, f"/s/{sid}/assumptions", {f"v:{LW}": people, f"n:{LW}": note,
                                                     "v:living-well.older-people-multiple-ltc.sizing.rate": rate})
    assert got.status_code in (303, 422), got.text
    got = post_form(client, f"/scenario/{sid}/uncertainty", {"draws": draws})
    assert got.status_code in (303, 422), got.text
    if got.status_code == 303 and got.headers["location"].startswith("/jobs/"):
        post_form(client, got.headers["location"] + "/cancel")
    assert client.get("/evidence", params={"q": q, "area": q[:2], "min_level": q[:1]}).status_code in (200, 422)
    got = post_form(client, "/area/upload", files={"file": ("area.csv", upload, "text/csv")})
    assert got.status_code in (303, 422), got.text


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
def test_any_english_council_from_the_national_files():
    """With `carescale serve --mye --ascof`, any council can be chosen, with the figures
    `carescale national` gives it (published prices)."""
    from tests.conftest import RAW, needs_shared

    mye, ascof = RAW / "ukpopestimatesmid2020on2021geography.xls", RAW / "meas-from-asc-of-eng-2021-open-data-csv_v2.xlsx"
    needs_shared(mye)
    needs_shared(ascof)
    from carescale.web.national import load_national

    national = load_national(mye, ascof)
    want = next(a for a in run_cli("national", "--mye", str(mye), "--ascof", str(ascof), "--format", "json").json()["areas"]
                if a["code"] == "E06000047")
    council = next(pid for pid, p in national.profiles.items() if p.area.ons_code == "E06000047")
    with TestClient(create_app(MemoryScenarioStore(), national=national), follow_redirects=False, headers=SAME_ORIGIN) as c:
        page = c.get("/area").text
        assert f'<option value="{council}">County Durham</option>' in page
        assert post_form(c, "/area", {"area": "national", "national": ""}).status_code == 422
        models = post_form(c, "/area", {"area": "national", "national": council}).headers["location"]
        assumptions = post_form(c, models, {"interventions": re.findall(
            r'name="interventions" type="checkbox" value="([^"]+)"\s+aria-describedby="[^"]+" checked', c.get(models).text),
            "reprice": "yes"}).headers["location"]
        result = post_form(c, assumptions, {}).headers["location"]
        doc = c.get("/api/v1/scenarios/" + result.rsplit("/", 1)[1]).json()
        got = c.post("/api/v1/run", json=doc).json()["totals"]
        assert "County Durham" in c.get(result).text
    assert got["net_savings"] == pytest.approx(want["net_savings"], abs=0.01)


def test_front_end_is_built_from_npm():
    """scripts/web-assets.sh (run by scripts/setup.sh) built GOV.UK Frontend with our colours and
    font; the app serves it (CI fails here if npm or the build is missing)."""
    from tests.conftest import require_tool

    css = STATIC / "govuk" / "carescale.css"
    require_tool(css.exists(), "the web app's front end (bash scripts/web-assets.sh; needs npm)")
    text = css.read_text(encoding="utf-8")
    assert "system-ui" in text and "#0b5d52" in text and "GDS Transport" not in text
    assert (STATIC / "govuk" / "govuk-frontend.min.js").exists()
    import json

    from tests.conftest import REPO

    lock = json.loads((REPO / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/govuk-frontend"]["version"] == "6.3.0"


def test_user_text_is_never_markup(client):
    """An uploaded area named with HTML, and a note with HTML, are shown as text."""
    bad = '<script>alert("x")</script>'
    lines = run_cli("areas", "export", "kent").out.splitlines()
    lines = [('area.name,"The area\'s name, for example Leeds",text,"' + bad.replace('"', '""') + '",,,') if ln.startswith("area.name,") else ln
             for ln in lines]
    got = post_form(client, "/area/upload", files={"file": ("x.csv", ("\n".join(lines) + "\n").encode(), "text/csv")})
    assert got.status_code == 303, got.text
    models = got.headers["location"]
    assumptions = post_form(client, models, {"interventions": ["living-well"], "reprice": "no"}).headers["location"]
    result = post_form(client, assumptions, {f"v:{LW}": "10", f"n:{LW}": bad}).headers["location"]
    html = client.get(result).text
    assert bad not in html
    assert "&lt;script&gt;" in html
