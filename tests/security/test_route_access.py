"""Every route of the app, classified: public, or an organisation's data with its access tests
(issue 27, acceptance; docs/accounts.md, "Who may do what").

The routes are read from the app itself (``app.routes``, every method through the included
routers), so a route added without a line in :data:`ACCESS` fails
:func:`test_every_route_is_classified`. For each route of an organisation's data the cases run
against real records of one council (alpha) on a real database:

* an anonymous visitor is sent to sign in: a page answers 303 to ``/sign-in?next=...``, the API 401;
* another organisation's admin (beta) gets 404 (or 403) and the answer names none of alpha's
  records (their names all contain ``Alpha secret``);
* alpha's viewer cannot change (403) and alpha's editor cannot approve (403);
* and, so that none of this passes by accident, alpha's viewer reads every GET route (200).

Lists (``Listing``) show another organisation nothing of alpha's and alpha's member its own; routes
that make a new record (``Creating``) send an anonymous visitor to sign in and refuse an account that
is only a viewer (403). ``SignedIn`` routes (an account's own pages) send an anonymous visitor to sign
in. To add a route: one line in ACCESS, with one of these rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from tests.accounts_helpers import app_accounts, member, session_for  # noqa: E402
from tests.web_helpers import post_form  # noqa: E402

SECRET = "Alpha secret"
ORIGIN = {"Origin": "http://testserver"}


@dataclass(frozen=True)
class Public:
    """No organisation's data: anyone, signed in or not (the reason says why)."""

    reason: str


@dataclass(frozen=True)
class Org:
    """One record of an organisation, named in the address: ``kind`` (plan, logic-model,
    saved-scenario, conversation) and what the route does to it (read, change, approve). A
    conversation is public (its pack and response form): only its staff pages are its
    organisation's, so another organisation is refused them (403) rather than told it is absent."""

    kind: str
    wanted: str
    body: Any = None  # the JSON body an API route needs to get past its schema (what is refused is the account)


@dataclass(frozen=True)
class Members:
    """An organisation's members (in the address, ``org``): its admins only."""


@dataclass(frozen=True)
class Listing:
    """A list of an organisation's records of ``kind``: each user sees only what they may read."""

    kind: str
    anonymous: str = "filtered"  # "filtered" (public records only) or "sign-in"


@dataclass(frozen=True)
class Creating:
    """Makes a new record for the user's organisation: signed-in editors (or above) only."""

    body: Any = None


@dataclass(frozen=True)
class SignedIn:
    """An account's own page or action: signed in (its own checks are in the account's tests)."""


EVIDENCE = Public("the evidence library, the same for everyone")
RUNS = Public("anonymous scenario runs: content-addressed documents and their results, public by design")
STATIC = Public("the service's own pages and files")
BUILDER = Creating()
SHARE = {"partner": "beta", "access": "read"}  # a share's body (tests/test_web_ownership.py: the admin's own)

