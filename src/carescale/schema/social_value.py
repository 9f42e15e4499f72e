"""The social value of outcomes people value, beside the money (``data/social_values.yaml``,
docs/appraisal.md "Social value"): HM Treasury's value of a WELLBY and of a QALY, each with its
range, price year, status and the passage that states it."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from .base import Reference, Status, StrictModel, value_problem

#: What an outcome people value may be valued by: a WELLBY, a QALY, or the source's own money figure.
VALUED_BY = ("wellby", "qaly", "source")
ValuedBy = Literal["wellby", "qaly", "source"]


class SocialValue(StrictModel):
    """The value of one unit of an outcome (one WELLBY, one QALY) in pounds of ``price_year``."""

    name: str
    what: str
    value: float
    low: float
    high: float
    price_year: str
    status: Status = "published"
    note: str | None = None
    ref: Reference

    @model_validator(mode="after")
    def _check(self) -> "SocialValue":
        for field in ("value", "low", "high"):
            problem = value_problem("GBP", getattr(self, field))
            if problem:
                raise ValueError(f"{field}: {problem}")
        if not self.low <= self.value <= self.high:
            raise ValueError(
                f"value: {self.value:,.0f} is outside its range, {self.low:,.0f} to {self.high:,.0f} (low to high); "
                "give a value within the range the source states"
            )
        return self

    def within(self, value: float) -> bool:
        return self.low <= value <= self.high


class SocialValueSet(StrictModel):
    """``data/social_values.yaml``: one value for each way an outcome may be valued."""

    values: dict[Literal["wellby", "qaly"], SocialValue]

    @model_validator(mode="after")
    def _check(self) -> "SocialValueSet":
        missing = [k for k in ("wellby", "qaly") if k not in self.values]
        if missing:
            raise ValueError(f"values: {missing[0]} is missing; give both wellby and qaly")
        return self
