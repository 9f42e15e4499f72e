"""Roles and what each may do in its organisation (issue 27, docs/accounts.md).

Each role holds every right of the roles before it: a viewer reads; an editor reads and changes
(plans, logic models, reviews, saved scenarios); an approver also signs off a plan or a review's
recommendation; an admin also manages the organisation's members. Pure data: no database here.
"""

from __future__ import annotations

from ..errors import AccountError

#: Roles, least to most powerful.
ROLES: tuple[str, ...] = ("viewer", "editor", "approver", "admin")
#: What can be done to an organisation's records.
ACTIONS: tuple[str, ...] = ("read", "change", "approve", "members")

#: role -> the actions it allows (the table docs/accounts.md shows and tests/test_accounts.py checks).
PERMISSIONS: dict[str, frozenset[str]] = {
    "viewer": frozenset({"read"}),
    "editor": frozenset({"read", "change"}),
    "approver": frozenset({"read", "change", "approve"}),
    "admin": frozenset({"read", "change", "approve", "members"}),
}

#: Kinds of organisation.
KINDS: tuple[str, ...] = ("council", "icb", "provider", "other")


def check_role(role: object) -> str:
    if role not in ROLES:
        raise AccountError(f"role: {role!r} is not a role; valid roles are: {', '.join(ROLES)}")
    return role  # type: ignore[return-value]


def check_action(action: object) -> str:
    if action not in ACTIONS:
        raise AccountError(f"action: {action!r} is not an action; valid actions are: {', '.join(ACTIONS)}")
    return action  # type: ignore[return-value]


def check_kind(kind: object) -> str:
    if kind not in KINDS:
        raise AccountError(
            f"kind: {kind!r} is not a kind of organisation; valid kinds are: {', '.join(KINDS)}"
        )
    return kind  # type: ignore[return-value]


def role_allows(role: str | None, action: str) -> bool:
    """Whether ``role`` (None: not a member) may do ``action``; an unknown action is refused in
    one line rather than answered False."""
    check_action(action)
    if role is None:
        return False
    return action in PERMISSIONS[check_role(role)]
