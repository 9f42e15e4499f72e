"""The portfolio optimiser: which models, at what scale, for the money and staff given
(``carescale optimise``; docs/optimise.md).

Nothing heavy is imported here: scipy.optimize is imported inside the functions that solve.
"""

from .core import OptimiseResult, evaluate_portfolio, optimise, portfolio_document
from .frontier import frontier
from .spec import OptimiseSpec, load_spec, make_spec, parse_money

__all__ = [
    "OptimiseResult",
    "OptimiseSpec",
    "evaluate_portfolio",
    "frontier",
    "load_spec",
    "make_spec",
    "optimise",
    "parse_money",
    "portfolio_document",
]
