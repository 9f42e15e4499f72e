"""Logic models, plans and reviews (SCIE 2017, Appendix B; docs/plans.md).

The worked example: a falls prevention service in Birmingham written as a logic model
(docs/examples/falls-prevention-logic-model.yaml), a two-year plan reviewed quarterly
(docs/examples/falls-prevention-plan.yaml), four quarterly reviews, and the recommendation moving
with the actual outcomes. Posterior figures are checked against a hand calculation. The storage
runs on SQLite and on the real PostgreSQL server (tests/store_fixtures.py)."""

from __future__ import annotations

import json

import pytest
import yaml

from carescale.errors import CarescaleError, InputFileError, PlanError, UnknownIdError
from carescale.library import default_library
from carescale.plans import (
    add_review,
    create_plan,
    list_plans,
    list_reviews,
    load_logic_model,
    load_plan_defaults,
    parse_logic_model,
    posterior,
    prior,
    run_logic_model,
    show_plan,
    template,
    to_intervention,
)

from .conftest import REPO, SEEDS, needs_shared, normalise, run_cli
from .store_fixtures import store_url  # noqa: F401  (fixture)

EXAMPLES = REPO / "docs" / "examples"
LOGIC_MODEL = EXAMPLES / "falls-prevention-logic-model.yaml"
PLAN = EXAMPLES / "falls-prevention-plan.yaml"
FALL, CARE = "fall-admission-avoided", "home-care-avoided"
QUARTER_ENDS = ("2027-06-30", "2027-09-30", "2027-12-31", "2028-03-31")


def review(end: str, people: int, falls: int, care: int, spent: float | None = None) -> dict:
    return {
        "period_end": end, "people_supported": people, "outcomes": {FALL: falls, CARE: care},
        "money_spent": people * 400.0 if spent is None else spent,
    }


# -- the logic model -------------------------------------------------------------------------


def test_logic_model_runs_through_the_same_engine_with_hand_checked_figures():
    """Birmingham has 149,412 people aged 65+ (ONS mid-2020); 0.5% take-up is 747.06 a year;
    £400 each; 8.7% avoid a £3,500 admission (NHS); 2% avoid £6,000 of home care (ASC). A logic
    model is appraised in its own prices (reprice: false, docs/plans.md: reviews compare recorded
    spend with planned spend in the same money), so no re-pricing factor applies (f = 1)."""
    lm = load_logic_model(LOGIC_MODEL)
    out = run_logic_model(lm, "birmingham", draws=500)
    iv = out["run"]["interventions"][0]
    people = 149_412 * 0.005
    f = 1.0
    assert out["run"]["prices"]["price_base_year"] is None  # as written, not re-priced
    assert iv["beneficiaries"] == pytest.approx(people, abs=0.01)
    assert iv["cost"] == pytest.approx(people * 400 * f, abs=0.01)
    assert iv["gross_savings"]["nhs"] == pytest.approx(people * 0.087 * 3500 * f, abs=0.01)
    assert iv["gross_savings"]["asc"] == pytest.approx(people * 0.02 * 6000 * f, abs=0.01)
    assert iv["workforce"]["falls-prevention-coordinators"] == pytest.approx(people / 150, abs=0.01)
    targets = {t["parameter"].split(".")[-2] if ".outcomes." in t["parameter"] else t["parameter"].split(".")[-1]: t
               for t in out["break_even_targets"] if t["parameter"].endswith((".rate", ".unit_cost"))}
    # break-even: 400 = r x 3500 + 0.02 x 6000  ->  r = 0.08;  400 = 0.087 x 3500 + r x 6000 -> r = 0.0159167
    assert targets[FALL]["break_even"] == pytest.approx(0.08, abs=1e-9)
    assert targets[CARE]["break_even"] == pytest.approx((400 - 0.087 * 3500) / 6000, abs=1e-9)
    assert targets["unit_cost"]["break_even"] == pytest.approx((0.087 * 3500 + 0.02 * 6000) * f, abs=1e-6)
    assert "at least 8.00% of people on the scheme" in targets[FALL]["target"]
    # the uncertainty and appraisal are the library's own (the logic model is an Intervention)
    assert out["uncertainty"]["draws"] == 500
    assert out["appraisal"]["interventions"][0]["id"] == "falls-prevention-local"


