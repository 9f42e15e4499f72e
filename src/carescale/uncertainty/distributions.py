"""Fitting a distribution to a value and its range, and drawing from it by inverse CDF.

``low`` and ``high`` mean (see :data:`carescale.schema.base.Distribution`):

* beta, gamma, lognormal: the value is the mean, and low/high a 95% interval, read as a standard
  deviation of ``(high - low) / 3.92`` (method of moments, as in Briggs, Claxton and Sculpher,
  *Decision Modelling for Health Economic Evaluation*, 2006, chapter 4);
* triangular: low and high are the ends and the value the most likely figure;
* uniform: every figure between low and high equally likely.

A range of zero width (low = value = high) is a fixed number: every draw is the value exactly.
Draws are made by transforming uniform numbers with the inverse CDF (``ppf``) so that parameters
sharing a uniform are perfectly rank-correlated, and so that SALib's Sobol samples can be used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import ModelError
from ..schema.base import INTERVAL_Z, spread_problem

DISTRIBUTIONS = ("beta", "gamma", "lognormal", "triangular", "uniform")


@dataclass(frozen=True)
class Marginal:
    """The distribution of one parameter: ``value`` (the deterministic figure), ``low``, ``high``."""

    distribution: str
    value: float
    low: float
    high: float

    @property
    def fixed(self) -> bool:
        return self.high == self.low

    @property
    def sd(self) -> float:
        return (self.high - self.low) / (2 * INTERVAL_Z)

    def frozen(self):
        """The scipy.stats frozen distribution (not defined for a fixed number)."""
        from scipy import stats  # deferred: scipy.stats costs about 1 s to import

        m, lo, hi = self.value, self.low, self.high
        if self.distribution == "beta":
            k = m * (1 - m) / self.sd**2 - 1
            return stats.beta(m * k, (1 - m) * k)
        if self.distribution == "gamma":
            var = self.sd**2
            return stats.gamma(m * m / var, scale=var / m)
        if self.distribution == "lognormal":
            s2 = math.log1p(self.sd**2 / (m * m))
            return stats.lognorm(math.sqrt(s2), scale=math.exp(math.log(m) - s2 / 2))
        if self.distribution == "triangular":
            return stats.triang((m - lo) / (hi - lo), loc=lo, scale=hi - lo)
        if self.distribution == "uniform":
            return stats.uniform(loc=lo, scale=hi - lo)
        raise ValueError(self.distribution)  # pragma: no cover - checked in make_marginal

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws straight from numpy's generator (faster than the inverse CDF)."""
        m, lo, hi = self.value, self.low, self.high
        if self.fixed:
            return np.full(n, m, dtype=float)
        if self.distribution == "beta":
            k = m * (1 - m) / self.sd**2 - 1
            return rng.beta(m * k, (1 - m) * k, n)
        if self.distribution == "gamma":
            var = self.sd**2
            return rng.gamma(m * m / var, var / m, n)
        if self.distribution == "lognormal":
            s2 = math.log1p(self.sd**2 / (m * m))
            return rng.lognormal(math.log(m) - s2 / 2, math.sqrt(s2), n)
        if self.distribution == "triangular":
            return rng.triangular(lo, m, hi, n)
        return rng.uniform(lo, hi, n)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Draws for uniform numbers ``u`` in (0, 1)."""
        if self.fixed:
            return np.full(np.shape(u), self.value, dtype=float)
        return np.asarray(self.frozen().ppf(u), dtype=float)


def make_marginal(path: str, distribution: str, unit: str, value: float, low: float, high: float) -> Marginal:
    """A checked :class:`Marginal`; a range the distribution cannot take raises ModelError."""
    if distribution not in DISTRIBUTIONS:
        raise ModelError(
            f"{path}: distribution {distribution!r} is not valid; valid distributions are: "
            + ", ".join(DISTRIBUTIONS)
        )
    problem = spread_problem(distribution, unit, value, low, high)
    if problem:
        raise ModelError(f"{path}: {problem}")
    if distribution in ("beta", "gamma", "lognormal"):
        sd = (high - low) / (2 * INTERVAL_Z)
        if sd * sd == 0 or value * value == 0:  # a spread too small for floating point (1e-300)
            low = high = value  # is the value itself, not a division by zero
    return Marginal(distribution, float(value), float(low), float(high))
