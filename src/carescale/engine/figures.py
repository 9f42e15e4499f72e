"""The figures a scenario is made of, below everything else in the engine: the bases, an
intervention left out for lack of figures (:class:`NotModelled`), a figure changed from its
evidence value (:class:`FigureChange`), and which figures an area lacks for an intervention
(:func:`missing_inputs`). The parameter table and the overrides read these;
:class:`~carescale.engine.scenario.Scenario` holds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..schema import Area, Intervention

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
class FigureChange:
    """One figure of a scenario changed from its evidence value (an override, resolved).

    ``path`` is the parameter the engine reads; ``value``/``low``/``high``/``distribution`` are
    its new figures (in the scenario's price base). ``given_path``/``given_value`` are what the
    user wrote when it differs (a number of people, converted to a take-up rate), and
    ``conversion`` says how it was converted. ``range_source`` says where ``low``/``high`` came
    from: ``override`` (given), ``evidence-relative`` (the evidence range's relative width
    kept), or ``default`` (no range: the default width for its kind applies)."""

    path: str
    value: float
    low: float | None = None
    high: float | None = None
    distribution: str | None = None
    note: str | None = None
    given_path: str | None = None
    given_value: float | None = None
    given_evidence: float | None = None  # the evidence figure in the user's terms (people)
    conversion: str | None = None
    range_source: str = "default"


def missing_inputs(iv: Intervention, area: Area, basis: Basis) -> tuple[str, ...]:
    """The figures ``area`` lacks for ``iv`` on ``basis`` (empty when it can be evaluated)."""
    if basis == "current" and iv.id not in area.provision:
        return (f"provision.{iv.id} (the service does not run here)",)
    missing: list[str] = []
    for seg in iv.segments:
        alt = seg.sizing.otherwise  # the sizing used where the area lacks this one's figures
        if (basis == "potential" and seg.sizing.cohort and seg.sizing.cohort not in area.cohorts
                and not (alt is not None and alt.cohort in area.cohorts)):
            missing.append(f"cohorts.{seg.sizing.cohort}")
        for red in seg.spend_reductions:
            if red.spend_line not in area.spend:
                missing.append(f"spend.{red.spend_line}")
    return tuple(dict.fromkeys(missing))
