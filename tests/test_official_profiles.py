"""Built-in council profiles from the shipped official figures (issue 22): what comes from which
series, what is estimated and from what, `carescale run --area leeds` on a fresh install, the
user's own profile overriding a built-in one, and the national roll-up's counts by source."""

from __future__ import annotations

import json

import pytest

from carescale.areas.official import official_profiles
from carescale.library import packaged_library, user_areas_dir
from carescale.national import official_inputs, run_national

from .conftest import run_cli


@pytest.fixture(scope="module")
def profiles():
    return official_profiles()


def test_153_councils_with_unique_ids(profiles):
    assert len(profiles) == 153
    codes = {p.area.ons_code for p in profiles.values()}
    assert len(codes) == 153
    # the packaged profiles keep their ids; the official Birmingham, Kent, Cornwall, Redcar get -official
    assert {"birmingham-official", "kent-official", "cornwall-official", "redcar-and-cleveland-official"} <= set(profiles)
    assert "birmingham" not in profiles and "leeds" in profiles


def test_leeds_figures_come_from_the_official_series(profiles):
    leeds = profiles["leeds"].area
    assert leeds.ons_code == "E08000035"
    c = leeds.cohorts
    assert (c["population_all_ages"].value, c["population_18_64"].value, c["population_65_plus"].value) == (829413, 525418, 129862)
    assert c["population_65_plus"].period == "mid-2023" and c["population_65_plus"].ref.document == "ons-mye-2023"
    assert c["learning_disability_long_term_support"].value == 1800  # SALT T37, 18-64, 31 March 2022
    assert c["mental_health_long_term_support"].value == 970
    assert c["learning_disability_long_term_support"].ref.document == "nhs-digital-ascfr-2022"
    assert "T37!L" in c["learning_disability_long_term_support"].ref.section
    ltp = leeds.spend["long_term_placements"]  # T44: 22,623 nursing + 37,667 residential (£k)
    assert (ltp.value, ltp.price_year, ltp.status) == (60_290_000, "2021/22", "implied")
    assert ltp.derivation.startswith("(22,623 nursing + 37,667 residential) x 1,000 = 60,290,000")


def test_leeds_has_no_estimates_and_its_target_groups_are_official(profiles):
    prof = profiles["leeds"]
    assert prof.estimated == () and prof.notes == ()
    leeds = prof.area
    stp = leeds.spend["short_term_placements"]  # ASC-FR T31: 65+, short-term care other than reablement
    assert (stp.value, stp.status, stp.price_year) == (10_856_000, "implied", "2021/22")
    assert stp.ref.section.endswith("T31, cell T31!Q64: Leeds (E08000035)")
    assert stp.derivation.startswith("10,856 x 1,000 = 10,856,000 (short-term care for people aged 65+ other than")
    # Support at Home's group: SALT T38, 65+ on long-term support at 31 March 2022, not in a care home
    com = leeds.cohorts["older_people_community_long_term_support"]
    assert (com.value, com.status, com.period, com.ref.document) == (2910, "implied", "2021-22", "nhs-digital-ascfr-2022")
    assert com.derivation.startswith("4,675 in all - 630 nursing - 1,135 residential = 2,910 (people aged 65+")
    assert "T38, cells T38!W64, T38!O64 and T38!P64: Leeds (E08000035)" in com.ref.section
    # no invented figures: neither the paper's 'very limited' count nor a Shared Lives count
    assert "older_people_very_limited" not in leeds.cohorts and leeds.provision == {}


def test_leeds_models_are_sized_on_the_official_groups():
    data = run_cli("run", "--area", "leeds", "--format", "json").json()
    n = {i["id"]: i["beneficiaries"] for i in data["interventions"]}
    assert n["support-at-home"] == pytest.approx(0.3147563805 * 2910, abs=5e-4)  # sizing.otherwise of the evidence file
    assert n["shared-lives"] == pytest.approx(51 / 2177 * 1800 + 1 / 461 * 970, abs=5e-4)
    assert data["estimated_figures"] == []
    # the paper's Birmingham keeps the paper's groups: 3% of 45,220 and the target share less 78 and 10
    paper = {i["id"]: i["beneficiaries"] for i in run_cli("run", "--area", "birmingham", "--format", "json").json()["interventions"]}
    assert paper["support-at-home"] == pytest.approx(0.03 * 45220, abs=5e-4)
    assert paper["shared-lives"] == pytest.approx(0.0592558567 * 2177 - 78 + 0.0238611714 * 461 - 10, abs=5e-4)


