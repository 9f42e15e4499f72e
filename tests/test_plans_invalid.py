"""Deliberately invalid reviews, plans and logic models (tests/invalid_inputs/plans/), each with
the exact one-line message a user sees (exit code 2, no traceback)."""

from __future__ import annotations

import pytest

from carescale.library import default_library, display_path

from .conftest import INVALID, REPO, run_cli

PLANS = INVALID / "plans"
PLAN = REPO / "docs" / "examples" / "falls-prevention-plan.yaml"
OUTCOMES = "fall-admission-avoided, home-care-avoided"
LIB = default_library()
DOCS = ", ".join(sorted(LIB.sources.documents))
COHORTS = ", ".join(sorted(LIB.vocabulary.cohorts))
AREAS = ", ".join(sorted(LIB.areas))

# review file -> the message after "error: {file}: " ('reviews add falls-birmingham --file FILE')
REVIEWS = {
    "negative_people.yaml": "people_supported: -3 is negative; give 0 or more people",
    "outcomes_above_people.yaml": (
        "outcomes.fall-admission-avoided: 41 people achieved it, more than the 40 people supported; "
        "it can be at most people_supported"
    ),
    "date_outside_plan.yaml": "period_end: 2031-03-31 is outside the plan (2027-04-01 to 2029-03-31); give a date within the plan",
    "date_before_period.yaml": "period_end: 2027-03-31 is outside the plan (2027-04-01 to 2029-03-31); give a date within the plan",
    "not_a_date.yaml": "period_end: 'end of June' is not a date; write period_end as YYYY-MM-DD, for example 2027-04-01",
    "unknown_plan.yaml": "plan: 'falls-leeds' does not match the plan being reviewed, 'falls-birmingham'",
    "unknown_outcome.yaml": f"outcomes.fewer-falls: unknown outcome; the outcomes of plan 'falls-birmingham' are: {OUTCOMES}",
    "missing_outcome.yaml": f"outcomes.home-care-avoided: missing; give how many people achieved each of: {OUTCOMES}",
    "negative_money.yaml": "money_spent: -36000 is not valid; give pounds, 0 or more",
    "people_not_whole.yaml": "people_supported: input should be a valid integer, got a number with a fractional part (got 90.5)",
    "unknown_key.yaml": (
        "unknown key 'money_spend'; valid keys are: plan, period_end, people_supported, outcomes, "
        "money_spent, local_savings, observed, recorded_by, note"
    ),
    "unknown_local_saving.yaml": (
        f"local_savings.fewer-falls: unknown outcome; the outcomes of plan 'falls-birmingham' are: {OUTCOMES}"
    ),
    "local_saving_no_cases.yaml": (
        "local_savings.fall-admission-avoided: cases: 0 is not valid; give the number of cases costed, 1 or more"
    ),
    "observed_no_counterfactual.yaml": (
        "observed.care-home-admission: unknown outcome; plan 'falls-birmingham' has no counterfactual outcomes "
        "(add a counterfactual block to the plan)"
    ),
    "observed_events_above_people.yaml": (
        "observed.care-home-admission.events: 41 events among the 40 people supported; it can be at most people_supported"
    ),
    "observed_comparison_half.yaml": (
        "observed.care-home-admission: give both comparison_people and comparison_events, or neither"
    ),
    "observed_comparison_events_above_people.yaml": (
        "observed.care-home-admission: comparison_events: 12 is not valid; give 0 to comparison_people (10)"
    ),
}

# review file -> message, against the counterfactual example (docs/examples/falls-prevention-plan-counterfactual.yaml)
CF_PLAN = REPO / "docs" / "examples" / "falls-prevention-plan-counterfactual.yaml"
CF_REVIEWS = {
    "cf_missing_observed.yaml": (
        "observed.care-home-admission: missing; give the events seen among the people supported for each of: "
        "care-home-admission"
    ),
    "cf_comparison_for_a_rate.yaml": (
        "observed.care-home-admission: comparison_people: the baseline is a rate (official); a comparison group "
        "is not used, leave it out"
    ),
}

# plan file -> message ('plans create FILE')
PLAN_FILES = {
    "plan_core_budget_without_lines.yaml": (
        "funding: route 'core_budget' needs reduced_service_lines: name the service lines whose "
        "budget is reduced to pay for the plan"
    ),
    "plan_phase_outside.yaml": "phases[1]: 2028-04-01 to 2029-09-30 is outside the plan (2027-04-01 to 2029-03-31)",
    "plan_unknown_area.yaml": f"area: unknown area 'birmingam'; valid areas are: {AREAS}",
    "plan_both_models.yaml": "model: give exactly one of library (a model id) or logic_model (a file)",
    "plan_social_investment_without_investor.yaml": "funding: route 'social_investment' needs a source: name the investor",
    "plan_counterfactual_two_baselines.yaml": (
        "counterfactual[care-home-admission].baseline: give exactly one of official (a baseline from the council's "
        "official data, ascof-2a2), rate (a yearly rate from the evidence) or comparison (matched or waiting-list)"
    ),
    "plan_counterfactual_unknown_official.yaml": (
        "counterfactual[care-home-admission].baseline.official: 'ascof-2a3' is not an official baseline carescale "
        "ships; valid baselines are: ascof-2a2"
    ),
    "plan_counterfactual_informs_unknown.yaml": (
        "counterfactual[care-home-admission].informs: unknown outcome 'care-home-avoided'; the outcomes of the model "
        "are: fall-admission-avoided, home-care-avoided"
    ),
    "plan_counterfactual_comparison_kind.yaml": (
        "counterfactual[care-home-admission].baseline.comparison: input should be 'matched' or 'waiting-list' "
        "(got 'randomised')"
    ),
}

