"""A logic model for a new service (SCIE 2017, Appendix B; Nesta's Theory of Change).

A logic model is the record a council writes for a promising model the evidence library cannot
run yet (its ``missing_numbers``), or for its own idea. It sets out the Theory of Change (inputs,
including staff, volunteers and what people and their families contribute themselves;
activities; assumptions; short- and longer-term outcomes; impacts) and the numbers that turn it
into money: who it is for and how many it reaches, what it costs per person, the outcomes it aims
for with their rates, and what each outcome saves, for which payer. Every number is a
:class:`~carescale.schema.base.Quantity` with a unit, price year and a reference, exactly as in an
evidence file; references may name the documents in ``sources.yaml`` or the model's own
``documents`` (a local business case, an evaluation).

:func:`carescale.plans.logic_model.to_intervention` turns it into an ordinary runnable
:class:`~carescale.schema.intervention.Intervention` (one segment), so it runs through the same
engine, appraisal and uncertainty as every model in the library.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .base import Payer, Quantity, Reference, StrictModel, bounded_text
from .intervention import (
    EvidenceGrade,
    Outcome,
    RampUp,
    SetupInvestment,
    WiderBenefit,
    WorkforceRatio,
    _require_unit,
    check_cost_shares,
)
from .sources import Document


class Inputs(StrictModel):
    """The contributions the service needs (Appendix B: "staff, volunteers, resources and of the
    people who need support themselves and their families")."""

    staff: tuple[WorkforceRatio, ...] = ()
    volunteers: tuple[WorkforceRatio, ...] = ()
    own_contribution: tuple[str, ...] = ()  # what people who need support and families bring
    resources: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> "Inputs":
        if not (self.staff or self.volunteers or self.own_contribution or self.resources):
            raise ValueError(
                "name at least one input: staff, volunteers, own_contribution (what people and "
                "their families contribute) or resources"
            )
        return self


class TheoryOfChange(StrictModel):
    inputs: Inputs
    activities: tuple[str, ...] = Field(min_length=1)
    assumptions: tuple[str, ...] = Field(min_length=1)
    short_term_outcomes: tuple[str, ...] = Field(min_length=1)
    longer_term_outcomes: tuple[str, ...] = ()
    impacts: tuple[str, ...] = ()


class LogicOutcome(Outcome):
    """An outcome that saves money: ``rate`` of the people supported achieve it in a year (a
    logic model must give the rate), and each time it is achieved ``unit_saving`` is saved (or a
    typical cost avoided) for ``payer``; ``term`` says whether it is a short- or longer-term
    outcome of the Theory of Change."""

    rate: Quantity
    term: Literal["short", "longer"] = "short"


class LogicModel(StrictModel):
    """A new service's logic model (see the module docstring and docs/plans.md)."""

    id: bounded_text(200) = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")  # type: ignore[valid-type]  # store: String(200)
    kind: Literal["logic-model"] = "logic-model"
    name: bounded_text(500)  # type: ignore[valid-type]
    based_on: str | None = None  # the promising model in the evidence library it starts from
    transformation_area: int = Field(ge=1, le=5)
    description: str
    target_group: str
    theory_of_change: TheoryOfChange
    cohort: str
    take_up: Quantity  # share of the cohort the service reaches a year at full scale
    unit_cost: Quantity
    cost_shares: dict[Payer, Quantity]
    outcomes: tuple[LogicOutcome, ...] = Field(min_length=1)
    setup: SetupInvestment | None = None
    ramp_up: RampUp | None = None
    wider_benefits: tuple[WiderBenefit, ...] = ()
    evidence: str
    evidence_ref: Reference
    evidence_grade: EvidenceGrade
    documents: dict[str, Document] = {}

    @model_validator(mode="after")
    def _check(self) -> "LogicModel":
        _require_unit(self.take_up, ("proportion",), "take_up")
        _require_unit(self.unit_cost, ("GBP_per_person_per_year",), "unit_cost")
        check_cost_shares(self.cost_shares)
        ids = [o.id for o in self.outcomes]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"outcome id {dup[0]!r} is used twice")
        return self
