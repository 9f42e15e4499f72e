"""A local conversation in a real browser (issue 28; docs/conversations.md, "The pages"): Playwright
on Debian's Chromium against a real server. axe-core on every page of the conversation (the pack,
its easy-read version, the response form with and without errors, the thanks page, the staff
page, the report and the public plan): no serious or critical violation. A member of the public
responds without an account; staff (signed in) tag themes, choose a quote, decide and publish;
the public plan page, read without an account, shows the decisions and their reasons.
Screenshots go to artifacts/web/conversation-*.png."""

from __future__ import annotations

import re

import pytest

from tests.conftest import require_tool  # noqa: F401 - used by the shared browser fixture
from tests.test_conversation_pages import CID, make_conversation, published_conversation
from tests.test_web_browser import browser, desktop_page, live_server, shot  # noqa: F401 - the shared harness

pytest.importorskip("playwright")
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('conversation-browser') / 'store.db'}"
    make_conversation(url)
    session = published_conversation(url, "bham-published")
    with live_server(url) as live:
        live.session = session
        yield live


def _signed_in(pg, server) -> None:
    from carescale.web.auth import SESSION_COOKIE

    pg.context.add_cookies([{"name": SESSION_COOKIE, "value": server.session, "url": server.url}])


def _serious(pg, name: str) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(pg).response["violations"]
    return [f"{name}: {v['id']} ({v['impact']}): {v['help']}" for v in found if v["impact"] in ("serious", "critical")]


def test_axe_no_serious_or_critical_violation_on_the_conversation(browser, server):
    problems = []
    with desktop_page(browser, 30_000) as pg:
        pages = {
            "list": "/conversations", "overview": f"/conversations/{CID}", "overview-easy": f"/conversations/{CID}/easy-read",
            "pack": f"/conversations/{CID}/areas/2", "pack-easy": f"/conversations/{CID}/areas/2/easy-read",
            "pack-reduce": f"/conversations/{CID}/areas/4", "respond": f"/conversations/{CID}/respond/living-well",
            "respond-easy": f"/conversations/{CID}/respond/living-well?register=easy",
            "thanks": f"/conversations/{CID}/thanks", "plan": "/conversations/bham-published/plan",
            "plan-easy": "/conversations/bham-published/plan/easy-read",
            "report": "/conversations/bham-published/report",
        }
        for name, path in pages.items():
            pg.goto(server.url + path)
            problems += _serious(pg, name)
            if name in ("pack", "pack-easy", "plan"):
                shot(pg, f"conversation-{name}")
        # the form with its error summary
        pg.goto(server.url + f"/conversations/{CID}/respond/living-well")
        pg.get_by_role("button", name="Send your view").click()
        pg.wait_for_selector(".govuk-error-summary")
        problems += _serious(pg, "respond with errors")
        shot(pg, "conversation-respond-errors")
        _signed_in(pg, server)
        pg.goto(server.url + "/conversations/bham-published/staff")
        problems += _serious(pg, "staff")
        # the staff page with a form's error summary (a proposal with nothing filled in)
        pg.click("#add-proposal")
        pg.wait_for_selector(".govuk-error-summary")
        problems += _serious(pg, "staff with errors")
    assert not problems, "\n".join(problems)


