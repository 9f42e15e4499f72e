"""Accounts, organisations and roles (issue 27, docs/accounts.md): password hashing, sign-in that
never tells whether an account exists, sessions, password reset, API tokens, the role table and
the append-only audit log, on SQLite and on PostgreSQL (``store_url``). The web's sign-in pages are
tested in tests/test_web_accounts.py, ownership and sharing in tests/test_ownership.py, per-route
enforcement in tests/security/test_route_access.py."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from carescale.errors import AccountError, NotFound, PermissionDeniedError, SignInError

from .conftest import INVALID, run_cli
from .store_fixtures import store_url  # noqa: F401 - the fixture

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "another long pass phrase"
FAILED = "sign-in failed: the email address or the password is not right"


def _accounts(url):
    from carescale.accounts import open_accounts

    return open_accounts(url)


def test_password_hash_is_argon2id_with_rfc9106_cost_and_verifies(real_password_cost):
    from carescale.accounts import passwords

    stored = passwords.hash_password(PASSWORD)
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$") and PASSWORD not in stored
    assert passwords.hash_password(PASSWORD) != stored  # salted
    assert passwords.verify_password(stored, PASSWORD) is True
    assert passwords.verify_password(stored, PASSWORD + " ") is False
    assert passwords.verify_password(None, PASSWORD) is False  # no account: dummy hash, False
    assert passwords.needs_rehash(stored) is False
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    assert passwords.verify_password(weak, PASSWORD) is True and passwords.needs_rehash(weak) is True


def test_sign_in_same_message_and_one_argon2_check_whether_or_not_the_account_exists(store_url, monkeypatch,
                                                                                   real_password_cost):
    from carescale.accounts import passwords

    acc = _accounts(store_url)
    acc.create_user("ann@council.gov.uk", PASSWORD)
    acc.create_user("sso@council.gov.uk", None)  # signs in through the identity provider only
    calls: list[str] = []
    real = passwords.hasher().verify
    monkeypatch.setattr(type(passwords.hasher()), "verify",
                        lambda self, h, p: calls.append(h.split("$")[3]) or real(h, p))
    messages = []
    for email, password in [("ann@council.gov.uk", "wrong password here"),  # wrong password
                            ("nobody@council.gov.uk", PASSWORD),  # no such account
                            ("sso@council.gov.uk", PASSWORD),  # no password at all
                            ("not an email", PASSWORD)]:
        with pytest.raises(SignInError) as err:
            acc.sign_in(email, password)
        messages.append(err.value.message)
        assert err.value.http_status == 401
    assert messages == [FAILED] * 4
    # the same work each time: one argon2 verification with the same cost parameters
    assert calls == ["m=65536,t=3,p=4"] * 4
    user, token = acc.sign_in("ANN@council.gov.uk", PASSWORD)
    assert user.email == "ann@council.gov.uk" and len(token) >= 43
    assert [a["action"] for a in acc.audit_log()][-5:] == ["sign-in.failed"] * 4 + ["sign-in"]


def test_session_ends_after_sign_out_and_after_a_password_change(store_url):
    acc = _accounts(store_url)
    acc.create_user("ann@council.gov.uk", PASSWORD)
    user, first = acc.sign_in("ann@council.gov.uk", PASSWORD)
    assert acc.session_user(first).email == "ann@council.gov.uk"
    assert acc.session_user("not-a-token") is None and acc.session_user(None) is None
    acc.sign_out(first)
    assert acc.session_user(first) is None
    _, second = acc.sign_in("ann@council.gov.uk", PASSWORD)
    _, third = acc.sign_in("ann@council.gov.uk", PASSWORD)
    with pytest.raises(SignInError, match=r"^password: the current password is not right$"):
        acc.change_password(user, "wrong password here", NEW_PASSWORD)
    assert acc.session_user(second) is not None  # a refused change ends nothing
    acc.change_password(user, PASSWORD, NEW_PASSWORD)
    assert acc.session_user(second) is None and acc.session_user(third) is None
    with pytest.raises(SignInError):
        acc.sign_in("ann@council.gov.uk", PASSWORD)
    _, fourth = acc.sign_in("ann@council.gov.uk", NEW_PASSWORD)
    assert acc.session_user(fourth) is not None
    # a session past its expiry is refused
    acc.clock = lambda: dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=8, seconds=1)
    assert acc.session_user(fourth) is None
    with acc.store.reading() as s:  # only hashes are stored
        from sqlalchemy import text

        stored = [r[0] for r in s.execute(text("SELECT token_hash FROM user_sessions"))]
    assert len(stored) == 4 and fourth not in stored and all(len(h) == 64 for h in stored)


def test_password_reset_token_works_once_and_ends_every_session(store_url):
    acc = _accounts(store_url)
    acc.create_user("ann@council.gov.uk", PASSWORD)
    _, session = acc.sign_in("ann@council.gov.uk", PASSWORD)
    token = acc.issue_password_reset("ann@council.gov.uk")
    acc.reset_password(token, NEW_PASSWORD)
    assert acc.session_user(session) is None
    acc.sign_in("ann@council.gov.uk", NEW_PASSWORD)
    refused = r"^reset token: not valid \(unknown, already used or expired\); ask an administrator for a new one$"
    with pytest.raises(AccountError, match=refused):
        acc.reset_password(token, "a third long password")
    with pytest.raises(NotFound, match=r"^email: there is no account for 'bob@council.gov.uk'$"):
        acc.issue_password_reset("bob@council.gov.uk")


def test_revoked_api_token_is_refused_and_only_its_owner_revokes_it(store_url):
    acc = _accounts(store_url)
    ann = acc.create_user("ann@council.gov.uk", None)
    bob = acc.create_user("bob@council.gov.uk", None)
    token_id, token = acc.create_api_token(ann, "nightly export")
    assert token.startswith("csk_") and acc.api_token_user(token).email == "ann@council.gov.uk"
    assert acc.api_token_user(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    with pytest.raises(NotFound, match=rf"^token: you have no API token {token_id}$"):
        acc.revoke_api_token(bob, token_id)
    assert acc.api_token_user(token) is not None
    acc.revoke_api_token(ann, token_id)
    assert acc.api_token_user(token) is None
    log = acc.audit_log()
    assert [(a["actor"], a["action"], a["object"]) for a in log if a["action"].startswith("api-token")] == [
        ("ann@council.gov.uk", "api-token.create", f"api-token:{token_id}"),
        ("ann@council.gov.uk", "api-token.revoke", f"api-token:{token_id}"),
    ]


def test_a_disabled_account_cannot_sign_in_and_its_session_and_token_stop(store_url):
    acc = _accounts(store_url)
    acc.create_organisation("birmingham", "Birmingham City Council")
    acc.create_user("ann@council.gov.uk", PASSWORD)
    acc.set_role("ann@council.gov.uk", "birmingham", "admin")
    user, session = acc.sign_in("ann@council.gov.uk", PASSWORD)
    _, token = acc.create_api_token(user, "export")
    acc.set_disabled("ann@council.gov.uk")
    with pytest.raises(SignInError) as err:
        acc.sign_in("ann@council.gov.uk", PASSWORD)
    assert err.value.message == FAILED
    assert acc.session_user(session) is None and acc.api_token_user(token) is None
    assert not acc.can(user, "birmingham", "read")
    acc.set_disabled("ann@council.gov.uk", False)
    assert acc.session_user(session).email == "ann@council.gov.uk" and acc.can(user, "birmingham", "read")
    assert [a["action"] for a in acc.audit_log()][-3:] == ["user.disable", "sign-in.failed", "user.enable"]


def test_role_permission_table():
    from carescale.accounts import ACTIONS, ROLES, role_allows

    table = {role: [a for a in ACTIONS if role_allows(role, a)] for role in ROLES}
    assert table == {
        "viewer": ["read"],
        "editor": ["read", "change"],
        "approver": ["read", "change", "approve"],
        "admin": ["read", "change", "approve", "members"],
    }
    assert not any(role_allows(None, a) for a in ACTIONS)  # not a member


def test_can_reads_the_role_in_that_organisation_now(store_url):
    acc = _accounts(store_url)
    acc.create_organisation("birmingham", "Birmingham City Council", "council")
    acc.create_organisation("bsol-icb", "NHS Birmingham and Solihull ICB", "icb")
    ann = acc.create_user("ann@council.gov.uk", None)
    acc.set_role("ann@council.gov.uk", "birmingham", "viewer")
    assert [acc.can(ann, "birmingham", a) for a in ("read", "change", "approve", "members")] == [True, False, False, False]
    assert not acc.can(ann, "bsol-icb", "read") and not acc.can(None, "birmingham", "read")
    acc.set_role("ann@council.gov.uk", "birmingham", "approver")  # the stale User object is not trusted
    assert [acc.can(ann, "birmingham", a) for a in ("read", "change", "approve", "members")] == [True, True, True, False]
    with pytest.raises(PermissionDeniedError, match=r"^members: not allowed in organisation 'birmingham' for this account$"):
        acc.require(ann, "birmingham", "members")
    with pytest.raises(AccountError, match=r"^action: 'delete' is not an action; valid actions are: read, change, approve, members$"):
        acc.can(ann, "birmingham", "delete")
    assert acc.get_user("ann@council.gov.uk").roles == {"birmingham": "approver"}
    assert [a["detail"] for a in acc.audit_log() if a["action"] == "membership.set"] == [
        "ann@council.gov.uk: not a member -> viewer", "ann@council.gov.uk: viewer -> approver"]


def test_audit_log_is_appended_and_the_database_refuses_to_change_it(store_url):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    acc = _accounts(store_url)
    acc.audit("ann@council.gov.uk", "plan.approve", "plan:falls-2027", "scenario 3f2a")
    acc.audit("bob@council.gov.uk", "plan.change", "plan:falls-2027", "budget")
    before = acc.audit_log()
    assert [(a["actor"], a["action"]) for a in before] == [
        ("ann@council.gov.uk", "plan.approve"), ("bob@council.gov.uk", "plan.change")]
    assert before[0]["id"] < before[1]["id"] and before[0]["at"].endswith("+00:00")
    for statement in ("UPDATE audit_log SET detail = 'edited'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="audit_log is append-only"):
            with acc.store.engine.begin() as conn:
                conn.execute(text(statement))
    assert acc.audit_log() == before


CASES = {
    "bad_email.yaml": "email: 'ann.smith@council' is not an email address (expected one like name@council.gov.uk)",
    "empty_password.yaml": "password: is empty; a password needs at least 12 characters",
    "short_password.yaml": "password: has 7 characters; a password needs at least 12",
    "unknown_role.yaml": "role: 'owner' is not a role; valid roles are: viewer, editor, approver, admin",
    "bad_organisation_id.yaml": ("organisation: 'Birmingham City' is not an organisation id (lower-case letters, "
                                 "digits and hyphens, at most 64 characters, for example birmingham)"),
    "unknown_kind.yaml": "kind: 'nhs' is not a kind of organisation; valid kinds are: council, icb, provider, other",
}


def test_every_invalid_accounts_fixture_has_a_case():
    assert sorted(p.name for p in (INVALID / "accounts").glob("*.yaml")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_invalid_account_input_gives_its_exact_line_and_saves_nothing(name, tmp_path):
    acc = _accounts(f"sqlite:///{tmp_path / 'accounts.db'}")
    acc.create_organisation("birmingham", "Birmingham City Council")
    acc.create_user("ann@council.gov.uk", None)
    before = acc.audit_log()
    data = yaml.safe_load((INVALID / "accounts" / name).read_text())
    call = getattr(acc, data.pop("call"))
    with pytest.raises(AccountError) as err:
        call(**data)
    assert err.value.message == CASES[name] and err.value.exit_code == 2
    assert acc.audit_log() == before


def test_cli_create_admin_list_and_reset(store_url, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", store_url)
    empty = run_cli("users", "list")
    assert (empty.code, empty.out) == (0, "No accounts yet: carescale users create-admin --email EMAIL --org ORGANISATION\n")
    secret = tmp_path / "pw"
    secret.write_text(PASSWORD + "\n")
    made = run_cli("users", "create-admin", "--email", "Ann@Council.gov.uk", "--org", "birmingham",
                   "--org-name", "Birmingham City Council", "--password-file", str(secret))
    assert (made.code, made.out, made.err) == (0, "Created ann@council.gov.uk, admin of birmingham.\n", "")
    listed = run_cli("users", "list", "--format", "json").json()
    assert listed == [{"email": "ann@council.gov.uk", "organisations": "birmingham (admin)",
                       "sign_in": "password", "disabled": "no"}]
    acc = _accounts(store_url)
    user, _ = acc.sign_in("ann@council.gov.uk", PASSWORD)
    assert acc.can(user, "birmingham", "members")
    assert acc.organisations() == [{"id": "birmingham", "name": "Birmingham City Council", "kind": "council"}]
    again = run_cli("users", "create-admin", "--email", "ann@council.gov.uk", "--org", "birmingham",
                    "--password-file", str(secret))
    assert (again.code, again.err) == (2, "error: email: an account for 'ann@council.gov.uk' already exists\n")
    reset = run_cli("users", "reset-password", "--email", "ann@council.gov.uk")
    assert reset.code == 0 and reset.out.startswith("One-time reset token for ann@council.gov.uk (valid 24 hours, works once):\n")
    token = reset.out.splitlines()[1]
    assert reset.out.splitlines()[2] == f"They set their new password at http://127.0.0.1:8000/reset-password/{token}"
    acc.reset_password(token, NEW_PASSWORD)
    acc.sign_in("ann@council.gov.uk", NEW_PASSWORD)


def test_cli_create_admin_refuses_an_empty_password_file_without_echoing_anything(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    result = run_cli("users", "create-admin", "--email", "ann@council.gov.uk", "--org", "birmingham",
                     "--password-file", str(INVALID / "accounts" / "empty_password_file.txt"))
    assert (result.code, result.out) == (2, "")
    assert result.err == "error: password: is empty; a password needs at least 12 characters\n"
    assert run_cli("users", "list", "--format", "json").json() == []
    bad = run_cli("users", "create-admin", "--email", "bob", "--org", "birmingham")  # checked before any prompt
    assert (bad.code, bad.err) == (2, "error: email: 'bob' is not an email address (expected one like name@council.gov.uk)\n")


@pytest.mark.skipif(not hasattr(__import__("os"), "openpty"), reason="needs a POSIX terminal (pty)")
def test_cli_create_admin_prompts_for_the_password_with_echo_off(tmp_path):
    """On a real terminal (a pty), the password is typed twice while the terminal's echo is off,
    so it never appears on the screen."""
    import fcntl
    import os
    import select
    import subprocess
    import sys
    import termios
    import time

    master, slave = os.openpty()

    def controlling_terminal():
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'tty.db'}")
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from carescale.cli import main; sys.exit(main(sys.argv[1:]))",
         "users", "create-admin", "--email", "ann@council.gov.uk", "--org", "birmingham"],
        stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True, preexec_fn=controlling_terminal)
    os.close(slave)
    seen = b""

    def read_until(marker: bytes) -> None:
        nonlocal seen
        end = time.time() + 60
        while marker not in seen and time.time() < end:
            if select.select([master], [], [], 0.2)[0]:
                try:
                    seen += os.read(master, 1024)
                except OSError:
                    return

    def echo(on: bool) -> bool:  # the terminal's echo setting, once the program has set it
        end = time.time() + 60
        while time.time() < end:
            if bool(termios.tcgetattr(master)[3] & termios.ECHO) == on:
                return True
            time.sleep(0.05)
        return False

    try:
        for prompt in (b"Password: ", b"Repeat for confirmation: "):
            read_until(prompt)
            assert prompt in seen and echo(False), seen
            os.write(master, PASSWORD.encode() + b"\n")
        read_until(b"birmingham.")
        assert proc.wait(60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    assert seen.replace(b"\r", b"") == (b"Password: \nRepeat for confirmation: \n"
                                         b"Created ann@council.gov.uk, admin of birmingham.\n")
    assert PASSWORD.encode() not in seen
    _accounts(f"sqlite:///{tmp_path / 'tty.db'}").sign_in("ann@council.gov.uk", PASSWORD)


def test_migration_0005_keeps_what_was_saved_at_0004_and_downgrades_cleanly(store_url):
    """A database at 0004 with a saved scenario is migrated to 0005 on first use, the scenario
    kept; going back to 0004 drops the accounts tables and the audit log's triggers."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, inspect, text

    from carescale.store import core

    engine = create_engine(store_url)
    core.migrate(engine, "0004")
    with engine.begin() as c:
        c.execute(text("INSERT INTO scenario_documents (id, canonical_json, created_at) "
                       "VALUES ('abc', '{}', '2026-12-01 00:00:00+00:00')"))
        c.execute(text("INSERT INTO saved_scenarios (id, scenario_id, name, note, created_at) "
                       "VALUES ('k1', 'abc', 'Kept', '', '2026-12-01 00:00:00+00:00')"))
    engine.dispose()
    acc = _accounts(store_url)
    assert core.current_revision(acc.store.engine) == core.head_revision()  # 0005 and every later one
    assert acc.store.saved_scenario("k1")["name"] == "Kept"
    acc.audit("me", "test", "x")

    def guards() -> int:  # the audit log's triggers (SQLite) or trigger function (PostgreSQL)
        with acc.store.engine.connect() as c:
            if c.dialect.name == "sqlite":
                return c.execute(text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                                      "AND tbl_name = 'audit_log'")).scalar()
            return c.execute(text("SELECT count(*) FROM pg_proc WHERE proname = 'audit_log_append_only' "
                                  "AND pronamespace = current_schema()::regnamespace")).scalar()

    assert guards() == (2 if acc.store.engine.dialect.name == "sqlite" else 1)
    cfg = Config()
    cfg.set_main_option("script_location", str(core.MIGRATIONS))
    with acc.store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
    tables = set(inspect(acc.store.engine).get_table_names())
    assert not tables & {"users", "organisations", "memberships", "user_sessions", "api_tokens",
                         "password_resets", "audit_log"}
    assert "saved_scenarios" in tables and guards() == 0


