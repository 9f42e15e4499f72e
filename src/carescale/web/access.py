"""Who may read or change an organisation's plans, logic models, reviews and saved scenarios in
the web app and the API (issue 27; docs/accounts.md, "Ownership, sharing and approvals").

Every route that touches an organisation's data checks here, before it reads its form or body:

* :func:`need` (and the dependencies :func:`plan_access`, :func:`logic_model_access`,
  :func:`saved_access`): the signed-in user's access to one object (from
  :meth:`carescale.accounts.Accounts.access`). An object the user may not read is answered exactly
  as one that does not exist (404, the same message: nothing leaked); an anonymous visitor is sent
  to sign in (a page: 303 to ``/sign-in?next=``; the API: 401) unless the object is public (a
  published plan, read only); reading without the right to change or approve is 403.
* :func:`creator` (the dependency :func:`creating`): the signed-in user and the organisation a
  new plan, logic model or saved scenario will belong to (the one in which they are an editor or
  above; chosen with ``organisation`` when they have several).
* :func:`visible`: those of a list's ids the user may read; lists show nothing else.
* :func:`people_hidden`: who did what to a plan (who created it, recorded a review, approved,
  shared) is shown to the members of the organisation that owns it; anyone else who may read it
  (an anonymous reader of a published plan, a partner it is shared with) sees that organisation
  instead of any person's email or name, on the page, its CSV and the API.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Iterable

from fastapi import Depends, Request

from ..errors import AccountError, NotFound, PermissionDeniedError
from .auth import accounts, current_user, require_user

if TYPE_CHECKING:  # pragma: no cover
    from ..accounts.core import User

#: What each kind's 404 says: the same whether the object is missing or another organisation's.
MISSING = {
    "plan": "plan_id: no plan {id!r} is saved here",
    "logic-model": "logic_model: {id!r} is not a saved logic model (unknown logic model); save one first",
    "saved-scenario": "saved_key: no saved scenario {id!r} is kept here",
}
WANTED_WORDS = {"change": "change", "approve": "approve"}


def need(request: Request, kind: str, object_id: str, wanted: str = "read") -> "User | None":
    """The user (None: an anonymous reader of a public plan) if they may do ``wanted`` (read,
    change, approve) to the object; else sign in (anonymous), 404 (cannot read) or 403."""
    from ..accounts.ownership import at_least

    user = current_user(request)
    level = _level(request, user, kind, str(object_id))
    if level == "none":
        if user is None:
            require_user(request)  # raises: sign in first
        raise NotFound(MISSING[kind].format(id=object_id))
    if not at_least(level, wanted):
        if user is None:
            require_user(request)
        role = "an approver or admin of the organisation that owns it" if wanted == "approve" else \
            "an editor (or above) of the organisation that owns it, or of one it is shared with to edit"
        raise PermissionDeniedError(f"{wanted}: this account may read this {kind.replace('-', ' ')} but not "
                                    f"{WANTED_WORDS.get(wanted, wanted)} it; that needs {role}")
    request.state.access = level
    return user


def _level(request: Request, user: "User | None", kind: str, object_id: str) -> str:
    if kind == "saved-scenario":  # the scenario store holds them (the database, or memory in tests)
        getter = getattr(request.app.state.store, "get_saved", None)
        saved = getter(object_id) if getter is not None else None
        if saved is None:
            return "none"
        return accounts(request).access(user, kind, object_id, owners=[saved.get("owner") or ""])
    return accounts(request).access(user, kind, object_id)


def access_level(request: Request) -> str:
    """The access :func:`need` found for this request's object (``read``, ``change``, ``approve``)."""
    return getattr(request.state, "access", "none")


def plan_access(wanted: str = "read") -> Any:
    """A route dependency: the user may do ``wanted`` to the plan in the address (``plan_id``)."""

    def check(request: Request, plan_id: str) -> "User | None":
        return need(request, "plan", plan_id, wanted)

    return Depends(check)


def logic_model_access(wanted: str = "read") -> Any:
    """A route dependency: the user may do ``wanted`` to the logic model in the address (``key``)."""

    def check(request: Request, key: str) -> "User | None":
        return need(request, "logic-model", key, wanted)

    return Depends(check)


def saved_access(wanted: str = "read") -> Any:
    """A route dependency: the user may do ``wanted`` to the saved scenario in the address (``saved_key``)."""

    def check(request: Request, saved_key: str) -> "User | None":
        return need(request, "saved-scenario", saved_key, wanted)

    return Depends(check)


def signed_in(request: Request) -> "User":
    """A route dependency: the signed-in user (anonymous: sign in first)."""
    return require_user(request)


def creator(request: Request, organisation: str | None = None) -> tuple["User", str]:
    """(the signed-in user, the organisation a new record of theirs belongs to): ``organisation``
    if given (they must be an editor or above there), else their one such organisation."""
    user = require_user(request)
    return user, accounts(request).owner_for_new(user, organisation or None)


def creating(request: Request) -> "User":
    """A route dependency: a signed-in user who may create records in some organisation (an
    editor, approver or admin); others are refused (403) before the form or body is read."""
    user = require_user(request)
    if not accounts(request).creating_organisations(user):
        raise PermissionDeniedError("organisation: this account is not an editor, approver or admin of any "
                                    "organisation, so it cannot create plans, logic models or saved scenarios")
    return user


