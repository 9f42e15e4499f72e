"""The rules a figure must keep, in one place, taken from the schema.

Every number the engine reads is a :class:`~carescale.schema.base.Quantity` at a parameter path
(``carescale parameters``). Its :class:`Rule` says which values are valid:

* **bounds**, from the figure's unit (:data:`~carescale.schema.base.UNITS`,
  :data:`~carescale.schema.base.MAX_BY_UNIT`): a proportion from 0 to 1, people from 0 to
  100,000,000, anything else from 0 to 1e13;
* **above 0** (at least :data:`MIN_DIVISOR`) where the engine divides by the figure: the schema field says so with
  ``json_schema_extra={"divisor": "<what the figure is>"}`` (``SetupInvestment.per``,
  ``WorkforceRatio.per``);
* **whole numbers** for figures counted in whole things: ``json_schema_extra={"whole": "<why>"}``
  (the places a set-up tranche buys);
* **groups that add up to 1**: ``json_schema_extra={"sums_to_one": "<name>"}`` on a mapping of
  shares (an intervention's ``cost_shares``): changing one share alone is refused, the others
  must change with it.

One function gives each message (:meth:`Rule.problem` for one figure, :func:`sum_problem` for a
group), used alike by the evidence files, overrides (``--set``, scenario documents), the area
template's assumptions, Monte Carlo draws and the optimiser's scales (docs/scenarios.md, "Rules
for a figure").
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Mapping

from pydantic import BaseModel

from .base import MAX_BY_UNIT, MAX_VALUE, value_problem

#: The smallest divisor: a figure the engine divides by must be at least this (a value such as
#: 5e-324 is above 0, yet dividing by it overflows to infinity).
MIN_DIVISOR = 0.001

#: How far a group's sum may be from 1 (floating-point rounding of shares such as 0.1 + 0.9).
SUM_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Rule:
    """The values a figure may take."""

    unit: str
    #: Why the figure must be above 0 (the engine divides by it), or None.
    above_zero: str | None = None
    #: Why the figure must be a whole number, or None.
    whole: str | None = None
    #: The group whose members must add up to 1 (``<intervention>.cost_shares``), or None.
    group: str | None = None

    @property
    def low(self) -> float:
        """The smallest valid value (every unit is 0 or more; above 0 is checked apart)."""
        if self.above_zero:
            return 1.0 if self.whole else MIN_DIVISOR
        return 0.0

    @property
    def high(self) -> float:
        """The largest valid value."""
        return 1.0 if self.unit == "proportion" else float(MAX_BY_UNIT.get(self.unit, (MAX_VALUE, ""))[0])

    def problem(self, value: float, name: str = "value") -> str | None:
        """What is wrong with ``value`` for this figure, in one line, or None."""
        problem = value_problem(self.unit, value, name)
        if problem is None and self.above_zero and value <= 0:
            problem = f"{name} {value:g} must be above 0: it is {self.above_zero}, and the engine divides by it"
        elif problem is None and self.above_zero and value < MIN_DIVISOR:
            problem = (f"{name} {value!r} is too small: it is {self.above_zero}, and the engine divides by it, "
                       f"so it must be at least {MIN_DIVISOR:g}")
        if problem is None and self.whole and value != math.floor(value):
            problem = f"{name} {value:g} is not a whole number: {self.whole}"
        return problem

    def describe(self) -> str:
        """The rule in words, for listings and documentation."""
        parts = ["from 0 to 1" if self.unit == "proportion" else f"from {self.low:g} to {self.high:,.0f}"]
        if self.above_zero:
            parts.append("above 0 (the engine divides by it)")
        if self.whole:
            parts.append("a whole number")
        if self.group:
            parts.append(f"adds up to 1 with the other {self.group}")
        return ", ".join(parts)


#: A model's scale (the share of its potential it runs at): scenario documents and the optimiser.
SCALE = Rule("proportion")


def _extra(model: type[BaseModel], field: str) -> dict:
    extra = model.model_fields[field].json_schema_extra
    return extra if isinstance(extra, dict) else {}


@functools.lru_cache(maxsize=1024)
def rule_of(model: type[BaseModel], field: str, unit: str, owner: str | None = None) -> Rule:
    """The rule of a figure held in ``model.field`` (in ``unit``), from the field's schema
    marks. ``owner`` names the group of a ``sums_to_one`` field (``<intervention>``). (Rules
    are frozen: one object for each set of arguments, made once.)"""
    extra = _extra(model, field)
    group = f"{owner}.{field}" if extra.get("sums_to_one") and owner else None
    return Rule(unit, extra.get("divisor"), extra.get("whole"), group)


def sum_problem(shares: Mapping[str, float], name: str = "cost_shares") -> str | None:
    """What is wrong with a group of shares that must add up to 1, in one line, or None."""
    total = sum(shares.values())
    if abs(total - 1.0) <= SUM_TOLERANCE:
        return None
    listed = ", ".join(f"{k}={v:g}" for k, v in shares.items())
    return f"{name} must add up to 1; they add up to {total:g} ({listed})"
