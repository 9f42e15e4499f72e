"""The optimiser reads its document from one evaluated scenario (issue 20): the document at full
potential is built, appraised and run once, however many optimisations read it; candidates'
appraisals (other scales: other values) are the optimiser's own."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import carescale.scenarios.evaluation as evaluation_module
from carescale.optimise import optimise
from carescale.optimise.adapter import load_problem, to_document
from carescale.optimise.coefficients import coefficients
from carescale.scenarios import build_scenario, clear_evaluations, evaluate_document

BHAM = {"area": "birmingham"}


@pytest.fixture
def builds(monkeypatch):
    calls: list[str] = []
    build = evaluation_module.build_scenario

    def counting_build(doc, library=None):
        calls.append(doc.scenario_id)
        return build(doc, library)

    monkeypatch.setattr(evaluation_module, "build_scenario", counting_build)
    clear_evaluations()
    yield calls
    clear_evaluations()


def test_two_optimisations_of_one_document_build_and_appraise_it_once(builds):
    """Before issue 20 every optimisation built the document and appraised it at scale 1 itself."""
    r1 = optimise(BHAM, budget=2_000_000, explain=False)
    r2 = optimise(BHAM, budget=3_000_000, explain=False)
    full = to_document(BHAM).with_changes(scale={})
    assert builds == [full.scenario_id]
    ev = evaluate_document(full)
    assert ev is r1.problem.evaluation is r2.problem.evaluation
    assert ev.calls == {"build": 1, "evaluate": 1, "appraise": 1, "uncertainty": 0}
    assert r2.figures.npv >= r1.figures.npv  # more budget never lowers the optimum
    # the shared base values are not changed by the optimiser's work on them
    fresh = build_scenario(full).values
    assert set(ev.values) == set(fresh)
    for k, v in fresh.items():
        np.testing.assert_array_equal(ev.values[k], v)


def test_coefficients_from_the_evaluation_equal_a_fresh_appraisal():
    """The coefficients read from the Evaluation are those of the appraisal run afresh."""
    clear_evaluations()
    problem = load_problem(BHAM)
    from_ev = coefficients(problem)
    assert problem.evaluation.calls["appraise"] == 1
    alone = coefficients(dataclasses.replace(problem, evaluation=None))
    np.testing.assert_array_equal(from_ev.running, alone.running)
    np.testing.assert_array_equal(from_ev.gross, alone.gross)
    assert from_ev.workforce.keys() == alone.workforce.keys()
    for role in from_ev.workforce:
        np.testing.assert_array_equal(from_ev.workforce[role], alone.workforce[role])
    assert problem.evaluation.calls["appraise"] == 1  # the problem without it appraised for itself


def test_a_changed_problem_does_not_read_the_documents_evaluation():
    """A problem whose settings were replaced appraises under its own settings."""
    clear_evaluations()
    problem = load_problem(BHAM)
    settings = problem.settings.model_copy(update={"years": 3}) if hasattr(problem.settings, "model_copy") \
        else dataclasses.replace(problem.settings, years=3)
    co = coefficients(dataclasses.replace(problem, settings=settings))
    assert co.years == 3 and co.running.shape[2] == 3
    assert problem.evaluation.calls["appraise"] == 0
