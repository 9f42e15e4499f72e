"""A case study, as read from ``data/case_studies/*.yaml``: what a place did and what it reported.

A case study is evidence *for* one or more care models of the evidence library (``models``, ids of
``data/interventions/*.yaml``; the library checks each link resolves). Each reported result is a
:class:`~carescale.schema.base.Quantity` with its unit and a verbatim quote; results the source
gives in words only are kept as ``findings``. Its strength of evidence is graded on the same
Nesta Standards of Evidence scale as the models (:class:`EvidenceGrade`).
"""

from __future__ import annotations

from pydantic import Field, model_validator

from .base import Payer, Quantity, Reference, StrictModel
from .intervention import EvidenceGrade, Slug


class CaseResult(StrictModel):
    """One reported result, e.g. '59 per cent reduction of people being discharged into
    residential care'."""

    id: Slug
    description: str
    value: Quantity


class Finding(StrictModel):
    """A result the source reports in words only, with its quote."""

    text: str
    ref: Reference


class CaseStudy(StrictModel):
    id: Slug
    name: str
    place: str
    period: str  # when, as the source gives it (e.g. '2017/18'; 'reported 2018' if undated)
    organisations: tuple[str, ...] = ()
    what_was_done: str
    target_group: str
    models: tuple[Slug, ...] = Field(min_length=1)
    results: tuple[CaseResult, ...] = ()
    findings: tuple[Finding, ...] = ()
    savings_to: tuple[Payer, ...] = ()  # who the source says saved money
    refs: tuple[Reference, ...] = Field(min_length=1)  # the passages describing the case
    evidence_grade: EvidenceGrade

    @model_validator(mode="after")
    def _check(self) -> "CaseStudy":
        ids = [r.id for r in self.results]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"result id {sorted(dup)[0]!r} is used twice")
        if len(set(self.models)) != len(self.models):
            raise ValueError("models: a model is listed twice")
        return self
