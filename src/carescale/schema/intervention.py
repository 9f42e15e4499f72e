"""The definition of an intervention (a care model) as read from ``data/interventions/*.yaml``.

An intervention has one or more *segments*: groups of beneficiaries sized and costed the same way
(Shared Lives has one for people with a learning disability and one for people with mental health
needs). Each segment says how many people it could reach in an area (:class:`Sizing`), what it
costs per person, and what it saves, either through outcomes per person (:class:`Outcome`) or as
a percentage cut in a baseline spend line of the area (:class:`SpendReduction`).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, NamedTuple

from pydantic import AfterValidator, Field, field_validator, model_validator

from .base import PAYERS, Payer, Quantity, Reference, StrictModel
from .rules import rule_of, sum_problem

SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
_SLUG = re.compile(SLUG_PATTERN)


def _slug(v: str) -> str:
    if not _SLUG.match(v) or len(v) > 200:
        raise ValueError(
            f"{v!r} is not a valid id; an id is lower-case letters, digits, '-' and '_' (pattern "
            f"{SLUG_PATTERN}, at most 200 characters), with no dots: parameter paths join ids with dots"
        )
    return v


#: The id of an outcome, segment, spend reduction or benefit: a part of a parameter path.
Slug = Annotated[str, AfterValidator(_slug)]


def _require_unit(q: Quantity | None, units: tuple[str, ...], what: str) -> None:
    if q is not None and q.unit not in units:
        raise ValueError(f"{what} has unit {q.unit!r}; it must be one of: {', '.join(units)}")


def check_cost_shares(cost_shares: dict[str, Quantity]) -> None:
    """Cost shares are proportions that add up to 1."""
    for p, q in cost_shares.items():
        _require_unit(q, ("proportion",), f"cost_shares.{p}")
    problem = sum_problem({p: q.value for p, q in cost_shares.items()})
    if problem:
        raise ValueError(problem)


def _rule_problem(model: type, field: str, q: Quantity) -> None:
    """Refuse ``q`` when it breaks the rule its field carries (schema/rules.py)."""
    problem = rule_of(model, field, q.unit).problem(q.value, field)
    if problem:
        raise ValueError(problem)


class Sizing(StrictModel):
    """How many people a segment could reach in an area.

    * ``share_of_cohort``: ``rate`` x the area's ``cohort``.
    * ``additional_to_existing``: ``rate`` (a target share of ``cohort``) x cohort, less the
      people the area already serves with this intervention (its ``provision``), never below 0.
    * ``none``: the segment is not person-based (its savings come from spend reductions).

    ``otherwise``: the sizing used in an area that lacks this one's figures (its ``cohort``, or
    for ``additional_to_existing`` the area's ``provision``) but has the other's cohort: the
    built-in council profiles, whose official series define the target group differently
    (:func:`carescale.engine.scenario.localise_sizing`; docs/fidelity.md). It never has its
    own ``otherwise``.
    """

    basis: Literal["share_of_cohort", "additional_to_existing", "none"]
    cohort: str | None = None
    rate: Quantity | None = None
    description: str | None = None
    otherwise: "Sizing | None" = None

    @model_validator(mode="after")
    def _check(self) -> "Sizing":
        if self.basis == "none":
            if self.cohort or self.rate or self.otherwise:
                raise ValueError("basis 'none' takes no cohort, no rate and no otherwise")
        else:
            if not self.cohort or self.rate is None:
                raise ValueError(f"basis {self.basis!r} needs both a cohort and a rate")
            _require_unit(self.rate, ("proportion",), "rate")
        if self.otherwise is not None:
            if self.otherwise.otherwise is not None:
                raise ValueError("otherwise: a sizing used otherwise has no otherwise of its own")
            if self.otherwise.basis != "share_of_cohort":
                raise ValueError(f"otherwise.basis: {self.otherwise.basis!r}; the sizing used otherwise is 'share_of_cohort'")
        return self


class PricedBy(StrictModel):
    """What a saving mostly is, in units of care of the unit-cost library
    (``data/unit_costs.yaml``): the saving was measured at the source site (``site``, the ONS
    code of its council), so in another council it is scaled by that council's own unit cost
    over the site's (``unit_saving x cost here / cost at the site``; at the site itself, 1)."""

    unit_cost: str  # a kind of data/unit_costs.yaml
    site: str  # ONS code of the source site's council
    #: area ids where the paper publishes the saving as it stands (its Birmingham profile): kept
    #: as published there, and everywhere under the paper's method (prices as published, the
    #: ``paper`` preset), so the paper is reproduced; re-scaled on every other profile
    published_for: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> "PricedBy":
        if not re.match(r"^E(06|07|08|09|10|92)\d{6}$", self.site):
            raise ValueError(f"site: {self.site!r} is not a council's ONS code; give one such as 'E08000034'")
        return self


