"""The ONE place plans and logic models turn into a scenario (the brief's scenario-document
contract). With :mod:`carescale.scenarios` present, a plan's scenario is a real
``ScenarioDocument`` built by ``build_scenario``; until then a document of the same shape
(``version``, ``area``, ``interventions``, ``basis``, ``scale``, ``note``) is kept as canonical
JSON with its content hash, and ``scale`` is applied to the take-up rates here."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..library import Library
from ..scenario import Scenario, define_scenario


def _scenarios_package() -> Any | None:
    try:
        from .. import scenarios  # type: ignore[attr-defined]
    except ImportError:
        return None
    return scenarios if hasattr(scenarios, "ScenarioDocument") else None


@dataclass(frozen=True)
class PlainDocument:
    """Stands in for ``ScenarioDocument`` until carescale.scenarios is in this build."""

    data: dict[str, Any]

    def canonical_json(self) -> str:
        return json.dumps(self.data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @property
    def scenario_id(self) -> str:
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()


def make_document(area: str, intervention: str, scale: float, note: str | None = None) -> Any:
    """The scenario document of one model in one area at ``scale`` (share of its potential)."""
    data: dict[str, Any] = {
        "version": 1,
        "area": area,
        "interventions": [intervention],
        "basis": "potential",
        "scale": {intervention: float(scale)},
        # a logic model's and a plan's money is in the prices they are written in (the plan's
        # budget has its own price year), so nothing is re-priced
        "reprice": False,
    }
    if note:
        data["note"] = note
    pkg = _scenarios_package()
    if pkg is not None:
        return pkg.parse_data(data) if hasattr(pkg, "parse_data") else pkg.ScenarioDocument.model_validate(data)
    return PlainDocument(data)


def document_from_json(text: str) -> Any:
    pkg = _scenarios_package()
    if pkg is not None:
        return pkg.parse_scenario(text)
    return PlainDocument(json.loads(text))


def document_data(doc: Any) -> dict[str, Any]:
    return json.loads(doc.canonical_json())


Adjust = Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]]


def build(doc: Any, library: Library) -> tuple[Scenario, Adjust]:
    """The scenario a document describes, and a function that applies to any parameter values
    what the scenario itself does not (nothing, once carescale.scenarios builds it)."""
    pkg = _scenarios_package()
    if pkg is not None:
        built = pkg.build_scenario(doc, library=library)
        return built.scenario, lambda v: v
    data = document_data(doc)
    scenario = define_scenario(data["area"], data["interventions"], data.get("basis", "potential"), library=library)
    scale = data.get("scale", {})

    def adjust(values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        out = dict(values)
        for iv in scenario.interventions:
            s = float(scale.get(iv.id, 1.0))
            if s != 1.0:
                for seg in iv.segments:
                    path = f"{iv.id}.{seg.id}.sizing.rate"
                    if path in out:
                        out[path] = out[path] * s
        return out

    return scenario, adjust
