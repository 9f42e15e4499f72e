"""Local conversations and a public plan (issue 28, SCIE 2017 Appendix A): the local picture from
official figures mapped to the five areas, the outlook's cases, proposals with the engine's
figures, responses, the report and the public plan (docs/conversations.md)."""

from __future__ import annotations

import pytest

from carescale.conversations.model import OwnSpendIn, ResponseIn
from carescale.conversations.picture import area_mapping, england_trends, local_picture, official_lines
from carescale.official.spend_baseline import council_baseline
from carescale.prices import price_base


@pytest.fixture(scope="module")
def leeds():
    return council_baseline("E08000035")


@pytest.fixture(scope="module")
def birmingham():
    return council_baseline("E08000025")


def test_every_mapped_line_has_an_area_and_a_reason():
    m = area_mapping()
    assert len(m.lines) == 12 and all(x.why for x in m.lines)
    assert {x.area for x in m.lines} == {1, 2, 4, 5}
    assert 3 in m.no_line  # day activities and work: no official line, and the picture says so


def test_leeds_areas_from_official_lines(leeds):
    lines = {x.id: x for x in official_lines(leeds)}
    iso = lines["ro3:social-support-social-isolation"].money
    assert (iso.cash, iso.cash_year, iso.real, iso.price_base) == (724_000, "2024-25", 724_000, "2024/25")
    home = lines["ascfr:long-term-home-care:65+"].money
    assert home.cash == 29_107_000 and home.cash_year == "2021-22"
    assert home.real == pytest.approx(29_107_000 * price_base().factor("2021/22"), abs=0.01)
    areas = {a.area: a for a in local_picture(leeds, {}).areas}
    assert areas[1].official.real == 724_000 + 13_239_000 and areas[1].used == "official"
    assert areas[3].used == "none" and areas[3].spend is None
    assert areas[3].note.startswith("No official figure for this area: RO3 and ASC-FR have no line for day activities")


def test_own_figure_replaces_the_official_one_and_both_are_shown(birmingham):
    from carescale.conversations.picture import own_figure

    own = own_figure(OwnSpendIn(area=1, amount=12_500_000, price_year="2024/25", source="Birmingham budget book 2024/25"),
                     "2024/25", by="finance")
    areas = {a.area: a for a in local_picture(birmingham, {1: own}).areas}
    assert areas[1].used == "own" and areas[1].spend.real == 12_500_000 and areas[1].own.source == "Birmingham budget book 2024/25"
    assert areas[1].official is None  # Birmingham sent no RO3 return for 2022-23 to 2024-25
    assert areas[1].note == "The council's own figure is used; there is no official figure for this area"
    assert areas[4].used == "official"
    assert areas[4].official.real == pytest.approx((44_441_000 + 52_909_000 + 38_898_000 + 8_383_000) * price_base().factor("2021/22"), abs=0.05)


def test_outlook_cases_from_the_trend(leeds, birmingham):
    lo, med, hi, n = england_trends("2024/25")
    assert n > 100 and lo < med < hi
    out = local_picture(leeds, {}).outlook.council
    ro3 = {t["year"]: t["real"] for t in leeds["total"] if t["measure"] == "total expenditure (RO3 C3)"}
    rate = (ro3["2024-25"] / ro3["2022-23"]) ** 0.5 - 1
    assert out.growth["central"] == pytest.approx(rate, abs=1e-6)
    assert out.start.cash == 322_733_000 and out.start.cash_year == "2024-25"  # RO3 2024-25 net (C7)
    first = out.years[0]
    assert first.year == "2025/26" and first.central.real == pytest.approx(322_733_000 * (1 + out.growth["central"]), abs=0.01)
    assert first.low.real < first.central.real < first.high.real
    assert len(out.years) == 5 and all(y.central.price_base == "2024/25" for y in out.years)
    brum = local_picture(birmingham, {}).outlook
    assert brum.council.growth["central"] == pytest.approx(med, abs=1e-6)  # no RO3 trend: England's median
    assert brum.council.growth_source.startswith("Birmingham has no RO3 trend")
    assert brum.nhs.start is None and brum.nhs.years == []


@pytest.mark.parametrize("field,value,message", [
    ("amount", -5, "amount: -5 is below zero; give pounds, 0 or more"),
    ("price_year", "2024", "price_year: '2024' is not a financial year; write it as 2024/25"),
])
def test_own_figure_refused(field, value, message):
    from carescale.conversations.core import parse_input

    data = {"area": 1, "amount": 100, "price_year": "2024/25", "source": "budget", field: value}
    with pytest.raises(Exception) as err:
        parse_input(OwnSpendIn, data, "spend")
    assert str(err.value) == f"spend: {message}"


