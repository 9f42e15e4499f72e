"""Comparing two results (issue 26): ``carescale.scenarios.compare.compare_results``, what
``carescale scenario diff A B --results`` prints and the web's compare page shows; saved
scenarios with a name and a note; share links that are never a loopback address when the app is
reached from elsewhere."""

from __future__ import annotations

import json

import pytest

from carescale.scenarios import parse_data, run_document
from carescale.scenarios.compare import baseline_of, compare_results, setting_label
from tests.conftest import run_cli
from tests.store_fixtures import store_url  # noqa: F401  (fixture)
from .web_helpers import post_form

LW_PEOPLE = "living-well.older-people-multiple-ltc.people"


@pytest.fixture(scope="module")
def lw2000():
    doc = parse_data({"version": 1, "area": "birmingham", "overrides": {LW_PEOPLE: {"value": 2000, "note": "target"}}})
    return baseline_of(doc), doc, compare_results(baseline_of(doc), doc)


def test_the_baseline_drops_the_overrides_only(lw2000):
    base, doc, _ = lw2000
    assert base.overrides == {} and doc.overrides
    assert base.data() == {**doc.data(), "overrides": {}, "note": ""}


def test_rows_by_model_and_overlap_add_up_to_each_net_headline(lw2000):
    base, doc, c = lw2000
    head = {r["key"]: r for r in c["headlines"]}
    for payer in ("asc", "nhs"):
        for side in ("a", "b"):
            total = sum(r[side] for r in c["by_model"] if r["payer"] == payer)
            assert total == pytest.approx(head[f"net_{payer}"][side], abs=0.05)
    # the figures are the runs' own
    ra, rb = run_document(base)["totals"], run_document(doc)["totals"]
    assert head["net_asc"]["a"] == ra["net_savings"]["asc"] and head["net_nhs"]["b"] == rb["net_savings"]["nhs"]
    assert head["overlap_total"]["b"] == pytest.approx(-(rb["overlap_deduction"]["asc"] + rb["overlap_deduction"]["nhs"]))
    assert head["people"]["difference"] == pytest.approx(1000, abs=0.01)


def test_the_overlap_with_community_agents_doubles_with_twice_the_people(lw2000):
    _, _, c = lw2000
    pair = next(r for r in c["overlaps"] if r["key"] == "community-agents-living-well" and r["payer"] == "asc")
    assert pair["b"] == pytest.approx(2 * pair["a"], rel=1e-6) and pair["difference"] < -400_000
    head = {r["key"]: r for r in c["headlines"]}
    assert head["overlap_total"]["difference"] == pytest.approx(sum(r["difference"] for r in c["overlaps"]), abs=0.05)


def test_bridge_steps_sum_to_each_subtotal_difference(lw2000):
    _, _, c = lw2000
    total = 0.0
    for r in (r for r in c["bridge"] if r["payer"] == "total"):
        if r["kind"] == "subtotal":
            assert r["difference"] == pytest.approx(total, abs=0.05), r["step"]
        else:
            total += r["difference"]
    npv = next(r for r in c["bridge"] if r["step"] == "npv" and r["payer"] == "total")
    head = {r["key"]: r for r in c["headlines"]}
    assert npv["difference"] == pytest.approx(head["npv"]["difference"], abs=0.05)


@pytest.mark.parametrize(("x", "unit", "shown"), [(670161.45, "money", "+£670,161"), (-498759.56, "money", "-£498,760"),
                                                  (0.3, "money", "no change"), (1000.0, "people", "+1,000"),
                                                  (None, "money", "–")])
def test_a_difference_is_signed_and_plain(x, unit, shown):
    from carescale.formatting import change

    assert change(x, unit) == shown


def test_the_compare_chart_shows_each_changed_model_and_overlap(lw2000):
    from carescale.web.charts import compare_by_model

    _, _, c = lw2000
    spec = compare_by_model(c)
    asc, nhs = spec["data"]
    names = [n.replace("<br>", " ") for n in asc["y"]]
    assert names[0] == "Living Well (Age UK)" and len(set(names)) == 4  # the model and the three overlaps it is in
    assert "Overlap: Community Agents and Living Well (Age UK)" in names
    diff = {(r["key"], r["payer"]): r["difference"] for r in c["by_model"]}
    assert asc["x"][0] == pytest.approx(diff[("living-well", "asc")]) and nhs["x"][0] == pytest.approx(diff[("living-well", "nhs")])
    assert sum(asc["x"]) == pytest.approx(next(h["difference"] for h in c["headlines"] if h["key"] == "net_asc"), abs=0.05)


