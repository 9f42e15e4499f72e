"""Settings of plans and reviews (``data/plans_defaults.yaml``): prior strength by evidence
level, the simulation, the one appraisal yardstick, the spend model, and the recommendation
rule with the losses it is derived from."""

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


class Spend(_Sourced):
    shape: float = Field(gt=0)  # each person's cost is Gamma(shape, rate)


class Increase(StrictModel):
    loss_weight: float = Field(ge=1)  # a pound lost after scaling up counts this many times
    min_reviews: int = Field(ge=1)


class Stop(StrictModel):
    forgone_weight: float = Field(ge=1)  # a pound forgone by stopping counts this many times
    min_reviews: int = Field(ge=1)


class Reduce(StrictModel):
    max_reach: float = Field(ge=0, le=1)


class Rule(_Sourced):
    increase: Increase
    stop: Stop
    reduce: Reduce


class PlanDefaults(StrictModel):
    prior_strength: dict[int, PriorStrength]
    simulation: Simulation
    appraisal: PlanAppraisal
    spend: Spend
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
