"""Default uncertainty (``data/uncertainty_defaults.yaml``) and the range of every parameter.

:func:`parameter_ranges` gives each number a scenario uses its distribution, ``low`` and ``high``:
from the number itself where its file gives them, otherwise from the default width for its kind
and its intervention's evidence level. Each range records where its width came from, so a
report can say which figures are the evidence's and which are our own defaults.
"""

from __future__ import annotations

import fnmatch
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from ..engine import Parameter, ParameterTable
from ..errors import ModelError
from ..library import DATA_DIR, load_model
from ..schema import Reference
from ..schema.base import MAX_BY_UNIT, MAX_VALUE, MONEY_UNITS, Distribution, StrictModel, spread_problem
from ..engine.scenario import Scenario
from .distributions import Marginal, make_marginal

DEFAULTS_FILE = DATA_DIR / "uncertainty_defaults.yaml"


class _Sourced(StrictModel):
    """Every default says whether it is published (with a reference) or our assumption."""

    status: Literal["published", "assumption"]
    rationale: str
    ref: Reference | None = None

    @model_validator(mode="after")
    def _check_source(self):
        if self.status == "published" and self.ref is None:
            raise ValueError("a default with status 'published' needs a ref")
        return self


class Width(_Sourced):
    half_width: float = Field(ge=0)


class LevelWidths(_Sourced):
    effect: float = Field(ge=0)
    cost: float = Field(ge=0)
    take_up: float = Field(ge=0)


class AreaWidths(StrictModel):
    cohort: Width
    spend: Width
    provision: Width
    estimated: Width


class OtherWidths(StrictModel):
    overlap_share: Width
    cost_share: Width
    setup_per: Width


class CorrelationGroup(_Sourced):
    id: str
    description: str
    paths: tuple[str, ...] = Field(min_length=1)


class Target(_Sourced):
    parameter: str
    reported_outcome: str
    wording: str

    @model_validator(mode="after")
    def _check_wording(self):
        if "{target}" not in self.wording:
            raise ValueError("wording must contain {target}, where the break-even figure goes")
        return self


class UncertaintyDefaults(StrictModel):
    distributions: dict[Literal["proportion", "money", "people"], Distribution]
    evidence_levels: dict[int, LevelWidths]
    area: AreaWidths
    other: OtherWidths
    correlation_groups: tuple[CorrelationGroup, ...] = ()
    targets: tuple[Target, ...] = ()

    @model_validator(mode="after")
    def _check(self):
        missing = [lvl for lvl in range(1, 6) if lvl not in self.evidence_levels]
        if missing:
            raise ValueError(f"evidence_levels: level {missing[0]} is missing; give levels 1 to 5")
        extra = [lvl for lvl in self.evidence_levels if not 1 <= lvl <= 5]
        if extra:
            raise ValueError(f"evidence_levels: level {extra[0]} is not valid; levels are 1 to 5")
        if self.distributions.get("proportion", "beta") not in ("beta", "triangular", "uniform"):
            raise ValueError("distributions.proportion must be beta, triangular or uniform")
        return self

    def distribution_for(self, unit: str) -> str:
        family = "proportion" if unit == "proportion" else "money" if unit in MONEY_UNITS else "people"
        return self.distributions.get(family, "beta" if family == "proportion" else "gamma")


@functools.lru_cache(maxsize=4)
def load_defaults(path: Path | str = DEFAULTS_FILE) -> UncertaintyDefaults:
    return load_model(UncertaintyDefaults, Path(path))


@dataclass(frozen=True)
class ParameterRange:
    """A parameter with its uncertainty: where the width came from is in ``source``."""

    parameter: Parameter
    marginal: Marginal
    source: str  # "file" or "default: ..." (the rule used)

    @property
    def path(self) -> str:
        return self.parameter.path


def _kind_width(p: Parameter, scenario: Scenario, defaults: UncertaintyDefaults) -> tuple[float, str]:
    """The default relative half-width for a parameter and the rule it came from."""
    if p.path.startswith("area."):
        if p.quantity.status != "published":
            return defaults.area.estimated.half_width, f"default: area figure, {p.quantity.status}"
        w = getattr(defaults.area, p.kind, None)
        if w is None:  # pragma: no cover - every area kind is listed
            raise ModelError(f"{p.path}: no default width for area figures of kind {p.kind!r}")
        return w.half_width, f"default: area {p.kind}"
    if p.kind in ("overlap_share", "cost_share", "setup_per"):
        return getattr(defaults.other, p.kind).half_width, f"default: {p.kind.replace('_', ' ')}"
    iv = next((i for i in scenario.interventions if i.id == p.intervention), None)
    if iv is None:  # pragma: no cover - every other parameter belongs to an intervention
        raise ModelError(f"{p.path}: no default width for parameter kind {p.kind!r}")
    level = iv.evidence_grade.level
    lw = defaults.evidence_levels[level]
    if p.kind == "rate" and p.path.endswith(".sizing.rate"):
        return lw.take_up, f"default: evidence level {level}, take-up"
    if p.kind in ("unit_cost", "setup_cost"):
        return lw.cost, f"default: evidence level {level}, cost"
    return lw.effect, f"default: evidence level {level}, effect"


def parameter_ranges(
    scenario: Scenario,
    params: ParameterTable | None = None,
    defaults: UncertaintyDefaults | None = None,
    width_scale: float = 1.0,
) -> list[ParameterRange]:
    """Every parameter of ``scenario`` with its distribution and range.

    ``width_scale`` multiplies every half-width (the file's and the defaults'): 0 makes every
    number fixed, 2 doubles every range (kept inside what each unit allows)."""
    params = params or ParameterTable.from_scenario(scenario)
    defaults = defaults or load_defaults()
    out: list[ParameterRange] = []
    for p in params:
        q, v = p.quantity, p.quantity.value
        if q.low is not None and q.high is not None:
            low, high, source = q.low, q.high, "file"
            if p.change is not None:
                source = f"override: {'its own range' if p.change.range_source == 'override' else 'the evidence range, same relative width'}"
        else:
            w, source = _kind_width(p, scenario, defaults)
            if p.change is not None:
                source = f"override, {source}"
            low, high = v * (1 - w), v * (1 + w)
        low = v - (v - low) * width_scale
        high = v + (high - v) * width_scale
        low = max(low, 0.0)
        if q.unit == "proportion":
            high = min(high, 1.0)
        high = min(high, MAX_BY_UNIT.get(q.unit, (MAX_VALUE, ""))[0])  # the unit's bound (schema.base)
        if low == high:  # a zero-width range is the value itself
            low = high = v
        if p.rule.above_zero and low <= 0:  # a figure the engine divides by: never drawn at 0
            raise ModelError(
                f"{p.path}: {p.rule.problem(low, 'low')}; give it a range above 0"
                + (" or a smaller width_scale" if width_scale > 1 else "")
            )
        dist = q.distribution or defaults.distribution_for(q.unit)
        if q.low is None and spread_problem(dist, q.unit, v, low, high):
            # a default range around a figure the distribution cannot spread (a share of 1 or 0
            # for beta, 0 for gamma/lognormal, or too wide for beta): the triangular, peaked at the value
            dist, source = "triangular", f"{source} (triangular: {dist} cannot spread around {v:g})"
        out.append(ParameterRange(p, make_marginal(p.path, dist, q.unit, v, low, high), source))
    return out


def matches(path: str, patterns: tuple[str, ...] | list[str]) -> bool:
    return any(fnmatch.fnmatchcase(path, pat) for pat in patterns)
