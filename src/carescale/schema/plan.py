"""An investment plan and a review's actuals, as written in YAML (docs/plans.md).

A plan commits to one model (an evidence-library model or a logic model) in one area (an area
id, or a scenario document giving the area, overrides and appraisal settings), with a
budget, phases (each running at a share of the model's potential), a review period, and the
funding route: the core budget (naming the service lines to be reduced to pay for it), transition
funds, or social investment. ``carescale plans create`` adds the targets per outcome from the
break-even analysis and stores it. A review file records the actuals of one period.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator, model_validator

from .base import MAX_PEOPLE, MAX_VALUE, Quantity, StrictModel, WholeNumber, bounded_text
from .intervention import _require_unit
from .sources import Document

ReviewPeriod = Literal["monthly", "quarterly", "half-yearly", "yearly"]
PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "half-yearly": 6, "yearly": 12}
FundingRoute = Literal["core_budget", "transition_funds", "social_investment"]


def parse_date(value: Any, field: str) -> dt.date:
    """A date written YYYY-MM-DD (the YAML reader keeps dates as text)."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a date; write {field} as YYYY-MM-DD, for example 2027-04-01")


def _date(value: Any, info: ValidationInfo) -> dt.date:
    return parse_date(value, info.field_name or "the date")


def _years_after(d: dt.date, years: int) -> dt.date:
    """``d`` plus ``years`` years (28 February for 29 February; 9999-12-31 past the last year)."""
    if d.year + years > dt.MAXYEAR:
        return dt.date.max
    return d.replace(year=d.year + years, day=28 if (d.month, d.day) == (2, 29) else d.day)


#: The longest plan (the appraisal's longest period, appraisal.settings.MAX_YEARS).
MAX_PLAN_YEARS = 60
#: Bounds of text stored in the database (store/models.py column sizes), checked here so that
#: SQLite and PostgreSQL accept and refuse the same values.
MAX_ID = 200
MAX_NAME = 500
#: Bounds of a review's figures (the columns are 32-bit integers and NUMERIC(16, 2)).
MAX_MONEY_SPENT = MAX_VALUE

#: A date written YYYY-MM-DD, with a message naming the field when it is not one.
Date = Annotated[dt.date, BeforeValidator(_date)]


class ModelChoice(StrictModel):
    """Exactly one of ``library`` (a runnable model's id) or ``logic_model`` (a file path,
    relative to the plan file)."""

    library: str | None = None
    logic_model: str | None = None

    @model_validator(mode="after")
    def _one(self) -> "ModelChoice":
        if (self.library is None) == (self.logic_model is None):
            raise ValueError("give exactly one of library (a model id) or logic_model (a file)")
        return self


class Phase(StrictModel):
    name: str
    start: Date
    end: Date
    scale: float = Field(ge=0, le=1)  # share of the model's potential this phase runs at

    @model_validator(mode="after")
    def _order(self) -> "Phase":
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class ReducedLine(StrictModel):
    """A service line whose budget is cut to pay for the plan (core-budget route)."""

    name: str
    spend_line: str | None = None  # the vocabulary's spend line, where there is one
    amount: Quantity

    @model_validator(mode="after")
    def _check(self) -> "ReducedLine":
        _require_unit(self.amount, ("GBP", "GBP_per_year"), "amount")
        return self


class Funding(StrictModel):
    route: FundingRoute
    reduced_service_lines: tuple[ReducedLine, ...] = ()
    source: str | None = None  # the fund (transition funds) or the investor (social investment)

    @model_validator(mode="after")
    def _check(self) -> "Funding":
        if self.route == "core_budget" and not self.reduced_service_lines:
            raise ValueError(
                "route 'core_budget' needs reduced_service_lines: name the service lines whose "
                "budget is reduced to pay for the plan"
            )
        if self.route != "core_budget" and not self.source:
            what = "the fund" if self.route == "transition_funds" else "the investor"
            raise ValueError(f"route {self.route!r} needs a source: name {what}")
        return self


ComparisonKind = Literal["matched", "waiting-list"]