def test_response_model_refuses_bad_types():
    from carescale.conversations.core import parse_input

    with pytest.raises(Exception) as err:
        parse_input(ResponseIn, {"proposal": "p", "stance": "maybe", "respondent": "carer"}, "response")
    assert str(err.value) == "response: stance: input should be 'support', 'oppose' or 'not-sure' (got 'maybe')"


def test_case_study_and_logic_model_proposals_and_a_linked_plan(tmp_path):
    """A case study is evaluated as its models (Cornwall's Living Well is the Living Well model in
    Birmingham, the same scenario); the council's logic model runs through the same engine; a
    decision links the saved investment plan that carries it out."""
    from carescale.conversations.service import Conversations
    from carescale.io.yaml import read_yaml
    from carescale.plans.plan import create_plan

    from .conftest import REPO

    url = f"sqlite:///{tmp_path / 's.db'}"
    from carescale.accounts import open_accounts

    for org in ("birmingham", "leeds"):
        open_accounts(url).create_organisation(org, org.title())
    c = Conversations(url)
    with pytest.raises(Exception) as err:
        c.create({"id": "x", "council": "E08000025", "name": "B", "organisation": "wolverhampton"})
    assert str(err.value) == ("conversation: organisation: there is no organisation 'wolverhampton'; the organisations "
                              "are: birmingham, leeds")
    c.create({"id": "brum", "council": "E08000025", "name": "Birmingham", "organisation": "birmingham"})
    cs = c.propose("brum", {"id": "grow-cornwall", "kind": "grow", "title": "Living Well as in Cornwall",
                            "meaning_for_people": "Help to set your own goals", "model": {"case_study": "cornwall-living-well"}})
    lw = c.propose("brum", {"id": "grow-lw", "kind": "grow", "title": "Living Well", "meaning_for_people": "Same",
                            "model": {"library": "living-well"}})
    assert (cs.model_kind, cs.model_ref, cs.figures.models) == ("case-study", "cornwall-living-well", ["living-well"])
    assert cs.figures.scenario_id == lw.figures.scenario_id and cs.figures.net == lw.figures.net
    lm_data = read_yaml(REPO / "docs" / "examples" / "falls-prevention-logic-model.yaml")
    lm = c.propose("brum", {"id": "grow-falls", "kind": "grow", "title": "Falls prevention", "scale": 0.5,
                            "meaning_for_people": "Fewer falls at home", "model": {"logic_model": lm_data}})
    assert (lm.model_kind, lm.model_ref, lm.area, lm.scale) == ("logic-model", "falls-prevention-local", 1, 0.5)
    assert lm.figures.people_helped > 0 and lm.figures.cost.real > 0
    from carescale.library import default_library
    from carescale.plans.logic_model import library_with, parse_logic_model
    from carescale.scenarios import evaluate_document, parse_data

    lib = library_with(parse_logic_model(lm_data, "lm"), default_library(), "lm")
    doc = parse_data({"version": 1, "area": "birmingham-official", "interventions": ["falls-prevention-local"],
                      "basis": "potential", "scale": {"falls-prevention-local": 0.5}, "price_base_year": "2024/25",
                      "note": "conversation proposal"})
    assert lm.figures.cost.real == round(evaluate_document(doc, lib).run["totals"]["cost"], 2)

    create_plan(REPO / "docs" / "examples" / "falls-prevention-plan.yaml", by="planner", url=url, owner="birmingham")
    from carescale.errors import ConversationError

    c.create({"id": "leeds", "council": "E08000035", "name": "Leeds", "organisation": "leeds"})
    c.propose("leeds", {"id": "grow-falls", "kind": "grow", "title": "Falls prevention", "scale": 0.5,
                        "meaning_for_people": "Fewer falls at home", "model": {"logic_model": lm_data}})
    with pytest.raises(ConversationError) as err:  # another council's private plan
        c.decide("leeds", {"proposal": "grow-falls", "decision": "grow", "reason": "r", "plans": ["falls-birmingham"]})
    assert str(err.value) == ("decision: plans: 'falls-birmingham' is not a saved investment plan; save it first with "
                              "'carescale plans create'")  # the same line as for a plan that does not exist
    d = c.decide("brum", {"proposal": "grow-falls", "decision": "grow", "reason": "Start at half scale and review",
                          "plans": ["falls-birmingham"]})
    assert d.plans == ["falls-birmingham"] and d.evidence[-1].startswith("Evidence level")
    assert "logic model falls-prevention-local" in d.evidence[-1]
    assert c.public_plan("brum", draft=True).undecided == ["grow-cornwall", "grow-lw"]
    history = c.history("brum")
    assert [h["kind"] for h in history] == ["decision"] and history[0]["body"]["plans"] == ["falls-birmingham"]


