"""The people-facing pages of a local conversation (issue 28; docs/conversations.md, "The pages"):
the pack per area and its easy-read version (every sentence from the text catalogue, the figures
the library's), their PDFs, the public response form with its spam and duplicate protection, the
staff pages (signed in) and the public plan. Browser tests (axe-core, a member of the public
responding, staff publishing) are in tests/test_conversation_browser.py."""

from __future__ import annotations

import io
import re
import time

import pytest

from tests.web_helpers import post_form

textstat = pytest.importorskip("textstat")

PASSWORD = "correct horse battery staple"
STAFF = "sam@birmingham.gov.uk"
CID = "bham-2026"
#: user text that must stay text everywhere (markup, a formula, a line break)
TRICKY = "<b>Too short</b> visits & <script>alert(1)</script>\n=SUM(A1:A9)"
EASY_READ_MIN = 70


def make_conversation(url: str, cid: str = CID) -> dict:
    """Birmingham's conversation: two models to grow, one service to reduce, what people say works,
    and a staff member (``STAFF``, an approver of the organisation ``birmingham``)."""
    from carescale.accounts import open_accounts
    from carescale.conversations.service import Conversations

    acc = open_accounts(url)
    if acc.get_user(STAFF) is None:
        acc.create_admin(STAFF, "birmingham", PASSWORD, org_name="Birmingham City Council")
    svc = Conversations(url)
    svc.create({"id": cid, "council": "E08000025", "name": "Care and support in Birmingham, 2026",
                "organisation": "birmingham"}, by=STAFF)
    svc.propose(cid, {"id": "living-well", "kind": "grow", "title": "A local helper for people with several health problems",
                      "meaning_for_people": "You would have one person to call. They help you plan your week and meet people.",
                      "model": {"library": "living-well"}}, by=STAFF)
    svc.propose(cid, {"id": "shared-lives", "kind": "grow", "title": "Living with a Shared Lives carer",
                      "meaning_for_people": "You could live with a family who care for you, in their home.",
                      "model": {"library": "shared-lives"}}, by=STAFF)
    svc.propose(cid, {"id": "fewer-care-home-places", "kind": "reduce", "title": "Fewer care home places",
                      "meaning_for_people": "Fewer people would move into a care home. More would get help at home.",
                      "service": "ascfr:long-term-residential:65+", "reduction": 500_000,
                      "because_of": ["shared-lives"]}, by=STAFF)
    svc.add_what_works(cid, {"area": 2, "who": "people", "text": TRICKY, "source": "Healthwatch Birmingham, 2025"}, by=STAFF)
    return {"svc": svc, "proposals": {p.id: p for p in svc.proposals(cid)}}


def published_conversation(url: str, cid: str = "bham-published") -> str:
    """A conversation with responses (themes tagged, a quote chosen), a decision on every proposal
    and its plan published; a session token of its staff member (``STAFF``)."""
    from carescale.accounts import open_accounts
    from carescale.conversations.service import Conversations
    from carescale.errors import CarescaleError

    try:
        Conversations(url).get(cid)
        return open_accounts(url).sign_in(STAFF, PASSWORD)[1]  # made already (the same server, asked again)
    except CarescaleError:
        pass
    svc = make_conversation(url, cid)["svc"]
    for pid, stance, who, comment in (("living-well", "support", "carer", "It would help my dad get out more."),
                                      ("shared-lives", "not-sure", "staff", "Who checks the families?"),
                                      ("fewer-care-home-places", "oppose", "uses-services", TRICKY)):
        r = svc.respond(cid, {"proposal": pid, "stance": stance, "respondent": who, "comment": comment}, by=STAFF)
        svc.tag(cid, r.id, "safety" if pid != "living-well" else "loneliness", by=STAFF)
        svc.quote(cid, r.id, by=STAFF)
    for pid, decision in (("living-well", "grow"), ("shared-lives", "grow"), ("fewer-care-home-places", "keep")):
        svc.decide(cid, {"proposal": pid, "decision": decision, "reason": f"What people told us about {pid}."}, by=STAFF)
    svc.publish(cid, by=STAFF)
    return open_accounts(url).sign_in(STAFF, PASSWORD)[1]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('conversation-pages') / 'store.db'}"
    made = make_conversation(url)
    return {"url": url, **made}


@pytest.fixture
def client(db):
    from fastapi.testclient import TestClient

    from carescale.web.app import create_app
    from carescale.web.storage import DatabaseScenarioStore

    with TestClient(create_app(DatabaseScenarioStore(db["url"])), base_url="http://127.0.0.1:8000") as c:
        c.headers["Origin"] = "http://127.0.0.1:8000"
        yield c


def text_of(html: str) -> list[str]:
    """The words a reader meets in a page's main content: headings, paragraphs, list items,
    definitions and table cells, in order (no navigation, footer, script or style)."""
    import html as H

    main = re.search(r"(?s)<main[^>]*>(.*)</main>", html).group(1)
    main = re.sub(r"(?s)<(script|style)[^>]*>.*?</\1>", "", main)
    blocks = re.findall(r"(?s)<(h1|h2|h3|h4|p|li|dt|dd|th|td|caption|blockquote|span class=\"govuk-caption-l\")[^>]*>(.*?)</(?:h1|h2|h3|h4|p|li|dt|dd|th|td|caption|blockquote|span)>", main)
    return [t for t in (" ".join(H.unescape(re.sub(r"<[^>]+>", " ", b)).split()) for _, b in blocks) if t]


def as_prose(blocks: list[str]) -> str:
    return " ".join(b if b[-1:] in ".?!:" else b + "." for b in blocks)