def test_a_missing_or_suppressed_official_figure_is_a_stated_estimate(profiles):
    hackney = profiles["hackney"]  # ASC-FR 2021-22: Hackney submitted no return ([x])
    assert hackney.area.cohorts["learning_disability_long_term_support"].status == "estimated"
    assert hackney.notes[1] == (
        "cohorts.learning_disability_long_term_support: no official figure (T37 cell T37!L109 [x] data not "
        "submitted); estimated from cohorts.population_18_64"
    )
    assert hackney.notes[0] == (
        "cohorts.older_people_community_long_term_support: no official figure (T38 cell T38!W109 [x] data not "
        "submitted); estimated from cohorts.population_65_plus"
    )
    # a suppressed care-home cell ([c], fewer than 5) leaves the community count unknown: estimated, never 25 - 0 - 15
    com = profiles["isles-of-scilly"].area.cohorts["older_people_community_long_term_support"]
    assert com.status == "estimated" and com.value == pytest.approx(0.02068934434081817 * profiles["isles-of-scilly"].area.cohorts["population_65_plus"].value)
    assert com.note == "Estimated: the official series has no figure for Isles of Scilly (T38 cell T38!O166 [c] data less than 5)."
    scilly = profiles["isles-of-scilly"]  # [c]: fewer than 5, never read as zero
    q = scilly.area.cohorts["mental_health_long_term_support"]
    assert q.status == "estimated" and q.value > 0
    assert q.note == "Estimated: the official series has no figure for Isles of Scilly (T37 cell T37!M166 [c] data less than 5)."
    # Cumbria's successors: SALT counts shared by population, the split stated in the derivation
    cumberland = profiles["cumberland"].area.cohorts["learning_disability_long_term_support"]
    assert cumberland.status == "implied" and "April 2023 split: Cumberland's share of E10000006's figure" in cumberland.derivation


def test_the_paper_birmingham_profile_stays_as_published(profiles):
    lib = packaged_library()
    paper = lib.area("birmingham")
    assert paper.cohorts["older_people_very_limited"].value == 45220
    assert paper.spend["long_term_placements"].value == 31961538
    official = lib.area("birmingham-official")  # a built-in council profile, found by Library.area
    assert official.cohorts["population_65_plus"].value == 152753  # mid-2023 check value (SOURCES.md)
    assert official.spend["long_term_placements"].value == (38898 + 44441) * 1000


def test_run_area_leeds_on_a_fresh_install():
    r = run_cli("run", "--area", "leeds")
    assert r.code == 0, r.err
    assert "Scaling up what works: Leeds" in r.out
    text = " ".join(r.out.split())
    assert "Official figures (8): cohorts.population_all_ages = 829,413 (ONS mid-2023);" in text
    assert "cohorts.learning_disability_long_term_support = 1,800 (ASC-FR/SALT 2021-22)" in text
    assert "spend.long_term_placements = 60,290,000 (ASC-FR/SALT 2021-22)" in text
    assert "cohorts.older_people_community_long_term_support = 2,910 (ASC-FR/SALT 2021-22)" in text
    assert "Estimated figures: none (every figure of the profile is official)." in text
    assert ("Sizing used here: support-at-home.older-people-very-limited = 0.3148 x "
            "cohorts.older_people_community_long_term_support (the area has no cohorts.older_people_very_limited; "
            "share: 0.03 x 45,220 = 1,356.6 (the paper's people in Birmingham) / 4,310") in text
    assert ("Sizing used here: shared-lives.learning-disability = 0.02343 x cohorts.learning_disability_long_term_support "
            "(the area has no provision.shared-lives.learning-disability; share: 51 / 2177 = 0.0234267340") in text
    data = run_cli("run", "--area", "leeds", "--no-reprice", "--format", "json").json()
    hd = next(i for i in data["interventions"] if i["id"] == "hospital-discharge")
    # 13% of long- and short-term placement spend (2021/22 cash, not re-priced)
    assert hd["gross_savings"]["asc"] == pytest.approx(0.13 * (60_290_000 + 10_856_000), rel=1e-9)


