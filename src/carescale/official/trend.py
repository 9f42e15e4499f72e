"""Population trend by council from two ONS mid-year estimates (MYE2): what the cash budget view
grows its target cohorts with (docs/appraisal.md, "The cash budget view").

``population_trend.csv`` (shipped in ``data/``) holds, for every area in both estimates, the
people aged 18 to 64 and 65 and over at mid-2020 (2021 geography) and mid-2024; the growth a year
of an age band is ``(mid-2024 / mid-2020) ** (1 / 4) - 1``, the compound trend of the four years.
Areas whose code changed in between (the April 2023 Cumbria split, North Yorkshire and Somerset's
new codes) have no 2020 row under their new code and so no trend: the cash view then says so and
grows nothing unless the user gives a growth rate. Build it again with::

    python -m carescale.official.trend MYE2_2020.xls mye24tablesew.csv
"""

from __future__ import annotations

import csv
import functools
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ..errors import OfficialDataError
from ..io.paths import display_path

TREND_FILE = Path(__file__).resolve().parents[1] / "data" / "population_trend.csv"
COLUMNS = ("code", "name", "population_18_64_mid_2020", "population_65_plus_mid_2020",
           "population_18_64_mid_2024", "population_65_plus_mid_2024")
YEARS = 4  # mid-2020 to mid-2024
SOURCE = ("ONS mid-year population estimates, table MYE2 (persons): mid-2020 (2021 geography) and "
          "mid-2024; Office for National Statistics licensed under the Open Government Licence v3.0")
BANDS = ("18_64", "65_plus")


@dataclass(frozen=True)
class Trend:
    """One area's population in two years by age band, and its growth a year."""

    code: str
    name: str
    start: dict[str, float]  # band -> people at mid-2020
    end: dict[str, float]  # band -> people at mid-2024

    def growth(self, band: str) -> float:
        """Compound growth a year of ``band`` (``18_64`` or ``65_plus``) from mid-2020 to mid-2024."""
        return (self.end[band] / self.start[band]) ** (1.0 / YEARS) - 1.0

    def derivation(self, band: str) -> str:
        label = "aged 18 to 64" if band == "18_64" else "aged 65 and over"
        return (f"{self.name} people {label}: {self.start[band]:,.0f} at mid-2020, {self.end[band]:,.0f} at "
                f"mid-2024; ({self.end[band]:,.0f} / {self.start[band]:,.0f})^(1/{YEARS}) - 1 = "
                f"{self.growth(band):.4%} a year")


def build_trend(old_path: Path | str, new_path: Path | str) -> list[Trend]:
    """Trends for every area in both MYE2 tables (the first mid-2020, the second mid-2024)."""
    from .mye import read_mye

    old, new = read_mye(old_path), read_mye(new_path)
    if old.period != "mid-2020" or new.period != "mid-2024":
        raise OfficialDataError(
            f"population trend: expected mid-2020 and mid-2024 estimates, got {old.period} and {new.period}")
    out = []
    for code, b in sorted(new.rows.items()):
        a = old.get(code)
        if a is None or not a.aged_18_64 or not a.aged_65_plus:
            continue
        out.append(Trend(code, b.name, {"18_64": a.aged_18_64, "65_plus": a.aged_65_plus},
                         {"18_64": b.aged_18_64, "65_plus": b.aged_65_plus}))
    return out


def write_trend(trends: list[Trend], path: Path = TREND_FILE) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for t in trends:
            w.writerow([t.code, t.name, f"{t.start['18_64']:.0f}", f"{t.start['65_plus']:.0f}",
                        f"{t.end['18_64']:.0f}", f"{t.end['65_plus']:.0f}"])
    return path


@functools.lru_cache(maxsize=1)
def population_trends() -> dict[str, Trend]:
    """The shipped trends by ONS code."""
    out: dict[str, Trend] = {}
    with open(TREND_FILE, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    if not rows or tuple(rows[0]) != COLUMNS:
        raise OfficialDataError(f"{display_path(TREND_FILE)}: row 1 must be {', '.join(COLUMNS)}")
    for i, r in enumerate(rows[1:], start=2):
        try:
            a18, a65, b18, b65 = (float(x) for x in r[2:6])
        except (ValueError, IndexError):
            raise OfficialDataError(f"{display_path(TREND_FILE)}: row {i}: four population figures expected") from None
        out[r[0]] = Trend(r[0], r[1], {"18_64": a18, "65_plus": a65}, {"18_64": b18, "65_plus": b65})
    return out


def main(argv: Sequence[str] | None = None) -> int:  # pragma: no cover - a maintainer's build step
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print("usage: python -m carescale.official.trend MYE2_mid2020.xls MYE2_mid2024.csv", file=sys.stderr)
        return 2
    path = write_trend(build_trend(args[0], args[1]))
    print(f"wrote {display_path(path)}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