def test_pack_shows_the_librarys_figures_in_sentences_and_whole_pounds(client, db):
    from carescale.formatting import money
    from carescale.web.conversation_pack import plain_money

    p = db["proposals"]["living-well"]
    f = p.figures
    page = client.get(f"/conversations/{CID}/areas/{p.area}")
    assert page.status_code == 200
    html = page.text
    net, gross = f.net.real, sum(m.real for m in f.gross_savings.values())
    assert f"Taking the cost away from the saving, it would save about {plain_money(net)} a year overall." in html
    assert f"It would save about {plain_money(gross)} a year." in html
    assert f"It would pay back what it cost after about {f.break_even_month} months." in html
    assert money(net) in html and money(f.cost.real) in html
    # every figure behind it: the engine's own result page for the same scenario, on this server
    assert f'href="/scenario/{f.scenario_id}"' in html
    assert client.get(f"/scenario/{f.scenario_id}").status_code == 200
    spend = db["svc"].picture(CID).areas[p.area - 1].spend.real
    assert f"The council spends about {plain_money(spend)} a year on this now." in html
    # what people say is shown as literal text: escaped, never markup
    assert "&lt;b&gt;Too short&lt;/b&gt; visits &amp; &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    # the reduce proposal sits in its own area, with its amount
    r = db["proposals"]["fewer-care-home-places"]
    other = client.get(f"/conversations/{CID}/areas/{r.area}").text
    assert "We would spend about £500,000 a year less on it." in other
    assert f'href="/conversations/{CID}/respond/fewer-care-home-places"' in other


def test_plain_money_reads_as_people_say_it():
    from carescale.web.conversation_pack import plain_money

    assert [plain_money(x) for x in (2_711_027.91, 999_600, 523_127.23, 12_345, 980.4, -1_500_000)] == \
        ["£2.7 million", "£1 million", "£523,000", "£12,000", "£980", "minus £1.5 million"]


def test_every_page_of_the_pack_answers_and_an_unknown_area_is_404(client):
    for path in ("", "/easy-read", "/areas/1", "/areas/5/easy-read"):
        assert client.get(f"/conversations/{CID}{path}").status_code == 200, path
    got = client.get(f"/conversations/{CID}/areas/6")
    assert got.status_code == 404
    assert "area: 6 is not one of the five areas; give 1, 2, 3, 4 or 5" in got.text
    assert client.get(f"/conversations/{CID}/areas/two/easy-read").status_code == 404
    assert client.get("/conversations/no-such-conversation").status_code == 404
    overview = client.get(f"/conversations/{CID}").text  # each area with how many proposals it has
    counts = re.findall(r'<span class="govuk-body-s carescale-ideas">([^<]+)</span>', overview)
    assert counts == ["No proposals yet.", "1 proposal.", "No proposals yet.", "2 proposals.", "No proposals yet."]
    assert f'<a class="govuk-link" href="/conversations/{CID}/areas/4#proposal-fewer-care-home-places">Fewer care home places</a> (less of this)' in overview


def test_easy_read_pack_reads_easily(client, db):
    """The whole rendered easy-read pack (every heading, sentence, figure sentence, label and table
    cell of its main content, the council's own text included) for each area and the overview has
    a Flesch reading ease of at least 70; the standard pack is harder to read than it."""
    scores = {}
    for area in (None, 1, 2, 3, 4, 5):
        base = f"/conversations/{CID}" + (f"/areas/{area}" if area else "")
        easy = as_prose(text_of(client.get(base + "/easy-read").text))
        standard = as_prose(text_of(client.get(base).text))
        scores[area] = (textstat.flesch_reading_ease(easy), textstat.flesch_reading_ease(standard))
        assert len(easy.split()) > 150, area
    print(scores)
    for area, (easy, standard) in scores.items():
        assert easy >= EASY_READ_MIN, (area, easy)
        assert easy > standard, (area, easy, standard)
    # and the easy-read response form and its thanks page
    for path in (f"/conversations/{CID}/respond/living-well?register=easy", f"/conversations/{CID}/thanks?register=easy"):
        score = textstat.flesch_reading_ease(as_prose(text_of(client.get(path).text)))
        assert score >= EASY_READ_MIN, (path, score)
    # the easy-read page is in larger type, and the goals are the easy-read words
    page = client.get(f"/conversations/{CID}/areas/2/easy-read").text
    assert "carescale-easy" in page and "Care should help you live a good life." in page


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.slow  # two packs through WeasyPrint: 2.5-3 s (PDF tests are slow: pyproject.toml's markers)
def test_pack_pdfs_carry_the_same_sentences_and_literal_text(client, db):
    p = db["proposals"]["living-well"]
    for path, expect in ((f"/areas/{p.area}/pack.pdf", "What we propose"), (f"/areas/{p.area}/easy-read.pdf", "Our ideas"),
                         (".pdf", "Our shared goals"), ("/easy-read.pdf", "What we want")):
        got = client.get(f"/conversations/{CID}{path}")
        assert got.status_code == 200 and got.headers["content-type"] == "application/pdf", path
        text = " ".join(_pdf_text(got.content).split())
        assert expect in text, path
        if "areas" in path:
            assert "<b>Too short</b> visits & <script>alert(1)</script>" in text
            assert "=SUM(A1:A9)" in text


def test_the_response_form_says_the_price_base_of_its_money_as_the_pack_does(client, db):
    """A proposal's money on its response form ('It would cost about ... a year') is in the same
    year's prices as the pack's, and the form says which, in either register."""
    year = db["svc"].picture(CID).price_base  # the local picture's price base, as the pack says
    for register, sentence in (("", f"All money figures are in {year} prices."),
                               ("?register=easy", f"All the money is in {year} prices.")):
        form = client.get(f"/conversations/{CID}/respond/living-well{register}").text
        assert f'<p class="govuk-body" id="price-base">{sentence}</p>' in form, register
        pack = client.get(f"/conversations/{CID}/areas/{db['proposals']['living-well'].area}"
                          + ("/easy-read" if register else "")).text
        assert sentence in pack, register


