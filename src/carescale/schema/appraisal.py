"""The appraisal defaults file (``data/appraisal_defaults.yaml``).

Every default an appraisal uses is a :class:`Quantity` with its reference: the HM Treasury Green
Book discount schedule, the optimism-bias table by strength of evidence (Nesta level 1-5), the
additionality defaults of the HM Treasury supplementary cost-benefit guidance for local
partnerships (deadweight, attribution, lag, drop-off) and the ramp-up used for models whose
source gives none. Which of these are published and which are our own choice is in each
quantity's ``status``.

The settings a user changes for one appraisal (years, start date, rate, ...) are plain numbers
in :class:`carescale.appraisal.AppraisalSettings`; this file only holds their defaults.
"""

from __future__ import annotations

import datetime as _dt
from typing import Literal

from pydantic import Field, model_validator

from .base import Quantity, StrictModel
from .intervention import _require_unit


class DiscountBand(StrictModel):
    """The rate for appraisal years ``from_year`` to ``to_year`` (Green Book numbering: year 0
    is the first year; ``to_year`` absent means 'and every later year')."""

    from_year: int = Field(ge=0)
    to_year: int | None = None
    rate: Quantity

    @model_validator(mode="after")
    def _check(self) -> "DiscountBand":
        _require_unit(self.rate, ("proportion",), "rate")
        if self.to_year is not None and self.to_year < self.from_year:
            raise ValueError(f"to_year {self.to_year} is before from_year {self.from_year}")
        return self


class OptimismBias(StrictModel):
    """Costs are raised by ``costs`` and savings lowered by ``benefits`` (shares)."""

    costs: Quantity
    benefits: Quantity

    @model_validator(mode="after")
    def _check(self) -> "OptimismBias":
        _require_unit(self.costs, ("proportion",), "costs")
        _require_unit(self.benefits, ("proportion",), "benefits")
        return self


#: The named optimism-bias methods a user chooses between (``optimism_bias_method``).
OPTIMISM_BIAS_METHODS: tuple[str, ...] = ("green-book", "gmca", "nesta-levels")


class GreenBookCategory(StrictModel):
    """One project category of HM Treasury's supplementary Green Book guidance on optimism bias:
    the upper-bound uplift of costs, and what is taken off benefits (the guidance gives none)."""

    description: str
    costs: Quantity
    benefits: Quantity

    @model_validator(mode="after")
    def _check(self) -> "GreenBookCategory":
        _require_unit(self.costs, ("proportion",), "costs")
        _require_unit(self.benefits, ("proportion",), "benefits")
        return self


class ConfidenceGrade(StrictModel):
    """One confidence grade of the GMCA/New Economy cost-benefit method: what the data is, and
    the optimism-bias correction applied to a cost or a benefit of that grade."""

    description: str
    correction: Quantity

    @model_validator(mode="after")
    def _check(self) -> "ConfidenceGrade":
        _require_unit(self.correction, ("proportion",), "correction")
        return self


class OptimismBiasMethods(StrictModel):
    """The published methods beside the Nesta-level table: ``default`` names the one used."""

    default: Literal["green-book", "gmca", "nesta-levels"]
    green_book_category: str  # the category a model takes unless the settings name another
    green_book: dict[str, GreenBookCategory]
    gmca_grade: int = Field(ge=1, le=6)  # the grade a model takes unless the settings name another
    gmca: dict[int, ConfidenceGrade]

    @model_validator(mode="after")
    def _check(self) -> "OptimismBiasMethods":
        if self.green_book_category not in self.green_book:
            raise ValueError(f"green_book_category {self.green_book_category!r} is not one of the categories")
        if sorted(self.gmca) != [1, 2, 3, 4, 5, 6]:
            raise ValueError(f"gmca must have one entry for each confidence grade 1 to 6; it has {sorted(self.gmca)}")
        return self