def test_logic_model_is_an_ordinary_intervention():
    lm = load_logic_model(LOGIC_MODEL)
    iv = to_intervention(lm)
    assert iv.status == "runnable" and len(iv.segments) == 1
    assert [o.id for o in iv.segments[0].outcomes] == [FALL, CARE]
    assert {w.role for w in iv.workforce} == {"falls-prevention-coordinators", "volunteer-class-leaders"}
    assert lm.theory_of_change.inputs.own_contribution  # people's own contribution is an input
    assert lm.based_on == "falls-prevention"


def test_example_quotes_are_in_the_seed_documents():
    """Every reference in the worked example quotes its document word for word."""
    needs_shared(SEEDS)
    from carescale.library import iter_references

    lib = default_library()
    lm = load_logic_model(LOGIC_MODEL)
    plan = yaml.safe_load(PLAN.read_text())
    from carescale.plans.defaults import load_plan_defaults as defaults
    from carescale.schema.plan import PlanSpec

    refs = [*iter_references(lm), *iter_references(PlanSpec.model_validate(plan)), *iter_references(defaults())]
    assert len(refs) > 10
    for loc, ref in refs:
        seed = lib.sources.documents[ref.document].seed
        text = normalise((SEEDS / seed).read_text(encoding="utf-8"))
        assert normalise(ref.quote) in text, (loc, ref.quote)


@pytest.mark.parametrize("from_model", ["care-technology", None])
def test_templates_do_not_validate_until_filled_in(from_model):
    text = template(from_model)
    data = yaml.safe_load(text)
    first = "take_up" if from_model else "name"
    with pytest.raises(InputFileError, match=rf"^lm\.yaml: {first}: not filled in yet; the template leaves it empty \(and \d+ more to fill in\)$"):
        parse_logic_model(data, "lm.yaml")
    # plain comments and plain figures: no nested nulls, no FILL IN markers
    assert "FILL IN" not in text and "null" not in text and "value:" not in text
    assert "\ntake_up:\n" in text and "\ncost_shares:\n  asc: 0.5\n  nhs: 0.5\n" in text
    if from_model:
        assert data["based_on"] == from_model and data["evidence_grade"]["level"] == 2
        assert "#   - outcome rates (care packages delayed or avoided, admissions avoided)" in text


FIGURES = {"take_up": "0.005", "unit_cost": "400", "rate": "0.087", "unit_saving": "3500", "per": "150"}


def fill_in(text: str) -> str:
    """What a commissioner does: a figure after each blank number, a line of text after each
    blank line of text."""
    out = []
    for line in text.splitlines():
        key = line.strip().rstrip(":")
        if line.rstrip().endswith(":") and key in FIGURES:
            line = f"{line} {FIGURES[key]}"
        elif line.strip() == "-":
            line = f"{line} People keep up the exercises"
        elif line.rstrip().endswith(":") and key in ("name", "description", "target_group", "evidence", "section",
                                                       "quote", "reason", "title", "publisher", "date"):
            line = f"{line} Filled in"
        out.append(line)
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("from_model", ["care-technology", None])
def test_filled_template_validates_and_runs(from_model, tmp_path):
    """Fill every blank of the template as a commissioner would (one figure a line): it
    validates, every plain number becomes the commissioner's own assumption with the model's
    reference, and it runs: 0.5% of Birmingham's 149,412 people aged 65+ at £400 each."""
    path = tmp_path / "lm.yaml"
    path.write_text(fill_in(template(from_model)), encoding="utf-8")
    lm = load_logic_model(path)
    assert lm.id == ("care-technology-local" if from_model else "my-new-service")
    assert (lm.take_up.value, lm.take_up.unit, lm.take_up.status) == (0.005, "proportion", "assumption")
    assert (lm.unit_cost.value, lm.unit_cost.price_year) == (400, "2024/25")
    assert lm.outcomes[0].rate.ref == lm.evidence_ref and lm.cost_shares["asc"].value == 0.5
    r = run_cli("logic-model", "validate", str(path))
    assert r.code == 0, r.err
    out = run_logic_model(lm, "birmingham", draws=100)
    iv = out["run"]["interventions"][0]
    assert iv["beneficiaries"] == pytest.approx(149_412 * 0.005, abs=0.01)
    assert iv["cost"] == pytest.approx(149_412 * 0.005 * 400, abs=0.01)