def _form(client, pid: str, easy: bool = False) -> dict:
    page = client.get(f"/conversations/{CID}/respond/{pid}" + ("?register=easy" if easy else ""))
    assert page.status_code == 200
    return {"started": re.search(r'name="started" value="([^"]+)"', page.text).group(1),
            "register": "easy" if easy else "standard"}


def _aged(client, seconds: float = 10.0) -> str:
    from carescale.web.conversation_forms import form_secret, sign_time

    return sign_time(form_secret(client.app.state), time.time() - seconds)


def test_the_public_respond_without_an_account(client, db):
    before = len(db["svc"].responses(CID))
    got = post_form(client, f"/conversations/{CID}/respond/living-well",
                    {**_form(client, "living-well"), "started": _aged(client), "stance": "support",
                     "respondent": "carer", "comment": "My mum would love this.\n=1+1 <i>really</i>"},
                    follow_redirects=False)
    assert got.status_code == 303 and got.headers["location"] == f"/conversations/{CID}/thanks"
    saved = db["svc"].responses(CID)[-1]
    assert len(db["svc"].responses(CID)) == before + 1
    assert (saved.stance, saved.respondent, saved.channel, saved.comment) == \
        ("support", "carer", "public", "My mum would love this.\n=1+1 <i>really</i>")
    assert "We have your view." in client.get(f"/conversations/{CID}/thanks").text


def test_bad_input_gives_a_govuk_error_summary_in_the_forms_register(client):
    got = post_form(client, f"/conversations/{CID}/respond/living-well",
                    {**_form(client, "living-well"), "started": _aged(client), "comment": "x" * 2001})
    assert got.status_code == 422
    assert 'class="govuk-error-summary"' in got.text
    for message, anchor in (("Select what you think of this idea", "#stance"),
                            ("Select which of these best describes you", "#respondent"),
                            ("Your comments must be 2,000 characters or fewer", "#comment")):
        assert f'<a href="{anchor}">{message}</a>' in got.text
    easy = post_form(client, f"/conversations/{CID}/respond/living-well",
                     {**_form(client, "living-well", easy=True), "started": _aged(client)})
    assert '<a href="#stance">Choose what you think of this idea</a>' in easy.text
    assert client.get(f"/conversations/{CID}/respond/no-such-proposal").status_code == 404


def test_spam_is_dropped_or_refused_with_no_outside_service(client, db):
    svc = db["svc"]
    n = len(svc.responses(CID))
    good = {"stance": "oppose", "respondent": "staff", "comment": "Not enough staff to do this."}
    # the honeypot filled: thanked, nothing kept
    got = post_form(client, f"/conversations/{CID}/respond/shared-lives",
                    {**_form(client, "shared-lives"), "started": _aged(client), "website": "http://spam.example", **good},
                    follow_redirects=False)
    assert got.status_code == 303 and len(svc.responses(CID)) == n
    # sent at once: a script, not a reader
    got = post_form(client, f"/conversations/{CID}/respond/shared-lives", {**_form(client, "shared-lives"), **good})
    assert got.status_code == 422 and "Please take a moment to read the idea before you send your view" in got.text
    # a forged or stale timestamp: the form is drawn again
    for started in ("1700000000.000.0123456789abcdef0123456789abcdef", _aged(client, 5 * 3600)):
        got = post_form(client, f"/conversations/{CID}/respond/shared-lives",
                        {**_form(client, "shared-lives"), **good, "started": started})
        assert got.status_code == 422 and "The page was open too long; we have opened it again" in got.text
    assert len(svc.responses(CID)) == n
    # the same view twice: the library's duplicate refusal, in the form's words
    ok = post_form(client, f"/conversations/{CID}/respond/shared-lives",
                   {**_form(client, "shared-lives"), **good, "started": _aged(client)}, follow_redirects=False)
    assert ok.status_code == 303
    again = post_form(client, f"/conversations/{CID}/respond/shared-lives",
                      {**_form(client, "shared-lives"), **good, "started": _aged(client)})
    assert again.status_code == 422 and "We already have this view from you" in again.text
    assert len(svc.responses(CID)) == n + 1


def _sign_in(client) -> None:
    from carescale.accounts import open_accounts
    from carescale.web import auth

    _, session = open_accounts(client.app.state.store.url).sign_in(STAFF, PASSWORD)
    client.cookies.set(auth.SESSION_COOKIE, session)


def test_staff_pages_need_an_account_in_the_organisation(client):
    got = client.get(f"/conversations/{CID}/staff", follow_redirects=False)
    assert got.status_code == 303 and got.headers["location"].startswith("/sign-in?next=")
    got = post_form(client, f"/conversations/{CID}/staff/publish", {}, follow_redirects=False)
    assert got.status_code == 303 and got.headers["location"].startswith("/sign-in?next=")
    # the plan is not public before it is published; the report is for staff until then
    assert client.get(f"/conversations/{CID}/plan").status_code == 404
    assert client.get(f"/conversations/{CID}/report", follow_redirects=False).status_code == 303
    assert client.get(f"/conversations/{CID}/report.pdf", follow_redirects=False).status_code == 303


