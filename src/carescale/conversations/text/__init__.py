"""Every sentence of the conversation pack, the public response form and the public plan, in one
place so it can be translated (issue 28; docs/conversations.md, "The text in one place").

One YAML file a language beside this module (``en.yaml``; a translation is ``<code>.yaml`` with
the same keys and the same ``{placeholders}``), each with two registers that share their keys:
``standard`` (plain English) and ``easy`` (easy read). A page asks for one register of one
language and reads sentences by key::

    from carescale.conversations.text import catalogue
    t = catalogue("en", "easy")
    t("spend_sentence", amount="£1.2m")     # 'We spend about £1.2m each year on this now.'
    t.items("goals")                        # a list of sentences
    t.get("words")                          # a mapping, as written

A missing key, a placeholder with no value, a language or register not there, or a translation
whose keys or placeholders differ from English's is one line naming it
(:class:`~carescale.errors.SettingsError`). Values put into sentences are plain text: pages and
PDFs escape them (user text never becomes markup).
"""

from __future__ import annotations

import functools
import re
import string
from pathlib import Path
from typing import Any

from ...errors import SettingsError

HERE = Path(__file__).parent
REGISTERS = ("standard", "easy")
SOURCE = "en"  # the language every translation is checked against
_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


def languages() -> dict[str, str]:
    """Every language there is a file for: code -> its own name ("English")."""
    return {code: str(_raw(code).get("name", code)) for code in sorted(p.stem for p in HERE.glob("*.yaml"))}


@functools.lru_cache(maxsize=None)
def _raw(code: str) -> dict[str, Any]:
    from ...io.yaml import read_yaml

    if not _CODE.match(code) or not (HERE / f"{code}.yaml").is_file():
        known = ", ".join(sorted(p.stem for p in HERE.glob("*.yaml")))
        raise SettingsError(f"language: {code!r} has no text; languages with text: {known}")
    data = read_yaml(HERE / f"{code}.yaml")
    if not isinstance(data, dict):
        raise SettingsError(f"conversations/text/{code}.yaml: the file must be a mapping with 'standard' and 'easy'")
    return data


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _leaves(value: Any, where: str = "") -> dict[str, set[str]]:
    """Every sentence (or list of sentences) under ``value`` by its dotted key, with its placeholders."""
    out: dict[str, set[str]] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(_leaves(v, f"{where}.{k}" if where else str(k)))
    elif isinstance(value, list):  # a list of sentences: as many as the language needs (easy read: more, shorter)
        out[where] = set().union(*(_placeholders(str(v)) for v in value)) if value else set()
    else:
        out[where] = _placeholders(str(value))
    return out


def check(code: str) -> None:
    """A language's file against English: the same registers, keys and placeholders (else one line)."""
    check_data(_raw(code), f"conversations/text/{code}.yaml", english=code == SOURCE)


def check_file(path: Path | str) -> dict[str, Any]:
    """A translation someone wrote (``carescale/conversations/text/<code>.yaml`` to be), checked
    as :func:`check` checks the packaged ones; its data."""
    from ...io.yaml import read_yaml

    data = read_yaml(Path(path))
    check_data(data, Path(path).name)
    return data


def check_data(data: Any, where: str, english: bool = False) -> None:
    source = _raw(SOURCE)
    if not isinstance(data, dict):
        raise SettingsError(f"{where}: the file must be a mapping with 'standard' and 'easy'")
    for register in REGISTERS:
        if not isinstance(data.get(register), dict):
            raise SettingsError(f"{where}: {register}: missing; every language has both registers "
                                f"({', '.join(REGISTERS)})")
    for register in REGISTERS:
        mine = _leaves(data[register], register)
        if english:  # English itself: the two registers say the same things
            other = "easy" if register == "standard" else "standard"
            theirs = {register + k[len(other):]: v for k, v in _leaves(source[other], other).items()}
        else:
            theirs = _leaves(source[register], register)
        for key in sorted(set(theirs) - set(mine)):
            raise SettingsError(f"{where}: {key}: missing (English has it)")
        for key in sorted(set(mine) - set(theirs)):
            raise SettingsError(f"{where}: {key}: not a key English has")
        for key in sorted(mine):
            if mine[key] != theirs[key]:
                raise SettingsError(f"{where}: {key}: placeholders {sorted(mine[key])} differ from "
                                    f"English's {sorted(theirs[key])}")


class Text:
    """One register of one language: sentences by key."""

    def __init__(self, code: str, register: str, data: dict[str, Any]) -> None:
        self.language = code
        self.register = register
        self.easy = register == "easy"
        self._data = data

    def get(self, key: str) -> Any:
        """The value at a dotted key (``words.cost.term``; a number key as written: ``areas.1``)."""
        value: Any = self._data
        for part in key.split("."):
            if isinstance(value, dict):
                value = value[part] if part in value else value.get(int(part)) if part.isdigit() else None
            else:
                value = None
            if value is None:
                raise SettingsError(f"conversations/text/{self.language}.yaml: {self.register}.{key}: no such text")
        return value

    def __call__(self, key: str, **values: Any) -> str:
        text = self.get(key)
        if not isinstance(text, str):
            raise SettingsError(f"conversations/text/{self.language}.yaml: {self.register}.{key}: not one sentence")
        missing = _placeholders(text) - set(values)
        if missing:
            raise SettingsError(f"conversations/text/{self.language}.yaml: {self.register}.{key}: no value for "
                                f"{', '.join(sorted(missing))}")
        return text.format_map(values) if values or "{" in text else text

    def items(self, key: str) -> list[str]:
        value = self.get(key)
        return [str(v) for v in value] if isinstance(value, list) else [str(v) for v in value.values()]

    def mapping(self, key: str) -> dict[str, Any]:
        value = self.get(key)
        return {str(k): v for k, v in value.items()}


@functools.lru_cache(maxsize=None)
def catalogue(code: str = SOURCE, register: str = "standard") -> Text:
    """One register (``standard`` or ``easy``) of one language, checked against English."""
    if register not in REGISTERS:
        raise SettingsError(f"register: {register!r} is not a register; valid registers are: {', '.join(REGISTERS)}")
    check(code)
    return Text(code, register, _raw(code)[register])


__all__ = ["REGISTERS", "Text", "catalogue", "check", "check_data", "check_file", "languages"]
