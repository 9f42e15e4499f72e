"""Who may do what to an organisation's plans, logic models, reviews and saved scenarios
(issue 27; docs/accounts.md, "Ownership, sharing and approvals").

Every plan and saved scenario has one owning organisation, every logic model one or more (it is
keyed by its content: two organisations that save the same model each own it); a review belongs
to its plan. A user's **access** to an object is the highest of:

* their role in an owning organisation: viewer ``read``, editor ``change``, approver and admin
  ``approve``;
* a share of the object with one of their organisations: ``read`` (read-only) gives ``read``; an
  editable share (``edit``) gives ``change`` to the partner's editors and above and ``read`` to its
  viewers. A share never gives ``approve``: signing off is the owner's;
* for a logic model, ``read`` to whoever may read a plan that commits to it (shared or published);
* a published public plan: ``read`` for everyone, signed in or not;
* a row saved before accounts existed (no owner): ``read`` for every signed-in user, nothing
  more, until an administrator adopts it (``carescale plans adopt --org ORG``).

Anything else is ``none``: the web app answers 404, as for an object that does not exist.
Sharing and publishing are decided by the owner's admins (a share lets another organisation's
people in, as adding members does); approving needs ``approve``. Every share, unshare,
publication, approval and adoption is written with its audit line in one transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from sqlalchemy import delete, select

from ..errors import AccountError, NotFound, PermissionDeniedError
from ..store.core import audit_row, utc_iso
from ..store.models import (
    ApprovalRow,
    LogicModelOwnerRow,
    LogicModelRow,
    MembershipRow,
    OrganisationRow,
    PlanRow,
    RecommendationRow,
    ReviewRow,
    SavedScenarioRow,
    ShareRow,
    UserRow,
)

if TYPE_CHECKING:  # pragma: no cover
    from .core import User

#: What can be owned and shared (a review goes with its plan).
OBJECTS: tuple[str, ...] = ("plan", "logic-model", "saved-scenario")
#: Access levels, least first.
LEVELS: tuple[str, ...] = ("none", "read", "change", "approve")
#: What a share gives: read-only or editable.
SHARE_ACCESS: tuple[str, ...] = ("read", "edit")

_ROLE_LEVEL = {"viewer": "read", "editor": "change", "approver": "approve", "admin": "approve"}


def _rank(level: str) -> int:
    return LEVELS.index(level)


def at_least(level: str, wanted: str) -> bool:
    """Whether access ``level`` allows ``wanted`` (read < change < approve)."""
    return _rank(level) >= _rank(wanted)


def check_object(kind: object) -> str:
    if kind not in OBJECTS:
        raise AccountError(f"kind: {kind!r} is not something that can be owned; valid kinds are: {', '.join(OBJECTS)}")
    return kind  # type: ignore[return-value]


def check_share_access(access: object) -> str:
    if access not in SHARE_ACCESS:
        raise AccountError(f"access: {access!r} is not a kind of share; give read (read-only) or edit (editable)")
    return access  # type: ignore[return-value]


class Ownership:
    """Mixed into :class:`carescale.accounts.core.Accounts` (``self.store``, ``self.clock``)."""

    store: Any
    clock: Any

    # -- what a user holds ----------------------------------------------------------------------
    def _roles_now(self, s: Any, user: "User | None") -> dict[str, str]:
        """The user's roles read from the database now (none for a disabled or unknown account)."""
        if user is None:
            return {}
        row = s.get(UserRow, user.id)
        if row is None or row.disabled:
            return {}
        return {m.organisation_id: m.role
                for m in s.scalars(select(MembershipRow).where(MembershipRow.user_id == user.id))}

    def _owners(self, s: Any, kind: str, object_id: str) -> tuple[bool, list[str], bool]:
        """(exists, owning organisations, public) of one object."""
        if kind == "plan":
            row = s.get(PlanRow, object_id)
            return (False, [], False) if row is None else (True, [row.owner_org] if row.owner_org else [], bool(row.public))
        if kind == "saved-scenario":
            row = s.get(SavedScenarioRow, object_id)
            return (False, [], False) if row is None else (True, [row.owner_org] if row.owner_org else [], False)
        if s.get(LogicModelRow, object_id) is None:
            return False, [], False
        owners = list(s.scalars(select(LogicModelOwnerRow.organisation_id)
                                .where(LogicModelOwnerRow.logic_model_id == object_id)))
        return True, owners, False

    def _level(self, s: Any, roles: dict[str, str], signed_in: bool, kind: str, object_id: str,
               known: tuple[bool, list[str], bool] | None = None) -> str:
        exists, owners, public = known if known is not None else self._owners(s, kind, object_id)
        if not exists:
            return "none"
        best = "read" if public or (signed_in and not owners) else "none"
        for org in owners:
            if org in roles:
                best = max(best, _ROLE_LEVEL[roles[org]], key=_rank)
        if roles and owners:
            shares = s.scalars(select(ShareRow).where(ShareRow.kind == kind, ShareRow.object_id == object_id,
                                                      ShareRow.owner_org.in_(owners),
                                                      ShareRow.partner_org.in_(list(roles))))
            for share in shares:
                role = roles[share.partner_org]
                given = "change" if share.access == "edit" and role != "viewer" else "read"
                best = max(best, given, key=_rank)
        if best == "none" and kind == "logic-model":  # a plan one may read shows the logic model it commits to
            for plan_id in s.scalars(select(PlanRow.id).where(PlanRow.logic_model_id == object_id)):
                if self._level(s, roles, signed_in, "plan", plan_id) != "none":
                    return "read"
        return best

    def access(self, user: "User | None", kind: str, object_id: str, *, owners: list[str] | None = None,
               public: bool = False) -> str:
        """``none``, ``read``, ``change`` or ``approve``: what ``user`` (None: anonymous) may do to
        one plan, logic model or saved scenario now (an object that does not exist: ``none``).
        ``owners``: the object's owning organisations when the caller holds it already (a
        scenario store kept elsewhere, e.g. in memory); by default they are read from the store."""
        check_object(kind)
        with self.store.reading() as s:
            roles = self._roles_now(s, user)
            signed_in = user is not None and (bool(roles) or _enabled(s, user))
            known = None if owners is None else (True, [o for o in owners if o], public)
            return self._level(s, roles, signed_in, kind, str(object_id), known)

    def visible(self, user: "User | None", kind: str, ids: Iterable[str]) -> set[str]:
        """Those of ``ids`` that ``user`` may read (for lists: nothing else is shown)."""
        check_object(kind)
        ids = list(ids)
        with self.store.reading() as s:
            roles = self._roles_now(s, user)
            signed_in = user is not None and (bool(roles) or _enabled(s, user))
            if kind != "plan":
                return {i for i in ids if self._level(s, roles, signed_in, kind, i) != "none"}
            # plans (the lists of /plans and /api/v1/plans): two queries, whatever their number
            shared = set() if not roles else set(s.execute(
                select(ShareRow.object_id, ShareRow.owner_org).where(
                    ShareRow.kind == "plan", ShareRow.object_id.in_(ids), ShareRow.partner_org.in_(list(roles)))))
            rows = s.execute(select(PlanRow.id, PlanRow.owner_org, PlanRow.public).where(PlanRow.id.in_(ids)))
            return {pid for pid, owner, public in rows
                    if public or (owner is None and signed_in) or owner in roles or (pid, owner) in shared}

    def creating_organisations(self, user: "User | None") -> list[str]:
        """The organisations in which ``user`` may create (change) records, sorted."""
        with self.store.reading() as s:
            roles = self._roles_now(s, user)
        return sorted(org for org, role in roles.items() if at_least(_ROLE_LEVEL[role], "change"))

    def owner_for_new(self, user: "User | None", org: str | None = None) -> str:
        """The organisation a new record of ``user`` belongs to: ``org`` if given (they must be
        able to change records there), else their one such organisation; several and none named
        is a one-line error listing them."""
        orgs = self.creating_organisations(user)
        if org:
            if org not in orgs:
                raise PermissionDeniedError(
                    f"organisation: {org!r} is not one in which this account may create records"
                    + (f"; choose one of: {', '.join(orgs)}" if orgs else ""))
            return org
        if len(orgs) == 1:
            return orgs[0]
        if not orgs:
            raise PermissionDeniedError("organisation: this account is not an editor, approver or admin of any "
                                        "organisation, so it cannot create records")
        raise AccountError(f"organisation: this account may create records in several organisations; choose one of: "
                           f"{', '.join(orgs)}")

    # -- sharing ---------------------------------------------------------------------------------
    def _owned_by_admin(self, s: Any, user: "User", kind: str, object_id: str) -> str:
        """The owning organisation in which ``user`` is an admin (else a one-line refusal)."""
        exists, owners, _ = self._owners(s, kind, object_id)
        roles = self._roles_now(s, user)
        if not exists or self._level(s, roles, True, kind, object_id) == "none":
            raise NotFound(f"{kind}: no {kind} {object_id!r} is saved here")
        for org in owners:
            if roles.get(org) == "admin":
                return org
        raise PermissionDeniedError(f"share: only an admin of the organisation that owns this {kind} may share it")

    def share(self, user: "User", kind: str, object_id: str, partner: str, access: str) -> dict[str, Any]:
        """Share an object with ``partner`` read-only (``read``) or editable (``edit``); sharing
        again with the same partner changes the access. Only the owner's admins may share."""
        check_object(kind)
        access = check_share_access(access)
        with self.store.transaction() as s:
            owner = self._owned_by_admin(s, user, kind, object_id)
            if s.get(OrganisationRow, partner) is None:
                raise NotFound(f"partner: there is no organisation {partner!r}")
            if partner == owner:
                raise AccountError(f"partner: {partner!r} owns this {kind} already; share it with another organisation")
            row = s.scalar(select(ShareRow).where(ShareRow.kind == kind, ShareRow.object_id == object_id,
                                                  ShareRow.owner_org == owner, ShareRow.partner_org == partner))
            before = None if row is None else row.access
            if row is None:
                row = ShareRow(kind=kind, object_id=object_id, owner_org=owner, partner_org=partner, access=access,
                               shared_by=user.email, shared_at=self.clock())
                s.add(row)
            else:
                row.access, row.shared_by, row.shared_at = access, user.email, self.clock()
            audit_row(s, user.email, "share", f"{kind}:{object_id}",
                      f"{owner} -> {partner}: {before or 'not shared'} -> {access}")
            return _share(row)

    def unshare(self, user: "User", kind: str, object_id: str, partner: str) -> None:
        """Stop sharing an object with ``partner`` (the owner's admins)."""
        check_object(kind)
        with self.store.transaction() as s:
            owner = self._owned_by_admin(s, user, kind, object_id)
            gone = s.execute(delete(ShareRow).where(ShareRow.kind == kind, ShareRow.object_id == object_id,
                                                    ShareRow.owner_org == owner, ShareRow.partner_org == partner))
            if not gone.rowcount:
                raise NotFound(f"partner: this {kind} is not shared with {partner!r}")
            audit_row(s, user.email, "unshare", f"{kind}:{object_id}", f"{owner} -> {partner}")

    def owners(self, kind: str, object_id: str) -> list[str]:
        """The organisations that own an object (none: saved before accounts, or no such object)."""
        check_object(kind)
        with self.store.reading() as s:
            return self._owners(s, kind, object_id)[1]

    def shares(self, kind: str, object_id: str) -> list[dict[str, Any]]:
        """The object's shares, by partner."""
        check_object(kind)
        with self.store.reading() as s:
            rows = s.scalars(select(ShareRow).where(ShareRow.kind == kind, ShareRow.object_id == object_id)
                             .order_by(ShareRow.partner_org))
            return [_share(r) for r in rows]

    # -- publishing and approving ----------------------------------------------------------------
    def set_public(self, user: "User", plan_id: str, public: bool = True) -> None:
        """Publish a plan (anyone may read it, without an account) or withdraw it: the owner's admins."""
        with self.store.transaction() as s:
            owner = self._owned_by_admin(s, user, "plan", plan_id)
            row = s.get(PlanRow, plan_id)
            row.public = bool(public)
            audit_row(s, user.email, "plan.publish" if public else "plan.unpublish", f"plan:{plan_id}", f"owner {owner}")

    def approve(self, user: "User", plan_id: str, review: int | None = None, seen: str | None = None) -> dict[str, Any]:
        """Record that ``user`` (an approver or admin of the plan's owner) signs off the plan
        (``review`` None) or review ``review``'s recommendation, with the scenario id they saw
        (``seen``, checked against the plan's; default the plan's)."""
        with self.store.transaction() as s:
            roles = self._roles_now(s, user)
            level = self._level(s, roles, user is not None, "plan", plan_id)
            if level == "none":
                raise NotFound(f"plan_id: no plan {plan_id!r} is saved here")
            plan = s.get(PlanRow, plan_id)
            org = plan.owner_org  # approving is the owner's: a share never gives it
            if org is None or _ROLE_LEVEL.get(roles.get(org, ""), "none") != "approve":
                raise PermissionDeniedError(
                    "approve: only an approver or admin of the organisation that owns this plan may approve it")
            if seen is not None and seen != plan.scenario_id:
                raise AccountError(f"scenario_id: {seen!r} is not this plan's scenario ({plan.scenario_id}); "
                                   "reload the plan and approve what it shows now")
            decision = None
            if review is not None:
                row = s.scalar(select(ReviewRow).where(ReviewRow.plan_id == plan_id, ReviewRow.number == review))
                if row is None:
                    raise NotFound(f"review: plan {plan_id!r} has no review {review!r}")
                rec = s.get(RecommendationRow, row.id)
                decision = None if rec is None else rec.decision
            approval = ApprovalRow(kind="plan" if review is None else "recommendation", plan_id=plan_id,
                                   review_number=review, organisation_id=org, approved_by=user.email,
                                   approved_at=self.clock(), scenario_id=plan.scenario_id, decision=decision)
            s.add(approval)
            s.flush()
            what = "the plan" if review is None else f"review {review}'s recommendation ({decision})"
            audit_row(s, user.email, "approve", f"plan:{plan_id}", f"{what}; scenario {plan.scenario_id}; for {org}")
            return _approval(approval)

    def approvals(self, plan_id: str) -> list[dict[str, Any]]:
        """A plan's approvals (of itself and of its reviews' recommendations), oldest first."""
        with self.store.reading() as s:
            rows = s.scalars(select(ApprovalRow).where(ApprovalRow.plan_id == plan_id).order_by(ApprovalRow.id))
            return [_approval(r) for r in rows]

    # -- rows saved before accounts --------------------------------------------------------------
    def unowned(self) -> dict[str, list[str]]:
        """The plans, logic models and saved scenarios that belong to nobody (saved before accounts)."""
        with self.store.reading() as s:
            owned_lms = select(LogicModelOwnerRow.logic_model_id)
            return {
                "plan": list(s.scalars(select(PlanRow.id).where(PlanRow.owner_org.is_(None)).order_by(PlanRow.id))),
                "logic-model": list(s.scalars(select(LogicModelRow.id).where(LogicModelRow.id.not_in(owned_lms))
                                              .order_by(LogicModelRow.id))),
                "saved-scenario": list(s.scalars(select(SavedScenarioRow.id).where(SavedScenarioRow.owner_org.is_(None))
                                                 .order_by(SavedScenarioRow.id))),
            }

    def adopt(self, org: str, kind: str, ids: Iterable[str], *, actor: str = "carescale plans adopt") -> list[str]:
        """Give rows that belong to nobody to ``org`` (the command line's ``plans adopt``: a
        trusted local tool). A row another organisation owns is refused, never taken over."""
        check_object(kind)
        done: list[str] = []
        with self.store.transaction() as s:
            if s.get(OrganisationRow, org) is None:
                raise NotFound(f"organisation: there is no organisation {org!r}")
            for object_id in ids:
                exists, owners, _ = self._owners(s, kind, object_id)
                if not exists:
                    raise NotFound(f"{kind}: no {kind} {object_id!r} is saved here")
                if owners:
                    raise AccountError(f"{kind}: {object_id!r} belongs to {', '.join(owners)} already; only rows saved "
                                       "before accounts (owned by nobody) can be adopted")
                if kind == "plan":
                    s.get(PlanRow, object_id).owner_org = org
                elif kind == "saved-scenario":
                    s.get(SavedScenarioRow, object_id).owner_org = org
                else:
                    s.add(LogicModelOwnerRow(logic_model_id=object_id, organisation_id=org, created_at=self.clock()))
                audit_row(s, actor, "adopt", f"{kind}:{object_id}", f"owner none -> {org}")
                done.append(object_id)
        return done


def _enabled(s: Any, user: "User") -> bool:
    row = s.get(UserRow, user.id)
    return row is not None and not row.disabled


def _share(row: ShareRow) -> dict[str, Any]:
    return {"kind": row.kind, "object_id": row.object_id, "owner": row.owner_org, "partner": row.partner_org,
            "access": row.access, "shared_by": row.shared_by, "shared_at": utc_iso(row.shared_at)}


def _approval(row: ApprovalRow) -> dict[str, Any]:
    return {"kind": row.kind, "plan": row.plan_id, "review": row.review_number, "organisation": row.organisation_id,
            "approved_by": row.approved_by, "approved_at": utc_iso(row.approved_at), "scenario_id": row.scenario_id,
            "decision": row.decision}