#: (method path) -> its rule. Every route of the app must be here.
ACCESS: dict[str, object] = {
    # -- public: the evidence browser, built-in areas, anonymous scenario runs, the service itself
    "GET /": STATIC, "GET /accessibility": STATIC, "GET /privacy": STATIC, "GET /data": STATIC,
    "GET /api/docs": STATIC, "GET /openapi.json": STATIC, "* /static": STATIC, "GET /vendor/plotly.min.js": STATIC,
    "GET /api/v1/interventions": EVIDENCE, "GET /api/v1/interventions/{intervention_id}": EVIDENCE,
    "GET /api/v1/areas": EVIDENCE, "GET /api/v1/areas/{area_id}": EVIDENCE,
    "POST /api/v1/areas/upload": Public("checks an uploaded area template and keeps nothing"),
    # single sign-on (tests/test_oidc_web.py): to the organisation's provider and back; reads no records
    "GET /sign-in/{org}/sso": Public("single sign-on: a 303 to the organisation's identity provider"),
    "GET /sign-in/{org}/sso/callback": Public("single sign-on: back from the provider, the session cookie or a 401"),
    "GET /api/v1/evidence": EVIDENCE, "GET /api/v1/evidence/{record_id}": EVIDENCE,
    "GET /evidence": EVIDENCE, "GET /evidence/{record_id}": EVIDENCE,
    "GET /national": EVIDENCE, "GET /national/councils/{area_id}": EVIDENCE,
    "GET /optimise": RUNS, "GET /optimise/result": RUNS, "POST /optimise/scenario": RUNS,
    "POST /api/v1/run": RUNS, "POST /api/v1/appraise": RUNS, "POST /api/v1/uncertainty": RUNS,
    "POST /api/v1/scenarios": RUNS, "GET /api/v1/scenarios/{scenario_id}": RUNS,
    "GET /api/v1/scenarios/{scenario_id}/compare": Public(
        "an anonymous run compared with another; a saved scenario named in 'with' is checked "
        "(test_compare_with_another_organisations_saved_scenario_is_not_found)"),
    "POST /api/v1/jobs": RUNS, "GET /api/v1/jobs/{job_id}": RUNS, "POST /api/v1/jobs/{job_id}/cancel": RUNS,
    "GET /jobs/{job_id}": RUNS, "POST /jobs/{job_id}/cancel": RUNS,
    "GET /area": RUNS, "POST /area": RUNS, "GET /area/template.csv": RUNS, "POST /area/upload": RUNS,
    "GET /s/{sid}/area": RUNS, "GET /s/{sid}/models": RUNS, "POST /s/{sid}/models": RUNS,
    "GET /s/{sid}/assumptions": RUNS, "POST /s/{sid}/assumptions": RUNS,
    "GET /s/{sid}/settings": RUNS, "POST /s/{sid}/settings": RUNS,
    "GET /scenario/{sid}": RUNS, "POST /scenario/{sid}/uncertainty": RUNS,
    "GET /scenario/{sid}/scenario.json": RUNS, "GET /scenario/{sid}/results.json": RUNS,
    "GET /scenario/{sid}/results.csv": RUNS, "GET /scenario/{sid}/report.{fmt}": RUNS,
    "GET /scenario/{sid}/compare": Public(
        "an anonymous run compared with another; lists only the saved scenarios the visitor may read "
        "(test_compare_with_another_organisations_saved_scenario_is_not_found)"),
    "GET /api/v1/logic-models/starting-points": EVIDENCE, "POST /api/v1/logic-models/draft": EVIDENCE,
    # -- plans
    "GET /plans": Listing("plan"),
    "GET /api/v1/plans": Listing("plan"),
    "GET /plans/new": Creating(), "POST /plans/new": Creating(), "POST /api/v1/plans": Creating(),
    "GET /plans/{plan_id}": Org("plan", "read"),
    "GET /plans/{plan_id}/history.csv": Org("plan", "read"),
    "GET /plans/{plan_id}/evidence-value": Org("plan", "read"),
    "GET /plans/{plan_id}/reviews/new": Org("plan", "change"),
    "POST /plans/{plan_id}/reviews/new": Org("plan", "change"),
    "POST /plans/{plan_id}/approve": Org("plan", "approve"),
    "POST /plans/{plan_id}/share": Org("plan", "change"),  # and the owner's admin (library: test_ownership)
    "POST /plans/{plan_id}/unshare": Org("plan", "change"),
    "POST /plans/{plan_id}/publish": Org("plan", "change"),
    "GET /api/v1/plans/{plan_id}": Org("plan", "read"),
    "GET /api/v1/plans/{plan_id}/reviews": Org("plan", "read"),
    "POST /api/v1/plans/{plan_id}/reviews": Org("plan", "change"),
    "GET /api/v1/plans/{plan_id}/value-of-information": Org("plan", "read"),
    "GET /api/v1/plans/{plan_id}/approvals": Org("plan", "read"),
    "POST /api/v1/plans/{plan_id}/approvals": Org("plan", "approve"),
    "POST /api/v1/plans/{plan_id}/shares": Org("plan", "change", SHARE),
    "DELETE /api/v1/plans/{plan_id}/shares/{partner}": Org("plan", "change"),
    # -- logic models
    "GET /logic-models/new": BUILDER, "POST /logic-models/new": BUILDER,
    "GET /logic-models/new/{step}": BUILDER, "POST /logic-models/new/{step}": BUILDER,
    "GET /logic-models/new/check": BUILDER, "POST /logic-models/new/check": BUILDER,
    "POST /api/v1/logic-models": Creating(),
    "GET /logic-models/{key}": Org("logic-model", "read"),
    "GET /api/v1/logic-models/{key}": Org("logic-model", "read"),
    "POST /logic-models/{key}/share": Org("logic-model", "change"),  # and the owner's admin (test_web_ownership)
    "POST /logic-models/{key}/unshare": Org("logic-model", "change"),
    "POST /api/v1/logic-models/{key}/shares": Org("logic-model", "change", SHARE),  # and the owner's admin
    "DELETE /api/v1/logic-models/{key}/shares/{partner}": Org("logic-model", "change"),
    # -- saved scenarios
    "GET /scenario/{sid}/save": Creating(), "POST /scenario/{sid}/save": Creating(),
    "GET /saved": Listing("saved-scenario", anonymous="sign-in"),
    "GET /saved/{saved_key}": Org("saved-scenario", "read"),
    "POST /saved/{saved_key}/share": Org("saved-scenario", "change"),  # and the owner's admin (test_web_ownership)
    "POST /saved/{saved_key}/unshare": Org("saved-scenario", "change"),
    "POST /api/v1/saved/{saved_key}/shares": Org("saved-scenario", "change", SHARE),  # and the owner's admin
    "DELETE /api/v1/saved/{saved_key}/shares/{partner}": Org("saved-scenario", "change"),
    # -- local conversations (issue 28): the packs, response form and published plan are public; the
    #    staff pages are the conversation's organisation's
    "GET /conversations/{cid}": Public("a conversation pack, for the public"),
    "GET /conversations/{cid}.pdf": Public("a conversation pack, for the public"),
    "GET /conversations/{cid}/easy-read": Public("a conversation pack, for the public"),
    "GET /conversations/{cid}/easy-read.pdf": Public("a conversation pack, for the public"),
    "GET /conversations/{cid}/areas/{area}": Public("a conversation pack, for the public"),
    "GET /conversations/{cid}/areas/{area}/easy-read": Public("a conversation pack, for the public"),
    "GET /conversations/{cid}/areas/{area}/pack.pdf": Public("a conversation pack, for the public"),
    "GET /conversations/{cid}/areas/{area}/easy-read.pdf": Public("a conversation pack, for the public"),
    "GET /conversations/{cid}/respond/{pid}": Public("the public response form"),
    "POST /conversations/{cid}/respond/{pid}": Public("the public response form (rate-limited, honeypot)"),
    "GET /conversations/{cid}/thanks": Public("the public response form's answer"),
    "GET /conversations/{cid}/plan": Public("the published plan (404 until published)"),
    "GET /conversations/{cid}/plan.pdf": Public("the published plan (404 until published)"),
    "GET /conversations/{cid}/plan/easy-read": Public("the published plan (404 until published)"),
    "GET /conversations/{cid}/plan/easy-read.pdf": Public("the published plan (404 until published)"),
    "GET /conversations": Public("the list of conversations: each one's public pack and published plan"),
    "GET /conversations/{cid}/report": Org("conversation", "read"),  # public once the plan is published
    "GET /conversations/{cid}/report.pdf": Org("conversation", "read"),  # public once the plan is published
    "GET /conversations/{cid}/responses.csv": Org("conversation", "read"),
    "GET /conversations/{cid}/staff": Org("conversation", "read"),
    "POST /conversations/{cid}/staff/responses": Org("conversation", "change"),
    "POST /conversations/{cid}/staff/goals": Org("conversation", "change"),
    "POST /conversations/{cid}/staff/spend": Org("conversation", "change"),
    "POST /conversations/{cid}/staff/works": Org("conversation", "change"),
    "POST /conversations/{cid}/staff/outlook": Org("conversation", "change"),
    "POST /conversations/{cid}/staff/proposals": Org("conversation", "change"),
    "POST /conversations/{cid}/staff/responses/{rid}": Org("conversation", "change"),
    "POST /conversations/{cid}/staff/decisions": Org("conversation", "approve"),
    "POST /conversations/{cid}/staff/publish": Org("conversation", "approve"),
    "GET /api/v1/conversations": Listing("conversation", anonymous="sign-in"),
    "POST /api/v1/conversations": Creating({"id": "new-talk", "council": "E08000025", "name": "New",
                                            "organisation": "alpha"}),
    "GET /api/v1/conversations/{cid}": Public("a conversation pack, for the public"),
    "GET /api/v1/conversations/{cid}/picture": Public("a conversation pack, for the public"),
    "GET /api/v1/conversations/{cid}/proposals": Public("a conversation pack, for the public"),
    "POST /api/v1/conversations/{cid}/responses": Public("the public response (a staff channel response needs "
                                                         "'change': tests/test_conversations_api.py)"),
    "GET /api/v1/conversations/{cid}/plan": Public("the published plan (404 until published); ?draft=true is its "
                                                   "staff's (test_conversation_drafts_and_reports_are_their_staffs)"),
    "GET /api/v1/conversations/{cid}/report": Org("conversation", "read"),  # public once the plan is published
    "GET /api/v1/conversations/{cid}/responses": Org("conversation", "read"),
    "POST /api/v1/conversations/{cid}/goals": Org("conversation", "change", {"goals": ["More people at home"]}),
    "POST /api/v1/conversations/{cid}/picture/spend": Org("conversation", "change", {
        "area": 1, "amount": 1000, "price_year": "2024/25", "source": "The budget book"}),
    "POST /api/v1/conversations/{cid}/picture/works": Org("conversation", "change", {
        "area": 1, "who": "people", "text": "It works", "source": "A survey"}),
    "POST /api/v1/conversations/{cid}/picture/outlook": Org("conversation", "change", {
        "payer": "council", "year": "2027/28", "amount": 1000, "price_year": "2024/25", "source": "The budget"}),
    "POST /api/v1/conversations/{cid}/proposals": Org("conversation", "change", {
        "id": "another", "kind": "grow", "title": "Another", "meaning_for_people": "Help at home",
        "model": {"library": "living-well"}}),
    "POST /api/v1/conversations/{cid}/responses/{rid}/themes": Org("conversation", "change", {"theme": "safety"}),
    "POST /api/v1/conversations/{cid}/responses/{rid}/quote": Org("conversation", "change", {"chosen": True}),
    "POST /api/v1/conversations/{cid}/decisions": Org("conversation", "approve", {
        "proposal": "living-well", "decision": "grow", "reason": "Because."}),
    "POST /api/v1/conversations/{cid}/publish": Org("conversation", "approve", {"published": True}),
    # -- signing in and an account's own pages (docs/accounts.md)
    "GET /sign-in": Public("the sign-in page"), "POST /sign-in": Public("signing in (rate-limited)"),
    "POST /sign-out": Public("signing out (ends the browser's own session, if any)"),
    # (single sign-on's two routes are above, with the evidence)
    "GET /reset-password/{token}": Public("a one-time reset token is the credential"),
    "POST /reset-password/{token}": Public("a one-time reset token is the credential"),
    "GET /account": SignedIn(), "GET /api/v1/account": SignedIn(), "POST /account/password": SignedIn(),
    "POST /account/tokens": SignedIn(), "POST /account/tokens/{token_id}/revoke": SignedIn(),
    "GET /organisations/{org}/members": Members(), "POST /organisations/{org}/members": Members(),
    "POST /organisations/{org}/members/role": Members(), "POST /organisations/{org}/members/remove": Members(),
}


