"""Plain figures everywhere on the web (issue 26): a scan of the rendered pages (the result, the
assumptions, every evidence page, the compare page, the data, optimiser, national and plans pages and
the error summaries) finds no raw path (``segments[``, ``.sizing.rate``, ``ascfr_gce_total`` ...; a
path may appear only inside a "for analysts" detail) nor a model's id (``kent-pathways``), no
money or people figure with more than 4 significant decimals, and no re-priced figure labelled
"published"; each refused form names the figure in words (tests/invalid_inputs/web_forms/, each
with its exact message); typed input reads "9%", "£2m" and "2,000"."""

from __future__ import annotations

import html as markup
import json
import re
import time

import pytest

from tests.conftest import INVALID
from .web_helpers import post_form

FORMS = INVALID / "web_forms"

#: a figure's path or a name from a file: never in a page's words
RAW = re.compile(r"segments\[|outcomes\[|workforce\[|full_costs\[|\.sizing\.rate|\.unit_cost\b|\.unit_saving\b"
                 r"|\bspend_reductions\b|\b[a-z]+(?:_[a-z0-9]+){2,}\b|\bpopulation_65_plus\b")


def _library_ids() -> re.Pattern[str]:
    """A model's or an overlap's id of the library (``kent-pathways``): a page names it in words."""
    from carescale.library import default_library

    lib = default_library()
    ids = sorted({*lib.interventions, *(o.id for o in lib.overlaps.overlaps)}, key=len, reverse=True)
    return re.compile(r"(?<![\w/-])(?:" + "|".join(re.escape(i) for i in ids if "-" in i) + r")(?![\w/-])")


#: money or people with more than 4 significant decimals (leading zeros after the point do not count)
DECIMALS = re.compile(r"£-?\d[\d,]*\.(\d+)|(?<![£\d,.])\d[\d,]*\.(\d+)(?= (?:people|person)\b)|(?<![\d,.£])(\d*\.\d+)(?![\d%])")


def words_of(page: str) -> str:
    """What a reader reads: no scripts, no "for analysts" details, no tags; entities decoded."""
    page = re.sub(r"<script.*?</script>", " ", page, flags=re.S)
    page = re.sub(r'<details class="[^"]*carescale-analysts.*?</details>', " ", page, flags=re.S)
    return re.sub(r"\s+", " ", markup.unescape(re.sub(r"<[^>]+>", " ", page)))


def problems(text: str) -> list[str]:
    found = [f"path {m.group(0)!r}" for m in RAW.finditer(text)]
    found += [f"id {m.group(0)!r}" for m in _library_ids().finditer(text)]
    for m in DECIMALS.finditer(text):
        digits = next(g for g in m.groups() if g is not None)
        significant = digits.split(".")[-1].lstrip("0")
        if m.group(1) is not None and len(digits) > 2:  # money: pounds and pence at most
            found.append(f"money {m.group(0)!r}")
        elif m.group(2) is not None:  # people: whole
            found.append(f"people {m.group(0)!r}")
        elif m.group(3) is not None and len(significant) > 4:
            found.append(f"number {m.group(0)!r}")
    return found


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from fastapi.testclient import TestClient

    from carescale.web.app import create_app
    from carescale.web.storage import DatabaseScenarioStore

    # its own database (scenarios, saved scenarios and the account that saves them), never the user's
    store = DatabaseScenarioStore(f"sqlite:///{tmp_path_factory.mktemp('plain-figures') / 'store.db'}")
    with TestClient(create_app(store), headers={"Origin": "http://testserver"}) as c:
        from tests.accounts_helpers import sign_in

        sign_in(c)  # saving a scenario and the saved ones are an organisation's (docs/accounts.md)
        yield c


