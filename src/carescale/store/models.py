"""The tables (SQLAlchemy 2 typed ORM). Imported only by :mod:`carescale.store.core`, which is
itself imported lazily: ``import carescale`` never loads SQLAlchemy.

Records are written once and never updated: a scenario document or a logic model is keyed by
the hash of its canonical JSON; a plan by its id; every review (with its outcome counts and the
recommendation computed from it) is one row set written in one transaction, so a plan's whole
history stays readable. The Alembic migrations in ``migrations/versions`` create these tables;
a test checks that the migrated schema matches this module.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ScenarioDocumentRow(Base):
    """A scenario document (``carescale.scenarios``), keyed by its content hash."""

    __tablename__ = "scenario_documents"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    canonical_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class SavedScenarioRow(Base):
    """A scenario someone saved with a name and a note (migration 0004): an unguessable key for
    its link, the stored document it names. Written once, never changed."""

    __tablename__ = "saved_scenarios"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    scenario_id: Mapped[str] = mapped_column(ForeignKey("scenario_documents.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # the organisation it belongs to (migration 0007); None: saved before accounts, owned by nobody
    owner_org: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)


class LogicModelRow(Base):
    """A logic model a plan commits to, keyed by the hash of its canonical JSON."""

    __tablename__ = "logic_models"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    model_id: Mapped[str] = mapped_column(String(200), index=True)
    canonical_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class PlanRow(Base):
    """An investment plan: its definition (canonical JSON of ``plans.Plan``) and who made it."""

    __tablename__ = "plans"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    definition_json: Mapped[str] = mapped_column(Text)
    scenario_id: Mapped[str | None] = mapped_column(ForeignKey("scenario_documents.id"))
    logic_model_id: Mapped[str | None] = mapped_column(ForeignKey("logic_models.id"))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # the organisation it belongs to (migration 0007); None: saved before accounts, owned by nobody
    owner_org: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    # a published public plan: anyone may read it, without an account
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    reviews: Mapped[list["ReviewRow"]] = relationship(
        back_populates="plan", order_by="ReviewRow.number", lazy="raise"
    )


class ReviewRow(Base):
    """One review of a plan: the actuals for one period, who recorded them and when."""

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    people_supported: Mapped[int] = mapped_column(Integer)
    money_spent: Mapped[float] = mapped_column(Numeric(16, 2, asdecimal=False))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    plan: Mapped[PlanRow] = relationship(back_populates="reviews")
    outcomes: Mapped[list["ReviewOutcomeRow"]] = relationship(
        back_populates="review", order_by="ReviewOutcomeRow.outcome_id", lazy="raise"
    )
    recommendation: Mapped["RecommendationRow | None"] = relationship(back_populates="review", lazy="raise")
    observations: Mapped[list["ReviewObservationRow"]] = relationship(
        back_populates="review", order_by="ReviewObservationRow.measure_id", lazy="raise"
    )


class ReviewOutcomeRow(Base):
    """How many of the people supported achieved one outcome in the review's period."""

    __tablename__ = "review_outcomes"

    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), primary_key=True)
    outcome_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    achieved: Mapped[int] = mapped_column(Integer)
    # the council's own cost data for this outcome, where recorded (migration 0002)
    local_saving: Mapped[float | None] = mapped_column(Numeric(16, 2, asdecimal=False), nullable=True)
    local_cases: Mapped[int | None] = mapped_column(Integer, nullable=True)

    review: Mapped[ReviewRow] = relationship(back_populates="outcomes")


class ReviewObservationRow(Base):
    """What was observed for one of the plan's counterfactual outcomes in the review's period
    (events among the people supported; a comparison group's people and events), migration 0003."""

    __tablename__ = "review_observations"

    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), primary_key=True)
    measure_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    events: Mapped[int] = mapped_column(Integer)
    comparison_people: Mapped[int | None] = mapped_column(Integer, nullable=True)
    comparison_events: Mapped[int | None] = mapped_column(Integer, nullable=True)

    review: Mapped[ReviewRow] = relationship(back_populates="observations")


class RecommendationRow(Base):
    """What the tool recommended after a review, why, and the figures it rested on."""

    __tablename__ = "recommendations"

    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), primary_key=True)
    decision: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    prob_saving: Mapped[float] = mapped_column(Float)
    expected_npv: Mapped[float] = mapped_column(Float)
    details_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    review: Mapped[ReviewRow] = relationship(back_populates="recommendation")


# -- accounts, organisations and roles (migration 0005, issue 27; carescale.accounts) -----------