def app_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every route, through included routers (HEAD is GET's)."""
    out = []

    def walk(routes, prefix=""):
        for r in routes:
            if hasattr(r, "original_router"):  # an included router (FastAPI >= 0.16x)
                walk(r.original_router.routes, prefix + (getattr(r.include_context, "prefix", "") or ""))
            elif hasattr(r, "path"):
                methods = set(getattr(r, "methods", None) or ()) - {"HEAD"} or {"*"}
                out.extend((m, prefix + r.path) for m in sorted(methods))

    walk(app.routes)
    return out


# -- one council's records, another council, and every role ------------------------------------------------

ROLES = {"viewer": "viewer@alpha.gov.uk", "editor": "editor@alpha.gov.uk", "approver": "approver@alpha.gov.uk",
         "admin": "admin@alpha.gov.uk", "other": "admin@beta.gov.uk"}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The app on a SQLite store; alpha's plan (with a review), logic model and saved scenario, and a
    published plan; a TestClient for each role and one anonymous."""
    from carescale.plans import add_review, cycle
    from carescale.store import core
    from carescale.web.app import create_app
    from carescale.web.storage import DatabaseScenarioStore

    url = f"sqlite:///{tmp_path_factory.mktemp('route-access') / 'store.db'}"
    app = create_app(DatabaseScenarioStore(url))
    for role, email in ROLES.items():
        member(app, email, "beta" if role == "other" else "alpha", "admin" if role == "other" else role)
    plan = {"name": f"{SECRET} plan", "library": "community-agents", "area": "birmingham", "start": "2027-04-01",
            "end": "2028-03-31", "budget": 2_000_000,
            "phases": [{"name": "all", "start": "2027-04-01", "end": "2028-03-31", "scale": 0.5}],
            "funding": {"route": "transition_funds", "source": "Fund"}}
    made = cycle.create_plan_from({**plan, "id": "alpha-plan"}, url=url, owner="alpha")
    cycle.create_plan_from({**plan, "id": "alpha-open", "name": "Alpha published plan"}, url=url, owner="alpha")
    outcomes = {o["id"]: 1 for o in made["definition"]["outcomes"]}
    add_review("alpha-plan", {"period_end": "2027-06-30", "people_supported": 100, "outcomes": outcomes,
                              "money_spent": 40_000}, url=url)
    acc = app_accounts(app)
    acc.set_public(acc.get_user(ROLES["admin"]), "alpha-open")
    answers = {**cycle.draft("case-study", "birmingham-shared-lives"), "name": f"{SECRET} model", "take_up": 0.005,
               "unit_cost": 400, "council_share": 0.5,
               "outcomes": [{"description": "A fall is avoided", "payer": "nhs", "rate": 0.087, "saving": 3500}],
               "activities": ["Classes"], "assumptions": ["People keep exercising"],
               "short_term_outcomes": ["Fewer falls"], "resources": ["Halls"]}
    lm = cycle.save_logic_model(cycle.build_logic_model(answers)[1], url=url, owner="alpha")["key"]
    store = app.state.store
    sid = store.put({"version": 1, "area": "birmingham"})
    saved = store.save_named(sid, f"{SECRET} saving", "", owner="alpha")
    from carescale.conversations.service import Conversations

    talk = Conversations(url)  # alpha's conversation (not published), with a response only its staff read
    talk.create({"id": "alpha-talk", "council": "E08000025", "name": f"{SECRET} talk", "organisation": "alpha"},
                by=ROLES["admin"])
    talk.propose("alpha-talk", {"id": "living-well", "kind": "grow", "title": "A local helper",
                                "meaning_for_people": "You would have one person to call.",
                                "model": {"library": "living-well"}}, by=ROLES["admin"])
    rid = talk.respond("alpha-talk", {"proposal": "living-well", "stance": "support", "respondent": "carer",
                                      "comment": f"{SECRET} comment"}).id
    clients = {"anonymous": TestClient(app, follow_redirects=False, headers=ORIGIN)}
    for role, email in ROLES.items():
        c = TestClient(app, follow_redirects=False, headers=ORIGIN)
        c.cookies.set("carescale_session", session_for(app, email))
        clients[role] = c
    ids = {"plan_id": "alpha-plan", "key": lm, "saved_key": saved, "sid": sid, "partner": "beta", "step": "about",
           "cid": "alpha-talk", "rid": str(rid), "org": "alpha", "token_id": "1", "token": "x" * 43}
    yield app, clients, ids
    core.close_all()


def filled(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)


def call(client, method: str, path: str, body: Any = None):
    if method == "GET":
        return client.get(path)
    if method == "DELETE":
        return client.delete(path)
    if path.startswith("/api/"):
        return client.request(method, path, json=body if body is not None else {})
    return post_form(client, path, {})


def body_of(route: str) -> Any:
    return getattr(ACCESS[route], "body", None)


def _org_routes(kind_of=Org):
    return sorted(k for k, v in ACCESS.items() if isinstance(v, kind_of))


# -- the tests ------------------------------------------------------------------------------------------------


def test_every_route_is_classified(world):
    """A new route (any method) must be given its rule in ACCESS, and ACCESS names no route that is gone."""
    app, _, _ = world
    found = {f"{m} {p}" for m, p in app_routes(app)}
    missing = sorted(found - set(ACCESS))
    assert not missing, "classify these routes in tests/security/test_route_access.py ACCESS:\n" + "\n".join(missing)
    assert not sorted(set(ACCESS) - found), "routes in ACCESS that the app no longer has"
    assert len([k for k, v in ACCESS.items() if isinstance(v, Org)]) >= 18


def test_the_access_table_names_each_route_once():
    """A dict literal keeps the last of two equal keys without a word: a route given two rules (as
    three were when two branches classified them) must fail here instead."""
    import ast
    from pathlib import Path

    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    table = next(n.value for n in tree.body if isinstance(n, ast.AnnAssign) and getattr(n.target, "id", "") == "ACCESS")
    keys = [k.value for k in table.keys if isinstance(k, ast.Constant)]
    assert len(keys) == len(ACCESS) and sorted({k for k in keys if keys.count(k) > 1}) == []


def _sent_to_sign_in(got, path: str) -> None:
    if path.startswith("/api/"):
        assert got.status_code == 401, (path, got.status_code, got.text[:200])
        assert "sign in" in got.json()["detail"]
    else:
        assert got.status_code == 303, (path, got.status_code)
        assert got.headers["location"] == "/sign-in?next=" + quote(path.split("?")[0], safe="/"), got.headers["location"]


@pytest.mark.parametrize("route", _org_routes())
def test_anonymous_is_sent_to_sign_in(world, route):
    _, clients, ids = world
    method, path = route.split(" ", 1)
    url = filled(path, ids)
    _sent_to_sign_in(call(clients["anonymous"], method, url, body_of(route)), url)


@pytest.mark.parametrize("route", _org_routes())
def test_another_organisation_cannot_read_change_or_delete_and_learns_nothing(world, route):
    """403 or 404, and exactly the answer a record that does not exist gets (its id aside): nothing
    tells another organisation that alpha's record is there."""
    _, clients, ids = world
    method, path = route.split(" ", 1)
    got = call(clients["other"], method, filled(path, ids), body_of(route))
    assert got.status_code in (403, 404), (route, got.status_code)
    assert SECRET not in got.text
    kind = ACCESS[route].kind
    if kind == "conversation":  # public itself: its staff pages are refused, never its existence hidden
        assert got.status_code == 403, (route, got.status_code)
        return
    real = {"plan": ids["plan_id"], "logic-model": ids["key"], "saved-scenario": ids["saved_key"]}[kind]
    absent = {"plan": "no-such-plan", "logic-model": "0" * 64, "saved-scenario": "0" * 16}[kind]
    param = {"plan": "plan_id", "logic-model": "key", "saved-scenario": "saved_key"}[kind]
    nothing = call(clients["other"], method, filled(path, {**ids, param: absent}), body_of(route))
    assert (got.status_code, got.text.replace(real, "ID")) == (nothing.status_code, nothing.text.replace(absent, "ID"))


@pytest.mark.parametrize("route", [r for r in _org_routes() if ACCESS[r].wanted in ("change", "approve")])
def test_a_viewer_cannot_change(world, route):
    app, clients, ids = world
    before = len(app_accounts(app).audit_log(5000))
    method, path = route.split(" ", 1)
    got = call(clients["viewer"], method, filled(path, ids), body_of(route))
    assert got.status_code == 403, (route, got.status_code, got.text[:300])
    assert len(app_accounts(app).audit_log(5000)) == before  # nothing was changed


@pytest.mark.parametrize("route", [r for r in _org_routes() if ACCESS[r].wanted == "approve"])
def test_an_editor_cannot_approve(world, route):
    app, clients, ids = world
    method, path = route.split(" ", 1)
    got = call(clients["editor"], method, filled(path, ids), body_of(route))
    assert got.status_code == 403, (route, got.status_code)
    assert app_accounts(app).approvals("alpha-plan") == []


@pytest.mark.parametrize("route", [r for r in _org_routes() if r.startswith("GET ")])
def test_the_owners_members_read_every_page_and_endpoint(world, route):
    """The positive control: the same requests work for a member with the role the route needs
    (a viewer reads, an editor opens a form that changes), so the refusals above are real."""
    _, clients, ids = world
    role = {"read": "viewer", "change": "editor", "approve": "approver"}[ACCESS[route].wanted]
    got = clients[role].get(filled(route.split(" ", 1)[1], ids))
    assert got.status_code == 200, (route, got.status_code, got.text[:300])


@pytest.mark.parametrize("route", _org_routes(Listing))
def test_lists_show_another_organisation_nothing(world, route):
    _, clients, ids = world
    path = route.split(" ", 1)[1]
    mine = clients["viewer"].get(path)
    assert mine.status_code == 200 and SECRET in mine.text, route  # its own members see it
    theirs = clients["other"].get(path)
    assert theirs.status_code == 200 and SECRET not in theirs.text and ids["saved_key"] not in theirs.text, route
    anonymous = clients["anonymous"].get(path)
    if ACCESS[route].anonymous == "sign-in":
        _sent_to_sign_in(anonymous, path)
    else:  # published plans only
        assert anonymous.status_code == 200 and SECRET not in anonymous.text and "Alpha published plan" in anonymous.text


@pytest.mark.parametrize("route", _org_routes(Creating))
def test_creating_needs_an_editor(world, route):
    """Anonymous: sign in; an account that is only a viewer (of alpha, and of nothing else): 403."""
    _, clients, ids = world
    method, path = route.split(" ", 1)
    url = filled(path, ids)
    _sent_to_sign_in(call(clients["anonymous"], method, url, body_of(route)), url)
    got = call(clients["viewer"], method, url, body_of(route))
    assert got.status_code == 403, (route, got.status_code, got.text[:300])


@pytest.mark.parametrize("route", _org_routes(SignedIn))
def test_an_accounts_own_pages_send_anonymous_to_sign_in(world, route):
    _, clients, ids = world
    method, path = route.split(" ", 1)
    url = filled(path, ids)
    _sent_to_sign_in(call(clients["anonymous"], method, url, body_of(route)), url)


@pytest.mark.parametrize("route", _org_routes(Members))
def test_an_organisations_members_are_its_admins(world, route):
    """Anonymous: sign in; another organisation's admin and the organisation's approver: 403; its admin: served."""
    _, clients, ids = world
    method, path = route.split(" ", 1)
    url = filled(path, ids)
    _sent_to_sign_in(call(clients["anonymous"], method, url), url)
    for who in ("other", "approver"):
        got = call(clients[who], method, url)
        assert got.status_code == 403 and "viewer@alpha.gov.uk" not in got.text, (route, who, got.status_code)
    if method == "GET":
        got = clients["admin"].get(url)
        assert got.status_code == 200 and "viewer@alpha.gov.uk" in got.text


def test_conversation_drafts_and_reports_are_their_staffs(world):
    """Before its plan is published, a conversation's report and draft plan are its staff's: another
    organisation and an anonymous visitor learn nothing of its responses."""
    _, clients, _ = world
    for who in ("other", "anonymous"):
        got = clients[who].get("/api/v1/conversations/alpha-talk/report")
        assert got.status_code in (401, 403) and f"{SECRET} comment" not in got.text, who
        got = clients[who].get("/api/v1/conversations/alpha-talk/plan", params={"draft": "true"})
        assert got.status_code in (401, 403) and SECRET not in got.text, who
    assert clients["viewer"].get("/api/v1/conversations/alpha-talk/report").status_code == 200
    assert clients["viewer"].get("/api/v1/conversations/alpha-talk/plan", params={"draft": "true"}).status_code == 200


def test_a_published_plan_needs_no_account_to_read_but_one_to_change(world):
    _, clients, _ = world
    anonymous = clients["anonymous"]
    page = anonymous.get("/plans/alpha-open")
    assert page.status_code == 200 and "Alpha published plan" in page.text and 'id="add-review"' not in page.text
    assert anonymous.get("/api/v1/plans/alpha-open").json()["name"] == "Alpha published plan"
    assert clients["other"].get("/plans/alpha-open").status_code == 200
    _sent_to_sign_in(post_form(anonymous, "/plans/alpha-open/reviews/new", {}), "/plans/alpha-open/reviews/new")
    assert call(clients["other"], "POST", "/api/v1/plans/alpha-open/reviews").status_code == 403


def test_compare_with_another_organisations_saved_scenario_is_not_found(world):
    _, clients, ids = world
    key, sid = ids["saved_key"], ids["sid"]
    for who in ("other", "anonymous"):
        page = clients[who].get(f"/scenario/{sid}/compare", params={"with": key})
        assert page.status_code == 404 and SECRET not in page.text, who
        api = clients[who].get(f"/api/v1/scenarios/{sid}/compare", params={"with": key})
        assert api.status_code == 404 and SECRET not in api.text, who
    assert SECRET not in clients["other"].get(f"/scenario/{sid}/compare").text  # not offered in the choice
    got = clients["viewer"].get(f"/api/v1/scenarios/{sid}/compare", params={"with": key})
    assert got.status_code == 200 and got.json()["a"]["kind"] == "saved"


def test_a_conversation_decision_cannot_probe_another_organisations_plans(world):
    """Beta's approver deciding on Beta's conversation gets the same line for Alpha's plan as for
    a plan that does not exist; Alpha's own plan is linked by Alpha's approver."""
    from carescale.conversations.service import Conversations

    app, clients, _ = world
    url = app.state.store.url
    talk = Conversations(url)
    talk.create({"id": "beta-talk", "council": "E08000025", "name": "Care in Beta", "organisation": "beta"},
                by=ROLES["other"])
    talk.propose("beta-talk", {"id": "living-well", "kind": "grow", "title": "A local helper",
                               "meaning_for_people": "You would have one person to call.",
                               "model": {"library": "living-well"}}, by=ROLES["other"])
    answers = {}
    for plan in ("alpha-plan", "no-such-plan"):
        got = post_form(clients["other"], "/conversations/beta-talk/staff/decisions",
                        {"proposal": "living-well", "decision": "grow", "reason": "Because.", "plans": plan})
        assert got.status_code == 422
        answers[plan] = re.search(r"decision: plans: [^<]*", got.text).group(0).replace(plan, "ID")
    assert answers["alpha-plan"] == answers["no-such-plan"] == (
        "decision: plans: &#39;ID&#39; is not a saved investment plan; save it first with &#39;carescale plans create&#39;")
    for plan in ("alpha-plan", "no-such-plan"):  # the same through the API
        got = clients["other"].post("/api/v1/conversations/beta-talk/decisions", json={
            "proposal": "living-well", "decision": "grow", "reason": "Because.", "plans": [plan]})
        assert got.status_code == 422
        answers[plan] = got.json()["detail"][0]["msg"].replace(plan, "ID")
    assert answers["alpha-plan"] == answers["no-such-plan"]
    linked = post_form(clients["approver"], "/conversations/alpha-talk/staff/decisions",
                       {"proposal": "living-well", "decision": "grow", "reason": "Because.", "plans": "alpha-plan"})
    assert linked.status_code == 303


@pytest.mark.parametrize("route", sorted(r for r in ACCESS if "/organisations/{org}/members" in r))
def test_only_the_organisations_admin_manages_its_members(world, route):
    """Another organisation's admin, and alpha's viewer, editor and approver: 403, no member named;
    alpha's admin reads the page."""
    app, clients, ids = world
    method, path = route.split(" ", 1)
    url = filled(path, {**ids, "org": "alpha"})
    before = app_accounts(app).members("alpha")
    for role in ("other", "viewer", "editor", "approver"):
        got = call(clients[role], method, url)
        assert got.status_code == 403, (route, role, got.status_code)
        assert ROLES["admin"] not in got.text, (route, role)  # no member named
    assert app_accounts(app).members("alpha") == before
    if method == "GET":
        mine = clients["admin"].get(url)
        assert mine.status_code == 200 and ROLES["editor"] in mine.text


PUBLIC_IDS = {"intervention_id": "living-well", "area_id": "birmingham", "record_id": "living-well", "job_id": "0" * 32,
              "fmt": "md", "area": "1", "pid": "living-well", "org": "alpha"}


def test_public_pages_need_no_account(world):
    """Every public GET route answers an anonymous visitor itself: never a redirect to sign in, never 401."""
    _, clients, ids = world
    ids = {**ids, "scenario_id": ids["sid"], **PUBLIC_IDS}
    asked = []
    for route, rule in ACCESS.items():
        method, path = route.split(" ", 1)
        if not isinstance(rule, Public) or method != "GET":
            continue
        url = filled(path, ids)
        got = clients["anonymous"].get(url)
        asked.append(url)
        assert got.status_code != 401 and not got.headers.get("location", "").startswith("/sign-in"), (route, got.status_code)
        assert got.status_code < 500, (route, got.status_code)
    assert len(asked) >= 40


def test_a_conversations_public_answers_name_its_staff_only_to_its_members(world):
    """The public pack and proposals say which organisation entered them (Alpha), never the staff
    member's email, to anonymous visitors and other organisations; alpha's own members see who."""
    _, clients, _ = world
    email = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
    for path in ("/api/v1/conversations/alpha-talk", "/api/v1/conversations/alpha-talk/proposals",
                 "/api/v1/conversations/alpha-talk/picture"):
        for who in ("anonymous", "other"):
            got = clients[who].get(path)
            assert got.status_code == 200 and set(email.findall(got.text)) <= {ROLES["other"]}, (path, who)
    pack = clients["anonymous"].get("/api/v1/conversations/alpha-talk").json()
    assert pack["conversation"]["created_by"] == "Alpha", pack["conversation"]
    proposals = clients["viewer"].get("/api/v1/conversations/alpha-talk/proposals").json()
    assert [p["created_by"] for p in proposals] == [ROLES["admin"]]
