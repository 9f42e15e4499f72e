"""User text in reports: never a formula (XLSX), never markup (HTML, Markdown).

The spreadsheet guard is the project's one guard, :mod:`carescale.safe_text`; HTML is escaped
by Jinja2's autoescape (see :mod:`carescale.reports.html`); Markdown by :func:`md_text` below.
"""

from __future__ import annotations

import re
from typing import Any

from ..safe_text import xlsxwriter_cell


def sheet_text(worksheet: Any, row: int, col: int, value: Any, cell_format: Any = None) -> None:
    """Write text as a plain string cell (never a formula), through the shared guard."""
    xlsxwriter_cell(worksheet, row, col, "" if value is None else str(value), cell_format)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|>~<&!])")

# Anything a Markdown renderer may turn into a link by itself: a URI scheme (CommonMark autolinks
# take any scheme; GFM, markdown-it's linkify and others take http, https, ftp, mailto, xmpp ...),
# "www.", an e-mail address or a bare domain name. Such a word is written as a code span, which no
# renderer links and every renderer shows literally. The word stops at characters that are Markdown
# syntax (those are escaped outside the code span) so a code span never holds a backtick or a pipe.
_WORD = r"[^\s`|<>\[\]()\"'*_~\\]"
_LINKABLE = re.compile(
    rf"(?i)(?:\b[a-z][a-z0-9+.\-]{{1,31}}:{_WORD}+"  # scheme:anything (http://, mailto:, javascript:)
    rf"|\bwww\.{_WORD}+"  # GFM extended www autolink
    rf"|{_WORD}+@{_WORD}+\.{_WORD}+"  # e-mail addresses
    rf"|\b[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{{2,}}\b{_WORD}*)"  # bare domain names (linkify's fuzzy links)
)


def _escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_text(value: Any) -> str:
    """Text for Markdown, placed inside a line: every character that could start emphasis,
    code, a link, an image, a table cell, inline HTML or an entity mid-line is escaped with a
    backslash (``<script>`` renders as the literal text ``<script>``); anything a renderer could
    turn into a link by itself (``http://x``, ``www.x``, ``a@b.org``, ``nhs.uk``) is written
    as a code span, so it stays literal text; line breaks become spaces so the text cannot
    start a heading, list or quote."""
    s = re.sub(r"[\r\n\t]+", " ", "" if value is None else str(value))
    out: list[str] = []
    at = 0
    for m in _LINKABLE.finditer(s):
        out.append(_escape(s[at:m.start()]))
        out.append(f"`{m.group(0)}`")
        at = m.end()
    out.append(_escape(s[at:]))
    return "".join(out)
