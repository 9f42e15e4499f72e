"""Models calibrated to one site's published figures (issue 23): each, run on its source site,
reproduces the figure the site published (within rounding), and runs for Birmingham and for an
official council profile (Leeds), with the council's own unit costs where a saving is priced by
one. The models the seeds give too few figures for are listed, with the arithmetic, in
docs/fidelity.md ("Case-study models")."""

from __future__ import annotations

import math

import pytest

from carescale.appraisal.core import appraisal_defaults, optimism_bias
from carescale.appraisal import AppraisalSettings
from carescale.engine import evaluate
from carescale.engine.parameters import ParameterTable
from carescale.engine.scenario import define_scenario
from carescale.engine.summary import summary
from carescale.library import default_library
from carescale.official.unit_costs import unit_cost_library
from carescale.uncertainty.analysis import Model

from .conftest import run_cli
from .web_helpers import post_form

LIB = default_library()

#: model -> (source-site profile, case study, {result id of the case study: what the run must give}).
#: ``saving``: the site's gross saving a year (all payers); ``people``: beneficiaries a year;
#: ``cost``: the cost a year; a payer name: that payer's gross saving.
CALIBRATED: dict[str, tuple[str, str, dict[str, str]]] = {
    "strengths-based-front-door": ("kirklees-site", "kirklees-gateway-to-care", {"saving": "asc"}),
    "community-first-conversations": ("bristol-site", "bristol-first-contact-conversations", {"saving": "asc"}),
    "reablement": ("swindon-site", "swindon-reablement-discharge", {"saving": "total"}),
    "community-enterprises": ("somerset-site", "somerset-micro-providers", {"people": "people", "saving": "asc"}),
    "promoting-independence-reviews": ("wolverhampton-site", "wolverhampton-promoting-independence",
                                       {"cases-reviewed": "people", "saving": "asc"}),
    "personal-budgets": ("harrow-site", "harrow-my-community-epurse", {"budgets": "people", "saving": "nhs"}),
    "social-prescribing": ("mendip-site", "health-connections-mendip",
                           {"conversations": "people", "saving": "nhs", "return-per-pound": "return"}),
    "progression-model": ("darlington-site", "darlington-progression-model", {"saving-one-person": "asc"}),
    "falls-prevention": ("england-site", "falls-prevention-programmes",
                         {"fewer-falls-admitted": "rate", "return-per-pound": "return"}),
    "integrated-admission-avoidance": ("leicester-site", "leicester-discharge-and-admission-avoidance",
                                       {"fewer-ae-attendances": "rate"}),
}

#: Where a published rate is a share of a baseline the source does not give, the baseline the
#: model takes (its outcome rate is the published rate x this): England's A&E attendances per
#: resident for Leicester (NHS National Cost Collection 2023/24 over ONS mid-2023).
BASELINE = {"integrated-admission-avoidance": 22_004_144 / 57_690_323}


def _published(case: str, result: str) -> float:
    return next(r.value.value for r in LIB.case_study(case).results if r.id == result)


def _run(iid: str, area: str, prices="published") -> dict:
    return summary(evaluate(define_scenario(area, [iid], prices=prices)))


@pytest.mark.parametrize("iid", list(CALIBRATED))
def test_the_model_reproduces_its_sites_published_figures(iid):
    site, case, checks = CALIBRATED[iid]
    iv = LIB.intervention(iid)
    assert iv.source.area == site and case in {c.id for c in LIB.case_studies.values() if iid in c.models}
    s = _run(iid, site)["interventions"][0]
    gross = s["gross_savings"]
    for result, what in checks.items():
        want = _published(case, result)
        if what == "people":
            assert round(s["beneficiaries"]) == want
        elif what == "rate":  # the share of the baseline avoided (by the model's only outcome)
            (outcome,) = iv.segments[0].outcomes
            assert outcome.rate.value / BASELINE.get(iid, 1.0) == pytest.approx(want, rel=1e-8)  # kept to 10 decimals
        elif what == "return":
            assert sum(gross.values()) / s["cost"] == pytest.approx(want, rel=1e-6)  # figures kept to 10 decimals
        else:
            got = sum(gross.values()) if what == "total" else gross[what]
            assert got == pytest.approx(want, abs=0.5), f"{iid}: {result}"
    # the saving at the site is as published: each priced saving is scaled by a factor of 1 there
    params = ParameterTable.from_scenario(define_scenario(site, [iid], prices="published"))
    for p in params:
        if p.kind == "unit_saving":
            assert p.quantity.value == p.published.value


