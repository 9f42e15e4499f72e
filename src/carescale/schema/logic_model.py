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

from typing import Callable, Literal

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


#: How a number written plainly (``take_up: 0.005``) is recorded: the commissioner's own figure.
PLAIN = "the commissioner's own figure, written as a plain number in the logic model"
#: The unit of each number a logic model may give plainly.
PLAIN_UNITS = {"take_up": "proportion", "unit_cost": "GBP_per_person_per_year", "rate": "proportion",
               "unit_saving": "GBP_per_person_per_year", "staff": "people", "per": "people"}


def _is_plain(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def expand_plain_numbers(data: object, read: Callable[[str, str, str], float] | None = None) -> object:
    """A logic model may give its numbers plainly (``take_up: 0.005``, ``unit_cost: 400`` with a
    top-level ``price_year``, ``cost_shares: {asc: 0.5, nhs: 0.5}``, an outcome's ``rate`` and
    ``unit_saving``, a staff ratio's ``staff`` and ``per``): each becomes a full figure with its
    unit, status ``assumption`` (the commissioner's own), and the model's ``evidence_ref``
    as its reference. ``price_year`` (the prices plain money figures are in) is read here.
    ``read(text, unit, where)``, where given, reads a number typed as text ("0.5%", "£400")."""
    if not isinstance(data, dict):
        return data
    data = dict(data)
    price_year = data.pop("price_year", None)
    ref = data.get("evidence_ref")

    def q(v: object, unit: str, where: str) -> object:
        if read is not None and isinstance(v, str):
            v = read(v, unit, where)
        if not _is_plain(v):
            return v
        out: dict[str, object] = {"value": v, "unit": unit, "status": "assumption", "derivation": PLAIN}
        if ref is not None:
            out["ref"] = ref
        if unit.startswith("GBP"):
            if price_year is None:
                raise ValueError(f"{where} is a plain amount of money; give price_year (the prices your money "
                                 "figures are in, for example 2024/25)")
            out["price_year"] = str(price_year)
        return out

    for key in ("take_up", "unit_cost"):
        if key in data:
            data[key] = q(data[key], PLAIN_UNITS[key], key)
    if isinstance(data.get("cost_shares"), dict):
        data["cost_shares"] = {k: q(v, "proportion", f"cost_shares.{k}") for k, v in data["cost_shares"].items()}
    if isinstance(data.get("outcomes"), (list, tuple)):
        data["outcomes"] = [
            {**o, **{k: q(o[k], PLAIN_UNITS[k], f"outcomes[{o.get('id', i)}].{k}") for k in ("rate", "unit_saving") if k in o}}
            if isinstance(o, dict) else o
            for i, o in enumerate(data["outcomes"])
        ]
    toc = data.get("theory_of_change")
    if isinstance(toc, dict) and isinstance(toc.get("inputs"), dict):
        inputs = dict(toc["inputs"])
        for group in ("staff", "volunteers"):
            if isinstance(inputs.get(group), (list, tuple)):
                inputs[group] = [
                    {**w, **{k: q(w[k], "people", f"theory_of_change.inputs.{group}[{i}].{k}") for k in ("staff", "per") if k in w}}
                    if isinstance(w, dict) else w
                    for i, w in enumerate(inputs[group])
                ]
        data["theory_of_change"] = {**toc, "inputs": inputs}
    return data


class LogicModel(StrictModel):
    """A new service's logic model (see the module docstring and docs/plans.md)."""

    @model_validator(mode="before")
    @classmethod
    def _plain_numbers(cls, data: object) -> object:
        return expand_plain_numbers(data)

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
