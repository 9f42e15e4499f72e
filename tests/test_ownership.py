"""Ownership, sharing, approvals and public plans in the library (issue 27; docs/accounts.md,
"Ownership, sharing and approvals"), on SQLite and PostgreSQL: the access each role, share and
publication gives; rows saved before accounts readable by signed-in users only and changed by
nobody until adopted; approvals recorded with the scenario id and never changed; every share,
approval, publication and plan change in the audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from carescale.errors import AccountError, NotFound, PermissionDeniedError
from tests.store_fixtures import store_url  # noqa: F401  (a fixture: SQLite and PostgreSQL)


def _world(url):
    """Two councils and a partner ICB; a user for each role in alpha, an admin of beta, an
    editor and a viewer of the ICB; a plan (with a review), a logic model and a saved scenario
    owned by alpha; a plan saved before accounts (no owner)."""
    from carescale.accounts import open_accounts
    from carescale.store.core import now
    from carescale.store.models import PlanRow, RecommendationRow, ReviewRow

    acc = open_accounts(url)
    for org, kind in (("alpha", "council"), ("beta", "council"), ("nhs", "icb")):
        acc.create_organisation(org, org.title(), kind)
    users = {}
    for email, org, role in (("view@alpha.gov.uk", "alpha", "viewer"), ("edit@alpha.gov.uk", "alpha", "editor"),
                             ("sign@alpha.gov.uk", "alpha", "approver"), ("boss@alpha.gov.uk", "alpha", "admin"),
                             ("boss@beta.gov.uk", "beta", "admin"), ("edit@nhs.uk", "nhs", "editor"),
                             ("view@nhs.uk", "nhs", "viewer")):
        acc.create_user(email, None)  # single sign-on users: no argon2 hashing in these tests
        acc.set_role(email, org, role)
        users[email] = acc.get_user(email)
    store = acc.store
    sid = store.save_scenario_document('{"version":1}', "a" * 64)
    for pid, owner in (("alpha-plan", "alpha"), ("old-plan", None)):
        store.add_plan(PlanRow(id=pid, name=pid, definition_json="{}", scenario_id=sid, logic_model_id=None,
                               start_date=dt.date(2027, 4, 1), end_date=dt.date(2028, 3, 31), created_by="me",
                               created_at=now(), owner_org=owner))
    review = ReviewRow(plan_id="alpha-plan", number=1, period_start=dt.date(2027, 4, 1),
                       period_end=dt.date(2027, 6, 30), people_supported=90, money_spent=1000.0, note=None,
                       recorded_by="me", recorded_at=now())
    rec = RecommendationRow(decision="continue", reason="r", prob_saving=0.7, expected_npv=1.0, details_json="{}",
                            created_at=now())
    store.add_review(review, {"x": 3}, rec, 1)
    lm = store.save_logic_model("falls", {"id": "falls"}, owner="alpha", actor="edit@alpha.gov.uk")
    saved = store.save_named_scenario(sid, "Alpha's", owner="alpha")
    return acc, users, {"plan": "alpha-plan", "logic-model": lm, "saved-scenario": saved, "sid": sid}


def test_access_by_role_in_the_owning_organisation_and_nothing_for_others(store_url):
    acc, u, ids = _world(store_url)
    expected = {"view@alpha.gov.uk": "read", "edit@alpha.gov.uk": "change", "sign@alpha.gov.uk": "approve",
                "boss@alpha.gov.uk": "approve", "boss@beta.gov.uk": "none", "edit@nhs.uk": "none"}
    for kind in ("plan", "logic-model", "saved-scenario"):
        got = {email: acc.access(u[email], kind, ids[kind]) for email in expected}
        assert got == expected, kind
        assert acc.access(None, kind, ids[kind]) == "none"
    # an object that does not exist is "none" for everyone, as another organisation's is
    assert acc.access(u["boss@alpha.gov.uk"], "plan", "no-such-plan") == "none"
    # lists: only what the user may read
    assert acc.visible(u["boss@beta.gov.uk"], "plan", ["alpha-plan", "old-plan"]) == {"old-plan"}
    assert acc.visible(None, "plan", ["alpha-plan", "old-plan"]) == set()
    assert acc.visible(u["view@alpha.gov.uk"], "plan", ["alpha-plan", "old-plan"]) == {"alpha-plan", "old-plan"}


def test_a_role_taken_away_or_a_disabled_account_gives_nothing_at_once(store_url):
    acc, u, ids = _world(store_url)
    stale = u["edit@alpha.gov.uk"]
    acc.set_role("edit@alpha.gov.uk", "alpha", "viewer")
    assert acc.access(stale, "plan", ids["plan"]) == "read"
    acc.set_disabled("edit@alpha.gov.uk")
    assert acc.access(stale, "plan", ids["plan"]) == "none"
    assert acc.access(stale, "plan", "old-plan") == "none"  # not even what any signed-in user reads


def test_shares_read_only_and_editable_never_approve_and_only_the_owners_admin_shares(store_url):
    acc, u, ids = _world(store_url)
    boss, nhs_edit, nhs_view = u["boss@alpha.gov.uk"], u["edit@nhs.uk"], u["view@nhs.uk"]
    for email in ("edit@alpha.gov.uk", "sign@alpha.gov.uk"):
        with pytest.raises(PermissionDeniedError, match="only an admin of the organisation that owns this plan"):
            acc.share(u[email], "plan", ids["plan"], "nhs", "read")
    with pytest.raises(NotFound, match="no plan 'alpha-plan' is saved here"):  # another council: as if absent
        acc.share(u["boss@beta.gov.uk"], "plan", ids["plan"], "beta", "edit")
    acc.share(boss, "plan", ids["plan"], "nhs", "read")
    assert acc.access(nhs_edit, "plan", ids["plan"]) == "read" and acc.access(nhs_view, "plan", ids["plan"]) == "read"
    assert acc.access(u["boss@beta.gov.uk"], "plan", ids["plan"]) == "none"
    assert acc.access(nhs_edit, "logic-model", ids["logic-model"]) == "none"  # a share is of one object
    acc.share(boss, "plan", ids["plan"], "nhs", "edit")  # the same partner again: the access changes
    assert acc.access(nhs_edit, "plan", ids["plan"]) == "change" and acc.access(nhs_view, "plan", ids["plan"]) == "read"
    (share,) = acc.shares("plan", ids["plan"])
    assert (share["owner"], share["partner"], share["access"], share["shared_by"]) == ("alpha", "nhs", "edit",
                                                                                      "boss@alpha.gov.uk")
    with pytest.raises(AccountError, match="access: 'write' is not a kind of share; give read"):
        acc.share(boss, "plan", ids["plan"], "nhs", "write")
    with pytest.raises(NotFound, match="partner: there is no organisation 'nobody'"):
        acc.share(boss, "plan", ids["plan"], "nobody", "read")
    with pytest.raises(AccountError, match="partner: 'alpha' owns this plan already"):
        acc.share(boss, "plan", ids["plan"], "alpha", "read")
    acc.share(boss, "saved-scenario", ids["saved-scenario"], "nhs", "read")
    assert acc.access(nhs_edit, "saved-scenario", ids["saved-scenario"]) == "read"
    acc.unshare(boss, "plan", ids["plan"], "nhs")
    assert acc.access(nhs_edit, "plan", ids["plan"]) == "none" and acc.shares("plan", ids["plan"]) == []
    with pytest.raises(NotFound, match="partner: this plan is not shared with 'nhs'"):
        acc.unshare(boss, "plan", ids["plan"], "nhs")
    actions = [(a["actor"], a["action"], a["object"], a["detail"]) for a in acc.audit_log()
               if a["action"] in ("share", "unshare")]
    assert actions == [
        ("boss@alpha.gov.uk", "share", "plan:alpha-plan", "alpha -> nhs: not shared -> read"),
        ("boss@alpha.gov.uk", "share", "plan:alpha-plan", "alpha -> nhs: read -> edit"),
        ("boss@alpha.gov.uk", "share", f"saved-scenario:{ids['saved-scenario']}", "alpha -> nhs: not shared -> read"),
        ("boss@alpha.gov.uk", "unshare", "plan:alpha-plan", "alpha -> nhs"),
    ]


def test_approval_is_the_owners_approvers_records_the_scenario_and_cannot_be_changed(store_url):
    acc, u, ids = _world(store_url)
    acc.share(u["boss@alpha.gov.uk"], "plan", ids["plan"], "nhs", "edit")
    for email in ("edit@alpha.gov.uk", "view@alpha.gov.uk", "edit@nhs.uk"):
        with pytest.raises(PermissionDeniedError, match="only an approver or admin of the organisation that owns"):
            acc.approve(u[email], ids["plan"])
    with pytest.raises(NotFound, match="no plan 'alpha-plan'"):
        acc.approve(u["boss@beta.gov.uk"], ids["plan"])
    with pytest.raises(AccountError, match="scenario_id: 'bbb' is not this plan's scenario"):
        acc.approve(u["sign@alpha.gov.uk"], ids["plan"], seen="bbb")
    with pytest.raises(NotFound, match="review: plan 'alpha-plan' has no review 2"):
        acc.approve(u["sign@alpha.gov.uk"], ids["plan"], review=2)
    first = acc.approve(u["sign@alpha.gov.uk"], ids["plan"], seen=ids["sid"])
    second = acc.approve(u["boss@alpha.gov.uk"], ids["plan"], review=1)
    assert [(a["kind"], a["review"], a["approved_by"], a["organisation"], a["scenario_id"], a["decision"])
            for a in acc.approvals(ids["plan"])] == [
        ("plan", None, "sign@alpha.gov.uk", "alpha", ids["sid"], None),
        ("recommendation", 1, "boss@alpha.gov.uk", "alpha", ids["sid"], "continue"),
    ]
    assert first["approved_at"] <= second["approved_at"]
    assert [a["detail"] for a in acc.audit_log() if a["action"] == "approve"] == [
        f"the plan; scenario {ids['sid']}; for alpha",
        f"review 1's recommendation (continue); scenario {ids['sid']}; for alpha",
    ]
    from sqlalchemy.exc import DBAPIError

    for sql in ("UPDATE approvals SET approved_by = 'someone'", "DELETE FROM approvals"):
        with pytest.raises(DBAPIError, match="approvals is append-only"):
            with acc.store.engine.begin() as c:
                c.execute(text(sql))
    assert len(acc.approvals(ids["plan"])) == 2


def test_a_published_plan_is_read_by_anyone_and_only_the_owners_admin_publishes(store_url):
    acc, u, ids = _world(store_url)
    with pytest.raises(PermissionDeniedError):
        acc.set_public(u["sign@alpha.gov.uk"], ids["plan"])
    acc.set_public(u["boss@alpha.gov.uk"], ids["plan"])
    assert acc.access(None, "plan", ids["plan"]) == "read"
    assert acc.access(u["boss@beta.gov.uk"], "plan", ids["plan"]) == "read"
    assert acc.access(u["edit@alpha.gov.uk"], "plan", ids["plan"]) == "change"
    acc.set_public(u["boss@alpha.gov.uk"], ids["plan"], False)
    assert acc.access(None, "plan", ids["plan"]) == "none"
    assert [a["action"] for a in acc.audit_log() if a["object"] == "plan:alpha-plan"][-2:] == ["plan.publish",
                                                                                                "plan.unpublish"]


def test_rows_saved_before_accounts_are_read_only_until_an_admin_adopts_them(store_url):
    acc, u, ids = _world(store_url)
    assert acc.access(u["boss@beta.gov.uk"], "plan", "old-plan") == "read"
    assert acc.access(u["boss@alpha.gov.uk"], "plan", "old-plan") == "read"  # not even an admin changes it
    assert acc.access(None, "plan", "old-plan") == "none"
    assert acc.unowned() == {"plan": ["old-plan"], "logic-model": [], "saved-scenario": []}
    with pytest.raises(AccountError, match="plan: 'alpha-plan' belongs to alpha already"):
        acc.adopt("beta", "plan", ["alpha-plan"])
    with pytest.raises(NotFound, match="organisation: there is no organisation 'gamma'"):
        acc.adopt("gamma", "plan", ["old-plan"])
    assert acc.adopt("beta", "plan", ["old-plan"]) == ["old-plan"]
    assert acc.access(u["boss@beta.gov.uk"], "plan", "old-plan") == "approve"
    assert acc.access(u["boss@alpha.gov.uk"], "plan", "old-plan") == "none"
    assert acc.unowned()["plan"] == []
    assert [(a["action"], a["object"], a["detail"]) for a in acc.audit_log() if a["action"] == "adopt"] == [
        ("adopt", "plan:old-plan", "owner none -> beta")]


def test_the_same_logic_model_saved_by_two_organisations_is_each_ones(store_url):
    acc, u, ids = _world(store_url)
    again = acc.store.save_logic_model("falls", {"id": "falls"}, owner="beta", actor="boss@beta.gov.uk")
    assert again == ids["logic-model"]
    assert acc.access(u["boss@beta.gov.uk"], "logic-model", again) == "approve"
    assert acc.access(u["edit@alpha.gov.uk"], "logic-model", again) == "change"
    assert acc.access(u["edit@nhs.uk"], "logic-model", again) == "none"


def test_a_plan_one_may_read_shows_the_logic_model_it_commits_to(store_url):
    from carescale.store.models import PlanRow

    acc, u, ids = _world(store_url)
    with acc.store.transaction() as s:
        s.get(PlanRow, ids["plan"]).logic_model_id = ids["logic-model"]
    assert acc.access(u["edit@nhs.uk"], "logic-model", ids["logic-model"]) == "none"
    acc.share(u["boss@alpha.gov.uk"], "plan", ids["plan"], "nhs", "edit")
    assert acc.access(u["edit@nhs.uk"], "logic-model", ids["logic-model"]) == "read"  # read, never change
    assert acc.access(None, "logic-model", ids["logic-model"]) == "none"
    acc.set_public(u["boss@alpha.gov.uk"], ids["plan"])
    assert acc.access(None, "logic-model", ids["logic-model"]) == "read"
    assert acc.access(u["boss@beta.gov.uk"], "logic-model", ids["logic-model"]) == "read"


def test_new_records_belong_to_the_users_organisation_chosen_when_several(store_url):
    acc, u, _ = _world(store_url)
    assert acc.owner_for_new(u["edit@alpha.gov.uk"]) == "alpha"
    with pytest.raises(PermissionDeniedError, match="not an editor, approver or admin of any organisation"):
        acc.owner_for_new(u["view@alpha.gov.uk"])
    acc.set_role("edit@alpha.gov.uk", "nhs", "editor")
    both = acc.get_user("edit@alpha.gov.uk")
    with pytest.raises(AccountError, match="several organisations; choose one of: alpha, nhs"):
        acc.owner_for_new(both)
    assert acc.owner_for_new(both, "nhs") == "nhs"
    with pytest.raises(PermissionDeniedError, match="organisation: 'beta' is not one in which this account may create"):
        acc.owner_for_new(both, "beta")


def test_plan_changes_are_audited_with_their_owner(store_url):
    acc, _, ids = _world(store_url)
    lines = [(a["actor"], a["action"], a["object"], a["detail"]) for a in acc.audit_log()
             if a["action"] in ("plan.create", "review.add", "logic-model.create")]
    assert lines == [
        ("me", "plan.create", "plan:alpha-plan", "owner alpha: alpha-plan"),
        ("me", "plan.create", "plan:old-plan", "owner none: old-plan"),
        ("me", "review.add", "plan:alpha-plan", "review 1: continue"),
        ("edit@alpha.gov.uk", "logic-model.create", f"logic-model:{ids['logic-model']}", "owner alpha"),
    ]


def test_migration_0007_leaves_earlier_rows_owned_by_nobody_and_downgrades(store_url):
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, inspect

    from carescale.accounts import open_accounts
    from carescale.store import core

    engine = create_engine(store_url)
    core.migrate(engine, "0006")
    with engine.begin() as c:
        c.execute(text("INSERT INTO scenario_documents (id, canonical_json, created_at) "
                       "VALUES ('abc', '{}', '2026-12-01 00:00:00+00:00')"))
        c.execute(text("INSERT INTO saved_scenarios (id, scenario_id, name, note, created_at) "
                       "VALUES ('k1', 'abc', 'Kept', '', '2026-12-01 00:00:00+00:00')"))
        c.execute(text("INSERT INTO plans (id, name, definition_json, start_date, end_date, created_by, created_at) "
                       "VALUES ('p', 'P', '{}', '2027-04-01', '2028-03-31', 'me', '2026-12-01 00:00:00+00:00')"))
    engine.dispose()
    acc = open_accounts(store_url)
    assert core.current_revision(acc.store.engine) == "0007"
    assert acc.unowned() == {"plan": ["p"], "logic-model": [], "saved-scenario": ["k1"]}
    assert acc.store.get_plan("p").public is False
    cfg = Config()
    cfg.set_main_option("script_location", str(core.MIGRATIONS))
    with acc.store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0006")
    inspector = inspect(acc.store.engine)
    assert not set(inspector.get_table_names()) & {"shares", "approvals", "logic_model_owners"}
    assert "owner_org" not in {c["name"] for c in inspector.get_columns("plans")}
    with acc.store.engine.connect() as c:
        assert c.execute(text("SELECT name FROM saved_scenarios")).scalar() == "Kept"


def test_cli_plans_adopt_gives_rows_owned_by_nobody_to_an_organisation(store_url, monkeypatch):
    from tests.conftest import run_cli

    monkeypatch.setenv("DATABASE_URL", store_url)
    acc, u, ids = _world(store_url)
    acc.store.save_named_scenario(ids["sid"], "Before accounts")
    none = run_cli("plans", "adopt", "--org", "beta")
    assert (none.code, none.err) == (2, "error: plans: name the plans to adopt, or give --all for everything that "
                                        "belongs to nobody\n")
    unknown = run_cli("plans", "adopt", "--org", "gamma", "old-plan")
    assert (unknown.code, unknown.err) == (2, "error: --org: there is no organisation 'gamma'; the organisations "
                                              "are: alpha, beta, nhs\n")
    taken = run_cli("plans", "adopt", "--org", "beta", "alpha-plan")
    assert (taken.code, taken.err) == (2, "error: plan: 'alpha-plan' belongs to alpha already; only rows saved before "
                                          "accounts (owned by nobody) can be adopted\n")
    done = run_cli("plans", "adopt", "--org", "beta", "--all")
    assert (done.code, done.out) == (0, "Adopted for beta: 1 plan, 1 saved scenario.\n")
    assert acc.access(u["boss@beta.gov.uk"], "plan", "old-plan") == "approve"
    assert acc.unowned() == {"plan": [], "logic-model": [], "saved-scenario": []}
    again = run_cli("plans", "adopt", "--org", "beta", "--all")
    assert (again.code, again.out) == (0, "Nothing belongs to nobody: nothing to adopt.\n")


def test_cli_plans_list_names_each_plans_owner(store_url, monkeypatch, tmp_path):
    """'plans list' shows the organisation that owns each plan, or that nobody does (saved before
    accounts), in its table and its JSON (and CSV)."""
    import csv
    import io
    import json

    import yaml

    from carescale.accounts import open_accounts
    from tests.conftest import REPO, run_cli

    EXAMPLES = REPO / "docs" / "examples"

    monkeypatch.setenv("DATABASE_URL", store_url)
    open_accounts(store_url).create_organisation("birmingham", "Birmingham City Council", "council")
    plan = yaml.safe_load((EXAMPLES / "falls-prevention-plan.yaml").read_text(encoding="utf-8"))
    old = tmp_path / "old.yaml"
    plan["model"]["logic_model"] = str(EXAMPLES / plan["model"]["logic_model"])  # read from tmp_path
    old.write_text(yaml.safe_dump({**plan, "id": "falls-old"}), encoding="utf-8")
    made = run_cli("plans", "create", str(EXAMPLES / "falls-prevention-plan.yaml"), "--org", "birmingham")
    assert made.code == 0, made.err
    unowned = run_cli("plans", "create", str(old))
    assert unowned.code == 0, unowned.err
    listed = run_cli("plans", "list", "--format", "json")
    assert listed.code == 0, listed.err
    assert {p["id"]: (p["owner"], p["owned_by"]) for p in json.loads(listed.out)} == {
        "falls-birmingham": ("birmingham", "Birmingham City Council"),
        "falls-old": (None, "nobody (saved before accounts)")}
    table = run_cli("plans", "list")
    assert table.code == 0 and "Owner" in table.out
    flat = " ".join(table.out.split())
    assert "Owner" in flat and "Birmingham" in flat and "nobody" in flat and "accounts)" in flat
    rows = csv.DictReader(io.StringIO(run_cli("plans", "list", "--format", "csv").out))
    assert {r["id"]: r["owned_by"] for r in rows} == {"falls-birmingham": "Birmingham City Council",
                                                      "falls-old": "nobody (saved before accounts)"}
