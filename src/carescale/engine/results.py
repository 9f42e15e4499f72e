"""Results of an evaluation: numpy arrays over (draws, periods[, payers]).

Payer axes follow :data:`carescale.schema.PAYERS` (``asc``, ``nhs``). Money is in pounds for the
period (a year in the steady state); beneficiaries are people supported at the annual rate of
that period's scale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .scenario import Scenario
from .parameters import ParameterTable
from .timeline import Timeline


@dataclass(frozen=True)
class SegmentResult:
    id: str
    description: str
    beneficiaries: np.ndarray  # (D,) at full scale


@dataclass(frozen=True)
class InterventionResult:
    id: str
    name: str
    beneficiaries: np.ndarray  # (D, T)
    cost: np.ndarray  # (D, T, P)
    gross: np.ndarray  # (D, T, P)
    setup_investment: np.ndarray  # (D,) one-off, at full scale
    wider_benefits: np.ndarray  # (D, T)
    workforce: dict[str, np.ndarray] = field(default_factory=dict)  # role -> (D, T)
    segments: tuple[SegmentResult, ...] = ()
    person_based: bool = True

    @property
    def net(self) -> np.ndarray:
        return self.gross - self.cost


@dataclass(frozen=True)
class OverlapResult:
    id: str
    interventions: tuple[str, str]
    description: str
    people: np.ndarray  # (D, T)
    deduction: np.ndarray  # (D, T, P)
    payer: int = 0  # index of the payer the deduction falls on
    share: np.ndarray | None = None  # (D, 1) share of the smaller group in both
    saving_per_person: np.ndarray | None = None  # (D,) smaller gross saving per person, that payer


@dataclass(frozen=True)
class PortfolioResult:
    scenario: Scenario
    timeline: Timeline
    parameters: ParameterTable
    interventions: tuple[InterventionResult, ...]
    overlaps: tuple[OverlapResult, ...]
    #: the full-scale annual figures this result put on its timeline, with the complete values
    #: they came from (``engine.evaluate.AnnualRun``): :func:`carescale.engine.evaluate.on_timelines`
    #: puts them on other timelines without working the engine's formulas out again
    annual: Any = field(default=None, repr=False, compare=False)

    @property
    def n_draws(self) -> int:
        return self.interventions[0].cost.shape[0] if self.interventions else 1

    def _sum(self, attr: str) -> np.ndarray:
        shape = (self.n_draws, self.timeline.periods, 2)
        total = np.zeros(shape)
        for r in self.interventions:
            total = total + getattr(r, attr)
        return total

    @property
    def cost(self) -> np.ndarray:
        return self._sum("cost")

    @property
    def gross(self) -> np.ndarray:
        return self._sum("gross")

    @property
    def overlap_deduction(self) -> np.ndarray:
        total = np.zeros((self.n_draws, self.timeline.periods, 2))
        for o in self.overlaps:
            total = total + o.deduction
        return total

    @property
    def net(self) -> np.ndarray:
        """Net saving of the portfolio after the deduction for overlapping target groups."""
        return self.gross - self.cost - self.overlap_deduction

    def intervention(self, iid: str) -> InterventionResult:
        for r in self.interventions:
            if r.id == iid:
                return r
        raise KeyError(iid)