@pytest.fixture(scope="module")
def sids(client):
    """A re-priced scenario (the web's default) with a changed figure, and one as published."""
    out = {}
    for name, reprice in (("repriced", True), ("published", False)):
        sid = post_form(client, "/area", {"area": "birmingham"}, follow_redirects=False).headers["location"].split("/")[2]
        doc = client.get(f"/api/v1/scenarios/{sid}").json()
        doc.update(reprice=reprice, uncertainty={**doc["uncertainty"], "draws": 500},
                   overrides={"living-well.older-people-multiple-ltc.people": 2000,
                              "community-agents.older-people.sizing.rate": 0.02})
        out[name] = client.post("/api/v1/scenarios", json=doc).json()["scenario_id"]
        # the result page is drawn before its Monte Carlo, the scenario's job (issue 25): the pages
        # read below show the uncertainty's figures too once it is done
        started = re.search(r'data-job="([^"]+)"', client.get(f"/scenario/{out[name]}").text)
        for _ in range(1200 if started else 0):
            if client.get(f"/api/v1/jobs/{started.group(1)}").json()["status"] not in ("queued", "running"):
                break
            time.sleep(0.1)
    return out


def _pages(client, sids) -> dict[str, str]:
    from carescale.library import default_library

    lib = default_library()
    pages = {}
    for name, sid in sids.items():
        pages |= {f"result-{name}": f"/scenario/{sid}", f"assumptions-{name}": f"/s/{sid}/assumptions",
                  f"compare-{name}": f"/scenario/{sid}/compare", f"settings-{name}": f"/s/{sid}/settings",
                  f"models-{name}": f"/s/{sid}/models"}
        saved = post_form(client, f"/scenario/{sid}/save", {"name": name}, follow_redirects=False).headers["location"]
        pages |= {f"saved-{name}": saved}
    pages["saved"] = "/saved"
    pages["data"] = "/data"
    pages |= {"start": "/", "area": "/area", "optimise": "/optimise", "plans": "/plans", "national": "/national",
              "optimise-result": "/optimise/result?area=birmingham&budget=2m&budget_kind=budget"}
    pages |= {f"area-{name}": f"/s/{sid}/area" for name, sid in sids.items()}
    pages["evidence"] = "/evidence"
    pages |= {f"evidence-{i}": f"/evidence/{i}" for i in lib.interventions}
    pages |= {f"case-study-{i}": f"/evidence/{i}" for i in lib.case_studies}
    return pages


def test_no_raw_path_long_decimal_or_untrue_status_on_any_page(client, sids):
    found = []
    pages = _pages(client, sids)
    assert len(pages) > 20
    for name, path in pages.items():
        r = client.get(path)
        assert r.status_code == 200, (name, r.status_code)
        found += [f"{name}: {p}" for p in problems(words_of(r.text))]
    assert not found, "\n".join(found[:40])
    # the tornado (figures at the ends of their ranges) is on the result page, in words and units, once
    # the scenario's background Monte Carlo is done (issue 25: the page shows "still working" until then)
    deadline = time.monotonic() + 120
    while "Which figures matter most" not in (result := words_of(client.get(f"/scenario/{sids['repriced']}").text)) \
            and "Still working" in result and time.monotonic() < deadline:
        time.sleep(0.25)
    assert not problems(result)
    assert "Which figures matter most" in result and re.search(r"£[\d,]+ to £[\d,]+", result)


def test_re_priced_figures_say_so(client, sids):
    from carescale.web import documents

    doc = documents.parse(client.get(f"/api/v1/scenarios/{sids['repriced']}").json())
    params = {p["path"]: p for p in documents.parameters(doc)}
    page = client.get(f"/s/{sids['repriced']}/assumptions").text
    # each figure's hint, found by the id of its input
    from carescale.web.templating import field_id

    repriced = [p for p in params.values() if p["published_year"] and p["published_year"] != p["price_year"]]
    assert len(repriced) > 10
    for p in repriced:
        hint = words_of(re.search(rf'id="{field_id(p["path"])}-hint">(.*?)</div>', page, flags=re.S).group(1))
        assert "re-priced from" in hint and f"{p['published_year']} prices" in hint, hint
        assert "; published)" not in hint, hint
    not_repriced = [p for p in params.values() if p["status"] == "published" and p["published_year"] == p["price_year"]
                    and p["unit"] != "people"]
    for p in not_repriced[:5]:
        hint = words_of(re.search(rf'id="{field_id(p["path"])}-hint">(.*?)</div>', page, flags=re.S).group(1))
        assert "re-priced" not in hint


