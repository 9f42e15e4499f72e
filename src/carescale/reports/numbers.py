"""How the business-case documents write numbers (HTML, PDF and Markdown alike).

All are :mod:`carescale.formatting` with the documents' choices. ``money`` is the paper's style (£1.23m, £518k, £950), ``pounds`` whole pounds, ``people`` whole
people, ``figure`` an input in its unit (a proportion as a percentage). The Jinja filters of
:mod:`carescale.reports.html` and the Markdown writer use these, so the formats agree.
"""

from __future__ import annotations

from typing import Any

from .. import formatting
from ..formatting import stated as figure  # noqa: F401 - an input in its unit (a proportion as a percentage)
from ..formatting import headcount  # noqa: F401 - whole people with the noun that agrees (1 person, 2 people)


def money(x: Any) -> str:
    """Paper-style money: £1.23m, £518k, £950 (carescale.formatting.short_money; n/a for None)."""
    return formatting.short_money(x, missing="n/a", thousands_from=1_000)


def pounds(x: Any) -> str:
    """Whole pounds, £1,234 / -£1,234 (carescale.formatting.money; n/a for None)."""
    return formatting.money(x, missing="n/a")


def people(x: Any) -> str:
    """Whole people, 3,429 (carescale.formatting.people; N/A for None)."""
    return formatting.people(x)


def pence(x: Any) -> str:
    """Pounds and pence, £1,234.56 / -£1,234.56 (the bridge, whose rows add up to each subtotal)."""
    return formatting.money(x, pence=True, missing="n/a")