def test_members_added_changed_and_removed_keeping_one_admin_and_tokens_listed(store_url):
    """The library behind the web's members and account pages (docs/accounts.md, "The pages")."""
    acc = _accounts(store_url)
    acc.create_admin("ann@council.gov.uk", "birmingham", PASSWORD, org_name="Birmingham City Council")
    acc.create_user("vic@council.gov.uk", PASSWORD)
    link = acc.add_member("Bob@Council.gov.uk", "birmingham", "editor", actor="ann@council.gov.uk")
    assert link is not None and acc.get_user("bob@council.gov.uk").single_sign_on  # no password until set
    acc.reset_password(link, NEW_PASSWORD)
    assert acc.sign_in("bob@council.gov.uk", NEW_PASSWORD)[0].roles == {"birmingham": "editor"}
    assert acc.add_member("vic@council.gov.uk", "birmingham", "viewer", actor="ann@council.gov.uk") is None
    with pytest.raises(AccountError) as err:
        acc.add_member("vic@council.gov.uk", "birmingham", "editor", actor="ann@council.gov.uk")
    assert err.value.message == ("email: 'vic@council.gov.uk' is already a member of 'birmingham' (as viewer); "
                                 "change their role instead")
    with pytest.raises(NotFound):
        acc.add_member("zed@council.gov.uk", "leeds", "viewer", actor="ann@council.gov.uk")
    only = "'ann@council.gov.uk' is the only admin of 'birmingham'; make another member an admin first"
    with pytest.raises(AccountError) as err:
        acc.change_role("ann@council.gov.uk", "birmingham", "viewer", actor="ann@council.gov.uk")
    assert err.value.message == f"role: {only}"
    with pytest.raises(AccountError) as err:
        acc.remove_member("ann@council.gov.uk", "birmingham", actor="ann@council.gov.uk")
    assert err.value.message == f"email: {only}"
    acc.change_role("bob@council.gov.uk", "birmingham", "admin", actor="ann@council.gov.uk")
    acc.remove_member("ann@council.gov.uk", "birmingham", actor="bob@council.gov.uk")  # another admin now
    with pytest.raises(NotFound) as err:
        acc.remove_member("ann@council.gov.uk", "birmingham", actor="bob@council.gov.uk")
    assert err.value.message == "email: 'ann@council.gov.uk' is not a member of 'birmingham'"
    assert acc.members("birmingham") == [
        {"email": "bob@council.gov.uk", "role": "admin", "password": True, "disabled": False},
        {"email": "vic@council.gov.uk", "role": "viewer", "password": True, "disabled": False}]
    assert acc.organisation("birmingham") == {"id": "birmingham", "name": "Birmingham City Council", "kind": "council"}
    assert acc.organisation("leeds") is None
    assert [(a["actor"], a["action"], a["detail"]) for a in acc.audit_log() if a["action"] == "membership.remove"] == [
        ("bob@council.gov.uk", "membership.remove", "ann@council.gov.uk: admin -> removed")]
    bob = acc.get_user("bob@council.gov.uk")
    first, _ = acc.create_api_token(bob, "laptop")
    second, _ = acc.create_api_token(bob, "script")
    acc.revoke_api_token(bob, first)
    listed = acc.api_tokens(bob)
    assert [(t["id"], t["name"], t["revoked_at"] is not None) for t in listed] == [(second, "script", False),
                                                                                  (first, "laptop", True)]
    assert all("token" not in t for t in listed) and acc.api_tokens(acc.get_user("vic@council.gov.uk")) == []
