"""The web app's area choice offers every one of the 153 built-in council profiles (a native,
accessible select; no other host), a chosen council's result page shows what it spends now,
and the data page lists every official series with its vintage, coverage and licence (issue 22)."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from carescale.web.app import create_app  # noqa: E402
from carescale.web.storage import MemoryScenarioStore  # noqa: E402
from .web_helpers import post_form

SAME_ORIGIN = {"Origin": "http://testserver"}


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(MemoryScenarioStore()), follow_redirects=False, headers=SAME_ORIGIN) as c:
        yield c


def test_the_area_choice_offers_all_153_councils(client):
    page = client.get("/area").text
    options = re.findall(r'<option value="([a-z0-9-]+)">([^<]+)</option>', page)
    assert len(options) == 153
    assert ("leeds", "Leeds") in options and ("birmingham-official", "Birmingham") in options
    assert [n for _, n in options] == sorted(n for _, n in options)
    assert "Any English council (153 councils, from official figures)" in page
    assert '<label class="govuk-label" for="national">Council</label>' in page


def test_a_chosen_council_runs_with_its_baseline(client):
    got = post_form(client, "/area", {"area": "national", "national": "leeds"})
    assert got.status_code == 303
    models = got.headers["location"]
    picked = re.findall(r'name="interventions" type="checkbox" value="([^"]+)"\s+aria-describedby="[^"]+" checked',
                        client.get(models).text)
    assert len(picked) == 6
    assumptions = post_form(client, models, {"interventions": picked, "basis": "potential", "reprice": "yes"}).headers["location"]
    result = post_form(client, assumptions, {}).headers["location"]
    html = client.get(result).text
    assert "Result: Leeds" in html
    assert '<h2 class="govuk-heading-m" id="baseline">What Leeds spends now</h2>' in html
    assert ("Adult social care spend now (2024/25 prices (forecast: OBR, November 2023)): £437.88m gross, £322.73m net "
            "(RO3 2024-25); real change 2022-23 to 2024-25: +8.6%.") in html
    doc = client.get("/api/v1/scenarios/" + result.rsplit("/", 1)[1]).json()
    assert doc["area"] == "leeds"


def test_an_unknown_council_is_a_form_error(client):
    got = post_form(client, "/area", {"area": "national", "national": "atlantis"})
    assert got.status_code == 422
    assert "Select a council from the list" in got.text


def test_the_data_page_lists_every_series(client):
    html = client.get("/data").text
    assert "The official data carescale uses" in html
    from carescale.official.councils import series_catalogue

    ascfr = [r for r in series_catalogue() if r["series"].startswith("ascfr_")]
    assert html.count("<code>ascfr_") == len(ascfr) >= 40 and "<code>ascof_2a2_admissions_65_plus</code>" in html
    # each series is named by its header in words; its id only in the "for analysts" detail
    assert ('<th scope="row" class="govuk-table__header govuk-!-font-weight-regular">Gross Current Expenditure, by '
            'care type, 2021-22: Total Gross Current Expenditure (GCE)\n') in html
    assert "<code>ascfr_gce_total</code>" in re.search(r"Total Gross Current Expenditure \(GCE\)\s*<details.*?</details>",
                                                        html, flags=re.S).group(0)
    assert "ncc_a_and_e_attendance" in html and "England only" in html
    assert "Source: Office for National Statistics licensed under the Open Government Licence v3.0." in html
    assert not re.search(r'(href|src)="(https?:)?//', html)
    assert 'href="/data"' in client.get("/area").text  # the council choice links it