def test_identical_documents_differ_in_nothing():
    doc = parse_data({"version": 1, "area": "birmingham"})
    c = compare_results(doc, doc)
    assert c["identical"] and not c["settings"]
    assert all(r["difference"] == 0 for r in [*c["headlines"], *c["by_model"]])
    assert c["bridge"] and all(r["difference"] == 0 for r in c["bridge"])


def test_settings_are_named_in_words(lw2000):
    _, _, c = lw2000
    labels = [r["label"] for r in c["settings"]]
    assert "Changed figure: Living Well (Age UK): people supported a year" in labels
    assert "Changed figure: Living Well (Age UK): people supported a year (note)" in labels
    assert setting_label("appraisal.years") == "Appraisal period (years)"


def test_cli_diff_results_prints_the_same_figures(tmp_path, lw2000, monkeypatch):
    from carescale.formatting import change, money

    # at 80 columns, with file names longer than that (the columns are A and B, the title names them)
    monkeypatch.setenv("COLUMNS", "80")

    base, doc, c = lw2000
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(base.to_json())
    b.write_text(doc.to_json())
    got = json.loads(run_cli("scenario", "diff", str(a), str(b), "--results", "--format", "json").out)
    assert got["results"]["headlines"] == c["headlines"] and got["results"]["overlaps"] == c["overlaps"]
    table = run_cli("scenario", "diff", str(a), str(b), "--results")
    assert table.code == 0, table.err
    pair = next(r for r in c["overlaps"] if r["key"] == "community-agents-living-well" and r["payer"] == "asc")
    for x in (money(pair["a"]), money(pair["b"]), change(pair["difference"])):
        assert x in table.out
    csv = run_cli("scenario", "diff", str(a), str(b), "--results", "--format", "csv")
    assert csv.out.splitlines()[0].split(",") == ["section", "key", "label", "model", "payer", "a", "b", "difference"]
    # without --results: the settings only, as before
    plain = json.loads(run_cli("scenario", "diff", str(a), str(b), "--format", "json").out)
    assert "results" not in plain and plain["identical"] is False


# -- saved scenarios and share links ---------------------------------------------------------------------


@pytest.fixture
def client(tmp_path):
    from fastapi.testclient import TestClient

    from carescale.web.app import create_app
    from carescale.web.storage import DatabaseScenarioStore

    store = DatabaseScenarioStore(f"sqlite:///{tmp_path / 'store.db'}")
    with TestClient(create_app(store), headers={"Origin": "http://testserver"}) as c:
        from tests.accounts_helpers import sign_in

        sign_in(c)  # saved scenarios are an organisation's (docs/accounts.md)
        yield c, store


def test_save_with_a_name_and_note_then_list_and_reopen(client):
    c, store = client
    sid = c.post("/api/v1/scenarios", json={"version": 1, "area": "birmingham"}).json()["scenario_id"]
    r = post_form(c, f"/scenario/{sid}/save", {"name": "  Board paper <draft>  ", "note": "for March"},
               follow_redirects=False)
    assert r.status_code == 303
    key = r.headers["location"].removeprefix("/saved/")
    assert store.get_saved(key) == {**store.get_saved(key), "scenario_id": sid, "name": "Board paper <draft>",
                                    "note": "for March"}
    page = c.get(f"/saved/{key}").text
    assert "Board paper &lt;draft&gt;" in page and "<draft>" not in page
    assert f'href="/scenario/{sid}"' in page
    assert "Board paper &lt;draft&gt;" in c.get("/saved").text
    assert c.get("/saved/0123456789abcdef").status_code == 404
    assert c.get("/saved/not-a-key").status_code == 404


