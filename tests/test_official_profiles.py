"""Built-in council profiles from the shipped official figures (issue 22): what comes from which
series, what is estimated and from what, `carescale run --area leeds` on a fresh install, the
user's own profile overriding a built-in one, and the national roll-up's counts by source."""

from __future__ import annotations

import json

import pytest

from carescale.areas.official import official_profiles
from carescale.library import default_library, packaged_library, user_areas_dir
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


def test_leeds_estimates_say_from_what(profiles):
    prof = profiles["leeds"]
    assert set(prof.estimated) == {
        "cohorts.older_people_very_limited",
        "provision.shared-lives.learning-disability", "provision.shared-lives.mental-health",
    }
    leeds = prof.area
    stp = leeds.spend["short_term_placements"]  # ASC-FR T31: 65+, short-term care other than reablement
    assert (stp.value, stp.status, stp.price_year) == (10_856_000, "implied", "2021/22")
    assert stp.ref.section.endswith("T31, cell T31!Q64: Leeds (E08000035)")
    assert stp.derivation.startswith("10,856 x 1,000 = 10,856,000 (short-term care for people aged 65+ other than")
    vl = leeds.cohorts["older_people_very_limited"]
    assert vl.status == "estimated" and vl.value == pytest.approx(0.30265306668808395 * 129862)
    assert "(cohorts.population_65_plus)" in vl.derivation
    sl = leeds.provision["shared-lives"]["learning-disability"]
    assert sl.value == pytest.approx(78 / 2177 * 1800)


def test_a_missing_or_suppressed_official_figure_is_a_stated_estimate(profiles):
    hackney = profiles["hackney"]  # ASC-FR 2021-22: Hackney submitted no return ([x])
    assert hackney.area.cohorts["learning_disability_long_term_support"].status == "estimated"
    assert hackney.notes[0] == (
        "cohorts.learning_disability_long_term_support: no official figure (T37 cell T37!L109 [x] data not "
        "submitted); estimated from cohorts.population_18_64"
    )
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
    assert "Official figures (7): cohorts.population_all_ages = 829,413 (ONS mid-2023);" in text
    assert "cohorts.learning_disability_long_term_support = 1,800 (ASC-FR/SALT 2021-22)" in text
    assert "spend.long_term_placements = 60,290,000 (ASC-FR/SALT 2021-22)" in text
    assert "Estimated figures used (3), not the area's own:" in text
    data = run_cli("run", "--area", "leeds", "--no-reprice", "--format", "json").json()
    hd = next(i for i in data["interventions"] if i["id"] == "hospital-discharge")
    # 13% of long- and short-term placement spend (2021/22 cash, not re-priced)
    assert hd["gross_savings"]["asc"] == pytest.approx(0.13 * (60_290_000 + 10_856_000), rel=1e-9)


def test_areas_list_shows_built_in_profiles_and_the_users_override_them():
    rows = run_cli("areas", "list", "--format", "json").json()
    # the paper's five packaged profiles, ten source sites of the calibrated models, 153 councils
    assert len(rows) == 5 + 10 + 153
    assert {r["profile"] for r in rows} == {"packaged", "built-in"}
    assert next(r for r in rows if r["id"] == "leeds") == {
        "id": "leeds", "name": "Leeds", "kind": "council", "ons_code": "E08000035", "profile": "built-in"}
    assert len(run_cli("areas", "list", "--no-built-in", "--format", "json").json()) == 5 + 10
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
    assert mine["totals"] == paper["totals"]
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
    # 10 figures a council: 3 populations (ONS mid-2023); 2 SALT counts, long-term placement spend
    # (T44) and short-term placement spend (T31) (ASC-FR 2021-22); and what no series carescale ships
    # holds (very limited older people, two Shared Lives provision counts), estimated. From 924 of
    # 1,530 (60%) with the old mid-2020 + ASCOF profiles, to 618 (40.4%) with ONS mid-2023 and
    # ASC-FR T37/T44, to 472 (30.8%) with T31; the target of under 10% needs the Census 2021
    # disability tables and a Shared Lives count by council (docs/areas.md).
    assert t["figures"] == 1530
    assert t["estimated_figures"] == 472 and t["estimated_share"] == 0.3085
    assert t["figures_by_source"] == {"official: ASC-FR/SALT 2021-22": 599, "estimated": 472, "official: ONS mid-2023": 459}
    # every number the 153 runs read (a wider count, for context): 68 a council, of which 8 are
    # area figures (the models read neither population all ages nor 18-64) and 60 the evidence's
    assert t["inputs"] == {"count": 10404, "estimated_share": 0.0454, "by_kind": {
        "area: estimated": 472, "area: official or own": 752, "evidence (model figures)": 9180}}
    # 459 = 3 x 153 populations; 599 = 4 x 153 ASC-FR/SALT figures less the 13 with no usable value
    # (Hackney's 4 not submitted, Swindon's 2 not submitted, Scilly's 2 suppressed, and 5 councils
    # whose T31 short-term line is negative: Shropshire, Central Bedfordshire, Barking and Dagenham,
    # Havering, Wiltshire)


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
    assert nat["totals"]["figures_by_source"] == {"the council's own (imported)": 7, "estimated": 3}


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
    r = run_cli("national", "--draws", "200", "--councils", "E08000035,E06000063", "--format", "json")
    assert r.code == 0, r.err
    data = r.json()
    assert [a["name"] for a in data["areas"]] == ["Cumberland", "Leeds"]
    assert [a["estimated_figures"] for a in data["areas"]] == [3, 3]
    e = data["england"]["net_savings"]["total"]
    assert data["england"]["councils"] == 2 and e["p05"] < e["mean"] < e["p95"] and e["prob_saving"] == 1.0