class CounterfactualBaseline(StrictModel):
    """What would be expected without the service; exactly one of: ``official`` (a baseline rate
    from the council's own official data, ``ascof-2a2``), ``rate`` (a rate from the evidence: the
    share of the people served who would have the event in a year without the service, a
    ``Quantity`` with unit ``proportion`` and its reference) or ``comparison`` (a comparison
    group the council records at each review: ``matched`` or ``waiting-list``)."""

    official: str | None = None
    rate: Quantity | None = None
    comparison: ComparisonKind | None = None

    @model_validator(mode="after")
    def _one(self) -> "CounterfactualBaseline":
        given = [k for k in ("official", "rate", "comparison") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of official (a baseline from the council's official data, ascof-2a2), "
                "rate (a yearly rate from the evidence) or comparison (matched or waiting-list)"
            )
        _require_unit(self.rate, ("proportion",), "rate")
        return self


class Counterfactual(StrictModel):
    """An outcome observed among the people served (admissions, care packages started, people
    still at home) and what would be expected without the service."""

    id: bounded_text(MAX_ID) = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")  # type: ignore[valid-type]
    description: bounded_text(MAX_NAME)  # type: ignore[valid-type]
    baseline: CounterfactualBaseline
    #: a tracked outcome whose count a review may leave out: it is then the events avoided
    #: estimated from this counterfactual (expected - observed, at least 0)
    informs: bounded_text(MAX_ID) | None = None  # type: ignore[valid-type]


class PlanSpec(StrictModel):
    """What a user writes to create a plan (``carescale plans create PLAN.yaml``)."""

    id: bounded_text(MAX_ID) = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")  # type: ignore[valid-type]
    name: bounded_text(MAX_NAME)  # type: ignore[valid-type]
    model: ModelChoice
    area: str | None = None  # an area id, or give a scenario document instead
    scenario: str | None = None  # a scenario document file (relative to the plan file)
    start: Date
    end: Date
    review_period: ReviewPeriod = "quarterly"
    budget: Quantity
    phases: tuple[Phase, ...] = Field(min_length=1)
    funding: Funding
    note: str | None = None
    documents: dict[str, Document] = {}
    counterfactual: tuple[Counterfactual, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> "PlanSpec":
        if (self.area is None) == (self.scenario is None):
            raise ValueError(
                "give exactly one of area (an area id) or scenario (a scenario document file with "
                "the area, overrides and appraisal settings)"
            )
        if self.end <= self.start:
            raise ValueError(f"end {self.end} must be after start {self.start}")
        if self.end > _years_after(self.start, MAX_PLAN_YEARS):
            raise ValueError(
                f"end {self.end} is more than {MAX_PLAN_YEARS} years after start {self.start}; a plan may "
                f"last at most {MAX_PLAN_YEARS} years (the longest appraisal period)"
            )
        _require_unit(self.budget, ("GBP",), "budget")
        prev_end: dt.date | None = None
        for i, ph in enumerate(self.phases):
            if ph.start < self.start or ph.end > self.end:
                raise ValueError(
                    f"phases[{i}]: {ph.start} to {ph.end} is outside the plan ({self.start} to {self.end})"
                )
            if prev_end is not None and ph.start <= prev_end:
                raise ValueError(f"phases[{i}]: starts {ph.start}, before the previous phase ends ({prev_end})")
            prev_end = ph.end
        ids = [c.id for c in self.counterfactual]
        for cid in ids:
            if ids.count(cid) > 1:
                raise ValueError(f"counterfactual: {cid!r} is given twice; give each observed outcome once")
        informs = [c.informs for c in self.counterfactual if c.informs is not None]
        for oid in informs:
            if informs.count(oid) > 1:
                raise ValueError(f"counterfactual: two observed outcomes inform {oid!r}; one outcome is estimated from one")
        return self


class LocalSaving(StrictModel):
    """The council's own cost data for one outcome: what each one saved locally (pounds, the
    model's unit) and over how many cases that average was taken."""

    saving: float
    cases: int

    @model_validator(mode="after")
    def _check(self) -> "LocalSaving":
        if not 0 < self.saving <= MAX_MONEY_SPENT:
            raise ValueError(f"saving: {self.saving:g} is not valid; give pounds per outcome, more than 0")
        if not 1 <= self.cases <= MAX_PEOPLE:
            raise ValueError(f"cases: {self.cases} is not valid; give the number of cases costed, 1 or more")
        return self


class Observation(StrictModel):
    """What was observed for one of the plan's counterfactual outcomes in the review's period:
    ``events`` among the people supported; for a comparison-group baseline also the comparison
    group's people and events in the same period."""

    events: WholeNumber
    comparison_people: WholeNumber | None = None
    comparison_events: WholeNumber | None = None

    @model_validator(mode="after")
    def _check(self) -> "Observation":
        if self.events < 0:
            raise ValueError(f"events: {self.events} is negative; give 0 or more")
        if (self.comparison_people is None) != (self.comparison_events is None):
            raise ValueError("give both comparison_people and comparison_events, or neither")
        if self.comparison_people is not None and self.comparison_events is not None:
            if not 0 <= self.comparison_people <= MAX_PEOPLE:
                raise ValueError(
                    f"comparison_people: {self.comparison_people:,} is not valid; give 0 to {MAX_PEOPLE:,} people"
                )
            if not 0 <= self.comparison_events <= self.comparison_people:
                raise ValueError(
                    f"comparison_events: {self.comparison_events} is not valid; give 0 to comparison_people "
                    f"({self.comparison_people})"
                )
        return self


class Actuals(StrictModel):
    """A review's actuals (``carescale reviews add PLAN --file REVIEW.yaml``): the period it
    covers ends on ``period_end`` and starts the day after the previous review (or on the
    plan's start); people supported in it, how many of them achieved each outcome, the money
    spent, and (optional) the council's own cost data per outcome (``local_savings``)."""

    plan: str | None = None
    period_end: Date
    people_supported: int
    outcomes: dict[bounded_text(MAX_ID), WholeNumber] = {}  # type: ignore[valid-type]
    money_spent: float
    local_savings: dict[bounded_text(MAX_ID), LocalSaving] = {}  # type: ignore[valid-type]
    observed: dict[bounded_text(MAX_ID), Observation] = {}  # type: ignore[valid-type]
    recorded_by: bounded_text(MAX_ID) | None = None  # type: ignore[valid-type]
    note: str | None = None

    @field_validator("money_spent")
    @classmethod
    def _pennies(cls, v: float) -> float:
        """Whole pennies, as the NUMERIC(16, 2) column keeps them, so SQLite and PostgreSQL
        store and give back the same amount."""
        return round(v, 2) if math.isfinite(v) else v

    @model_validator(mode="after")
    def _check(self) -> "Actuals":
        if self.people_supported < 0:
            raise ValueError(f"people_supported: {self.people_supported} is negative; give 0 or more people")
        if self.people_supported > MAX_PEOPLE:
            raise ValueError(
                f"people_supported: {self.people_supported:,} is too large; give at most {MAX_PEOPLE:,} people "
                "(more people than live in the UK)"
            )
        if not self.money_spent >= 0 or self.money_spent == float("inf"):
            raise ValueError(f"money_spent: {self.money_spent:g} is not valid; give pounds, 0 or more")
        if self.money_spent > MAX_MONEY_SPENT:
            raise ValueError(
                f"money_spent: {self.money_spent:g} is too large; give at most {MAX_MONEY_SPENT:,.0f} pounds"
            )
        for oid, k in self.outcomes.items():
            if k < 0:
                raise ValueError(f"outcomes.{oid}: {k} is negative; give 0 or more people")
            if k > self.people_supported:
                raise ValueError(
                    f"outcomes.{oid}: {k} people achieved it, more than the {self.people_supported} "
                    "people supported; it can be at most people_supported"
                )
        for cid, ob in self.observed.items():
            if ob.events > self.people_supported:
                raise ValueError(
                    f"observed.{cid}.events: {ob.events} events among the {self.people_supported} people "
                    "supported; it can be at most people_supported"
                )
        return self