def test_public_responds_staff_publish_and_the_plan_shows_decisions_and_reasons(browser, server):
    from carescale.conversations.service import Conversations

    svc = Conversations(server.server.config.app.state.store.url)
    # a member of the public, no account: from the pack to the form to the thanks page
    with desktop_page(browser, 30_000) as pg:
        pg.goto(server.url + f"/conversations/{CID}/areas/2/easy-read")
        pg.get_by_role("link", name=re.compile("Tell us what you think of: A local helper")).click()
        pg.wait_for_url(re.compile(r"/respond/living-well\?register=easy$"))
        pg.get_by_label("I like it").check()
        pg.get_by_label("I look after someone").check()
        pg.get_by_label("Tell us more (you do not have to)").fill("My dad is lonely. <b>This</b> would help.\n=HYPERLINK(\"x\")")
        pg.wait_for_timeout(3200)  # a reader takes a moment; a form sent at once is refused
        pg.get_by_role("button", name="Send").click()
        pg.wait_for_url(re.compile(r"/thanks\?register=easy$"))
        assert "We got what you told us." in pg.locator("#thanks").inner_text()
        shot(pg, "conversation-thanks")
    mine = svc.responses(CID)[-1]
    assert (mine.stance, mine.respondent, mine.channel) == ("support", "carer", "public")
    assert mine.comment == "My dad is lonely. <b>This</b> would help.\n=HYPERLINK(\"x\")"

    # staff sign in on the sign-in page (sent there from the staff page), then tag themes and quote
    # the comment, decide each proposal and publish
    from tests.test_conversation_pages import PASSWORD, STAFF

    with desktop_page(browser, 30_000) as pg:
        pg.goto(server.url + f"/conversations/{CID}/staff")
        pg.wait_for_url(re.compile(r"/sign-in\?next="))
        pg.get_by_label("Email address").fill(STAFF)
        pg.get_by_label("Password").fill(PASSWORD)
        pg.get_by_role("button", name="Sign in").click()
        pg.wait_for_url(re.compile(rf"/conversations/{CID}/staff$"))
        pg.fill(f"#themes-{mine.id}", "loneliness, family")
        pg.check(f"#quoted-{mine.id}")
        pg.click(f"#save-{mine.id}")
        pg.wait_for_url(re.compile(rf"/staff#response-{mine.id}$"))
        assert pg.input_value(f"#themes-{mine.id}") == "family, loneliness"
        for pid, decision, reason in (
                ("living-well", "grow", "People told us loneliness matters most; it pays back in months."),
                ("shared-lives", "do-not-grow", "Staff asked who checks the families; we will answer that first."),
                ("fewer-care-home-places", "keep", "We will not cut care home places until more help at home is working.")):
            pg.check(f"#decision-{pid}-{decision}")
            pg.fill(f"#reason-{pid}", reason)
            pg.click(f"#record-{pid}")
            pg.wait_for_url(re.compile(rf"/staff#decide-{pid}$"))
        shot(pg, "conversation-staff")
        pg.click("#publish-plan")
        pg.wait_for_url(re.compile(rf"/conversations/{CID}/plan$"))
    assert svc.get(CID).published

    # anyone, no account: the public plan shows each decision and its reason
    with desktop_page(browser, 30_000) as pg:
        pg.goto(server.url + f"/conversations/{CID}/plan")
        shot(pg, "conversation-public-plan")
        living = pg.locator("#decision-living-well")
        assert living.locator(".carescale-decision").inner_text() == "We will do more of this"
        assert living.locator(".carescale-reason").inner_text() == "People told us loneliness matters most; it pays back in months."
        assert "For it: 1. Against it: 0. Not sure: 0." in living.inner_text()
        assert pg.locator("#decision-shared-lives .carescale-decision").inner_text() == "We will not do more of this for now"
        assert pg.locator("#decision-fewer-care-home-places .carescale-reason").inner_text() == \
            "We will not cut care home places until more help at home is working."
        pg.get_by_role("link", name=re.compile("The report on what people told us")).first.click()
        pg.wait_for_url(re.compile(r"/report$"))
        quote = pg.locator(".carescale-quote-block blockquote").first.inner_text()
        assert quote == "My dad is lonely. <b>This</b> would help.\n=HYPERLINK(\"x\")"
        assert "loneliness: 1 comment" in pg.locator(".carescale-themes").first.inner_text()


def test_the_open_form_and_its_errors_reflow_on_a_320_pixel_phone(browser, server):
    """The response form of a conversation still taking views (test_web_screens measures a published
    one, whose form is closed), with and without its error summary, and the easy-read pack: no
    sideways scroll at 320 px (WCAG 1.4.10)."""
    make_conversation(server.server.config.app.state.store.url, "phone")
    context = browser.new_context(viewport={"width": 320, "height": 800})
    try:
        pg = context.new_page()
        wide = {}
        for name, path in (("form", "/conversations/phone/respond/shared-lives?register=easy"),
                           ("pack", "/conversations/phone/areas/4/easy-read")):
            pg.goto(server.url + path)
            wide[name] = pg.evaluate("document.documentElement.scrollWidth")
        pg.goto(server.url + "/conversations/phone/respond/shared-lives")
        pg.get_by_role("button", name="Send your view").click()
        pg.wait_for_selector(".govuk-error-summary")
        wide["errors"] = pg.evaluate("document.documentElement.scrollWidth")
        shot(pg, "conversation-respond-errors-320")
        assert wide == {"form": 320, "pack": 320, "errors": 320}
    finally:
        context.close()


def test_a_member_of_the_public_responds_by_keyboard_alone(browser, server):
    """From the pack to the thanks page with the keyboard only: the link to give a view, a radio in
    each group (Space), the comment, and the send button; the honeypot is never reached by Tab."""
    from carescale.conversations.service import Conversations
    from tests.test_web_browser import _tab_to

    make_conversation(server.server.config.app.state.store.url, "keys")
    with desktop_page(browser, 30_000) as pg:
        pg.goto(server.url + "/conversations/keys/areas/4")
        _tab_to(pg, "a[href='/conversations/keys/respond/shared-lives']")
        pg.keyboard.press("Enter")
        pg.wait_for_url(re.compile(r"/respond/shared-lives$"))
        _tab_to(pg, "input[name=stance]")
        pg.keyboard.press("ArrowDown")  # from "I support it" to "I am against it"
        pg.keyboard.press("Space")
        _tab_to(pg, "input[name=respondent]")
        pg.keyboard.press("Space")  # I use care or support services
        _tab_to(pg, "#comment")
        pg.keyboard.type("Who checks the families? I would want to meet them first.")
        focused = []
        for _ in range(8):  # on to the button: the hidden "leave empty" box is never focused
            pg.keyboard.press("Tab")
            focused.append(pg.evaluate("document.activeElement.id || document.activeElement.name"))
            if focused[-1] == "send":
                break
        assert "website" not in focused and focused[-1] == "send", focused
        pg.wait_for_timeout(3200)
        pg.keyboard.press("Enter")
        pg.wait_for_url(re.compile(r"/conversations/keys/thanks$"))
    got = Conversations(server.server.config.app.state.store.url).responses("keys")[-1]
    assert (got.proposal, got.stance, got.respondent, got.channel) == ("shared-lives", "oppose", "uses-services", "public")
