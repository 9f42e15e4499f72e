"""The national roll-up reads each council's figures from its scenario document's one Evaluation
(issue 20): one build and one engine run per council, with or without a scenario document, and
the package keeps every name (and monkeypatching) it had before the split."""

from __future__ import annotations

import pytest

import carescale.national as nat
from carescale.library import default_library
from carescale.national import build_profiles, council_document, council_evaluation, run_national
from carescale.scenarios import parse_data

from .conftest import run_cli
from .engine_calls import count_engine_calls
from .test_national import small_files  # noqa: F401  (fixture: two councils' official files)


@pytest.fixture
def counted(monkeypatch):
    yield from count_engine_calls(monkeypatch)


def _inputs(files):
    from carescale.official import read_ascof, read_mye

    mye, ascof = files
    return build_profiles(read_mye(mye), read_ascof(ascof), "2023")


@pytest.mark.parametrize("with_document", [False, True])
def test_each_council_is_built_and_run_once(small_files, counted, with_document):  # noqa: F811
    inputs = _inputs(small_files)
    doc = parse_data({"version": 1, "interventions": ["living-well"], "scale": {"living-well": 0.5}}) if with_document else None
    data = run_national(inputs, document=doc)
    codes = [a["code"] for a in data["areas"]]
    assert codes == ["E08000025", "E06000001"]
    # one build and one steady-state run per council, each of its own document
    assert len(counted["documents"]) == 2 and len(set(counted["documents"])) == 2 and counted["steady"] == 2
    expected = [council_document(p.area, doc).scenario_id for p in inputs.councils]
    assert counted["documents"] == expected
    # the roll-up's figures are the evaluation's
    lib = default_library()
    for prof, area in zip(inputs.councils, data["areas"]):
        run = council_evaluation(prof.area, lib, doc).run
        assert area["net_savings"] == run["totals"]["net_savings"]
        assert area["beneficiaries"] == run["totals"]["beneficiaries"]
    if with_document:
        assert list(data["areas"][0]["interventions"]) == ["living-well"]
        assert data["scenario"]["id"] == doc.scenario_id


def test_default_council_document_is_the_papers_portfolio_in_the_default_price_base(small_files):  # noqa: F811
    prof = _inputs(small_files).councils[0]
    doc = council_document(prof.area)
    # one price base everywhere (issue 21): the roll-up re-prices as every other entry point does
    assert doc.reprice is True and doc.price_base_year is None and doc.interventions is None and doc.basis == "potential"
    assert doc.area.inline.ons_code == "E08000025"
    ev = council_evaluation(prof.area, default_library())
    # the same figures as the scenario defined from the profile directly (the roll-up before issue 20)
    from carescale.engine import evaluate
    from carescale.engine.scenario import define_scenario
    from carescale.engine.summary import summary

    direct = summary(evaluate(define_scenario(prof.area, None, library=default_library())))
    assert [i.id for i in ev.scenario.interventions] == [i["id"] for i in direct["interventions"]]
    assert len(direct["interventions"]) >= 5
    assert {k: v for k, v in ev.run.items() if k != "scenario"} == direct


def test_split_keeps_every_name_and_the_cli_reads_them_from_the_package(small_files, monkeypatch):  # noqa: F811
    from carescale.national import councils, run

    for name in ("build_profiles", "select_councils", "check_boundaries", "council_populations",
                 "CouncilProfile", "NationalInputs", "ASCOF_QUOTE"):
        assert getattr(nat, name) is getattr(councils, name)
    for name in ("run_national", "council_scenario", "_sum_payers"):
        assert getattr(nat, name) is getattr(run, name)
    for name in ("run_national_uncertainty", "council_draws", "dask_client", "describe_client", "distribution",
                 "run_tasks"):
        assert callable(getattr(nat, name))
    # patching the package changes what the command calls
    seen = []

    def fake_run(inputs, **kwargs):
        seen.append(len(inputs.councils))
        return run.run_national(inputs, **kwargs)

    monkeypatch.setattr(nat, "run_national", fake_run)
    mye, ascof = small_files
    r = run_cli("national", "--mye", str(mye), "--ascof", str(ascof), "--format", "json")
    assert r.code == 0, r.err
    assert seen == [2] and [a["code"] for a in r.json()["areas"]] == ["E08000025", "E06000001"]
