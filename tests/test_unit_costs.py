"""The unit-cost library (data/unit_costs.yaml, carescale.official.unit_costs): every council's
figure of each kind with its source, England's where a council has none, the user's own first,
and bad unit-cost files refused in one line each."""

from __future__ import annotations

import pytest

from carescale.errors import InputFileError
from carescale.library import display_path
from carescale.official.unit_costs import read_user_unit_costs, unit_cost_library, user_unit_costs_dir

from .conftest import INVALID, run_cli

UNIT_COSTS = INVALID / "unit_costs"


@pytest.mark.parametrize(
    "kind,council,value,price_year,cell",
    [
        # ASC-FR 2021-22 Table 52 (a week of long-term care, by age) and 51 (an external home-care hour)
        ("care_home_week_65_plus", "E08000025", 891.450007, "2021/22", "T52!P85"),  # Birmingham
        ("nursing_home_week_65_plus", "E08000025", 668.992578, "2021/22", "T52!J85"),
        ("care_home_week_18_64", "E08000034", 1904.694241, "2021/22", "T52!O64"),  # Kirklees
        ("home_care_hour", "E08000025", 15.58, "2021/22", "T51!I84"),
        ("home_care_hour", "E06000066", 22.0, "2021/22", "T51!I166"),  # Somerset
        # the NHS National Cost Collection 2023/24: one England figure (SOURCES.md: £272.97 an A&E attendance)
        ("a_and_e_attendance", "E08000025", 272.970749, "2023/24", "rows 4770-4781"),
        ("non_elective_admission", "E08000035", 2595.429917, "2023/24", "rows 4887-9281"),
    ],
)
def test_official_unit_costs_by_council(kind, council, value, price_year, cell):
    uc = unit_cost_library().get(kind, council)
    assert uc.value == pytest.approx(value, abs=1e-5)
    assert uc.price_year == price_year
    assert cell in uc.ref.section
    assert uc.note is None
    kind_def = unit_cost_library().kind(kind)
    assert uc.unit == kind_def.unit and uc.ref.document == kind_def.official.document


def test_a_council_without_a_figure_gets_englands_saying_so():
    """Swindon did not submit Table 52 for 2021-22 ([x]): England's figure, with why."""
    uc = unit_cost_library().get("care_home_week_65_plus", "E06000030")
    assert uc.council == "E92000001"
    assert uc.value == pytest.approx(747.433102, abs=1e-6)
    assert uc.note == (
        "England's figure: the official series has no figure for E06000030 (ascfr_residential_week_65_plus)"
    )
    assert unit_cost_library().get("home_care_hour", None).note.startswith("England's figure: the area has no ONS code")


def test_a_users_own_figure_comes_first(tmp_path):
    folder = user_unit_costs_dir()
    folder.mkdir(parents=True)
    text = (UNIT_COSTS / "no_year.yaml").read_text(encoding="utf-8").replace(
        "    unit: GBP_per_week\n", "    unit: GBP_per_week\n    price_year: 2024/25\n")
    (folder / "birmingham.yaml").write_text(text, encoding="utf-8")
    uc = unit_cost_library().get("care_home_week_65_plus", "E08000025")
    assert (uc.value, uc.price_year, uc.ref.document) == (950, "2024/25", "user-unit-costs")
    # other councils and kinds keep the official figures
    assert unit_cost_library().get("home_care_hour", "E08000025").value == 15.58
    r = run_cli("validate", str(folder / "birmingham.yaml"))
    assert (r.code, r.out.strip()) == (0, f"ok: {folder / 'birmingham.yaml'} (unit costs: 1)")


NAME = "unit_costs[0]"
KINDS = ("a_and_e_attendance, care_home_week_18_64, care_home_week_18_64_learning_disability, care_home_week_18_64_mental_health, "
         "care_home_week_65_plus, home_care_hour, non_elective_admission, nursing_home_week_65_plus")
EXPECTED = {
    "no_year.yaml": f"{NAME}: price_year: a unit cost needs its price year, for example '2021/22'",
    "bad_year.yaml": (f"{NAME}: price_year: '24-25' is not a price year; give a financial year such as "
                      "'2021/22' or a calendar year such as '2021'"),
    "bad_council.yaml": (f"{NAME}: council: 'Birmingham' is not a council's ONS code; give a code such as "
                         "'E08000025' (Birmingham), or 'E92000001' for England"),
    "negative_value.yaml": f"{NAME}: value -950 is negative; GBP must be pounds (0 or more)",
    "no_source.yaml": f"{NAME}.ref: required key is missing",
    "unknown_kind.yaml": f"{NAME}.kind: unknown kind 'care_home_weak'; the kinds are: {KINDS}",
    "wrong_unit.yaml": f"{NAME}.unit: 'GBP_per_hour' is not the unit of care_home_week_65_plus; it is 'GBP_per_week'",
    "empty_list.yaml": "unit_costs: the list is empty; give at least one unit cost",
}


