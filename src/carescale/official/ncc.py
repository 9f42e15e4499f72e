"""NHS England's National Cost Collection (national schedule), as the CSV NICE extracts from it.

Columns (found by their header text): ``Service Code`` (the schedule's sheet: ``Emergency Care``,
``Non-Elective Inpatient - Long Stay`` ...), ``Dept or Currency Code`` (the HRG), ``Dept or
Currency Desc``, ``Activity``, ``Unit cost``, ``Cost``. carescale uses activity-weighted mean
unit costs of a service (total cost over total activity): an A&E attendance, a non-elective
spell (long and short stay). A row without a number for activity or unit cost is refused with
its row; it is never counted as zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import OfficialDataError
from ..io.paths import display_path
from ..io.spreadsheet import check_exists, clean_text, iter_rows, to_number
from .cache import cached_parse
from .figures import Figure

SOURCE = "NHS England, National Cost Collection for the NHS (national schedule, NICE extract)"
COLUMNS = ("Service Code", "Dept or Currency Code", "Dept or Currency Desc", "Activity", "Unit cost", "Cost")
#: The services carescale prices, by their Service Code.
SERVICES = {
    "a_and_e_attendance": ("Emergency Care",),
    "non_elective_long_stay": ("Non-Elective Inpatient - Long Stay",),
    "non_elective_short_stay": ("Non-Elective Inpatient - Short Stay",),
    "non_elective_spell": ("Non-Elective Inpatient - Long Stay", "Non-Elective Inpatient - Short Stay"),
}


@dataclass(frozen=True)
class NccRow:
    service: str
    currency: str
    description: str
    activity: float
    unit_cost: float
    row: int


@dataclass(frozen=True)
class NccTable:
    path: Path
    year: str  # "2023/24"
    rows: tuple[NccRow, ...]

    @property
    def services(self) -> list[str]:
        return list(dict.fromkeys(r.service for r in self.rows))

    def mean_unit_cost(self, *services: str) -> Figure:
        """The activity-weighted mean unit cost over every currency of ``services`` (Service
        Code values, or a key of :data:`SERVICES`)."""
        names = SERVICES.get(services[0], services) if len(services) == 1 else services
        want = {s.lower() for s in names}
        rows = [r for r in self.rows if r.service.lower() in want]
        found = {r.service.lower() for r in rows}
        absent = [s for s in names if s.lower() not in found]
        if absent:
            raise OfficialDataError(
                f"{display_path(self.path)}: no rows with Service Code {absent[0]!r}; the services are: {', '.join(self.services)}"
            )
        activity = sum(r.activity for r in rows)
        cost = sum(r.activity * r.unit_cost for r in rows)
        if activity <= 0:
            raise OfficialDataError(f"{display_path(self.path)}: {' + '.join(names)}: total activity is {activity:,.0f}; no unit cost")
        first, last = rows[0].row, rows[-1].row
        return Figure(
            value=cost / activity, source=f"{SOURCE} {self.year}", table=" + ".join(names), year=self.year,
            cell=f"rows {first}-{last}" if first != last else f"row {first}", area="E92000001", name="England",
            measure=f"mean unit cost of {' + '.join(names)}", unit="£",
            note=f"activity-weighted mean of {len(rows)} currencies: £{cost:,.0f} over {activity:,.0f} activity",
        )


def read_ncc(path: Path | str, year: str | None = None) -> NccTable:
    """Read the National Cost Collection schedule CSV (from the cache when read before). The
    year is taken from the file name (``ncc_2023_24.csv`` -> 2023/24) unless given."""
    path = Path(path)
    check_exists(path, (".csv",), "the National Cost Collection schedule (CSV)")
    if year is None:
        m = re.search(r"(20\d{2})[_-](\d{2})", path.name)
        year = f"{m.group(1)}/{m.group(2)}" if m else ""
    return cached_parse(path, "ncc", lambda: _parse(path, year), year)


def _parse(path: Path, year: str) -> NccTable:
    name = display_path(path)
    cols: dict[str, int] | None = None
    out: list[NccRow] = []
    for i, raw in enumerate(iter_rows(path, None), start=1):
        if cols is None:
            header = [clean_text(c) for c in raw]
            low = [h.lower() for h in header]
            missing = [c for c in COLUMNS if c.lower() not in low]
            if missing:
                raise OfficialDataError(
                    f"{name}: row {i}: no column {missing[0]!r}; the National Cost Collection CSV has the columns: "
                    f"{', '.join(COLUMNS)}"
                )
            cols = {c: low.index(c.lower()) for c in COLUMNS}
            continue
        if not any(clean_text(c) for c in raw):
            continue

        def cell(col: str) -> object:
            j = cols[col]  # type: ignore[index]
            return raw[j] if j < len(raw) else None

        numbers = {}
        for col in ("Activity", "Unit cost"):
            v = to_number(cell(col))
            if v is None:
                raise OfficialDataError(
                    f"{name}: row {i} ({clean_text(cell('Service Code'))} {clean_text(cell('Dept or Currency Code'))}): "
                    f"{col} {clean_text(cell(col))!r} is not a number"
                )
            numbers[col] = v
        out.append(NccRow(clean_text(cell("Service Code")), clean_text(cell("Dept or Currency Code")),
                          clean_text(cell("Dept or Currency Desc")), numbers["Activity"], numbers["Unit cost"], i))
    if cols is None:
        raise OfficialDataError(f"{name}: the file is empty; expected the columns: {', '.join(COLUMNS)}")
    if not out:
        raise OfficialDataError(f"{name}: no data rows below the header")
    return NccTable(path, year, tuple(out))
