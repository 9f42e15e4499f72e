"""CSRF tokens on every form (issue 27; docs/security.md, "Cross-site requests").

A double-submit token: a random value (``secrets.token_urlsafe(32)``) in the browser's
``carescale_csrf`` cookie (HttpOnly, SameSite=Lax, Path=/, Secure when the public address is
https), and the same value in the hidden ``csrf_token`` field of every form
(:func:`carescale.web.auth.csrf_field`). It needs no session, so the anonymous forms (the scenario
journey) carry one too. Checked on top of the Origin check (:func:`carescale.web.security.csrf_refusal`).

``prepare_csrf(request)``
    This browser's token (its cookie's, else a new one) on ``request.state`` for the forms.
``csrf_token_refusal(request) -> Response | None``
    A state-changing request outside ``/api/`` must carry the ``csrf_token`` field equal to the
    cookie (compared with :func:`hmac.compare_digest`); else a 403 GOV.UK error page.
``csrf_cookie(request, headers)``
    Give a browser that had no token the one this request's page was rendered with.
"""

from __future__ import annotations

import re
from typing import Any

from .security import UNSAFE_METHODS, _handled

#: The one line a form posted without its token, or with another browser's, is refused with.
CSRF_REFUSED = ("Refused: this form was sent without its security token, or with one that does not match this "
                "browser's (the page may be out of date, or cookies may be blocked); go back, reload the page and "
                "send the form again.")
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,128}")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _cookie_token(request: Any) -> str | None:
    from .auth import CSRF_COOKIE

    value = request.cookies.get(CSRF_COOKIE)
    return value if value and _TOKEN_SHAPE.fullmatch(value) else None


def prepare_csrf(request: Any) -> None:
    """Put this browser's token (its cookie's, else a new random one) on ``request.state``, where
    the ``csrf_field()`` of every form rendered for this request reads it."""
    import secrets

    found = _cookie_token(request)
    request.state.csrf_token = found or secrets.token_urlsafe(32)
    request.state.csrf_new = found is None


def replayed(body: bytes, receive: Any) -> Any:
    """An ASGI ``receive`` that gives ``body``, already read from the request, once, and then what
    ``receive`` gives (the client's disconnect): for a reader after the one that read it."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay() -> Any:
        return pending.pop() if pending else await receive()

    return replay


async def _form_field(request: Any, name: str) -> str | None:
    """The ``name`` field of a posted form (urlencoded or multipart), read from the body, which the
    route then reads again (Starlette keeps it); None for any other kind of body."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in _FORM_TYPES:
        return None
    from starlette.requests import Request

    body = request.state.csrf_body = await request.body()  # the route reads it again (OutputSafety)
    try:
        form = await Request(request.scope, replayed(body, request.receive)).form()
    except Exception:  # a body that is not a form at all: no token in it
        return None
    try:
        value = form.get(name)
        return value if isinstance(value, str) else None
    finally:
        await form.close()


async def csrf_token_refusal(request: Any) -> Any:
    """403 (a GOV.UK error page) for a state-changing request outside ``/api/`` whose form does
    not carry this browser's CSRF token; ``None`` when it may go on. The JSON API keeps the Origin
    check alone: its calls are JSON or carry a Bearer token, which no other site can make a
    browser send (docs/security.md, "Cross-site requests")."""
    if request.method not in UNSAFE_METHODS or request.url.path.startswith("/api/") or not _handled(request):
        return None
    import hmac

    from .auth import CSRF_FIELD

    cookie = _cookie_token(request)
    sent = await _form_field(request, CSRF_FIELD)
    if cookie and sent and hmac.compare_digest(cookie.encode("utf-8"), sent.encode("utf-8", "replace")):
        return None
    from .templating import render

    heading = "Sorry, this form could not be sent"
    return render(request, "error.html", status_code=403, title=heading, heading=heading,
                  paragraphs=["Go back, reload the page and send the form again. If this keeps happening, check "
                              "that your browser accepts cookies from this site: carescale sets only the cookies its "
                              "privacy page lists."],
                  errors=[{"text": CSRF_REFUSED}])


def csrf_cookie(request: Any, headers: Any) -> None:
    """Set the CSRF cookie on an HTML page for a browser that had none (HttpOnly, SameSite=Lax,
    Path=/, Secure when the public address is https): ``headers`` are the response's
    (``MutableHeaders``)."""
    if not getattr(request.state, "csrf_new", False):
        return
    if not headers.get("content-type", "").startswith("text/html"):
        return
    from starlette.responses import Response

    from .auth import CSRF_COOKIE, secure_cookies

    cookie = Response()  # Starlette's own cookie syntax, appended to the response's headers
    cookie.set_cookie(CSRF_COOKIE, request.state.csrf_token, path="/", httponly=True, samesite="lax",
                      secure=secure_cookies(request))
    headers.append("set-cookie", cookie.headers["set-cookie"])
