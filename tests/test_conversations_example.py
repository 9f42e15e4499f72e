"""Issue 28's acceptance: the worked example of docs/conversations.md. Birmingham's (E08000025)
local picture from official data, two models to grow (Shared Lives and Living Well) and one
service to reduce, twenty responses, the report and the public plan, on SQLite and PostgreSQL;
the pack's figures equal the engine's evaluation of the same scenario."""

from __future__ import annotations

import pytest

from carescale.conversations.service import Conversations
from carescale.io.yaml import read_yaml
from carescale.library import default_library
from carescale.official.spend_baseline import council_baseline
from carescale.prices import price_base
from carescale.scenarios import evaluate_document, parse_data

from .conftest import REPO, run_cli
from .store_fixtures import store_url  # noqa: F401  (fixture)

EXAMPLE = REPO / "docs" / "examples" / "conversation"


def build(url: str) -> Conversations:
    from carescale.accounts import open_accounts

    open_accounts(url).create_organisation("birmingham", "Birmingham City Council")
    c = Conversations(url)
    c.create({"id": "brum", "council": "E08000025", "name": "Birmingham: living well at home",
              "organisation": "birmingham"}, by="alice")
    pic = read_yaml(EXAMPLE / "picture.yaml")
    for item in pic["spend"]:
        c.set_own_spend("brum", item, by="alice")
    for item in pic["works"]:
        c.add_what_works("brum", item, by="alice")
    for item in pic["outlook"]:
        c.add_outlook("brum", item, by="alice")
    for item in read_yaml(EXAMPLE / "proposals.yaml")["proposals"]:
        c.propose("brum", item, by="alice")
    got = c.import_responses("brum", (EXAMPLE / "responses.csv").read_text(encoding="utf-8"), by="alice")
    assert (got["added"], got["duplicates"]) == (20, 0)
    return c