@pytest.mark.parametrize("name,message", EXPECTED.items(), ids=list(EXPECTED))
def test_a_bad_unit_cost_file_is_refused_in_one_line(name, message):
    path = UNIT_COSTS / name
    with pytest.raises(InputFileError) as exc:
        read_user_unit_costs(path)
    assert exc.value.message == f"{display_path(path)}: {message}"
    r = run_cli("validate", str(path))
    assert r.code == 2 and r.err.strip() == f"error: {display_path(path)}: {message}" and "Traceback" not in r.err


def test_every_fixture_has_its_message():
    assert {p.name for p in UNIT_COSTS.glob("*.yaml")} == set(EXPECTED)


def test_a_logic_model_saving_can_be_priced_by_a_unit_cost():
    """A logic model's outcome with ``priced_by`` takes each council's own unit cost: the example's
    £6,000 a year of home care, written at Birmingham's hour (£15.58), is £6,000 x 17.92 / 15.58
    in Leeds (ASC-FR 2021-22 T51)."""
    from pathlib import Path

    from carescale.engine.scenario import define_scenario
    from carescale.io.yaml import read_yaml
    from carescale.plans.logic_model import library_with, parse_logic_model

    path = Path(__file__).resolve().parents[1] / "docs" / "examples" / "falls-prevention-logic-model.yaml"
    data = read_yaml(path)
    out = next(o for o in data["outcomes"] if o["id"] == "home-care-avoided")
    out["priced_by"] = {"unit_cost": "home_care_hour", "site": "E08000025"}
    lm = parse_logic_model(data, str(path))
    lib = library_with(lm)
    leeds = define_scenario("leeds", [lm.id], library=lib, prices="published")
    got = next(o for o in leeds.interventions[0].segments[0].outcomes if o.id == "home-care-avoided")
    assert got.unit_saving.value == pytest.approx(6000 * 17.92 / 15.58, rel=1e-12)
    here = define_scenario("birmingham", [lm.id], library=lib, prices="published")
    same = next(o for o in here.interventions[0].segments[0].outcomes if o.id == "home-care-avoided")
    assert same.unit_saving.value == 6000


def test_an_unknown_unit_cost_kind_is_refused_in_one_line():
    from pathlib import Path

    from carescale.engine.scenario import define_scenario
    from carescale.errors import ModelError
    from carescale.io.yaml import read_yaml
    from carescale.plans.logic_model import library_with, parse_logic_model

    path = Path(__file__).resolve().parents[1] / "docs" / "examples" / "falls-prevention-logic-model.yaml"
    data = read_yaml(path)
    out = next(o for o in data["outcomes"] if o["id"] == "home-care-avoided")
    out["priced_by"] = {"unit_cost": "home_care_hours", "site": "E08000025"}
    lm = parse_logic_model(data, str(path))
    with pytest.raises(ModelError) as exc:
        define_scenario("leeds", [lm.id], library=library_with(lm))
    assert exc.value.message == (
        f"intervention {lm.id!r}: segments[service].outcomes[home-care-avoided].priced_by.unit_cost: "
        f"unknown kind 'home_care_hours'; the kinds are: {KINDS} (data/unit_costs.yaml)")


def test_every_priced_saving_in_the_library_names_a_known_kind():
    from carescale.library import default_library

    kinds = unit_cost_library().kinds
    priced = [(iv.id, o.priced_by) for iv in default_library().interventions.values()
              for seg in iv.segments for o in seg.outcomes if o.priced_by]
    # every calibrated model but Harrow's (NHS budgets: no unit cost in the library): 9; and the
    # paper's six models' person-based savings: 9 (hospital discharge cuts the council's own spend)
    assert len(priced) == 18
    assert {pb.unit_cost for _, pb in priced} >= {"a_and_e_attendance", "non_elective_admission", "home_care_hour"}
    assert all(pb.unit_cost in kinds for _, pb in priced)
    paper = {iid: [(pb.unit_cost, pb.site) for i, pb in priced if i == iid] for iid in ("community-agents", "living-well", "kent-pathways", "shared-lives", "hospital-discharge", "support-at-home")}
    assert paper == {
        "community-agents": [("care_home_week_65_plus", "E06000003"), ("home_care_hour", "E06000003")],
        "living-well": [("home_care_hour", "E06000052"), ("non_elective_admission", "E06000052")],
        "kent-pathways": [("home_care_hour", "E10000016")],
        "shared-lives": [("care_home_week_18_64_learning_disability", "E08000025"), ("care_home_week_18_64_mental_health", "E08000025")],
        "hospital-discharge": [],
        "support-at-home": [("home_care_hour", "E92000001"), ("non_elective_admission", "E92000001")],
    }
    assert all(pb.published_for == ("birmingham",) for i, pb in priced if i in paper)


