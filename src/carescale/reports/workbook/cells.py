"""Cell references, defined names and sheet names (no xlsxwriter needed)."""

from __future__ import annotations

import re

MONEY = "£#,##0;-£#,##0"
MONEY2 = "£#,##0.00;-£#,##0.00"
EPS = "1E-9"


def _col(c: int) -> str:
    s = ""
    c += 1
    while c:
        c, r = divmod(c - 1, 26)
        s = chr(65 + r) + s
    return s


def cell(r: int, c: int, absolute: bool = True) -> str:
    return f"${_col(c)}${r + 1}" if absolute else f"{_col(c)}{r + 1}"


def col_range(c: int, r0: int, r1: int) -> str:
    return f"${_col(c)}${r0 + 1}:${_col(c)}${r1 + 1}"


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def defined_name(prefix: str, path: str) -> str:
    """An Excel name for ``path``: ``prefix_`` then the path with anything but letters, digits,
    ``_`` and ``.`` turned into ``_`` (``in_living_well.older_people_multiple_ltc.unit_cost``)."""
    return prefix + "_" + re.sub(r"[^A-Za-z0-9_.]", "_", path)


def model_id(iid: str) -> str:
    """A model id as it appears in defined names (``m_living_well.npv``)."""
    return re.sub(r"[^A-Za-z0-9_]", "_", iid)


def sheet_name(text: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\']", " ", text).strip()[:31].strip() or "Sheet"
    name, i = base, 2
    while name.lower() in used:
        suffix = f" ({i})"
        name, i = base[: 31 - len(suffix)] + suffix, i + 1
    used.add(name.lower())
    return name


def _plain_formula(formula: str, expand_future_functions: bool = False) -> str:
    return formula[1:] if formula.startswith("=") else formula
