"""Overlaps (issue 21): deducted on every payer the shared people save money for, the share an
uncertain figure covering both editions of the paper, and a plain sentence per pair."""

from __future__ import annotations

import numpy as np
import pytest

from carescale import define_scenario, evaluate
from carescale.engine.summary import summary
from carescale.errors import InputFileError
from carescale.library import default_library
from carescale.library.load import check_overlap_payers
from carescale.schema import OverlapSet
from carescale.uncertainty import Model, UncertaintySettings, run_uncertainty

SHARE = 800_000 / (1000 * min(517.1, 1181) + 1356.6 * min(517.1, 250) + 1000 * min(1181, 250))  # 72.3%
FIRST_EDITION = 350_000 / 1_106_250  # 31.6%


def test_nhs_overlap_of_living_well_and_support_at_home_by_hand():
    """1,000 Living Well people and 1,356.6 Support at Home people: 72.3% of the smaller group
    (1,000) are in both; the NHS saves £1,598 a person from Living Well and £454 from Support at
    Home, so £454 a person is counted twice: 0.7231638 x 1,000 x £454 = £328,316."""
    res = evaluate(define_scenario("birmingham", prices="published", method="full"))
    ov = {o.id: o for o in res.overlaps}["living-well-support-at-home-nhs"]
    by_hand = SHARE * min(1000, 0.03 * 45_220) * min(1_598, 454)
    assert by_hand == pytest.approx(328_316.38, abs=0.01)
    assert ov.deduction[0, 0, 1] == pytest.approx(by_hand, abs=0.01)
    assert ov.deduction[0, 0, 0] == 0
    # the NHS total: Living Well's and Support at Home's net NHS savings less the deduction
    lw, sah = res.intervention("living-well"), res.intervention("support-at-home")
    assert res.net[0, 0, 1] == pytest.approx(lw.net[0, 0, 1] + sah.net[0, 0, 1] - by_hand)
    assert res.net[0, 0, 1] == pytest.approx(1_398_000 + 443_608.19 - by_hand, abs=0.01)


def test_the_paper_deducts_council_money_only():
    res = evaluate(define_scenario("birmingham", prices="published"))
    assert [o.id for o in res.overlaps] == ["community-agents-living-well", "community-agents-support-at-home",
                                            "living-well-support-at-home"]
    assert res.overlap_deduction[0, 0, 1] == 0
    assert res.net[0, 0, 1] == pytest.approx(1_841_608.19, abs=0.01)  # the paper's £1.8m


def test_every_payer_both_schemes_save_for_needs_an_overlap():
    lib = default_library()
    data = [o.model_dump() for o in lib.overlaps.overlaps if o.payer == "asc"]
    with pytest.raises(InputFileError) as e:
        check_overlap_payers(OverlapSet.model_validate({"overlaps": data}), lib.interventions, "overlaps.yaml")
    assert e.value.message == (
        "overlaps.yaml: overlaps[living-well-support-at-home]: living-well and support-at-home both save nhs "
        "money per person, but no overlap of the pair has payer: nhs; add one (in_paper: false if the paper "
        "leaves it out)"
    )


def test_the_share_covers_both_editions():
    for ov in default_library().overlaps.overlaps:
        q = ov.share
        assert q.value == pytest.approx(SHARE)
        assert q.low == pytest.approx(FIRST_EDITION) and q.high == pytest.approx(SHARE)
        assert q.distribution == "uniform"


def test_one_sentence_per_pair_with_people_and_pounds():
    data = summary(evaluate(define_scenario("birmingham", prices="published", method="full")))
    nhs = {o["id"]: o for o in data["overlaps"]}["living-well-support-at-home-nhs"]
    assert nhs["sentence"] == (
        "About 723 people a year are in both Living Well (Age UK) and British Red Cross Support at Home "
        "(72.3% of Living Well (Age UK)'s 1,000); the smaller NHS saving per person of the two, £454.00, is "
        "counted once, not twice, so £328,316 a year is taken off the NHS's total."
    )
    assert all(o["sentence"] for o in data["overlaps"])


def test_the_overlap_share_is_in_the_monte_carlo_and_the_tornado():
    scen = define_scenario("birmingham")
    v = Model.build(scen).draws(2000, 3)
    shares = [v[f"overlaps.{o.id}.share"] for o in scen.overlaps]
    assert len(shares) == 4 and all(np.array_equal(shares[0], s) for s in shares)  # one figure, drawn once
    assert shares[0].min() >= FIRST_EDITION - 1e-12 and shares[0].max() <= SHARE + 1e-12
    assert shares[0].min() < 0.35 and shares[0].max() > 0.7
    out = run_uncertainty(scen, UncertaintySettings(draws=200, seed=1))
    rows = [r for r in out["tornado"] if any(p.startswith("overlaps.") for p in r["paths"])]
    assert len(rows) == 1
    row = rows[0]
    assert sorted(row["paths"]) == sorted(f"overlaps.{o.id}.share" for o in scen.overlaps)
    assert row["low_value"] == pytest.approx(FIRST_EDITION) and row["high_value"] == pytest.approx(SHARE)
    # at the first edition's share the deduction (every payer) is smaller: the portfolio saves more
    base = evaluate(scen)
    assert row["low"] - row["high"] == pytest.approx(
        float(base.overlap_deduction[0, 0].sum()) * (1 - FIRST_EDITION / SHARE), rel=1e-6)


def test_the_overlap_share_has_a_switching_value():
    """Living Well and Support at Home with Living Well at £3,000 a person: the pair's net saving
    is £2,779,000 - £3,000,000 + £955,046 - £344,576 = £389,470 a year before the overlap, and each
    point of overlap share takes 1,000 x (£250 + £454) = £704,000 off: zero at 389,470 / 704,000."""
    from carescale.engine import ParameterTable
    from carescale.uncertainty.switching import overlap_switching_values

    scen = define_scenario("birmingham", ["living-well", "support-at-home"], prices="published", method="full",
                           overrides={"living-well.older-people-multiple-ltc.unit_cost": 3000})
    rows = {r["perspective"]: r for r in overlap_switching_values(scen, ParameterTable.from_scenario(scen))}
    net = 2_779_000 - 3_000_000 + 955_046.4 - 344_576
    assert rows["total"]["base_net_saving"] == pytest.approx(net - SHARE * 704_000, abs=1)
    assert rows["total"]["switch"] == pytest.approx(net / 704_000, abs=1e-6)
    assert rows["total"]["target"].startswith("The models together break even for the council and the NHS "
                                              "together if the overlap share is no more than 55.3%")
    # the council's side saves money at any share: no switching value, and the reason says so
    assert rows["asc"]["switch"] is None and "at any overlap share from 0 to 100%" in rows["asc"]["reason"]


def test_uncertainty_gives_the_overlap_switching_values():
    out = run_uncertainty(define_scenario("birmingham"), UncertaintySettings(draws=100, seed=1))
    rows = out["portfolio"]["switching_values"]
    assert {r["perspective"] for r in rows} == {"total", "asc", "nhs"}
    assert all(r["parameter"] == "overlaps.share" and len(r["paths"]) == 4 for r in rows)
    assert {r["perspective"] for r in out["portfolio"]["npv_switching_values"]} == {"total", "asc", "nhs"}
