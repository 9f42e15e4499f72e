"""The conversation pack's text in one place (issue 28; docs/conversations.md, "The text in one
place"): the catalogue's two registers, its checks of a translation (exact messages, fixtures in
tests/invalid_inputs/conversation_text/), and the easy-read register's Flesch reading ease
(textstat) of at least 70. The whole rendered easy-read pack, figures' sentences included, is
measured in tests/test_conversation_pages.py."""

from __future__ import annotations

import pytest

from tests.conftest import INVALID

textstat = pytest.importorskip("textstat")

FIXTURES = INVALID / "conversation_text"
EASY_READ_MIN = 70


def _sentences(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _sentences(v)]
    if isinstance(value, list):
        return [s for v in value for s in _sentences(v)]
    return [str(value)]


def as_prose(sentences: list[str]) -> str:
    """Headings and labels end with a full stop, as a reader pauses after them."""
    return " ".join(s if s.rstrip()[-1:] in ".?!:" else s.rstrip() + "." for s in sentences if s.strip())


def test_the_catalogue_reads_sentences_by_key_with_their_values():
    from carescale.conversations.text import catalogue, languages

    assert languages() == {"en": "English"}
    easy, standard = catalogue("en", "easy"), catalogue("en", "standard")
    assert easy("spend_sentence", amount="£1.2m") == "We spend about £1.2m each year on this now."
    assert standard("spend_sentence", amount="£1.2m") == "The council spends about £1.2m a year on this now."
    assert standard("areas.5") == "Helping people get back on their feet after a stay in hospital or other health care."
    assert easy.items("goals")[0] == "Care should help you live a good life."
    assert set(standard.mapping("views")) == {"support", "oppose", "not-sure"}
    assert set(easy.mapping("types")) == {"uses-services", "carer", "staff", "provider", "partner", "other"}


def test_a_missing_value_or_key_is_one_line():
    from carescale.conversations.text import catalogue
    from carescale.errors import SettingsError

    t = catalogue("en", "standard")
    with pytest.raises(SettingsError) as e:
        t("spend_sentence")
    assert str(e.value) == "conversations/text/en.yaml: standard.spend_sentence: no value for amount"
    with pytest.raises(SettingsError) as e:
        t("no_such_sentence")
    assert str(e.value) == "conversations/text/en.yaml: standard.no_such_sentence: no such text"
    with pytest.raises(SettingsError) as e:
        catalogue("xx", "standard")
    assert str(e.value) == "language: 'xx' has no text; languages with text: en"
    with pytest.raises(SettingsError) as e:
        catalogue("en", "simple")
    assert str(e.value) == "register: 'simple' is not a register; valid registers are: standard, easy"


@pytest.mark.parametrize("name, message", [
    ("missing_key.yaml", "missing_key.yaml: easy.words.net.meaning: missing (English has it)"),
    ("wrong_placeholder.yaml", "wrong_placeholder.yaml: standard.spend_sentence: placeholders ['swm'] differ "
                               "from English's ['amount']"),
    ("no_easy_read.yaml", "no_easy_read.yaml: easy: missing; every language has both registers (standard, easy)"),
])
def test_a_translation_keeps_every_key_and_placeholder(name, message):
    from carescale.conversations.text import check_file
    from carescale.errors import SettingsError

    with pytest.raises(SettingsError) as e:
        check_file(FIXTURES / name)
    assert str(e.value) == message


def test_the_easy_read_text_reads_easily():
    """Flesch reading ease of the whole easy-read register (every sentence, heading and label)
    at least 70, and higher than the standard register's."""
    from carescale.conversations.text import catalogue

    easy = as_prose(_sentences(catalogue("en", "easy")._data))
    standard = as_prose(_sentences(catalogue("en", "standard")._data))
    assert textstat.flesch_reading_ease(easy) >= EASY_READ_MIN
    assert textstat.flesch_reading_ease(easy) > textstat.flesch_reading_ease(standard)
    # and each part a reader meets on its own: the goals, the areas, the money words, the questions
    for key in ("intro", "goals", "areas", "words", "questions", "promise"):
        part = as_prose(_sentences(catalogue("en", "easy").get(key)))
        assert textstat.flesch_reading_ease(part) >= EASY_READ_MIN, key