def test_social_prescribings_cost_is_the_sites_saving_over_its_return():
    """£2m saved at £6 for every £1: £333,333 a year for 12,000 people."""
    s = _run("social-prescribing", "mendip-site")["interventions"][0]
    assert s["cost"] == pytest.approx(2_000_000 / 6, abs=0.01)
    assert s["cost_by_payer"] == {"asc": 0.0, "nhs": pytest.approx(2_000_000 / 6, abs=0.01)}


def test_wolverhamptons_smaller_packages():
    """22% of 700 reviews reduced a package: 154 smaller packages at £900,000 / 154 each."""
    iv = LIB.intervention("promoting-independence-reviews")
    out = iv.segments[0].outcomes[0]
    assert out.rate.value == 0.22 and round(700 * out.rate.value) == 154
    assert out.unit_saving.value * 154 == pytest.approx(900_000, abs=1e-4)


def test_falls_prevention_by_hand():
    """The LGA: 'reduce the number of falls requiring hospital admission by 29 per cent', 'a
    return on investment of more than £3 for every £1 spent', on admissions 'set to reach nearly
    1000 a day'. England (site): 365,000 falls admissions of 10,464,019 people 65+; 29% avoided =
    105,850 at £2,595.43 (a non-elective admission, NCC 2023/24) = £274,726,256 a year to the NHS;
    the cost is a third of it. Birmingham: 149,412 x 365,000 / 10,464,019 = 5,211.7 admissions."""
    s = _run("falls-prevention", "england-site")["interventions"][0]
    assert s["beneficiaries"] == pytest.approx(365_000, abs=0.01)
    nel = unit_cost_library().get("non_elective_admission", "E92000001").value
    assert round(nel, 2) == 2595.43
    assert s["gross_savings"] == {"asc": 0.0, "nhs": pytest.approx(365_000 * 0.29 * nel, abs=5)}
    assert round(s["gross_savings"]["nhs"]) == pytest.approx(274_726_256, abs=5)
    assert s["cost"] == pytest.approx(365_000 * 0.29 * nel / 3, abs=2)
    assert s["cost_by_payer"]["asc"] == pytest.approx(s["cost"] / 2)
    b = _run("falls-prevention", "birmingham")["interventions"][0]
    assert b["beneficiaries"] == pytest.approx(149_412 * 365_000 / 10_464_019, abs=0.001)  # summaries keep 3 decimals
    assert round(b["beneficiaries"], 1) == 5211.7


def test_leicesters_attendances_by_hand(raw_dir):
    """Leicester: 'attendances in A&E ... were down by 2.9 per cent'. Its attendances at England's
    rate: 22,004,144 (NCC 2023/24, Emergency Care) / 57,690,323 (England, ONS mid-2023) = 0.38142
    a resident; 354,036 residents (mid-2020) x 0.38142 x 0.029 = 3,916.04 attendances avoided at
    £272.97 = £1,068,964 a year to the NHS. The baselines are read from the real files."""
    from carescale.official.ncc import read_ncc

    ncc = read_ncc(raw_dir.parent / "nhs_costs" / "ncc_2023_24.csv").mean_unit_cost("a_and_e_attendance")
    assert "over 22,004,144 activity" in ncc.note
    import python_calamine

    rows = python_calamine.CalamineWorkbook.from_path(raw_dir.parent / "ons" / "mye23tablesew.xlsx").get_sheet_by_name("MYE4").to_python()
    assert next(r for r in rows if r and r[0] == "E92000001")[3] == 57_690_323
    s = _run("integrated-admission-avoidance", "leicester-site")["interventions"][0]
    avoided = 354_036 * 22_004_144 / 57_690_323 * 0.029
    assert round(avoided, 2) == 3916.04
    assert s["gross_savings"]["nhs"] == pytest.approx(avoided * ncc.value, rel=1e-8)
    assert round(s["gross_savings"]["nhs"]) == 1_068_964


@pytest.mark.parametrize("area", ["birmingham", "leeds"])
@pytest.mark.parametrize("iid", list(CALIBRATED))
def test_every_calibrated_model_runs_for_birmingham_and_an_official_council(iid, area):
    s = _run(iid, area, prices="default")
    m = s["interventions"][0]
    assert m["beneficiaries"] > 0
    assert all(math.isfinite(v) and v >= 0 for v in m["gross_savings"].values())
    assert sum(m["gross_savings"].values()) > 0
    r = run_cli("run", "--area", area, "--interventions", iid, "--format", "json")
    assert r.code == 0, r.err
    assert r.json()["totals"]["gross_savings"] == pytest.approx(s["totals"]["gross_savings"])


