"""The national page without a browser (docs/web.md, "England"): England's, each region's and
each council's figures are `carescale national`'s, the council table sorts by any column with
plain links (no JavaScript), and each council opens its own result with the same figures."""

from __future__ import annotations

import re

import pytest

from tests.conftest import run_cli

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from carescale.formatting import people, short_money  # noqa: E402
from carescale.web.app import create_app  # noqa: E402
from carescale.web.storage import MemoryScenarioStore  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(MemoryScenarioStore()), follow_redirects=False,
                    headers={"Origin": "http://testserver"}) as c:
        yield c


@pytest.fixture(scope="module")
def cli():
    got = run_cli("national", "--format", "json")
    assert got.code == 0, got.err
    return got.json()


def text(page: str, ident: str) -> str:
    m = re.search(rf'id="{re.escape(ident)}"[^>]*>(.*?)</', page, re.S)
    assert m, ident
    return m.group(1).strip()


def council_order(page: str) -> list[str]:
    return re.findall(r'<tr class="govuk-table__row" id="council-(E\d{8})">', page)


def test_england_regions_and_councils_are_the_cli_figures(client, cli):
    page = client.get("/national").text
    t = cli["totals"]
    assert text(page, "england-asc") == short_money(t["net_savings"]["asc"])
    assert text(page, "england-nhs") == short_money(t["net_savings"]["nhs"])
    assert text(page, "england-people") == people(t["beneficiaries"])
    assert t["councils"] == 153 and len(council_order(page)) == 153
    regions = page[page.index('id="regions"'):page.index('id="councils"')]
    for r in cli["regions"]:
        assert f">{r['name']}</th>" in regions
        assert short_money(r["net_savings"]["total"]) in regions
    # the default order is the CLI's ranking (largest net saving first)
    assert council_order(page) == [r["code"] for r in cli["ranked"]]
    # every council links to its own result
    assert len(re.findall(r'href="/national/councils/[a-z0-9-]+"', page)) == 153
    # the chart has its data and a text alternative
    assert '"chart-regions"' in page and 'role="img"' in page


def test_the_council_table_sorts_without_javascript(client, cli):
    by_name = client.get("/national?sort=name&order=asc").text
    names = {a["code"]: a["name"] for a in cli["areas"]}
    order = council_order(by_name)
    assert [names[c] for c in order] == sorted(names.values(), key=str.lower)
    assert 'aria-sort="ascending" data-key="name"' in by_name
    assert 'href="/national?sort=name&amp;order=desc#councils"' in by_name  # the heading reverses it
    smallest = council_order(client.get("/national?sort=net&order=asc").text)
    net = {r["code"]: r["net_savings"] for r in cli["ranked"]}
    assert [net[c] for c in smallest] == sorted(net.values())
    per = council_order(client.get("/national?sort=per_person&order=desc").text)
    best = max(cli["ranked"], key=lambda r: r["net_saving_per_person_65_plus"] or -1)
    assert per[0] == best["code"]
    # an unknown column falls back to the default order
    assert council_order(client.get("/national?sort=%3Cscript%3E").text) == [r["code"] for r in cli["ranked"]]


def test_a_council_opens_its_own_result_with_the_same_figures(client, cli):
    durham = next(a for a in cli["areas"] if a["name"] == "County Durham")
    got = client.get("/national/councils/county-durham")
    assert got.status_code == 303
    result = got.headers["location"]
    assert client.get("/national/councils/county-durham").headers["location"] == result  # one address
    page = client.get(result).text
    assert text(page, "total-asc") == short_money(durham["net_savings"]["asc"])
    assert text(page, "total-nhs") == short_money(durham["net_savings"]["nhs"])
    assert client.get("/national/councils/atlantis").status_code == 404
