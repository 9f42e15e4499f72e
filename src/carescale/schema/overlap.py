"""Overlap between the target groups of two interventions (``data/overlaps.yaml``).

Where the same person could be counted by two schemes, the benefit that both claim on the same
budget is counted twice. For each overlapping pair we record the share of the smaller scheme's
beneficiaries who are also in the other scheme; the engine deducts, for those people, the smaller
of the two schemes' gross savings per person for the payer named.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from .base import Payer, Quantity, StrictModel


class Overlap(StrictModel):
    id: str
    interventions: tuple[str, str]
    description: str
    payer: Payer
    share: Quantity
    #: False for a deduction the paper does not make (the NHS side of an overlap): left out
    #: under the ``paper`` method, so the paper's totals reproduce.
    in_paper: bool = True

    @model_validator(mode="after")
    def _check(self) -> "Overlap":
        if self.share.unit != "proportion":
            raise ValueError(f"share has unit {self.share.unit!r}; it must be a proportion")
        if self.interventions[0] == self.interventions[1]:
            raise ValueError("an overlap needs two different interventions")
        return self


class OverlapSet(StrictModel):
    overlaps: tuple[Overlap, ...] = Field(default=())
