"""What every report is made from: one scenario, evaluated once (the one adapter).

:func:`prepare` is the only place the report package touches the engine: it turns a scenario
document into a :class:`ReportData` holding the steady-state result and its JSON summary, the
monthly appraisal and its JSON summary, the Monte Carlo summary, and the list of figures the
scenario changed from the evidence. Every writer (workbook, HTML/PDF, Markdown) only lays out
what is in it, so all formats show the same figures as ``carescale run/appraise/uncertainty``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from ..engine import ParameterTable, PortfolioResult, evaluate
from ..errors import SettingsError
from ..scenario import Scenario, define_scenario


@dataclass(frozen=True)
class ReportRequest:
    """What a report is about, with the scenario document's field names (``area``,
    ``interventions``, ``basis``, ``overrides``, ``appraisal``, ``uncertainty``, ``note``).

    ``overrides`` maps a parameter path (as in ``carescale parameters``) to a number or to
    ``{"value": x, "note": "why"}``."""

    area: str = "birmingham"
    interventions: tuple[str, ...] | None = None
    basis: str = "potential"
    overrides: Mapping[str, Any] = field(default_factory=dict)
    appraisal: Mapping[str, Any] = field(default_factory=dict)
    uncertainty: Mapping[str, Any] = field(default_factory=dict)
    note: str | None = None
    library: Any = None


@dataclass(frozen=True)
class Change:
    """A figure the scenario changed from its evidence value."""

    path: str
    label: str
    evidence: float
    value: float
    note: str | None


@dataclass(frozen=True, eq=False)
class ReportData:
    request: Any
    scenario: Scenario
    params: ParameterTable
    values: dict[str, np.ndarray]  # one draw, with the scenario's overrides
    changes: tuple[Change, ...]
    result: PortfolioResult  # steady state
    run: dict[str, Any]  # the `carescale run --format json` contract
    appraisal: Any  # AppraisalResult with monthly flows
    appraisal_summary: dict[str, Any]  # the `carescale appraise --format json` contract
    uncertainty: dict[str, Any] | None  # the `carescale uncertainty --format json` contract
    note: str | None
    tornados: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # model id -> rows

    @property
    def area_name(self) -> str:
        return self.scenario.area.name

    def changed(self, path: str) -> Change | None:
        return next((c for c in self.changes if c.path == path), None)


def _override(path: str, spec: Any) -> tuple[float, str | None]:
    if isinstance(spec, Mapping):
        if "value" not in spec:
            raise SettingsError(f"overrides.{path}: give a value, for example {{value: 0.5, note: why}}")
        return float(spec["value"]), (None if spec.get("note") is None else str(spec["note"]))
    return float(spec), None


def prepare(request: ReportRequest, *, uncertainty: bool = True) -> ReportData:
    """Evaluate ``request`` once for every report format (the one adapter over the engine)."""
    from ..appraisal import appraisal_summary, appraise, make_settings
    from ..report import summary

    scenario = define_scenario(
        request.area,
        list(request.interventions) if request.interventions is not None else None,
        request.basis,
        library=request.library,
    )
    params = ParameterTable.from_scenario(scenario)
    over: dict[str, float] = {}
    changes: list[Change] = []
    for path, spec in request.overrides.items():
        p = params[path]  # one line for an unknown path
        value, note = _override(path, spec)
        over[path] = value
        if value != p.base:
            changes.append(Change(path, p.label, p.base, value, note))
    values = params.with_values(over)
    result = evaluate(scenario, values, parameters=params)
    settings = make_settings(dict(request.appraisal))
    appraised = appraise(scenario, settings, values, params, monthly=True)
    unc = None
    tornados: dict[str, list[dict[str, Any]]] = {}
    if uncertainty:
        from ..uncertainty import UncertaintySettings, run_uncertainty

        u_settings = UncertaintySettings(**dict(request.uncertainty))
        unc = run_uncertainty(scenario, u_settings)
        tornados = model_tornados(scenario, u_settings.width_scale)
    return ReportData(
        request=request,
        scenario=scenario,
        params=params,
        values=values,
        changes=tuple(changes),
        result=result,
        run=summary(result),
        appraisal=appraised,
        appraisal_summary=appraisal_summary(appraised),
        uncertainty=unc,
        note=request.note,
        tornados=tornados,
    )


def model_tornados(scenario: Scenario, width_scale: float = 1.0) -> dict[str, list[dict[str, Any]]]:
    """One-way sensitivity of each model's own annual net saving (council plus NHS): every
    uncertain figure at its low and at its high value, all else at base, in one engine call
    (as :func:`carescale.uncertainty.tornado` does for the portfolio). Rows that do not move a
    model are left out of its list; each list is sorted by swing."""
    from ..uncertainty import Model
    from ..uncertainty.evaluation import annual
    from ..uncertainty.sampling import live_groups

    model = Model.build(scenario, width_scale)
    live = live_groups(model.groups)
    if not live:
        return {}
    v = model.params.base_values(2 * len(live))
    for i, g in enumerate(live):
        for m in g.members:
            v[m.path][2 * i] = m.marginal.low
            v[m.path][2 * i + 1] = m.marginal.high
    for path, src in model.derived.items():
        v[path] = 1.0 - v[src]
    res = annual(scenario, v, model.params)
    out: dict[str, list[dict[str, Any]]] = {}
    for iv in scenario.interventions:
        net = res.net[iv.id].sum(axis=1)
        rows = []
        for i, g in enumerate(live):
            lo, hi = float(net[2 * i]), float(net[2 * i + 1])
            if abs(hi - lo) < 0.5:
                continue
            m = g.members[0].marginal
            rows.append({"parameter": g.id, "label": g.label, "low_value": m.low, "value": m.value,
                         "high_value": m.high, "low": round(lo, 2), "high": round(hi, 2), "swing": round(abs(hi - lo), 2)})
        rows.sort(key=lambda r: (-r["swing"], r["parameter"]))
        out[iv.id] = rows
    return out
