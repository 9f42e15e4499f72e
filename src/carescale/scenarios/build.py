"""From a scenario document to a :class:`carescale.Scenario` and the JSON every shell prints.

``build_scenario`` is the one place a document becomes a scenario. What is worked out from it
(run, appraisal, uncertainty) is in :mod:`carescale.scenarios.evaluation`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from ..errors import CarescaleError
from ..library import Library, default_library, load_area_file
from ..engine.scenario import Scenario, define_scenario
from .document import AreaFile, AreaInline, ScenarioDocument


class Built(NamedTuple):
    """A built scenario and its parameter values (one draw, overrides applied)."""

    scenario: Scenario
    values: dict[str, np.ndarray]


def _resolve(doc: ScenarioDocument, relative: str) -> Path:
    """The path a file field names; a document from the web never gets this far (refused
    again here, so no caller can open a path for one by mistake)."""
    if doc.origin != "cli":
        from .document import refuse_files

        refuse_files(doc.data())
    p = Path(relative)
    if not p.is_absolute() and doc.base_dir is not None and (doc.base_dir / p).exists():
        return doc.base_dir / p
    return p


def document_prices(doc: ScenarioDocument):
    """The document's :class:`carescale.prices.PriceBase`, or None (published prices)."""
    if not doc.reprice:
        return None
    from ..prices import price_base

    index = _resolve(doc, doc.price_index) if doc.price_index else None
    return price_base(doc.price_base_year, index)


def library_for(doc: ScenarioDocument, library: Library | None = None) -> tuple[Library, str, dict[str, Any]]:
    """The library holding the document's area, the area id, and any assumptions the area file
    carries (the template's assumptions section)."""
    lib = library or default_library()
    area = doc.area
    if isinstance(area, str):
        return lib, area, {}
    if isinstance(area, AreaInline):
        return lib.with_area(area.inline, "area.inline"), area.inline.id, {}
    path = _resolve(doc, area.file if isinstance(area, AreaFile) else str(area))
    assumptions: dict[str, Any] = {}
    if path.suffix.lower() in (".csv", ".xlsx"):
        from ..areas import read_area_file

        imported = read_area_file(path, lib)
        loaded = imported.area
        assumptions = dict(imported.assumptions)
    else:
        loaded = load_area_file(path, lib)
    return lib.with_area(loaded, str(area.file)), loaded.id, assumptions


def build_scenario(doc: ScenarioDocument, library: Library | None = None) -> Built:
    """The scenario a document describes (overrides, scale and price base applied) and its
    parameter values. Overrides in the document win over assumptions in an area template.
    A problem raises the one-line error, naming the scenario file when it came from one."""
    try:
        return _build(doc, library)
    except CarescaleError as exc:
        if not doc.source:
            raise
        exc.message = f"{doc.source}: {exc.message}"
        exc.args = (exc.message,)
        raise


def _build(doc: ScenarioDocument, library: Library | None) -> Built:
    lib, area_id, assumptions = library_for(doc, library)
    overrides: dict[str, Any] = {**assumptions}
    overrides.update({k: o.model_dump(exclude_none=True) for k, o in doc.overrides.items()})
    scenario = define_scenario(
        area_id,
        list(doc.interventions) if doc.interventions is not None else None,
        doc.basis,
        library=lib,
        overrides=overrides or None,
        scale=doc.scale or None,
        prices=document_prices(doc),
    )
    from ..engine import ParameterTable

    return Built(scenario, ParameterTable.from_scenario(scenario).base_values())


def _stamp(doc: ScenarioDocument, data: dict[str, Any], scenario_id: str | None = None) -> dict[str, Any]:
    """``data`` under the document's id (``scenario_id``, when already worked out) and note."""
    return {"scenario": {"id": scenario_id or doc.scenario_id, "note": doc.note}, **data}
