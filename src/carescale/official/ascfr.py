"""NHS Digital's Adult Social Care Activity and Finance Report (ASC-FR and SALT reference tables).

The workbook has one sheet a table (``T1`` ... ``T55``): a title (``Table 14: Gross Current
Expenditure, by care type, 2021-22``), a unit line, a header of one to three rows (``Geography
code``, ``LA code``, ``LA name``, ``Region code``, ``Region name`` then the value columns, grouped:
``2021-22`` over ``In House`` and ``External``), then England, the regions and one row per council.

Everything is found by its text, never by a fixed position: a table by its title (so a renamed
sheet still reads), the header by the words ``Geography code`` and ``Region name`` (or ``Region / type
name``; anywhere in the 20 rows below the title), a column by its header words (``table.figure("E08000025", "Total Gross Current
Expenditure (GCE)")``). Suppressed (``[c]``: fewer than 5) and missing (``[x]``: not submitted)
cells are kept as a :class:`~carescale.official.figures.Figure` with no value and the reason, with
the meaning the sheet's own footnote gives. Tables laid out by region only (T4, T9, T21 ...) are
listed in :attr:`AscfrBook.skipped` with the reason.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import OfficialDataError
from ..io.paths import display_path
from ..io.spreadsheet import _open_book, check_exists, clean_text, column_letter
from .cache import cached_parse
from .figures import MARKERS, Figure, read_cell

SOURCE = "NHS Digital, Adult Social Care Activity and Finance Report"
ID_COLUMNS = ("geography code", "la code", "la name", "region code", "region name")
CODE = re.compile(r"^E\d{8}$")
YEAR = re.compile(r"\b(\d{4}-\d{2})\b")
TITLE = re.compile(r"^Table (\d+)\s*:\s*(.+)$", re.S)
HEADER_SEARCH_ROWS = 20


def _norm(text: object) -> str:
    return re.sub(r"\s+", " ", clean_text(text)).strip()


def _id_column(text: object) -> str:
    """A header's words, lower case, with "Region / type name" (T12, T24) read as "region name"."""
    return re.sub(r"^region / type ", "region ", _norm(text).lower())


@dataclass(frozen=True)
class AscfrRow:
    code: str  # GSS code: a council (E06/E08/E09/E10), a region (E12) or England (E92000001)
    name: str
    cassr: str  # NHS Digital's council code ("406"); "" for England and the regions
    region: str  # region code
    row: int  # spreadsheet row (1-based)
    values: tuple[float | None, ...]
    missing: tuple[str | None, ...]


@dataclass(frozen=True)
class AscfrTable:
    number: int
    sheet: str
    title: str
    year: str  # the table's year, from its title ("2021-22")
    unit: str  # "£ Thousands / percentages of row total", "Numbers", "£ per hour"
    header_row: int
    labels: tuple[tuple[str, ...], ...]  # each value column's header words, outer to inner
    letters: tuple[str, ...]  # each value column's spreadsheet letter
    rows: dict[str, AscfrRow]
    source: str
    file: str = ""

    @property
    def councils(self) -> dict[str, AscfrRow]:
        return {c: r for c, r in self.rows.items() if c[:3] in ("E06", "E08", "E09", "E10")}

    def column(self, *words: str) -> int:
        """The value column whose header words are ``words``, or else include them in order
        (case and spacing ignored). Exactly one column must match."""
        want = [_norm(w).lower() for w in words]
        exact = [j for j, label in enumerate(self.labels) if [p.lower() for p in label] == want]
        if len(exact) == 1:  # "Total" is the table's total, not "18 to 64 / Total"
            return exact[0]
        hits = [j for j, label in enumerate(self.labels) if _subsequence(want, [p.lower() for p in label])]
        if len(hits) == 1:
            return hits[0]
        shown = " / ".join(words)
        if not hits:
            valid = "; ".join(" / ".join(label) for label in self.labels)
            raise OfficialDataError(
                f"{self.file}: sheet {self.sheet!r} (Table {self.number}): no column headed {shown!r}; "
                f"the columns are: {valid}"
            )
        found = "; ".join(" / ".join(self.labels[j]) for j in hits)
        raise OfficialDataError(
            f"{self.file}: sheet {self.sheet!r} (Table {self.number}): {shown!r} matches {len(hits)} columns "
            f"({found}); give more of the header"
        )

    def figure(self, code: str, *words: str) -> Figure:
        """The figure for area ``code`` in the column headed ``words``."""
        j = self.column(*words)
        row = self.rows.get(code)
        if row is None:
            raise OfficialDataError(
                f"{self.file}: sheet {self.sheet!r} (Table {self.number}): no row for area {code}; "
                f"it has {_count(len(self.councils), 'council')}, the regions and England"
            )
        label = self.labels[j]
        year = next((p for p in label if YEAR.fullmatch(p)), self.year)
        return Figure(
            value=row.values[j], missing=row.missing[j], source=f"{self.source} {self.year}",
            table=f"T{self.number}", year=year, cell=f"{self.sheet}!{self.letters[j]}{row.row}",
            area=code, name=row.name, measure=" / ".join(label), unit=self.unit,
        )


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _subsequence(want: list[str], have: list[str]) -> bool:
    it = iter(have)
    return all(any(w == h for h in it) for w in want)


