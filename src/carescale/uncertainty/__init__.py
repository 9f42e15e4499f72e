"""Uncertainty: Monte Carlo (probabilistic sensitivity analysis), one-way sensitivity
(tornado), switching values and break-even targets, and Sobol indices (docs/uncertainty.md).

The names below load their module on first use (module ``__getattr__``), so that a scenario
document, which needs only :class:`~carescale.uncertainty.settings.UncertaintySettings`, does not
import the analysis, the defaults and the sampling on the path of ``carescale run`` (issue 25)."""

from typing import TYPE_CHECKING

from ..io.lazy import lazy_names

if TYPE_CHECKING:
    from .analysis import Model, describe, portfolio_sobol, run_uncertainty, tornado
    from .defaults import ParameterRange, UncertaintyDefaults, load_defaults, parameter_ranges
    from .distributions import Marginal, make_marginal
    from .sampling import Group, make_groups, sample
    from .settings import MAX_DRAWS, UncertaintySettings
    from .sobol import sobol_indices
    from .switching import switching_values

_LAZY = {
    "Model": ".analysis", "describe": ".analysis", "portfolio_sobol": ".analysis",
    "run_uncertainty": ".analysis", "tornado": ".analysis",
    "ParameterRange": ".defaults", "UncertaintyDefaults": ".defaults", "load_defaults": ".defaults",
    "parameter_ranges": ".defaults",
    "Marginal": ".distributions", "make_marginal": ".distributions",
    "Group": ".sampling", "make_groups": ".sampling", "sample": ".sampling",
    "MAX_DRAWS": ".settings", "UncertaintySettings": ".settings",
    "sobol_indices": ".sobol",
    "switching_values": ".switching",
}


__getattr__, __dir__ = lazy_names(__name__, _LAZY)


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
