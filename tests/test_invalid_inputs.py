"""Deliberately invalid inputs, each with the exact one-line message a user sees (exit code 2).

The files live in tests/invalid_inputs/core/; each is a copy of a real library file with one
thing broken.
"""

from __future__ import annotations

import pytest

from typing import get_args

from carescale.library import default_library, display_path
from carescale.schema.base import Unit

from .conftest import INVALID, run_cli

CORE = INVALID / "core"
LIB = default_library()
# Lists of valid ids grow as the library grows; the message must name all of them.
VALID_COHORTS = ", ".join(sorted(LIB.vocabulary.cohorts))
VALID_DOCUMENTS = ", ".join(sorted(LIB.sources.documents))
_UNITS = [f"'{u}'" for u in get_args(Unit)]
VALID_UNITS = ", ".join(_UNITS[:-1]) + f" or {_UNITS[-1]}"
SEG = "segments[older-people-very-limited]"

# file name -> the message after "error: {file}: "
EXPECTED = {
    "malformed_yaml.yaml": "line 3, column 5: not valid YAML: expected ',' or ']', but got ':'",
    "duplicate_key.yaml": "line 4, column 1: not valid YAML: duplicate key 'name'",
    "empty_file.yaml": "the file is empty",
    "top_level_list.yaml": "the top level must be a mapping of keys to values, not a list",
    "unknown_key_area.yaml": (
        "unknown key 'populaton'; valid keys are: id, name, kind, ons_code, description, "
        "cohorts, spend, provision"
    ),
    "rate_above_one.yaml": f"{SEG}.sizing.rate: value 1.5 is above 1; a proportion must be between 0 and 1",
    "negative_count.yaml": (
        "cohorts.older_people_very_limited: value -45220 is negative; people must be a count of "
        "people (0 or more)"
    ),
    "missing_reference.yaml": f"{SEG}.unit_cost.ref: required key is missing",
    "cost_shares_not_one.yaml": "cost_shares must add up to 1; they add up to 0.9 (asc=0.5, nhs=0.4)",
    "money_without_price_year.yaml": (
        f"{SEG}.unit_cost: a money value (GBP_per_person_per_year) needs a price_year, for example '2015/16'"
    ),
    "unknown_cohort.yaml": f"cohorts.older_people_very_limted: unknown cohort; valid cohorts are: {VALID_COHORTS}",
    "cohort_larger_than_parent.yaml": (
        "cohorts.older_people_very_limited: 245,220 is larger than the cohort it belongs to, "
        "population_65_plus (149,412)"
    ),
    "implied_without_derivation.yaml": (
        "spend.short_term_placements: a quantity with status 'implied' needs a derivation showing the arithmetic"
    ),
    "unknown_document.yaml": f"source.ref.document: unknown document 'scie-2071'; valid documents are: {VALID_DOCUMENTS}",
    "unknown_unit.yaml": f"cohorts.older_people_very_limited.unit: input should be {VALID_UNITS} (got 'persons')",
    "not_a_number.yaml": (
        "cohorts.mental_health_long_term_support.value: input should be a valid number, unable to "
        "parse string as a number (got 'four hundred')"
    ),
    "cashable_not_true_or_false.yaml": (
        f"{SEG}.outcomes[less-homecare].cashable.value: 'sometimes' is not valid; cashable must be true (a budget "
        "can bank the saving) or false (it frees capacity only)"
    ),
    "transformation_area_out_of_range.yaml": "transformation_area: input should be less than or equal to 5 (got 6)",
    "intervention_unknown_cohort.yaml": (
        f"{SEG}.sizing.cohort: unknown cohort 'very_limited_older_people'; valid cohorts are: {VALID_COHORTS}"
    ),
}


def test_every_invalid_file_has_a_case():
    assert sorted(p.name for p in CORE.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_file_gives_one_clear_line(name):
    path = CORE / name
    res = run_cli("validate", str(path))
    assert res.code == 2
    assert res.out == ""
    assert res.err == f"error: {display_path(path)}: {EXPECTED[name]}\n"
    assert "Traceback" not in res.err


@pytest.mark.parametrize(
    "args,message",
    [
        (
            ["run", "--area", "nowhere"],
            "unknown area 'nowhere'; valid area ids are: " + ", ".join(sorted(LIB.areas)),
        ),
        (
            ["run", "--interventions", "community-agents,time-banks"],
            "unknown intervention 'time-banks'; valid intervention ids are: ",
        ),
        (["interventions", "show", "nothing"], "unknown intervention 'nothing'; valid intervention ids are: "),
        (["areas", "show", "atlantis"], "unknown area 'atlantis'; valid area ids are: "),
        (
            ["run", "--area", "cornwall", "--interventions", "shared-lives"],
            "intervention 'shared-lives' cannot be run on area 'cornwall' (potential basis): the area "
            "profile has no cohorts.learning_disability_long_term_support, "
            "cohorts.mental_health_long_term_support",
        ),
        (
            ["run", "--area-file", str(CORE / "negative_count.yaml")],
            "cohorts.older_people_very_limited: value -45220 is negative",
        ),
    ],
)
def test_bad_ids_and_files_on_the_command_line(args, message):
    res = run_cli(*args)
    assert res.code == 2
    assert res.err.startswith("error: ")
    assert message in res.err
    assert res.err.count("\n") == 1, "one line only"
    assert "Traceback" not in res.err


def test_bad_format_is_a_usage_error():
    res = run_cli("run", "--format", "xml")
    assert res.code == 2
    assert "xml" in res.err