@dataclass(frozen=True)
class AscfrBook:
    path: Path
    year: str
    tables: dict[int, AscfrTable]
    skipped: dict[str, tuple[str, str]]  # sheet -> (its title, why it is not read as a council table)

    def table(self, number: int) -> AscfrTable:
        t = self.tables.get(number)
        if t is None:
            name = display_path(self.path)
            for sheet, (title, why) in self.skipped.items():
                if title.startswith(f"Table {number}:"):
                    raise OfficialDataError(f"{name}: sheet {sheet!r} ({title}): {why}")
            raise OfficialDataError(
                f"{name}: no sheet titled 'Table {number}: ...'; expected NHS Digital's ASC-FR and SALT "
                f"reference tables (sheets T1 to T55, each titled 'Table N: ...')"
            )
        return dataclasses.replace(t, file=display_path(self.path))


def read_ascfr(path: Path | str) -> AscfrBook:
    """Read every council table of an ASC-FR and SALT reference-tables workbook (from the cache
    when this file's content was read before)."""
    path = Path(path)
    check_exists(path, (".xlsx",), "NHS Digital's ASC-FR and SALT reference tables workbook")
    return cached_parse(path, "ascfr", lambda: _parse_book(path))


def _parse_book(path: Path) -> AscfrBook:
    name = display_path(path)
    book = _open_book(path)
    tables: dict[int, AscfrTable] = {}
    skipped: dict[str, tuple[str, str]] = {}
    try:
        for sheet in book.sheet_names:
            try:
                rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            except Exception as exc:  # calamine's errors for a damaged sheet
                raise OfficialDataError(f"{name}: sheet {sheet!r} cannot be read ({exc})") from None
            result = _parse_table(name, sheet, rows)
            if isinstance(result, tuple):
                skipped[sheet] = result
                continue
            if result.number in tables:
                raise OfficialDataError(
                    f"{name}: sheets {tables[result.number].sheet!r} and {sheet!r} are both titled 'Table {result.number}'"
                )
            tables[result.number] = result
    finally:
        book.close()
    if not tables:
        raise OfficialDataError(
            f"{name}: no sheet has a title 'Table N: ...' above a header with Geography code and Region name; "
            f"is this NHS Digital's ASC-FR and SALT reference tables workbook?"
        )
    years = [t.year for t in tables.values() if t.year]
    year = max(set(years), key=years.count) if years else ""
    return AscfrBook(path, year, tables, skipped)


