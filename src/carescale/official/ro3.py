"""MHCLG revenue outturn RO3 (social care and public health), one row per council, ``.ods``.

Two layouts, both read by their header text:

* 2024-25: sheet ``RO3_LA_Data_202425``; one header row (row 7) with one column per
  ``<service line> - <measure>``, e.g. ``Physical support - older people (65+) - Total Expenditure
  (C3 = C1 + C2)``.
* 2022-23 and 2023-24: sheets ``RO3_LA_Data_2022-23`` / ``RO3_LA_Data_2023-24``; a two-row
  header, the service line on one row (written once over its measures, so carried to the right)
  and the measure on the row below (``Total Expenditure (C3 = C1 + C2)``, sometimes with a
  footnote number glued on).

The data sheet is the one whose name starts ``RO3_LA_Data``; the header is the row (in the first
30) holding ``ONS Code`` and ``Local authority``. A measure is named by its code, C1 employees, C2
running expenses, C3 total expenditure, C4 sales, fees and charges, C5 other income, C6 total
income, C7 net current expenditure; a service line by its words with dashes, spacing, case,
``Subcategory:`` and ``[note N]`` ignored (``"Total adult social care"``). ``[x]`` (no return) is
a figure with no value and that reason, never zero. Money is in £ thousands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import OfficialDataError
from ..io.paths import display_path
from ..io.spreadsheet import check_exists, clean_text, column_letter, iter_rows, sheet_names
from .cache import cached_parse
from .figures import Figure, read_cell

SOURCE = "MHCLG, Local authority revenue expenditure and financing: RO3 outturn"
MEASURES = {
    "C1": "Employees",
    "C2": "Running expenses",
    "C3": "Total expenditure",
    "C4": "Sales, fees and charges",
    "C5": "Other income",
    "C6": "Total income",
    "C7": "Net current expenditure",
}
#: The adult social care lines carescale reads (18-64 and 65+ where the return splits them).
ASC_LINES = (
    "physical support - adults (18-64)",
    "physical support - older people (65+)",
    "sensory support - adults (18-64)",
    "sensory support - older people (65+)",
    "support with memory and cognition - adults (18-64)",
    "support with memory and cognition - older people (65+)",
    "learning disability support - adults (18-64)",
    "learning disability support - older people (65+)",
    "mental health support - adults (18-64)",
    "mental health support - older people (65+)",
    "social support: substance misuse support",
    "social support: asylum seeker support",
    "social support: social isolation",
    "social support: support for carer",
    "assistive equipment and technology",
    "information and early intervention",
    "care assessment and safeguarding",
    "commissioning, strategy and admin support",
    "total adult social care",
)
#: Prevention lines (issue 22: "the prevention lines").
PREVENTION_LINES = (
    "social support: social isolation",
    "information and early intervention",
    "social support: support for carer",
    "assistive equipment and technology",
)
UPPER_TIER = ("E06", "E08", "E09", "E10")
HEADER_SEARCH_ROWS = 30
FOOTNOTE = re.compile(r"\)\s*\d+$")  # "(C3 = C1 + C2)53": a footnote number glued on


def line_key(text: str) -> str:
    """A service line's words, normalised: ``'TOTAL ADULT SOCIAL CARE  [note 2]'`` ->
    ``'total adult social care'``; ``'Physical support - adults (18–64)'`` -> ``'physical
    support - adults (18-64)'``."""
    t = clean_text(text).replace("\u2013", "-").replace("\u2014", "-").replace("\n", " ")
    t = re.sub(r"\[note \d+\]", "", t, flags=re.I)
    t = re.sub(r"^subcategory:\s*", "", t.strip(), flags=re.I)
    return re.sub(r"\s+", " ", t).strip().lower()


def _measure(text: str) -> str | None:
    m = re.search(r"\((C\d)\b", clean_text(text))
    return m.group(1) if m else None


def _header_row(rows: list[list[object]]) -> int | None:
    return next(
        (i for i, r in enumerate(rows[:HEADER_SEARCH_ROWS])
         if {"ons code", "local authority"} <= {clean_text(c).lower() for c in r}),
        None,
    )


