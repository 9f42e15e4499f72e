"""Running the one engine on many draws at once, in chunks, and reducing to annual figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from ..engine import STEADY_STATE, ParameterTable, PortfolioResult, evaluate
from ..engine.evaluate import P, _complete, _n_draws, annual_figures
from ..engine.scenario import Scenario

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Annual:
    """Annual pounds at full scale, by draw and payer (D, P)."""

    net: dict[str, np.ndarray]  # intervention id -> (D, P)
    gross: dict[str, np.ndarray]
    cost: dict[str, np.ndarray]
    portfolio: np.ndarray  # (D, P), after the overlap deduction
    social: dict[str, np.ndarray] = field(default_factory=dict)  # intervention id -> (D,) social value a year


def _annual(arr: np.ndarray, result: PortfolioResult) -> np.ndarray:
    years = result.timeline.periods * result.timeline.years_per_period
    return arr.sum(axis=1) / years


def annual(
    scenario: Scenario,
    values: Mapping[str, np.ndarray],
    params: ParameterTable,
    chunk: int = 25_000,
    progress: Progress | None = None,
) -> Annual:
    """Evaluate every draw in ``values`` (steady state) in chunks of ``chunk`` draws. The
    result does not depend on ``chunk``: every operation is element-wise over draws."""
    n = len(next(iter(values.values())))
    parts: list[tuple] = []
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        sub = {k: v[start:stop] for k, v in values.items()}
        res = evaluate(scenario, sub, STEADY_STATE, parameters=params)
        parts.append(
            (
                {r.id: _annual(r.net, res) for r in res.interventions},
                {r.id: _annual(r.gross, res) for r in res.interventions},
                {r.id: _annual(r.cost, res) for r in res.interventions},
                _annual(res.net, res),
                {r.id: np.broadcast_to(_annual(np.atleast_2d(r.wider_benefits), res), (stop - start,)) for r in res.interventions},
            )
        )
        if progress is not None:
            progress(stop, n)
    ids = [iv.id for iv in scenario.interventions]

    def cat(i: int) -> dict[str, np.ndarray]:
        return {k: np.concatenate([p[i][k] for p in parts]) for k in ids}

    return Annual(cat(0), cat(1), cat(2), np.concatenate([p[3] for p in parts]), cat(4))


def annual_portfolio(scenario: Scenario, values: Mapping[str, np.ndarray], params: ParameterTable) -> np.ndarray:
    """(D, P) annual net saving of the portfolio at full scale: :func:`annual`'s ``portfolio``,
    the same floating-point operations in the same order (so the same figures to the last bit),
    from the engine's :func:`~carescale.engine.evaluate.annual_figures` alone, without the
    per-model results, workforce and wider benefits that :func:`annual` also builds (the national
    case needs only this, for each of 153 councils)."""
    v = _complete(values, params)
    D = _n_draws(v)
    figures, overlaps = annual_figures(scenario, v, D)
    gross, cost, deduction = np.zeros((D, P)), np.zeros((D, P)), np.zeros((D, P))
    for f in figures:  # the steady state: each period's scale and length are 1
        gross = gross + f.gross
        cost = cost + f.cost
    people = {f.id: f.beneficiaries for f in figures}
    for o in overlaps:
        a, b = o.overlap.interventions
        d = np.zeros((D, P))
        d[:, o.payer] = (o.share * np.minimum(people[a], people[b])[:, None])[:, 0] * o.saving_per_person * 1.0
        deduction = deduction + d
    return gross - cost - deduction