def _parse_table(name: str, sheet: str, rows: list[list[object]]) -> AscfrTable | tuple[str, str]:
    """The table on one sheet, or (its title, why the sheet is not a council table)."""
    title, number, title_row = "", 0, 0
    for i, raw in enumerate(rows[:HEADER_SEARCH_ROWS]):
        for c in raw[:3]:
            m = TITLE.match(_norm(c))
            if m:
                title, number, title_row = _norm(c), int(m.group(1)), i
                break
        if title:
            break
    if not title:
        return "", f"no title 'Table N: ...' in its first {HEADER_SEARCH_ROWS} rows"
    header = None
    for i in range(title_row + 1, min(len(rows), HEADER_SEARCH_ROWS + title_row)):
        cells = [_id_column(c) for c in rows[i]]
        if "geography code" in cells and "region name" in cells:
            header = i
            break
    if header is None:
        return title, f"no header row with 'Geography code' and 'Region name' in the {HEADER_SEARCH_ROWS} rows below the title"
    head = [_norm(c) for c in rows[header]]
    idx = {_id_column(c): j for j, c in enumerate(head) if _id_column(c) in ID_COLUMNS}
    absent = [c for c in ID_COLUMNS if c not in idx]
    if absent:
        raise OfficialDataError(
            f"{name}: sheet {sheet!r} ({title[:60]}), header row {header + 1}: no column {absent[0]!r}; "
            f"the header has: {', '.join(c for c in head if c)}"
        )
    first_value = max(idx.values()) + 1
    width = max(len(r) for r in rows)
    # the header block: the header row and the rows under it down to the first data row
    data_start = header + 1
    while data_start < len(rows) and not _is_data(rows[data_start], idx):
        data_start += 1
    levels = [r for r in rows[header:data_start] if any(_norm(c) for c in r[first_value:])]
    labels = _labels(levels, first_value, width)
    unit = " ".join(_norm(c) for r in rows[title_row + 1 : header] for c in r if _norm(c))
    notes = _footnotes(rows)
    year_m = YEAR.findall(title)
    year = year_m[-1] if year_m else ""
    parsed: dict[str, AscfrRow] = {}
    for i in range(data_start, len(rows)):
        raw = list(rows[i]) + [""] * (width - len(rows[i]))
        if not _is_data(raw, idx):
            continue
        geo = _norm(raw[idx["geography code"]])
        code = geo if CODE.match(geo) else _norm(raw[idx["region code"]])
        area = _norm(raw[idx["la name"]]) if CODE.match(geo) else _norm(raw[idx["region name"]])
        if code in parsed:
            raise OfficialDataError(
                f"{name}: sheet {sheet!r} (Table {number}): area {code} appears twice (rows {parsed[code].row} and {i + 1})"
            )
        vals, why = [], []
        for j in range(first_value, width):
            v, m = read_cell(raw[j])
            if m and m.startswith("[") and m[:3] in notes:
                m = f"{m[:3]} {notes[m[:3]]}"
            vals.append(v)
            why.append(m)
        parsed[code] = AscfrRow(code, area, _norm(raw[idx["la code"]]) if CODE.match(geo) else "",
                                _norm(raw[idx["region code"]]), i + 1, tuple(vals), tuple(why))
    if not any(c[:3] in ("E06", "E08", "E09", "E10") for c in parsed):
        return title, "no council rows below the header"
    # keep only the columns that hold figures (drop text such as "and also" and empty columns)
    keep = [k for k in range(width - first_value)
            if labels[k] and any(r.values[k] is not None or (r.missing[k] or "").startswith("[") for r in parsed.values())]
    rows_out = {c: dataclasses.replace(r, values=tuple(r.values[k] for k in keep), missing=tuple(r.missing[k] for k in keep))
                for c, r in parsed.items()}
    return AscfrTable(
        number=number, sheet=sheet, title=title, year=year, unit=unit, header_row=header + 1,
        labels=tuple(labels[k] for k in keep), letters=tuple(column_letter(first_value + k + 1) for k in keep),
        rows=rows_out, source=SOURCE, file=name,
    )


def _is_data(raw: list[object], idx: dict[str, int]) -> bool:
    def at(col: str) -> str:
        j = idx[col]
        return _norm(raw[j]) if j < len(raw) else ""

    return bool(CODE.match(at("geography code")) or (CODE.match(at("region code")) and at("region name")))


def _labels(levels: list[list[object]], first: int, width: int) -> list[tuple[str, ...]]:
    """Each value column's header words, outer to inner. A group heading (``2021-22`` over
    ``In House`` and ``External``) covers the columns to its right until the next heading of
    its level or above; the innermost row is not carried across."""
    out: list[list[str]] = [[] for _ in range(width - first)]
    parent_new = [False] * (width - first)
    for n, level in enumerate(levels):
        last = n == len(levels) - 1
        carry = ""
        new_here = [False] * (width - first)
        for k in range(width - first):
            j = first + k
            text = _norm(level[j]) if j < len(level) else ""
            if text:
                carry, new_here[k] = text, True
            elif parent_new[k] or last:
                carry = ""
            if carry:
                out[k].append(carry)
            new_here[k] = new_here[k] or parent_new[k]
        parent_new = new_here
    return [tuple(x) for x in out]


def _footnotes(rows: list[list[object]]) -> dict[str, str]:
    """The sheet's own meaning of its markers: "[c] indicates data less than 5." -> "[c]": "..."."""
    notes = {}
    for r in rows:
        text = _norm(r[0]) if r else ""
        m = re.match(r"^(\[[a-z]+\])\s+indicates\s+(.+?)\.?$", text, re.I)
        if m:
            notes[m.group(1).lower()] = m.group(2)
    return {k: notes.get(k, v) for k, v in {**MARKERS, **notes}.items()}