class UserRow(Base):
    """A person who signs in: an email (stored lower-case, unique) and an argon2 hash of their
    password (none for a user who signs in through their organisation's identity provider)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)


class OrganisationRow(Base):
    """A council, an ICB, a provider or another body, keyed by a short slug."""

    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class MembershipRow(Base):
    """A user's one role in an organisation: viewer, editor, approver or admin."""

    __tablename__ = "memberships"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class SessionRow(Base):
    """A server-side sign-in session. Only the SHA-256 of its random token is stored."""

    __tablename__ = "user_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ApiTokenRow(Base):
    """A personal API token: shown once when made, stored as its SHA-256, revoked by its owner."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PasswordResetRow(Base):
    """A one-time password reset token (printed for the administrator), stored as its SHA-256."""

    __tablename__ = "password_resets"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuditRow(Base):
    """One line of the append-only audit log: when, who, what they did, to what, and detail.
    The database itself refuses UPDATE and DELETE on this table (triggers, migration 0005)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(60))
    object: Mapped[str] = mapped_column(String(400))
    detail: Mapped[str] = mapped_column(Text)


# -- local conversations and a public plan (migration 0006, issue 28; carescale.conversations) --


class ConversationRow(Base):
    """A local conversation (SCIE 2017, Appendix A) held by a council (ONS code), owned by an
    organisation (its slug; the web app enforces who may see and change it). ``definition_json``:
    its goals and price base."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    council: Mapped[str] = mapped_column(String(9))
    name: Mapped[str] = mapped_column(String(300))
    organisation: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    definition_json: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ConversationEntryRow(Base):
    """One thing staff recorded in a conversation, never changed: the council's own figure for an
    area, what works, an expected-money figure, the goals, a theme tagged on a response, a quote
    chosen, a decision, publishing. The latest entry of a ``kind`` and ``key`` is the one in force,
    so the whole history stays readable."""

    __tablename__ = "conversation_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(200))
    body_json: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ConversationProposalRow(Base):
    """A model to grow or a service to reduce, with its figures from the engine when it was made."""

    __tablename__ = "conversation_proposals"
    __table_args__ = (UniqueConstraint("conversation_id", "number"),)

    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    definition_json: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ConversationResponseRow(Base):
    """One response to one proposal. ``comment`` is the literal text given. ``fingerprint``: the
    SHA-256 of the proposal, stance, respondent type and normalised comment (one per conversation:
    the duplicate check); ``client_hash``: a salted SHA-256 of the public client (never its address)."""

    __tablename__ = "conversation_responses"
    __table_args__ = (
        UniqueConstraint("conversation_id", "fingerprint"),
        ForeignKeyConstraint(["conversation_id", "proposal_id"],
                             ["conversation_proposals.conversation_id", "conversation_proposals.id"]),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    proposal_id: Mapped[str] = mapped_column(String(200))
    stance: Mapped[str] = mapped_column(String(10))
    respondent: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(10))
    fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    client_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


# -- ownership, shares and approvals (migration 0007, issue 27; carescale.accounts.ownership) ----


class LogicModelOwnerRow(Base):
    """An organisation that saved a logic model. Logic models are keyed by the hash of their
    content, so two organisations that save the same model each own it (neither sees the other)."""

    __tablename__ = "logic_model_owners"

    logic_model_id: Mapped[str] = mapped_column(ForeignKey("logic_models.id"), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ShareRow(Base):
    """A plan, logic model or saved scenario an owner shares with a partner organisation,
    read-only (``read``) or editable (``edit``). Removed when the owner stops sharing."""

    __tablename__ = "shares"
    __table_args__ = (UniqueConstraint("kind", "object_id", "owner_org", "partner_org",
                                       name="uq_shares_object_partner"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))  # plan | logic-model | saved-scenario
    object_id: Mapped[str] = mapped_column(String(200))
    owner_org: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    partner_org: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    access: Mapped[str] = mapped_column(String(10))  # read | edit
    shared_by: Mapped[str] = mapped_column(String(320))
    shared_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ApprovalRow(Base):
    """A sign-off: who approved a plan (``kind`` plan) or a review's recommendation (``kind``
    recommendation, with its review number and decision), when, for which organisation, and the
    scenario id they saw. Append-only (the database refuses UPDATE and DELETE)."""

    __tablename__ = "approvals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id"), index=True)
    review_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    approved_by: Mapped[str] = mapped_column(String(320))
    approved_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    scenario_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    decision: Mapped[str | None] = mapped_column(String(40), nullable=True)
