"""One price base: re-pricing money figures with a price index (docs/scenarios.md).

Every money figure in the evidence carries its price year, mostly a financial year (``2015/16``).
A :class:`PriceBase` turns each price year into a factor ``index[base] / index[price year]`` so
that every figure of a run is in the prices of one year, as the Green Book asks.

The shipped index is the HM Treasury GDP deflator at market prices by calendar year
(``data/prices/gdp_deflator_calendar_year.csv``, 2024 = 100; attribution in
``data/prices/SOURCES.md``). A user may give their own index file instead (two columns, ``year``
and ``value``; a year is a calendar year ``2016`` or a financial year ``2016/17``).

Mapping a financial year to the calendar-year series: financial year ``Y/Y+1`` runs from April of
``Y`` to March of ``Y+1``, nine months in ``Y`` and three in ``Y+1``, so its index is
``0.75 x index[Y] + 0.25 x index[Y+1]``. A label the index file holds itself (a financial year
in a user's file, say) is used as it is.
"""

from __future__ import annotations

import csv
import functools
import math
import re
from dataclasses import dataclass
from pathlib import Path

from .config import PRICES_DIR  # noqa: F401 - the packaged price indices, named once in carescale.config
from .errors import InputFileError, SettingsError
from .io.yaml import read_user_text

GDP_DEFLATOR_FILE = PRICES_DIR / "gdp_deflator_calendar_year.csv"
GDP_DEFLATOR_NAME = "HM Treasury GDP deflator at market prices (December 2025), calendar years"
GDP_DEFLATOR_ATTRIBUTION = (
    "Source: HM Treasury, GDP deflators at market prices, and money GDP (December 2025), "
    "licensed under the Open Government Licence v3.0."
)

_CALENDAR = re.compile(r"\d{4}")
_FINANCIAL = re.compile(r"(\d{4})/(\d{2})")


def parse_year(label: object, field: str = "price year") -> str:
    """A year label as text: ``2016`` (calendar) or ``2016/17`` (financial, April to March)."""
    s = str(label).strip()
    if isinstance(label, bool) or not s:
        raise SettingsError(f"{field}: {label!r} is not a year; give a calendar year (2024) or a financial year (2023/24)")
    if _CALENDAR.fullmatch(s):
        return s
    m = _FINANCIAL.fullmatch(s)
    if m and (int(m.group(1)) + 1) % 100 == int(m.group(2)):
        return s
    raise SettingsError(f"{field}: {label!r} is not a year; give a calendar year (2024) or a financial year (2023/24)")


@dataclass(frozen=True)
class PriceIndex:
    """A price index by year label; ``name`` says what it is, ``attribution`` where it is from."""

    name: str
    values: tuple[tuple[str, float], ...]
    attribution: str = ""

    @property
    def table(self) -> dict[str, float]:
        return dict(self.values)

    @property
    def latest_year(self) -> str:
        calendar = [y for y, _ in self.values if _CALENDAR.fullmatch(y)]
        return max(calendar or [y for y, _ in self.values])

    @property
    def span(self) -> str:
        years = sorted(y for y, _ in self.values)
        return f"{years[0]}-{years[-1]}" if years else "no years"

    def value(self, label: str, field: str = "price year") -> float:
        """The index for a year label (a financial year is mapped as the module says)."""
        label = parse_year(label, field)
        table = self.table
        if label in table:
            return table[label]
        m = _FINANCIAL.fullmatch(label)
        if m:
            first = int(m.group(1))
            a, b = table.get(str(first)), table.get(str(first + 1))
            if a is not None and b is not None:
                return 0.75 * a + 0.25 * b
            need = str(first) if a is None else str(first + 1)
        else:
            need = label
        raise SettingsError(
            f"{field}: {label} needs the index for {need}, which the {self.name} ({self.span}) does not have; "
            "choose a year the index covers or give your own index file (price_index)"
        )


@dataclass(frozen=True)
class PriceBase:
    """Re-price every money figure to the prices of ``year`` with ``index``."""

    year: str
    index: PriceIndex

    def factor(self, price_year: str) -> float:
        """Multiply a figure in ``price_year`` prices by this to express it in ``year`` prices."""
        return _factor(self, price_year)

    def describe(self) -> dict[str, object]:
        return {"reprice": True, "price_base_year": self.year, "index": self.index.name,
                "attribution": self.index.attribution}


@functools.lru_cache(maxsize=256)
def _factor(pb: PriceBase, price_year: str) -> float:
    return pb.index.value(pb.year, "price_base_year") / pb.index.value(price_year)


def read_index(path: Path | str, name: str | None = None, attribution: str = "") -> PriceIndex:
    """Read an index file: CSV with a header row holding ``year`` and ``value``."""
    path = Path(path)
    shown = str(path)
    # no message quotes the file's content (a wrong path must not show what another file holds)
    text = read_user_text(path, "price index file").removeprefix("\ufeff")
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise InputFileError(f"{shown}: the file is empty; give a CSV with the columns year and value")
    head = [h.strip().lower() for h in rows[0]]
    if "year" not in head or "value" not in head:
        raise InputFileError(f"{shown}: row 1: the columns must include year and value; is this a price index file?")
    iy, iv = head.index("year"), head.index("value")
    values: dict[str, float] = {}
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        try:
            label = parse_year(row[iy] if iy < len(row) else "", "year")
        except SettingsError:
            raise InputFileError(
                f"{shown}: row {n}: the year is not valid; give a calendar year (2024) or a financial year (2023/24)"
            ) from None
        cell = row[iv].strip() if iv < len(row) else ""
        try:
            x = float(cell)
        except ValueError:
            x = float("nan")
        if not math.isfinite(x) or x <= 0:
            raise InputFileError(f"{shown}: row {n}: the value is not valid; an index value must be a number above 0")
        if label in values:
            raise InputFileError(f"{shown}: row {n}: year {label} appears twice")
        values[label] = x
    if not values:
        raise InputFileError(f"{shown}: the file has no rows of year and value")
    return PriceIndex(name or f"price index {path.name}", tuple(sorted(values.items())), attribution)


@functools.lru_cache(maxsize=1)
def gdp_deflator() -> PriceIndex:
    """The shipped HM Treasury GDP deflator (calendar years, 2024 = 100)."""
    return read_index(GDP_DEFLATOR_FILE, GDP_DEFLATOR_NAME, GDP_DEFLATOR_ATTRIBUTION)


def price_base(year: object = None, index_file: Path | str | None = None) -> PriceBase:
    """A :class:`PriceBase` for ``year`` (default: the latest calendar year of the index) with
    the GDP deflator or the index in ``index_file``."""
    index = read_index(index_file) if index_file is not None else gdp_deflator()
    label = index.latest_year if year is None else parse_year(year, "price_base_year")
    index.value(label, "price_base_year")  # the base year must be in the index
    return PriceBase(label, index)
