"""The figure check: a published number must be written in its own quote, so a typo fails."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carescale.errors import InputFileError
from carescale.evidence import figure_in_quote, figure_problems, load_case_study_file, numbers_in
from carescale.library import default_library, load_intervention_file

from .conftest import INVALID

EVIDENCE = INVALID / "evidence"


@pytest.mark.parametrize(
    "quote,expected",
    [
        ("£1,181 gross benefits from a reduction in social care costs", [1181]),
        ("27% reduction in A&E attendances", [0.27]),
        ("£1.2m in savings per year to the local authority", [1.2e6]),
        ("a 59 per cent reduction of people", [0.59]),
        ("down by 2.9 per cent from the same point in 2016/17", [0.029, 2016, 17]),
        ("Ninety-eight per cent of people would recommend the service", [0.98]),
        ("with two thirds of those making contact", [2, 2 / 3]),
        ("Shared Lives could save 1 to 2% of the adult social care budget", [1, 0.01, 0.02]),
        ("savings and reductions worth £6 billion", [6e9]),
        ("over 5,000 people used the scheme", [5000]),
        ("If British Red Cross volunteers supported 3% of them (c1,360)", [0.03, 1360]),
        ("Twenty-seven care organisations", [27]),
        ("more than £3 for every £1 spent", [3, 1]),
        ("there was no additional staffing costs", [0]),
        ("the costs of the scheme (£345,000) are split equally between", [345000, 0.5]),
        ("half live with their Shared Lives carer", [0.5]),
        ("approximately £0.35m", [350000]),
        ("£10 million", [1e7]),
        ("a team of 67 volunteers and 12 coordinators", [67, 12]),
    ],
)
def test_numbers_are_read_as_a_person_reads_them(quote, expected):
    found = numbers_in(quote)
    for e in expected:
        assert any(math.isclose(e, f, rel_tol=1e-12) for f in found), (e, found)
    assert len(found) == len(expected), found


@pytest.mark.parametrize(
    "value,unit,quote,ok",
    [
        (1181, "GBP_per_person_per_year", "£1,181 gross benefits from a reduction in social care costs", True),
        (1182, "GBP_per_person_per_year", "£1,181 gross benefits from a reduction in social care costs", False),
        (118.1, "GBP_per_person_per_year", "£1,181 gross benefits from a reduction in social care costs", False),
        (0.27, "proportion", "27% reduction in A&E attendances", True),
        (27, "proportion", "27% reduction in A&E attendances", False),
        (0.72, "proportion", "27% reduction in A&E attendances", False),
        (1.2e6, "GBP_per_year", "£1.2m in savings", True),
        (1.2e5, "GBP_per_year", "£1.2m in savings", False),
        (24, "months", "up to two years until the break-even point", True),
        (24, "people", "up to two years until the break-even point", False),
        (0.6666666666666666, "proportion", "with two thirds of those making contact", True),
        (0.67, "proportion", "with two thirds of those making contact", False),
    ],
)
def test_a_figure_is_in_its_quote_or_not(value, unit, quote, ok):
    assert figure_in_quote(value, quote, unit) is ok


@given(st.integers(min_value=0, max_value=10**9))
def test_any_whole_pound_figure_is_found_and_its_neighbour_is_not(n):
    quote = f"saves £{n:,} per year"
    assert figure_in_quote(n, quote)
    assert not figure_in_quote(n + 1, quote)


@given(st.integers(min_value=0, max_value=1000), st.sampled_from(["%", " per cent", " percent"]))
def test_any_percentage_is_read_as_a_proportion(k, sign):
    quote = f"a {k}{sign} reduction"
    assert figure_in_quote(k / 100, quote)
    assert not figure_in_quote((k + 1) / 100, quote)


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=9), st.sampled_from(["m", " million"]))
def test_millions_with_a_decimal(whole, tenth, word):
    quote = f"£{whole}.{tenth}{word} saving"
    assert figure_in_quote(whole * 1e6 + tenth * 1e5, quote)
    assert not figure_in_quote(whole * 1e5 + tenth * 1e4, quote)


def test_implied_and_assumed_figures_are_not_checked():
    """Community Agents' 2.197% rate is implied (the printed 2% does not reproduce £158,000):
    it is not in its quote and is skipped because its status says so, with a derivation."""
    iv = default_library().intervention("community-agents")
    rate = iv.segments[0].outcomes[0].rate
    assert rate.status == "implied" and rate.derivation
    assert not figure_in_quote(rate.value, rate.ref.quote)
    assert figure_problems(iv, "community-agents") == []


def test_statistical_tables_are_skipped_when_only_text_documents_are_checked():
    lib = default_library()
    texts = {d for d, doc in lib.sources.documents.items() if doc.seed}
    area = lib.area("birmingham")
    assert figure_problems(area, "birmingham", texts) == []
    assert figure_problems(area, "birmingham")  # its ONS figures cite a table row, not a sentence


# -- deliberately broken files -------------------------------------------------------------------


def _docs() -> str:
    return ", ".join(sorted(default_library().sources.documents))


def _models() -> str:
    return ", ".join(sorted(default_library().interventions))


CASE_FILES = [
    (
        "altered-figure.yaml",
        "tests/invalid_inputs/evidence/altered-figure.yaml: results[asc-benefit-per-person].value.value: "
        "1,182 is not a number written in its quote '£1,181 gross benefits from a reduction in social "
        "care costs, for every person on the scheme' (numbers there: 1,181); fix the figure, or give it "
        "status 'implied' with a derivation",
    ),
    (
        "altered-percentage.yaml",
        "tests/invalid_inputs/evidence/altered-percentage.yaml: "
        "results[fewer-discharges-to-residential-care].value.value: 0.95 is not a number written in its "
        "quote 'resulting in a 59 per cent reduction of people being discharged into residential care and "
        "a 54 per cent reduction in people being discharged into short-term beds' (numbers there: 0.59, "
        "0.54); fix the figure, or give it status 'implied' with a derivation",
    ),
    (
        "unknown-model.yaml",
        "tests/invalid_inputs/evidence/unknown-model.yaml: models[1]: unknown model 'social-prescibing'; "
        "valid model ids are: {models}",
    ),
    (
        "unknown-document.yaml",
        "tests/invalid_inputs/evidence/unknown-document.yaml: refs[0].document: unknown document "
        "'lga-2019-annex-b'; valid documents are: {docs}",
    ),
    (
        "grade-out-of-range.yaml",
        "tests/invalid_inputs/evidence/grade-out-of-range.yaml: evidence_grade.level: input should be "
        "less than or equal to 5 (got 6)",
    ),
]


@pytest.mark.parametrize("name,message", CASE_FILES, ids=[c[0] for c in CASE_FILES])
def test_broken_case_study_files(name, message, monkeypatch):
    monkeypatch.chdir(INVALID.parents[1])
    with pytest.raises(InputFileError) as exc:
        load_case_study_file(EVIDENCE / name)
    assert exc.value.message == message.format(models=_models(), docs=_docs())


MODEL_FILES = [
    (
        "promising-without-missing-numbers.yaml",
        "tests/invalid_inputs/evidence/promising-without-missing-numbers.yaml: missing_numbers: a "
        "promising model must list the numbers a logic model still needs (unit cost, outcome rates, "
        "unit savings, cohort, ...)",
    ),
    (
        "promising-with-segments.yaml",
        "tests/invalid_inputs/evidence/promising-with-segments.yaml: segments: a promising model has no "
        "segments or cost_shares; make it 'runnable' once every engine input has a quoted source",
    ),
]


@pytest.mark.parametrize("name,message", MODEL_FILES, ids=[m[0] for m in MODEL_FILES])
def test_broken_promising_model_files(name, message, monkeypatch):
    monkeypatch.chdir(INVALID.parents[1])
    with pytest.raises(InputFileError) as exc:
        load_intervention_file(EVIDENCE / name)
    assert exc.value.message == message


def test_the_altered_figure_is_a_real_quote_with_one_digit_changed(seeds_dir):
    """The fixture is the real Cornwall figure with one digit changed: the quote is in the seed,
    and the shipped case study carries the right value."""
    from .conftest import normalise

    lib = default_library()
    real = {r.id: r for r in lib.case_study("cornwall-living-well").results}["asc-benefit-per-person"]
    assert real.value.value == 1181
    text = normalise((seeds_dir / lib.sources.documents["scie-2017"].seed).read_text(encoding="utf-8"))
    assert normalise(real.value.ref.quote) in text


def test_every_broken_file_has_its_test():
    names = sorted(p.name for p in EVIDENCE.glob("*.yaml"))
    assert names == sorted([c[0] for c in CASE_FILES] + [m[0] for m in MODEL_FILES])


def test_carescale_validate_checks_case_study_files(monkeypatch):
    from .conftest import run_cli

    monkeypatch.chdir(INVALID.parents[1])
    ok = run_cli("validate", "src/carescale/data/case_studies/health-connections-mendip.yaml")
    assert ok.code == 0 and "'health-connections-mendip'" in ok.out
    bad = run_cli("validate", "tests/invalid_inputs/evidence/altered-figure.yaml")
    assert bad.code == 2
    assert bad.err.strip() == "error: " + CASE_FILES[0][1]


def test_the_examples_in_the_docstrings_hold():
    import doctest

    import carescale.library.checks

    assert doctest.testmod(carescale.library.checks).failed == 0
