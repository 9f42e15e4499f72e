"""Ownership, sharing, approvals and published plans through the web app's pages and the API
(issue 27; docs/accounts.md, "Ownership, sharing and approvals"): a council's approver approves
its plan and a review's recommendation (who, when and the scenario id shown); its admin shares the
plan read-only, then editable, with a partner, stops sharing and publishes it; a user of two
organisations chooses which one a new logic model belongs to. Every refusal is in
tests/security/test_route_access.py; these are the things working as they should."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from tests.accounts_helpers import app_accounts, member, session_for  # noqa: E402
from tests.conftest import INVALID  # noqa: E402
from tests.web_helpers import post_form  # noqa: E402

# the tests share one world and follow on from each other (an approval, then the share and publish
# that show it): one xdist worker runs them all, in order
pytestmark = pytest.mark.xdist_group("web_ownership")

ORIGIN = {"Origin": "http://testserver"}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from carescale.plans import add_review, cycle
    from carescale.store import core
    from carescale.web.app import create_app
    from carescale.web.storage import DatabaseScenarioStore

    url = f"sqlite:///{tmp_path_factory.mktemp('ownership-web') / 'store.db'}"
    app = create_app(DatabaseScenarioStore(url))
    people = {"approver": ("sign@alpha.gov.uk", "alpha", "approver"), "admin": ("boss@alpha.gov.uk", "alpha", "admin"),
              "partner": ("boss@nhs.uk", "nhs", "admin"), "partner-editor": ("edit@nhs.uk", "nhs", "editor")}
    for email, org, role in people.values():
        member(app, email, org, role, kind="icb" if org == "nhs" else "council")
    made = cycle.create_plan_from({
        "id": "alpha-plan", "name": "Alpha's plan", "library": "community-agents", "area": "birmingham",
        "start": "2027-04-01", "end": "2028-03-31", "budget": 2_000_000,
        "phases": [{"name": "all", "start": "2027-04-01", "end": "2028-03-31", "scale": 0.5}],
        "funding": {"route": "transition_funds", "source": "Fund"}}, url=url, owner="alpha")
    add_review("alpha-plan", {"period_end": "2027-06-30", "people_supported": 100,
                              "outcomes": {o["id"]: 1 for o in made["definition"]["outcomes"]}, "money_spent": 40_000},
               url=url)
    clients = {"anonymous": TestClient(app, follow_redirects=False, headers=ORIGIN)}
    for who, (email, _, _) in people.items():
        clients[who] = TestClient(app, follow_redirects=False, headers=ORIGIN)
        clients[who].cookies.set("carescale_session", session_for(app, email))
    yield app, clients, made["scenario_id"]
    core.close_all()


def text_of(page: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</(ul|p|div)>', page, re.S)
    assert found, f"no #{element_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_an_approver_approves_the_plan_and_a_reviews_recommendation(world):
    app, clients, sid = world
    c = clients["approver"]
    page = c.get("/plans/alpha-plan").text
    assert 'id="approve"' in page and 'id="approve-review-1"' in page and "Not approved yet." in page
    assert post_form(c, "/plans/alpha-plan/approve", {"scenario_id": sid}).status_code == 303
    assert post_form(c, "/plans/alpha-plan/approve", {"scenario_id": sid, "review": "1"}).status_code == 303
    shown = text_of(c.get("/plans/alpha-plan").text, "approval-list")
    assert re.fullmatch(
        rf"The plan approved by sign@alpha\.gov\.uk for Alpha on \d{{4}}-\d\d-\d\d \d\d:\d\d UTC, seeing scenario {sid} "
        rf"Review 1's recommendation \(\w[\w ]*\) approved by sign@alpha\.gov\.uk for Alpha on \d{{4}}-\d\d-\d\d "
        rf"\d\d:\d\d UTC, seeing scenario {sid}", shown), shown
    # a page that showed another scenario is refused, with the error summary
    stale = post_form(c, "/plans/alpha-plan/approve", {"scenario_id": "ab" * 32})
    assert stale.status_code == 422 and "reload the plan and approve what it shows now" in stale.text
    api = c.get("/api/v1/plans/alpha-plan/approvals").json()
    assert [(a["kind"], a["review"], a["approved_by"], a["scenario_id"]) for a in api] == [
        ("plan", None, "sign@alpha.gov.uk", sid), ("recommendation", 1, "sign@alpha.gov.uk", sid)]
    got = c.post("/api/v1/plans/alpha-plan/approvals", json={"review": 1, "scenario_id": sid})
    assert got.status_code == 201 and got.json()["organisation"] == "alpha"


def test_the_owners_admin_shares_read_only_then_editable_stops_and_publishes(world):
    app, clients, _ = world
    admin, partner, partner_editor = clients["admin"], clients["partner"], clients["partner-editor"]
    assert partner.get("/plans/alpha-plan").status_code == 404
    assert "Alpha&#39;s plan" not in partner.get("/plans").text
    assert 'id="share-form"' not in clients["approver"].get("/plans/alpha-plan").text  # sharing is the admin's
    assert post_form(admin, "/plans/alpha-plan/share", {"partner": "nhs", "access": "read"}).status_code == 303
    assert "Nhs: read only (shared by boss@alpha.gov.uk)" in text_of(admin.get("/plans/alpha-plan").text, "share-list")
    page = partner.get("/plans/alpha-plan").text
    assert 'id="read-only"' in page and 'id="add-review"' not in page and 'id="approve"' not in page
    assert "Alpha&#39;s plan" in partner.get("/plans").text
    assert partner_editor.get("/plans/alpha-plan/reviews/new").status_code == 403
    got = admin.post("/api/v1/plans/alpha-plan/shares", json={"partner": "nhs", "access": "edit"})
    assert got.status_code == 201 and got.json()["access"] == "edit"
    assert partner_editor.get("/plans/alpha-plan/reviews/new").status_code == 200
    page = partner_editor.get("/plans/alpha-plan").text
    assert 'id="add-review"' in page and 'id="read-only"' not in page and 'id="approve"' not in page
    assert post_form(admin, "/plans/alpha-plan/unshare", {"partner": "nhs"}).status_code == 303
    assert partner.get("/plans/alpha-plan").status_code == 404
    assert admin.delete("/api/v1/plans/alpha-plan/shares/nhs").status_code == 404  # not shared any more
    unknown = post_form(admin, "/plans/alpha-plan/share", {"partner": "", "access": "read"})
    assert unknown.status_code == 422 and "partner: choose the organisation to share the plan with" in unknown.text
    assert clients["anonymous"].get("/plans/alpha-plan").status_code == 303
    assert post_form(admin, "/plans/alpha-plan/publish", {"public": "yes"}).status_code == 303
    public = clients["anonymous"].get("/plans/alpha-plan")
    assert public.status_code == 200 and "approved for Alpha on" in public.text
    assert "sign@alpha.gov.uk" not in public.text  # no approver's email for anonymous visitors
    assert "Alpha&#39;s plan" in clients["anonymous"].get("/plans").text
    assert post_form(admin, "/plans/alpha-plan/publish", {"public": "no"}).status_code == 303
    assert clients["anonymous"].get("/plans/alpha-plan").status_code == 303
    actions = [(a["actor"], a["action"]) for a in app_accounts(app).audit_log() if a["object"] == "plan:alpha-plan"]
    assert actions[-5:] == [("boss@alpha.gov.uk", "share"), ("boss@alpha.gov.uk", "share"),
                            ("boss@alpha.gov.uk", "unshare"), ("boss@alpha.gov.uk", "plan.publish"),
                            ("boss@alpha.gov.uk", "plan.unpublish")]


def _answers(name: str) -> dict:
    """A logic model builder's answers for a Shared Lives model named ``name``."""
    from carescale.plans import cycle

    return {**cycle.draft("case-study", "birmingham-shared-lives"), "take_up": 0.005, "unit_cost": 400,
            "council_share": 0.5, "name": name,
            "outcomes": [{"description": "A fall is avoided", "payer": "nhs", "rate": 0.087, "saving": 3500}],
            "activities": ["Classes"], "assumptions": ["People keep exercising"],
            "short_term_outcomes": ["Fewer falls"], "resources": ["Halls"]}


