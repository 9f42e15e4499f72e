"""What every report is made from: one evaluated scenario (the one adapter).

:func:`prepare` is the only place the report package reads results: it takes a scenario
document (or an :class:`carescale.scenarios.Evaluation` already made from one) and gathers, from
the document's evaluation, the steady-state result and its JSON summary, the monthly appraisal
and its JSON summary, the Monte Carlo summary, each model's one-way sensitivity and the list of
figures the scenario changed from the evidence, into a :class:`ReportData`. Nothing here calls
the engine for a figure the evaluation already has: a report made after the result page reuses
the page's Monte Carlo (:func:`carescale.scenarios.evaluate_document` keeps the evaluations of
the process). Every writer (workbook, HTML/PDF, Markdown) only lays out what is in it, so all
formats show the same figures as ``carescale run/appraise/uncertainty``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from ..engine import ParameterTable, PortfolioResult
from ..engine.parameters import reprice
from ..engine.scenario import Scenario
from ..errors import SettingsError
from ..library import DATA_DIR, Library, default_library, read_yaml
from ..scenarios import Evaluation, ScenarioDocument, evaluate_document, parse_data, parse_scenario
from ..uncertainty import Model
from ..uncertainty.analysis import one_way


@dataclass(frozen=True, eq=False)
class ReportData:
    """One scenario document, evaluated once for every report format."""

    evaluation: Evaluation  # where every figure below comes from
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
    bridge: dict[str, Any]  # from the evidence figure to each headline (carescale.appraisal.bridge)
    tornados: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # model id -> rows
    cache: dict[str, Any] = field(default_factory=dict, repr=False)  # rendered parts shared by formats
    #: a plan's review history (``carescale.plans.history.review_history``), when the report is a plan's
    history: dict[str, Any] | None = None

    def with_history(self, history: dict[str, Any] | None) -> "ReportData":
        """The same report carrying a plan's review history (its own rendered parts)."""
        import dataclasses

        return dataclasses.replace(self, history=history, cache={})

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

    @property
    def documents(self) -> dict[str, Any]:
        """The library's source documents by id (titles, publishers and dates for references)."""
        lib = self.library if self.library is not None else default_library()
        return dict(lib.sources.documents)

    @property
    def baseline(self) -> dict[str, Any] | None:
        """What the council spends now (:mod:`carescale.official.spend_baseline`), in the run's
        price base, as plain sentences: for any council profile (built-in, a council's own, or the
        paper's Birmingham: the official spend is context beside the paper's figures, which stay as
        published); None for a source site or an area that is no council."""
        if "baseline" not in self.cache:
            from ..official.spend_baseline import baseline_for_area, baseline_lines

            area = self.scenario.area
            b = baseline_for_area(area, self.prices.get("year"))
            self.cache["baseline"] = None if b is None else {"name": b["name"], "lines": baseline_lines(b)}
        return self.cache["baseline"]

    def evidence_value(self, path: str) -> float:
        """The evidence figure at ``path`` in this scenario's price base (before overrides)."""
        return float(reprice(self.params[path].published, self.scenario).value)


@functools.lru_cache(maxsize=1)
def transformation_areas() -> dict[int, str]:
    """The paper's five areas of transformation, by number."""
    raw = read_yaml(DATA_DIR / "transformation_areas.yaml")
    return {int(k): str(v) for k, v in raw["areas"].items()}


def as_document(doc: ScenarioDocument | Mapping[str, Any] | str | None) -> ScenarioDocument:
    """A scenario document from a document, plain data, YAML/JSON text, or None (the defaults)."""
    if doc is None:
        return ScenarioDocument()
    if isinstance(doc, ScenarioDocument):
        return doc
    if isinstance(doc, str):
        return parse_scenario(doc)
    if isinstance(doc, Mapping):
        return parse_data(dict(doc))
    raise SettingsError(f"scenario: {type(doc).__name__} is not a scenario document; give a ScenarioDocument, a mapping or YAML text")


def evaluation_of(doc: Evaluation | ScenarioDocument | Mapping[str, Any] | str | None,
                  library: Library | None = None) -> Evaluation:
    """The evaluation a report is made from: ``doc`` itself when it is one, otherwise the
    process-wide evaluation of the document (:func:`carescale.scenarios.evaluate_document`)."""
    if isinstance(doc, Evaluation):
        return doc
    return evaluate_document(as_document(doc), library)


def prepare(doc: Evaluation | ScenarioDocument | Mapping[str, Any] | str | None = None, library: Library | None = None,
            *, uncertainty: bool = True) -> ReportData:
    """Everything the reports show for a scenario document (or its :class:`Evaluation`), read
    from its evaluation: the same scenario, values and results as ``carescale run``,
    ``appraise`` and ``uncertainty`` give for that document. The Monte Carlo (``uncertainty``)
    runs only if the evaluation has not run it already."""
    ev = evaluation_of(doc, library)
    unc = None
    tornados: dict[str, list[dict[str, Any]]] = {}
    if uncertainty:
        unc = ev.uncertainty()
        tornados = one_way_by_model(ev.model, ev.scenario)
    return ReportData(
        evaluation=ev,
        doc=ev.document,
        library=ev.library,
        scenario=ev.scenario,
        params=ev.parameters,
        values=ev.values,
        result=ev.result,
        run=ev.run,
        appraisal=ev.appraisal(monthly=True),
        appraisal_summary=ev.appraisal_summary(monthly=True),
        uncertainty=unc,
        bridge=ev.bridge(),
        tornados=tornados,
    )


def model_tornados(scenario: Scenario, width_scale: float = 1.0) -> dict[str, list[dict[str, Any]]]:
    """One-way sensitivity of each model's own annual net saving for ``scenario`` (see
    :func:`one_way_by_model`; a report reads it from the evaluation's ``model`` instead)."""
    return one_way_by_model(Model.build(scenario, width_scale), scenario)


def one_way_by_model(model: Model, scenario: Scenario) -> dict[str, list[dict[str, Any]]]:
    """One-way sensitivity of each model's own annual net saving (council plus NHS): every
    uncertain figure at its low and at its high value, all else at base, in one engine call
    (as :func:`carescale.uncertainty.tornado` does for the portfolio). Rows that do not move a
    model are left out of its list; each list is sorted by swing."""
    live, res = one_way(model)
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