def test_staff_enter_tag_quote_decide_and_publish(client, db):
    svc = db["svc"]
    _sign_in(client)
    assert client.get(f"/conversations/{CID}/staff").status_code == 200
    got = post_form(client, f"/conversations/{CID}/staff/responses",
                    {"proposal": "fewer-care-home-places", "stance": "not-sure", "respondent": "uses-services",
                     "comment": "Who decides who goes to a care home?\n@cmd|' /C calc'!A0"}, follow_redirects=False)
    assert got.status_code == 303
    rid = svc.responses(CID)[-1].id
    got = post_form(client, f"/conversations/{CID}/staff/responses/{rid}",
                    {"themes": "Choice, care homes, choice", "quoted": "yes"}, follow_redirects=False)
    assert got.status_code == 303
    tagged = next(r for r in svc.responses(CID) if r.id == rid)
    assert tagged.themes == ["care homes", "choice"] and tagged.quoted
    # a decision with no reason: the error summary names it
    bad = post_form(client, f"/conversations/{CID}/staff/decisions", {"proposal": "living-well", "decision": "grow", "reason": ""})
    assert bad.status_code == 422 and 'class="govuk-error-summary"' in bad.text and "reason" in bad.text
    from carescale.plans import cycle

    cycle.create_plan_from({"id": "bham-living-well", "name": "Community Agents in Birmingham", "library": "community-agents",
                            "area": "birmingham", "start": "2027-04-01", "end": "2028-03-31", "budget": 600_000,
                            "phases": [{"name": "all", "start": "2027-04-01", "end": "2028-03-31", "scale": 0.5}],
                            "funding": {"route": "transition_funds", "source": "Better Care Fund"}},
                           url=db["url"], owner="birmingham")
    for pid, decision, reason, plans in (
            ("living-well", "grow", "Most people who answered supported it, & it pays back in months.", "bham-living-well"),
            ("fewer-care-home-places", "keep", "People asked who would decide <b>who</b> moves; we will look again.", "")):
        got = post_form(client, f"/conversations/{CID}/staff/decisions",
                        {"proposal": pid, "decision": decision, "reason": reason, "plans": plans}, follow_redirects=False)
        assert got.status_code == 303, got.text
    got = post_form(client, f"/conversations/{CID}/staff/publish", {}, follow_redirects=False)
    assert got.status_code == 303 and got.headers["location"] == f"/conversations/{CID}/plan"
    # the plan carrying a decision out: a link for the council's staff, named without one for the public
    assert 'href="/plans/bham-living-well"' in client.get(f"/conversations/{CID}/plan").text
    client.cookies.clear()
    plan = client.get(f"/conversations/{CID}/plan").text  # no account
    assert 'href="/plans/bham-living-well"' not in plan
    assert "An investment plan carries this out: bham-living-well. It is not published." in plan
    assert "We will do more of this" in plan and "We will keep this as it is" in plan
    assert "Most people who answered supported it, &amp; it pays back in months." in plan
    sid = db["proposals"]["living-well"].figures.scenario_id
    assert f'href="/scenario/{sid}"' in plan and "engine scenario" not in plan
    assert "People asked who would decide &lt;b&gt;who&lt;/b&gt; moves; we will look again." in plan
    easy = client.get(f"/conversations/{CID}/plan/easy-read").text
    assert "We will do more of this" in easy and "carescale-easy" in easy
    assert textstat.flesch_reading_ease(as_prose(text_of(easy))) >= EASY_READ_MIN
    easy_pdf = client.get(f"/conversations/{CID}/plan/easy-read.pdf")
    assert "Our plan for care in Birmingham" in " ".join(_pdf_text(easy_pdf.content).split())
    report = client.get(f"/conversations/{CID}/report")
    assert report.status_code == 200
    report_pdf = " ".join(_pdf_text(client.get(f"/conversations/{CID}/report.pdf").content).split())
    assert "Who decides who goes to a care home? @cmd|' /C calc'!A0" in report_pdf  # the quote, as written
    assert "care homes: 1 comment" in report_pdf
    assert "care homes: 1 comment" in report.text
    assert "Who decides who goes to a care home?\n@cmd|&#39; /C calc&#39;!A0" in report.text
    pdf = client.get(f"/conversations/{CID}/plan.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = " ".join(_pdf_text(pdf.content).split())
    assert "People asked who would decide <b>who</b> moves; we will look again." in text
    # every response as CSV for staff: comments as written, a formula-looking one guarded
    assert client.get(f"/conversations/{CID}/responses.csv", follow_redirects=False).status_code == 303
    _sign_in(client)
    post_form(client, f"/conversations/{CID}/staff/responses", {"proposal": "living-well", "stance": "oppose",
              "respondent": "partner", "comment": '=HYPERLINK("http://evil.example","click")'})
    got = client.get(f"/conversations/{CID}/responses.csv")
    assert got.headers["content-type"] == "text/csv; charset=utf-8"
    import csv

    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(got.content.decode("utf-8-sig")))}
    assert rows[str(rid)]["comment"] == "Who decides who goes to a care home?\n@cmd|' /C calc'!A0"
    assert rows[str(rid)]["themes"] == "care homes; choice" and rows[str(rid)]["quoted"] == "yes"
    assert rows[max(rows, key=int)]["comment"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    client.cookies.clear()
    # the form is closed once the plan is published
    closed = post_form(client, f"/conversations/{CID}/respond/living-well",
                       {"started": _aged(client), "stance": "support", "respondent": "carer"})
    assert closed.status_code == 422 and "This conversation is closed" in closed.text
    page = client.get(f"/conversations/{CID}/respond/living-well").text
    assert 'id="closed"' in page and 'name="stance"' not in page


def test_the_list_links_each_pack_and_published_plan(client, db):
    page = client.get("/conversations").text
    assert f'href="/conversations/{CID}"' in page and "Care and support in Birmingham, 2026" in page


def test_one_client_may_give_at_most_ten_views_an_hour(tmp_path):
    """The library's per-client limit (a salted hash of the address, no outside service), in the
    form's own words, with 429."""
    from fastapi.testclient import TestClient

    from carescale.conversations.model import PUBLIC_RESPONSES_PER_HOUR
    from carescale.web.app import create_app
    from carescale.web.storage import DatabaseScenarioStore

    url = f"sqlite:///{tmp_path / 'store.db'}"
    make_conversation(url, "limits")
    with TestClient(create_app(DatabaseScenarioStore(url)), base_url="http://127.0.0.1:8000") as c:
        c.headers["Origin"] = "http://127.0.0.1:8000"
        codes = []
        for k in range(PUBLIC_RESPONSES_PER_HOUR + 1):
            got = post_form(c, "/conversations/limits/respond/living-well",
                            {"started": _aged(c), "stance": "support", "respondent": "carer", "comment": f"View number {k}"},
                            follow_redirects=False)
            codes.append(got.status_code)
        assert codes == [303] * PUBLIC_RESPONSES_PER_HOUR + [429]
        assert "You have sent a lot of views in a short time. Please try again later" in got.text


#: the staff routes of a conversation and the action each needs in its organisation
STAFF_ROUTES = {
    "GET /conversations/{cid}/staff": "read", "GET /conversations/{cid}/responses.csv": "read",
    "GET /conversations/{cid}/report": "read", "GET /conversations/{cid}/report.pdf": "read",  # until published
    "POST /conversations/{cid}/staff/goals": "change",
    "POST /conversations/{cid}/staff/spend": "change", "POST /conversations/{cid}/staff/works": "change",
    "POST /conversations/{cid}/staff/outlook": "change", "POST /conversations/{cid}/staff/proposals": "change",
    "POST /conversations/{cid}/staff/responses": "change", "POST /conversations/{cid}/staff/responses/{rid}": "change",
    "POST /conversations/{cid}/staff/decisions": "approve", "POST /conversations/{cid}/staff/publish": "approve",
}


@pytest.fixture(scope="module")
def roles(tmp_path_factory):
    """Birmingham's conversation (unpublished) and a client for each role: anonymous, a viewer, an
    editor and an approver of ``birmingham``, and the admin of another council (``leeds``)."""
    from fastapi.testclient import TestClient

    from carescale.accounts import open_accounts
    from carescale.web import auth
    from carescale.web.app import create_app
    from carescale.web.storage import DatabaseScenarioStore

    url = f"sqlite:///{tmp_path_factory.mktemp('conversation-roles') / 'store.db'}"
    svc = make_conversation(url, "roles")["svc"]
    rid = svc.respond("roles", {"proposal": "living-well", "stance": "support", "respondent": "carer",
                                "comment": "Good idea."}, by=STAFF).id
    acc = open_accounts(url)
    acc.create_admin("admin@leeds.gov.uk", "leeds", PASSWORD, org_name="Leeds City Council")
    for role in ("viewer", "editor", "approver"):
        acc.create_user(f"{role}@birmingham.gov.uk", PASSWORD)
        acc.set_role(f"{role}@birmingham.gov.uk", "birmingham", role)
    app = create_app(DatabaseScenarioStore(url))
    clients = {}
    for who, email in (("anonymous", None), ("viewer", "viewer@birmingham.gov.uk"), ("editor", "editor@birmingham.gov.uk"),
                       ("approver", "approver@birmingham.gov.uk"), ("other", "admin@leeds.gov.uk")):
        c = TestClient(app, base_url="http://127.0.0.1:8000", follow_redirects=False)
        c.headers["Origin"] = "http://127.0.0.1:8000"
        if email:
            c.cookies.set(auth.SESSION_COOKIE, acc.sign_in(email, PASSWORD)[1])
        clients[who] = c
    yield {"svc": svc, "clients": clients, "ids": {"cid": "roles", "rid": str(rid)}}
    for c in clients.values():
        c.close()


def _call(client, route: str, ids: dict):
    method, path = route.split(" ", 1)
    url = re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)
    return url, client.get(url) if method == "GET" else post_form(client, url, {})


