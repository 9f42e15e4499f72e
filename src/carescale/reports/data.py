"""What every report is made from: one scenario, evaluated once (the one adapter).

:func:`prepare` is the only place the report package touches the engine: it turns a scenario
document into a :class:`ReportData` holding the steady-state result and its JSON summary, the
monthly appraisal and its JSON summary, the Monte Carlo summary, and the list of figures the
scenario changed from the evidence. Every writer (workbook, HTML/PDF, Markdown) only lays out
what is in it, so all formats show the same figures as ``carescale run/appraise/uncertainty``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from ..engine import ParameterTable, PortfolioResult, evaluate
from ..errors import SettingsError
from ..library import Library
from ..engine.scenario import Scenario

if TYPE_CHECKING:
    from ..scenarios import ScenarioDocument


@dataclass(frozen=True, eq=False)
class ReportData:
    """One scenario document, evaluated once for every report format."""

    doc: ScenarioDocument
    library: Library | None
    scenario: Scenario
    params: ParameterTable
    values: dict[str, np.ndarray]  # one draw, with the document's overrides and price base
    result: PortfolioResult  # steady state
    run: dict[str, Any]  # what `carescale run --format json` prints for the document
    appraisal: Any  # AppraisalResult with monthly flows
    appraisal_summary: dict[str, Any]  # what `carescale appraise --format json` prints
    uncertainty: dict[str, Any] | None  # what `carescale uncertainty --format json` prints
    tornados: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # model id -> rows
    cache: dict[str, Any] = field(default_factory=dict, repr=False)  # rendered parts shared by formats

    @property
    def area_name(self) -> str:
        return self.scenario.area.name

    @property
    def note(self) -> str:
        return self.doc.note

    @property
    def changes(self) -> list[dict[str, Any]]:
        """Each figure changed from the evidence (``carescale.engine.summary.changes``)."""
        return self.run.get("changes", [])

    @property
    def prices(self) -> dict[str, Any]:
        return self.run.get("prices") or {}

    def evidence_value(self, path: str) -> float:
        """The evidence figure at ``path`` in this scenario's price base (before overrides)."""
        from ..engine.parameters import reprice

        return float(reprice(self.params[path].published, self.scenario).value)


def as_document(doc: ScenarioDocument | Mapping[str, Any] | str | None) -> ScenarioDocument:
    """A scenario document from a document, plain data, YAML/JSON text, or None (the defaults)."""
    from ..scenarios import ScenarioDocument, parse_data, parse_scenario

    if doc is None:
        return ScenarioDocument()
    if isinstance(doc, ScenarioDocument):
        return doc
    if isinstance(doc, str):
        return parse_scenario(doc)
    if isinstance(doc, Mapping):
        return parse_data(dict(doc))
    raise SettingsError(f"scenario: {type(doc).__name__} is not a scenario document; give a ScenarioDocument, a mapping or YAML text")


def prepare(doc: ScenarioDocument | Mapping[str, Any] | str | None = None, library: Library | None = None,
            *, uncertainty: bool = True) -> ReportData:
    """Evaluate a scenario document once for every report format (the one adapter over the
    engine): the same scenario, values and results as ``carescale run``, ``appraise`` and
    ``uncertainty`` give for that document."""
    from ..appraisal import appraisal_summary, appraise
    from ..engine.summary import summary
    from ..scenarios import build_scenario

    doc = as_document(doc)
    scenario, values = build_scenario(doc, library)
    params = ParameterTable.from_scenario(scenario)
    result = evaluate(scenario, values, parameters=params)
    stamp = {"scenario": {"id": doc.scenario_id, "note": doc.note}}
    appraised = appraise(scenario, doc.appraisal, values, params, monthly=True)
    unc = None
    tornados: dict[str, list[dict[str, Any]]] = {}
    if uncertainty:
        from ..uncertainty import run_uncertainty

        settings = doc.uncertainty.settings()
        unc = {**stamp, **run_uncertainty(scenario, settings, appraisal=doc.appraisal)}
        tornados = model_tornados(scenario, settings.width_scale)
    return ReportData(
        doc=doc,
        library=library,
        scenario=scenario,
        params=params,
        values=values,
        result=result,
        run={**stamp, **summary(result)},
        appraisal=appraised,
        appraisal_summary={**stamp, **appraisal_summary(appraised)},
        uncertainty=unc,
        tornados=tornados,
    )


def model_tornados(scenario: Scenario, width_scale: float = 1.0) -> dict[str, list[dict[str, Any]]]:
    """One-way sensitivity of each model's own annual net saving (council plus NHS): every
    uncertain figure at its low and at its high value, all else at base, in one engine call
    (as :func:`carescale.uncertainty.tornado` does for the portfolio). Rows that do not move a
    model are left out of its list; each list is sorted by swing."""
    from ..uncertainty import Model
    from ..uncertainty.analysis import one_way

    live, res = one_way(Model.build(scenario, width_scale))
    if res is None:
        return {}
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