@pytest.mark.parametrize(
    "iid,area,kind,site",
    [
        ("community-enterprises", "birmingham", "home_care_hour", "E06000066"),
        ("strengths-based-front-door", "leeds", "home_care_hour", "E08000034"),
        ("progression-model", "birmingham", "care_home_week_18_64", "E06000005"),
        ("reablement", "leeds", "care_home_week_65_plus", "E06000030"),
    ],
)
def test_a_priced_saving_takes_the_councils_own_unit_cost(iid, area, kind, site):
    """Elsewhere the site's saving is scaled by the council's unit cost over the site's, both from
    the unit-cost library (ASC-FR 2021-22), and the derivation names both cells."""
    scenario = define_scenario(area, [iid], prices="published")
    ucl = unit_cost_library()
    here, there = ucl.get(kind, scenario.area.ons_code), ucl.get(kind, site)
    assert here.value != there.value
    seg = scenario.interventions[0].segments[0]
    out = next(o for o in seg.outcomes if o.priced_by)
    evidence = next(o for o in LIB.intervention(iid).segments[0].outcomes if o.priced_by)
    assert out.unit_saving.value == pytest.approx(evidence.unit_saving.value * here.value / there.value, rel=1e-12)
    assert out.unit_saving.status == "implied"
    assert here.ref.section in out.unit_saving.derivation and there.ref.section in out.unit_saving.derivation


def test_birmingham_community_enterprises_by_hand():
    """£800,000 / 700 = £1,142.86 a person in Somerset, at Somerset's £22.00 an external home-care
    hour; Birmingham's hour is £15.58 (ASC-FR 2021-22 T51): £1,142.86 x 15.58 / 22.00 = £809.35."""
    scenario = define_scenario("birmingham", ["community-enterprises"], prices="published")
    out = scenario.interventions[0].segments[0].outcomes[0]
    assert out.unit_saving.value == pytest.approx(800_000 / 700 * 15.58 / 22.0, rel=1e-12)
    assert round(out.unit_saving.value, 2) == 809.35


@pytest.mark.parametrize("iid", list(CALIBRATED))
def test_calibrated_models_are_marked_and_their_grade_drives_the_appraisal(iid):
    iv = LIB.intervention(iid)
    assert iv.calibration.startswith(("Calibrated to one site:", "Calibrated to ONE PERSON at one site:"))
    assert iv.missing_numbers and iv.plain_costs and iv.plain_savings
    assert iv.evidence_grade.level <= 2
    # optimism bias by evidence level (the nesta-levels method; the default Green Book method is
    # by category of project and the same for every model)
    ob = appraisal_defaults().optimism_bias[iv.evidence_grade.level]
    assert optimism_bias(iv, AppraisalSettings(optimism_bias_method="nesta-levels")) == (ob.costs.value, ob.benefits.value)
    assert ob.benefits.value >= 0.25  # a level 1 or 2 model's savings are cut by a quarter or more
    # uncertainty: the savings' range is the grade's width (+/-50% at level 2, +/-75% at level 1)
    model = Model.build(define_scenario(iv.source.area, [iid], prices="published"))
    width = model.defaults.evidence_levels[iv.evidence_grade.level].effect
    savings = [r for r in model.ranges if r.path.endswith(".unit_saving")]
    assert savings
    for r in savings:
        m = r.marginal
        assert (m.high - m.low) / 2 == pytest.approx(width * m.value, rel=1e-9), r.path
        assert r.source == f"default: evidence level {iv.evidence_grade.level}, effect"


def test_the_default_portfolio_is_still_the_papers_six():
    assert [iv.id for iv in LIB.portfolio()] == [
        "community-agents", "living-well", "kent-pathways", "shared-lives", "hospital-discharge", "support-at-home"]
    assert not set(CALIBRATED) & {iv.id for iv in LIB.portfolio()}


PLAIN_LABELS = ["What it is", "Who it is for", "What it costs", "What it saves, and for whom", "How strong the evidence is"]


@pytest.mark.parametrize("iid", ["living-well", "social-prescribing", "extra-care"])
def test_interventions_show_is_plain_english_first(iid):
    """What it is, who it is for, what it costs, what it saves whom, how strong the evidence is:
    in that order, before the figures."""
    out = run_cli("interventions", "show", iid).out
    at = [out.index(f"{label}: ") for label in PLAIN_LABELS]
    assert at == sorted(at) and at[-1] < out.index("The figures:")
    iv = LIB.intervention(iid)
    assert f"Level {iv.evidence_grade.level} of 5" in out
    if iv.calibration:
        assert out.index("Calibration: Calibrated to one site") < out.index("The figures:")
        assert "What a council must add: " in out