@pytest.mark.parametrize("route", sorted(STAFF_ROUTES))
def test_staff_routes_follow_the_organisations_roles(roles, route):
    """Anonymous: sign in; another council's admin: 403; a viewer cannot change and an editor cannot
    approve (403, nothing recorded); the role the route needs gets through (a GET: 200; a POST with
    an empty form: the page again with its error summary, 422, or for the themes form, which may be
    emptied, back to the page, 303)."""
    clients, ids, svc = roles["clients"], roles["ids"], roles["svc"]
    before = (len(svc.responses("roles")), svc.public_plan("roles", draft=True).decisions)
    url, got = _call(clients["anonymous"], route, ids)
    assert got.status_code == 303 and got.headers["location"] == "/sign-in?next=" + url
    assert _call(clients["other"], route, ids)[1].status_code == 403
    wanted = STAFF_ROUTES[route]
    refused = {"read": (), "change": ("viewer",), "approve": ("viewer", "editor")}[wanted]
    for who in refused:
        assert _call(clients[who], route, ids)[1].status_code == 403, who
    allowed = {"read": "viewer", "change": "editor", "approve": "approver"}[wanted]
    got = _call(clients[allowed], route, ids)[1]
    expect = 200 if route.startswith("GET ") else 303 if route.endswith("{rid}") else 422
    assert got.status_code == expect, (allowed, got.status_code, got.text[:300])
    assert (len(svc.responses("roles")), svc.public_plan("roles", draft=True).decisions) == before


