"""Uncertainty: Monte Carlo (probabilistic sensitivity analysis), one-way sensitivity
(tornado), switching values and break-even targets, and Sobol indices (docs/uncertainty.md)."""

from .analysis import Model, describe, portfolio_sobol, run_uncertainty, tornado
from .defaults import ParameterRange, UncertaintyDefaults, load_defaults, parameter_ranges
from .distributions import Marginal, make_marginal
from .sampling import Group, make_groups, sample
from .settings import MAX_DRAWS, UncertaintySettings
from .sobol import sobol_indices
from .switching import switching_values

__all__ = [
    "MAX_DRAWS",
    "Group",
    "Marginal",
    "Model",
    "ParameterRange",
    "UncertaintyDefaults",
    "UncertaintySettings",
    "describe",
    "load_defaults",
    "make_groups",
    "make_marginal",
    "parameter_ranges",
    "portfolio_sobol",
    "run_uncertainty",
    "sample",
    "sobol_indices",
    "switching_values",
    "tornado",
]