def _alpha_logic_model(app, name: str) -> str:
    """That logic model owned by alpha, saved in the app's store: its key."""
    from carescale.plans import cycle

    return cycle.save_logic_model(cycle.build_logic_model(_answers(name))[1], url=app.state.store.url,
                                  owner="alpha")["key"]


def test_a_member_of_two_organisations_chooses_which_one_owns_a_new_logic_model(world):
    from carescale.web import plan_forms

    app, _, _ = world
    member(app, "both@alpha.gov.uk", "alpha", "editor")
    member(app, "both@alpha.gov.uk", "nhs", "editor")
    c = TestClient(app, follow_redirects=False, headers=ORIGIN)
    c.cookies.set("carescale_session", session_for(app, "both@alpha.gov.uk"))
    d = plan_forms.encode(_answers("Chosen owner"))
    page = c.get(f"/logic-models/new/check?d={d}").text
    assert '<select class="govuk-select" id="organisation" name="organisation">' in page
    refused = post_form(c, "/logic-models/new/check", {"d": d})
    assert refused.status_code == 422
    assert "organisation: this account may create records in several organisations; choose one of: alpha, nhs" in refused.text
    saved = post_form(c, "/logic-models/new/check", {"d": d, "organisation": "nhs"})
    assert saved.status_code == 303
    key = saved.headers["location"].rsplit("/", 1)[1]
    acc = app_accounts(app)
    assert acc.access(acc.get_user("boss@nhs.uk"), "logic-model", key) == "approve"
    assert acc.access(acc.get_user("boss@alpha.gov.uk"), "logic-model", key) == "none"