def test_typed_numbers_in_a_template(tmp_path):
    """A commissioner may type a share as "0.5%" and money as "£400": read as 0.005 and 400."""
    text = fill_in(template("falls-prevention")).replace("take_up: 0.005", "take_up: 0.5%").replace(
        "unit_cost: 400", "unit_cost: £400")
    path = tmp_path / "lm.yaml"
    path.write_text(text, encoding="utf-8")
    lm = load_logic_model(path)
    assert (lm.take_up.value, lm.unit_cost.value) == (pytest.approx(0.005), 400)


def test_plain_money_needs_a_price_year(tmp_path):
    text = fill_in(template("falls-prevention")).replace("price_year: 2024/25\n", "")
    path = tmp_path / "lm.yaml"
    path.write_text(text, encoding="utf-8")
    r = run_cli("logic-model", "validate", str(path))
    assert (r.code, r.err) == (2, f"error: {path}: unit_cost is a plain amount of money; give price_year (the prices "
                                  "your money figures are in, for example 2024/25)\n")


def test_template_from_unknown_model():
    with pytest.raises(UnknownIdError, match="unknown intervention 'falls'"):
        template("falls")


def test_logic_model_cli(tmp_path):
    out = tmp_path / "lm.yaml"
    r = run_cli("logic-model", "new", "--from", "falls-prevention", "-o", str(out))
    assert r.code == 0 and out.is_file()
    r = run_cli("logic-model", "validate", str(out))
    assert r.code == 2 and "not filled in yet" in r.err and "\n" not in r.err.strip()
    r = run_cli("logic-model", "validate", str(LOGIC_MODEL), "--format", "json")
    assert r.code == 0 and r.json()[0]["id"] == "falls-prevention-local"
    r = run_cli("logic-model", "run", str(LOGIC_MODEL), "--draws", "200", "--format", "json")
    assert r.code == 0 and r.json()["run"]["interventions"][0]["beneficiaries"] == pytest.approx(747.06)
    r = run_cli("logic-model", "run", str(LOGIC_MODEL), "--draws", "200", "--format", "csv")
    assert r.code == 0 and r.out.startswith("parameter,label,unit,value,break_even,target")
    r = run_cli("logic-model", "run", str(LOGIC_MODEL), "--draws", "200")
    assert r.code == 0 and "Break-even targets" in r.out
    r = run_cli("logic-model", "new", "--format", "json")
    assert r.code == 0 and json.loads(r.out)["id"] == "my-new-service"


# -- the worked example: plan, four quarterly reviews ------------------------------------------


def hand_posterior(rate: float, strength: float, seen: list[tuple[int, int]]) -> tuple[float, float, float]:
    """Beta(rate x n, (1 - rate) x n) updated with (people, achieved) per quarter: a + k, b + n - k."""
    a, b = rate * strength, (1 - rate) * strength
    for n, k in seen:
        a, b = a + k, b + n - k
    return a, b, a / (a + b)