MESSAGES = {
    "take_up_above_100": "Community Agents: take-up (share of usual resident population aged 65 and over): 150% is "
                         "above 100%; a share must be between 0% and 100%",
    "take_up_as_decimal_above_1": "Community Agents: take-up (share of usual resident population aged 65 and over): "
                                  "150% is above 100%; a share must be between 0% and 100%",
    "unit_cost_not_a_number": "Living Well (Age UK): cost per person a year: 'about 500' is not a number; type it as "
                              "2,000, 9% or £2m",
    "settings_period_zero": "Enter the appraisal period as a whole number of years from 1 to 60",
    "settings_discount_25_percent": "The discount rate must be between 0% and 20% a year, for example 3.5%",
    "save_without_a_name": "Enter a name for the scenario",
    "unit_cost_negative": "Living Well (Age UK): cost per person a year: -£5 is negative; it must be pounds per person "
                          "a year (0 or more)",
    "cohort_negative": "Birmingham: usual resident population aged 65 and over: -5 is negative; it must be a count of "
                       "people (0 or more)",
}


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_each_error_summary_names_the_figure_in_words(client, sids, name):
    case = json.loads((FORMS / f"{name}.json").read_text())
    sid = sids["repriced"]
    url = {"assumptions": f"/s/{sid}/assumptions", "settings": f"/s/{sid}/settings", "save": f"/scenario/{sid}/save"}
    r = post_form(client, url[case["page"]], case["form"])
    assert r.status_code == 422
    summary = words_of(re.search(r'<div class="govuk-error-summary.*?</ul>', r.text, flags=re.S).group(0)).strip()
    assert summary == f"There is a problem {MESSAGES[name]}"
    assert not problems(words_of(r.text))


@pytest.mark.parametrize(("typed", "kind", "value"), [("9%", "share", 0.09), ("£2m", "money", 2_000_000),
                                                      ("2,000", "number", 2000)])
def test_typed_input_reads_as_people_write_it(typed, kind, value):
    from carescale.web.forms import number

    assert number(typed) == pytest.approx(value)


def test_typed_people_and_shares_change_the_figures(client, sids):
    sid = sids["published"]
    r = post_form(client, f"/s/{sid}/assumptions", {"v:living-well.older-people-multiple-ltc.people": "2,500",
                                                   "v:community-agents.older-people.sizing.rate": "3%"},
                    follow_redirects=False)
    assert r.status_code == 303
    doc = client.get(f"/api/v1/scenarios/{r.headers['location'].split('/')[-1]}").json()
    assert doc["overrides"]["living-well.older-people-multiple-ltc.people"] == {"value": 2500}
    assert doc["overrides"]["community-agents.older-people.sizing.rate"]["value"] == pytest.approx(0.03)


def test_the_scan_finds_what_it_looks_for():
    """The scan itself: each kind of problem the issue found is caught."""
    bad = ("Evidence value: 16371.9043861 (£ per person a year); 862.715 people; £31,232,478.123; "
           "overrides: community-agents.older-people.sizing.rate: 1.5; segments[0].outcomes[1].unit_saving; "
           "population_65_plus; left out of do minimum: kent-pathways; of community-agents and living-well")
    kinds = {p.split(" ")[0] for p in problems(bad)}
    assert kinds == {"path", "money", "people", "number", "id"}
    assert "id 'kent-pathways'" in problems(bad) and problems("ascfr_gce_total") == ["path 'ascfr_gce_total'"]
    assert not problems("£1,234.56 and 72.3% of 2,000 people, 0.006693 and 2024/25 prices")