class AdditionalityDefaults(StrictModel):
    deadweight: Quantity
    attribution: Quantity
    lag_months: Quantity
    drop_off: Quantity

    @model_validator(mode="after")
    def _check(self) -> "AdditionalityDefaults":
        _require_unit(self.deadweight, ("proportion",), "deadweight")
        _require_unit(self.attribution, ("proportion",), "attribution")
        _require_unit(self.lag_months, ("months",), "lag_months")
        _require_unit(self.drop_off, ("proportion",), "drop_off")
        return self


#: The designs of the evidence behind a model, from the weakest counterfactual to the strongest.
EVIDENCE_DESIGNS: tuple[str, ...] = ("before-and-after", "cost-comparison", "comparison-group", "trial")


class CounterfactualDefaults(StrictModel):
    """What would have happened anyway, by the design of a model's evidence: deadweight,
    attribution and drop-off (shares, each with a range) and the years its effect is counted."""

    design: str
    deadweight: Quantity
    attribution: Quantity
    drop_off: Quantity
    duration_years: Quantity | None = None  # None: the effect lasts as long as the service

    @model_validator(mode="after")
    def _check(self) -> "CounterfactualDefaults":
        for name in ("deadweight", "attribution", "drop_off"):
            _require_unit(getattr(self, name), ("proportion",), name)
        _require_unit(self.duration_years, ("years",), "duration_years")
        for name in ("deadweight", "attribution", "drop_off", "duration_years"):
            q = getattr(self, name)
            if q is not None and (q.low is None or q.high is None):
                raise ValueError(f"{name}: a counterfactual default needs its range (low and high)")
        return self


class RampUpDefaults(StrictModel):
    """Months from the start to the first beneficiary (used when the source gives none), and
    months from the first beneficiary to full scale (a straight-line build-up)."""

    months_to_first_beneficiary: Quantity
    months_to_full_scale: Quantity

    @model_validator(mode="after")
    def _check(self) -> "RampUpDefaults":
        _require_unit(self.months_to_first_beneficiary, ("months",), "months_to_first_beneficiary")
        _require_unit(self.months_to_full_scale, ("months",), "months_to_full_scale")
        return self


SETUP_TIMINGS: tuple[str, ...] = ("as-places-fill", "up-front")


class PeriodDefaults(StrictModel):
    years: Quantity
    start_date: _dt.date
    price_base_year: str
    #: when set-up tranches are paid: each as the places already bought fill, or all in month 1
    setup_timing: Literal["as-places-fill", "up-front"]
    note: str

    @model_validator(mode="after")
    def _check(self) -> "PeriodDefaults":
        _require_unit(self.years, ("years",), "years")
        return self


class AppraisalDefaults(StrictModel):
    period: PeriodDefaults
    discounting: tuple[DiscountBand, ...] = Field(min_length=1)
    optimism_bias: dict[int, OptimismBias]
    optimism_bias_methods: OptimismBiasMethods
    additionality: AdditionalityDefaults
    ramp_up: RampUpDefaults
    #: by evidence design (``Intervention.evidence_design``); the ``paper`` method keeps ``additionality``
    counterfactual: dict[str, CounterfactualDefaults] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> "AppraisalDefaults":
        levels = sorted(self.optimism_bias)
        if levels != [1, 2, 3, 4, 5]:
            raise ValueError(
                f"optimism_bias must have one entry for each Nesta evidence level 1 to 5; it has {levels}"
            )
        bands = self.discounting
        if bands[0].from_year != 0:
            raise ValueError("discounting: the first band must start at year 0")
        for prev, nxt in zip(bands, bands[1:]):
            if prev.to_year is None or nxt.from_year != prev.to_year + 1:
                raise ValueError(
                    f"discounting: the band from year {nxt.from_year} does not follow on from the "
                    f"band ending at year {prev.to_year}"
                )
        if bands[-1].to_year is not None:
            raise ValueError("discounting: the last band must have no to_year (it runs on for ever)")
        for key, cf in self.counterfactual.items():
            if key not in EVIDENCE_DESIGNS or cf.design != key:
                raise ValueError(f"counterfactual: {key!r} is not an evidence design; valid: {', '.join(EVIDENCE_DESIGNS)}")
        return self
