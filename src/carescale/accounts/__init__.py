"""Accounts, organisations and roles (issue 27; docs/accounts.md).

Users (an email and an argon2id password hash, or none for single sign-on), organisations (a
council, an ICB, a provider) with members in roles (viewer, editor, approver, admin), server-side
sessions, personal API tokens, one-time password resets and an append-only audit log, over the
store (migration 0005). This module is light: the store, SQLAlchemy and argon2 load only when
:func:`open_accounts` or a hashing function is called.

    from carescale import accounts
    acc = accounts.open_accounts()                 # the configured database
    acc.create_admin("a@council.gov.uk", "birmingham", password)
    user, token = acc.sign_in("a@council.gov.uk", password)
    acc.can(user, "birmingham", "approve")          # True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .roles import ACTIONS, KINDS, PERMISSIONS, ROLES, role_allows

if TYPE_CHECKING:  # pragma: no cover
    from .core import Accounts

__all__ = ["ACTIONS", "KINDS", "PERMISSIONS", "ROLES", "open_accounts", "role_allows"]


def open_accounts(url: str | None = None) -> "Accounts":
    """The accounts in the store at ``url`` (default: the configured database)."""
    from .core import Accounts

    return Accounts(url)