def test_the_worked_examples_easy_read_pack_reads_easily(tmp_path, monkeypatch):
    """The worked example (docs/examples/conversation: Birmingham's own entries, two models to grow,
    one service to reduce, twenty responses), made with the CLI as the docs say: its easy-read pack,
    the council's own words included, keeps a Flesch reading ease of at least 70 in every area."""
    from fastapi.testclient import TestClient

    from carescale.web.app import create_app
    from carescale.web.storage import DatabaseScenarioStore
    from tests.conftest import REPO, run_cli

    url = f"sqlite:///{tmp_path / 'example.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    example = REPO / "docs" / "examples" / "conversation"
    assert run_cli("conversation", "create", "brum", "--council", "E08000025", "--name", "Birmingham").code == 0
    assert run_cli("conversation", "picture", "brum", "--file", str(example / "picture.yaml")).code == 0
    assert run_cli("conversation", "propose", "brum", "--file", str(example / "proposals.yaml")).code == 0
    assert run_cli("conversation", "import", "brum", str(example / "responses.csv")).out == "Imported 20 responses.\n"
    with TestClient(create_app(DatabaseScenarioStore(url))) as c:
        for area in (None, 1, 2, 3, 4, 5):
            base = "/conversations/brum" + (f"/areas/{area}" if area else "")
            score = textstat.flesch_reading_ease(as_prose(text_of(c.get(base + "/easy-read").text)))
            assert score >= EASY_READ_MIN, (area, score)
        page = c.get("/conversations/brum/areas/4/easy-read").text
        assert "More Shared Lives" in page and "Fewer residential care places for working-age adults" in page


def test_a_pack_pdf_is_drawn_again_when_what_it_shows_changes(client, db):
    """PDFs are cached by their HTML: the same pack is laid out once, a changed one again."""
    first = client.get(f"/conversations/{CID}/areas/3/pack.pdf").content
    assert client.get(f"/conversations/{CID}/areas/3/pack.pdf").content == first
    db["svc"].add_what_works(CID, {"area": 3, "who": "staff", "text": "Day centres are full by ten.",
                                   "source": "Day services team, 2025"}, by=STAFF)
    after = client.get(f"/conversations/{CID}/areas/3/pack.pdf").content
    assert "Day centres are full by ten." in " ".join(_pdf_text(after).split())
    assert "Day centres are full by ten." not in " ".join(_pdf_text(first).split())


def test_staff_edit_the_shared_goals_and_the_pack_shows_theirs(tmp_path):
    """The goals start as the catalogue's (easy words in the easy-read pack); the council's own words,
    one a line, replace them in both versions; none at all is refused in the error summary."""
    from fastapi.testclient import TestClient

    from carescale.web.app import create_app
    from carescale.web.storage import DatabaseScenarioStore

    url = f"sqlite:///{tmp_path / 'store.db'}"
    make_conversation(url, "goals")
    with TestClient(create_app(DatabaseScenarioStore(url)), base_url="http://127.0.0.1:8000") as c:
        c.headers["Origin"] = "http://127.0.0.1:8000"
        assert "Care should help you live a good life." in c.get("/conversations/goals/easy-read").text
        _sign_in(c)
        empty = post_form(c, "/conversations/goals/staff/goals", {"goals": " \n "})
        assert empty.status_code == 422
        assert '<a href="#goals">goals: none given; write at least one shared goal</a>' in empty.text
        got = post_form(c, "/conversations/goals/staff/goals",
                        {"goals": "Everyone in Birmingham gets help early.\r\n\r\nNobody is lonely & <i>nobody</i> waits."},
                        follow_redirects=False)
        assert got.status_code == 303
        for page in ("/conversations/goals", "/conversations/goals/easy-read"):
            goals = re.findall(r'<li class="carescale-text">([^<]*)</li>', c.get(page).text)
            assert goals == ["Everyone in Birmingham gets help early.", "Nobody is lonely &amp; &lt;i&gt;nobody&lt;/i&gt; waits."]


def test_a_published_plan_names_the_ideas_not_yet_decided_and_counts_views_in_words(tmp_path):
    """A plan published with one decision of three: the two ideas still open are named by their
    titles (never their ids), and what people said is counted without a verb that needs agreeing
    with the number ("1 were against it")."""
    from fastapi.testclient import TestClient

    from carescale.web.app import create_app
    from carescale.web.storage import DatabaseScenarioStore

    url = f"sqlite:///{tmp_path / 'store.db'}"
    svc = make_conversation(url, "open")["svc"]
    for n, stance in enumerate(("support", "support", "oppose")):
        svc.respond("open", {"proposal": "living-well", "stance": stance, "respondent": "carer",
                             "comment": f"View number {n}"}, by=STAFF)
    svc.decide("open", {"proposal": "living-well", "decision": "grow", "reason": "People want it."}, by=STAFF)
    svc.publish("open", by=STAFF)
    with TestClient(create_app(DatabaseScenarioStore(url)), base_url="http://127.0.0.1:8000") as c:
        page = c.get("/conversations/open/plan").text
        easy = c.get("/conversations/open/plan/easy-read").text
    assert "For it: 2. Against it: 1. Not sure: 0." in page
    assert "Liked it: 2. Did not like it: 1. Not sure: 0." in easy
    assert "We have not decided on these ideas yet:" in page
    undecided = page.split("We have not decided on these ideas yet:", 1)[1].split("</ul>", 1)[0]
    assert re.findall(r"<li>([^<]*)</li>", undecided) == ["Living with a Shared Lives carer", "Fewer care home places"]


# -- staff give the local picture and add proposals on the web (the library's own methods) ----------


@pytest.fixture(scope="module")
def forms(db):
    """A conversation with no proposals yet in the pages' database, and a client of its staff member."""
    from fastapi.testclient import TestClient

    from carescale.conversations.service import Conversations
    from carescale.web.app import create_app
    from carescale.web.storage import DatabaseScenarioStore

    svc = Conversations(db["url"])
    svc.create({"id": "forms", "council": "E08000025", "name": "Care in Birmingham", "organisation": "birmingham"},
               by=STAFF)
    with TestClient(create_app(DatabaseScenarioStore(db["url"])), base_url="http://127.0.0.1:8000") as c:
        c.headers["Origin"] = "http://127.0.0.1:8000"
        _sign_in(c)
        yield {"svc": svc, "client": c, "price_year": svc.get("forms").price_year}


def _error_link(html: str, anchor: str, message: str) -> bool:
    """The GOV.UK error summary links the library's one line (escaped as the page writes it) to its field."""
    from markupsafe import escape

    return f'<a href="#{anchor}">{escape(message)}</a>' in html and f'id="{anchor}-error"' in html


