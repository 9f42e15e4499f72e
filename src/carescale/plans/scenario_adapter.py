"""The one place logic models and plans become scenarios: a ``carescale.scenarios``
``ScenarioDocument`` (the brief's contract), evaluated once through its
:class:`carescale.scenarios.Evaluation` with a library that holds the logic model."""

from __future__ import annotations

from typing import Any

from ..engine.scenario import Scenario
from ..library import Library
from ..scenarios import Evaluation, evaluate_document, parse_data, parse_scenario


def make_document(
    intervention: str,
    *,
    area: str | None = None,
    scale: float = 1.0,
    base: Any = None,
    note: str | None = None,
    start: Any = None,
) -> Any:
    """The scenario document of one model at ``scale`` (share of its potential): the user's own
    document ``base`` (area, overrides, appraisal and uncertainty settings, prices) narrowed to
    this model, or a new one in ``area``. A new document keeps every figure in the prices it is
    written in (``reprice: false``): reviews compare the spend a council records with the plan's
    money, so both stay in the same money (putting recorded cash and a real price base together is
    left to issue 21's cash view). It is appraised with the one yardstick of
    ``data/plans_defaults.yaml: appraisal`` (a user's own document keeps its own settings).
    ``start``: the appraisal's first month (a plan's start)."""
    if base is not None:
        changes: dict[str, Any] = {"interventions": [intervention], "scale": {intervention: float(scale)}}
        if start is not None:
            changes["appraisal"] = {**base.appraisal.model_dump(mode="json"), "start_date": start.isoformat()}
        if note and not base.note:  # the user's own note is kept
            changes["note"] = note
        return base.with_changes(**changes)
    data: dict[str, Any] = {
        "version": 1,
        "area": area or "birmingham",
        "interventions": [intervention],
        "basis": "potential",
        "scale": {intervention: float(scale)},
        "reprice": False,
        "appraisal": yardstick(start),
    }
    if note:
        data["note"] = note
    return parse_data(data)


def yardstick(start: Any = None) -> dict[str, Any]:
    """The appraisal settings of a document carescale makes for a logic model or a plan: the
    one yardstick shared by ``logic-model run``, the plan's NPV and targets, and its reviews."""
    from .defaults import load_plan_defaults

    out: dict[str, Any] = {"optimism_bias": load_plan_defaults().appraisal.optimism_bias}
    if start is not None:
        out["start_date"] = start.isoformat()
    return out


def document_from_json(text: str) -> Any:
    return parse_scenario(text)


def evaluation(doc: Any, library: Library) -> Evaluation:
    """The document's one :class:`~carescale.scenarios.Evaluation` in ``library`` (built, run,
    appraised and put through Monte Carlo at most once, however many outputs read it)."""
    return evaluate_document(doc, library)


def build(doc: Any, library: Library) -> Scenario:
    """The scenario a document describes (overrides, scale and prices applied): the evaluation's."""
    return evaluation(doc, library).scenario


def area_label(doc: Any) -> str:
    """The document's area as a short label (an id, or the file it names, or the inline id)."""
    area = doc.area
    if isinstance(area, str):
        return area
    return getattr(area, "file", None) or getattr(getattr(area, "inline", None), "id", "inline")
