"""Jinja filters for figures as a reader expects them (whole pounds, whole people)."""

from __future__ import annotations

from typing import Any


def money(x: Any) -> str:
    """£1,234,567 (whole pounds); a negative figure as -£1,234."""
    if x is None:
        return "–"
    v = round(float(x))
    return f"-£{-v:,}" if v < 0 else f"£{v:,}"


def short_money(x: Any) -> str:
    """£7.46m / £878k / £950, as the paper's tables write them."""
    if x is None:
        return "–"
    v = float(x)
    sign, a = ("-" if v < 0 else ""), abs(v)
    if a >= 1e6:
        return f"{sign}£{a / 1e6:.2f}m"
    if a >= 1e3:
        return f"{sign}£{a / 1e3:.0f}k"
    return f"{sign}£{a:.0f}"


def people(x: Any) -> str:
    if x is None:
        return "N/A"
    return f"{round(float(x)):,}"


def percent(x: Any, digits: int = 0) -> str:
    if x is None:
        return "–"
    return f"{100 * float(x):.{digits}f}%"


def number(x: Any) -> str:
    if x is None:
        return ""
    v = float(x)
    return f"{v:,.0f}" if v.is_integer() or abs(v) >= 1000 else f"{v:,.6g}"


def exact(x: Any) -> str:
    """A value to pre-fill an input with: every significant digit the evidence gives."""
    if x is None:
        return ""
    v = float(x)
    return f"{v:.0f}" if v.is_integer() else format(v, ".12g")


UNITS = {
    "proportion": "share (0 to 1)",
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


def register(env: Any) -> None:
    env.filters.update(money=money, short_money=short_money, people=people, percent=percent, number=number,
                       exact=exact, unit=unit, month=month)