def test_areas_list_shows_built_in_profiles_and_the_users_override_them():
    from carescale.library import default_library

    rows = run_cli("areas", "list", "--format", "json").json()
    # the paper's five packaged profiles, a source site for each model calibrated to one site, 153 councils
    sites = sum(1 for iv in default_library().interventions.values() if iv.calibration)
    assert sites >= 10
    assert len(rows) == 5 + sites + 153
    assert {r["profile"] for r in rows} == {"packaged", "built-in"}
    assert next(r for r in rows if r["id"] == "leeds") == {
        "id": "leeds", "name": "Leeds", "kind": "council", "ons_code": "E08000035", "profile": "built-in"}
    assert len(run_cli("areas", "list", "--no-built-in", "--format", "json").json()) == 5 + sites
    # the user's own profile with the same id wins
    folder = user_areas_dir()
    folder.mkdir(parents=True, exist_ok=True)
    text = (packaged_library().files["areas/birmingham"]).read_text(encoding="utf-8")
    text = text.replace("id: birmingham", "id: leeds", 1).replace("name: Birmingham", "name: Leeds (our figures)", 1)
    text = text.replace("ons_code: E08000025", "ons_code: E08000035", 1)
    (folder / "leeds.yaml").write_text(text, encoding="utf-8")
    rows = run_cli("areas", "list", "--format", "json").json()
    assert [r["profile"] for r in rows if r["id"] == "leeds"] == ["saved"]
    mine = run_cli("run", "--area", "leeds", "--format", "json").json()
    paper = run_cli("run", "--area", "birmingham", "--format", "json").json()
    # the same figures as the paper's Birmingham; the savings the paper measured elsewhere are
    # priced by Leeds' own unit costs (the profile's ONS code), which the paper's Birmingham is not
    assert (mine["totals"]["beneficiaries"], mine["totals"]["cost"]) == (paper["totals"]["beneficiaries"], paper["totals"]["cost"])
    from carescale.engine.scenario import define_scenario

    sl = define_scenario("leeds", ["shared-lives"], prices="default").interventions[0].segments[0].outcomes[0].unit_saving
    assert sl.value == pytest.approx(26000 * 1406.11 / 1751.19, rel=1e-5)  # T53 residential week, LD 18-64
    assert mine["totals"]["net_savings"] != paper["totals"]["net_savings"]
    # and the national roll-up uses it for Leeds, saying so
    data = run_national(official_inputs(default_library()))
    leeds = next(a for a in data["areas"] if a["code"] == "E08000035")
    assert leeds["profile"] == "imported" and leeds["name"] == "Leeds (our figures)"
    assert leeds["notes"] == [f"the user's imported profile 'leeds' ({folder / 'leeds.yaml'}) used instead of the built-in one"]
    assert data["totals"]["councils_by_profile"] == {"official": 152, "imported": 1}


