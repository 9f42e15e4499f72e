"""Counting what the engine does for a document (issue 20: nothing calls the engine twice for the
same document). Used by the plans, optimiser and national tests."""

from __future__ import annotations

from typing import Any, Iterator

import carescale.engine
import carescale.scenarios.evaluation as evaluation_module
from carescale.scenarios import clear_evaluations


def count_engine_calls(monkeypatch: Any) -> Iterator[dict[str, Any]]:
    """Counts of document builds (``build``, and the scenario ids in ``documents``) and of
    steady-state engine runs of a document's own values (``steady``: ``values`` not given; Monte
    Carlo draws and switching values pass values of their own). The evaluation cache is cleared
    before and after, so earlier tests' evaluations are not counted as reused."""
    calls: dict[str, Any] = {"build": 0, "steady": 0, "documents": []}
    build, evaluate = evaluation_module.build_scenario, carescale.engine.evaluate

    def counting_build(doc, library=None):
        calls["build"] += 1
        calls["documents"].append(doc.scenario_id)
        return build(doc, library)

    def counting_evaluate(scenario, values=None, *args, **kwargs):
        if values is None:
            calls["steady"] += 1
        return evaluate(scenario, values, *args, **kwargs)

    monkeypatch.setattr(evaluation_module, "build_scenario", counting_build)
    monkeypatch.setattr(carescale.engine, "evaluate", counting_evaluate)
    clear_evaluations()
    yield calls
    clear_evaluations()
