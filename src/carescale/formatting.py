"""Numbers as people read and type them: money, people, shares (issue 20, "one of each").

Formatting (every output that shows a figure goes through these, so the CLI, the pages, the
reports and the workbook write a figure the same way)::

    money(1234567.4)        '£1,234,567'      whole pounds (pence=True: '£1,234,567.40')
    short_money(2_100_000)  '£2.10m'          the paper's tables: £1.23m, £520k, £8,000
    people(3428.6)          '3,429'           whole people
    share(0.09)             '9%'              a proportion as a percentage (digits=1: '9.0%')
    number(0.0180708)       '0.0180708'       a plain figure: whole from 1,000 up, else 6 digits
    figure(x, unit)         by the figure's unit (people, pounds, anything else)
    stated(0.045, "proportion")  '4.50%'     an input as the business-case documents state it

Parsing (every place a person types a number reads it the same way)::

    parse_number("9%", "share") == parse_number("0.09", "share") == 0.09
    parse_number("£2m", "money") == parse_number("2,000,000", "money") == parse_number("2 000 000", "money")

A text that is not a number of the unit is one :class:`~carescale.errors.SettingsError` line
naming the field, the text and what is valid. Only the standard library is imported here.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

from .errors import SettingsError

#: what a missing figure is shown as, unless the caller says otherwise
DASH = "–"


# -- formatting -------------------------------------------------------------------------------------


def money(x: Any, pence: bool = False, missing: str = DASH) -> str:
    """Whole pounds, ``£1,234,567``; a negative figure as ``-£1,234``; ``pence=True`` keeps
    pence (``£1,234.50``). ``missing`` is shown for None."""
    if x is None:
        return missing
    if pence:
        v = round(float(x), 2) + 0.0  # + 0.0: -0.0 (a few negative tenths of a penny) is £0.00
        return f"-£{-v:,.2f}" if v < 0 else f"£{v:,.2f}"
    w = round(float(x))
    return f"-£{-w:,}" if w < 0 else f"£{w:,}"


def change(x: Any, unit: str = "money", missing: str = DASH) -> str:
    """A difference between two results, signed: ``+£670,161``, ``-£498,760``, ``+1,000``
    (people, ``unit="people"``); nothing changed is ``no change`` (under half a pound or half a
    person)."""
    if x is None:
        return missing
    v = float(x)
    if abs(v) < 0.5:
        return "no change"
    text = people(abs(v)) if unit == "people" else money(abs(v))
    return ("+" if v > 0 else "-") + text


def short_money(x: Any, missing: str = "", thousands_from: float = 10_000) -> str:
    """Pounds the way the paper's tables print them: ``£1.23m``, ``£520k``, ``£8,000``.

    Millions with two decimals from £1m; whole thousands (``k``) from ``thousands_from``
    (£10,000; the web's tables and the reports use 1,000); whole pounds below. The step up to
    millions is taken on the figure as shown, so £999,600 is ``£1.00m`` (not ``£1000k``). A negative figure is ``-£520k``; a figure that
    rounds to nothing is ``£0`` (never ``-£0``). ``missing`` is shown for None."""
    if x is None:
        return missing
    v = float(x)
    a = abs(v)
    if a >= 1_000_000 or round(a / 1e3) >= 1000:
        s = f"£{a / 1e6:,.2f}m"
    elif a >= thousands_from:
        s = f"£{a / 1e3:,.0f}k"
    else:
        s = f"£{a:,.0f}"
    return "-" + s if v < 0 and s != "£0" else s


def people(x: Any, missing: str = "N/A") -> str:
    """Whole people, ``3,429``; ``missing`` (N/A) for a model that does not count people. A
    figure that rounds to nothing is ``0`` (never ``-0``)."""
    if x is None:
        return missing
    v = float(x)
    return f"{round(v):,}" if math.isfinite(v) else f"{v:,.0f}"


def counted(x: Any, one: str, many: str) -> str:
    """A count in whole units with the noun that agrees: ``counted(1, "figure", "figures") ==
    "1 figure"``, ``counted(24, ...) == "24 figures"``; the count is rounded as :func:`people`
    writes it, so the noun agrees with what is read (0.6 is ``1``)."""
    n = people(x)
    return f"{n} {one if n == '1' else many}"


def headcount(x: Any) -> str:
    """Whole people with the noun that agrees: ``1 person``, ``0 people``, ``3,429 people``."""
    return counted(x, "person", "people")


def share(x: Any, digits: int = 0, missing: str = DASH) -> str:
    """A proportion as a percentage: ``share(0.09) == '9%'``, ``share(0.0912, 1) == '9.1%'``."""
    if x is None:
        return missing
    return f"{100 * float(x):.{digits}f}%"


def number(x: Any, missing: str = "") -> str:
    """A plain figure: whole (with thousands separators) from 1,000 up or when it is whole, else
    six significant digits (``0.0180708``)."""
    if x is None:
        return missing
    v = float(x)
    return f"{v:,.0f}" if v.is_integer() or abs(v) >= 1000 else f"{v:,.6g}"


def figure(x: Any, unit: str) -> str:
    """A figure for a table, by unit: whole people (3,429), whole pounds (£1,180,999) from
    £1,000 up (pence below), anything else as given (0.0180708). Empty for None."""
    if x is None or x == "":
        return ""
    if unit in ("people", "people_per_year", "count"):
        return f"{x:,.0f}"
    if unit.startswith("GBP"):
        return f"£{x:,.0f}" if abs(x) >= 1000 or float(x).is_integer() else f"£{x:,.2f}"
    return f"{x:,.6g}"


def stated(x: float, unit: str) -> str:
    """An input figure as the business-case documents state it: a proportion as a percentage
    (``4.50%`` under 10%, ``12.5%`` from 10%), pounds with pence under £10 (``£7.25``) and whole
    above (``£1,234``), anything else with up to ten significant digits under 1,000 (``8.5``)
    and whole from 1,000 (``12,000``)."""
    if unit == "proportion":
        pct = 100 * x
        return f"{pct:.2f}%" if abs(pct) < 10 else f"{pct:.1f}%"
    if unit.startswith("GBP"):
        return f"£{x:,.2f}" if abs(x) < 10 and x != int(x) else f"£{x:,.0f}"
    return f"{x:,.10g}" if abs(x) < 1000 else f"{x:,.0f}"


# -- parsing --------------------------------------------------------------------------------------

#: the kinds of number a person types, and the units (schema units included) that are each kind
KINDS: dict[str, tuple[str, ...]] = {
    "share": ("share", "proportion", "percent", "rate"),
    "money": ("money", "GBP"),  # and every unit starting GBP
    "people": ("people", "people_per_year", "count"),
    "number": ("number",),
}

_EXAMPLES = {
    "share": "a share such as 9% or 0.09",
    "money": "an amount such as £2m, £250k, 2,000,000 or 2000000",
    "people": "a number of people such as 2,000 or 2000",
    "number": "a number such as 2,000, 0.5 or 2m",
}

_SCALES = {"k": 1e3, "m": 1e6, "bn": 1e9}
# digits with an optional thousands separator (',' or a space) between groups of three, or
# plain digits, then an optional decimal part and exponent
_PLAIN = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_GROUPED = r"\d{1,3}(?:(?P<sep>[, ])\d{3})(?:(?P=sep)\d{3})*(?:\.\d+)?"
_NUMBER = rf"(?P<sign>[-+]?)(?P<pound>£?)(?P<digits>{_GROUPED}|{_PLAIN})\s*(?P<scale>k|m|bn)?\s*(?P<pct>%?)"


@functools.lru_cache(maxsize=1)
def _number_pattern() -> re.Pattern[str]:
    """The typed-number pattern, compiled on first use (not at start-up)."""
    return re.compile(_NUMBER, re.IGNORECASE)
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2212": "-"})


def kind_of(unit: str) -> str:
    """``share``, ``money``, ``people`` or ``number`` for a unit name (schema units included)."""
    if unit.startswith("GBP"):
        return "money"
    for kind, names in KINDS.items():
        if unit in names:
            return kind
    raise SettingsError(f"unit: {unit!r} is not a unit of a typed number; valid units are: "
                        + ", ".join(n for names in KINDS.values() for n in names) + " and GBP_...")


def typed_kind(text: str) -> str:
    """The kind a typed text says it is, for a field whose unit is not known: ``share`` when it
    ends in ``%`` (12.5% is 0.125), ``money`` when it has a ``£``, else ``number``."""
    t = str(text).strip()
    return "share" if t.endswith("%") else "money" if "£" in t else "number"


def parse_number(text: Any, unit: str = "number", name: str = "value") -> float:
    """The number a person typed, read the same way everywhere.

    ``unit`` says what the figure is (see :func:`kind_of`): a *share* reads ``9%`` and ``0.09``
    alike; *money* reads ``£2m``, ``£2.5k``, ``2,000,000`` and ``2 000 000`` alike; *people* and
    plain *numbers* read thousands separators and ``k``/``m``/``bn``. A number (int or float)
    is taken as it is. Anything else (empty text, ``2,00``, ``£`` on a share, ``%`` on money,
    infinity or NaN, a boolean) is one SettingsError line: ``name: 'text' is not ...; write
    ...``."""
    kind = kind_of(unit)
    if isinstance(text, bool):
        raise SettingsError(f"{name}: {text!r} is a true/false value, not a number; write {_EXAMPLES[kind]}")
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        value = _parse_text(str(text), kind, name)
    if not math.isfinite(value):
        raise SettingsError(f"{name}: {text!r} is not a finite number; write {_EXAMPLES[kind]}")
    return value


def _parse_text(text: str, kind: str, name: str) -> float:
    s = text.translate(_SPACES).strip()
    shown = text if len(text) <= 40 else text[:37] + "..."
    bad = f"{name}: {shown!r} is not {_EXAMPLES[kind].split(' such as ')[0]}; write {_EXAMPLES[kind]}"
    if not s:
        raise SettingsError(f"{name}: nothing was given; write {_EXAMPLES[kind]}")
    m = _number_pattern().fullmatch(s)
    if m is None:
        raise SettingsError(bad)
    if m["pound"] and kind != "money":
        raise SettingsError(f"{name}: {shown!r} is in pounds, but this figure is {_EXAMPLES[kind].split(' such as ')[0]}; "
                            f"write {_EXAMPLES[kind]}")
    if m["pct"] and kind != "share":
        raise SettingsError(f"{name}: {shown!r} is a percentage, but this figure is "
                            f"{_EXAMPLES[kind].split(' such as ')[0]}; write {_EXAMPLES[kind]}")
    if m["scale"] and kind == "share":
        raise SettingsError(bad)
    digits = m["digits"].replace(",", "").replace(" ", "")
    value = float(digits)
    if m["scale"]:
        value *= _SCALES[m["scale"].lower()]
    if m["pct"]:
        value /= 100
    return -value if m["sign"] == "-" else value