def test_national_counts_figures_by_source():
    r = run_cli("national", "--format", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    t = data["totals"]
    assert t["councils"] == 153 and t["councils_by_profile"] == {"official": 153}
    # regional totals and the ranked table (carescale.national.regions), from the same run
    regions = {x["name"]: x for x in data["regions"]}
    assert len(regions) == 9 and sum(x["councils"] for x in regions.values()) == 153
    assert (regions["London"]["councils"], regions["London"]["code"]) == (33, "E12000007")
    for payer in ("asc", "nhs"):
        assert sum(x["net_savings"][payer] for x in regions.values()) == pytest.approx(t["net_savings"][payer], abs=0.05)
    ranked = data["ranked"]
    assert [x["rank"] for x in ranked] == list(range(1, 154))
    assert [x["net_savings"] for x in ranked] == sorted((x["net_savings"] for x in ranked), reverse=True)
    assert (ranked[0]["name"], ranked[0]["region"]) == ("Hampshire", "South East")
    assert sum(x["share_of_england"] for x in ranked) == pytest.approx(1.0, abs=1e-4)
    leeds = next(a for a in data["areas"] if a["code"] == "E08000035")
    assert leeds["region"] == {"code": "E12000003", "name": "Yorkshire and The Humber"}
    # 8 figures a council: 3 populations (ONS mid-2023); 3 SALT counts (learning disability and
    # mental health 18-64, T37; people 65+ on long-term support in the community, T38), long-term
    # placement spend (T44) and short-term placement spend (T31) (ASC-FR 2021-22). From 924 of
    # 1,530 (60%) with the old mid-2020 + ASCOF profiles, to 618 (40.4%) with ONS mid-2023 and
    # ASC-FR T37/T44, to 472 (30.8%) with T31, to 16 of 1,224 (1.3%) now: Support at Home is sized
    # on SALT T38's group and Shared Lives by the paper's printed share of the SALT cohort, where a
    # profile has no count of older people very limited or of people already in Shared Lives, so
    # the built-in profiles no longer estimate those 459 figures (docs/fidelity.md, "Official
    # target groups"). The 16 left are official cells with no usable value, each estimated.
    assert t["figures"] == 1224
    assert t["estimated_figures"] == 16 and t["estimated_share"] == 0.0131
    assert t["figures_by_source"] == {"official: ASC-FR/SALT 2021-22": 749, "official: ONS mid-2023": 459, "estimated": 16}
    assert t["councils_with_estimates"] == 9
    # every number the 153 runs read (a wider count, for context): 66 a council, of which 6 are
    # area figures (the models read neither population all ages nor 18-64) and 60 the evidence's
    assert t["inputs"] == {"count": 10098, "estimated_share": 0.0016, "by_kind": {
        "area: estimated": 16, "area: official or own": 902, "evidence (model figures)": 9180}}
    # 459 = 3 x 153 populations; 749 = 5 x 153 ASC-FR/SALT figures less the 16 with no usable value:
    # Hackney's 5 not submitted, Swindon's 2 not submitted, Scilly's 3 suppressed (T37 and a T38
    # nursing cell), City of London's suppressed T38 cell, and 5 councils whose T31 short-term line
    # is negative (Shropshire, Central Bedfordshire, Barking and Dagenham, Havering, Wiltshire)
    est = {a["name"]: a["estimated"] for a in data["areas"] if a["estimated"]}
    assert est["City of London"] == ["cohorts.older_people_community_long_term_support"]
    assert len(est["Hackney"]) == 5 and len(est["Isles of Scilly"]) == 3 and est["Swindon"] == [
        "spend.long_term_placements", "spend.short_term_placements"]


@pytest.mark.parametrize(("args", "message"), [
    (("--mye", "x.xlsx"), "error: --ascof: give both --mye and --ascof (profiles built from those files), or neither (the built-in profiles from official figures)\n"),
    (("--boundaries", "2021"), "error: --boundaries: '2021' only with --mye and --ascof; the built-in profiles are on 2023 boundaries\n"),
])
def test_national_flag_errors(args, message):
    r = run_cli("national", *args)
    assert (r.code, r.err) == (2, message)


def test_a_plan_can_name_a_built_in_council(tmp_path, monkeypatch):
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "docs" / "examples"
    text = (example / "falls-prevention-plan.yaml").read_text(encoding="utf-8")
    text = text.replace("logic_model: falls-prevention-logic-model.yaml",
                        f"logic_model: {example / 'falls-prevention-logic-model.yaml'}", 1)
    text = text.replace("area: birmingham", "area: leeds", 1).replace("id: falls-birmingham", "id: falls-leeds", 1)
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    r = run_cli("plans", "create", str(plan))
    assert r.code == 0, r.err
    assert "Falls prevention service (logic model, evidence level 2) in leeds, 2027-04-01 to 2029-03-31" in r.out
    assert run_cli("plans", "show", "falls-leeds", "--format", "json").json()["area"] == "leeds"


def test_an_exported_built_in_profile_edited_and_imported_overrides_it(tmp_path):
    import csv

    out = tmp_path / "leeds.csv"
    assert run_cli("areas", "export", "leeds", "-o", str(out)).code == 0
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    for r in rows:
        if r and r[0] == "spend.long_term_placements":
            assert r[3:6] == ["60290000", "2021/22", "implied"]
            r[3:7] = ["50000000", "2024/25", "published", "Leeds City Council budget book 2024/25"]
    edited = tmp_path / "leeds-ours.csv"
    with edited.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    r = run_cli("areas", "import", str(edited))
    assert r.code == 0, r.err
    assert r.out.startswith("saved area profile 'leeds' (Leeds) to ")
    data = run_cli("run", "--area", "leeds", "--no-reprice", "--format", "json").json()
    hd = next(i for i in data["interventions"] if i["id"] == "hospital-discharge")
    assert hd["gross_savings"]["asc"] == pytest.approx(0.13 * (50_000_000 + 10_856_000), abs=0.01)
    nat = run_cli("national", "--councils", "E08000035", "--format", "json").json()
    assert nat["areas"][0]["profile"] == "imported"
    assert nat["totals"]["figures_by_source"] == {"the council's own (imported)": 8}


def test_ranking_by_net_saving_per_person_65_plus():
    from carescale.errors import SettingsError
    from carescale.national.regions import council_region, ranked_councils

    areas = [
        {"code": "E1", "name": "A", "net_savings": {"asc": 100.0, "nhs": 0.0},
         "figures": {"cohorts.population_65_plus": {"value": 10}}, "region": {"code": "E12", "name": "R"}},
        {"code": "E2", "name": "B", "net_savings": {"asc": 150.0, "nhs": 50.0},
         "figures": {"cohorts.population_65_plus": {"value": 40}}, "region": {"code": "E12", "name": "R"}},
    ]
    assert [r["name"] for r in ranked_councils(areas)] == ["B", "A"]
    per = ranked_councils(areas, by="per_person_65_plus")
    assert [(r["name"], r["net_saving_per_person_65_plus"]) for r in per] == [("A", 10.0), ("B", 5.0)]
    with pytest.raises(SettingsError) as info:
        ranked_councils(areas, by="cost")
    assert info.value.message == "rank by: 'cost' is not valid; valid values are: net_savings, per_person_65_plus"
    # councils on older boundaries take their successor's region
    assert council_region("E10000006") == council_region("E06000063") == {"code": "E12000002", "name": "North West"}
    assert council_region("E10000021")["name"] == "East Midlands"


def test_the_probabilistic_case_runs_on_the_built_in_profiles():
    r = run_cli("national", "--draws", "200", "--councils", "E08000035,E06000063,E08000032", "--format", "json")
    assert r.code == 0, r.err
    data = r.json()
    assert [a["name"] for a in data["areas"]] == ["Cumberland", "Bradford", "Leeds"]
    assert [a["estimated_figures"] for a in data["areas"]] == [0, 0, 0]
    e = data["england"]["net_savings"]["total"]
    assert data["england"]["councils"] == 3 and e["p05"] < e["mean"] < e["p95"] and e["prob_saving"] == 1.0
    # regions summed draw by draw: a region's mean is its councils' sum, its percentiles its own
    assert [a["region"]["code"] for a in data["areas"]] == ["E12000002", "E12000003", "E12000003"]
    regions = {x["name"]: x for x in data["regions"]}
    assert {k: v["councils"] for k, v in regions.items()} == {"North West": 1, "Yorkshire and The Humber": 2}
    yh = regions["Yorkshire and The Humber"]["npv"]["total"]
    bradford, leeds = (a["npv"]["total"] for a in data["areas"][1:])
    assert yh["mean"] == pytest.approx(leeds["mean"] + bradford["mean"], abs=0.05)
    assert yh["p05"] < yh["mean"] < yh["p95"]
    assert regions["North West"]["net_savings"] == data["areas"][0]["net_savings"]


def test_a_sizing_used_otherwise_is_one_share_of_a_cohort():
    from pydantic import ValidationError

    from carescale.schema.intervention import Sizing

    rate = {"value": 0.1, "unit": "proportion", "ref": {"document": "scie-2017", "section": "s", "quote": "q"}}
    inner = {"basis": "share_of_cohort", "cohort": "population_65_plus", "rate": rate}
    with pytest.raises(ValidationError) as info:
        Sizing(basis="share_of_cohort", cohort="population_65_plus", rate=rate,
               otherwise={**inner, "otherwise": inner})
    assert "otherwise: a sizing used otherwise has no otherwise of its own" in str(info.value)
    with pytest.raises(ValidationError) as info:
        Sizing(basis="share_of_cohort", cohort="population_65_plus", rate=rate,
               otherwise={**inner, "basis": "additional_to_existing"})
    assert "otherwise.basis: 'additional_to_existing'; the sizing used otherwise is 'share_of_cohort'" in str(info.value)
