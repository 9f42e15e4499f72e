"""Jinja filters for figures as a reader expects them (whole pounds, whole people)."""

from __future__ import annotations

from functools import partial
from typing import Any

from .. import formatting
from ..formatting import money, number  # noqa: F401 - the filters money and number, as every output writes them

#: £7.46m / £878k / £950, as the paper's tables write them (thousands from £1,000; – for None)
short_money = partial(formatting.short_money, missing="–", thousands_from=1_000)
#: whole people, 3,429 (N/A for a model that does not count people)
people = formatting.people
#: a proportion as a percentage, 9% (digits=1: 9.0%)
percent = formatting.share
#: pounds and pence, £1,234.56 (the bridge: its rows add up to each subtotal to the penny)
pence = partial(formatting.money, pence=True)


def exact(x: Any) -> str:
    """A value to pre-fill an input with: every significant digit the evidence gives."""
    if x is None:
        return ""
    v = float(x)
    return f"{v:.0f}" if v.is_integer() else format(v, ".12g")


UNITS = {
    "proportion": "a share",
    "GBP_per_person_per_year": "£ per person a year",
    "GBP_per_person": "£ per person",
    "GBP_per_year": "£ a year",
    "GBP": "£",
    "count": "people",
    "people": "people",
}


def unit(u: Any) -> str:
    return UNITS.get(str(u), str(u).replace("_", " "))


def month(iso: Any) -> str:
    """'2026-11-01' as 'November 2026'."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(str(iso)).strftime("%B %Y")
    except ValueError:
        return str(iso)


def day(iso: Any) -> str:
    """'2026-12-06T13:40:00+00:00' as '6 December 2026'."""
    import datetime as dt

    try:
        d = dt.datetime.fromisoformat(str(iso))
    except ValueError:
        return str(iso)
    return f"{d.day} {d:%B %Y}"


def setting_value(x: Any) -> str:
    """A setting's value as a reader reads it: (not set), yes/no, whole numbers with separators."""
    if x is None:
        return "(not set)"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, (int, float)):
        return formatting.number(x)
    if isinstance(x, (list, tuple)):
        return ", ".join(str(v) for v in x)
    return str(x)


def headline_words(source: Any) -> str:
    """A bridge subtotal's headline without the command-line path it is read from."""
    import re

    return re.sub(r"\s*\('carescale [^)]*\)", "", str(source or ""))


def register(env: Any) -> None:
    from . import wording

    env.filters.update(label_words=wording.label_words, stated=wording.stated, status_words=wording.status_words,
                       plain_numbers=wording.plain_numbers, headline_words=headline_words, change=formatting.change, day=day, setting_value=setting_value, money=money, short_money=short_money, people=people, headcount=formatting.headcount, percent=percent, number=number,
                       exact=exact, unit=unit, month=month, pence=pence)
