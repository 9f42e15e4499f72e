"""Probabilistic sensitivity analysis, one-way sensitivity (tornado), switching values and
(optionally) Sobol indices for a scenario, reported as one JSON-ready dict.

    import carescale
    from carescale.uncertainty import UncertaintySettings, run_uncertainty
    out = run_uncertainty(carescale.define_scenario("birmingham"), UncertaintySettings(draws=10_000))
    out["portfolio"]["net_savings"]          # {"mean", "sd", "p05", "p50", "p95"}

Everything goes through the one vectorised engine: draws are rows of the parameter arrays,
never a Python loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

from ..engine import ParameterTable
from ..errors import SettingsError, expect
from ..engine.summary import changes, price_basis
from ..schema import PAYERS
from ..engine.scenario import Scenario
from .defaults import ParameterRange, UncertaintyDefaults, load_defaults, parameter_ranges
from .evaluation import Annual, Progress, annual
from .sampling import Group, live_groups, make_groups, sample, values_from_uniforms
from .settings import UncertaintySettings
from .sobol import sobol_indices, sobol_table
from .switching import npv_net, overlap_switching_values, switching_values

MEASURE = "annual net saving at full scale, pounds a year (steady state), council (asc) plus NHS"


@dataclass(frozen=True)
class Model:
    """A scenario with its parameter table, ranges and correlation groups."""

    scenario: Scenario
    params: ParameterTable
    ranges: list[ParameterRange]
    groups: list[Group]
    derived: dict[str, str]
    defaults: UncertaintyDefaults

    @classmethod
    def build(cls, scenario: Scenario, width_scale: float = 1.0, defaults: UncertaintyDefaults | None = None) -> "Model":
        defaults = defaults or load_defaults()
        params = ParameterTable.from_scenario(scenario)
        ranges = parameter_ranges(scenario, params, defaults, width_scale)
        groups, derived = make_groups(ranges, defaults)
        return cls(scenario, params, ranges, groups, derived, defaults)

    def draws(self, n: int, seed: int, progress: Progress | None = None) -> dict[str, np.ndarray]:
        return sample(self.groups, self.derived, n, seed, progress)

    def at(self, uniforms: np.ndarray) -> dict[str, np.ndarray]:
        """Parameter values for a matrix of uniforms, one column per live group."""
        u = np.asarray(uniforms, dtype=float)
        return values_from_uniforms(self.groups, self.derived, u.T, u.shape[0])


# -- statistics ------------------------------------------------------------------------------


def _r(x: float) -> float:
    return round(float(x), 2)


def describe(x: np.ndarray) -> dict[str, float]:
    p05, p50, p95 = np.percentile(x, [5, 50, 95])
    return {"mean": _r(np.mean(x)), "sd": _r(np.std(x)), "p05": _r(p05), "p50": _r(p50), "p95": _r(p95)}


def histogram(x: np.ndarray, bins: int) -> dict[str, list]:
    counts, edges = np.histogram(x, bins=bins)
    return {"edges": [_r(e) for e in edges], "counts": [int(c) for c in counts]}


def _block(net: np.ndarray, det: np.ndarray, bins: int) -> dict[str, Any]:
    """Stats for (D, P) draws and the deterministic (P,) figure."""
    total = net.sum(axis=1)
    return {
        "deterministic": {"total": _r(det.sum()), **{p: _r(det[i]) for i, p in enumerate(PAYERS)}},
        "net_savings": describe(total),
        "net_savings_by_payer": {p: describe(net[:, i]) for i, p in enumerate(PAYERS)},
        "prob_saving": round(float(np.mean(total > 0)), 4),
        "histogram": histogram(total, bins),
    }


# -- one-way sensitivity ---------------------------------------------------------------------


def one_way(model: Model) -> tuple[list[Group], Annual | None]:
    """Every live group at its low (draw 2i) and at its high (draw 2i+1), all else at base, in
    one engine call: the rows of every tornado (portfolio here, per model in the reports)."""
    live = live_groups(model.groups)
    if not live:
        return [], None
    v = model.params.base_values(2 * len(live))
    for i, g in enumerate(live):
        for m in g.members:
            v[m.path][2 * i] = m.marginal.low
            v[m.path][2 * i + 1] = m.marginal.high
    for path, src in model.derived.items():
        v[path] = 1.0 - v[src]
    return live, annual(model.scenario, v, model.params)


def tornado(model: Model) -> list[dict[str, Any]]:
    """Each live group at its low and at its high (all else at base), ranked by the swing in
    the portfolio's annual net saving (council plus NHS)."""
    live, res = one_way(model)
    if res is None:
        return []
    net = res.portfolio.sum(axis=1)
    rows = []
    for i, g in enumerate(live):
        lo, hi = float(net[2 * i]), float(net[2 * i + 1])
        m = g.members[0].marginal
        rows.append(
            {
                "parameter": g.id,
                "label": g.label,
                "paths": list(g.paths),
                "low_value": m.low,
                "value": m.value,
                "high_value": m.high,
                "low": _r(lo),
                "high": _r(hi),
                "swing": _r(abs(hi - lo)),
            }
        )
    rows.sort(key=lambda r: (-r["swing"], r["parameter"]))
    return rows


