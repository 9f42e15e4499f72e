"""Scenario documents: the one input of every entry point (CLI, Python, API, pages, reports,
plans, optimiser). docs/scenarios.md is the user's guide.

    from carescale.scenarios import parse_scenario, run_document
    doc = parse_scenario("version: 1\\narea: birmingham\\noverrides:\\n  living-well.older-people-multiple-ltc.people: 2000\\n")
    doc.scenario_id            # stable content hash
    run_document(doc)          # what 'carescale run --format json' prints
    run_frame(doc)             # the same as a tidy DataFrame (model, segment, payer, measure, period, value)
"""

from .build import Built, build_scenario, document_prices, library_for
from .evaluation import (
    Evaluation,
    appraise_document,
    clear_evaluations,
    evaluate_document,
    run_document,
    uncertainty_document,
)
from .document import (
    VERSION,
    AreaFile,
    AreaInline,
    Override,
    ScenarioDocument,
    UncertaintyOptions,
    dump_scenario,
    load_scenario,
    parse_data,
    parse_scenario,
)
from .frames import appraisal_frame, run_frame, uncertainty_frame
from ..engine.overrides import resolve_overrides, valid_paths

__all__ = [
    "VERSION",
    "AreaFile",
    "AreaInline",
    "Built",
    "Evaluation",
    "Override",
    "ScenarioDocument",
    "UncertaintyOptions",
    "appraisal_frame",
    "appraise_document",
    "build_scenario",
    "clear_evaluations",
    "document_prices",
    "dump_scenario",
    "evaluate_document",
    "library_for",
    "load_scenario",
    "parse_data",
    "parse_scenario",
    "resolve_overrides",
    "run_document",
    "run_frame",
    "uncertainty_document",
    "uncertainty_frame",
    "valid_paths",
]