@pytest.mark.parametrize(("form", "message"), [
    ({"name": ""}, "Enter a name for the scenario"),
    ({"name": "x" * 201}, "The name must be 200 characters or fewer (it has 201)"),
    ({"name": "ok", "note": "n" * 2001}, "The note must be 2,000 characters or fewer (it has 2,001)"),
])
def test_save_form_errors_name_the_field(client, form, message):
    c, _ = client
    sid = c.post("/api/v1/scenarios", json={"version": 1, "area": "birmingham"}).json()["scenario_id"]
    r = post_form(c, f"/scenario/{sid}/save", form)
    assert r.status_code == 422 and message in r.text and "govuk-error-summary" in r.text


def test_compare_with_a_saved_scenario(client):
    c, _ = client
    a = c.post("/api/v1/scenarios", json={"version": 1, "area": "birmingham"}).json()["scenario_id"]
    b = c.post("/api/v1/scenarios", json={"version": 1, "area": "birmingham", "overrides": {LW_PEOPLE: 2000}}).json()["scenario_id"]
    key = post_form(c, f"/scenario/{a}/save", {"name": "Defaults"}, follow_redirects=False).headers["location"].split("/")[-1]
    page = c.get(f"/scenario/{b}/compare", params={"with": key}).text
    assert "against saved scenario \u201cDefaults\u201d" in page
    assert 'id="headline-overlap_total"' in page and "-£740,901" in page
    assert c.get(f"/scenario/{b}/compare", params={"with": "ffffffffffffffffffff"}).status_code == 404


def _request(host: str, state_url: str | None):
    from types import SimpleNamespace

    from starlette.requests import Request

    app = SimpleNamespace(state=SimpleNamespace(public_url=state_url))
    scope = {"type": "http", "method": "GET", "path": "/", "headers": [(b"host", host.encode())], "scheme": "http",
             "server": ("127.0.0.1", 8000), "query_string": b"", "app": app}
    return Request(scope)


@pytest.mark.parametrize(("host", "started", "configured", "want"), [
    # never the request's Host header (a cached page would carry it to every visitor): the started
    # address, or the configured one; the page's script shows the browser's own address instead of
    # a loopback one (test_web_compare_browser)
    ("carescale.example.org", "http://127.0.0.1:8000", None, "http://127.0.0.1:8000"),
    ("10.0.0.5:8000", "http://127.0.0.1:8000", None, "http://127.0.0.1:8000"),
    ("127.0.0.1:8000", "http://127.0.0.1:8000", None, "http://127.0.0.1:8000"),
    ("evil.example/x", "http://127.0.0.1:8000", None, "http://127.0.0.1:8000"),
    ("other.example", "http://carescale.internal:8000", None, "http://carescale.internal:8000"),
    ("other.example", "http://127.0.0.1:8000", "https://care.example.org/app", "https://care.example.org/app"),
])
def test_share_links_are_never_loopback_when_served_elsewhere(monkeypatch, host, started, configured, want):
    from carescale.web.security import share_base

    if configured:
        monkeypatch.setenv("CARESCALE_PUBLIC_URL", configured)
    else:
        monkeypatch.delenv("CARESCALE_PUBLIC_URL", raising=False)
    assert share_base(_request(host, started)) == want


def test_saved_scenarios_on_each_database(store_url):
    """The saved_scenarios table (migration 0004) on SQLite and PostgreSQL: a name and a note on
    a stored document, newest first; a document not stored is refused in one line."""
    from carescale.errors import StoreError
    from carescale.store import core
    from carescale.web.storage import DatabaseScenarioStore

    store = DatabaseScenarioStore(store_url)
    sid = store.put(parse_data({"version": 1, "area": "birmingham"}))
    first = store.save_named(sid, "First", "")
    second = store.save_named(sid, "Second – with a dash", "a note\non two lines")
    assert first != second and len(first) == 16
    assert [s["name"] for s in store.list_saved()][:2] in (["Second – with a dash", "First"], ["First", "Second – with a dash"])
    got = store.get_saved(second)
    assert (got["scenario_id"], got["note"]) == (sid, "a note\non two lines") and got["saved_at"].endswith("+00:00")
    assert store.get_saved("0" * 16) is None and store.get_saved("../etc") is None
    with pytest.raises(StoreError, match=r"^scenario_id: no scenario 'ffffffffffffffffffff' is stored here$"):
        store.save_named("ffffffffffffffffffff", "x")
    assert core.current_revision(core.open_store(store_url).engine) == core.head_revision()