CashableStatus = Literal["published", "implied", "assumption"]

#: The rule for a saving whose evidence file gives no ``cashable`` entry (docs/appraisal.md,
#: "Cashable and non-cashable savings"): a council saving is on care it buys (a package or a
#: placement that stops), so it is cashable; an NHS saving is activity avoided in services paid
#: for by block contracts and fixed staffing (a bed day freed, an attendance avoided), so it
#: frees capacity but is not cashable unless a commissioner takes the money out.
DEFAULT_CASHABLE: dict[str, bool] = {"asc": True, "nhs": False}
DEFAULT_CASHABLE_REASON = (
    "default rule (no cashable entry in the evidence): council savings on care it buys are "
    "cashable; NHS activity avoided frees capacity and is not cashable"
)


class Cashable(StrictModel):
    """Whether a saving can be taken out of a budget (``value: true``: a care package or a
    placement that is no longer bought) or only frees capacity (``false``: a bed day, staff time).
    ``status`` says how we know (``published``: the source says so; ``implied``: it follows from
    what the source says is saved; ``assumption``: our judgement), ``reason`` says why, and
    ``ref`` may quote the passage."""

    value: bool
    status: CashableStatus = "assumption"
    reason: str
    ref: Reference | None = None

    @field_validator("value", mode="before")
    @classmethod
    def _check_value(cls, v: object) -> object:
        if not isinstance(v, bool):
            raise ValueError(f"{v!r} is not valid; cashable must be true (a budget can bank the saving) "
                             "or false (it frees capacity only)")
        return v


class CashableFlag(NamedTuple):
    """A saving's cashable flag as the outputs show it: the file's own entry, or the default
    rule (status ``default``)."""

    value: bool
    status: str
    reason: str


def cashable_of(saving: "Outcome | SpendReduction") -> CashableFlag:
    """The cashable flag of an outcome or spend reduction: its own ``cashable`` entry, or the
    default rule by payer (:data:`DEFAULT_CASHABLE`)."""
    c = saving.cashable
    if c is not None:
        return CashableFlag(c.value, c.status, c.reason)
    return CashableFlag(DEFAULT_CASHABLE[saving.payer], "default", DEFAULT_CASHABLE_REASON)


class Outcome(StrictModel):
    """A change that saves money: ``rate`` of beneficiaries (all of them if no rate) each save
    ``unit_saving`` a year for ``payer``; ``cashable`` says whether that saving can be taken
    out of a budget (:func:`cashable_of` applies the default rule when it is left out);
    ``priced_by``: the saving is re-scaled by the area's own unit cost (:class:`PricedBy`)."""

    id: Slug
    description: str
    payer: Payer
    rate: Quantity | None = None
    unit_saving: Quantity
    cashable: Cashable | None = None
    priced_by: PricedBy | None = None

    @model_validator(mode="after")
    def _check(self) -> "Outcome":
        _require_unit(self.rate, ("proportion",), "rate")
        _require_unit(self.unit_saving, ("GBP_per_person_per_year",), "unit_saving")
        return self


class SpendReduction(StrictModel):
    """A fall of ``reduction`` in one of the area's baseline spend lines, saved by ``payer``."""

    id: Slug
    description: str
    payer: Payer
    spend_line: str
    reduction: Quantity
    cashable: Cashable | None = None

    @model_validator(mode="after")
    def _check(self) -> "SpendReduction":
        _require_unit(self.reduction, ("proportion",), "reduction")
        return self


class Segment(StrictModel):
    id: Slug
    description: str
    sizing: Sizing
    unit_cost: Quantity | None = None
    outcomes: tuple[Outcome, ...] = ()
    spend_reductions: tuple[SpendReduction, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> "Segment":
        _require_unit(self.unit_cost, ("GBP_per_person_per_year",), "unit_cost")
        if not self.outcomes and not self.spend_reductions:
            raise ValueError("a segment needs at least one outcome or spend reduction")
        ids = [o.id for o in self.outcomes] + [r.id for r in self.spend_reductions]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"outcome/spend-reduction id {sorted(dup)[0]!r} is used twice")
        if self.sizing.basis == "none" and (self.outcomes or self.unit_cost):
            raise ValueError(
                "a segment with sizing basis 'none' has no beneficiaries, so it can have "
                "spend_reductions only, not outcomes or a unit_cost"
            )
        return self