def test_the_paper_models_are_priced_by_the_councils_unit_costs_on_the_default_preset_only():
    """Leeds (built-in profile, default preset): each of the paper's person-based savings scaled by
    Leeds' unit cost over the site's (ASC-FR 2021-22 T51-T53; the NCC 2023/24 for the NHS, one
    England figure, so as published), named with file, table and cell; under the paper preset,
    and on the paper's Birmingham profile, as published."""
    from carescale.engine.scenario import define_scenario

    def savings(area, prices):
        s = define_scenario(area, prices=prices)
        return {f"{iv.id}.{seg.id}.{o.id}": o.unit_saving for iv in s.interventions for seg in iv.segments for o in seg.outcomes}

    leeds = savings("leeds", "default")
    q = leeds["community-agents.older-people.stay-home-longer"]
    assert q.value == pytest.approx(12078 * 673.288 / 737.338, rel=1e-5) and q.price_year == "2013/14"
    assert ("care_home_week_65_plus here £673.29 (2021/22; ascfr-salt-data-tables-2021-22.xlsx, T52, T52!P65: Leeds (E08000035)), "
            "at the source site £737.34 (2021/22; ascfr-salt-data-tables-2021-22.xlsx, T52, T52!P31: Redcar and Cleveland (E06000003))") in q.derivation
    assert q.derivation.endswith("so the saving keeps its price year 2013/14 and is re-priced to the run's price base like every money figure")
    sl = leeds["shared-lives.learning-disability.avoided-alternative-package"]
    assert sl.value == pytest.approx(26000 * 1406.11 / 1751.19, rel=1e-5)
    nhs = leeds["living-well.older-people-multiple-ltc.ae-and-admissions"]
    assert nhs.value == 1598 and "non_elective_admission here £2,595.43 (2023/24; ncc_2023_24.csv" in nhs.note
    for area, prices in (("leeds", None), ("birmingham", "default"), ("birmingham", None)):
        kept = savings(area, prices)
        assert kept["community-agents.older-people.stay-home-longer"].value == 12078, (area, prices)
        assert kept["shared-lives.learning-disability.avoided-alternative-package"].value == 26000, (area, prices)


def test_a_users_figure_of_another_year_is_re_priced_before_the_ratio():
    """Birmingham's own home-care hour, £18.00 in 2024/25 prices, against Somerset's £22.00 in
    2021/22: the ratio is taken in 2021/22 prices (HM Treasury's GDP deflator, carescale.prices)."""
    from carescale.engine.scenario import define_scenario
    from carescale.prices import price_base

    folder = user_unit_costs_dir()
    folder.mkdir(parents=True)
    (folder / "mine.yaml").write_text(
        "unit_costs:\n  - kind: home_care_hour\n    council: E08000025\n    value: 18\n    unit: GBP_per_hour\n"
        "    price_year: 2024/25\n    ref:\n      document: user-unit-costs\n      section: our fee rates\n"
        "      quote: \"£18.00 an hour\"\n", encoding="utf-8")
    scenario = define_scenario("birmingham", ["community-enterprises"], prices="published")
    got = scenario.interventions[0].segments[0].outcomes[0].unit_saving
    in_2021_22 = 18 * price_base("2021/22").factor("2024/25")
    assert in_2021_22 < 18
    assert got.value == pytest.approx(800_000 / 700 * in_2021_22 / 22.0, rel=1e-12)
    assert "our fee rates" in got.derivation


def test_areas_unit_costs_lists_an_areas_figures_with_their_sources():
    rows = {r["kind"]: r for r in run_cli("areas", "unit-costs", "birmingham", "--format", "json").json()}
    assert set(rows) == set(unit_cost_library().kinds)
    hour = rows["home_care_hour"]
    assert (hour["value"], hour["price_year"], hour["council"], hour["note"]) == (15.58, "2021/22", "E08000025", "")
    assert "T51!I84: Birmingham (E08000025)" in hour["source"]
    assert rows["a_and_e_attendance"]["council"] == "E92000001"
    leeds = run_cli("areas", "unit-costs", "leeds", "--format", "csv")
    assert leeds.code == 0 and "T51!I64: Leeds (E08000035)" in leeds.out
    bad = run_cli("areas", "unit-costs", "atlantis")
    assert bad.code == 2 and bad.err.startswith("error: unknown area 'atlantis'")
