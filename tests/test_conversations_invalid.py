"""Deliberately invalid conversation inputs (tests/invalid_inputs/conversations/), each with the
exact one-line message a user sees (exit code 2, no traceback); markup and formulas in comments
are kept and shown as literal text in every output (issue 28)."""

from __future__ import annotations

import json

import pytest

from carescale.library import default_library

from .conftest import INVALID, REPO, run_cli

HERE = INVALID / "conversations"
REL = "tests/invalid_inputs/conversations"
PROPOSALS = "grow-living-well, grow-shared-lives, reduce-residential-18-64"
SERVICES = ("ro3:social-support-social-isolation, ro3:information-and-early-intervention, ro3:social-support-support-for-carer, "
            "ro3:assistive-equipment-and-technology, ascfr:long-term-home-care:65+, ascfr:long-term-home-care:18-64, "
            "ascfr:long-term-residential:65+, ascfr:long-term-residential:18-64, ascfr:long-term-nursing:65+, "
            "ascfr:long-term-nursing:18-64, ascfr:short-term-to-maximise-independence-reablement:65+, "
            "ascfr:short-term-to-maximise-independence-reablement:18-64")

# file -> (command, the message after "error: ")
CASES = {
    "response_unknown_proposal.csv": ("import", f"{REL}/response_unknown_proposal.csv: row 3: proposal: unknown proposal "
                                                f"'grow-care-homes'; the proposals of 'brum' are: {PROPOSALS}"),
    "response_bad_stance.csv": ("import", f"{REL}/response_bad_stance.csv: row 2: stance: input should be 'support', "
                                          "'oppose' or 'not-sure' (got 'maybe')"),
    "response_bad_respondent.csv": ("import", f"{REL}/response_bad_respondent.csv: row 2: respondent: input should be "
                                              "'uses-services', 'carer', 'staff', 'provider', 'partner' or 'other' (got 'neighbour')"),
    "response_comment_too_long.csv": ("import", f"{REL}/response_comment_too_long.csv: row 2: comment: 2,001 characters is "
                                                "too long; give at most 2,000 characters"),
    "response_unknown_column.csv": ("import", f"{REL}/response_unknown_column.csv: columns: unknown 'feeling'; the columns "
                                              "are: proposal, stance, respondent, comment (comment may be left out)"),
    "response_not_csv.csv": ("import", f"{REL}/response_not_csv.csv: not valid CSV after line 1: a quoted comment is not "
                                       "closed; put each comment with commas, quotes or line breaks in double quotes, and "
                                       'double a quote inside one ("")'),
    "spend_below_zero.yaml": ("picture", f"{REL}/spend_below_zero.yaml: spend[0].amount: -12500000 is below zero; give "
                                         "pounds, 0 or more"),
    "outlook_below_zero.yaml": ("picture", f"{REL}/outlook_below_zero.yaml: outlook[0].amount: -1 is below zero; give "
                                           "pounds, 0 or more"),
    "spend_bad_area.yaml": ("picture", f"{REL}/spend_bad_area.yaml: spend[0].area: input should be 1, 2, 3, 4 or 5 (got 6)"),
    "proposal_no_meaning.yaml": ("propose", f"{REL}/proposal_no_meaning.yaml: proposals[0]: meaning_for_people: required "
                                            "key is missing"),
    "proposal_reduction_below_zero.yaml": ("propose", f"{REL}/proposal_reduction_below_zero.yaml: proposals[0]: reduction: "
                                                      "-100 is below zero; give pounds, 0 or more"),
    "proposal_reduction_above_spend.yaml": ("propose", f"{REL}/proposal_reduction_above_spend.yaml: "
                                                       "proposals[reduce-residential]: reduction: £99,000,000 is more than the "
                                                       "service's spend today (£60,963,528 a year, 2024/25 prices); give at most that"),
    "proposal_unknown_model.yaml": ("propose", f"{REL}/proposal_unknown_model.yaml: proposals[grow-robots]: model.library: "
                                               "unknown model 'care-robots'; runnable models are: "
                                               + ", ".join(sorted(default_library().runnable))),
    "proposal_unknown_service.yaml": ("propose", f"{REL}/proposal_unknown_service.yaml: proposals[reduce-day-care]: service: "
                                                 f"unknown service 'ascfr:day-care:65+'; services in the local picture are: {SERVICES}"),
}


