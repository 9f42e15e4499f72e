"""The unit-cost library: what one week in a care home, one hour of home care, one A&E attendance
or one non-elective admission costs, by council and year, with its source.

Read from ``data/unit_costs.yaml`` (the kinds of unit cost and the official series each comes
from; the figures themselves are the shipped official data in ``data/official/``) and from a
user's own unit-cost file (``unit_costs:`` entries in the same shape as :class:`UnitCost`).
Every figure carries its unit, price year, status and a structured reference with a verbatim
quote, like every :class:`~.base.Quantity`.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from .base import Reference, Status, StrictModel, value_problem

#: The units a unit cost may be in, with what one of them is.
UNIT_COST_UNITS: dict[str, str] = {
    "GBP_per_week": "pounds for one week of care",
    "GBP_per_hour": "pounds for one hour of care",
    "GBP_per_attendance": "pounds for one attendance",
    "GBP_per_admission": "pounds for one admission (a hospital spell)",
}
UnitCostUnit = Literal["GBP_per_week", "GBP_per_hour", "GBP_per_attendance", "GBP_per_admission"]
#: A council's ONS (GSS) code, or England's (E92000001).
CODE_PATTERN = re.compile(r"^E(06|07|08|09|10|92)\d{6}$")
_PRICE_YEAR = re.compile(r"^(\d{4})(/\d{2})?$")


def _price_year_problem(year: str | None) -> str | None:
    if not year:
        return "price_year: a unit cost needs its price year, for example '2021/22'"
    if not _PRICE_YEAR.match(year):
        return f"price_year: {year!r} is not a price year; give a financial year such as '2021/22' or a calendar year such as '2021'"
    return None


class OfficialSeries(StrictModel):
    """Where a kind of unit cost comes from in the shipped official figures."""

    series: str  # a series id of data/official/series.csv
    document: str  # the document in sources.yaml the figures cite
    price_year: str
    national: bool = False  # one figure for England (the NHS national schedule), not per council
    scale: float = Field(default=1.0, gt=0)  # multiply the published figure by this (e.g. £ thousands)

    @model_validator(mode="after")
    def _check(self) -> "OfficialSeries":
        problem = _price_year_problem(self.price_year)
        if problem:
            raise ValueError(problem)
        return self


class UnitCostKind(StrictModel):
    """One kind of unit cost (``care_home_week_65_plus``), what it is and where its official
    figures come from."""

    description: str
    unit: UnitCostUnit
    payer: Literal["asc", "nhs"]
    official: OfficialSeries | None = None


class UnitCost(StrictModel):
    """One unit cost of one council (or England) in one year, with its source."""

    kind: str
    council: str  # ONS code of the council, or E92000001 for England
    value: float
    unit: UnitCostUnit
    price_year: str | None = None
    status: Status = "published"
    derivation: str | None = None
    ref: Reference
    note: str | None = None

    @model_validator(mode="after")
    def _check(self) -> "UnitCost":
        if not CODE_PATTERN.match(self.council):
            raise ValueError(
                f"council: {self.council!r} is not a council's ONS code; give a code such as "
                "'E08000025' (Birmingham), or 'E92000001' for England"
            )
        problem = _price_year_problem(self.price_year)
        if problem:
            raise ValueError(problem)
        problem = value_problem("GBP", self.value)
        if problem:
            raise ValueError(problem)
        if self.value == 0:
            raise ValueError("value 0 is not a unit cost; give what one unit costs, above 0")
        if self.status != "published" and not self.derivation:
            raise ValueError(f"a unit cost with status {self.status!r} needs a derivation showing the arithmetic")
        return self


class UnitCostSet(StrictModel):
    """``data/unit_costs.yaml``: the kinds, and any unit costs given outright."""

    kinds: dict[str, UnitCostKind] = {}
    unit_costs: tuple[UnitCost, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> "UnitCostSet":
        seen: set[tuple[str, str, str]] = set()
        for i, uc in enumerate(self.unit_costs):
            key = (uc.kind, uc.council, uc.price_year or "")
            if key in seen:
                raise ValueError(
                    f"unit_costs[{i}]: {uc.kind} for {uc.council} in {uc.price_year} is given twice; give each once"
                )
            seen.add(key)
        return self


class UserUnitCosts(StrictModel):
    """A user's unit-cost file: ``unit_costs:``, a list of :class:`UnitCost` (their own council's
    figures, which come before the official ones)."""

    unit_costs: tuple[UnitCost, ...]

    @model_validator(mode="after")
    def _check(self) -> "UserUnitCosts":
        if not self.unit_costs:
            raise ValueError("unit_costs: the list is empty; give at least one unit cost")
        return self