def test_an_area_file_error_names_the_figure_in_words(client):
    path = INVALID / "areas_import" / "not_a_number.csv"
    r = post_form(client, "/area/upload", files={"file": ("my-area.csv", path.read_bytes(), "text/csv")})
    assert r.status_code == 422
    summary = words_of(re.search(r'<div class="govuk-error-summary.*?</ul>', r.text, flags=re.S).group(0)).strip()
    assert summary == ("There is a problem my-area.csv: row 9 (usual resident population aged 65 and over), cell D9: "
                       "'about 150k' is not a number; expected a count of people, for example 149412, or a blank "
                       "cell if not known")
    assert not problems(summary)


@pytest.mark.parametrize(("text", "plain"), [
    ("1000000 / 1000 = 1000", "1,000,000 / 1,000 = 1,000"),
    ("0.0180708377 x 149412 = 2700.0001", "0.01807 x 149,412 = 2,700"),
    ("in 2015/16 prices, 2017, 12.5%", "in 2015/16 prices, 2017, 12.5%"),
    ("1 - 0.5 = 0.5", "1 - 0.5 = 0.5"),
])
def test_worked_out_lines_read_plainly(text, plain):
    from carescale.web.wording import plain_numbers

    assert plain_numbers(text) == plain


@pytest.mark.parametrize(("status", "published", "now", "said"), [
    ("published", "2016/17", "2024/25", "re-priced from published 2016/17 prices"),
    ("implied", "2016/17", "2024/25", "worked out from published figures, re-priced from 2016/17 prices"),
    ("published", "2016/17", "2016/17", "published"),
    ("published", "", "", "published"),
    ("assumption", None, None, "our assumption"),
])
def test_status_words_are_true(status, published, now, said):
    from carescale.web.wording import status_words

    assert status_words(status, published, now) == said


@pytest.mark.parametrize("measure, plain", [
    ("Table 14: Gross Current Expenditure, by care type, 2021-22: Total Gross Current Expenditure (GCE)",
     "Gross Current Expenditure, by care type, 2021-22: Total Gross Current Expenditure (GCE)"),
    ("TOTAL ADULT SOCIAL CARE  [note 2] - Net Current Expenditure (C7 = C3 - C6)",
     "Total adult social care - Net Current Expenditure (C7 = C3 - C6)"),
    ("mean unit cost of Emergency Care", "Mean unit cost of Emergency Care"),
])
def test_official_series_are_named_by_their_header(measure, plain):
    from carescale.web.wording import series_words

    assert series_words(measure) == plain


def test_the_options_and_the_bridge_name_models_in_words(client, sids):
    """The options appraisal lists the models left out of do minimum by name, and the bridge's
    overlap steps name both models in words (the ids only in addresses)."""
    from carescale.scenarios import evaluate_document
    from carescale.web import documents

    ev = evaluate_document(documents.parse(client.get(f"/api/v1/scenarios/{sids['repriced']}").json()))
    left = ev.options()["do_minimum_left_out"]
    assert {"id": "shared-lives", "name": "Shared Lives", "why": "needs set-up investment"} in left
    page = words_of(client.get(f"/scenario/{sids['repriced']}").text)
    for x in left:
        assert f"Left out of do minimum: {x['name']} ({x['why']})." in page
    overlap = [ln for ln in ev.bridge()["lines"] if ln.get("step") == "overlap_a_year"]
    pair = [ln["source"] for ln in overlap if ln["model"] == "community-agents-living-well"]
    assert pair and all("per person of Community Agents and Living Well (Age UK) " in s for s in pair), pair
    assert not [ln["source"] for ln in overlap if _library_ids().search(ln["source"])]