INVALID_OWNERSHIP = sorted(p.name for p in (INVALID / "ownership").glob("*.json"))


@pytest.mark.parametrize("name", INVALID_OWNERSHIP)
def test_invalid_ownership_request(world, name):
    """tests/invalid_inputs/ownership/: each request, the status and the exact field-level line it gets."""
    import json

    _, clients, _ = world
    case = json.loads((INVALID / "ownership" / name).read_text(encoding="utf-8"))
    client = clients[case["who"]]
    if case["method"] == "DELETE":
        got = client.delete(case["path"])
    else:
        got = client.request(case["method"], case["path"], json=case["body"])
    assert got.status_code == case["status"], got.text
    (detail,) = got.json()["detail"]
    if "msg" in case:
        assert detail["msg"] == case["msg"]
    else:
        assert detail["msg"].startswith(case["msg_starts"]), detail["msg"]


def test_logic_models_and_saved_scenarios_are_shared_from_their_pages(world):
    """The same Share section on a logic model's and a saved scenario's page (the owner's admins):
    the partner reads them once shared, and not once the share stops."""
    app, clients, sid = world
    admin, partner = clients["admin"], clients["partner"]
    key = _alpha_logic_model(app, "Shared model")
    saved = app.state.store.save_named(sid, "Alpha's saved", "", owner="alpha")
    for page in (f"/logic-models/{key}", f"/saved/{saved}"):
        assert partner.get(page).status_code == 404
        assert 'id="share-form"' in admin.get(page).text
        assert 'id="share-form"' not in clients["approver"].get(page).text  # sharing is the admin's
        empty = post_form(admin, page + "/share", {"partner": "", "access": "read"})
        assert empty.status_code == 422 and "partner: choose the organisation to share the" in empty.text
        assert post_form(admin, page + "/share", {"partner": "nhs", "access": "read"}).status_code == 303
        assert "Nhs: read only (shared by boss@alpha.gov.uk)" in text_of(admin.get(page).text, "share-list")
        assert partner.get(page).status_code == 200
        assert post_form(admin, page + "/unshare", {"partner": "nhs"}).status_code == 303
        assert partner.get(page).status_code == 404


def test_logic_models_and_saved_scenarios_are_shared_through_the_api(world):
    """The API shares a logic model and a saved scenario as it shares a plan: the owner's admin only
    (201, then 204), another organisation's account is told nothing is there (404), an approver who
    is not an admin is refused (403), and the partner reads the record while it is shared."""
    app, clients, sid = world
    admin, partner, approver = clients["admin"], clients["partner"], clients["approver"]
    key = _alpha_logic_model(app, "Model shared by the API")
    saved = app.state.store.save_named(sid, "Alpha's saved by the API", "", owner="alpha")
    for kind, api, page in (("logic-model", f"/api/v1/logic-models/{key}", f"/logic-models/{key}"),
                            ("saved-scenario", f"/api/v1/saved/{saved}", f"/saved/{saved}")):
        assert partner.get(page).status_code == 404
        hidden = partner.post(api + "/shares", json={"partner": "nhs", "access": "read"})
        assert hidden.status_code == 404 and "saved" in hidden.json()["detail"][0]["msg"], hidden.text
        refused = approver.post(api + "/shares", json={"partner": "nhs", "access": "read"})
        assert refused.status_code == 403, refused.text
        assert refused.json()["detail"][0]["msg"] == f"share: only an admin of the organisation that owns this {kind} may share it"
        got = admin.post(api + "/shares", json={"partner": "nhs", "access": "edit"})
        assert got.status_code == 201, got.text
        assert {k: got.json()[k] for k in ("kind", "object_id", "owner", "partner", "access", "shared_by")} == {
            "kind": kind, "object_id": key if kind == "logic-model" else saved, "owner": "alpha", "partner": "nhs",
            "access": "edit", "shared_by": "boss@alpha.gov.uk"}
        assert [s["access"] for s in app_accounts(app).shares(kind, got.json()["object_id"])] == ["edit"]
        assert partner.get(page).status_code == 200
        bad = admin.post(api + "/shares", json={"partner": "alpha", "access": "read"})
        assert bad.status_code == 422 and "owns this" in bad.json()["detail"][0]["msg"]
        gone = admin.delete(api + "/shares/nhs")
        assert gone.status_code == 204 and gone.content == b""
        assert partner.get(page).status_code == 404
        again = admin.delete(api + "/shares/nhs")
        assert again.status_code == 404
        assert again.json()["detail"][0]["msg"] == f"partner: this {kind} is not shared with 'nhs'"


EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def test_a_published_plan_names_people_only_to_its_owners_members(world):
    """Who created a plan, recorded its reviews and approved it is its organisation's business: an
    anonymous reader of the published plan and a partner it is shared with see the organisation
    (Alpha) instead of any person's email, on the page, the history CSV and every API answer;
    the owner's members still see the emails."""
    from carescale.plans import add_review, cycle

    app, clients, _ = world
    url = app.state.store.url
    made = cycle.create_plan_from({
        "id": "alpha-open-plan", "name": "Alpha's open plan", "library": "community-agents", "area": "birmingham",
        "start": "2027-04-01", "end": "2028-03-31", "budget": 2_000_000, "created_by": "maker@alpha.gov.uk",
        "phases": [{"name": "all", "start": "2027-04-01", "end": "2028-03-31", "scale": 0.5}],
        "funding": {"route": "transition_funds", "source": "Fund"}}, url=url, owner="alpha")
    add_review("alpha-open-plan", {"period_end": "2027-06-30", "people_supported": 100,
                                   "outcomes": {o["id"]: 1 for o in made["definition"]["outcomes"]},
                                   "money_spent": 40_000, "note": "Ask rev@alpha.gov.uk about the figures"},
               url=url, by="rev@alpha.gov.uk")
    acc = app_accounts(app)
    acc.set_public(acc.get_user("boss@alpha.gov.uk"), "alpha-open-plan")
    acc.approve(acc.get_user("sign@alpha.gov.uk"), "alpha-open-plan", 1)
    acc.share(acc.get_user("boss@alpha.gov.uk"), "plan", "alpha-open-plan", "nhs", "read")
    people = ("maker@alpha.gov.uk", "rev@alpha.gov.uk", "sign@alpha.gov.uk", "boss@alpha.gov.uk")
    outputs = ("/plans/alpha-open-plan", "/plans/alpha-open-plan/history.csv", "/api/v1/plans/alpha-open-plan",
               "/api/v1/plans/alpha-open-plan/reviews", "/api/v1/plans/alpha-open-plan/approvals", "/api/v1/plans")
    for who in ("anonymous", "partner"):
        for path in outputs:
            got = clients[who].get(path)
            assert got.status_code == 200, (who, path, got.status_code)
            shown = set(EMAIL.findall(got.text))
            assert shown <= ({"boss@nhs.uk"} if who == "partner" else set()), (who, path, shown)  # at most their own
        page = clients[who].get("/plans/alpha-open-plan").text
        assert "Recorded by Alpha on 20" in page and "Note: Ask Alpha about the figures" in page, who
        assert "approved for Alpha on" in page, who
        csv = clients[who].get("/plans/alpha-open-plan/history.csv").text
        assert csv.splitlines()[1].count("Alpha") >= 1, csv
        api = clients[who].get("/api/v1/plans/alpha-open-plan").json()
        assert api["created_by"] == "Alpha" and api["history"][0]["recorded_by"] == "Alpha"
        assert [a["approved_by"] for a in clients[who].get("/api/v1/plans/alpha-open-plan/approvals").json()] == ["Alpha"]
    member = clients["approver"]
    page = member.get("/plans/alpha-open-plan").text
    assert "Recorded by rev@alpha.gov.uk on 20" in page and "by maker@alpha.gov.uk on 20" in page
    assert "approved by sign@alpha.gov.uk for Alpha on" in page
    assert "rev@alpha.gov.uk" in member.get("/plans/alpha-open-plan/history.csv").text
    api = member.get("/api/v1/plans/alpha-open-plan").json()
    assert (api["created_by"], api["history"][0]["recorded_by"]) == ("maker@alpha.gov.uk", "rev@alpha.gov.uk")
    assert set(people) - {"boss@alpha.gov.uk"} <= set(EMAIL.findall(page))