def _year(top: list[list[object]], sheet: str, file: str) -> str:
    """The financial year: from the title ("Revenue Outturn (RO) 2024-25"), else the sheet name
    ("RO3_LA_Data_202425"), else the file name; "" if none says."""
    for r in top:
        for c in r:
            m = re.search(r"\b(20\d{2})-(\d{2})\b", clean_text(c))
            if m and "outturn" in clean_text(c).lower():
                return f"{m.group(1)}-{m.group(2)}"
    for text in (sheet, file):
        m = re.search(r"(20\d{2})-?(\d{2})(?!\d)", text)
        if m:
            return f"{m.group(1)}-{m.group(2)}"
    return ""


def _before_measure(text: str) -> str:
    """The words before a measure code: "Physical support - adults (18-64) - Total Expenditure"."""
    t = " ".join(clean_text(text).split())
    m = re.search(r"\(C\d\b", t)
    return t[: m.start()].strip() if m else ""


@dataclass(frozen=True)
class Ro3Row:
    code: str  # ONS code (9 characters); 3-character codes are class totals such as England
    name: str
    klass: str  # UA, MD, LB, SC, SD ...
    row: int
    values: tuple[float | None, ...]
    missing: tuple[str | None, ...]


@dataclass(frozen=True)
class Ro3Table:
    path: Path
    year: str  # "2024-25"
    sheet: str
    header_row: int
    columns: dict[tuple[str, str], int]  # (line key, measure code) -> index into values
    letters: tuple[str, ...]
    headings: tuple[str, ...]  # each column's header text as published
    rows: dict[str, Ro3Row]

    @property
    def councils(self) -> dict[str, Ro3Row]:
        """Councils with adult social care responsibilities (upper tier)."""
        return {c: r for c, r in self.rows.items() if len(c) == 9 and c[:3] in UPPER_TIER}

    @property
    def lines(self) -> list[str]:
        return list(dict.fromkeys(k for k, _ in self.columns))

    def figure(self, code: str, line: str, measure: str = "C3") -> Figure:
        """The figure for ``code`` (ONS code, or "England" for the England total row) on service
        ``line`` and ``measure`` (C1..C7; C3 total expenditure by default)."""
        key = (line_key(line), measure.upper())
        if measure.upper() not in MEASURES:
            raise OfficialDataError(
                f"{display_path(self.path)}: measure {measure!r} is not valid; valid measures are: "
                + ", ".join(f"{c} {t.lower()}" for c, t in MEASURES.items())
            )
        j = self.columns.get(key)
        if j is None:
            have = ", ".join(self.lines)
            raise OfficialDataError(
                f"{display_path(self.path)}: sheet {self.sheet!r}: no column for {line!r} {measure.upper()}; the service lines are: {have}"
            )
        row = self.rows.get(code) or (self._england() if code.lower() == "england" else None)
        if row is None:
            raise OfficialDataError(
                f"{display_path(self.path)}: sheet {self.sheet!r}: no row for ONS code {code}; "
                f"the file has {len(self.councils)} councils with adult social care responsibilities"
            )
        return Figure(
            value=row.values[j], missing=row.missing[j], source=f"{SOURCE} {self.year}", table="RO3",
            year=self.year, cell=f"{self.sheet}!{self.letters[j]}{row.row}", area=row.code, name=row.name,
            measure=self.headings[j], unit="£ thousands",
        )

    def _england(self) -> Ro3Row | None:
        return next((r for r in self.rows.values() if r.name.strip().lower() == "england"), None)


def read_ro3(path: Path | str) -> Ro3Table:
    """Read an RO3 "data by LA" spreadsheet (.ods or .xlsx), from the cache when this file's
    content was read before."""
    path = Path(path)
    check_exists(path, (".ods", ".xlsx"), "MHCLG's RO3 revenue outturn data by LA (.ods)")
    return cached_parse(path, "ro3", lambda: _parse(path))


