"""Accounts, organisations, memberships, sessions, API tokens, password resets and the audit log,
over the store's tables (migration 0005). Imported lazily by :mod:`carescale.accounts`.

Every token (session, API, password reset) is 32 random bytes from :mod:`secrets`, given to its
holder once and stored only as its SHA-256: a copy of the database lets nobody sign in. Every
change is written in one transaction with its audit line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass, field
from typing import Any, Callable

from sqlalchemy import select, update

from ..errors import AccountError, NotFound, PermissionDeniedError, SignInError
from ..store.core import Store, now, open_store, utc_iso
from ..store.models import (
    ApiTokenRow,
    AuditRow,
    MembershipRow,
    OrganisationRow,
    PasswordResetRow,
    SessionRow,
    UserRow,
)
from . import passwords
from .ownership import Ownership
from .roles import check_action, check_kind, check_role, role_allows

SESSION_LIFETIME = dt.timedelta(hours=8)
RESET_LIFETIME = dt.timedelta(hours=24)
#: The one answer to every failed sign-in.
SIGN_IN_FAILED = "sign-in failed: the email address or the password is not right"

_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
API_TOKEN_PREFIX = "csk_"


def _aware(stamp: dt.datetime) -> dt.datetime:
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=dt.timezone.utc)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _short(value: object, limit: int = 60) -> str:
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 4] + "...'"


def check_email(email: object) -> str:
    """An email address, lower-cased; anything else is refused in one line."""
    if not isinstance(email, str) or len(email) > 320 or not _EMAIL.fullmatch(email):
        raise AccountError(
            f"email: {_short(email)} is not an email address (expected one like name@council.gov.uk)"
        )
    return email.lower()


def check_slug(org: object) -> str:
    if not isinstance(org, str) or not _SLUG.fullmatch(org):
        raise AccountError(
            f"organisation: {_short(org)} is not an organisation id (lower-case letters, digits and "
            "hyphens, at most 64 characters, for example birmingham)"
        )
    return org


def check_name(name: object, what: str = "name") -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise AccountError(f"{what}: {_short(name)} must be between 1 and 200 characters")
    return name


@dataclass(frozen=True)
class User:
    """A signed-in (or listed) user and their role in each organisation."""

    id: int
    email: str
    disabled: bool = False
    single_sign_on: bool = False
    roles: dict[str, str] = field(default_factory=dict)  # organisation id -> role


class Accounts(Ownership):
    """The accounts of one store (``Accounts(url)``; default the configured database), with who
    may do what to an organisation's records (:class:`~carescale.accounts.ownership.Ownership`)."""

    def __init__(self, url: str | None = None, *, clock: Callable[[], dt.datetime] = now):
        self.store: Store = open_store(url)
        self.clock = clock

    # -- audit ---------------------------------------------------------------------------------
    def _audit(self, s: Any, actor: str, action: str, obj: str, detail: str = "") -> None:
        s.add(AuditRow(at=self.clock(), actor=actor[:320], action=action[:60], object=obj[:400], detail=detail))

    def audit(self, actor: str, action: str, obj: str, detail: str = "") -> None:
        """Append one line to the audit log (never updated or deleted: the database refuses it)."""
        with self.store.transaction() as s:
            self._audit(s, actor, action, obj, detail)

    def audit_log(self, limit: int = 500) -> list[dict[str, Any]]:
        """The latest lines, oldest first."""
        with self.store.reading() as s:
            rows = list(s.scalars(select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)))
        return [{"id": r.id, "at": utc_iso(r.at), "actor": r.actor, "action": r.action, "object": r.object,
                 "detail": r.detail} for r in reversed(rows)]

    # -- users and organisations ---------------------------------------------------------------
    def _user(self, s: Any, row: UserRow) -> User:
        roles = {m.organisation_id: m.role
                 for m in s.scalars(select(MembershipRow).where(MembershipRow.user_id == row.id))}
        return User(row.id, row.email, bool(row.disabled), row.password_hash is None, roles)

    def create_user(self, email: str, password: str | None, *, actor: str = "system") -> User:
        """A new user; ``password`` None for one who signs in through an identity provider."""
        email = check_email(email)
        hashed = None if password is None else passwords.hash_password(password)
        with self.store.transaction() as s:
            if s.scalar(select(UserRow).where(UserRow.email == email)) is not None:
                raise AccountError(f"email: an account for {email!r} already exists")
            row = UserRow(email=email, password_hash=hashed, created_at=self.clock(), disabled=False)
            s.add(row)
            s.flush()
            self._audit(s, actor, "user.create", f"user:{email}",
                        "single sign-on" if hashed is None else "local password")
            return User(row.id, row.email, False, hashed is None, {})

    def get_user(self, email: str) -> User | None:
        email = check_email(email)
        with self.store.reading() as s:
            row = s.scalar(select(UserRow).where(UserRow.email == email))
            return None if row is None else self._user(s, row)

    def list_users(self) -> list[User]:
        with self.store.reading() as s:
            return [self._user(s, r) for r in s.scalars(select(UserRow).order_by(UserRow.email))]

    def set_disabled(self, email: str, disabled: bool = True, *, actor: str = "system") -> None:
        """Disable (or enable again) an account: a disabled account cannot sign in, and its
        sessions and API tokens stop working (they work again if it is enabled)."""
        email = check_email(email)
        with self.store.transaction() as s:
            user = s.scalar(select(UserRow).where(UserRow.email == email))
            if user is None:
                raise NotFound(f"email: there is no account for {email!r}")
            user.disabled = bool(disabled)
            self._audit(s, actor, "user.disable" if disabled else "user.enable", f"user:{email}", "")

    def create_organisation(self, org: str, name: str, kind: str = "council", *, actor: str = "system") -> None:
        org, name, kind = check_slug(org), check_name(name, "organisation name"), check_kind(kind)
        with self.store.transaction() as s:
            if s.get(OrganisationRow, org) is not None:
                raise AccountError(f"organisation: {org!r} already exists")
            s.add(OrganisationRow(id=org, name=name, kind=kind, created_at=self.clock()))
            self._audit(s, actor, "organisation.create", f"organisation:{org}", f"{kind}: {name}")

    def organisations(self) -> list[dict[str, str]]:
        with self.store.reading() as s:
            return [{"id": o.id, "name": o.name, "kind": o.kind}
                    for o in s.scalars(select(OrganisationRow).order_by(OrganisationRow.id))]

    def set_role(self, email: str, org: str, role: str, *, actor: str = "system") -> None:
        """Make ``email`` a member of ``org`` with ``role`` (or change their role)."""
        email, org, role = check_email(email), check_slug(org), check_role(role)
        with self.store.transaction() as s:
            user = s.scalar(select(UserRow).where(UserRow.email == email))
            if user is None:
                raise NotFound(f"email: there is no account for {email!r}")
            if s.get(OrganisationRow, org) is None:
                raise NotFound(f"organisation: there is no organisation {org!r}")
            member = s.get(MembershipRow, (user.id, org))
            before = None if member is None else member.role
            if member is None:
                s.add(MembershipRow(user_id=user.id, organisation_id=org, role=role, created_at=self.clock()))
            else:
                member.role = role
            self._audit(s, actor, "membership.set", f"organisation:{org}",
                        f"{email}: {before or 'not a member'} -> {role}")

    def create_admin(self, email: str, org: str, password: str, *, org_name: str | None = None,
                     kind: str = "council", actor: str = "carescale users create-admin") -> User:
        """Bootstrap: the organisation (made if new), a user with a password, admin of it."""
        email, org = check_email(email), check_slug(org)
        passwords.check_password(password)
        if not any(o["id"] == org for o in self.organisations()):
            self.create_organisation(org, org_name or org, kind, actor=actor)
        self.create_user(email, password, actor=actor)
        self.set_role(email, org, "admin", actor=actor)
        return self.get_user(email)  # type: ignore[return-value]  # just written

    # -- permissions ---------------------------------------------------------------------------
    def can(self, user: User | None, org: str, action: str) -> bool:
        """Whether ``user`` may do ``action`` (read, change, approve, members) to ``org``'s
        records, by their role there now (read from the database, never from a stale session)."""
        check_action(action)
        if user is None:
            return False
        with self.store.reading() as s:
            row = s.get(UserRow, user.id)
            if row is None or row.disabled:
                return False
            member = s.get(MembershipRow, (user.id, org))
        return role_allows(None if member is None else member.role, action)

    def require(self, user: User | None, org: str, action: str) -> None:
        if not self.can(user, org, action):
            raise PermissionDeniedError(f"{action}: not allowed in organisation {org!r} for this account")

    # -- passwords and sessions ----------------------------------------------------------------
    def sign_in(self, email: str, password: str, *, lifetime: dt.timedelta = SESSION_LIFETIME) -> tuple[User, str]:
        """(user, session token). Every failure gives :data:`SIGN_IN_FAILED`, after one argon2
        verification whether or not the account exists."""
        try:
            address = check_email(email)
        except AccountError:
            address = None
        with self.store.reading() as s:
            row = None if address is None else s.scalar(select(UserRow).where(UserRow.email == address))
            stored = None if row is None else row.password_hash
        ok = passwords.verify_password(stored, password)
        if not ok or row is None or row.disabled:
            self.audit(str(email)[:320] if isinstance(email, str) else "?", "sign-in.failed", "session", "")
            raise SignInError(SIGN_IN_FAILED)
        token = secrets.token_urlsafe(32)
        stamp = self.clock()
        with self.store.transaction() as s:
            user_row = s.get(UserRow, row.id)
            if stored is not None and passwords.needs_rehash(stored):
                user_row.password_hash = passwords.hash_password(password)
            s.add(SessionRow(token_hash=token_hash(token), user_id=row.id, created_at=stamp,
                             expires_at=stamp + lifetime, revoked_at=None))
            self._audit(s, row.email, "sign-in", "session", "password")
            return self._user(s, user_row), token

    def start_session(self, user: User, *, how: str, lifetime: dt.timedelta = SESSION_LIFETIME) -> str:
        """A new session token for ``user``, who was signed in some other way than a password
        (single sign-on: ``how`` says which provider, for the audit log). A disabled or deleted
        account gets none (:data:`SIGN_IN_FAILED`)."""
        token = secrets.token_urlsafe(32)
        stamp = self.clock()
        with self.store.transaction() as s:
            row = s.get(UserRow, user.id)
            if row is None or row.disabled:
                refused = True
            else:
                refused = False
                s.add(SessionRow(token_hash=token_hash(token), user_id=row.id, created_at=stamp,
                                 expires_at=stamp + lifetime, revoked_at=None))
                self._audit(s, row.email, "sign-in", "session", how)
        if refused:
            self.audit(user.email, "sign-in.failed", "session", f"{how}: the account is disabled")
            raise SignInError(SIGN_IN_FAILED)
        return token

    def session_user(self, token: str | None) -> User | None:
        """The user of a live session (not revoked, not expired, account not disabled), else None."""
        if not token:
            return None
        with self.store.reading() as s:
            row = s.get(SessionRow, token_hash(token))
            if row is None or row.revoked_at is not None or _aware(row.expires_at) <= self.clock():
                return None
            user = s.get(UserRow, row.user_id)
            return None if user is None or user.disabled else self._user(s, user)

    def sign_out(self, token: str) -> None:
        with self.store.transaction() as s:
            row = s.get(SessionRow, token_hash(token))
            if row is None or row.revoked_at is not None:
                return
            row.revoked_at = self.clock()
            user = s.get(UserRow, row.user_id)
            self._audit(s, user.email if user else "?", "sign-out", "session", "")

    def _set_password(self, s: Any, user: UserRow, new: str, actor: str, how: str) -> None:
        user.password_hash = passwords.hash_password(new)
        stamp = self.clock()
        s.execute(update(SessionRow).where(SessionRow.user_id == user.id, SessionRow.revoked_at.is_(None))
                  .values(revoked_at=stamp))
        self._audit(s, actor, "password.change", f"user:{user.email}", how + "; every session revoked")

    def change_password(self, user: User, old: str, new: str) -> None:
        """Change a password (the old one is checked) and end every session of the account."""
        passwords.check_password(new)
        with self.store.reading() as s:
            row = s.get(UserRow, user.id)
            stored = None if row is None else row.password_hash
        if not passwords.verify_password(stored, old):
            raise SignInError("password: the current password is not right")
        with self.store.transaction() as s:
            self._set_password(s, s.get(UserRow, user.id), new, user.email, "changed by the user")

    def issue_password_reset(self, email: str, *, actor: str = "administrator",
                             lifetime: dt.timedelta = RESET_LIFETIME) -> str:
        """A one-time reset token for ``email`` (printed for the administrator: there is no mail)."""
        email = check_email(email)
        token = secrets.token_urlsafe(32)
        stamp = self.clock()
        with self.store.transaction() as s:
            user = s.scalar(select(UserRow).where(UserRow.email == email))
            if user is None:
                raise NotFound(f"email: there is no account for {email!r}")
            s.add(PasswordResetRow(token_hash=token_hash(token), user_id=user.id, created_at=stamp,
                                   expires_at=stamp + lifetime, used_at=None))
            self._audit(s, actor, "password.reset-issued", f"user:{email}", "")
        return token

    def reset_password(self, token: str, new: str) -> None:
        """Set a new password with a reset token; the token works once, then every session ends."""
        passwords.check_password(new)
        refused = "reset token: not valid (unknown, already used or expired); ask an administrator for a new one"
        with self.store.transaction() as s:
            row = s.get(PasswordResetRow, token_hash(token or ""))
            if row is None or row.used_at is not None or _aware(row.expires_at) <= self.clock():
                raise AccountError(refused)
            row.used_at = self.clock()
            user = s.get(UserRow, row.user_id)
            self._set_password(s, user, new, user.email, "reset with a one-time token")

    # -- API tokens ----------------------------------------------------------------------------
    def create_api_token(self, user: User, name: str) -> tuple[int, str]:
        """(token id, token): the token is shown this once and stored only as its hash."""
        name = check_name(name, "token name")
        token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.store.transaction() as s:
            row = ApiTokenRow(token_hash=token_hash(token), user_id=user.id, name=name,
                              created_at=self.clock(), revoked_at=None)
            s.add(row)
            s.flush()
            self._audit(s, user.email, "api-token.create", f"api-token:{row.id}", name)
            return row.id, token

    def api_token_user(self, token: str | None) -> User | None:
        if not token:
            return None
        with self.store.reading() as s:
            row = s.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == token_hash(token)))
            if row is None or row.revoked_at is not None:
                return None
            user = s.get(UserRow, row.user_id)
            return None if user is None or user.disabled else self._user(s, user)

    def revoke_api_token(self, user: User, token_id: int) -> None:
        """Revoke one of ``user``'s own tokens; another user's token is 'not found'."""
        with self.store.transaction() as s:
            row = s.get(ApiTokenRow, token_id)
            if row is None or row.user_id != user.id:
                raise NotFound(f"token: you have no API token {token_id!r}")
            if row.revoked_at is None:
                row.revoked_at = self.clock()
                self._audit(s, user.email, "api-token.revoke", f"api-token:{token_id}", row.name)

    def api_tokens(self, user: User) -> list[dict[str, Any]]:
        """``user``'s API tokens, newest first: id, name, created_at, revoked_at (never the token)."""
        with self.store.reading() as s:
            rows = list(s.scalars(select(ApiTokenRow).where(ApiTokenRow.user_id == user.id)
                                  .order_by(ApiTokenRow.id.desc())))
        return [{"id": r.id, "name": r.name, "created_at": utc_iso(r.created_at),
                 "revoked_at": None if r.revoked_at is None else utc_iso(r.revoked_at)} for r in rows]

    # -- an organisation's members (the web's members page; docs/accounts.md) ----------------------
    def organisation(self, org: str) -> dict[str, str] | None:
        with self.store.reading() as s:
            row = s.get(OrganisationRow, org) if isinstance(org, str) else None
            return None if row is None else {"id": row.id, "name": row.name, "kind": row.kind}

    def members(self, org: str) -> list[dict[str, Any]]:
        """The members of ``org`` by email: email, role, whether they have a password, disabled."""
        with self.store.reading() as s:
            rows = s.execute(select(UserRow, MembershipRow).join(MembershipRow, MembershipRow.user_id == UserRow.id)
                             .where(MembershipRow.organisation_id == org).order_by(UserRow.email)).all()
        return [{"email": u.email, "role": m.role, "password": u.password_hash is not None,
                 "disabled": bool(u.disabled)} for u, m in rows]

    def _admins(self, s: Any, org: str) -> int:
        return len(list(s.scalars(select(MembershipRow).where(MembershipRow.organisation_id == org,
                                                              MembershipRow.role == "admin"))))

    def change_role(self, email: str, org: str, role: str, *, actor: str) -> None:
        """Change a member's role, keeping at least one admin in the organisation."""
        email, org, role = check_email(email), check_slug(org), check_role(role)
        with self.store.reading() as s:
            user = s.scalar(select(UserRow).where(UserRow.email == email))
            member = None if user is None else s.get(MembershipRow, (user.id, org))
            if member is None:
                raise NotFound(f"email: {email!r} is not a member of {org!r}")
            if member.role == "admin" and role != "admin" and self._admins(s, org) == 1:
                raise AccountError(f"role: {email!r} is the only admin of {org!r}; make another member an "
                                   "admin first")
        self.set_role(email, org, role, actor=actor)

    def remove_member(self, email: str, org: str, *, actor: str) -> None:
        """Remove ``email`` from ``org`` (audited), keeping at least one admin."""
        email, org = check_email(email), check_slug(org)
        with self.store.transaction() as s:
            user = s.scalar(select(UserRow).where(UserRow.email == email))
            member = None if user is None else s.get(MembershipRow, (user.id, org))
            if member is None:
                raise NotFound(f"email: {email!r} is not a member of {org!r}")
            if member.role == "admin" and self._admins(s, org) == 1:
                raise AccountError(f"email: {email!r} is the only admin of {org!r}; make another member an "
                                   "admin first")
            s.delete(member)
            self._audit(s, actor, "membership.remove", f"organisation:{org}", f"{email}: {member.role} -> removed")

    def add_member(self, email: str, org: str, role: str, *, actor: str) -> str | None:
        """Make ``email`` a member of ``org`` with ``role``. An address with no account gets one
        without a password, and the one-time token that sets it is returned (the admin passes
        the link on: there is no mail server); None when the account already existed."""
        email, org, role = check_email(email), check_slug(org), check_role(role)
        if self.organisation(org) is None:
            raise NotFound(f"organisation: there is no organisation {org!r}")
        existing = self.get_user(email)
        if existing is not None and org in existing.roles:
            raise AccountError(f"email: {email!r} is already a member of {org!r} (as {existing.roles[org]}); "
                               "change their role instead")
        token = None
        if existing is None:
            self.create_user(email, None, actor=actor)
            token = self.issue_password_reset(email, actor=actor)
        self.set_role(email, org, role, actor=actor)
        return token
