"""Issue 21, the finance officer's view: the cashable flag of every saving, the cash budget view
(MTFS), the options appraisal and the optimism-bias methods (docs/appraisal.md)."""

from __future__ import annotations

import numpy as np
import pytest

from carescale.library import default_library
from carescale.schema.intervention import DEFAULT_CASHABLE_REASON, Outcome, SpendReduction, cashable_of
from carescale.scenarios import ScenarioDocument, evaluate_document

LIB = default_library()
BIRMINGHAM = ScenarioDocument(area="birmingham")


# -- the cashable flag, set per saving in the evidence --------------------------------------------


def _lines(doc=BIRMINGHAM):
    return evaluate_document(doc).savings()


def test_every_runnable_saving_in_the_library_states_whether_it_is_cashable():
    """The six models of the paper set the flag in their files; fewer placements and less care
    bought are cashable, NHS activity avoided (A&E, admissions, falls) is not."""
    flags = {}
    for iv in LIB.interventions.values():
        for seg in iv.segments:
            for s in (*seg.outcomes, *seg.spend_reductions):
                flags[(iv.id, s.id)] = cashable_of(s)
    paper = ["community-agents", "hospital-discharge", "kent-pathways", "living-well", "shared-lives",
             "support-at-home"]
    for (iid, sid), flag in flags.items():
        if iid in paper:
            assert flag.status == "assumption" and flag.reason, (iid, sid)
    assert flags[("hospital-discharge", "long-term-placements")].value is True
    assert flags[("shared-lives", "avoided-alternative-package")].value is True
    assert flags[("living-well", "ae-and-admissions")].value is False
    assert flags[("support-at-home", "fewer-falls-malnutrition-depression")].value is False


def test_the_default_rule_applies_when_a_file_gives_no_flag():
    ref = {"document": "scie-2017", "section": "s", "quote": "q"}
    money = {"value": 10, "unit": "GBP_per_person_per_year", "price_year": "2015/16", "ref": ref}
    asc = Outcome(id="a", description="d", payer="asc", unit_saving=money)
    nhs = Outcome(id="b", description="d", payer="nhs", unit_saving=money)
    cut = SpendReduction(id="c", description="d", payer="nhs", spend_line="x",
                         reduction={"value": 0.1, "unit": "proportion", "ref": ref})
    assert cashable_of(asc) == (True, "default", DEFAULT_CASHABLE_REASON)
    assert cashable_of(nhs) == (False, "default", DEFAULT_CASHABLE_REASON)
    assert cashable_of(cut).value is False


def test_the_saving_lines_add_up_to_the_engines_gross_saving():
    """Every line of every model of the Birmingham default, by payer, adds up to the gross
    saving `carescale run` prints, to the penny."""
    ev = evaluate_document(BIRMINGHAM)
    run = ev.run
    lines = ev.savings()
    for item in run["interventions"]:
        for payer in ("asc", "nhs"):
            total = sum(line["amount"] for line in lines if line["intervention"] == item["id"] and line["payer"] == payer)
            assert total == pytest.approx(item["gross_savings"][payer], abs=0.02), (item["id"], payer)
    lw = [line for line in lines if line["intervention"] == "living-well"]
    assert {(line["id"], line["payer"], line["cashable"]) for line in lw} == {
        ("social-care-costs", "asc", True), ("ae-and-admissions", "nhs", False)}


def test_a_cashable_flag_must_be_true_or_false():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="valid boolean"):
        Outcome.model_validate({
            "id": "a", "description": "d", "payer": "asc",
            "unit_saving": {"value": 1, "unit": "GBP_per_person_per_year", "price_year": "2015/16",
                            "ref": {"document": "scie-2017", "section": "s", "quote": "q"}},
            "cashable": {"value": "sometimes", "reason": "r"},
        })