def test_staff_give_the_councils_own_spend_what_works_and_money_expected(forms):
    from carescale.web.conversation_pack import plain_money

    svc, c, py = forms["svc"], forms["client"], forms["price_year"]
    page = c.get("/conversations/forms/staff").text
    for anchor in ("spend-amount", "works-text", "outlook-year", "new-model", "new-service"):
        assert f'id="{anchor}"' in page, anchor
    got = post_form(c, "/conversations/forms/staff/spend", {"spend-area": "3", "spend-amount": "£12,500,000",
                    "spend-price_year": py, "spend-source": "Budget book 2025/26, page 14"}, follow_redirects=False)
    assert got.status_code == 303 and got.headers["location"] == "/conversations/forms/staff#spend"
    area = svc.picture("forms").areas[2]
    assert (area.used, area.own.amount.real, area.own.source, area.own.entered_by) == \
        ("own", 12_500_000.0, "Budget book 2025/26, page 14", STAFF)
    assert "The council spends about £12.5 million a year on this now." in c.get("/conversations/forms/areas/3").text
    got = post_form(c, "/conversations/forms/staff/works", {"works-area": "3", "works-who": "inspectors",
                    "works-text": TRICKY, "works-source": "CQC report, <i>March</i> 2025"}, follow_redirects=False)
    assert got.status_code == 303
    said = svc.picture("forms").areas[2].sayings[-1]
    assert (said.who, said.text, said.source) == ("inspectors", TRICKY, "CQC report, <i>March</i> 2025")
    pack = c.get("/conversations/forms/areas/3").text
    assert "&lt;b&gt;Too short&lt;/b&gt; visits &amp; &lt;script&gt;alert(1)&lt;/script&gt;" in pack
    assert "CQC report, &lt;i&gt;March&lt;/i&gt; 2025" in pack and "<script>alert(1)" not in pack
    year = svc.picture("forms").outlook.council.years[1].year
    got = post_form(c, "/conversations/forms/staff/outlook", {"outlook-payer": "council", "outlook-year": year,
                    "outlook-amount": "410,000,000", "outlook-price_year": py,
                    "outlook-source": "Medium-term financial plan, February 2026"}, follow_redirects=False)
    assert got.status_code == 303
    row = next(y for y in svc.picture("forms").outlook.council.years if y.year == year)
    assert (row.own.real, row.own_source, row.central.real) == (410_000_000.0, "Medium-term financial plan, February 2026",
                                                              410_000_000.0)
    staff = c.get("/conversations/forms/staff").text  # what staff gave, listed where they give it
    assert f"Council (adult social care), {year}: £410,000,000 ({py} prices; Medium-term financial plan, February 2026)" in staff
    assert "Area 3 · Inspectors: <span class=\"carescale-text\">&lt;b&gt;Too short&lt;/b&gt;" in staff
    table = c.get("/conversations/forms/areas/3").text.split('id="outlook-council"', 1)[1].split("</table>", 1)[0]
    assert re.search(rf'<th scope="row" class="govuk-table__header">{re.escape(year)}</th>\s*<td[^>]*>[^<]*</td>\s*'
                     rf'<td[^>]*>{re.escape(plain_money(410_000_000))}</td>', table)


@pytest.mark.parametrize("form, data, anchor, message", [
    ("spend", {"spend-area": "2", "spend-amount": "-5", "spend-price_year": "2024/25", "spend-source": "Budget"},
     "spend-amount", "spend: amount: -5 is below zero; give pounds, 0 or more"),
    ("spend", {"spend-area": "2", "spend-amount": "five million", "spend-price_year": "2024/25", "spend-source": "Budget"},
     "spend-amount", "spend: amount: input should be a valid number, unable to parse string as a number (got 'five million')"),
    ("spend", {"spend-area": "2", "spend-amount": "5", "spend-price_year": "2024", "spend-source": "Budget"},
     "spend-price_year", "spend: price_year: '2024' is not a financial year; write it as 2024/25"),
    ("works", {"works-area": "2", "works-who": "people", "works-text": " ", "works-source": "Healthwatch"},
     "works-text", "what works: text: is empty; write the words and where they come from"),
    ("works", {"works-area": "2", "works-who": "councillors", "works-text": "Good.", "works-source": "Healthwatch"},
     "works-who", "what works: who: input should be 'inspectors', 'staff' or 'people' (got 'councillors')"),
    ("outlook", {"outlook-payer": "nhs", "outlook-year": "2027-28", "outlook-amount": "5", "outlook-price_year": "2024/25",
                 "outlook-source": "ICB plan"},
     "outlook-year", "outlook: year: '2027-28' is not a financial year; write it as 2024/25"),
])
def test_bad_picture_input_gives_the_librarys_line_in_the_error_summary(forms, form, data, anchor, message):
    svc, c = forms["svc"], forms["client"]
    before = svc.history("forms")
    got = post_form(c, f"/conversations/forms/staff/{form}", data)
    assert got.status_code == 422 and 'class="govuk-error-summary"' in got.text
    assert _error_link(got.text, anchor, message), got.text.split('govuk-error-summary__list">', 1)[1][:400]
    assert svc.history("forms") == before  # nothing recorded
    for name, value in data.items():  # the form keeps what was typed
        if name.endswith(("amount", "year", "source")):
            assert f'value="{value}"' in got.text, name