# -- NPV (the appraisal module) --------------------------------------------------------------


def _npv(model: Model, values: dict[str, np.ndarray], chunk: int, progress: Progress | None, appraisal: Any = None):
    """NPV per draw over the appraisal period, by intervention and for the portfolio (D,) each,
    with the appraisal settings given (default: the appraisal's defaults; the NPV-only route,
    ``chunk`` draws at a time)."""
    from ..appraisal import appraise_npv

    n = len(next(iter(values.values())))
    ivs: dict[str, list[np.ndarray]] = {iv.id: [] for iv in model.scenario.interventions}
    port: list[np.ndarray] = []
    settings = None
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        res = appraise_npv(model.scenario, appraisal, {k: a[start:stop] for k, a in values.items()}, model.params)
        settings = res.settings
        for iid in ivs:
            ivs[iid].append(res.npv(iid))
        port.append(res.portfolio)
        if progress is not None:
            progress(stop, n)
    return {k: np.concatenate(v) for k, v in ivs.items()}, np.concatenate(port), settings


# -- the whole run ---------------------------------------------------------------------------


def _settings_kwargs(settings: Mapping[str, Any]) -> dict[str, Any]:
    import dataclasses

    valid = [f.name for f in dataclasses.fields(UncertaintySettings)]
    for key in settings:
        if key not in valid:
            raise SettingsError(f"settings: unknown setting {key!r}; valid settings are: {', '.join(valid)}")
    return dict(settings)


