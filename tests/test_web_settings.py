"""Settings on the web (issue 26): the appraisal period, start date (by default the start of the
next financial year), discount schedule, optimism-bias method and business-case options, each
explained in one sentence; changing the area keeps the changed figures that still apply and says
which it dropped."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from carescale.appraisal.settings import next_financial_year_start
from .web_helpers import post_form

LW_PEOPLE = "living-well.older-people-multiple-ltc.people"
SL_COST = "shared-lives.learning-disability.unit_cost"
FORM = {"years": "5", "start-day": "1", "start-month": "4", "start-year": "2027", "discount": "flat",
        "discount_rate": "3%", "optimism": "gmca", "counterfactual": "no", "setup_timing": "as-places-fill"}


@pytest.fixture
def client():
    from fastapi.testclient import TestClient

    from carescale.web.app import create_app
    from carescale.web.storage import MemoryScenarioStore

    with TestClient(create_app(MemoryScenarioStore()), headers={"Origin": "http://testserver"}) as c:
        yield c


def _sid(client, **doc) -> str:
    return client.post("/api/v1/scenarios", json={"version": 1, "area": "birmingham", **doc}).json()["scenario_id"]


def _text(html: str) -> str:
    import html as markup

    return re.sub(r"\s+", " ", markup.unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.mark.parametrize(("today", "want"), [
    (dt.date(2026, 12, 6), dt.date(2027, 4, 1)), (dt.date(2027, 3, 31), dt.date(2027, 4, 1)),
    (dt.date(2027, 4, 1), dt.date(2028, 4, 1)), (dt.date(2026, 1, 1), dt.date(2026, 4, 1)),
])
def test_next_financial_year_start(today, want):
    assert next_financial_year_start(today) == want


def test_the_form_offers_the_next_financial_year_and_explains_each_setting(client):
    sid = _sid(client)
    html = client.get(f"/s/{sid}/settings").text
    start = next_financial_year_start()
    got = [re.search(rf'id="start-{p}"[^>]*value="(\d+)"', html).group(1) for p in ("day", "month", "year")]
    assert got == [str(start.day), str(start.month), str(start.year)]
    text = _text(html)
    for sentence in ("How many years of costs and savings the net present value adds up",
                     "3.5% a year for years 0 to 30, then lower",
                     "HM Treasury's supplementary Green Book guidance",
                     "Some of the savings would have happened anyway",
                     "Every tranche the chosen scale needs is paid in month 1"):
        assert sentence in text, sentence


def test_saving_the_settings_gives_a_new_result_with_them(client):
    sid = _sid(client)
    r = post_form(client, f"/s/{sid}/settings", FORM, follow_redirects=False)
    assert r.status_code == 303
    new = r.headers["location"].removeprefix("/scenario/")
    assert new != sid
    appraisal = client.get(f"/api/v1/scenarios/{new}").json()["appraisal"]
    assert {k: appraisal[k] for k in ("years", "start_date", "discount_rate", "optimism_bias_method",
                                      "counterfactual", "setup_timing")} == {
        "years": 5, "start_date": "2027-04-01", "discount_rate": 0.03, "optimism_bias_method": "gmca",
        "counterfactual": False, "setup_timing": "as-places-fill"}
    shown = _text(client.get(f"/scenario/{new}").text)
    assert "5 years from 1 April 2027; discounted at 3.0% a year; optimism bias by the GMCA confidence grades" in shown
    # no optimism bias at all, and the Green Book schedule
    r = post_form(client, f"/s/{sid}/settings", {**FORM, "optimism": "off", "discount": "green-book", "discount_rate": ""},
                    follow_redirects=False)
    appraisal = client.get(f"/api/v1/scenarios/{r.headers['location'].split('/')[-1]}").json()["appraisal"]
    assert appraisal["optimism_bias"] is False and appraisal["discount_rate"] is None


@pytest.mark.parametrize(("change", "message", "anchor"), [
    ({"years": "0"}, "Enter the appraisal period as a whole number of years from 1 to 60", "years"),
    ({"years": "ten"}, "Enter the appraisal period as a whole number of years from 1 to 60", "years"),
    ({"start-day": "31", "start-month": "2"}, "Enter the start date as a real date, for example 1 4 2027", "start-day"),
    ({"discount_rate": "25%"}, "The discount rate must be between 0% and 20% a year, for example 3.5%", "discount_rate"),
    ({"discount_rate": "three"}, "The discount rate must be between 0% and 20% a year, for example 3.5%", "discount_rate"),
    ({"discount_rate": ""}, "Enter the discount rate a year, for example 3.5%", "discount_rate"),
    ({"optimism": "lots"}, "Select how optimism bias is applied", "optimism"),
])
def test_a_bad_setting_is_named_in_words_and_what_was_typed_kept(client, change, message, anchor):
    sid = _sid(client)
    r = post_form(client, f"/s/{sid}/settings", {**FORM, **change})
    assert r.status_code == 422
    assert f'<a href="#{anchor}">{message}</a>' in r.text
    for k, v in change.items():
        if k in ("years", "discount_rate", "start-day") and v:
            assert f'value="{v}"' in r.text


def test_changing_the_area_keeps_what_still_applies_and_names_what_it_dropped(client):
    sid = _sid(client, appraisal={"years": 7},
               overrides={LW_PEOPLE: 2000, SL_COST: {"value": 20000, "note": "our rate"}})
    assert 'name="from"' in client.get(f"/s/{sid}/area").text
    r = post_form(client, "/area", {"area": "cornwall", "from": sid}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith(f"/models?from={sid}")
    new = r.headers["location"].split("/")[2]
    doc = client.get(f"/api/v1/scenarios/{new}").json()
    assert doc["area"] == "cornwall" and doc["appraisal"]["years"] == 7
    assert set(doc["overrides"]) == {LW_PEOPLE}
    banner = _text(client.get(r.headers["location"]).text)
    assert "Cornwall: 1 changed figure kept, some dropped." in banner
    assert "Dropped because Cornwall does not use it: Shared Lives" in banner and "cost per person a year" in banner
    assert SL_COST not in banner
    # a fresh start (no scenario to carry) is as before
    plain = post_form(client, "/area", {"area": "cornwall"}, follow_redirects=False).headers["location"]
    assert "?from=" not in plain and client.get(f"/api/v1/scenarios/{plain.split('/')[2]}").json()["overrides"] == {}


def test_a_new_scenario_starts_at_the_next_financial_year(client):
    models = post_form(client, "/area", {"area": "birmingham"}, follow_redirects=False).headers["location"]
    doc = client.get(f"/api/v1/scenarios/{models.split('/')[2]}").json()
    assert doc["appraisal"]["start_date"] == next_financial_year_start().isoformat()
    assert dt.date.fromisoformat(doc["appraisal"]["start_date"]) > dt.date.today()
