"""Responses: checked, fingerprinted for the duplicate check, and read from a CSV file.

No outside service: a duplicate is the same proposal, stance, respondent type and comment (its
words, case and spacing ignored) in one conversation, refused by the database's unique
fingerprint; a public client (the web app passes its address) is kept only as a SHA-256 salted
with the conversation id, and may give :data:`~.model.PUBLIC_RESPONSES_PER_HOUR` responses an
hour. A comment is stored and shown exactly as written: never markup, never a formula (outputs
escape it: HTML by the templates, CSV and XLSX by :mod:`carescale.safe_text`, the terminal by
:func:`carescale.safe_text.visible`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from typing import Any

from ..errors import ConversationError
from ..safe_text import unguard
from .core import parse_input
from .model import MAX_COMMENT, MAX_THEME, ResponseIn

CSV_COLUMNS = ("proposal", "stance", "respondent", "comment")
#: The most responses one CSV file may hold.
MAX_IMPORT_ROWS = 10_000


def normalise_comment(text: str) -> str:
    """The comment's words, for the duplicate check: Unicode-folded, case-folded, punctuation and
    spacing ignored (``"Yes -- GREAT idea!"`` and ``"yes great idea"`` are the same)."""
    return " ".join(re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold()))


def fingerprint(r: ResponseIn) -> str | None:
    """SHA-256 of proposal, stance, respondent type and normalised comment; None for no comment
    (a stance without words is never a duplicate: the per-client limit covers those)."""
    words = normalise_comment(r.comment)
    if not words:
        return None
    return hashlib.sha256("\n".join((r.proposal, r.stance, r.respondent, words)).encode()).hexdigest()


def client_hash(conversation: str, client: str | None) -> str | None:
    """A public client's key (its address) as a SHA-256 salted with the conversation id."""
    if not client:
        return None
    return hashlib.sha256(f"carescale-conversation\n{conversation}\n{client}".encode()).hexdigest()


def check_response(data: Any, name: str = "response") -> ResponseIn:
    """A response validated (stance, respondent type, the comment's length and characters)."""
    if isinstance(data, dict) and isinstance(data.get("comment"), str):
        c = data["comment"]
        if len(c) > MAX_COMMENT:
            raise ConversationError(f"{name}: comment: {len(c):,} characters is too long; give at most {MAX_COMMENT:,} characters")
        if "\x00" in c:
            raise ConversationError(f"{name}: comment: contains a NUL character (\\x00); remove it")
    r = parse_input(ResponseIn, data, name)
    if len(r.comment) > MAX_COMMENT:
        raise ConversationError(f"{name}: comment: {len(r.comment):,} characters is too long; give at most {MAX_COMMENT:,} characters")
    if "\x00" in r.comment:
        raise ConversationError(f"{name}: comment: contains a NUL character (\\x00); remove it")
    return r


def check_theme(theme: Any) -> str:
    """A staff theme: 1 to 80 characters of one line, stored lower-case."""
    if not isinstance(theme, str) or not theme.strip():
        raise ConversationError("theme: is empty; give a short theme such as 'transport' or 'staffing'")
    t = re.sub(r"\s+", " ", theme.strip()).lower()
    if len(t) > MAX_THEME:
        raise ConversationError(f"theme: {len(t):,} characters is too long; give at most {MAX_THEME} characters")
    if any(unicodedata.category(ch) == "Cc" for ch in t):
        raise ConversationError("theme: contains a control character; give plain words")
    return t


def read_csv(text: str, name: str) -> list[ResponseIn]:
    """Responses from CSV text with the columns proposal, stance, respondent, comment (entered by
    staff); every row checked, the first bad one refused in one line naming its row. A comment
    carescale guarded when it wrote it (``'=...``, :func:`carescale.safe_text.sheet_value`) is read
    back as written."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""), strict=True)
    cols = tuple(c.strip() for c in (reader.fieldnames or ()))
    missing = [c for c in CSV_COLUMNS[:3] if c not in cols]
    unknown = [c for c in cols if c not in CSV_COLUMNS]
    if missing or unknown:
        raise ConversationError(
            f"{name}: columns: {'missing ' + ', '.join(missing) if missing else 'unknown ' + ', '.join(map(repr, unknown))}; "
            f"the columns are: {', '.join(CSV_COLUMNS)} (comment may be left out)")
    out = []
    try:
        rows = list(reader)
    except csv.Error as exc:
        why = "a quoted comment is not closed" if "end of data" in str(exc) else "a line break or quote outside double quotes"
        raise ConversationError(f"{name}: not valid CSV after line {reader.line_num}: {why}; put each comment with commas, "
                                "quotes or line breaks in double quotes, and double a quote inside one (\"\")") from None
    for n, row in enumerate(rows, start=2):
        if n - 1 > MAX_IMPORT_ROWS:
            raise ConversationError(f"{name}: more than {MAX_IMPORT_ROWS:,} responses; split the file")
        if None in row:
            raise ConversationError(f"{name}: row {n}: more cells than columns; put a comment with commas in double quotes")
        data = {k.strip(): (v or "") for k, v in row.items()}
        data = {k: (v.strip() if k != "comment" else unguard(v)) for k, v in data.items()}
        if not any(data.values()):
            continue
        out.append(check_response({**data, "channel": "staff"}, f"{name}: row {n}"))
    return out
