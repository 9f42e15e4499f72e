"""Baseline rates from the council's own official data: what would be expected without a new
service, for a plan's counterfactual (docs/plans.md, "A counterfactual for observed outcomes").

ASCOF measure 2A2 (NHS Digital, Adult Social Care Outcomes Framework 2020-21): long-term
support needs of older adults (aged 65 and over) met by admission to residential and nursing
care homes, per 100,000 population; numerator = council-supported permanent admissions in the
year, denominator = the ONS population aged 65+. The shipped copy
(``data/official/ascof_2a2.csv``) keeps, for every council in the open-data file and England,
the numerator, the denominator, the published rate and the spreadsheet row of each, built by
:func:`build_ascof_2a2` from the published file (``meas-from-asc-of-eng-2021-open-data-csv_v2.xlsx``).
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from ..errors import OfficialDataError
from .ascof import read_ascof

PACKAGED = Path(__file__).resolve().parents[1] / "data" / "official" / "ascof_2a2.csv"
ENGLAND = "E92000001"
SOURCE = "NHS Digital, Adult Social Care Outcomes Framework (ASCOF) 2020-21, measure 2A2"
YEAR = "2020-21"
FIELDS = ("code", "name", "numerator", "denominator", "per_100000", "row")
#: The baselines a plan's counterfactual may name (``baseline: {official: ...}``).
OFFICIAL_BASELINES = {
    "ascof-2a2": "permanent admissions to residential and nursing care homes of people aged 65+, "
                 "a year per person aged 65+ (ASCOF 2A2)",
}


@dataclass(frozen=True)
class Baseline:
    """A rate a year per person, from a council's count over its population."""

    measure: str  # "ascof-2a2"
    code: str  # ONS code of the council (or England)
    name: str
    events: float  # the numerator: admissions in the year
    population: float  # the denominator: people aged 65+
    source: str
    year: str
    row: int | None  # the open-data file's row of the numerator

    @property
    def rate(self) -> float:
        """Events a year per person (597 / 149,412 = 0.3996% for Birmingham)."""
        return self.events / self.population

    def as_dict(self) -> dict[str, object]:
        return {
            "measure": self.measure, "code": self.code, "name": self.name, "events": self.events,
            "population": self.population, "rate_per_person_year": self.rate,
            "per_100000": round(self.rate * 100_000, 1), "source": self.source, "year": self.year,
            "row": self.row,
        }


def build_ascof_2a2(path: Path | str, out: Path | str = PACKAGED) -> int:
    """Write ``out`` from ASCOF open data (CSV or XLSX): one row a council with 2A2's
    numerator, denominator and rate. Returns the number of councils written."""
    table = read_ascof(path)
    rows = []
    for c in sorted(table.councils.values(), key=lambda c: c.ons_code):
        num = c.values.get(("2A2", "Numerator"))
        den = c.values.get(("2A2", "Denominator"))
        rate = c.values.get(("2A2", "Outcome"))
        if not num or not den or num[0] is None or den[0] is None:
            continue
        rows.append([c.ons_code, c.name, num[0], den[0], None if rate is None else rate[0], num[1]])
    e = table.england
    if e.get(("2A2", "Numerator")) and e.get(("2A2", "Denominator")):
        rows.append([ENGLAND, "England", e[("2A2", "Numerator")], e[("2A2", "Denominator")], e.get(("2A2", "Outcome")), ""])
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(FIELDS)
        for r in rows:
            w.writerow([("" if v is None else (f"{v:.0f}" if isinstance(v, float) and v.is_integer() else v)) for v in r])
    return len(rows)


@functools.lru_cache(maxsize=2)
def _read(path: str) -> dict[str, Baseline]:
    out: dict[str, Baseline] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            out[r["code"]] = Baseline("ascof-2a2", r["code"], r["name"], float(r["numerator"]),
                                      float(r["denominator"]), SOURCE, YEAR, int(r["row"]) if r["row"] else None)
    return out


def official_baseline(measure: str, code: str | None, where: str, path: Path | str = PACKAGED) -> Baseline:
    """The council's own baseline rate for ``measure`` (only ``ascof-2a2`` so far); one-line
    errors naming ``where`` for an unknown measure or a council without the figure."""
    if measure not in OFFICIAL_BASELINES:
        raise OfficialDataError(
            f"{where}: {measure!r} is not an official baseline carescale ships; valid baselines are: "
            f"{', '.join(OFFICIAL_BASELINES)}"
        )
    figures = _read(str(path))
    if code is None or code not in figures:
        what = f"council {code}" if code else "an area without an ONS code"
        raise OfficialDataError(
            f"{where}: {measure}: {what} has no figure in {SOURCE}; give the baseline as a rate "
            "from the evidence (baseline: {rate: ...}) or a comparison group (baseline: {comparison: matched})"
        )
    return figures[code]