class SetupInvestment(StrictModel):
    """One-off investment bought in tranches: ``cost`` for every ``per`` new beneficiaries."""

    cost: Quantity
    per: Quantity = Field(json_schema_extra={
        "divisor": "the number of places each set-up investment pays for",
        "whole": "places are bought whole",
    })
    payer: Payer = "asc"

    @model_validator(mode="after")
    def _check(self) -> "SetupInvestment":
        _require_unit(self.cost, ("GBP",), "cost")
        _require_unit(self.per, ("people",), "per")
        _rule_problem(SetupInvestment, "per", self.per)
        return self


class RampUp(StrictModel):
    """How long the service takes to start and to pay back, as the source reports it."""

    months_to_first_beneficiary: Quantity | None = None
    months_to_break_even: Quantity | None = None

    @model_validator(mode="after")
    def _check(self) -> "RampUp":
        _require_unit(self.months_to_first_beneficiary, ("months",), "months_to_first_beneficiary")
        _require_unit(self.months_to_break_even, ("months",), "months_to_break_even")
        return self


class WorkforceRatio(StrictModel):
    """``staff`` people in ``role`` for every ``per`` beneficiaries."""

    role: str
    staff: Quantity
    per: Quantity = Field(json_schema_extra={"divisor": "the number of people each staff ratio is for"})

    @model_validator(mode="after")
    def _check(self) -> "WorkforceRatio":
        _require_unit(self.staff, ("people",), "staff")
        _require_unit(self.per, ("people",), "per")
        _rule_problem(WorkforceRatio, "per", self.per)
        return self


class FullCost(StrictModel):
    """A running cost the source's own figures leave out, so that every model is fully costed
    (issue 21). Either staff by role, ``staff`` people (full-time equivalents) for every ``per``
    beneficiaries (unit ``people``) or every ``per`` pounds a year of the baseline spend the model
    reduces (unit ``GBP_per_year``), each costing ``unit_cost`` a year; or, without ``staff``,
    ``unit_cost`` for every beneficiary a year. ``netted``: the source's saving is already net of
    this cost, so the gross saving is the published saving plus this cost (Shared Lives' carer
    payments). The paper's own figures (the ``paper`` method) leave every full cost out."""

    id: Slug
    role: str
    description: str
    unit_cost: Quantity
    staff: Quantity | None = None
    # not a whole-number rule: a ratio per pounds of spend is re-priced to the price base, so its
    # default is rarely whole (overriding it with its own value must give the same outputs)
    per: Quantity | None = Field(default=None, json_schema_extra={
        "divisor": "the beneficiaries or the pounds of spend each staff ratio is for"})
    netted: bool = False
    payer: Payer = "asc"  # who the netted saving falls to (with ``netted``)

    @model_validator(mode="after")
    def _check(self) -> "FullCost":
        _require_unit(self.unit_cost, ("GBP_per_person_per_year",), "unit_cost")
        if (self.staff is None) != (self.per is None):
            raise ValueError("staff and per go together: give both (staff by role) or neither (a cost per beneficiary)")
        if self.staff is not None and self.per is not None:
            _require_unit(self.staff, ("people",), "staff")
            _require_unit(self.per, ("people", "GBP_per_year"), "per")
            _rule_problem(FullCost, "per", self.per)
        return self


class WiderBenefit(StrictModel):
    """A social benefit that is real but not cashable; kept apart from savings (social value,
    docs/appraisal.md). ``valued_by`` says how its money value was found: ``wellby`` or ``qaly``
    (``units_per_person`` a year at HM Treasury's value, ``data/social_values.yaml``, or at a chosen
    ``unit_value`` within the cited range), or ``source`` (the document's own money figure, quoted
    in ``value_per_person.ref``)."""

    id: Slug
    description: str
    #: The outcome for people in plain words, counted per person reached ("feel better: wellbeing up").
    outcome: str | None = None
    value_per_person: Quantity
    valued_by: Literal["wellby", "qaly", "source"] | None = None
    units_per_person: float | None = None  # WELLBYs or QALYs per person a year
    unit_value: float | None = None  # pounds per WELLBY or QALY in the cited price year (default: the central value)

    @model_validator(mode="after")
    def _check(self) -> "WiderBenefit":
        _require_unit(self.value_per_person, ("GBP_per_person_per_year",), "value_per_person")
        if self.valued_by is None:
            raise ValueError(
                "valued_by: the outcome has no valuation source; give wellby (HM Treasury's WELLBY), "
                "qaly (the Green Book's QALY) or source (the document's own money figure, quoted in value_per_person.ref)"
            )
        if self.valued_by in ("wellby", "qaly") and self.units_per_person is None:
            raise ValueError(f"units_per_person: an outcome valued by {self.valued_by} needs the {self.valued_by.upper()}s "
                             "per person a year it brings")
        if self.valued_by == "source" and (self.units_per_person is not None or self.unit_value is not None):
            raise ValueError("units_per_person: an outcome valued by its source's own figure takes no WELLBYs or QALYs; "
                             "give valued_by: wellby or qaly to value it so")
        for name in ("units_per_person", "unit_value"):
            v = getattr(self, name)
            if v is not None and not v > 0:
                raise ValueError(f"{name}: {v} is not above 0; give a positive number")
        return self


