"""Building blocks shared by every definition: strict models, references and quantities.

Every number in the evidence library and in an area profile is a :class:`Quantity`: a value with
its unit, its price year (for money), how we know it (published, implied from published figures,
or our own assumption, with the arithmetic) and a structured :class:`Reference` to the passage it
comes from. The layout follows PolicyEngine/OpenFisca parameter files: metadata travels with the
value, never in a comment.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationInfo, field_validator, model_validator

Payer = Literal["asc", "nhs"]
PAYERS: tuple[str, ...] = ("asc", "nhs")
PAYER_NAMES = {"asc": "adult social care (council)", "nhs": "NHS"}

#: The units a quantity may carry, with the range of values each admits.
UNITS: dict[str, str] = {
    "proportion": "a share between 0 and 1",
    "people": "a count of people (0 or more)",
    "people_per_year": "people a year (0 or more)",
    "GBP": "pounds (0 or more)",
    "GBP_per_year": "pounds a year (0 or more)",
    "GBP_per_person_per_year": "pounds per person a year (0 or more)",
    "GBP_per_person": "pounds per person (0 or more)",
    "months": "months (0 or more)",
    "years": "years (0 or more)",
    # units used by case-study results in the evidence base (not read by the engine)
    "count": "a count of things other than people, e.g. providers or housing units (0 or more)",
    "ratio": "a ratio or multiplier, e.g. pounds saved per pound spent, or 1.63 for a 163% increase (0 or more)",
    "days": "days (0 or more)",
    "hours_per_week": "hours a week (0 or more)",
}
MONEY_UNITS = frozenset(u for u in UNITS if u.startswith("GBP"))
#: The largest value a figure may have, by unit: beyond these a figure cannot be right (more
#: people than live in the UK, more pounds than England's public spending) and sums of them
#: would overflow to infinity.
MAX_PEOPLE = 100_000_000
MAX_VALUE = 1e13
MAX_BY_UNIT: dict[str, tuple[float, str]] = {
    "people": (MAX_PEOPLE, "more people than live in the UK"),
    "people_per_year": (MAX_PEOPLE, "more people than live in the UK"),
}
Unit = Literal[
    "proportion",
    "people",
    "people_per_year",
    "GBP",
    "GBP_per_year",
    "GBP_per_person_per_year",
    "GBP_per_person",
    "months",
    "years",
    "count",
    "ratio",
    "days",
    "hours_per_week",
]

#: ``estimated``: a figure the area lacked, estimated from its population and a documented rate
#: (``data/prevalence.yaml``); the derivation shows the arithmetic. Outputs flag it as estimated.
Status = Literal["published", "implied", "assumption", "estimated"]


#: Distributions a quantity's uncertainty may follow. For beta, gamma and lognormal the value is
#: the mean and ``low``/``high`` a 95% interval (standard deviation ``(high - low) / 3.92``,
#: fitted by moments); for triangular the value is the mode and low/high the ends; uniform draws
#: evenly between low and high.
Distribution = Literal["beta", "gamma", "lognormal", "triangular", "uniform"]
INTERVAL_Z = 1.959963984540054  # 97.5th percentile of the standard normal


def spread_problem(
    distribution: str | None, unit: str, value: float, low: float | None, high: float | None
) -> str | None:
    """What is wrong with a quantity's uncertainty (range and distribution), or ``None``."""
    if (low is None) != (high is None):
        return f"give both low and high, or neither; only {'low' if high is None else 'high'} is given"
    if low is not None and high is not None:
        for name, x in (("low", low), ("high", high)):
            if not math.isfinite(x):
                return f"{name} {x} is not a finite number"
            limit, what = MAX_BY_UNIT.get(unit, (MAX_VALUE, "any plausible figure"))
            if abs(x) > limit:
                return f"{name} {x:g} is too large; {unit} may be at most {limit:,.0f} ({what})"
        if low > high:
            return f"low {low:g} is above high {high:g}; low must be at most high"
        if low > value:
            return f"low {low:g} is above the value {value:g}; low must be at most the value"
        if high < value:
            return f"high {high:g} is below the value {value:g}; high must be at least the value"
        if low < 0:
            return f"low {low:g} is below 0; {unit} must be {UNITS.get(unit, '0 or more')}"
        if unit == "proportion" and high > 1:
            return f"high {high:g} is above 1; a proportion must be between 0 and 1"
    if distribution == "beta" and unit != "proportion":
        return (
            f"distribution 'beta' is for proportions, not {unit}; "
            "use gamma, lognormal, triangular or uniform"
        )
    if low is None or high is None or high == low:
        return None
    sd = (high - low) / (2 * INTERVAL_Z)
    if distribution == "beta":
        if not 0 < value < 1:
            return (
                f"distribution 'beta' needs a value strictly between 0 and 1 to have a spread, "
                f"got {value:g}; use triangular or uniform"
            )
        limit = math.sqrt(value * (1 - value))
        if sd >= limit:
            return (
                f"distribution 'beta' cannot have mean {value:g} with low {low:g} and high {high:g}: "
                f"the standard deviation they imply ({sd:.3g}) must be below {limit:.3g}; "
                "narrow the range or use triangular or uniform"
            )
    if distribution in ("gamma", "lognormal") and value <= 0:
        return (
            f"distribution {distribution!r} needs a value above 0 to have a spread, got {value:g}; "
            "use triangular or uniform"
        )
    return None


