"""Helpers for tests that use the web app as a browser would (issue 27).

``post_form(client, url, data, **kw)``
    POST a form the way a browser sends one of our pages' forms: with the CSRF token of this
    client (the ``carescale_csrf`` cookie, which a browser gets with any page, and the same value
    in the hidden ``csrf_token`` field). Works with a FastAPI ``TestClient`` and an
    ``httpx.Client`` against a live server. ``data`` is a dict or a list of (name, value) pairs
    (checkboxes give several values for one name); ``files=`` for uploads.
``csrf_token(client)``
    The client's token, made (as the server would) when it has none yet.
"""

from __future__ import annotations

import secrets
from typing import Any

CSRF_COOKIE = "carescale_csrf"
CSRF_FIELD = "csrf_token"


def csrf_token(client: Any) -> str:
    token = client.cookies.get(CSRF_COOKIE)
    if not token:
        token = secrets.token_urlsafe(32)
        client.cookies.set(CSRF_COOKIE, token)
    return token


def with_token(data: Any, token: str) -> Any:
    if data is None:
        return {CSRF_FIELD: token}
    if isinstance(data, dict):
        return {**data, CSRF_FIELD: token}
    return [*list(data), (CSRF_FIELD, token)]


def post_form(client: Any, url: str, data: Any = None, **kw: Any) -> Any:
    """POST ``data`` to ``url`` as a browser submits one of the app's forms (with its CSRF token)."""
    return client.post(url, data=with_token(data, csrf_token(client)), **kw)
