"""Reading a sheet of a spreadsheet as rows of plain values: ``.xls`` (xlrd), ``.xlsx``
(openpyxl, read-only) or ``.csv``. Official files only; nothing is ever written back."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any, Iterator

from ..library import display_path
from .errors import OfficialDataError


def _open_fail(path: Path, what: str, exc: Exception) -> OfficialDataError:
    return OfficialDataError(f"{display_path(path)}: cannot be read as {what} ({exc})")


def sheet_names(path: Path) -> list[str]:
    suffix = path.suffix.lower()
    if suffix == ".xls":
        import xlrd

        try:
            return xlrd.open_workbook(str(path), on_demand=True).sheet_names()
        except Exception as exc:  # xlrd raises several kinds for a bad file
            raise _open_fail(path, "an Excel 97-2003 .xls workbook", exc) from None
    if suffix == ".xlsx":
        wb = _open_xlsx(path)
        try:
            return list(wb.sheetnames)
        finally:
            wb.close()
    return []


def _open_xlsx(path: Path):
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise _open_fail(path, "an Excel .xlsx workbook", exc) from None


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
    """Rows of ``sheet`` (the first sheet if None) as lists of cell values."""
    suffix = path.suffix.lower()
    name = display_path(path)
    if suffix == ".csv":
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:  # a CSV saved by Excel on Windows
            text = raw.decode("cp1252", errors="replace")
        yield from csv.reader(io.StringIO(text, newline=""))
        return
    if suffix == ".xls":
        import xlrd

        try:
            book = xlrd.open_workbook(str(path), on_demand=True)
        except Exception as exc:
            raise _open_fail(path, "an Excel 97-2003 .xls workbook", exc) from None
        names = book.sheet_names()
        target = sheet or names[0]
        if target not in names:
            raise OfficialDataError(
                f"{name}: no sheet {target!r}; the sheets are: {', '.join(names)}"
            )
        sh = book.sheet_by_name(target)
        for r in range(sh.nrows):
            yield sh.row_values(r)
        book.release_resources()
        return
    wb = _open_xlsx(path)
    try:
        names = list(wb.sheetnames)
        target = sheet or names[0]
        if target not in names:
            raise OfficialDataError(
                f"{name}: no sheet {target!r}; the sheets are: {', '.join(names)}"
            )
        for row in wb[target].iter_rows(values_only=True):
            yield list(row)
    finally:
        wb.close()


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
