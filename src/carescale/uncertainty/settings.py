"""Settings of an uncertainty run, checked with one-line errors."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..errors import SettingsError

MAX_DRAWS = 1_000_000
DEFAULT_DRAWS = 10_000
DEFAULT_SEED = 20170301


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


@dataclass(frozen=True)
class UncertaintySettings:
    """``draws`` (1 to 1,000,000), ``seed`` (0 or more), ``width_scale`` (multiplies every
    range; 0 fixes every figure), ``sobol`` (also compute Sobol indices, with
    ``sobol_samples`` base samples, a power of 2), ``bins`` of the histograms, and ``chunk``
    (draws evaluated at once, which bounds memory; results do not depend on it)."""

    draws: int = DEFAULT_DRAWS
    seed: int = DEFAULT_SEED
    width_scale: float = 1.0
    sobol: bool = False
    sobol_samples: int = 1024
    bins: int = 30
    chunk: int = 25_000
    npv: bool = True

    def __post_init__(self) -> None:
        d = _whole(self.draws)
        if d is None or not 1 <= d <= MAX_DRAWS:
            raise SettingsError(
                f"draws: {self.draws!r} is not valid; give a whole number of draws from 1 to 1,000,000"
            )
        s = _whole(self.seed)
        if s is None or s < 0:
            raise SettingsError(f"seed: {self.seed!r} is not valid; give a whole number, 0 or more")
        try:
            w = float("nan") if isinstance(self.width_scale, bool) else float(self.width_scale)
        except (TypeError, ValueError):
            w = float("nan")
        if not math.isfinite(w) or w < 0:
            raise SettingsError(
                f"width_scale: {self.width_scale!r} is not valid; give a number, 0 or more "
                "(0 fixes every figure at its value, 1 uses the ranges as given)"
            )
        n = _whole(self.sobol_samples)
        if n is None or n < 64 or n > 65536 or n & (n - 1):
            raise SettingsError(
                f"sobol_samples: {self.sobol_samples!r} is not valid; give a power of 2 from 64 to 65,536"
            )
        b = _whole(self.bins)
        if b is None or not 1 <= b <= 1000:
            raise SettingsError(f"bins: {self.bins!r} is not valid; give a whole number from 1 to 1,000")
        c = _whole(self.chunk)
        if c is None or c < 1:
            raise SettingsError(f"chunk: {self.chunk!r} is not valid; give a whole number, 1 or more")
        object.__setattr__(self, "draws", d)
        object.__setattr__(self, "seed", s)
        object.__setattr__(self, "width_scale", w)
        object.__setattr__(self, "sobol_samples", n)
        object.__setattr__(self, "bins", b)
        object.__setattr__(self, "chunk", c)
