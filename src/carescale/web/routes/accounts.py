"""Signing in with a local account, the account page and an organisation's members (issue 27;
docs/accounts.md, "In the web app").

* ``/sign-in`` (GET, POST): email and password; then back to ``next`` (a path on this site only).
  Failed attempts are rate limited (:mod:`carescale.web.sign_in_limit`): 429 with ``Retry-After``.
* ``POST /sign-out``: ends the session (in the database and the cookie).
* ``/account``: change the password (ends every session, this one too: sign in again), create,
  list and revoke personal API tokens (a new token is shown once).
* ``/reset-password/<token>``: a new password with the one-time token ``carescale users
  reset-password`` prints (or the members page gives for a new account).
* ``/organisations/<org>/members``: for an admin of the organisation: add a member by email with
  a role (an address with no account gets one, and a one-time link to set its password), change a
  member's role, remove a member. Every change is audited by :mod:`carescale.accounts`.
* ``GET /api/v1/account``: who a personal API token (or the session) belongs to, and their roles.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from ...errors import AccountError, CarescaleError, NotFound, SignInError
from .. import auth
from ..forms import ErrorSummary
from ..security import share_base
from ..sign_in_limit import TOO_MANY, limiter
from ..templating import render, see_other

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["accounts"])

NO_STORE = {"Cache-Control": "no-store"}
#: What the sign-in page says after each of these (``?done=...``).
DONE = {
    "signed-out": "You have signed out.",
    "password": "Your password has been changed and every session of your account has ended. Sign in with your new password.",
    "reset": "Your password has been set. Sign in with it now.",
}
PASSWORDS_DIFFER = "confirm_password: the two new passwords are not the same; type the same password in both boxes"


def _address(request: Request) -> str:
    return request.client.host if request.client else "?"


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _page(request: Request, template: str, status: int = 200, headers: dict[str, str] | None = None,
          **context: Any) -> Response:
    page = render(request, template, status_code=status, **context)
    page.headers.update({**NO_STORE, **(headers or {})})
    return page


# -- signing in and out ------------------------------------------------------------------------------


def _sign_in_page(request: Request, errors: ErrorSummary | None = None, status: int = 200, email: str = "",
                  next_path: str = "/", done: str | None = None, headers: dict[str, str] | None = None) -> Response:
    return _page(request, "accounts/sign_in.html", status, headers, title="Sign in", email=email, next=next_path,
                 errors=(errors.items if errors else []), done=DONE.get(done or ""))


@router.get("/sign-in")
def sign_in_form(request: Request, next: str = "/", done: str = "") -> Response:  # noqa: A002 - the page's own name
    return _sign_in_page(request, next_path=auth.safe_next(next), done=done)


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    form = await request.form()
    email, password, next_path = _text(form, "email").strip(), _text(form, "password"), auth.safe_next(form.get("next"))
    errors = ErrorSummary()
    if not email:
        errors.add("Enter your email address", "email")
    if not password:
        errors.add("Enter your password", "password")
    if errors:
        return _sign_in_page(request, errors, 422, email, next_path)
    limit, address = limiter(request.app), _address(request)
    wait = limit.wait(email, address)
    if wait is not None:  # decided before any password is checked: says nothing about the account
        errors.add(TOO_MANY, "email")
        return _sign_in_page(request, errors, 429, email, next_path, headers={"Retry-After": str(wait)})
    try:
        _user, token = await run_in_threadpool(auth.accounts(request).sign_in, email, password)
    except SignInError as exc:
        limit.failed(email, address)
        errors.add(exc.message, "email")
        return _sign_in_page(request, errors, exc.http_status, email, next_path)
    if (old := request.cookies.get(auth.SESSION_COOKIE)):  # a session this browser had before ends
        await run_in_threadpool(auth.accounts(request).sign_out, old)
    response = see_other(next_path)
    auth.start_session(response, token, request)  # always a new token: no session fixation
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    response = see_other("/sign-in?done=signed-out")
    await run_in_threadpool(auth.end_session, response, request)
    return response


# -- the account page --------------------------------------------------------------------------------


def _account_page(request: Request, user: Any, errors: ErrorSummary | None = None, status: int = 200,
                  new_token: dict[str, Any] | None = None, done: str | None = None) -> Response:
    acc = auth.accounts(request)
    organisations = {o["id"]: o for o in acc.organisations()}
    roles = [{"id": org, "name": organisations.get(org, {}).get("name", org), "role": role,
              "admin": role == "admin"} for org, role in sorted(user.roles.items())]
    return _page(request, "accounts/account.html", status, title="Your account", user=user, roles=roles,
                 tokens=acc.api_tokens(user), new_token=new_token, done=done,
                 errors=(errors.items if errors else []))


@router.get("/account")
def account(request: Request, done: str = "") -> Response:
    user = auth.require_user(request)
    return _account_page(request, user, done={"revoked": "The API token has been revoked: it no longer works."}.get(done))


@router.post("/account/password")
async def change_password(request: Request) -> Response:
    user = auth.require_user(request)
    form = await request.form()
    current, new, confirm = _text(form, "current_password"), _text(form, "new_password"), _text(form, "confirm_password")
    errors = ErrorSummary()
    if not current:
        errors.add("Enter your current password", "current_password")
    if not new:
        errors.add("Enter a new password", "new_password")
    elif new != confirm:
        errors.add(PASSWORDS_DIFFER, "confirm_password")
    if errors:
        return _account_page(request, user, errors, 422)
    limit, address = limiter(request.app), _address(request)
    wait = limit.wait(user.email, address)  # the current password is checked: the same limit as signing in
    if wait is not None:
        errors.add(TOO_MANY, "current_password")
        page = _account_page(request, user, errors, 429)
        page.headers["Retry-After"] = str(wait)
        return page
    try:
        await run_in_threadpool(auth.accounts(request).change_password, user, current, new)
    except SignInError as exc:
        limit.failed(user.email, address)
        errors.add(exc.message, "current_password")
        return _account_page(request, user, errors, 422)
    except AccountError as exc:
        errors.add(exc.message, "new_password")
        return _account_page(request, user, errors, 422)
    response = see_other("/sign-in?done=password")  # every session ended, this one too
    auth.end_session(response)
    return response


@router.post("/account/tokens")
async def create_token(request: Request) -> Response:
    user = auth.require_user(request)
    form = await request.form()
    name = _text(form, "token_name").strip()
    errors = ErrorSummary()
    if not name:
        errors.add("Enter a name for the token, such as the computer or script that will use it", "token_name")
        return _account_page(request, user, errors, 422)
    try:
        token_id, token = auth.accounts(request).create_api_token(user, name)
    except AccountError as exc:
        errors.add(exc.message, "token_name")
        return _account_page(request, user, errors, 422)
    return _account_page(request, user, new_token={"id": token_id, "name": name, "token": token})


@router.post("/account/tokens/{token_id}/revoke")
async def revoke_token(request: Request, token_id: int) -> Response:
    user = auth.require_user(request)
    auth.accounts(request).revoke_api_token(user, token_id)  # another user's token: 404
    return see_other("/account?done=revoked")


# -- password reset ----------------------------------------------------------------------------------


@router.get("/reset-password/{token}")
def reset_form(request: Request, token: str) -> Response:
    return _page(request, "accounts/reset.html", title="Set a new password", token=token)


@router.post("/reset-password/{token}")
async def reset(request: Request, token: str) -> Response:
    form = await request.form()
    new, confirm = _text(form, "new_password"), _text(form, "confirm_password")
    errors = ErrorSummary()
    if not new:
        errors.add("Enter a new password", "new_password")
    elif new != confirm:
        errors.add(PASSWORDS_DIFFER, "confirm_password")
    if not errors:
        try:
            await run_in_threadpool(auth.accounts(request).reset_password, token, new)
        except AccountError as exc:
            errors.add(exc.message, "new_password")
    if errors:
        return _page(request, "accounts/reset.html", 422, title="Set a new password", token=token,
                     errors=errors.items)
    response = see_other("/sign-in?done=reset")
    auth.end_session(response)
    return response


# -- an organisation's members -----------------------------------------------------------------------


def _members_page(request: Request, org: str, errors: ErrorSummary | None = None, status: int = 200,
                  added: dict[str, str] | None = None, form: dict[str, str] | None = None,
                  done: str | None = None) -> Response:
    from ...accounts import ROLES

    acc = auth.accounts(request)
    user = auth.require_role(request, org, "members")
    return _page(request, "accounts/members.html", status, title="Members", org=acc.organisation(org) or {"id": org, "name": org},
                 members=acc.members(org), roles=ROLES, me=user.email, added=added, form=form or {}, done=done,
                 errors=(errors.items if errors else []))


@router.get("/organisations/{org}/members")
def members(request: Request, org: str, done: str = "") -> Response:
    auth.require_role(request, org, "members")
    return _members_page(request, org, done={"role": "The role has been changed.",
                                             "removed": "The member has been removed."}.get(done))


@router.post("/organisations/{org}/members")
async def add_member(request: Request, org: str) -> Response:
    user = auth.require_role(request, org, "members")
    form = await request.form()
    email, role = _text(form, "email").strip(), _text(form, "role")
    errors = ErrorSummary()
    if not email:
        errors.add("Enter the email address of the person to add", "email")
    if not role:
        errors.add("Select a role", "role")
    token = None
    if not errors:
        try:
            token = auth.accounts(request).add_member(email, org, role, actor=user.email)
        except CarescaleError as exc:
            errors.add(exc.message, "role" if exc.message.startswith("role:") else "email")
    if errors:
        return _members_page(request, org, errors, 422, form={"email": email, "role": role})
    added = {"email": email.lower(), "role": role,
             "link": None if token is None else f"{share_base(request)}/reset-password/{token}"}
    return _members_page(request, org, added=added)


async def _member_change(request: Request, org: str, change: Any, done: str) -> Response:
    user = auth.require_role(request, org, "members")
    form = await request.form()
    errors = ErrorSummary()
    try:
        change(auth.accounts(request), _text(form, "email"), _text(form, "role"), user.email)
    except NotFound as exc:
        errors.add(exc.message, "members")
        return _members_page(request, org, errors, 404)
    except CarescaleError as exc:
        errors.add(exc.message, "members")
        return _members_page(request, org, errors, 422)
    if not auth.accounts(request).can(user, org, "members"):  # they changed or removed themselves
        return see_other("/account")
    return see_other(f"/organisations/{org}/members?done={done}")


@router.post("/organisations/{org}/members/role")
async def change_role(request: Request, org: str) -> Response:
    return await _member_change(request, org, lambda acc, email, role, actor: acc.change_role(
        email, org, role, actor=actor), "role")


@router.post("/organisations/{org}/members/remove")
async def remove_member(request: Request, org: str) -> Response:
    return await _member_change(request, org, lambda acc, email, _role, actor: acc.remove_member(
        email, org, actor=actor), "removed")


# -- the API -----------------------------------------------------------------------------------------


class AccountBody(BaseModel):
    email: str = Field(description="The account's email address.")
    organisations: dict[str, str] = Field(description="Organisation id -> the account's role there.")


class Unauthorised(BaseModel):
    detail: str


@api_router.get("/account", response_model=AccountBody, summary="The account a personal API token belongs to",
                responses={401: {"model": Unauthorised, "description": "No valid API token (or session) was sent."}})
def api_account(request: Request) -> Any:
    """Who is calling: the account of the ``Authorization: Bearer csk_...`` token (or of the
    browser's session) and its role in each organisation. 401 without a valid token."""
    user = auth.require_user(request)
    return JSONResponse({"email": user.email, "organisations": dict(sorted(user.roles.items()))})