def test_goals_and_a_price_year_outside_the_index(tmp_path):
    from carescale.conversations.service import DEFAULT_GOALS, Conversations
    from carescale.errors import ConversationError

    c = Conversations(f"sqlite:///{tmp_path / 's.db'}")
    conv = c.create({"id": "brum", "council": "E08000025", "name": "Birmingham"}, by="alice")
    assert conv.goals == list(DEFAULT_GOALS) and conv.price_year == "2024/25" and conv.created_by == "alice"
    assert c.set_goals("brum", ["  Everyone lives well at home.  ", ""], by="alice").goals == ["Everyone lives well at home."]
    with pytest.raises(ConversationError) as err:
        c.set_own_spend("brum", {"area": 1, "amount": 5, "price_year": "1900/01", "source": "old ledger"})
    assert str(err.value) == (
        "spend: price_year: 1900/01 needs the index for 1900/01, which the HM Treasury GDP deflator at market prices "
        "(December 2023), financial years (1990/91-2028/29) does not have; choose a year the index covers or give "
        "your own index file (price_index)")
    assert c.picture("brum").areas[0].own is None  # nothing was stored
    own = c.set_own_spend("brum", {"area": 3, "amount": 1_000_000, "price_year": "2023/24", "source": "budget"}).areas[2]
    from carescale.prices import price_base

    assert own.used == "own" and own.spend.real == round(1_000_000 * price_base().factor("2023/24"), 2)
    assert (own.spend.cash, own.spend.cash_year) == (1_000_000, "2023/24")


def test_the_councils_own_expected_money_anchors_the_central_case(tmp_path):
    from carescale.conversations.service import Conversations
    from carescale.prices import price_base

    c = Conversations(f"sqlite:///{tmp_path / 's.db'}")
    c.create({"id": "leeds", "council": "E08000035", "name": "Leeds"})
    before = c.picture("leeds").outlook.council
    pic = c.add_outlook("leeds", {"payer": "council", "year": "2026/27", "amount": 300_000_000, "price_year": "2023/24",
                                  "source": "Leeds MTFS 2025 (illustrative)"})
    out = pic.outlook.council
    own = round(300_000_000 * price_base().factor("2023/24"), 2)
    years = {y.year: y for y in out.years}
    assert years["2025/26"].central == before.years[0].central  # before the council's year: the official trend
    assert years["2026/27"].own.real == own and years["2026/27"].central.real == own
    assert years["2026/27"].own_source == "Leeds MTFS 2025 (illustrative)"
    assert years["2027/28"].central.real == pytest.approx(own * (1 + out.growth["central"]), abs=0.01)
    assert years["2027/28"].low.real == pytest.approx(own * (1 + out.growth["low"]), abs=0.01)
    assert out.note == "From official figures and the council's own figures"


def test_an_unusual_trend_is_flagged():
    warrington = council_baseline("E06000007")
    lo, med, hi, n = england_trends("2024/25")
    out = local_picture(warrington, {}).outlook.council
    assert out.growth["central"] > hi
    assert out.note == (f"From official figures; Warrington's own trend ({out.growth['central']:.1%} a year) is above that "
                        f"of nine in ten English councils ({lo:.1%} to {hi:.1%} a year): check it against the council's "
                        "own budget figures")
    leeds = local_picture(council_baseline("E08000035"), {}).outlook.council
    assert leeds.note == "From official figures"


def test_a_service_by_support_reason_takes_the_area_of_what_makes_it_possible(tmp_path):
    """Leeds: RO3 2024-25 learning disability support (18-64) can be reduced as Shared Lives grows;
    it serves every area, so the proposal takes Shared Lives' area (4)."""
    from carescale.conversations.service import Conversations
    from carescale.errors import ConversationError

    c = Conversations(f"sqlite:///{tmp_path / 's.db'}")
    c.create({"id": "leeds", "council": "E08000035", "name": "Leeds"})
    c.propose("leeds", {"id": "grow-sl", "kind": "grow", "title": "Shared Lives", "meaning_for_people": "Homes",
                        "model": {"library": "shared-lives"}})
    red = {"id": "reduce-ld", "kind": "reduce", "title": "Less learning disability residential support",
           "meaning_for_people": "Fewer moves away from home", "service": "ro3:2024-25:learning-disability-support:18-64",
           "reduction": 500_000}
    with pytest.raises(ConversationError) as err:
        c.propose("leeds", red)
    assert str(err.value) == ("proposal 'reduce-ld': because_of: learning disability support (18-64), RO3 serves every "
                              "area; name the 'grow' proposals that make the reduction possible (the proposal takes their area)")
    p = c.propose("leeds", {**red, "because_of": ["grow-sl"]})
    assert (p.area, p.service.money.cash, p.service.money.cash_year) == (4, 120_949_000, "2024-25")