# logic model -> message ('logic-model validate FILE')
LOGIC_MODELS = {
    "lm_cost_shares_not_one.yaml": "cost_shares must add up to 1; they add up to 0.9 (asc=0.5, nhs=0.4)",
    "lm_library_id.yaml": "id: 'shared-lives' is a model in the evidence library; give your model its own id",
    "lm_no_activities.yaml": "theory_of_change.activities: tuple should have at least 1 item after validation, not 0 (got [])",
    "lm_rate_above_one.yaml": "outcomes[fall-admission-avoided].rate: value 8.7 is above 1; a proportion must be between 0 and 1",
    "lm_unknown_cohort.yaml": f"cohort: unknown cohort 'people_at_risk_of_falls'; valid cohorts are: {COHORTS}",
    "lm_unknown_document.yaml": f"evidence_ref.document: unknown document 'lga-2019'; valid documents are: {DOCS}",
    "lm_plain_money_no_price_year.yaml": (
        "unit_cost is a plain amount of money; give price_year (the prices your money figures are in, for example 2024/25)"
    ),
    "lm_plain_share_as_money.yaml": "take_up: '£5' is in pounds, but this figure is a share; write a share such as 9% or 0.09",
}


def test_every_fixture_has_a_message():
    assert sorted(p.name for p in PLANS.glob("*.yaml")) == sorted({**REVIEWS, **CF_REVIEWS, **PLAN_FILES, **LOGIC_MODELS})


@pytest.fixture(scope="module")
def saved_plan(tmp_path_factory):
    """The worked example's plan, saved once in a database of its own."""
    url = f"sqlite:///{tmp_path_factory.mktemp('plans-invalid') / 'store.db'}"
    mp = pytest.MonkeyPatch()
    mp.setenv("DATABASE_URL", url)
    r = run_cli("plans", "create", str(PLAN))
    assert r.code == 0, r.err
    yield url
    mp.undo()


@pytest.mark.parametrize("name", sorted(REVIEWS))
def test_bad_actuals_are_refused_with_one_line(name, saved_plan, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", saved_plan)
    path = PLANS / name
    r = run_cli("reviews", "add", "falls-birmingham", "--file", str(path))
    assert r.code == 2
    assert r.err == f"error: {display_path(path)}: {REVIEWS[name]}\n"
    assert run_cli("reviews", "list", "falls-birmingham", "--format", "json").json() == []  # nothing saved


def test_bad_observations_against_a_counterfactual_are_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cf.db'}")
    assert run_cli("plans", "create", str(CF_PLAN)).code == 0
    for name, message in CF_REVIEWS.items():
        path = PLANS / name
        r = run_cli("reviews", "add", "falls-birmingham-counterfactual", "--file", str(path))
        assert (r.code, r.err) == (2, f"error: {display_path(path)}: {message}\n"), name
    assert run_cli("reviews", "list", "falls-birmingham-counterfactual", "--format", "json").json() == []


def test_review_for_an_unknown_plan(saved_plan, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", saved_plan)
    r = run_cli("reviews", "add", "falls-leeds", "--file", str(PLANS / "unknown_plan.yaml"))
    assert r.code == 2
    assert r.err == "error: plan 'falls-leeds': unknown plan; saved plans are: falls-birmingham\n"
    r = run_cli("reviews", "list", "falls-leeds")
    assert r.err == "error: plan 'falls-leeds': unknown plan; saved plans are: falls-birmingham\n"
    r = run_cli("plans", "show", "nope")
    assert r.code == 2 and r.err == "error: plan 'nope': unknown plan; saved plans are: falls-birmingham\n"


def test_unknown_plan_in_an_empty_store(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    r = run_cli("reviews", "add", "falls-birmingham", "--file", str(PLANS / "negative_people.yaml"))
    assert r.err == f"error: {display_path(PLANS / 'negative_people.yaml')}: {REVIEWS['negative_people.yaml']}\n"
    r = run_cli("reviews", "add", "falls-birmingham", "--period-end", "2027-06-30", "--people", "1", "--spent", "0")
    assert r.code == 2
    assert r.err == "error: plan 'falls-birmingham': unknown plan; no plans are saved yet (carescale plans create PLAN.yaml)\n"


@pytest.mark.parametrize("name", sorted(PLAN_FILES))
def test_bad_plans_are_refused_with_one_line(name, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    path = PLANS / name
    r = run_cli("plans", "create", str(path))
    assert r.code == 2
    assert r.err == f"error: {display_path(path)}: {PLAN_FILES[name]}\n"


@pytest.mark.parametrize("name", sorted(LOGIC_MODELS))
def test_bad_logic_models_are_refused_with_one_line(name):
    path = PLANS / name
    r = run_cli("logic-model", "validate", str(path))
    assert r.code == 2
    assert r.err == f"error: {display_path(path)}: {LOGIC_MODELS[name]}\n"


def test_review_ending_before_its_period_starts(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    assert run_cli("plans", "create", str(PLAN)).code == 0
    args = ["--people", "10", "--outcome", "fall-admission-avoided=1", "--outcome", "home-care-avoided=0", "--spent", "1"]
    assert run_cli("reviews", "add", "falls-birmingham", "--period-end", "2027-06-30", *args).code == 0
    r = run_cli("reviews", "add", "falls-birmingham", "--period-end", "2027-05-31", *args)
    assert r.code == 2
    assert r.err == (
        "error: review: period_end: 2027-05-31 is before this review's period starts (2027-07-01, "
        "the day after the previous review); give a later date\n"
    )
