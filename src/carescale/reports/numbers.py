"""How the business-case documents write numbers (HTML, PDF and Markdown alike).

``money`` is the paper's style (£1.23m, £518k, £950), ``pounds`` whole pounds, ``people`` whole
people, ``figure`` an input in its unit (a proportion as a percentage). The Jinja filters of
:mod:`carescale.reports.html` and the Markdown writer use these, so the formats agree.
"""

from __future__ import annotations

from typing import Any


def money(x: Any) -> str:
    """Paper-style money: £1.23m, £518k, £950."""
    if x is None:
        return "n/a"
    x = float(x)
    a = abs(x)
    if a >= 1e6:
        s = f"£{a / 1e6:,.2f}m"
    elif a >= 1e3:
        s = f"£{a / 1e3:,.0f}k"
    else:
        s = f"£{a:,.0f}"
    return "-" + s if x < 0 and round(a) > 0 else s


def pounds(x: Any) -> str:
    return "n/a" if x is None else (f"-£{abs(float(x)):,.0f}" if float(x) < -0.5 else f"£{abs(float(x)):,.0f}")


def people(x: Any) -> str:
    return "N/A" if x is None else f"{float(x):,.0f}"


def figure(x: float, unit: str) -> str:
    if unit == "proportion":
        pct = 100 * x
        return f"{pct:.2f}%" if abs(pct) < 10 else f"{pct:.1f}%"
    if unit.startswith("GBP"):
        return f"£{x:,.2f}" if abs(x) < 10 and x != int(x) else f"£{x:,.0f}"
    return f"{x:,.10g}" if abs(x) < 1000 else f"{x:,.0f}"