def test_worked_example_recommendation_follows_the_outcomes(store_url):
    plan = create_plan(PLAN, by="A. Planner", url=store_url)
    d = plan["definition"]
    assert plan["created_by"] == "A. Planner" and plan["history"] == []
    # targets per outcome come from the break-even analysis
    targets = {o["id"]: o["break_even_rate"] for o in d["outcomes"]}
    assert targets[FALL] == pytest.approx(0.08) and targets[CARE] == pytest.approx(0.0159167, abs=1e-6)
    # first quarter at half scale: 747.06 x 0.5 x 91 / 365.25 people; 8% of them to break even
    q1 = d["schedule"][0]
    assert q1["start"] == "2027-04-01" and q1["end"] == "2027-06-30"
    assert q1["planned_people"] == pytest.approx(747.06 * 0.5 * 91 / 365.25, abs=0.05)
    assert q1["break_even_outcomes"][FALL] == pytest.approx(0.08 * q1["planned_people"], abs=0.1)
    assert len(d["schedule"]) == 8 and d["within_budget"] is True
    assert d["spec"]["funding"]["reduced_service_lines"][0]["spend_line"] == "short_term_placements"

    # Two good quarters (11-12% avoid an admission, target 8%), then two poor ones (2-3%).
    quarters = [(95, 11, 3), (92, 10, 2), (94, 3, 0), (93, 2, 0)]
    decisions, results = [], []
    for end, (n, falls, care) in zip(QUARTER_ENDS, quarters):
        r = add_review("falls-birmingham", review(end, n, falls, care), by="R. Reviewer", url=store_url)
        decisions.append(r["decision"])
        results.append(r)
    assert decisions[1] == "increase"  # good quarters: towards increase
    assert decisions[-1] in ("redesign", "stop")  # poor quarters: towards redesign or stop
    # quarter 3: the expected NPV is still just positive (the gain at stake outweighs the loss);
    # quarter 4: the expected loss is more than 4 times the gain, after 4 reviews: stop
    assert decisions == ["continue", "increase", "continue", "stop"]
    sims = [r["simulation"] for r in results]
    assert sims[1]["expected_gain"] >= 4 * sims[1]["expected_loss"]
    assert sims[2]["expected_gain"] >= sims[2]["expected_loss"] and sims[2]["expected_npv"] > 0
    assert sims[3]["expected_loss"] > 4 * sims[3]["expected_gain"]
    assert results[3]["simulation"]["expected_npv"] < results[1]["simulation"]["expected_npv"]

    # posterior against a hand calculation: level 2 evidence is worth 20 people
    assert load_plan_defaults().prior_strength[2].people == 20
    for i in range(4):
        seen = quarters[: i + 1]
        for oid, rate, col in ((FALL, 0.087, 1), (CARE, 0.02, 2)):
            a, b, mean = hand_posterior(rate, 20, [(q[0], q[col]) for q in seen])
            got = next(o for o in results[i]["outcomes"] if o["id"] == oid)["posterior"]
            assert (got["a"], got["b"]) == (pytest.approx(a), pytest.approx(b))
            assert got["mean"] == pytest.approx(mean, abs=1e-6)
    # after quarter 1: Beta(1.74 + 11, 18.26 + 84) = Beta(12.74, 102.26), mean 0.110783
    first = next(o for o in results[0]["outcomes"] if o["id"] == FALL)["posterior"]
    assert (first["a"], first["b"], first["mean"]) == (12.74, 102.26, pytest.approx(0.110783, abs=1e-6))
    # the reason is in plain words
    assert results[1]["reason"].startswith("Increase investment: the expected saving at stake £")
    assert "the saving outweighs 4 times the loss, after 2 reviews" in results[1]["reason"]
    assert results[3]["reason"].startswith("Stop: the expected saving at stake £")
    assert "the loss is more than 4 times the saving after 4 reviews" in results[3]["reason"]

    # the full history, read back from the store
    history = show_plan("falls-birmingham", url=store_url)["history"]
    assert [h["decision"] for h in history] == decisions
    assert [h["number"] for h in history] == [1, 2, 3, 4]
    assert all(h["recorded_by"] == "R. Reviewer" and h["recorded_at"].endswith("+00:00") for h in history)
    assert history[2]["period_start"] == "2027-10-01" and history[2]["outcomes"] == {FALL: 3, CARE: 0}
    assert list_reviews("falls-birmingham", url=store_url) == history
    assert list_plans(url=store_url)[0]["latest_recommendation"] == "stop"


def test_poor_outcomes_lead_to_stop_and_low_reach_to_reduce(store_url):
    create_plan(PLAN, url=store_url)
    r1 = add_review("falls-birmingham", review(QUARTER_ENDS[0], 95, 2, 0), url=store_url)
    r2 = add_review("falls-birmingham", review(QUARTER_ENDS[1], 92, 1, 0), url=store_url)
    assert r1["decision"] == "redesign"  # one poor quarter: not yet enough reviews to stop
    assert r2["decision"] == "stop" and r2["simulation"]["expected_loss"] > 4 * r2["simulation"]["expected_gain"]
    assert "the loss is more than 4 times the saving after 2 reviews" in r2["reason"]


