"""The definition of an area profile, read from ``data/areas/*.yaml``.

An area is a council (the place we scale models *to*) or a source site (where a model runs today,
used to check that the model reproduces what the source reports). It holds the local figures the
models need: cohort counts, baseline spend lines, and how many people each intervention already
serves there (``provision``). Cohort and spend-line ids come from ``data/vocabulary.yaml``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from .base import Quantity, StrictModel


class Area(StrictModel):
    id: str
    name: str
    kind: Literal["council", "source-site"]
    ons_code: str | None = None
    description: str
    cohorts: dict[str, Quantity] = {}
    spend: dict[str, Quantity] = {}
    provision: dict[str, dict[str, Quantity]] = {}

    @model_validator(mode="after")
    def _check(self) -> "Area":
        for key, q in self.cohorts.items():
            if q.unit != "people":
                raise ValueError(f"cohorts.{key} has unit {q.unit!r}; a cohort must be in people")
        for key, q in self.spend.items():
            if q.unit != "GBP_per_year":
                raise ValueError(f"spend.{key} has unit {q.unit!r}; spend must be GBP_per_year")
        for iid, segs in self.provision.items():
            for sid, q in segs.items():
                if q.unit != "people":
                    raise ValueError(
                        f"provision.{iid}.{sid} has unit {q.unit!r}; provision must be in people"
                    )
        return self