def creating_organisations(request: Request) -> list[dict[str, str]]:
    """The organisations (id and name) the signed-in user may create records in, for a form's choice."""
    user = current_user(request)
    acc = accounts(request)
    mine = set(acc.creating_organisations(user))
    return [o for o in acc.organisations() if o["id"] in mine]


def visible(request: Request, kind: str, ids: Iterable[str]) -> set[str]:
    """Those of ``ids`` the user (or an anonymous visitor) may read."""
    user = current_user(request)
    if kind == "saved-scenario":
        return {i for i in ids if _level(request, user, kind, i) != "none"}
    return accounts(request).visible(user, kind, list(ids))


def readable_saved(request: Request, key: str) -> dict[str, Any] | None:
    """A saved scenario the visitor may read, else None (another organisation's: as if not saved)."""
    getter = getattr(request.app.state.store, "get_saved", None)
    saved = getter(key) if getter is not None else None
    if saved is None or not visible(request, "saved-scenario", [key]):
        return None
    return saved


def sharing(request: Request, kind: str, object_id: str, owners: list[str]) -> dict[str, Any]:
    """What a page's Share section needs: whether the user is an admin of an owner (only they
    share), that owner's shares, the organisations it could be shared with, and names."""
    acc, user = accounts(request), current_user(request)
    names = {o["id"]: o["name"] for o in acc.organisations()}
    admin_of = next((o for o in owners if user is not None and acc.can(user, o, "members")), None)
    shares = [sh for sh in acc.shares(kind, object_id) if sh["owner"] == admin_of] if admin_of else []
    shown = admin_of or (owners[0] if owners else None)
    return {"admin": admin_of is not None, "shares": shares, "org_names": names,
            "partners": [(i, n) for i, n in names.items() if i not in owners],
            "owner_name": names.get(shown or "", shown or "no organisation")}


async def share_form(request: Request, kind: str, object_id: str, stop: bool, redisplay: Any, then: str) -> Any:
    """The answer to a posted Share (or Stop sharing) form of a plan, logic model or saved scenario:
    303 to ``then``, or ``redisplay(errors, values)`` (the record's page, 422) with the library's line
    in the error summary under the partner field."""
    from .forms import ErrorSummary
    from .templating import see_other

    partner, access, refused = await share_change(request, kind, object_id, stop)
    if refused is None:
        return see_other(then)
    errors = ErrorSummary()
    errors.add(refused.message, "partner")
    return redisplay(errors, {"partner": partner, "access": access})


async def share_change(request: Request, kind: str, object_id: str, stop: bool) -> tuple[str, str, Any]:
    """Share (or stop sharing) from a posted Share form: (partner, access, the refusal or None)."""
    from ..errors import CarescaleError

    form = await request.form()
    partner, access = str(form.get("partner") or ""), str(form.get("access") or "read")
    user = current_user(request)
    try:
        if not partner:
            raise AccountError(f"partner: choose the organisation to share the {kind.replace('-', ' ')} with")
        if stop:
            accounts(request).unshare(user, kind, object_id, partner)  # type: ignore[arg-type]
        else:
            accounts(request).share(user, kind, object_id, partner, access)  # type: ignore[arg-type]
    except CarescaleError as exc:
        if exc.http_status in (401, 403) or exc.http_status >= 500:
            raise
        return partner, access, exc
    return partner, access, None


#: The fields of a plan's records that name a person (an account's email, or a name typed in).
PERSON_FIELDS = frozenset({"recorded_by", "created_by", "approved_by", "shared_by", "entered_by", "decided_by"})
#: An email address inside any other text (a note, a reason): shown as the organisation too.
EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def sees_people(request: Request, owner: str | None) -> bool:
    """Whether the visitor may see which person did what to a record of ``owner``: its members
    may; an anonymous visitor or another organisation's account (a partner) may not. A record
    saved before accounts (no owner) shows its signed-in readers who recorded it, as before."""
    user = current_user(request)
    if user is None:
        return False
    if owner is None:
        return True
    known = getattr(request.state, "sees_people", None)  # a list asks once per organisation
    if known is None:
        known = request.state.sees_people = {}
    if owner not in known:
        known[owner] = accounts(request).can(user, owner, "read")
    return known[owner]


def organisation_name(request: Request, owner: str | None) -> str:
    """The owning organisation's name (its id if it has none; "nobody" before accounts)."""
    if not owner:
        return "nobody (saved before accounts)"
    names = getattr(request.state, "organisation_names", None)
    if names is None:
        names = request.state.organisation_names = {o["id"]: o["name"] for o in accounts(request).organisations()}
    return names.get(owner, owner)


def people_hidden(request: Request, data: Any, owner: str | None) -> Any:
    """``data`` (a plan, its reviews, rows or approvals; any JSON-like value) as the visitor may
    see it: unchanged for the owner's members; for anyone else every person field
    (:data:`PERSON_FIELDS`) and every email address in any text is the owning organisation's name."""
    if sees_people(request, owner):
        return data
    return _hide(data, organisation_name(request, owner))


def _hide(data: Any, name: str) -> Any:
    if isinstance(data, dict):
        return {k: (name if k in PERSON_FIELDS and v not in (None, "") else _hide(v, name)) for k, v in data.items()}
    if isinstance(data, list):
        return [_hide(v, name) for v in data]
    if isinstance(data, tuple):
        return tuple(_hide(v, name) for v in data)
    if isinstance(data, str) and "@" in data:
        return EMAIL.sub(name, data)
    return data
