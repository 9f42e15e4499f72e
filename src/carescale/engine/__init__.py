"""The vectorised evaluation engine."""

from .evaluate import evaluate
from .parameters import Parameter, ParameterTable
from .results import InterventionResult, OverlapResult, PortfolioResult
from .timeline import STEADY_STATE, Timeline

__all__ = [
    "STEADY_STATE",
    "InterventionResult",
    "OverlapResult",
    "Parameter",
    "ParameterTable",
    "PortfolioResult",
    "Timeline",
    "evaluate",
]
