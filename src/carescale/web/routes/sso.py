"""Single sign-on through an organisation's identity provider (OpenID Connect; issue 27,
docs/accounts.md): ``/sign-in/<org>/sso`` sends the browser to the provider, and the provider sends
it back to ``/sign-in/<org>/sso/callback``. The work is :mod:`carescale.accounts.oidc`'s; these
routes only move the pending sign-in in and out of its cookie and set the session cookie."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...errors import IdentityProviderError, SignInError
from ..auth import safe_next, secure_cookies, start_session
from ..sign_in_limit import TOO_MANY, limiter
from ..sso import PENDING_COOKIE, callback_url, single_sign_on
from ..templating import render, see_other

router = APIRouter(include_in_schema=False)


def _pending_path(org: str) -> str:
    return f"/sign-in/{org}/sso"


def _address(request: Request) -> str:
    return request.client.host if request.client else "?"


def _limited(request: Request, org: str) -> Response | None:
    """429 once this client address has failed to sign in 5 times in a minute (a password or a
    single sign-on: the same count, carescale.web.sign_in_limit), before anything is checked."""
    address = _address(request)
    wait = limiter(request.app).wait(f"single sign-on from {address}", address)
    if wait is None:
        return None
    page = _refused(request, org, 429, TOO_MANY, "You could not be signed in")
    page.headers["Retry-After"] = str(wait)
    return page


def _refused(request: Request, org: str, status: int, message: str, heading: str) -> Response:
    page = render(request, "error.html", status_code=status, title=heading, heading=heading,
                  paragraphs=["Nothing was saved and you are not signed in.",
                              "Try again, or ask your organisation's IT team if it keeps happening."],
                  errors=[{"text": message}])
    page.delete_cookie(PENDING_COOKIE, path=_pending_path(org), httponly=True, samesite="lax",
                       secure=secure_cookies(request))
    return page


@router.get("/sign-in/{org}/sso")
def sso_start(request: Request, org: str, next: str = "/") -> Response:
    """To the organisation's provider, with a new state, nonce and PKCE challenge."""
    sso = single_sign_on(request)
    sso.providers.get(org)  # 404 for an organisation without single sign-on
    if (too_many := _limited(request, org)) is not None:
        return too_many
    try:
        url, pending = sso.begin(org, callback_url(request, org), safe_next(next))
    except IdentityProviderError as exc:
        return _refused(request, org, 502, exc.message, "Your organisation's sign-in service cannot be reached")
    response = see_other(url)
    response.set_cookie(PENDING_COOKIE, pending.to_cookie(), max_age=600, path=_pending_path(org),
                        httponly=True, samesite="lax", secure=secure_cookies(request))
    return response


@router.get("/sign-in/{org}/sso/callback")
def sso_callback(request: Request, org: str) -> Response:
    """Back from the provider: the state, code and ID token checked, then the session cookie."""
    from ...accounts.oidc import Pending

    sso = single_sign_on(request)
    sso.providers.get(org)
    if (too_many := _limited(request, org)) is not None:
        return too_many
    pending = Pending.from_cookie(request.cookies.get(PENDING_COOKIE))
    try:
        _user, token = sso.finish(org, pending, dict(request.query_params), callback_url(request, org))
    except SignInError as exc:  # a check that failed (SingleSignOnError), or a disabled account
        address = _address(request)
        limiter(request.app).failed(f"single sign-on from {address}", address)
        return _refused(request, org, 401, exc.message, "You could not be signed in")
    except IdentityProviderError as exc:
        return _refused(request, org, 502, exc.message, "Your organisation's sign-in service cannot be reached")
    response = see_other(safe_next(pending.next if pending else "/"))
    start_session(response, token, request)
    response.delete_cookie(PENDING_COOKIE, path=_pending_path(org), httponly=True, samesite="lax",
                           secure=secure_cookies(request))
    return response
