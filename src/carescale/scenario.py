"""Scenarios: which interventions, in which area, on which basis (the *define* step).

A :class:`Scenario` is an immutable definition. It does no arithmetic; :func:`carescale.engine.
evaluate` evaluates it. Building one checks that the area has every figure each chosen
intervention needs; interventions the area cannot support are reported, not silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Literal

from .errors import ModelError, SettingsError
from .library import Library, default_library
from .schema import Area, Intervention, Overlap

Basis = Literal["potential", "current"]
BASES: tuple[str, ...] = ("potential", "current")


@dataclass(frozen=True)
class NotModelled:
    """An intervention left out of a scenario because the area lacks figures it needs."""

    id: str
    missing: tuple[str, ...]

    @property
    def reason(self) -> str:
        return "the area profile has no " + ", ".join(self.missing)


@dataclass(frozen=True)
class Scenario:
    """An area, the interventions to scale there, and the basis.

    ``basis='potential'`` sizes each intervention by its rule (the paper's "potential
    beneficiaries"); ``basis='current'`` uses the people the area serves today (``provision`` in
    the area profile), which is how source-site figures are reproduced.
    """

    area: Area
    interventions: tuple[Intervention, ...]
    overlaps: tuple[Overlap, ...] = ()
    basis: Basis = "potential"
    not_modelled: tuple[NotModelled, ...] = field(default=())

    @property
    def intervention_ids(self) -> tuple[str, ...]:
        return tuple(iv.id for iv in self.interventions)


def missing_inputs(iv: Intervention, area: Area, basis: Basis) -> tuple[str, ...]:
    """The figures ``area`` lacks for ``iv`` on ``basis`` (empty when it can be evaluated)."""
    if basis == "current" and iv.id not in area.provision:
        return (f"provision.{iv.id} (the service does not run here)",)
    missing: list[str] = []
    for seg in iv.segments:
        if basis == "potential" and seg.sizing.cohort and seg.sizing.cohort not in area.cohorts:
            missing.append(f"cohorts.{seg.sizing.cohort}")
        for red in seg.spend_reductions:
            if red.spend_line not in area.spend:
                missing.append(f"spend.{red.spend_line}")
    return tuple(dict.fromkeys(missing))


def define_scenario(
    area: str | Area = "birmingham",
    interventions: Iterable[str] | None = None,
    basis: str = "potential",
    library: Library | None = None,
) -> Scenario:
    """Define a scenario.

    With ``interventions=None`` the default portfolio (the paper's six models) is used: those the
    area has figures for are included and the others are listed in ``Scenario.not_modelled``.
    Naming an intervention the area cannot support raises :class:`~carescale.errors.ModelError`.
    """
    lib = library or default_library()
    if basis not in BASES:
        raise SettingsError(f"basis: {basis!r} is not valid; valid bases are: {', '.join(BASES)}")
    area_def = area if isinstance(area, Area) else lib.area(area)
    explicit = interventions is not None
    chosen = lib.select(list(interventions) if explicit else None)
    if explicit and not chosen:
        raise SettingsError("interventions: the list is empty; name at least one intervention")
    keep: list[Intervention] = []
    skipped: list[NotModelled] = []
    for iv in chosen:
        gaps = missing_inputs(iv, area_def, basis)  # type: ignore[arg-type]
        if not gaps:
            keep.append(iv)
        elif explicit:
            raise ModelError(
                f"intervention {iv.id!r} cannot be run on area {area_def.id!r} ({basis} basis): "
                f"the area profile has no {', '.join(gaps)}"
            )
        else:
            skipped.append(NotModelled(iv.id, gaps))
    ids = {iv.id for iv in keep}
    overlaps = tuple(o for o in lib.overlaps.overlaps if set(o.interventions) <= ids)
    return Scenario(area_def, tuple(keep), overlaps, basis, tuple(skipped))  # type: ignore[arg-type]