def test_worked_example(store_url):
    c = build(store_url)
    pb = price_base()
    assert pb.year == "2024/25"

    # -- the local picture from official data, and the council's own figure --------------------
    pic = c.picture("brum")
    areas = {a.area: a for a in pic.areas}
    base = council_baseline("E08000025")
    cells = {(s["setting"], s["age"]): s["cash"] for s in base["by_setting"]}
    assert cells[("long-term: residential", "18-64")] == 52_909_000  # ASC-FR 2021-22, T44
    four = sum(cells[(k, a)] for k in ("long-term: residential", "long-term: nursing") for a in ("65+", "18-64"))
    assert four == 44_441_000 + 52_909_000 + 38_898_000 + 8_383_000
    assert areas[4].used == "official" and areas[4].spend.real == pytest.approx(four * pb.factor("2021/22"), abs=0.05)
    assert areas[5].spend.real == pytest.approx((6_722_000 + 1_331_000) * pb.factor("2021/22"), abs=0.05)
    assert areas[1].used == "own" and areas[1].spend.real == 12_500_000 and areas[1].official is None
    assert areas[3].used == "none" and "no line for day activities" in areas[3].note
    assert [s.who for s in areas[4].sayings] == ["inspectors"]
    council = pic.outlook.council
    assert council.start.cash == 385_833_000 and council.start.cash_year == "2021-22"  # ASC-FR gross, no RO3 return
    assert [y.year for y in council.years] == ["2025/26", "2026/27", "2027/28", "2028/29", "2029/30"]
    nhs = pic.outlook.nhs
    assert nhs.years[0].own.real == 30_000_000 and nhs.years[0].central.real == 30_000_000
    assert nhs.years[1].central.real == pytest.approx(30_000_000 * (1 + council.growth["central"]), abs=0.01)

    # -- the pack's figures are the engine's ---------------------------------------------------
    pack = c.pack("brum")
    props = {p.id: p for p in pack.proposals}
    assert [p.kind for p in pack.proposals] == ["grow", "grow", "reduce"]
    lib = default_library()
    for pid, model in (("grow-shared-lives", "shared-lives"), ("grow-living-well", "living-well")):
        f = props[pid].figures
        doc = parse_data({"version": 1, "area": "birmingham-official", "interventions": [model], "basis": "potential",
                          "scale": {model: 1.0}, "price_base_year": "2024/25", "note": "conversation proposal"})
        ev = evaluate_document(doc, lib)
        t, m = ev.run["totals"], ev.appraisal_summary()["portfolio"]["metrics"]
        assert f.scenario_id == doc.scenario_id
        assert f.people_helped == round(t["beneficiaries"], 3)
        assert f.cost.real == round(t["cost"], 2) and f.setup.real == round(t["setup_investment"], 2)
        assert {p: x.real for p, x in f.gross_savings.items()} == {p: round(t["gross_savings"][p], 2) for p in ("asc", "nhs")}
        assert {p: x.real for p, x in f.net_savings.items()} == {p: round(t["net_savings"][p], 2) for p in ("asc", "nhs")}
        assert f.npv.real == round(m["npv"], 2) and f.break_even_month == m["break_even_month"]
    sl = props["grow-shared-lives"].figures
    assert (sl.people_helped, sl.cost.real, sl.net.real, sl.npv.real, sl.break_even_month) == (
        50.244, 1_345_752.8, 1_676_158.09, 10_970_221.78, 16)
    assert props["grow-shared-lives"].area == 4 and props["grow-living-well"].area == 2
    lw = props["grow-living-well"].figures
    assert lw.net_savings["nhs"].real > 0 and lw.net.real == round(lw.net_savings["asc"].real + lw.net_savings["nhs"].real, 2)
    red = props["reduce-residential-18-64"]
    assert red.service.money.cash == 52_909_000 and red.reduction.real == 1_500_000 and red.area == 4
    assert red.because_of == ["grow-shared-lives"]

    # -- twenty responses and the report ----------------------------------------------------------
    rs = c.responses("brum")
    assert len(rs) == 20
    markup = next(r for r in rs if r.comment.startswith("<b>"))
    formula = next(r for r in rs if r.comment.startswith("=SUM"))
    c.tag("brum", markup.id, "Recruiting carers", by="bob")
    c.tag("brum", rs[3].id, "recruiting  carers", by="bob")
    c.tag("brum", rs[3].id, "cost", by="bob")
    c.tag("brum", rs[3].id, "cost", on=False, by="bob")
    c.quote("brum", rs[1].id, by="bob")
    c.quote("brum", markup.id, by="bob")
    rep = c.report("brum")
    counts = {p.proposal: (p.counts.support, p.counts.oppose, p.counts.not_sure, p.counts.total) for p in rep.by_proposal}
    assert counts == {"grow-shared-lives": (5, 1, 1, 7), "grow-living-well": (4, 1, 2, 7),
                      "reduce-residential-18-64": (2, 2, 2, 6)}
    assert {k: v.total for k, v in rep.by_respondent.items()} == {
        "uses-services": 5, "carer": 4, "staff": 3, "provider": 3, "partner": 3, "other": 2}
    assert rep.by_proposal[0].by_respondent["carer"].model_dump() == {"support": 1, "oppose": 1, "not_sure": 0, "total": 2}
    assert rep.themes == {"recruiting carers": 2}
    assert rep.by_channel == {"staff": 20, "public": 0}  # imported from a CSV file by staff
    assert [q.comment for q in rep.quotes] == ["My son has been happier since he moved to a Shared Lives carer.",
                                               "<b>Not enough carers</b> in my area to make this work."]
    assert formula.comment == "=SUM(A1:A9) is how the cost looks to us: we need more detail."  # literal, never a formula
    assert "no automatic sentiment scoring" in rep.method

    # -- decisions and the public plan -------------------------------------------------------------
    from carescale.errors import NotFound

    with pytest.raises(NotFound, match="its public plan is not published"):
        c.public_plan("brum")
    c.decide("brum", {"proposal": "grow-shared-lives", "decision": "grow",
                      "reason": "Most people support it and it saves the council money from its second year."}, by="cabinet")
    c.decide("brum", {"proposal": "grow-living-well", "decision": "grow", "reason": "People and GPs support it."}, by="cabinet")
    c.decide("brum", {"proposal": "reduce-residential-18-64", "decision": "keep",
                      "reason": "Not yet: reduce only once Shared Lives has grown."}, by="cabinet")
    plan = c.publish("brum", by="cabinet")
    assert plan.published and plan.undecided == []
    public = c.public_plan("brum")
    d = {x.proposal: x for x in public.decisions}
    assert [x.decision for x in public.decisions] == ["grow", "grow", "keep"]
    assert d["grow-shared-lives"].people_said.model_dump() == {"support": 5, "oppose": 1, "not_sure": 1, "total": 7}
    assert d["grow-shared-lives"].evidence[0] == (
        "Shared Lives: 50 people helped a year; cost £1.35m a year; savings to the council £3.02m and to the NHS £0 a "
        f"year; net £1.68m a year (2024/25 prices; engine scenario {sl.scenario_id})")
    assert d["grow-shared-lives"].evidence[1] == "Net present value over 10 years £10.97m; breaks even in month 16 (July 2027)"
    assert d["reduce-residential-18-64"].evidence[-1] == "Made possible by More Shared Lives: savings to the council £3.02m a year"
    assert c.get("brum").published
    from carescale.accounts import open_accounts

    log = [(x["actor"], x["action"], x["object"], x["detail"]) for x in open_accounts(store_url).audit_log()
           if x["action"].startswith("conversation.")]
    assert log == [("alice", "conversation.create", "conversation:brum", "council E08000025; organisation birmingham"),
                   ("cabinet", "conversation.decide", "conversation:brum", "grow-shared-lives: grow"),
                   ("cabinet", "conversation.decide", "conversation:brum", "grow-living-well: grow"),
                   ("cabinet", "conversation.decide", "conversation:brum", "reduce-residential-18-64: keep"),
                   ("cabinet", "conversation.publish", "conversation:brum", "public plan")]
    c.publish("brum", published=False, by="cabinet")
    with pytest.raises(NotFound):
        c.public_plan("brum")


