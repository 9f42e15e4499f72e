"""Hypothesis properties of scenario documents and overrides (bounded: few examples)."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import carescale
from carescale.appraisal import appraisal_summary, appraise
from carescale.errors import CarescaleError
from carescale.io.yaml import dump_yaml
from carescale.scenarios import ScenarioDocument, parse_data, parse_scenario
from carescale.uncertainty import UncertaintySettings, run_uncertainty

BASE = carescale.define_scenario("birmingham")
TABLE = carescale.ParameterTable.from_scenario(BASE)
PATHS = sorted(TABLE.paths)
FAST = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _outputs(scenario):
    small = UncertaintySettings(draws=64, npv=False)
    return (
        carescale.summary(carescale.evaluate(scenario)),
        appraisal_summary(appraise(scenario, {"years": 3})),
        run_uncertainty(scenario, small),
    )


BASE_OUT = _outputs(BASE)


@FAST
@given(st.sampled_from(PATHS), st.booleans())
def test_an_override_equal_to_the_default_leaves_every_output_identical(path, as_mapping):
    value = TABLE[path].base
    spec = {"value": value, "note": "the same as the evidence"} if as_mapping else value
    sc = carescale.define_scenario("birmingham", overrides={path: spec})
    assert sc.changes == ()
    assert _outputs(sc) == BASE_OUT


finite = st.floats(min_value=0, max_value=1, allow_nan=False, allow_infinity=False)
documents = st.fixed_dictionaries(
    {
        "version": st.just(1),
        "area": st.sampled_from(["birmingham", "cornwall"]),
        "overrides": st.dictionaries(st.sampled_from(PATHS), finite, max_size=4),
        "note": st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=20),  # NUL is refused (docs/security.md)
        "uncertainty": st.fixed_dictionaries({"draws": st.integers(1, 10_000), "seed": st.integers(0, 2**31)}),
        "reprice": st.booleans(),
    }
)


@pytest.mark.parametrize("text", ["0\x850", "a\u2028b", "a\u2029b", "x\n\x85y", "a\rb", "1e5", "plain"])
@pytest.mark.parametrize("flow", [True, False])
def test_dump_yaml_writes_line_break_characters_so_they_read_back(text, flow):
    from carescale.io.yaml import parse_yaml_text

    assert parse_yaml_text(dump_yaml({"note": text}, default_flow_style=flow), "x.yaml") == {"note": text}


def _shuffled(d, rnd):
    if isinstance(d, dict):
        items = list(d.items())
        rnd.shuffle(items)
        return {k: _shuffled(v, rnd) for k, v in items}
    return d


@FAST
@given(documents, st.integers(0, 1000))
@example(  # found by hypothesis: YAML folds NEL (U+0085) into a space unless it is written escaped
    {"version": 1, "area": "birmingham", "overrides": {}, "note": "0\x850",
     "uncertainty": {"draws": 1, "seed": 0}, "reprice": False}, 0)
def test_the_id_ignores_key_order_and_layout(data, seed):
    rnd = random.Random(seed)
    a = parse_data(data)
    as_yaml = dump_yaml(_shuffled(data, rnd), default_flow_style=rnd.choice([True, False]))
    as_json = json.dumps(_shuffled(data, rnd), indent=rnd.choice([None, 1, 4]))
    assert parse_scenario(as_yaml).scenario_id == a.scenario_id
    assert parse_scenario("\n\n" + as_json + "\n  \n").scenario_id == a.scenario_id


@FAST
@given(documents, st.sampled_from(["override", "note", "draws", "seed", "reprice", "area", "new-override"]))
def test_the_id_changes_with_any_value(data, what):
    a = parse_data(data)
    changed = json.loads(json.dumps(data))
    if what == "override" and changed["overrides"]:
        k = sorted(changed["overrides"])[0]
        changed["overrides"][k] = changed["overrides"][k] + 0.5
    elif what in ("override", "new-override"):
        free = [p for p in PATHS if p not in changed["overrides"]]
        changed["overrides"][free[0]] = 0.25
    elif what == "note":
        changed["note"] += "!"
    elif what in ("draws", "seed"):
        changed["uncertainty"][what] += 1
    elif what == "reprice":
        changed["reprice"] = not changed["reprice"]
    else:
        changed["area"] = "kent" if changed["area"] != "kent" else "birmingham"
    assert parse_data(changed).scenario_id != a.scenario_id


anything = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
keys = st.sampled_from([*ScenarioDocument.model_fields, "colour"])


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(keys, anything, max_size=4))
def test_parsing_any_mapping_never_crashes(data):
    try:
        parse_data({"version": 1, **data})
    except CarescaleError as exc:
        assert "\n" not in exc.message


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.sampled_from(PATHS + ["x.y", "living-well.older-people-multiple-ltc.people"]),
                       st.one_of(st.floats(), st.integers(-10, 10**6), st.text(max_size=5)), max_size=3))
def test_any_override_is_applied_or_refused_in_one_line(overrides):
    try:
        sc = carescale.define_scenario("birmingham", overrides=overrides)
    except CarescaleError as exc:
        assert "\n" not in exc.message
    else:
        carescale.summary(carescale.evaluate(sc))


def test_a_re_priced_staff_ratio_overridden_with_its_own_value_changes_nothing():
    """The back-fill ratio is one post per £5m of placement spend (2016/17), re-priced to the price
    base: not a whole number of pounds, and still a valid override (CI found it refused)."""
    path = "hospital-discharge.full_costs.back-fill.per"
    value = TABLE[path].base
    assert value != int(value)
    sc = carescale.define_scenario("birmingham", overrides={path: value})
    assert sc.changes == ()
    assert _outputs(sc) == BASE_OUT
