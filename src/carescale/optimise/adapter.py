"""The one adapter between the optimiser and the rest of carescale.

Everything the optimiser knows about a portfolio comes from the real engine and appraisal,
evaluated through the two functions here:

* :func:`scaled_values` puts each model at a *scale* (a share of its potential, the scenario
  document's ``scale``) by changing the engine's input values: every segment's beneficiaries and
  every spend reduction are multiplied by the scale (for an ``additional_to_existing`` segment
  the target rate is moved so that the people *added* are scaled). The values keep their draws
  axis, so many scale vectors (one per draw) are evaluated in one engine call.
* :func:`load_problem` turns a scenario document (or its fields) into a scenario, appraisal
  settings and the document's own scales.

When the engine gains the vectorised ``<intervention>.scale`` path (issue 11), only
:func:`scaled_values` changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from ..engine import ParameterTable
from ..engine.parameters import Values
from ..errors import SettingsError
from ..scenario import Scenario


def _col(a: Any, D: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(a, dtype=float).reshape(-1), (D,)) if np.ndim(a) else np.full(D, float(a))


def n_draws(values: Values) -> int:
    sizes = {np.shape(v)[0] for v in values.values() if np.ndim(v) == 1} - {1}
    return max(sizes) if sizes else 1


def scaled_values(
    scenario: Scenario, params: ParameterTable, values: Values, scales: Mapping[str, Any]
) -> dict[str, np.ndarray]:
    """A copy of ``values`` in which intervention ``i`` runs at ``scales[i]`` (a number, or an
    array over draws) of its potential; interventions not named keep scale 1."""
    D = max(n_draws(values), *(np.size(s) for s in scales.values())) if scales else n_draws(values)
    out = {k: np.asarray(v, dtype=float) for k, v in values.items()}
    for iv in scenario.interventions:
        if iv.id not in scales:
            continue
        s = _col(scales[iv.id], D)
        for seg in iv.segments:
            pre = f"{iv.id}.{seg.id}"
            prov_path = f"area.provision.{iv.id}.{seg.id}"
            if scenario.basis == "current":
                if prov_path in out:
                    out[prov_path] = _col(out[prov_path], D) * s
            elif seg.sizing.basis == "share_of_cohort":
                out[f"{pre}.sizing.rate"] = _col(out[f"{pre}.sizing.rate"], D) * s
            elif seg.sizing.basis == "additional_to_existing":
                rate = _col(out[f"{pre}.sizing.rate"], D)
                cohort = _col(out[f"area.cohorts.{seg.sizing.cohort}"], D)
                prov = _col(out[prov_path], D) if prov_path in out else np.zeros(D)
                added = np.maximum(rate * cohort - prov, 0.0) * s
                with np.errstate(divide="ignore", invalid="ignore"):
                    out[f"{pre}.sizing.rate"] = np.where(cohort > 0, (added + prov) / np.where(cohort > 0, cohort, 1.0), 0.0)
            for r in seg.spend_reductions:
                path = f"{pre}.spend_reductions.{r.id}.reduction"
                out[path] = _col(out[path], D) * s
    return out


@dataclass(frozen=True)
class Problem:
    """What the optimiser works on: a scenario (every candidate model), its parameter table,
    the appraisal settings, and the document the chosen portfolio is written back into."""

    scenario: Scenario
    params: ParameterTable
    settings: Any  # AppraisalSettings
    document: dict[str, Any]
    uncertainty: Any = None  # UncertaintySettings or None
    values: Any = None  # base values (one draw) with the document's overrides; None: the evidence values

    def base_values(self) -> dict[str, np.ndarray]:
        return dict(self.values) if self.values is not None else self.params.base_values(1)


def load_problem(document: Any = None, **fields: Any) -> Problem:
    """A :class:`Problem` from a scenario document (a ``carescale.scenarios.ScenarioDocument``,
    a path to one, or a mapping of its fields), with ``fields`` (``area``, ``interventions``,
    ``basis``, ``appraisal``, ``uncertainty``) overriding it."""
    from ..appraisal import make_settings
    from ..scenario import define_scenario
    from ..uncertainty import UncertaintySettings

    data: dict[str, Any] = {}
    doc_obj = None
    try:  # the scenario document package (issue 11), when it is available
        from .. import scenarios as _scenarios  # type: ignore[attr-defined]
    except ImportError:
        _scenarios = None
    if document is not None:
        if _scenarios is not None and not isinstance(document, Mapping):
            doc_obj = _scenarios.load_scenario(document) if not hasattr(document, "canonical_json") else document
            data = doc_obj.model_dump(mode="json", exclude_none=True)
        elif isinstance(document, Mapping):
            data = dict(document)
        else:
            raise SettingsError(
                "scenario: scenario documents need the carescale.scenarios package; give the area and "
                "interventions instead"
            )
    data.update({k: v for k, v in fields.items() if v is not None})
    library = data.pop("library", None)
    if doc_obj is not None and _scenarios is not None and hasattr(_scenarios, "build_scenario") and not fields:
        scenario = _scenarios.build_scenario(doc_obj)
        scenario = scenario[0] if isinstance(scenario, tuple) else scenario
    else:
        area = data.get("area", "birmingham")
        if isinstance(area, Mapping):
            raise SettingsError("area: an area file or inline area needs the carescale.scenarios package; give an area id")
        scenario = define_scenario(area, data.get("interventions"), data.get("basis", "potential"), library=library)
    settings = make_settings(data.get("appraisal") or {})
    unc = data.get("uncertainty")
    unc_settings = UncertaintySettings(**{k: unc[k] for k in ("draws", "seed") if k in unc}) if unc else None
    params = ParameterTable.from_scenario(scenario)
    out_doc = {
        "version": 1,
        "area": data.get("area", scenario.area.id),
        "interventions": [iv.id for iv in scenario.interventions],
        "basis": scenario.basis,
    }
    for key in ("overrides", "appraisal", "uncertainty", "price_base_year", "reprice"):
        if data.get(key) not in (None, {}, []):
            out_doc[key] = data[key]
    return Problem(scenario, params, settings, out_doc, unc_settings)


def read_document(path: Any) -> Any:
    """A scenario document from a YAML file: a ``carescale.scenarios.ScenarioDocument`` when that
    package is available, else the file's mapping (checked when the problem is built)."""
    try:
        from .. import scenarios as _scenarios  # type: ignore[attr-defined]
    except ImportError:
        from ..library import read_yaml

        return read_yaml(path)
    return _scenarios.load_scenario(path)


def document_yaml(doc: Mapping[str, Any]) -> str:
    """The scenario document as YAML text (``ScenarioDocument.to_yaml`` when available)."""
    try:
        from .. import scenarios as _scenarios  # type: ignore[attr-defined]
    except ImportError:
        import yaml

        return yaml.safe_dump(dict(doc), sort_keys=False, allow_unicode=True)
    return _scenarios.ScenarioDocument.model_validate(dict(doc)).to_yaml()
