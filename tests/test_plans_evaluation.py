"""Plans and logic models read one evaluated scenario (issue 20): a document is built once and
run once, however many of its outputs a logic model run or a plan needs."""

from __future__ import annotations

import pytest

from carescale.plans import create_plan, load_logic_model, run_logic_model
from carescale.scenarios import clear_evaluations, evaluate_document

from .conftest import REPO
from .engine_calls import count_engine_calls

EXAMPLES = REPO / "docs" / "examples"
LOGIC_MODEL = EXAMPLES / "falls-prevention-logic-model.yaml"
PLAN = EXAMPLES / "falls-prevention-plan.yaml"


@pytest.fixture
def counted(monkeypatch):
    yield from count_engine_calls(monkeypatch)


def test_logic_model_run_builds_and_runs_its_document_once(counted):
    """run, appraisal and uncertainty of a logic model come from one Evaluation (before issue 20
    each was worked out from its own build: three builds of one document)."""
    out = run_logic_model(load_logic_model(LOGIC_MODEL), "birmingham", draws=200)
    assert counted["build"] == 1 and counted["steady"] == 1
    assert counted["documents"] == [out["scenario"]["id"]]
    # the figures the three parts print agree, because they are one evaluation's
    assert out["run"]["scenario"]["id"] == out["appraisal"]["scenario"]["id"] == out["uncertainty"]["scenario"]["id"]
    assert out["uncertainty"]["draws"] == 200
    # what the caller gets is a copy: changing it leaves the shared evaluation alone
    out["run"]["interventions"].clear()
    again = run_logic_model(load_logic_model(LOGIC_MODEL), "birmingham", draws=200)
    assert again["run"]["interventions"][0]["id"] == "falls-prevention-local"


def test_plan_builds_and_runs_its_full_scale_document_once(counted, tmp_path):
    """Creating a plan runs its full-scale document once (the beneficiaries a year) and takes the
    break-even targets from the same built scenario."""
    out = create_plan(PLAN, url=f"sqlite:///{tmp_path / 's.db'}")
    assert counted["build"] == 1 and counted["steady"] == 1
    d = out["definition"]
    assert d["full_scale_people_per_year"] == pytest.approx(149_412 * 0.005, abs=0.01)
    # break-even: 400 = r x 3500 + 0.02 x 6000 -> r = 0.08 (tests/test_plans.py works it by hand)
    fall = next(o for o in d["outcomes"] if o["id"] == "fall-admission-avoided")
    assert fall["break_even_rate"] == pytest.approx(0.08, abs=1e-9)
    # the plan's target scale is full scale (its second phase): the document the targets come
    # from is the stored plan document, whose NPV is the plan's (one yardstick, issue 24)
    assert d["target_scale"] == 1.0 and counted["documents"] == [d["scenario_id"]]
    assert d["npv"] == pytest.approx(143_838.34, abs=0.01)


def test_review_reads_the_plans_document_from_its_evaluation(counted, tmp_path):
    """A review's simulation draws other values (posteriors), but builds the plan's stored
    document through its Evaluation: once per review."""
    from carescale.plans import add_review

    url = f"sqlite:///{tmp_path / 's.db'}"
    out = create_plan(PLAN, url=url)
    counted["build"] = 0
    counted["steady"] = 0
    add_review("falls-birmingham", {"period_end": "2027-06-30", "people_supported": 90,
                                    "outcomes": {"fall-admission-avoided": 9, "home-care-avoided": 2},
                                    "money_spent": 36_000.0}, url=url)
    assert counted["build"] == 1 and counted["documents"][-1] == out["scenario_id"]
    assert counted["steady"] == 0  # the simulation runs the draws, never the one-draw run again


def test_evaluation_of_a_plan_document_is_the_cached_one():
    """The adapter hands out the process's cached Evaluation for a document and library."""
    from carescale.library import default_library
    from carescale.plans.scenario_adapter import evaluation, make_document

    clear_evaluations()
    doc = make_document("living-well", area="birmingham")
    ev = evaluation(doc, default_library())
    assert ev is evaluate_document(doc, default_library())
    assert ev.run["interventions"][0]["id"] == "living-well"
    assert ev.calls["build"] == 1 and ev.calls["evaluate"] == 1