def run_uncertainty(
    scenario: Scenario,
    settings: UncertaintySettings | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    defaults: UncertaintyDefaults | None = None,
    *,
    appraisal: Any = None,
) -> dict[str, Any]:
    """Monte Carlo, tornado, switching values and (if ``settings.sobol``) Sobol indices.

    ``appraisal``: the appraisal settings the NPV draws use (default: the appraisal's defaults).

    ``progress(stage, done, total)`` is called as each parameter group is drawn and as chunks
    of draws finish (for a progress bar); an exception it raises stops the run there (how the
    web app cancels a background job).
    """
    expect(scenario, Scenario, "scenario", "a Scenario from carescale.define_scenario(...)")
    if isinstance(settings, Mapping):
        settings = UncertaintySettings(**_settings_kwargs(settings))
    if settings is not None:
        expect(settings, UncertaintySettings, "settings", "UncertaintySettings, a mapping of its fields or None")
    s = settings or UncertaintySettings()
    if not scenario.interventions:
        from ..errors import ModelError

        raise ModelError(
            f"area {scenario.area.id!r}: no care model can be run on it (see 'not_modelled' in the run's "
            "result), so there is nothing to analyse; add the cohorts the models need to the area profile"
        )
    model = Model.build(scenario, s.width_scale, defaults)

    def stage(name: str) -> Progress | None:
        return None if progress is None else (lambda done, total: progress(name, done, total))

    values = model.draws(s.draws, s.seed, stage("Drawing figures"))
    sim = annual(scenario, values, model.params, s.chunk, stage("Monte Carlo"))
    det = annual(scenario, model.params.base_values(1), model.params)
    if progress is not None:
        progress("Switching values", 0, 1)
    switching = switching_values(scenario, model.params, model.groups, model.defaults)

    npv = None
    npv_switching: dict[str, list] = {}
    if s.npv:
        got = _npv(model, values, s.chunk, stage("NPV"), appraisal)
        if got is not None:
            det_npv = _npv(model, model.params.base_values(1), 1, None, appraisal)
            npv = (got, det_npv)
            goal = f"pays back within the {det_npv[2].years}-year appraisal (NPV of zero or more)"
            npv_switching = switching_values(
                scenario, model.params, model.groups, model.defaults, npv_net(scenario, model.params, appraisal), goal
            )

    interventions = []
    for iv in scenario.interventions:
        item = {"id": iv.id, "name": iv.name, "evidence_level": iv.evidence_grade.level}
        item.update(_block(sim.net[iv.id], det.net[iv.id][0], s.bins))
        # social value a year (wellbeing, health; docs/appraisal.md "Social value"), apart from the money
        item["social_value"] = {"deterministic": _r(det.social[iv.id][0]), "summary": describe(sim.social[iv.id])}
        if npv is not None:
            (ivs, _, _), (dets, _, _) = npv
            item["npv"] = _npv_block(ivs[iv.id], float(dets[iv.id][0]), s.bins)
        item["switching_values"] = switching[iv.id]
        if npv is not None:
            item["npv_switching_values"] = npv_switching[iv.id]
        interventions.append(item)
    portfolio = _block(sim.portfolio, det.portfolio[0], s.bins)
    social_draws = sum(sim.social.values()) if sim.social else np.zeros(len(sim.portfolio))
    portfolio["social_value"] = {"deterministic": _r(sum(float(v[0]) for v in det.social.values())),
                                 "summary": describe(np.asarray(social_draws, dtype=float))}
    portfolio["switching_values"] = overlap_switching_values(scenario, model.params)
    npv_settings = None
    if npv is not None:
        (_, port, st), (_, det_port, _) = npv
        portfolio["npv"] = _npv_block(port, float(det_port[0]), s.bins)
        npv_settings = {"years": st.years, "discount_rate": getattr(st, "discount_rate", None)}
        from ..appraisal import appraise_npv

        portfolio["npv_switching_values"] = overlap_switching_values(
            scenario, model.params,
            lambda v: appraise_npv(scenario, appraisal, v, model.params).portfolio_by_payer, goal)

    out: dict[str, Any] = {
        "area": {"id": scenario.area.id, "name": scenario.area.name},
        "basis": scenario.basis,
        "draws": s.draws,
        "seed": s.seed,
        "width_scale": s.width_scale,
        "measure": MEASURE,
        "npv_settings": npv_settings,
        "interventions": interventions,
        "portfolio": portfolio,
        "tornado": tornado(model),
        "sobol": None,
        "parameters": [
            {
                "path": r.path,
                "label": r.parameter.label,
                "distribution": None if r.marginal.fixed else r.marginal.distribution,
                "value": r.marginal.value,
                "low": r.marginal.low,
                "high": r.marginal.high,
                "source": r.source,
            }
            for r in model.ranges
        ],
        "correlation_groups": [
            {"id": g.id, "paths": list(g.paths), "reason": g.declared.rationale if g.declared else "the same figure used at several places"}
            for g in model.groups
            if len(g.members) > 1
        ]
        + [{"id": p, "paths": [src, p], "reason": f"{p} = 1 - {src} (cost shares add up to 1)"} for p, src in model.derived.items()],
        "not_modelled": [{"id": n.id, "missing": list(n.missing)} for n in scenario.not_modelled],
        "prices": price_basis(scenario),
        "changes": changes(model.params, scenario),
    }
    if s.sobol:
        out["sobol"] = portfolio_sobol(model, s.sobol_samples, s.seed, s.chunk, stage("Sobol"))
    return out


def _npv_block(x: np.ndarray, det: float, bins: int) -> dict[str, Any]:
    return {
        "deterministic": _r(det),
        "summary": describe(x),
        "prob_positive": round(float(np.mean(x > 0)), 4),
        "histogram": histogram(x, bins),
    }


def portfolio_sobol(model: Model, n: int, seed: int, chunk: int = 25_000, progress: Progress | None = None) -> list[dict[str, Any]]:
    """Sobol indices of the portfolio's annual net saving, one input per live group."""
    live = live_groups(model.groups)
    if not live:
        return []

    def func(u: np.ndarray) -> np.ndarray:
        return annual(model.scenario, model.at(u), model.params, chunk, progress).portfolio.sum(axis=1)

    si = sobol_indices(func, [g.id for g in live], [[0.0, 1.0]] * len(live), n, seed)
    return sobol_table(si, [g.id for g in live], [g.label for g in live])
