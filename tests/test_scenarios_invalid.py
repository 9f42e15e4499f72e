"""Deliberately invalid scenario documents and --set options, each with the exact one-line
message a user sees (exit code 2, no traceback). Files: tests/invalid_inputs/scenarios/."""

from __future__ import annotations

import pytest

from .conftest import INVALID, run_cli

DIR = INVALID / "scenarios"
LW = "living-well.older-people-multiple-ltc"
KEYS = "version, area, interventions, basis, scale, overrides, appraisal, uncertainty, preset, reprice, price_base_year, price_index, note"
DEFLATOR = "HM Treasury GDP deflator at market prices (December 2023), financial years (1990/91-2028/29)"

# file name -> the message after "error: tests/invalid_inputs/scenarios/{file}: "
EXPECTED = {
    "bad_version.yaml": "version: 2 is not a scenario version this carescale reads; the version is 1",
    "unknown_key.yaml": f"colour: unknown key 'colour'; valid keys are: {KEYS}",
    "unknown_path.yaml": (
        "overrides: unknown path 'living-well.older-people.unit_cost'; closest valid paths: "
        f"{LW}.unit_cost, community-agents.older-people.unit_cost, {LW}.people"
    ),
    "rate_above_one.yaml": f"overrides: {LW}.sizing.rate: value 1.5 is above 1; a proportion must be between 0 and 1",
    "negative_cost.yaml": (
        f"overrides: {LW}.unit_cost: value -5 is negative; GBP_per_person_per_year must be pounds per person a year (0 or more)"
    ),
    "not_a_number.yaml": (
        f"overrides.{LW}.unit_cost.value: input should be a valid number, unable to parse string as a number (got 'cheap')"
    ),
    "unused_intervention.yaml": (
        "overrides: 'shared-lives.setup.cost' is not used by this scenario: shared-lives is not one of its "
        "interventions (living-well)"
    ),
    "people_above_cohort.yaml": (
        f"overrides: {LW}.people: value 200,000 is above 149,412, the area's population 65 plus; a segment cannot "
        "have more people than its cohort"
    ),
    "people_and_rate.yaml": f"overrides: {LW}.people: give either {LW}.people or {LW}.sizing.rate, not both",
    "low_without_high.yaml": f"overrides.{LW}.unit_cost: give both low and high, or neither; high is missing",
    "low_above_value.yaml": f"overrides: {LW}.unit_cost: low 500 is above the value 450; low must be at most the value",
    "bad_distribution.yaml": (
        f"overrides.{LW}.unit_cost.distribution: input should be 'beta', 'gamma', 'lognormal', 'triangular' or "
        "'uniform' (got 'normal')"
    ),
    "unknown_override_key.yaml": (
        f"overrides.{LW}.unit_cost: unknown key 'why'; valid keys are: value, low, high, distribution, note"
    ),
    "beta_too_wide.yaml": (
        f"overrides: {LW}.sizing.rate: distribution 'beta' cannot have mean 0.01 with low 0 and high 0.9: the "
        "standard deviation they imply (0.23) must be below 0.0995; narrow the range or use triangular or uniform"
    ),
    "scale_above_one.yaml": "scale: living-well: 1.5 is not valid; give a share of the potential from 0 to 1",
    "scale_not_in_scenario.yaml": (
        "scale.shared-lives: 'shared-lives' is not one of this scenario's interventions; valid: living-well"
    ),
    "bad_basis.yaml": "basis: input should be 'potential' or 'current' (got 'everything')",
    "price_base_beyond_index.yaml": (
        f"price_base_year: 2030 needs the index for 2029/30, which the {DEFLATOR} does not have; choose a year the "
        "index covers or give your own index file (price_index)"
    ),
    "preset_paper_with_reprice.yaml": (
        "preset: paper keeps the prices as published, so it cannot go with reprice: true; remove one of them"
    ),
    "price_base_not_a_year.yaml": (
        "price_base_year: 'last year' is not a year; give a calendar year (2024) or a financial year (2023/24)"
    ),
    "top_level_list.yaml": "the top level must be a mapping of keys to values, not a list",
    "duplicate_intervention.yaml": "interventions: 'living-well' is listed twice; list each id once",
    "draws_true.yaml": "uncertainty.draws: true is not a number; give the number itself",
    "quoted_number.yaml": f'overrides.{LW}.unit_cost: value: "400" is text, not a number; write the number without quotes',
    "bad_draws.yaml": "uncertainty: draws: 0 is not valid; give a whole number of draws from 1 to 1,000,000",
    "bad_appraisal_years.yaml": (
        "appraisal: years: 100 is not valid; the appraisal period must be a whole number of years from 1 to 60"
    ),
    "empty_interventions.yaml": (
        "interventions: the list is empty; name at least one intervention, or leave it out for the default portfolio"
    ),
    "unknown_area.yaml": (
        "unknown area 'birmingam'; valid area ids are: birmingham, bristol-site, british-red-cross-evaluation, "
        "cornwall, darlington-site, england-site, harrow-site, kent, kirklees-site, leicester-site, mendip-site, "
        "redcar-and-cleveland, somerset-site, swindon-site, wolverhampton-site"
    ),
    "area_file_missing.yaml": "no-such-area.csv: file not found",
    "missing_price_index.yaml": "no-such-index.csv: file not found",
}