class ReportedOutcome(StrictModel):
    """An outcome the source reports that the money model does not use directly
    (e.g. '27% reduction in A&E attendances'): part of the logic model."""

    description: str
    value: Quantity


class EvidenceGrade(StrictModel):
    """Strength of evidence on Nesta's Standards of Evidence (1: a clear account of what the
    model does and why; 2: data showing positive change, without showing the model caused it;
    3: a comparison group showing causality; 4: independent replication with cost data;
    5: manuals and systems showing it can be replicated at scale). Feeds optimism-bias and
    uncertainty defaults."""

    scale: Literal["nesta-standards-of-evidence"] = "nesta-standards-of-evidence"
    level: int = Field(ge=1, le=5)
    reason: str


class Source(StrictModel):
    site: str
    period: str
    area: str | None = None  # id of the area profile for the source site, if we have one
    description: str
    ref: Reference


InterventionStatus = Literal["runnable", "promising"]


class Intervention(StrictModel):
    """A care model. ``status: runnable`` (the default) models have segments, cost shares and a
    source site, every engine input quoted from a source, and can be run. ``status: promising``
    models are in the evidence base only: the seeds describe them but do not give the numbers a
    logic model needs, listed in ``missing_numbers``; they have no segments and are never run."""

    id: Slug
    name: str
    status: InterventionStatus = "runnable"
    transformation_area: int = Field(ge=1, le=5)
    # why this area, when the model is not in the paper's own list of the five areas
    transformation_area_note: str | None = None
    description: str
    target_group: str
    keywords: tuple[str, ...] = ()  # other names the model goes by, for search
    source: Source | None = None
    references: tuple[Reference, ...] = ()  # passages that describe the model
    savings_to: tuple[Payer, ...] = ()  # who the sources say saves (promising models)
    missing_numbers: tuple[str, ...] = ()  # what a logic model would still need (promising), or a council must add (calibrated)
    #: A runnable model calibrated to one site's published figures (not the paper's own
    #: Birmingham model): says which site and figure, in plain words. Such a model may list the
    #: ``missing_numbers`` a council must add (most often its cost).
    calibration: str | None = None
    #: Plain English for a reader: what it costs and what it saves whom (``interventions show``).
    plain_costs: str | None = None
    plain_savings: str | None = None
    segments: tuple[Segment, ...] = ()
    cost_shares: dict[Payer, Quantity] = Field(default={}, json_schema_extra={"sums_to_one": "cost shares"})
    setup: SetupInvestment | None = None
    ramp_up: RampUp | None = None
    workforce: tuple[WorkforceRatio, ...] = ()
    full_costs: tuple[FullCost, ...] = ()
    wider_benefits: tuple[WiderBenefit, ...] = ()
    reported_outcomes: tuple[ReportedOutcome, ...] = ()
    barriers: tuple[str, ...] = ()
    enablers: tuple[str, ...] = ()
    evidence: str
    evidence_ref: Reference
    evidence_grade: EvidenceGrade
    #: the design of the evidence (before-and-after, cost-comparison, comparison-group, trial):
    #: what the appraisal's counterfactual defaults are keyed by (data/appraisal_defaults.yaml)
    evidence_design: Literal["before-and-after", "cost-comparison", "comparison-group", "trial"] | None = None

    @model_validator(mode="after")
    def _check(self) -> "Intervention":
        if self.status == "promising":
            if not self.missing_numbers:
                raise ValueError(
                    "missing_numbers: a promising model must list the numbers a logic model "
                    "still needs (unit cost, outcome rates, unit savings, cohort, ...)"
                )
            if self.segments or self.cost_shares:
                raise ValueError(
                    "segments: a promising model has no segments or cost_shares; make it "
                    "'runnable' once every engine input has a quoted source"
                )
            if not self.references:
                raise ValueError("references: a promising model needs at least one passage describing it")
            return self
        if self.missing_numbers and not self.calibration:
            raise ValueError(
                "missing_numbers: only a promising model, or a runnable one calibrated to one site "
                "(calibration), lists missing numbers"
            )
        if self.source is None:
            raise ValueError("source: a runnable model needs its source site")
        if not self.segments:
            raise ValueError("segments: a runnable model needs at least one segment")
        check_cost_shares(self.cost_shares)
        ids = [s.id for s in self.segments]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"segment id {sorted(dup)[0]!r} is used twice")
        return self

    @property
    def payers(self) -> tuple[str, ...]:
        return PAYERS