def value_problem(unit: str, v: float, name: str = "value") -> str | None:
    """What is wrong with ``v`` as a figure in ``unit`` (not finite, too large, outside a
    proportion, negative), or ``None``: the one set of bounds for evidence files, area profiles
    and overrides alike."""
    if not math.isfinite(v):
        return f"{name} {v} is not a finite number"
    limit, what = MAX_BY_UNIT.get(unit, (MAX_VALUE, "any plausible figure"))
    if abs(v) > limit:
        return f"{name} {v:g} is too large; {unit} may be at most {limit:,.0f} ({what})"
    if unit == "proportion" and not 0.0 <= v <= 1.0:
        side = "above 1" if v > 1 else "below 0"
        return f"{name} {v:g} is {side}; a proportion must be between 0 and 1"
    if unit != "proportion" and v < 0:
        return f"{name} {v:g} is negative; {unit} must be {UNITS.get(unit, '0 or more')}"
    return None


def _is_number_type(annotation: Any) -> bool:
    """Whether a field annotated ``annotation`` takes a number and not a boolean (``int``,
    ``float``, ``int | None``, ...)."""
    if annotation in (int, float):
        return True
    args = get_args(annotation)
    if not args or get_origin(annotation) is Literal or bool in args:
        return False
    return any(a in (int, float) for a in args) and all(a in (int, float, type(None), str) for a in args)


def _not_a_boolean(v: Any) -> Any:
    if isinstance(v, bool):
        raise ValueError(f"{str(v).lower()} is not a number; give the number itself")
    return v


#: A whole number inside a mapping or list (``dict[str, WholeNumber]``), where the per-field
#: check of :class:`StrictModel` cannot see it: ``true`` is refused, not read as 1.
WholeNumber = Annotated[int, BeforeValidator(_not_a_boolean)]


def bounded_text(most: int) -> Any:
    """Text of at most ``most`` characters (a database column's size), refused in one line that
    says how long it is rather than echoing all of it."""

    def check(v: str) -> str:
        if len(v) > most:
            raise ValueError(f"{len(v):,} characters is too long; give at most {most:,} characters")
        return v

    return Annotated[str, AfterValidator(check)]


class StrictModel(BaseModel):
    """Immutable model that rejects unknown keys with a message listing the valid ones."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            valid = list(cls.model_fields)
            unknown = [k for k in data if k not in cls.model_fields]
            if unknown:
                raise ValueError(
                    f"unknown key {unknown[0]!r}; valid keys are: {', '.join(valid)}"
                )
        return data

    @field_validator("*", mode="before")
    @classmethod
    def _plain_values(cls, v: Any, info: ValidationInfo) -> Any:
        """pydantic reads ``true`` as 1 for an int field: a boolean is never a number here. Text
        never holds a NUL character (PostgreSQL cannot store one; SQLite would)."""
        if isinstance(v, bool) and info.field_name and _is_number_type(cls.model_fields[info.field_name].annotation):
            raise ValueError(f"{str(v).lower()} is not a number; give the number itself")
        texts = [v] if isinstance(v, str) else [*v, *v.values()] if isinstance(v, dict) else (
            list(v) if isinstance(v, (list, tuple)) else [])
        if any(isinstance(t, str) and "\x00" in t for t in texts):
            raise ValueError("contains a NUL character (\\x00); text may not contain NUL characters")
        return v


class Reference(StrictModel):
    """Where a figure comes from: a document in ``sources.yaml``, the section, and a verbatim
    quote (the tests check the quote is really in the document)."""

    document: str
    section: str
    quote: str


class Quantity(StrictModel):
    """A number with its unit, price year, provenance and reference."""

    value: float
    unit: Unit
    price_year: str | None = None
    period: str | None = None
    status: Status = "published"
    derivation: str | None = None
    ref: Reference
    note: str | None = None
    #: Optional uncertainty (docs/uncertainty.md): a range and the distribution to draw from.
    low: float | None = None
    high: float | None = None
    distribution: Distribution | None = None

    @field_validator("value", "low", "high", mode="before")
    @classmethod
    def _not_a_boolean(cls, v: Any) -> Any:
        if isinstance(v, bool):
            raise ValueError(f"{str(v).lower()} is not a number; give the number itself")
        return v

    @model_validator(mode="after")
    def _check(self) -> "Quantity":
        v = self.value
        problem = value_problem(self.unit, v)
        if problem:
            raise ValueError(problem)
        if self.unit in MONEY_UNITS and not self.price_year:
            raise ValueError(
                f"a money value ({self.unit}) needs a price_year, for example '2015/16'"
            )
        if self.status != "published" and not self.derivation:
            raise ValueError(
                f"a quantity with status {self.status!r} needs a derivation showing the arithmetic"
            )
        problem = spread_problem(self.distribution, self.unit, v, self.low, self.high)
        if problem:
            raise ValueError(problem)
        return self
