"""The shared vocabulary of cohorts and spend lines (``data/vocabulary.yaml``).

Interventions name the cohort they are sized from and the spend line they cut; area profiles give
values for them. Both are checked against this list so a typo is caught when the file is loaded.
"""

from __future__ import annotations

from typing import Literal

from .base import StrictModel


class CohortDef(StrictModel):
    description: str
    unit: Literal["people"] = "people"
    within: str | None = None  # a cohort this one is part of (it cannot be larger)


class SpendLineDef(StrictModel):
    description: str
    unit: Literal["GBP_per_year"] = "GBP_per_year"
    payer: Literal["asc", "nhs"]


class Vocabulary(StrictModel):
    cohorts: dict[str, CohortDef]
    spend_lines: dict[str, SpendLineDef]