def test_staff_add_a_model_to_grow_and_a_service_to_reduce(forms):
    """The proposal form calls Conversations.propose: a library model at half its potential gets the
    engine's figures for the council (the same as evaluating its scenario document directly), and a
    service of the local picture reduced because of it; the pack shows both."""
    from carescale.conversations.core import council_area_id
    from carescale.conversations.proposals import engine_figures, model_document
    from carescale.library import default_library
    from carescale.web.conversation_pack import plain_money

    svc, c, py = forms["svc"], forms["client"], forms["price_year"]
    got = post_form(c, "/conversations/forms/staff/proposals", {
        "new-kind": "grow", "new-id": "community-agents", "new-title": "Community agents in every ward",
        "new-meaning_for_people": "Someone local helps you find <b>groups</b> & support near you.",
        "new-model": "library:community-agents", "new-scale": "0.5",
        "new-service": "ascfr:long-term-residential:65+", "new-reduction": "1"}, follow_redirects=False)  # ignored for grow
    assert got.status_code == 303 and got.headers["location"] == "/conversations/forms/staff#decide-community-agents"
    grow = {p.id: p for p in svc.proposals("forms")}["community-agents"]
    lib = default_library()
    doc = model_document(council_area_id("E08000025"), ["community-agents"], 0.5, py)
    engine = engine_figures(doc, lib, lib.intervention("community-agents").evidence_grade.level)
    assert (grow.kind, grow.model_kind, grow.model_ref, grow.scale, grow.created_by) == \
        ("grow", "library", "community-agents", 0.5, STAFF)
    assert grow.figures == engine
    pack = c.get(f"/conversations/forms/areas/{grow.area}").text
    assert f"Taking the cost away from the saving, it would save about {plain_money(engine.net.real)} a year overall." in pack
    assert f'href="/scenario/{engine.scenario_id}"' in pack
    assert "Someone local helps you find &lt;b&gt;groups&lt;/b&gt; &amp; support near you." in pack
    # a service to reduce: chosen from the picture's services, because of the model above
    line = next(x for x in svc.services("forms") if x.id == "ascfr:long-term-residential:65+")
    page = c.get("/conversations/forms/staff").text
    assert f'<option value="{line.id}"' in page and 'value="library:community-agents"' in page
    assert 'id="new-because_of-community-agents" name="new-because_of" type="checkbox" value="community-agents"' in page
    got = post_form(c, "/conversations/forms/staff/proposals", {
        "new-kind": "reduce", "new-id": "fewer-home-places", "new-title": "Fewer care home places",
        "new-meaning_for_people": "More people would get help at home.", "new-model": "library:shared-lives",
        "new-service": line.id, "new-reduction": "£250,000", "new-because_of": ["community-agents"]},
        follow_redirects=False)
    assert got.status_code == 303, got.text[:500]
    cut = {p.id: p for p in svc.proposals("forms")}["fewer-home-places"]
    assert (cut.kind, cut.service, cut.reduction.real, cut.reduction.price_base, cut.because_of, cut.area) == \
        ("reduce", line, 250_000.0, py, ["community-agents"], line.area)
    assert "We would spend about £250,000 a year less on it." in c.get(f"/conversations/forms/areas/{cut.area}").text


def test_a_bad_proposal_gives_the_librarys_line_in_the_error_summary(forms):
    svc, c = forms["svc"], forms["client"]
    line = next(x for x in svc.services("forms") if x.id == "ascfr:long-term-residential:65+")
    base = {"new-title": "An idea", "new-meaning_for_people": "It would help."}
    cases = [
        ({**base, "new-id": "Big Idea", "new-kind": "grow", "new-model": "library:shared-lives"}, "new-id",
         "proposal: id: 'Big Idea' is not a valid id; an id is lower-case letters, digits, '-' and '_' (pattern "
         "^[a-z0-9][a-z0-9_-]*$, at most 200 characters), with no dots: parameter paths join ids with dots"),
        ({**base, "new-id": "idea", "new-kind": "grow", "new-model": ""}, "new-model",
         "proposal 'idea': model: give exactly one of library (a model id), case_study (a case study id) or "
         "logic_model (the council's logic model)"),
        ({**base, "new-id": "idea", "new-kind": "grow", "new-model": "library:no-such-model"}, "new-model",
         "proposal 'idea': model.library: unknown model 'no-such-model'; runnable models are: "
         + ", ".join(sorted(__import__("carescale.library", fromlist=["x"]).default_library().runnable))),
        ({**base, "new-id": "idea", "new-kind": "grow", "new-model": "library:shared-lives", "new-scale": "2"}, "new-scale",
         "proposal: scale: input should be less than or equal to 1 (got 2.0)"),
        ({**base, "new-id": "idea", "new-kind": "reduce", "new-service": line.id, "new-reduction": "-1"}, "new-reduction",
         "proposal: reduction: -1 is below zero; give pounds, 0 or more"),
        ({**base, "new-id": "idea", "new-kind": "reduce", "new-service": line.id,
          "new-reduction": f"{line.money.real * 2:.0f}"}, "new-reduction",
         f"proposal 'idea': reduction: £{line.money.real * 2:,.0f} is more than the service's spend today "
         f"(£{line.money.real:,.0f} a year, {line.money.price_base} prices); give at most that"),
        ({**base, "new-id": "idea", "new-kind": "", "new-model": "library:shared-lives"}, "new-kind",
         "proposal: kind: input should be 'grow' or 'reduce' (got '')"),
        ({**base, "new-id": "idea", "new-kind": "grow", "new-model": "library:shared-lives",
          "new-meaning_for_people": " "}, "new-meaning_for_people",
         "proposal 'idea': meaning_for_people: is empty; say what it means for people, not only money"),
    ]
    before = [p.id for p in svc.proposals("forms")]
    for data, anchor, message in cases:
        got = post_form(c, "/conversations/forms/staff/proposals", data)
        assert got.status_code == 422, (anchor, got.status_code)
        assert _error_link(got.text, anchor, message), got.text.split('govuk-error-summary__list">', 1)[1][:600]
        assert f'value="{data["new-title"]}"' in got.text  # what was typed is kept
    assert [p.id for p in svc.proposals("forms")] == before