def test_few_people_and_poor_outcomes_lead_to_reduce(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    create_plan(PLAN, url=url)
    r = add_review("falls-birmingham", review(QUARTER_ENDS[0], 40, 1, 0), url=url)
    assert r["reach"] == pytest.approx(40 / (747.06 * 0.5 * 91 / 365.25), abs=1e-3)
    assert r["decision"] == "reduce" and "of the planned people were supported" in r["reason"]


def test_prior_and_posterior_by_hand():
    d = load_plan_defaults()
    assert prior(0.087, 2, d) == (pytest.approx(1.74), pytest.approx(18.26))
    assert prior(0.5, 5, d) == (100.0, 100.0)
    from carescale.plans.review import Observed

    import datetime as dt

    obs = [Observed(dt.date(2027, 4, 1), dt.date(2027, 6, 30), 10, {"x": 3}, 0.0),
           Observed(dt.date(2027, 7, 1), dt.date(2027, 9, 30), 20, {"x": 5}, 0.0)]
    assert posterior(1.0, 9.0, obs, "x") == (9.0, 31.0)


def test_plans_and_reviews_cli(tmp_path, monkeypatch, store_url):
    """The commands on DATABASE_URL: SQLite and PostgreSQL."""
    monkeypatch.setenv("DATABASE_URL", store_url)
    r = run_cli("plans", "list")
    assert r.code == 0 and "No plans saved yet" in r.out
    r = run_cli("plans", "create", str(PLAN), "--by", "A. Planner", "--format", "json")
    assert r.code == 0 and r.json()["id"] == "falls-birmingham"
    r = run_cli("plans", "create", str(PLAN))
    assert r.code == 2 and "a plan 'falls-birmingham' is already saved; plans are never overwritten" in r.err
    r = run_cli("reviews", "add", "falls-birmingham", "--period-end", "2027-06-30", "--people", "95",
                "--outcome", f"{FALL}=11", "--outcome", f"{CARE}=3", "--spent", "36000", "--by", "R. Reviewer")
    assert r.code == 0, r.err
    assert "Saved review 1 of plan falls-birmingham (by R. Reviewer)" in r.out and "Continue:" in r.out
    f = tmp_path / "q2.yaml"
    f.write_text(yaml.safe_dump(review(QUARTER_ENDS[1], 92, 10, 2) | {"recorded_by": "S. Other"}))
    r = run_cli("reviews", "add", "falls-birmingham", "--file", str(f), "--format", "csv")
    assert r.code == 0 and r.out.splitlines()[0].startswith("plan,number,outcome,achieved,people,prior_a")
    r = run_cli("reviews", "list", "falls-birmingham", "--format", "json")
    assert [x["recorded_by"] for x in r.json()] == ["R. Reviewer", "S. Other"]
    assert [x["decision"] for x in r.json()] == ["continue", "increase"]
    r = run_cli("reviews", "list", "falls-birmingham")
    assert r.code == 0 and "Reviews and recommendations" in r.out
    r = run_cli("reviews", "list", "falls-birmingham", "--format", "csv")
    assert r.code == 0 and "posterior_mean.fall-admission-avoided" in r.out.splitlines()[0]
    r = run_cli("plans", "show", "falls-birmingham")
    assert r.code == 0 and "Targets per outcome" in r.out and "Review schedule" in r.out
    r = run_cli("plans", "show", "falls-birmingham", "--format", "csv")
    assert r.code == 0 and r.out.splitlines()[0].startswith("number,start,end,planned_people,planned_spend")
    r = run_cli("plans", "list", "--format", "csv")
    assert r.code == 0 and "falls-birmingham" in r.out and "increase" in r.out
    r = run_cli("reviews", "add", "falls-birmingham", "--people", "3")
    assert r.code == 2 and r.err.strip() == "error: reviews add: --period-end, --spent missing; give them, or a review file with --file"
    r = run_cli("reviews", "add", "falls-birmingham", "--period-end", "2027-12-31", "--people", "3", "--spent", "1",
                "--outcome", "oops")
    assert r.code == 2 and "write OUTCOME=PEOPLE" in r.err


def test_plan_with_library_model(tmp_path):
    """A plan can commit to a model in the evidence library (here Kent Pathways' outcome rates
    are not given per outcome, so one with rates is needed: Shared Lives has none either)."""
    lib = default_library()
    with_rates = [iid for iid, iv in lib.runnable.items() if any(o.rate for s in iv.segments for o in s.outcomes)]
    spec = yaml.safe_load(PLAN.read_text())
    if not with_rates:
        spec["model"] = {"library": "shared-lives"}
        p = tmp_path / "plan.yaml"
        p.write_text(yaml.safe_dump(spec))
        with pytest.raises(PlanError, match="has no outcome with a rate to review against"):
            create_plan(p, url=f"sqlite:///{tmp_path / 's.db'}")
        return
    spec["model"] = {"library": with_rates[0]}
    p = tmp_path / "plan.yaml"
    p.write_text(yaml.safe_dump(spec))
    try:
        out = create_plan(p, url=f"sqlite:///{tmp_path / 's.db'}")
    except CarescaleError as exc:  # the area may lack a figure the model needs
        pytest.skip(str(exc))
    assert out["definition"]["model"]["kind"] == "library"


SCENARIO = """\
version: 1
area: birmingham
interventions: [falls-prevention-local]
overrides:
  falls-prevention-local.service.unit_cost: 300
appraisal: {years: 5}
reprice: false
note: cheaper classes
"""


def test_logic_model_runs_on_a_scenario_document(tmp_path):
    """The entry point takes a scenario document: its overrides and settings are applied."""
    path = tmp_path / "doc.yaml"
    path.write_text(SCENARIO)
    r = run_cli("logic-model", "run", str(LOGIC_MODEL), "--scenario", str(path), "--draws", "200", "--format", "json")
    assert r.code == 0, r.err
    data = r.json()
    assert data["run"]["interventions"][0]["cost"] == pytest.approx(747.06 * 300, abs=0.01)
    assert data["appraisal"]["settings"]["years"] == 5
    assert data["scenario"]["document"]["note"] == "cheaper classes"
    # £300 a person: the falls outcome breaks even at (300 - 120) / 3500
    fall = next(t for t in data["break_even_targets"] if t["parameter"].endswith(f"{FALL}.rate"))
    assert fall["break_even"] == pytest.approx(180 / 3500, abs=1e-9)
    r = run_cli("logic-model", "run", str(LOGIC_MODEL), "--scenario", str(path), "--area", "kent")
    assert r.code == 2 and "give --area or --scenario" in r.err


def test_plan_on_a_scenario_document(tmp_path):
    doc = tmp_path / "doc.yaml"
    doc.write_text(SCENARIO)
    spec = yaml.safe_load(PLAN.read_text())
    del spec["area"]
    spec["scenario"] = "doc.yaml"
    spec["model"] = {"logic_model": str(LOGIC_MODEL)}
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(spec))
    url = f"sqlite:///{tmp_path / 's.db'}"
    out = create_plan(path, url=url)
    d = out["definition"]
    assert out["area"] == "birmingham"
    assert d["outcomes"][0]["break_even_rate"] == pytest.approx(180 / 3500)
    from carescale.store import load_scenario_document

    stored = load_scenario_document(out["scenario_id"], url=url)
    assert stored.scenario_id == out["scenario_id"] and stored.note == "cheaper classes"
    assert dict(stored.overrides)["falls-prevention-local.service.unit_cost"].value == 300
    r = add_review("falls-birmingham", review(QUARTER_ENDS[0], 95, 11, 3), url=url)
    assert r["simulation"]["years"] == 5  # the document's appraisal settings
    spec["area"] = "birmingham"
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(InputFileError, match="give exactly one of area .* or scenario"):
        create_plan(path, url=url)


def test_spending_off_plan_is_reported(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    create_plan(PLAN, url=url)
    planned = 747.06 * 0.5 * 91 / 365.25 * 400
    r = add_review("falls-birmingham", review(QUARTER_ENDS[0], 95, 11, 3, spent=2 * planned), url=url)
    assert r["planned_spend"] == pytest.approx(planned, abs=0.01)
    assert r["reason"].endswith(f" Spending so far (£{2 * planned:,.0f}) is 100% above the plan (£{planned:,.0f}).")
