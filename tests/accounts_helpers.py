"""Signed-in users for web tests (issue 27; docs/accounts.md, "Ownership, sharing and approvals").

``member(app, email, org, role)``
    The organisation (made if new) and a single-sign-on user (no password: no argon2 cost) with
    ``role`` in it, on the app's own accounts database; returns the ``User``.
``session_for(app, email)``
    A live session token for that user, written as the sign-in page would write it.
``sign_in(client, email="planner@birmingham.gov.uk", org="birmingham", role="approver")``
    Make the member and give the client (a ``TestClient`` or an ``httpx.Client``) their session
    cookie, so that pages and the API see them signed in. Returns the ``User``.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any


def app_accounts(app: Any) -> Any:
    """The app's own Accounts (the one its routes use, on the scenario store's database)."""
    from carescale.web.auth import accounts

    return accounts(SimpleNamespace(app=app))


def member(app: Any, email: str, org: str, role: str, kind: str = "council") -> Any:
    acc = app_accounts(app)
    if org not in {o["id"] for o in acc.organisations()}:
        acc.create_organisation(org, org.replace("-", " ").title(), kind)
    if acc.get_user(email) is None:
        acc.create_user(email, None)
    acc.set_role(email, org, role)
    return acc.get_user(email)


def session_for(app: Any, email: str) -> str:
    import secrets

    from carescale.accounts.core import SESSION_LIFETIME, token_hash
    from carescale.store.core import now
    from carescale.store.models import SessionRow

    acc = app_accounts(app)
    user = acc.get_user(email)
    token = secrets.token_urlsafe(32)
    with acc.store.transaction() as s:
        s.add(SessionRow(token_hash=token_hash(token), user_id=user.id, created_at=now(),
                         expires_at=now() + SESSION_LIFETIME, revoked_at=None))
    return token


def sign_in(client: Any, email: str = "planner@birmingham.gov.uk", org: str = "birmingham",
            role: str = "approver", app: Any = None) -> Any:
    user = member(app or client.app, email, org, role)
    client.cookies.set("carescale_session", session_for(app or client.app, email))
    return user


def sign_out(client: Any) -> None:
    client.cookies.delete("carescale_session")


# -- a live server (tests/test_web_browser.live_server) and its browsers --------------------------------


def server_session(server: Any, email: str = "planner@birmingham.gov.uk", org: str = "birmingham",
                   role: str = "approver") -> str:
    """A session token of that member on a LiveServer's app (made once per server and email)."""
    made = server.__dict__.setdefault("_sessions", {})
    if email not in made:
        member(server.app, email, org, role)
        made[email] = session_for(server.app, email)
    return made[email]


def signed_in_cookies(server: Any, **who: Any) -> dict[str, str]:
    """Cookies for an ``httpx.Client`` of that member (default: an approver of Birmingham)."""
    return {"carescale_session": server_session(server, **who)}


def sign_in_context(context: Any, server: Any, **who: Any) -> None:
    """Give a Playwright browser context that member's session cookie."""
    context.add_cookies([{"name": "carescale_session", "value": server_session(server, **who), "url": server.url}])
