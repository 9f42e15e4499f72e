"""ONS mid-year population estimates: table MYE2 (single year of age by local authority).

Reads the ``MYE2 - Persons`` sheet of the workbook ONS publishes (``.xls`` or ``.xlsx``, through
python-calamine), or that sheet exported as ``.csv`` (the mid-2024 copy in ``../shared/data/ons``;
a CSV has no title, so its period comes from the file name, ``mye24...`` -> mid-2024, or is given).
The header row (``Code``, ``Name``, ``Geography``, ``All ages``, ``0`` ...
``89``, ``90+``) is row 8 in ONS's layout; it is found by its contents, anywhere in the first 30
rows, so a re-saved copy with a row more or less still reads.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

from ..io.paths import display_path
from .cache import cached_parse
from ..errors import OfficialDataError
from ..io.spreadsheet import check_exists, clean_text, column_letter, iter_rows, to_number

DEFAULT_SHEET = "MYE2 - Persons"
AGE_COLUMNS = tuple(str(a) for a in range(90)) + ("90+",)
HEADER = ("code", "name", "geography", "all ages")


@dataclass(frozen=True)
class PopulationRow:
    code: str
    name: str
    geography: str
    all_ages: float
    ages: tuple[float, ...]  # single years 0..89, then 90+
    row: int  # the spreadsheet row number (1-based)

    def between(self, lo: int, hi: int | None = None) -> float:
        """People aged ``lo`` to ``hi`` inclusive (``hi=None``: ``lo`` and over, with 90+)."""
        stop = len(self.ages) if hi is None else hi + 1
        return float(sum(self.ages[lo:stop]))

    @property
    def aged_18_64(self) -> float:
        return self.between(18, 64)

    @property
    def aged_65_plus(self) -> float:
        return self.between(65)


@dataclass(frozen=True)
class PopulationTable:
    path: Path
    sheet: str
    title: str
    period: str | None  # "mid-2020"
    rows: dict[str, PopulationRow]

    @property
    def document(self) -> str:
        """The sources.yaml document the figures cite."""
        return "ons-mye-2020" if self.period == "mid-2020" else "ons-mye"

    def get(self, code: str) -> PopulationRow | None:
        return self.rows.get(code)


def read_mye(path: Path | str, sheet: str = DEFAULT_SHEET, period: str | None = None) -> PopulationTable:
    """Read an ONS MYE2 sheet into rows by GSS code (from the cache when this file's content
    was read before: :mod:`carescale.official.cache`). ``period`` ("mid-2024") overrides the
    one in the sheet's title (a CSV has none: its file name ``mye24...`` gives it)."""
    path = Path(path)
    check_exists(path, (".xls", ".xlsx", ".csv"), "the ONS mid-year estimates workbook (MYE2)")
    if path.suffix.lower() == ".csv":
        sheet = path.stem
        if period is None:
            m = re.search(r"mye(\d{2})", path.name.lower())
            period = f"mid-20{m.group(1)}" if m else None
    table = cached_parse(path, "mye", lambda: _parse_mye(path, None if path.suffix.lower() == ".csv" else sheet), sheet)
    if period is not None and table.period != period:
        table = dataclasses.replace(table, period=period)
    return table


def _parse_mye(path: Path, sheet: str | None) -> PopulationTable:
    name = display_path(path)
    where = f"sheet {sheet!r}" if sheet else "the CSV"
    title = ""
    header: list[str] | None = None
    header_row = 0
    cols: dict[str, int] = {}
    rows: dict[str, PopulationRow] = {}
    for i, raw in enumerate(iter_rows(path, sheet), start=1):
        cells = [clean_text(c) for c in raw]
        if header is None:
            if not title and cells and cells[0]:
                title = cells[0]
            if tuple(c.lower() for c in cells[:4]) == HEADER:
                header, header_row = cells, i
                cols = {c: j for j, c in enumerate(cells)}
                missing = [c for c in ("All ages", *AGE_COLUMNS) if c not in cols]
                if missing:
                    raise OfficialDataError(
                        f"{name}: {where}, header row {i}: no column for age "
                        f"{missing[0]!r}; an MYE2 sheet has columns All ages, 0 to 89 and 90+"
                    )
            elif i >= 30:
                break
            continue
        code = cells[0] if cells else ""
        if not code:
            continue
        values = []
        for col in ("All ages", *AGE_COLUMNS):
            j = cols[col]
            v = to_number(raw[j]) if j < len(raw) else None
            if v is None:
                raise OfficialDataError(
                    f"{name}: {where}, cell {column_letter(j + 1)}{i} ({code}, age "
                    f"{col}): {raw[j] if j < len(raw) else ''!r} is not a number"
                )
            values.append(v)
        if code in rows:
            raise OfficialDataError(
                f"{name}: {where}, row {i}: code {code} appears twice (rows {rows[code].row} and {i})"
            )
        rows[code] = PopulationRow(code, cells[1], cells[2], values[0], tuple(values[1:]), i)
    if header is None:
        raise OfficialDataError(
            f"{name}: {where}: no header row with Code, Name, Geography, All ages in the "
            f"first 30 rows; is this an ONS MYE2 sheet?"
        )
    if not rows:
        raise OfficialDataError(f"{name}: {where}: no data rows below the header (row {header_row})")
    m = re.search(r"mid-(\d{4})", title)
    return PopulationTable(path, sheet or path.stem, title if m else "", f"mid-{m.group(1)}" if m else None, rows)
