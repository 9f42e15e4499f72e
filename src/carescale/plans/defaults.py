"""Settings of plans and reviews (``data/plans_defaults.yaml``): prior strength by evidence
level, the simulation, and the recommendation rule with its thresholds."""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import Field, model_validator

from ..library import DATA_DIR, load_model
from ..schema.base import StrictModel
from ..uncertainty.defaults import _Sourced  # every default says where it comes from

DEFAULTS_FILE = DATA_DIR / "plans_defaults.yaml"


class PriorStrength(_Sourced):
    people: float = Field(gt=0)


class Simulation(_Sourced):
    draws: int = Field(ge=1, le=1_000_000)
    seed: int = Field(ge=0)


class PlanAppraisal(_Sourced):
    optimism_bias: bool


class Increase(StrictModel):
    min_prob_saving: float = Field(ge=0, le=1)
    min_reviews: int = Field(ge=1)


class Continue(StrictModel):
    min_prob_saving: float = Field(ge=0, le=1)


class Stop(StrictModel):
    max_prob_saving: float = Field(ge=0, le=1)
    min_reviews: int = Field(ge=1)


class Reduce(StrictModel):
    max_reach: float = Field(ge=0, le=1)


class Rule(_Sourced):
    increase: Increase
    carry_on: Continue  # the "continue" recommendation
    stop: Stop
    reduce: Reduce

    @model_validator(mode="after")
    def _order(self) -> "Rule":
        inc, cont, stop = self.increase.min_prob_saving, self.carry_on.min_prob_saving, self.stop.max_prob_saving
        if not stop <= cont <= inc:
            raise ValueError(
                f"thresholds must satisfy stop.max_prob_saving ({stop:g}) <= continue.min_prob_saving "
                f"({cont:g}) <= increase.min_prob_saving ({inc:g})"
            )
        return self


class PlanDefaults(StrictModel):
    prior_strength: dict[int, PriorStrength]
    simulation: Simulation
    appraisal: PlanAppraisal
    recommendation: Rule

    @model_validator(mode="after")
    def _levels(self) -> "PlanDefaults":
        missing = [lvl for lvl in range(1, 6) if lvl not in self.prior_strength]
        if missing:
            raise ValueError(f"prior_strength: level {missing[0]} is missing; give levels 1 to 5")
        return self


@functools.lru_cache(maxsize=4)
def load_plan_defaults(path: Path | str = DEFAULTS_FILE) -> PlanDefaults:
    return load_model(PlanDefaults, Path(path))
