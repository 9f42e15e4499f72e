"""The NPV-only route: the appraisal's net present value per draw, without monthly flows.

Monte Carlo, switching values and the optimiser need one number per draw (NPV, by model and
payer), not the flows, ROI or break-even that :func:`~carescale.appraisal.appraise` also
builds. The monthly flows of a model have a simple structure: each is a per-draw figure at full
scale (annual cost or gross saving by payer, from the one engine on the steady state) times a
per-month curve (the ramp-up, lag and drop-off of the model's timeline). Its NPV is therefore

    NPV = figure x sum over months of curve(month) x (1/12) x discount factor of the month's year

and the sum is one number per model (or one per draw, where the ramp-up months vary by draw).
Only two terms are not of that form, and only they build (draws x months) arrays, a block of
draws at a time: the overlap deduction (``share x min(people_a, people_b) x saving per
person``, where the two models ramp up at different times) and the set-up investment bought in
tranches as places fill. Memory is therefore bounded by the block size, not the number of draws.

:func:`appraise_npv` takes the same arguments as ``appraise`` and reads every value the same
way (optimism bias and additionality through :func:`~carescale.appraisal.adjusted_values`, the
same timelines, the set-up schedule of :func:`~carescale.appraisal.core.setup_by_month`); the
tests check that both routes agree to the penny on every draw.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from ..engine import STEADY_STATE, ParameterTable, evaluate
from ..engine.parameters import Values
from ..engine.scenario import Scenario
from .core import (
    P,
    _block,
    _check_settings_ids,
    _n_draws,
    adjusted_values,
    complete_values,
    discount_factors,
    resolve_settings,
    setup_by_month,
    timelines,
)
from .settings import AppraisalSettings

#: Draws evaluated together: a (draws x months) array of one block (2 MB) stays in cache.
CHUNK = 2048


@dataclass(frozen=True, eq=False)
class NPVResult:
    """NPV per draw by payer, (draws, payers), for each intervention and for the portfolio
    (after the overlap deduction), with the settings used."""

    settings: AppraisalSettings
    by_payer: dict[str, np.ndarray]  # intervention id -> (D, P)
    portfolio_by_payer: np.ndarray  # (D, P)

    @property
    def portfolio(self) -> np.ndarray:
        """(D,) NPV of the portfolio, all payers."""
        return self.portfolio_by_payer.sum(axis=1)

    def npv(self, iid: str) -> np.ndarray:
        """(D,) NPV of one intervention (or ``"portfolio"``), all payers."""
        return self.portfolio if iid == "portfolio" else self.by_payer[iid].sum(axis=1)


def _npv_block(scenario: Scenario, v: Values, params: ParameterTable, cost_tl, sav_tl, timing: str,
               month_factor: np.ndarray, draws: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    res = evaluate(scenario, v, STEADY_STATE, params)  # per-draw figures at full scale, a year
    weight = month_factor * cost_tl.years_per_period  # (T,) pounds a year -> NPV of a month
    by_iv: dict[str, np.ndarray] = {}
    people_s: dict[str, np.ndarray] = {}  # id -> (full-scale people (D,), savings curve)
    for iv in scenario.interventions:
        r = res.intervention(iv.id)
        D = r.cost.shape[0]
        curve_c, curve_s = cost_tl.scale(iv, v), sav_tl.scale(iv, v)  # (1 or D, T)
        n = r.beneficiaries[:, 0]
        out = r.gross[:, 0, :] * (curve_s @ weight)[:, None] - r.cost[:, 0, :] * (curve_c @ weight)[:, None]
        total = np.broadcast_to(r.setup_investment, (D,))
        if iv.setup is not None and np.any(total > 0):
            full = np.zeros(D)
            for seg in r.segments:
                full = full + np.broadcast_to(seg.beneficiaries, (D,))
            people = n[:, None] * np.broadcast_to(curve_c, (D, curve_c.shape[1]))
            setup, payer = setup_by_month(iv, total, people, full, v[f"{iv.id}.setup.per"], timing)
            out[:, payer] -= setup @ month_factor
        by_iv[iv.id] = out
        people_s[iv.id] = (n, curve_s)
    portfolio = np.zeros((draws, P))
    for out in by_iv.values():
        portfolio = portfolio + out
    for ov in res.overlaps:
        (n_a, c_a), (n_b, c_b) = people_s[ov.interventions[0]], people_s[ov.interventions[1]]
        both = ov.share * np.minimum(n_a[:, None] * c_a, n_b[:, None] * c_b)  # as the engine does
        portfolio[:, ov.payer] -= ov.saving_per_person * (both @ weight)
    return by_iv, portfolio


def appraise_npv(
    scenario: Scenario,
    settings: AppraisalSettings | Mapping | None = None,
    values: Values | None = None,
    parameters: ParameterTable | None = None,
    *,
    chunk: int = CHUNK,
) -> NPVResult:
    """NPV per draw of ``scenario`` (same arguments and same figures as
    :func:`~carescale.appraisal.appraise`'s ``metrics.npv_by_payer``), ``chunk`` draws at a time."""
    settings = resolve_settings(settings)
    _check_settings_ids(scenario, settings)
    params = parameters or ParameterTable.from_scenario(scenario)
    base = complete_values(values, params)  # partial values: the rest at base, before adjusting
    cost_tl, sav_tl = timelines(scenario, settings)
    month_factor = np.repeat(discount_factors(settings.years, settings.discount_rate), 12)
    D = _n_draws(base)
    ids = [iv.id for iv in scenario.interventions]
    parts: list[tuple[dict[str, np.ndarray], np.ndarray]] = []
    for start in range(0, D, max(1, int(chunk))):
        stop = min(start + max(1, int(chunk)), D)
        v = adjusted_values(scenario, params, _block(base, start, stop, D), settings)
        parts.append(_npv_block(scenario, v, params, cost_tl, sav_tl, settings.setup_timing, month_factor,
                                stop - start))
    by_payer = {iid: np.concatenate([np.broadcast_to(p[0][iid], (len(p[1]), P)) for p in parts]) for iid in ids}
    return NPVResult(settings, by_payer, np.concatenate([p[1] for p in parts]))