def test_duplicates_and_per_client_limits(tmp_path):
    from carescale.conversations.model import PUBLIC_RESPONSES_PER_HOUR
    from carescale.conversations.service import TooManyResponses
    from carescale.errors import ConversationError

    c = build(f"sqlite:///{tmp_path / 's.db'}")
    again = {"proposal": "grow-shared-lives", "stance": "support", "respondent": "uses-services",
             "comment": "I want to live with a FAMILY -- not in a home!", "channel": "public"}
    with pytest.raises(ConversationError) as err:
        c.respond("brum", again, client="203.0.113.9")
    assert str(err.value) == "response: the same response to 'grow-shared-lives' is already recorded; it is counted once"
    # importing the same file again adds nothing
    got = c.import_responses("brum", (EXAMPLE / "responses.csv").read_text(encoding="utf-8"))
    assert (got["added"], got["duplicates"]) == (1, 19)  # the one row without a comment is never a duplicate
    for i in range(PUBLIC_RESPONSES_PER_HOUR):
        c.respond("brum", {**again, "comment": f"comment number {i}"}, client="203.0.113.9")
    with pytest.raises(TooManyResponses) as err:
        c.respond("brum", {**again, "comment": "one more"}, client="203.0.113.9")
    assert err.value.http_status == 429
    c.respond("brum", {**again, "comment": "one more"}, client="198.51.100.7")  # another client is not limited
    with pytest.raises(ConversationError, match="hidden field was filled in"):
        c.respond("brum", {**again, "comment": "spam"}, client="198.51.100.8", honeypot="http://spam.example")
    from sqlalchemy import select

    from carescale.store.models import ConversationResponseRow

    with c.store.reading() as s:
        hashes = set(s.scalars(select(ConversationResponseRow.client_hash)))
    assert "203.0.113.9" not in str(hashes) and len([h for h in hashes if h]) == 2  # addresses never stored


def test_cli_worked_example(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert run_cli("conversation", "create", "brum", "--council", "E08000025", "--name", "Birmingham",
                   "--by", "alice").out == "Created conversation brum for Birmingham (E08000025), 2024/25 prices.\n"
    r = run_cli("conversation", "picture", "brum", "--file", str(EXAMPLE / "picture.yaml"))
    assert r.code == 0 and "   Spend today: £12.50m (2024/25 prices)\n" in r.out
    r = run_cli("conversation", "propose", "brum", "--file", str(EXAMPLE / "proposals.yaml"))
    assert r.code == 0, r.err
    assert r.out.splitlines()[0] == ("1. grow-shared-lives (grow, area 4): More Shared Lives: 50 people a year, "
                                     "cost £1.35m (2024/25 prices), net £1.68m (2024/25 prices) a year")
    assert run_cli("conversation", "import", "brum", str(EXAMPLE / "responses.csv")).out == "Imported 20 responses.\n"
    assert run_cli("conversation", "tag", "brum", "5", "Recruiting carers").out == "Response 5 themes: recruiting carers.\n"
    assert run_cli("conversation", "quote", "brum", "5").out == "Response 5 is a quote.\n"
    text = run_cli("conversation", "report", "brum").out.splitlines()
    assert text[0] == "What people said: 20 responses."
    assert text[1] == "More Shared Lives (grow-shared-lives): 5 support, 1 oppose, 1 not sure"
    assert text[-2].startswith("Who responded: Person who uses services 5 (4 support, 0 oppose, 1 not sure); Carer 4 ")
    r = run_cli("conversation", "report", "brum", "--format", "csv")
    assert r.out.splitlines()[:2] == ["proposal,title,respondent,support,oppose,not_sure,total",
                                      "grow-shared-lives,More Shared Lives,all,5,1,1,7"]
    r = run_cli("conversation", "show", "brum", "--format", "csv")
    lines = r.out.splitlines()
    assert any(",'=SUM(A1:A9) is how the cost looks to us" in line for line in lines)  # guarded in CSV
    assert any("'@everyone" in line for line in lines)
    r = run_cli("conversation", "publish", "brum")
    assert (r.code, r.err.strip()) == (2, "error: publish: conversation 'brum' has no decision yet; decide at least one proposal first")
    run_cli("conversation", "decide", "brum", "--proposal", "grow-shared-lives", "--decision", "grow", "--reason", "Supported")
    assert run_cli("conversation", "publish", "brum").out == (
        "The public plan of brum is published (1 decision, 2 proposals not decided).\n")
    data = run_cli("conversation", "show", "brum", "--format", "json").json()
    assert data["public_plan"]["published"] is True and len(data["responses"]) == 20
    assert [(h["kind"], h["key"]) for h in data["history"]] == [
        ("spend", "1"), ("works", "1"), ("works", "2"), ("outlook", "nhs:2025/26"), ("tag", "5:recruiting carers"),
        ("quote", "5"), ("decision", "grow-shared-lives"), ("publish", "")]
    assert data["proposals"][0]["figures"]["net"]["real"] == 1_676_158.09