def _parse(path: Path) -> Ro3Table:
    name = display_path(path)
    names = sheet_names(path)
    data = [s for s in names if s.lower().startswith("ro3_la_data")]
    if len(data) > 1:
        raise OfficialDataError(f"{name}: more than one sheet named 'RO3_LA_Data...': {', '.join(data)}")
    # the data sheet by its name, else (a renamed sheet) by its header text
    found = None
    for sheet in data or names:
        rows = list(iter_rows(path, sheet))
        header = _header_row(rows)
        if header is not None:
            found = sheet
            break
        if data:
            raise OfficialDataError(
                f"{name}: sheet {sheet!r}: no header row with 'ONS Code' and 'Local authority' in the first {HEADER_SEARCH_ROWS} rows"
            )
    if found is None or header is None:
        raise OfficialDataError(
            f"{name}: no sheet named 'RO3_LA_Data...' and no sheet with a header row holding 'ONS Code' and "
            f"'Local authority'; the sheets are: {', '.join(names)}"
        )
    sheet = found
    head = [clean_text(c) for c in rows[header]]
    low = [h.lower() for h in head]
    code_col, name_col = low.index("ons code"), low.index("local authority")
    class_col = low.index("class") if "class" in low else None
    # one-row header: "<line> - <measure>"; two-row: the line on the row above, carried right
    above = rows[header - 1] if header > 0 else []
    two_row = not any(" - " in _before_measure(h) for h in head)
    columns: dict[tuple[str, str], int] = {}
    letters: list[str] = []
    headings: list[str] = []
    src_cols: list[int] = []
    carry = ""
    for j, h in enumerate(head):
        if two_row:
            top = clean_text(above[j]) if j < len(above) else ""
            carry = top or carry
            measure, line = _measure(h), carry
            heading = f"{carry.strip()} - {FOOTNOTE.sub(')', ' '.join(h.split()))}"
        else:
            measure = _measure(h)
            before = _before_measure(h)
            line = before.rsplit(" - ", 1)[0] if " - " in before else ""
            heading = " ".join(h.split())
        if not measure or not line:
            continue
        key = (line_key(line), measure)
        if key in columns:
            continue  # a repeated heading: the first is the published figure
        columns[key] = len(src_cols)
        src_cols.append(j)
        letters.append(column_letter(j + 1))
        headings.append(heading)
    if ("total adult social care", "C3") not in columns:
        raise OfficialDataError(
            f"{name}: sheet {sheet!r}, header row {header + 1}: no column for 'TOTAL ADULT SOCIAL CARE' "
            f"Total Expenditure (C3); is this an RO3 return?"
        )
    year = _year(rows[:header], sheet, path.name)
    out: dict[str, Ro3Row] = {}
    for i in range(header + 1, len(rows)):
        raw = rows[i]
        code = clean_text(raw[code_col]) if code_col < len(raw) else ""
        if code.lower() == "ons code":
            break  # the sheet's second table (totals by class of authority) starts here
        if not re.fullmatch(r"E\d{8}|E\d{2}", code):
            continue
        vals, why = [], []
        for j in src_cols:
            v, m = read_cell(raw[j] if j < len(raw) else None)
            vals.append(v)
            why.append(m if m is None or not m.startswith("[x]") else "[x] no return")
        if code in out:
            raise OfficialDataError(
                f"{name}: sheet {sheet!r}: ONS code {code} appears twice (rows {out[code].row} and {i + 1})"
            )
        out[code] = Ro3Row(code, clean_text(raw[name_col]), clean_text(raw[class_col]) if class_col is not None else "",
                           i + 1, tuple(vals), tuple(why))
    if not any(len(c) == 9 and c[:3] in UPPER_TIER for c in out):
        raise OfficialDataError(f"{name}: sheet {sheet!r}: no council rows (ONS codes E06, E08, E09, E10) below the header")
    return Ro3Table(path, year, sheet, header + 1, columns, tuple(letters), tuple(headings), out)

