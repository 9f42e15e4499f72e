"""Estimates for figures an area lacks, from its population and a documented rate.

``data/prevalence.yaml`` lists, for each figure carescale can estimate, the figure it is based on
(for example ``cohorts.population_65_plus``) and a rate (a :class:`~carescale.schema.Quantity`
with its reference and derivation). :func:`estimate_missing` fills every gap it can, in file
order, and gives each new figure status ``estimated`` with the arithmetic in its derivation.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from .keys import figures, template_rows, with_figures
from ..errors import InputFileError
from ..library import DATA_DIR, Library, default_library, display_path, load_model
from ..schema import Area, Quantity, Reference, StrictModel

PREVALENCE_FILE = DATA_DIR / "prevalence.yaml"


class Estimate(StrictModel):
    base: str
    description: str
    rate: Quantity


class PrevalenceSet(StrictModel):
    estimates: dict[str, Estimate]


def check_prevalence(prev: PrevalenceSet, lib: Library, name: str) -> PrevalenceSet:
    kinds = {r.key: r.kind for r in template_rows(lib)}
    docs = lib.sources.documents
    for key, est in prev.estimates.items():
        kind = kinds.get(key)
        if kind is None or kind == "text":
            valid = ", ".join(k for k, v in kinds.items() if v != "text")
            raise InputFileError(f"{name}: estimates.{key}: unknown figure; valid figures are: {valid}")
        if kinds.get(est.base) not in ("cohort",):
            raise InputFileError(
                f"{name}: estimates.{key}.base: {est.base!r} is not a cohort; the base must be "
                f"one of: {', '.join(k for k, v in kinds.items() if v == 'cohort')}"
            )
        want = "GBP_per_person_per_year" if kind == "spend" else "proportion"
        if est.rate.unit != want:
            raise InputFileError(
                f"{name}: estimates.{key}.rate: unit {est.rate.unit!r}; a rate for this figure "
                f"must be in {want}"
            )
        if est.rate.ref.document not in docs:
            raise InputFileError(
                f"{name}: estimates.{key}.rate.ref.document: unknown document "
                f"{est.rate.ref.document!r}; valid documents are: {', '.join(sorted(docs))}"
            )
    return prev


def load_prevalence(path: Path | str = PREVALENCE_FILE, library: Library | None = None) -> PrevalenceSet:
    path = Path(path)
    prev = load_model(PrevalenceSet, path)
    return check_prevalence(prev, library or default_library(), display_path(path))


@functools.lru_cache(maxsize=1)
def default_prevalence() -> PrevalenceSet:
    return load_prevalence(PREVALENCE_FILE)


@dataclass(frozen=True)
class Estimated:
    area: Area
    keys: tuple[str, ...]  # figures that were estimated, in order


def estimate_figure(key: str, est: Estimate, base: Quantity) -> Quantity:
    value = est.rate.value * base.value
    money = est.rate.unit.startswith("GBP")
    return Quantity(
        value=value,
        unit="GBP_per_year" if money else "people",
        price_year=est.rate.price_year if money else None,
        period=base.period,
        status="estimated",
        derivation=(
            f"{est.rate.value:.10g} x {base.value:,.10g} ({est.base}) = {value:,.10g}; "
            f"rate: {est.description[0].lower()}{est.description[1:]}, {est.rate.derivation or 'published'}"
        ),
        ref=Reference(
            document=est.rate.ref.document,
            section=f"{est.rate.ref.section} (rate for {key}, data/prevalence.yaml)",
            quote=est.rate.ref.quote,
        ),
        note=f"Estimated: {key} was not given for this area.",
    )


#: Figures not estimated when the area has the figure the model then sizes on instead (the
#: intervention's ``sizing.otherwise``; docs/fidelity.md, "Official target groups"): an estimate
#: would be a number no run reads, or (a Shared Lives count at Birmingham's rate) one that only
#: restates the paper's printed share.
SIZED_OTHERWISE: dict[str, str] = {
    "cohorts.older_people_very_limited": "cohorts.older_people_community_long_term_support",
    "provision.shared-lives.learning-disability": "cohorts.learning_disability_long_term_support",
    "provision.shared-lives.mental-health": "cohorts.mental_health_long_term_support",
}


#: Figures estimated only where the area lacks the figure they stand in for (the group a model
#: sizes on otherwise is no use where the model's own group is known or estimated).
OTHERWISE_ONLY: dict[str, str] = {
    "cohorts.older_people_community_long_term_support": "cohorts.older_people_very_limited",
}


def estimate_missing(area: Area, prevalence: PrevalenceSet | None = None) -> Estimated:
    """Fill every figure ``area`` lacks that ``prevalence`` can estimate from figures it has
    (not those :data:`SIZED_OTHERWISE` makes unneeded)."""
    prev = prevalence or default_prevalence()
    have = figures(area)
    new: dict[str, Quantity] = {}
    for key, est in prev.estimates.items():
        if key in have or key in new:
            continue
        if SIZED_OTHERWISE.get(key) in have or SIZED_OTHERWISE.get(key) in new:
            continue
        if OTHERWISE_ONLY.get(key) in have or OTHERWISE_ONLY.get(key) in new:
            continue
        base = new.get(est.base) or have.get(est.base)
        if base is None:
            continue
        new[key] = estimate_figure(key, est, base)
    return Estimated(with_figures(area, new) if new else area, tuple(new))
