"""NHS Digital's Adult Social Care Outcomes Framework (ASCOF) open data, CSV or XLSX.

One row per council, measure, disaggregation and measure type. carescale reads, for each council
(``Geographical Level`` = ``Council``), the count of adults aged 18 to 64 with a primary support
reason of learning disability who received long-term support during the year: the denominator of
measure 1E (measure 1G has the same denominator and is used if 1E is absent). ``[x]`` (not
available) and ``[c]`` (suppressed) are kept as the reason a count is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..io.paths import display_path
from .cache import cached_parse
from ..errors import OfficialDataError
from ..io.spreadsheet import check_exists, clean_text, iter_rows, to_number

COLUMNS = (
    "Geographical Code",
    "Geographical Description",
    "Geographical Level",
    "ONS Code",
    "ASCOF Measure Code",
    "Disaggregation Level",
    "Measure Type",
    "Measure Value",
)
LD_MEASURES = ("1E", "1G")  # same denominator: adults 18-64, learning disability, long-term support
MARKERS = {"[x]": "not available", "[c]": "suppressed (disclosure control)"}


@dataclass
class AscofCouncil:
    cassr: str  # NHS Digital / DH council code, e.g. 406
    name: str
    ons_code: str
    row: int  # first spreadsheet row of the council
    ld_long_term_support: float | None = None
    ld_row: int | None = None
    ld_measure: str | None = None
    ld_missing: str | None = None  # why there is no count
    values: dict[tuple[str, str], tuple[float | None, int]] = field(default_factory=dict)
    #: why a value is missing: (measure, type) -> "[c] suppressed (disclosure control)"
    markers: dict[tuple[str, str], str] = field(default_factory=dict)


@dataclass(frozen=True)
class AscofTable:
    path: Path
    councils: dict[str, AscofCouncil]  # by ONS code
    england: dict[tuple[str, str], float | None]  # (measure code, measure type) -> value

    def get(self, ons_code: str) -> AscofCouncil | None:
        return self.councils.get(ons_code)


def read_ascof(path: Path | str, sheet: str | None = None) -> AscofTable:
    """Read ASCOF open data (the CSV NHS Digital publishes, or an XLSX copy of it), from the
    cache when this file's content was read before (:mod:`carescale.official.cache`)."""
    path = Path(path)
    check_exists(path, (".csv", ".xlsx"), "NHS Digital's ASCOF open data file")
    return cached_parse(path, "ascof", lambda: _parse_ascof(path, sheet), sheet)


def _parse_ascof(path: Path, sheet: str | None) -> AscofTable:
    name = display_path(path)
    cols: dict[str, int] | None = None
    councils: dict[str, AscofCouncil] = {}
    england: dict[tuple[str, str], float | None] = {}
    for i, raw in enumerate(iter_rows(path, sheet), start=1):
        if cols is None:
            header = [clean_text(c) for c in raw]
            missing = [c for c in COLUMNS if c not in header]
            if missing:
                raise OfficialDataError(
                    f"{name}: row {i}: no column {missing[0]!r}; ASCOF open data has the columns: "
                    f"{', '.join(COLUMNS)}"
                )
            cols = {c: header.index(c) for c in COLUMNS}
            continue

        def cell(col: str) -> object:
            j = cols[col]  # type: ignore[index]
            return raw[j] if j < len(raw) else None

        level = clean_text(cell("Geographical Level"))
        measure = clean_text(cell("ASCOF Measure Code"))
        mtype = clean_text(cell("Measure Type"))
        value = cell("Measure Value")
        if level == "England":
            england[(measure, mtype)] = to_number(value)
            continue
        if level != "Council":
            continue
        ons = clean_text(cell("ONS Code"))
        if not ons:
            raise OfficialDataError(f"{name}: row {i}: a Council row without an ONS Code")
        c = councils.get(ons)
        if c is None:
            c = councils[ons] = AscofCouncil(
                clean_text(cell("Geographical Code")), clean_text(cell("Geographical Description")), ons, i
            )
        if clean_text(cell("Disaggregation Level")) != "Total":
            continue
        num = to_number(value)
        c.values[(measure, mtype)] = (num, i)
        if num is None:
            text = clean_text(value)
            c.markers[(measure, mtype)] = f"{text} {MARKERS.get(text, 'not a number')}".strip()
        if measure in LD_MEASURES and mtype == "Denominator":
            if c.ld_long_term_support is not None:
                continue  # 1E already read (1G repeats it)
            if num is None:
                text = clean_text(value)
                c.ld_missing = c.ld_missing or f"{measure}: {text} {MARKERS.get(text, 'not a number')}"
                c.ld_row = c.ld_row or i
            else:
                c.ld_long_term_support, c.ld_row, c.ld_measure, c.ld_missing = num, i, measure, None
    if cols is None:
        raise OfficialDataError(f"{name}: the file is empty; expected ASCOF open data with the columns: {', '.join(COLUMNS)}")
    if not councils:
        raise OfficialDataError(f"{name}: no rows with Geographical Level 'Council'; is this ASCOF open data?")
    for c in councils.values():
        if c.ld_long_term_support is None and c.ld_missing is None:
            c.ld_missing = "no 1E or 1G denominator row"
    return AscofTable(path, councils, england)
