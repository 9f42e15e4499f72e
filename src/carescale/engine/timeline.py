"""The time axis of an evaluation.

A :class:`Timeline` says how many periods there are, how long each is, and what fraction of its
full scale each intervention runs at in each period. The steady state (one year at full scale)
is the default; the appraisal uses a monthly timeline with set-up and ramp-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

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

    def scales(self, interventions: Sequence[Intervention], values: Values) -> np.ndarray:
        """:meth:`scale` of each of ``interventions``, as the rows of one (interventions, draws or
        1, periods) array."""
        return np.ones((len(interventions), 1, self.periods))


STEADY_STATE = Timeline()


def _per_draw(values: Values, path: str, default: float) -> np.ndarray:
    """``values[path]`` as a column (draws or 1, 1), or ``default`` when the path is absent."""
    v = values.get(path)
    return np.asarray(default if v is None else v, dtype=float).reshape(-1, 1)


@dataclass(frozen=True)
class RampUpTimeline(Timeline):
    """A monthly timeline in which each intervention starts after a delay and then builds up in a
    straight line to full scale (used by the appraisal; the steady state above is unchanged).

    For intervention ``i`` with ``d`` months to the first beneficiary (plus ``lag`` months before
    its savings start, for a timeline of savings) and ``r`` months from then to full scale, the
    scale at time ``t`` months is ``clip((t - d - lag) / r, 0, 1)`` (a step at ``d + lag`` when
    ``r`` is 0). Each monthly period gets the *average* of that line over the month, so money in a
    month is exactly the area under the ramp. With ``drop_off`` ``f``, the scale is then
    multiplied by ``(1 - f) ** k`` in the ``k``-th full year after the start. With ``duration``
    ``y`` years the effect stops ``12 y`` months after the start (the area stops growing).

    Per-intervention settings are tuples of ``(intervention id, value)`` pairs (hashable);
    ``values`` may override the months per draw with the paths
    ``ID.ramp_up.months_to_first_beneficiary`` and ``ID.ramp_up.months_to_full_scale``.
    """

    periods: int = 120
    years_per_period: float = 1.0 / 12.0
    delay: tuple[tuple[str, float], ...] = ()
    ramp: tuple[tuple[str, float], ...] = ()
    lag: tuple[tuple[str, float], ...] = ()
    drop_off: tuple[tuple[str, float], ...] = ()
    #: years the effect lasts from the start of the savings (a model not named: no limit)
    duration: tuple[tuple[str, float], ...] = ()
    default_delay: float = 0.0
    default_ramp: float = 0.0

    def months(self, intervention: Intervention, values: Values) -> tuple[np.ndarray, np.ndarray]:
        """(months to the first beneficiary, months from then to full scale), each (draws or 1, 1)."""
        iid = intervention.id
        d = _per_draw(values, f"{iid}.ramp_up.months_to_first_beneficiary",
                      dict(self.delay).get(iid, self.default_delay))
        r = _per_draw(values, f"{iid}.ramp_up.months_to_full_scale",
                      dict(self.ramp).get(iid, self.default_ramp))
        return d, r

    def scale(self, intervention: Intervention, values: Values) -> np.ndarray:
        return self.scales((intervention,), values)[0]

    def scales(self, interventions: Sequence[Intervention], values: Values) -> np.ndarray:
        """:meth:`scale` of each of ``interventions``, their ramps worked out together as the rows of
        one (interventions, draws or 1, periods) array: every step is element by element, so each
        row is what the intervention gives alone, bit for bit (a drop-off's powers are taken
        intervention by intervention, in the shape they have alone)."""
        if not interventions:
            return np.ones((0, 1, self.periods))
        lag, duration, drop_off = dict(self.lag), dict(self.duration), dict(self.drop_off)
        months = [self.months(iv, values) for iv in interventions]
        starts = [d + lag.get(iv.id, 0.0) for iv, (d, _) in zip(interventions, months)]
        draws = max(max(d.shape[0], r.shape[0]) for d, r in months)

        def stacked(columns: list[np.ndarray]) -> np.ndarray:  # (interventions, draws or 1, 1)
            full = [c if c.shape[0] == draws else np.broadcast_to(c, (draws, 1)) for c in columns]
            return np.concatenate(full).reshape(len(columns), draws, 1)

        start, r = stacked(starts), stacked([r for _, r in months])
        t = np.arange(self.periods + 1, dtype=float)[None, :]  # month edges
        x = t - start
        if any(iv.id in duration for iv in interventions):
            # the effect ends 12 x duration months after the savings start (no end: the minimum
            # with infinity leaves x as it is)
            end = np.array([12.0 * duration[iv.id] if iv.id in duration else np.inf for iv in interventions])
            x = np.minimum(x, end[:, None, None])
        r = np.where(r < 1e-9, 0.0, r)  # a build-up shorter than that is a step
        r_safe = np.where(r > 0, r, 1.0)
        area = np.where(x <= 0, 0.0, np.where(x <= r, x * x / (2.0 * r_safe), x - r / 2.0))
        out = np.diff(area, axis=-1)
        for i, iv in enumerate(interventions):
            f = drop_off.get(iv.id, 0.0)
            if f:
                k = np.floor(np.maximum(t[:, :-1] - starts[i], 0.0) / 12.0)
                out[i] = out[i] * (1.0 - f) ** k
        return out
