"""The time axis of an evaluation.

A :class:`Timeline` says how many periods there are, how long each is, and what fraction of its
full scale each intervention runs at in each period. The steady state (one year at full scale)
is the default; the appraisal uses a monthly timeline with set-up and ramp-up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..schema import Intervention
from .parameters import Values


@dataclass(frozen=True)
class Timeline:
    periods: int = 1
    years_per_period: float = 1.0

    def scale(self, intervention: Intervention, values: Values) -> np.ndarray:
        """Fraction of full scale in each period: shape (draws or 1, periods)."""
        return np.ones((1, self.periods))


STEADY_STATE = Timeline()
