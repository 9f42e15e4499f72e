"""The optimiser's pages without a browser (docs/web.md, "The optimiser"): the page gives what
`carescale optimise` prints for the same limits, its form's problems are error-summary items
naming the field in words, and the chosen portfolio opens as a scenario whose figures are the
optimiser's."""

from __future__ import annotations

import re

import pytest

from tests.conftest import run_cli

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from carescale.formatting import money, share  # noqa: E402
from carescale.web import documents  # noqa: E402
from carescale.web.app import create_app  # noqa: E402
from carescale.web.storage import MemoryScenarioStore  # noqa: E402
from .web_helpers import post_form

SAME_ORIGIN = {"Origin": "http://testserver"}


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(MemoryScenarioStore()), follow_redirects=False, headers=SAME_ORIGIN) as c:
        yield c


@pytest.fixture(scope="module")
def cli_2m():
    got = run_cli("optimise", "--budget", "2m", "--format", "json")
    assert got.code == 0, got.err
    return got.json()


def cell(page: str, ident: str) -> str:
    m = re.search(rf'id="{re.escape(ident)}"[^>]*>(.*?)</', page, re.S)
    assert m, ident
    return re.sub(r"\s+", " ", m.group(1)).strip()


def test_the_page_gives_what_the_cli_prints_for_a_2m_budget(client, cli_2m):
    got = client.get("/optimise/result?area=birmingham&budget=2m&budget_kind=budget")
    assert got.status_code == 200, got.text
    page = got.text
    assert cell(page, "objective-value") == money(cli_2m["objective"]["value"]) == "£3,162,607"
    for m in cli_2m["models"]:
        assert cell(page, f"scale-{m['id']}") == (share(m["scale"]) if m["in"] else "out"), m["id"]
        assert m["why"][1:] in page, m["id"]
    chosen = [m["id"] for m in cli_2m["models"] if m["in"]]
    assert chosen == ["living-well"]
    f = cli_2m["figures"]
    assert cell(page, "fig-cost") == money(f["cost"]) == "£2,000,000"
    assert cell(page, "fig-npv") == money(f["npv"])
    assert cell(page, "fig-npv-asc") == money(f["npv_by_payer"]["asc"])
    assert cell(page, "fig-npv-nhs") == money(f["npv_by_payer"]["nhs"])
    # the budget as stated, and the frontier's table with the chosen budget on it
    assert "within £2,000,000 in total over the appraisal period" in page
    frontier = page[page.index('id="frontier"'):]
    assert "£2,000,000</th>" in frontier and money(cli_2m["objective"]["value"]) in frontier
    assert '"id": "chart-frontier"' in page or '"id":"chart-frontier"' in page


def test_a_budget_each_year_is_stated_and_used(client):
    page = client.get("/optimise/result?area=birmingham&budget=300k&budget_kind=running_budget_per_year").text
    assert "within £300,000 of running cost each year" in page
    # the library's answer for the same limit
    from carescale.optimise import optimise

    r = optimise({"area": "birmingham"}, running_budget_per_year=300_000)
    assert cell(page, "objective-value") == money(r.objective)
    assert max(r.figures.running_by_year) <= 300_000 + 1


def test_include_exclude_and_staff_reach_the_optimiser(client):
    q = ("area=birmingham&budget=2m&model.shared-lives=must&model.living-well=not&staff.coordinators=3")
    page = client.get(f"/optimise/result?{q}").text
    assert cell(page, "scale-living-well") == "out"
    assert "you excluded it" in cell(page, "why-living-well")
    assert cell(page, "scale-shared-lives") != "out"
    from carescale.optimise import optimise

    r = optimise({"area": "birmingham"}, budget=2_000_000, include="shared-lives", exclude="living-well",
                 staff={"coordinators": 3})
    assert cell(page, "objective-value") == money(r.objective)
    assert r.figures.staff["coordinators"] <= 3 + 1e-6


def test_form_problems_name_the_field_in_words(client):
    got = client.get("/optimise/result?area=birmingham&budget=lots&staff.volunteers=-3&objective=budget-impact&year=40")
    assert got.status_code == 422
    page = got.text
    assert '<a href="#budget">Enter the budget in pounds, for example £2m, 2,000,000 or 500k</a>' in page
    assert '<a href="#staff-volunteers">Enter the volunteers available as a number of people, for example 10</a>' in page
    assert '<a href="#year">The year must be a whole number from 1 to 10</a>' in page
    assert 'value="lots"' in page  # what was typed is kept
    got = client.get("/optimise/result?area=nowhere")
    assert got.status_code == 422 and '<a href="#area">Choose an area from the list' in got.text


def test_limits_that_cannot_be_met_are_said_in_one_line(client):
    got = client.get("/optimise/result?area=birmingham&budget=1000&model.shared-lives=must&model.living-well=must")
    assert got.status_code == 422
    assert "No portfolio meets every limit: budget: £1,000 cannot be met" in got.text


def test_the_chosen_portfolio_opens_as_a_scenario(client, cli_2m):
    got = post_form(client, "/optimise/scenario", {"area": "birmingham", "budget": "2m", "budget_kind": "budget"})
    assert got.status_code == 303
    sid = got.headers["location"].rsplit("/", 1)[1]
    assert sid == cli_2m["scenario_id"]  # the very document `carescale optimise --budget 2m -o` writes
    doc = client.get(f"/api/v1/scenarios/{sid}").json()
    assert doc["interventions"] == ["living-well"]
    assert doc["scale"]["living-well"] == pytest.approx(cli_2m["models"][1]["scale"])
    page = client.get(f"/scenario/{sid}")
    assert page.status_code == 200
    npv = documents.appraise(documents.parse(doc))["portfolio"]["metrics"]["npv"]
    assert money(npv) == money(cli_2m["figures"]["npv"])
