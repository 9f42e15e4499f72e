"""User text in reports: never a formula (XLSX), never markup (HTML, Markdown).

The spreadsheet guard is the project's one guard, :mod:`carescale.safe_text`; HTML is escaped
by Jinja2's autoescape (see :mod:`carescale.reports.html`); Markdown by :func:`md_text` below.
"""

from __future__ import annotations

import functools
import re
from typing import Any


@functools.lru_cache(maxsize=1)
def _guard() -> Any:
    try:
        from ..safe_text import xlsxwriter_cell
    except ImportError:  # until carescale.safe_text is in main
        return None
    return xlsxwriter_cell


def sheet_text(worksheet: Any, row: int, col: int, value: Any, cell_format: Any = None) -> None:
    """Write text as a plain string cell (never a formula), through the shared guard."""
    guard = _guard()
    if guard is not None:
        guard(worksheet, row, col, "" if value is None else str(value), cell_format)
    elif value is None or value == "":
        worksheet.write_blank(row, col, None, cell_format)
    else:
        worksheet.write_string(row, col, str(value), cell_format)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|>~<&])")


def md_text(value: Any) -> str:
    """Text for Markdown, placed inside a line: every character that could start emphasis,
    code, a link, a table cell, inline HTML or an entity mid-line is escaped with a backslash
    (``<script>`` renders as the literal text ``<script>``), and line breaks become spaces so
    the text cannot start a heading, list or quote."""
    s = re.sub(r"[\r\n\t]+", " ", "" if value is None else str(value))
    return _MD_SPECIAL.sub(r"\\\1", s)
