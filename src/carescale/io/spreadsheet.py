"""Reading a sheet of a spreadsheet as rows of plain values: ``.xls``, ``.xlsx`` and ``.ods`` through
python-calamine (a Rust reader, several times faster than xlrd or openpyxl; cached values of
formulas, never the formulas), or ``.csv``. Official files only; nothing is ever written back.
Blank cells read as ``""`` in ``.xls`` and as None in ``.xlsx``, as xlrd and openpyxl gave them."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, Iterator

from .paths import display_path
from ..errors import OfficialDataError

KINDS = {
    ".xls": "an Excel 97-2003 .xls workbook",
    ".xlsx": "an Excel .xlsx workbook",
    ".ods": "an OpenDocument .ods spreadsheet",
}


def __getattr__(name: str) -> Any:
    """``BROKEN_XLSX``: what openpyxl raises while reading a damaged .xlsx (cut-short XML, corrupt
    compression; a damaged zip header can ask ``zipfile`` for a method or flag it does not
    implement, and damaged parts leave openpyxl indexing past what it read). Made on first use:
    ``zipfile`` and ``xml.etree`` are not loaded by the modules that only need this module's
    small helpers (the official figures ``carescale run`` unpickles, issue 25)."""
    if name != "BROKEN_XLSX":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import zipfile
    import zlib
    from xml.etree import ElementTree

    broken: tuple[type[BaseException], ...] = (
        ElementTree.ParseError, zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, TypeError,
        NotImplementedError, IndexError,
    )
    globals()["BROKEN_XLSX"] = broken
    return broken


def _open_fail(path: Path, what: str, exc: Exception) -> OfficialDataError:
    return OfficialDataError(f"{display_path(path)}: cannot be read as {what} ({exc})")


def _open_book(path: Path):
    from python_calamine import CalamineWorkbook  # deferred: a compiled extension

    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several kinds (CalamineError, ZipError, XmlError, ...)
        raise _open_fail(path, KINDS.get(path.suffix.lower(), "a workbook"), exc) from None


def sheet_names(path: Path) -> list[str]:
    if path.suffix.lower() not in KINDS:
        return []
    book = _open_book(path)
    try:
        return list(book.sheet_names)
    finally:
        book.close()


def check_exists(path: Path, suffixes: tuple[str, ...], what: str) -> None:
    name = display_path(path)
    if not path.exists():
        raise OfficialDataError(f"{name}: file not found; give the path to {what}")
    if path.is_dir():
        raise OfficialDataError(f"{name}: is a folder; give the path to {what}")
    if path.suffix.lower() not in suffixes:
        raise OfficialDataError(
            f"{name}: expected {what} ending in {' or '.join(suffixes)}, not {path.suffix or 'no extension'!r}"
        )


def iter_rows(path: Path, sheet: str | None) -> Iterator[list[Any]]:
    """Rows of ``sheet`` (the first sheet if None) as lists of cell values, from cell A1 (so
    row and column numbers in messages are the spreadsheet's)."""
    suffix = path.suffix.lower()
    name = display_path(path)
    if suffix == ".csv":
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:  # a CSV saved by Excel on Windows
            text = raw.decode("cp1252", errors="replace")
        try:
            yield from csv.reader(io.StringIO(text, newline=""))
        except csv.Error as exc:
            raise OfficialDataError(f"{name}: not a valid CSV file ({exc})") from None
        return
    book = _open_book(path)
    try:
        names = list(book.sheet_names)
        target = sheet or names[0]
        if target not in names:
            raise OfficialDataError(f"{name}: no sheet {target!r}; the sheets are: {', '.join(names)}")
        try:
            rows = book.get_sheet_by_name(target).to_python(skip_empty_area=False)
        except Exception as exc:
            raise _open_fail(path, KINDS[suffix], exc) from None
    finally:
        book.close()
    blank = None if suffix == ".xlsx" else ""
    for row in rows:
        yield [blank if c == "" else c for c in row] if blank is None else row


def column_letter(n: int) -> str:
    """Spreadsheet column name of the 1-based column ``n``: 1 -> A, 27 -> AA (as Excel shows it)."""
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def to_number(value: Any) -> float | None:
    """A cell as a number: ints and floats, and text that is a number (Excel sometimes stores
    ``2.5999999999999999E-2`` as text). None for blanks and markers such as ``[c]``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        s = value.strip().replace(",", "")
        if not s:
            return None
        try:
            return float(s)
        except ValueError:
            return None
    return None


def clean_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\xa0", " ").strip()
