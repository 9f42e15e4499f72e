"""Fuzzing review actuals and plan/logic-model files (hypothesis, bounded): any input gives a
checked result or a one-line CarescaleError, never a crash."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carescale.errors import CarescaleError
from carescale.library import parse_model
from carescale.plans import create_plan, load_plan
from carescale.plans.logic_model import parse_logic_model
from carescale.plans.review import check_actuals
from carescale.schema.plan import Actuals

from .conftest import REPO

PLAN = REPO / "docs" / "examples" / "falls-prevention-plan.yaml"
LOGIC_MODEL = REPO / "docs" / "examples" / "falls-prevention-logic-model.yaml"

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12), st.sampled_from(["2027-06-30", "2029-03-31", "2031-01-01", "2027-02-30", "1e9"]),
)
outcome_ids = st.sampled_from(["fall-admission-avoided", "home-care-avoided", "other"])
actuals = st.fixed_dictionaries(
    {},
    optional={
        "period_end": scalars,
        "people_supported": scalars,
        "outcomes": st.one_of(scalars, st.dictionaries(outcome_ids, scalars, max_size=3)),
        "money_spent": scalars,
        "plan": st.one_of(st.none(), st.sampled_from(["falls-birmingham", "x"])),
        "note": scalars,
        "extra": scalars,
    },
)


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 's.db'}"
    create_plan(PLAN, url=url)
    return load_plan("falls-birmingham", url=url)[0]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=actuals)
def test_actuals_never_crash(plan, data):
    try:
        a = parse_model(Actuals, data, "review")
        start = check_actuals(plan, a, [], "review")
    except CarescaleError as exc:
        assert "\n" not in exc.message and exc.message.startswith("review: ")
        return
    assert plan.start <= start <= a.period_end <= plan.end
    assert 0 <= min(a.outcomes.values()) and max(a.outcomes.values()) <= a.people_supported


def _paths(node, prefix=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield prefix + (k,)
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield prefix + (i,)
            yield from _paths(v, prefix + (i,))


LM_DATA = yaml.safe_load(LOGIC_MODEL.read_text())
LM_PATHS = list(_paths(LM_DATA))


@settings(max_examples=120, deadline=None)
@given(path=st.sampled_from(LM_PATHS), value=scalars)
def test_logic_model_with_one_value_changed_never_crashes(path, value):
    import copy

    data = copy.deepcopy(LM_DATA)
    node = data
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    try:
        parse_logic_model(data, "lm.yaml")
    except CarescaleError as exc:
        assert "\n" not in exc.message and exc.message.startswith("lm.yaml: ")
