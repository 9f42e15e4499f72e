"""The figure check: every *published* number must be one of the numbers written in the verbatim
quote it cites, so a typo in a figure (1182 for "£1,181") is caught.

The quote is read the way a person reads it: ``£``, thousands commas, ``%``/``per cent`` (27% is
0.27), ``k``/``m``/``bn``/``million``/``billion`` (£1.2m is 1,200,000) and number words ("two",
"ninety-eight per cent", "two thirds", "half"). Numbers that are legitimately not in a quote must
say so: status ``implied`` (with the arithmetic in ``derivation``) or ``assumption``. These are
skipped. See docs/evidence.md.

The library runs it on every case study it loads (:func:`check_case_study`);
:mod:`carescale.evidence` re-exports these names.
"""

from __future__ import annotations

import math
import re
from typing import Any, Collection

from ..errors import InputFileError
from ..schema.case_study import CaseStudy
from ..schema.walk import iter_quantities
from .core import Library

_UNITS_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
_TENS_WORDS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
_FRACTIONS = {
    "half": 1 / 2, "a third": 1 / 3, "one third": 1 / 3, "two thirds": 2 / 3,
    "a quarter": 1 / 4, "one quarter": 1 / 4, "three quarters": 3 / 4,
}
_SCALE = {
    "%": 0.01, "per cent": 0.01, "percent": 0.01, "per-cent": 0.01,
    "k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9,
}
_SUFFIX = r"(?P<suffix>%|\s?per[ -]?cent\b|\s?percent\b|k\b|m\b|bn\b|\s(?:thousand|million|billion)\b)?"
_NUMBER = re.compile(
    r"(?<![\d.,])(?P<int>\d{1,3}(?:,\d{3})+(?![\d,])|\d+)(?:\.(?P<frac>\d+))?" + _SUFFIX,
    re.IGNORECASE,
)
_WORD = re.compile(
    r"\b(?P<word>(?:" + "|".join(_TENS_WORDS) + r")(?:[- ](?:" + "|".join(k for k in _UNITS_WORDS if _UNITS_WORDS[k] < 10 and k != "zero") + r"))?"
    r"|" + "|".join(_UNITS_WORDS) + r")\b" + _SUFFIX,
    re.IGNORECASE,
)


def _scale(suffix: str | None) -> float:
    if not suffix:
        return 1.0
    return _SCALE[re.sub(r"\s+", " ", suffix.strip().lower())]


def numbers_in(text: str) -> list[float]:
    """Every number written in ``text``, as a reader would take it (see the module docstring).

    >>> numbers_in("£1,181 gross benefits; 27% reduction; £1.2m; two thirds; Ninety-eight per cent")
    [1181.0, 0.27, 1200000.0, 2.0, 0.98, 0.6666666666666666]
    """
    out: list[float] = []
    matches = list(_NUMBER.finditer(text))
    for i, m in enumerate(matches):
        whole = m.group("int").replace(",", "")
        value = float(f"{whole}.{m.group('frac')}" if m.group("frac") else whole)
        out.append(value * _scale(m.group("suffix")))
        # a range shares its unit: "1 to 2%" is 1% to 2%, "£3-4m" is £3m to £4m
        nxt = matches[i + 1] if i + 1 < len(matches) else None
        if (
            not m.group("suffix")
            and nxt is not None
            and nxt.group("suffix")
            and re.fullmatch(r"\s*(?:to|-|–|and)\s*£?", text[m.end() : nxt.start()])
        ):
            out.append(value * _scale(nxt.group("suffix")))
    for m in _WORD.finditer(text):
        parts = re.split(r"[- ]", m.group("word").lower())
        value = float(sum(_TENS_WORDS.get(p, 0) + _UNITS_WORDS.get(p, 0) for p in parts))
        out.append(value * _scale(m.group("suffix")))
    low = text.lower()
    # nothing: "no additional staffing costs" is 0; sharing: "split equally between" two is 0.5
    if re.search(r"\b(?:no|none|nil)\b", low):
        out.append(0.0)
    if re.search(r"\bsplit equally between\b", low):
        out.append(0.5)
    for phrase, value in _FRACTIONS.items():
        if re.search(r"\b" + phrase + r"\b", low):
            out.append(value)
    return out


def figure_in_quote(value: float, quote: str, unit: str | None = None) -> bool:
    """Whether ``value`` is one of the numbers written in ``quote``. A figure in ``months`` may
    be written in years in the quote ("up to two years" is 24 months)."""
    found = numbers_in(quote)
    if unit == "months":
        found += [n * 12 for n in found]
    return any(math.isclose(value, n, rel_tol=1e-12, abs_tol=1e-12) for n in found)


def figure_problems(obj: Any, name: str, text_documents: Collection[str] | None = None) -> list[str]:
    """One line per published figure in ``obj`` that is not written in its own quote.

    Skipped: figures whose status is not ``published`` (``implied``, ``assumption``, ...: they
    are not in a quote by definition and carry their arithmetic in ``derivation``), and, when
    ``text_documents`` is given, figures citing any other document (statistical tables, whose
    quote names a row such as 'All ages' rather than repeating the figure)."""
    problems = []
    for loc, q in iter_quantities(obj):
        if q.status != "published":
            continue
        if text_documents is not None and q.ref.document not in text_documents:
            continue
        if not figure_in_quote(q.value, q.ref.quote, q.unit):
            found = ", ".join(f"{n:,.10g}" for n in numbers_in(q.ref.quote)) or "none"
            problems.append(
                f"{name}: {loc}.value: {q.value:,.10g} is not a number written in its quote "
                f"{q.ref.quote!r} (numbers there: {found}); fix the figure, or give it status "
                f"'implied' with a derivation"
            )
    return problems


def check_case_study(library: Library, cs: CaseStudy, name: str) -> CaseStudy:
    """Check a case study against the library: every model it is evidence for exists, every
    reference names a known document, and every published figure is written in its quote.
    Raises :class:`~carescale.errors.InputFileError` with one line naming file and field."""
    for i, mid in enumerate(cs.models):
        if mid not in library.interventions:
            raise InputFileError(
                f"{name}: models[{i}]: unknown model {mid!r}; valid model ids are: "
                f"{', '.join(sorted(library.interventions))}"
            )
    library.check_refs(cs, name)
    docs = library.sources.documents
    text_docs = {d for d, doc in docs.items() if doc.seed}
    problems = figure_problems(cs, name, text_docs)
    if problems:
        raise InputFileError(problems[0])
    return cs