def test_every_fixture_has_its_message():
    assert sorted(p.name for p in DIR.glob("*.yaml")) == sorted(EXPECTED)
    assert len(EXPECTED) >= 15


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("command", ["run", "parameters"])
def test_invalid_scenario_is_one_line_exit_2(name, command):
    r = run_cli(command, "--scenario", str(DIR / name))
    assert r.code == 2
    assert r.err == f"error: tests/invalid_inputs/scenarios/{name}: {EXPECTED[name]}\n"
    assert r.out == ""


@pytest.mark.parametrize(
    "args,message",
    [
        (["--set", "foo"], "--set: 'foo' is not PATH=VALUE; for example --set living-well.older-people-multiple-ltc.people=2000"),
        (["--set", "=5"], "--set: '=5' has no path before '='; for example --set living-well.older-people-multiple-ltc.people=2000"),
        ([f"--set={LW}.unit_cost=cheap"], f"--set: {LW}.unit_cost: 'cheap' is not a number; for example --set living-well.older-people-multiple-ltc.people=2000"),
        (["--set", f"{LW}.unit_cost=1", "--set", f"{LW}.unit_cost=2"], f"--set: {LW}.unit_cost is given twice; give each path once"),
        (["--set", f"{LW}.unit_cost=nan"], f"scenario: overrides.{LW}.unit_cost: value nan is not a finite number"),
        (["--set", f"{LW}.people=-1"], f"overrides: {LW}.people: value -1 is below 0; a number of people must be 0 or more"),
        (["--set", "area.cohorts.population_65_plus=-3"], "overrides: area.cohorts.population_65_plus: value -3 is negative; people must be a count of people (0 or more)"),
        (["--interventions", "living-well", "--set", "overlaps.community-agents-living-well.share=0.5"],
         "overrides: unknown path 'overlaps.community-agents-living-well.share'; see 'carescale parameters' for the valid paths"),
        (["--preset", "paper", "--reprice"],
         "scenario: preset: paper keeps the prices as published, so it cannot go with reprice: true; remove one of them"),
        (["--preset", "book"], "scenario: preset: input should be 'paper' (got 'book')"),
        (["--price-base", "2023/2024"], "scenario: price_base_year: '2023/2024' is not a year; give a calendar year (2024) or a financial year (2023/24)"),
    ],
)
def test_malformed_set_and_price_options(args, message):
    for command in ("run", "appraise", "uncertainty"):
        r = run_cli(command, *args)
        assert (r.code, r.err) == (2, f"error: {message}\n"), command
