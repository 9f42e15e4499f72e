"""The one adapter between the optimiser and the rest of carescale.

Everything the optimiser knows about a portfolio comes from the real engine and appraisal,
evaluated through the two functions here:

* :func:`scaled_values` puts each model at a *scale* (a share of its potential, the scenario
  document's ``scale``) through the engine's vectorised ``<intervention>.scale`` path: the
  engine multiplies every segment's beneficiaries and every spend reduction by it. The values
  keep their draws axis, so many scale vectors (one per draw) are evaluated in one engine call.
* :func:`load_problem` turns a scenario document (``carescale.scenarios``) into the scenario with
  every candidate model at its full potential, its values (overrides and price base applied),
  the appraisal settings and the document the chosen portfolio is written back into.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from ..engine import ParameterTable
from ..engine.parameters import Values
from ..engine.scenario import Scenario
from ..errors import SettingsError
from ..schema.rules import SCALE

#: A solver's answer may pass a bound by its tolerance (1.0000000001): within this it is the bound.
SOLVER_SLACK = 1e-7


def _col(a: Any, D: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(a, dtype=float).reshape(-1), (D,)) if np.ndim(a) else np.full(D, float(a))


def n_draws(values: Values) -> int:
    sizes = {np.shape(v)[0] for v in values.values() if np.ndim(v) == 1} - {1}
    return max(sizes) if sizes else 1


def scaled_values(
    scenario: Scenario, params: ParameterTable, values: Values, scales: Mapping[str, Any]
) -> dict[str, np.ndarray]:
    """A copy of ``values`` in which intervention ``i`` runs at ``scales[i]`` (a number, or an
    array over draws) of its potential; interventions not named keep the scenario's scale."""
    D = max(n_draws(values), *(np.size(s) for s in scales.values())) if scales else n_draws(values)
    out = {k: np.asarray(v, dtype=float) for k, v in values.items()}
    for iv in scenario.interventions:
        if iv.id in scales:
            out[f"{iv.id}.scale"] = _scale(iv.id, _col(scales[iv.id], D))
    return out


def _scale(iid: str, x: np.ndarray) -> np.ndarray:
    """A model's scales checked against the scale's rule (schema/rules.py: a share from 0 to 1),
    a solver's rounding past a bound taken as the bound."""
    bad = x[~((x >= SCALE.low - SOLVER_SLACK) & (x <= SCALE.high + SOLVER_SLACK))]
    if bad.size:
        raise SettingsError(f"scale.{iid}: {SCALE.problem(float(bad[0]), 'scale')}")
    return np.clip(x, SCALE.low, SCALE.high)


@dataclass(frozen=True)
class Problem:
    """What the optimiser works on: a scenario (every candidate model), its parameter table,
    the appraisal settings, and the document the chosen portfolio is written back into."""

    scenario: Scenario
    params: ParameterTable
    settings: Any  # AppraisalSettings
    document: Any  # carescale.scenarios.ScenarioDocument
    uncertainty: Any = None  # the document's UncertaintyOptions (draws, seed, width_scale)
    values: Any = None  # base values (one draw) with the document's overrides; None: the evidence values
    evaluation: Any = None  # the carescale.scenarios.Evaluation of the document at full potential, if any

    def base_values(self) -> dict[str, np.ndarray]:
        return dict(self.values) if self.values is not None else self.params.base_values(1)


def to_document(document: Any = None, **fields: Any):
    """A ``ScenarioDocument`` from a document, a path to one, or a mapping of its fields, with
    ``fields`` (any document field) replacing the document's."""
    from ..scenarios import ScenarioDocument, load_scenario, parse_data

    if document is None:
        doc = ScenarioDocument()
    elif isinstance(document, ScenarioDocument):
        doc = document
    elif isinstance(document, Mapping):
        doc = parse_data(dict(document), "scenario")
    else:
        doc = load_scenario(document)
    change = {k: v for k, v in fields.items() if v is not None}
    return doc.with_changes(**change) if change else doc


def load_problem(document: Any = None, **fields: Any) -> Problem:
    """A :class:`Problem` from a scenario document (see :func:`to_document`). The document's own
    ``scale`` is set aside: the optimiser chooses the scales. The document at full potential is
    read from its one :class:`~carescale.scenarios.Evaluation` (built once per process)."""
    from ..scenarios import evaluate_document

    doc = to_document(document, **fields)
    ev = evaluate_document(doc.with_changes(scale={}))
    return Problem(ev.scenario, ev.parameters, doc.appraisal, doc, doc.uncertainty, ev.values, ev)


def document_yaml(doc: Any) -> str:
    """The scenario document as YAML text."""
    return doc.to_yaml()