def test_plain_english_of_a_paper_model_states_its_figures():
    from carescale.evidence import plain_english

    lines = dict(plain_english(LIB.intervention("living-well")))
    assert lines["What it costs"] == (
        "Older people with a minimum of two long-term conditions: £400 a person a year (2016/17 prices); "
        "paid by the council (adult social care) 50%, the NHS 50%")
    assert lines["What it saves, and for whom"].startswith(
        "the council (adult social care): Reduction in social care costs (8% on average) (£1,181 a person a year (2016/17 prices)); "
        "the NHS: Fewer A&E attendances")


def test_the_evidence_page_shows_plain_english_before_the_figures():
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from carescale.web.app import create_app

    html = TestClient(create_app()).get("/evidence/community-enterprises").text
    assert html.index("In plain English") < html.index("Every figure carescale uses")
    for label in PLAIN_LABELS + ["Calibration", "What a council must add"]:
        assert f'<dt class="govuk-summary-list__key">{label}</dt>' in html.replace("&#39;", "'")


def test_the_run_table_marks_calibrated_models_and_names_the_unit_costs():
    out = " ".join(run_cli("run", "--area", "birmingham", "--interventions", "living-well,community-enterprises").out.split())
    assert ("Calibrated to one site: community-enterprises (Somerset, first year (reported 2018)); Nesta level 2; "
            "a council must add: the council's cost of stimulating micro-providers a year") in out
    assert "Calibrated to one site: living-well" not in out
    assert ("the site's saving scaled by home_care_hour here £15.58 (2021/22; ascfr-salt-data-tables-2021-22.xlsx, "
            "T51, T51!I84: Birmingham (E08000025)), at the source site £22.00 (2021/22; "
            "ascfr-salt-data-tables-2021-22.xlsx, T51, T51!I166: Somerset (E06000066))") in out
    default = run_cli("run").out
    assert "Calibrated to one site" not in default


def test_fidelity_says_why_each_other_model_is_not_calibrated():
    """docs/fidelity.md, "Case-study models": every model still promising is in the table of
    why not, and every calibrated one in the table of reproduced figures."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "fidelity.md").read_text(encoding="utf-8")
    section = text.split("## Case-study models", 1)[1].split("\n## ", 1)[0]
    for iid, iv in LIB.interventions.items():
        if iv.status == "promising" or iid in CALIBRATED:
            assert f"`{iid}`" in section, iid


@pytest.mark.parametrize("iid", list(CALIBRATED))
def test_every_calibrated_saving_says_whether_it_is_cashable(iid):
    from carescale.schema.intervention import cashable_of

    for seg in LIB.intervention(iid).segments:
        for o in seg.outcomes:
            flag = cashable_of(o)
            assert flag.status == "assumption" and flag.reason
            assert flag.value is (o.payer == "asc" or iid == "personal-budgets")


def test_the_web_models_page_ticks_the_papers_six_and_marks_calibrated_models():
    """The default is still the paper's six; a calibrated model is opt-in, said to be calibrated
    to one site, and choosing it runs it."""
    pytest.importorskip("fastapi")
    import re

    from fastapi.testclient import TestClient

    from carescale.web.app import create_app
    from carescale.web.storage import MemoryScenarioStore

    with TestClient(create_app(MemoryScenarioStore()), follow_redirects=False,
                    headers={"Origin": "http://testserver"}) as c:
        models_url = post_form(c, "/area", {"area": "birmingham"}).headers["location"]
        page = c.get(models_url).text
        ticked = re.findall(r'name="interventions" type="checkbox" value="([^"]+)"\s+aria-describedby="[^"]+" checked', page)
        assert ticked == [iv.id for iv in LIB.portfolio()]
        offered = re.findall(r'name="interventions" type="checkbox" value="([^"]+)"', page)
        assert set(CALIBRATED) <= set(offered)
        assert "Calibrated to one site (Somerset): the council must add its own figures, such as the cost." in page
        got = post_form(c, models_url, {"interventions": ticked + ["community-enterprises"], "basis": "potential", "reprice": "no"})
        assert got.status_code == 303
        sid = got.headers["location"].split("/")[2]
        assert c.get(f"/api/v1/scenarios/{sid}").json()["interventions"] == ticked + ["community-enterprises"]


def test_reports_mark_a_calibrated_model(tmp_path):
    md = tmp_path / "case.md"
    r = run_cli("report", "--area", "leeds", "--interventions", "living-well,community-enterprises", "--format", "md", "-o", str(md))
    assert r.code == 0, r.err
    text = " ".join(md.read_text(encoding="utf-8").split())
    iv = LIB.intervention("community-enterprises")
    assert f"{iv.calibration} A council must add: {'; '.join(iv.missing_numbers)}." in text
    assert text.count("Calibrated to one site") == 1  # Living Well is the paper's own model