@pytest.fixture
def brum(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'conv.db'}")
    monkeypatch.chdir(REPO)
    assert run_cli("conversation", "create", "brum", "--council", "E08000025", "--name", "Birmingham").code == 0
    r = run_cli("conversation", "propose", "brum", "--file", "docs/examples/conversation/proposals.yaml")
    assert r.code == 0, r.err
    return "brum"


def test_every_fixture_has_a_case():
    assert sorted(p.name for p in HERE.iterdir()) == sorted([*CASES, "markup_and_formulas.csv"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_refused_with_one_line(brum, name):
    command, message = CASES[name]
    path = f"{REL}/{name}"
    args = {"import": ["import", brum, path], "picture": ["picture", brum, "--file", path],
            "propose": ["propose", brum, "--file", path]}[command]
    r = run_cli("conversation", *args)
    assert (r.code, r.err) == (2, f"error: {message}\n")
    assert "Traceback" not in r.err


def test_refusals_through_the_library(tmp_path):
    from carescale.conversations.service import Conversations
    from carescale.errors import ConversationError, NotFound

    c = Conversations(f"sqlite:///{tmp_path / 's.db'}")
    with pytest.raises(ConversationError) as err:
        c.create({"id": "x", "council": "E99999999", "name": "Nowhere"})
    assert str(err.value) == ("conversation: council: 'E99999999' is not a council in the official figures (April 2023 "
                              "boundaries); give an ONS code such as E08000025 (Birmingham)")
    with pytest.raises(NotFound) as err:
        c.get("nope")
    assert str(err.value) == "conversation 'nope': unknown conversation; no conversation is saved yet (carescale conversation create)"
    c.create({"id": "brum", "council": "E08000025", "name": "Birmingham"})
    with pytest.raises(ConversationError) as err:
        c.respond("brum", {"proposal": "grow-x", "stance": "support", "respondent": "carer"})
    assert str(err.value) == "response: proposal: unknown proposal 'grow-x'; the proposals of 'brum' are: none yet"
    with pytest.raises(ConversationError) as err:
        c.respond("brum", {"proposal": "grow-x", "stance": "support", "respondent": "carer", "comment": "x" * 5000})
    assert str(err.value) == "response: comment: 5,000 characters is too long; give at most 2,000 characters"
    with pytest.raises(ConversationError) as err:
        c.respond("brum", {"proposal": "grow-x", "stance": "support", "respondent": "carer", "comment": "a\x00b"})
    assert str(err.value) == "response: comment: contains a NUL character (\\x00); remove it"
    c.propose("brum", {"id": "grow-sl", "kind": "grow", "title": "Shared Lives", "meaning_for_people": "Homes",
                       "model": {"library": "shared-lives"}})
    with pytest.raises(ConversationError) as err:
        c.decide("brum", {"proposal": "grow-sl", "decision": "reduce", "reason": "r"})
    assert str(err.value) == "decision: 'reduce' does not fit a 'grow' proposal ('grow-sl'); give one of: grow, do-not-grow"
    with pytest.raises(ConversationError) as err:
        c.decide("brum", {"proposal": "grow-sl", "decision": "grow", "reason": "r", "plans": ["no-such-plan"]})
    assert str(err.value) == ("decision: plans: 'no-such-plan' is not a saved investment plan; save it first with "
                              "'carescale plans create'")  # a conversation with no owner: any saved plan
    with pytest.raises(ConversationError) as err:
        c.tag("brum", 99, "cost")
    assert str(err.value) == "response: 99 is not a response of conversation 'brum'; list them with 'carescale conversation show'"


def test_markup_and_formulas_are_literal_in_every_output(brum, tmp_path):
    assert run_cli("conversation", "import", brum, f"{REL}/markup_and_formulas.csv").out == "Imported 4 responses.\n"
    comments = ["<script>alert('x')</script> and <b>bold</b>", '=HYPERLINK("http://evil.example","click")',
                "+1 and -1 and @SUM(A1)", "[bold red]rich markup[/] and *markdown* and {{ jinja }}"]
    for i in (1, 2, 3, 4):
        assert run_cli("conversation", "quote", brum, str(i)).code == 0
    data = run_cli("conversation", "show", brum, "--format", "json").json()
    assert [r["comment"] for r in data["responses"]] == comments  # stored and given back exactly
    text = run_cli("conversation", "report", brum).out
    for c in comments:
        assert f'   "{c}" (' in text  # the terminal shows the literal text, rich markup not applied
    out = tmp_path / "responses.csv"
    assert run_cli("conversation", "show", brum, "--format", "csv", "-o", str(out)).code == 0
    import csv

    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert [r["comment"] for r in rows] == [comments[0], "'" + comments[1], "'" + comments[2], comments[3]]
    rep = json.loads(run_cli("conversation", "report", brum, "--format", "json").out)
    assert [q["comment"] for q in rep["quotes"]] == comments


def test_any_comment_comes_back_exactly_as_written(tmp_path):
    """Property: whatever a person writes (markup, formulas, control characters, any script) is
    stored and given back as the same text, and a CSV written by carescale
    reads back to it."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from carescale.conversations.responses import read_csv
    from carescale.conversations.service import Conversations
    from carescale.safe_text import csv_records

    c = Conversations(f"sqlite:///{tmp_path / 's.db'}")
    c.create({"id": "brum", "council": "E08000025", "name": "Birmingham"})
    c.propose("brum", {"id": "reduce", "kind": "reduce", "title": "t", "meaning_for_people": "m",
                       "service": "ascfr:long-term-nursing:65+", "reduction": 1})
    seen: set[str] = set()

    @given(st.text(alphabet=st.characters(exclude_characters="\x00", exclude_categories=["Cs"]), min_size=1, max_size=300)
           | st.sampled_from(["=1+1", "+A1", "-2", "@SUM(A1)", "\t=x", "<script>alert(1)</script>", "[red]x[/]"]))
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
    def check(text: str) -> None:
        from carescale.conversations.responses import normalise_comment

        words = normalise_comment(text)
        if words in seen:  # the same words again would be a duplicate (refused, tested elsewhere)
            return
        seen.add(words)
        r = c.respond("brum", {"proposal": "reduce", "stance": "oppose", "respondent": "other", "comment": text})
        assert r.comment == text
        assert c.responses("brum")[-1].comment == text
        back = read_csv(csv_records([{"proposal": "reduce", "stance": "oppose", "respondent": "other", "comment": r.comment}]),
                        "x.csv")
        assert back[0].comment == r.comment

    check()


@pytest.mark.slow  # 80 examples through the CLI: 8-10 s (fuzz tests are slow: pyproject.toml's markers)
def test_fuzz_conversation_commands(brum, tmp_path):
    """Whatever is typed into the staff commands and picture files: exit 0, or exit 2 with one
    ``error:`` line, never a traceback."""
    from hypothesis import HealthCheck, example, given, settings
    from hypothesis import strategies as st

    from .test_fuzz import CELL, NASTY, assert_clean

    value = st.one_of(NASTY, CELL, st.text(max_size=30))
    commands = {
        ("respond", brum): ["--proposal", "--stance", "--respondent", "--comment"],
        ("create",): [None, "--council", "--name", "--prices", "--organisation"],
        ("tag", brum): [None, None],
        ("quote", brum): [None],
        ("decide", brum): ["--proposal", "--decision", "--reason", "--plan"],
        ("report",): [None],
    }

    @given(command=st.sampled_from(sorted(commands)), data=st.data())
    @settings(max_examples=80, deadline=None, database=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def commands_are_clean(command, data):
        args = ["conversation", *command]
        for opt in commands[command]:
            v = data.draw(value)
            args += [v] if opt is None else [opt, v]
        assert_clean(run_cli(*args), args)

    keys = st.sampled_from(["area", "amount", "price_year", "source", "who", "text", "payer", "year", "extra"])
    item = st.dictionaries(keys, st.one_of(value, st.integers(-10**14, 10**14), st.floats(allow_nan=True), st.none()),
                           max_size=6)

    @given(data=st.dictionaries(st.sampled_from(["spend", "works", "outlook", "goals", "other"]),
                                st.one_of(st.lists(st.one_of(item, value, st.integers()), max_size=2), value,
                                          st.integers(), st.none()), max_size=3))
    @example({"spend": 5})
    @example({"goals": "one goal"})
    @example({"works": [5], "outlook": [{"amount": float("nan")}]})
    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def picture_files_are_clean(data):
        import yaml

        path = tmp_path / "picture.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        assert_clean(run_cli("conversation", "picture", brum, "--file", str(path), "--format", "json"), data)

    commands_are_clean()
    picture_files_are_clean()
