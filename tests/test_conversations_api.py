"""Local conversations in the JSON API (issue 28; docs/conversations.md, "The API"): the public
reads the pack and responds without an account; staff of the owning organisation create, propose,
tag, quote, decide and publish by role; the answers are the library's views (the pack's figures are
the engine's)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from carescale.io.yaml import read_yaml

from .conftest import REPO

PASSWORD = "correct horse battery staple"
EXAMPLE = REPO / "docs" / "examples" / "conversation"


@pytest.fixture
def api(tmp_path):
    """The app on a SQLite store; ann is admin of birmingham, vic a viewer there, eve admin of leeds."""
    from carescale.web import auth
    from carescale.web.app import create_app
    from carescale.web.storage import DatabaseScenarioStore

    app = create_app(DatabaseScenarioStore(f"sqlite:///{tmp_path / 'store.db'}"))
    acc = auth.accounts(type("R", (), {"app": app})())
    acc.create_admin("ann@council.gov.uk", "birmingham", PASSWORD, org_name="Birmingham City Council")
    acc.create_admin("eve@leeds.gov.uk", "leeds", PASSWORD, org_name="Leeds City Council")
    acc.create_user("vic@council.gov.uk", PASSWORD)
    acc.set_role("vic@council.gov.uk", "birmingham", "viewer")
    tokens = {}
    for email in ("ann@council.gov.uk", "eve@leeds.gov.uk", "vic@council.gov.uk"):
        tokens[email.split("@")[0]] = {"Authorization": f"Bearer {acc.create_api_token(acc.get_user(email), 'test')[1]}"}
    with TestClient(app) as client:
        yield client, tokens


def test_public_and_staff_through_the_api(api):
    client, tok = api
    base = "/api/v1/conversations"
    new = {"id": "brum", "council": "E08000025", "name": "Birmingham", "organisation": "birmingham"}
    assert client.post(base, json=new).status_code == 401
    assert client.post(base, json={}).status_code == 401  # signing in comes before the body
    assert client.post(f"{base}/brum/picture/spend", json={}).status_code == 404  # no such conversation yet
    assert client.post(base, json=new, headers=tok["eve"]).status_code == 403
    assert client.post(base, json=new, headers=tok["vic"]).status_code == 403
    assert client.post(base, json={}, headers=tok["vic"]).status_code == 403  # an editor of no organisation
    r = client.post(base, json=new, headers=tok["ann"])
    assert r.status_code == 201 and r.json()["council_name"] == "Birmingham"
    assert [c["id"] for c in client.get(base, headers=tok["ann"]).json()] == ["brum"]
    assert client.get(base, headers=tok["eve"]).json() == []  # another council's staff do not see it

    goals = {"goals": ["Everyone can live well at home.", "Help comes early."]}
    assert client.post(f"{base}/brum/goals", json=goals, headers=tok["vic"]).status_code == 403
    assert client.post(f"{base}/brum/goals", json=goals, headers=tok["ann"]).json()["goals"] == goals["goals"]
    spend = read_yaml(EXAMPLE / "picture.yaml")["spend"][0]
    for route in ("picture/spend", "proposals", "decisions", "publish", "responses/1/themes"):  # before the body
        assert client.post(f"{base}/brum/{route}", json={}).status_code == 401
        assert client.post(f"{base}/brum/{route}", json={}, headers=tok["eve"]).status_code == 403
        assert client.post(f"{base}/brum/{route}", json={}, headers=tok["vic"]).status_code == 403
    assert client.post(f"{base}/brum/picture/spend", json=spend, headers=tok["vic"]).status_code == 403
    r = client.post(f"{base}/brum/picture/spend", json=spend, headers=tok["ann"])
    assert r.status_code == 201 and r.json()["areas"][0]["spend"]["real"] == 12_500_000
    r = client.post(f"{base}/brum/picture/spend", json={**spend, "amount": -5}, headers=tok["ann"])
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "amount"]
    for p in read_yaml(EXAMPLE / "proposals.yaml")["proposals"]:
        assert client.post(f"{base}/brum/proposals", json=p, headers=tok["ann"]).status_code == 201

    pack = client.get(f"{base}/brum").json()  # public: no account
    assert pack["conversation"]["goals"] == goals["goals"]
    sl = pack["proposals"][0]["figures"]
    from carescale.conversations.proposals import engine_figures, model_document
    from carescale.library import default_library

    engine = engine_figures(model_document("birmingham-official", ["shared-lives"], 1.0, "2024/25"), default_library(), 2)
    assert sl == engine.model_dump(mode="json") and sl["net"]["real"] == 1_676_158.09

    one = {"proposal": "grow-shared-lives", "stance": "support", "respondent": "carer", "comment": "<b>yes</b> =1+1"}
    r = client.post(f"{base}/brum/responses", json=one)  # the public, no account
    assert r.status_code == 201 and r.json()["comment"] == "<b>yes</b> =1+1" and r.json()["channel"] == "public"
    r = client.post(f"{base}/brum/responses", json=one)
    assert r.status_code == 422
    assert r.json()["detail"][0]["msg"] == "response: the same response to 'grow-shared-lives' is already recorded; it is counted once"
    r = client.post(f"{base}/brum/responses", json={**one, "proposal": "grow-robots"})
    assert r.status_code == 422 and "unknown proposal 'grow-robots'" in r.json()["detail"][0]["msg"]
    r = client.post(f"{base}/brum/responses", json={**one, "comment": "x" * 2001})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "comment"]
    r = client.post(f"{base}/brum/responses", json={**one, "comment": "spam", "website": "http://spam.example"})
    assert r.status_code == 422
    assert client.post(f"{base}/brum/responses", json={**one, "channel": "staff", "comment": "b"}).status_code == 401
    r = client.post(f"{base}/brum/responses", json={**one, "channel": "staff", "comment": "on paper"}, headers=tok["ann"])
    assert r.status_code == 201 and r.json()["channel"] == "staff"

    assert client.get(f"{base}/brum/responses").status_code == 401
    assert len(client.get(f"{base}/brum/responses", headers=tok["vic"]).json()) == 2
    rid = client.get(f"{base}/brum/responses", headers=tok["vic"]).json()[0]["id"]
    assert client.post(f"{base}/brum/responses/{rid}/themes", json={"theme": "Family"}, headers=tok["vic"]).status_code == 403
    r = client.post(f"{base}/brum/responses/{rid}/themes", json={"theme": "Family"}, headers=tok["ann"])
    assert r.json()["themes"] == ["family"]
    assert client.post(f"{base}/brum/responses/{rid}/quote", json={}, headers=tok["ann"]).json()["quoted"] is True

    assert client.get(f"{base}/brum/report").status_code == 401  # not published: staff only
    assert client.get(f"{base}/brum/report", headers=tok["eve"]).status_code == 403
    assert client.get(f"{base}/brum/report", headers=tok["vic"]).json()["themes"] == {"family": 1}
    assert client.get(f"{base}/brum/report", headers=tok["vic"]).json()["by_channel"] == {"staff": 1, "public": 1}
    assert client.get(f"{base}/brum/plan").status_code == 404
    decision = {"proposal": "grow-shared-lives", "decision": "grow", "reason": "People support it."}
    assert client.post(f"{base}/brum/decisions", json=decision, headers=tok["vic"]).status_code == 403
    assert client.post(f"{base}/brum/decisions", json=decision, headers=tok["ann"]).status_code == 201
    assert client.get(f"{base}/brum/plan?draft=true", headers=tok["vic"]).json()["published"] is False
    assert client.post(f"{base}/brum/publish", json={}, headers=tok["eve"]).status_code == 403
    assert client.post(f"{base}/brum/publish", json={}, headers=tok["ann"]).json()["published"] is True
    plan = client.get(f"{base}/brum/plan").json()  # public now
    assert plan["decisions"][0]["reason"] == "People support it."
    assert plan["decisions"][0]["people_said"] == {"support": 2, "oppose": 0, "not_sure": 0, "total": 2}
    assert client.get(f"{base}/brum/report").json()["quotes"][0]["comment"] == "<b>yes</b> =1+1"
    r = client.post(f"{base}/brum/responses", json={**one, "comment": "late"})  # closed once the plan is published
    assert r.status_code == 422 and r.json()["detail"][0]["msg"] == (
        "response: conversation 'brum' closed when its public plan was published; it takes no more public responses")
    assert client.get(f"{base}/nope").status_code == 404
