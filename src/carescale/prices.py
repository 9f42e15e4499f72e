"""One price base: re-pricing money figures with a price index (docs/scenarios.md).

Every money figure in the evidence carries its price year, mostly a financial year (``2015/16``).
A :class:`PriceBase` turns each price year into a factor ``index[base] / index[price year]`` so
that every figure of a run is in the prices of one year, as the Green Book asks.

The shipped index is HM Treasury's GDP deflator at market prices by FINANCIAL year, December
2023 release (``data/prices/gdp_deflator_financial_year.csv``, 2022/23 = 100; attribution in
``data/prices/SOURCES.md``): the evidence is priced by financial year, so a financial-year figure
is re-priced with the table's own figure for its year, with no mapping. Outturn runs to 2022/23;
2023/24 to 2028/29 are the Office for Budget Responsibility's forecast of November 2023 (the
release gives only the per cent change), chained onto 2022/23:
``index[Y] = index[Y-1] x (1 + change[Y] / 100)``. A base in a forecast year is labelled as a
forecast of that vintage in every output (:attr:`PriceBase.statement`). The default base is
:data:`DEFAULT_BASE_YEAR` (2024/25, the year a council's current budget figures are in).

A user may give their own index file instead (two columns, ``year`` and ``value``; a year is a
calendar year ``2016`` or a financial year ``2016/17``). A label the index holds is used as it is.
Otherwise, with a calendar-year index, financial year ``Y/Y+1`` (April of ``Y`` to March of
``Y+1``) is ``0.75 x index[Y] + 0.25 x index[Y+1]``; with a financial-year index, calendar year
``Y`` (three months of ``Y-1/Y``, nine of ``Y/Y+1``) is ``0.25 x index[Y-1/Y] + 0.75 x index[Y/Y+1]``.
The earlier calendar-year table (December 2025 release, 2024 = 100) is still shipped
(:func:`calendar_gdp_deflator`) for comparison; no entry point uses it by default.
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

GDP_DEFLATOR_FILE = PRICES_DIR / "gdp_deflator_financial_year.csv"
GDP_DEFLATOR_NAME = "HM Treasury GDP deflator at market prices (December 2023), financial years"
GDP_DEFLATOR_VINTAGE = "OBR, November 2023"
GDP_DEFLATOR_ATTRIBUTION = (
    "Source: HM Treasury, GDP deflators at market prices, and money GDP (December 2023), "
    "licensed under the Open Government Licence v3.0."
)
CALENDAR_DEFLATOR_FILE = PRICES_DIR / "gdp_deflator_calendar_year.csv"
CALENDAR_DEFLATOR_NAME = "HM Treasury GDP deflator at market prices (December 2025), calendar years"
CALENDAR_DEFLATOR_ATTRIBUTION = (
    "Source: HM Treasury, GDP deflators at market prices, and money GDP (December 2025), "
    "licensed under the Open Government Licence v3.0."
)
#: The price base every entry point uses unless told otherwise (a forecast year of the shipped
#: index, so every output says so).
DEFAULT_BASE_YEAR = "2024/25"

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
    #: years whose value is a forecast (chained from forecast growth), and whose forecast it is
    forecast: tuple[str, ...] = ()
    vintage: str = ""
    #: the base a run uses when none is given (None: the latest year, see :attr:`latest_year`)
    default_year: str | None = None

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
            if any(_FINANCIAL.fullmatch(k) for k in table):  # a financial-year index lacks this year
                need = label
        else:
            y = int(label)
            before, after = financial_year(y - 1), financial_year(y)
            a, b = table.get(before), table.get(after)
            if a is not None and b is not None:
                return 0.25 * a + 0.75 * b
            need = label if not any(_FINANCIAL.fullmatch(k) for k in table) else (before if a is None else after)
        raise SettingsError(
            f"{field}: {label} needs the index for {need}, which the {self.name} ({self.span}) does not have; "
            "choose a year the index covers or give your own index file (price_index)"
        )


    def is_forecast(self, label: str) -> bool:
        """Whether the index for ``label`` rests on a forecast year of this index."""
        label = parse_year(label)
        if label in self.table:
            return label in self.forecast
        m = _FINANCIAL.fullmatch(label)
        if m:
            first = int(m.group(1))
            return str(first) in self.forecast or str(first + 1) in self.forecast
        y = int(label)
        return financial_year(y - 1) in self.forecast or financial_year(y) in self.forecast


def financial_year(first: int) -> str:
    """``2024`` -> ``"2024/25"`` (April 2024 to March 2025)."""
    return f"{first}/{(first + 1) % 100:02d}"


@dataclass(frozen=True)
class PriceBase:
    """Re-price every money figure to the prices of ``year`` with ``index``."""

    year: str
    index: PriceIndex

    def factor(self, price_year: str) -> float:
        """Multiply a figure in ``price_year`` prices by this to express it in ``year`` prices."""
        return _factor(self, price_year)

    @property
    def is_forecast(self) -> bool:
        return self.index.is_forecast(self.year)

    @property
    def label(self) -> str:
        """``2024/25 prices (forecast: OBR forecast of November 2023)``: the short form printed
        beside every headline money figure."""
        vintage = self.index.vintage or "a forecast in the index"
        return f"{self.year} prices" + (f" (forecast: {vintage})" if self.is_forecast else "")

    @property
    def statement(self) -> str:
        """The one sentence every output gives for its price base."""
        tail = (f"; {self.year} is a forecast year of the index ({self.index.vintage or 'forecast'}), "
                "not outturn" if self.is_forecast else "")
        return f"{self.year} prices, every money figure re-priced with the {self.index.name}{tail}"

    def describe(self) -> dict[str, object]:
        return {"reprice": True, "price_base_year": self.year, "index": self.index.name,
                "attribution": self.index.attribution, "forecast": self.is_forecast,
                "vintage": self.index.vintage if self.is_forecast else None,
                "label": self.label, "statement": self.statement}


@functools.lru_cache(maxsize=256)
def _factor(pb: PriceBase, price_year: str) -> float:
    return pb.index.value(pb.year, "price_base_year") / pb.index.value(price_year)


def read_index(path: Path | str, name: str | None = None, attribution: str = "") -> PriceIndex:
    """Read an index file: CSV with a header row holding ``year`` and ``value``."""
    path = Path(path)
    shown = str(path)
    # no message quotes the file's content (a wrong path must not show what another file holds)
    from .io.yaml import read_user_text

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
    """The shipped HM Treasury GDP deflator by financial year (December 2023, 2022/23 = 100),
    outturn to 2022/23 and the OBR's November 2023 forecast growth chained on after it."""
    rows = list(csv.DictReader(GDP_DEFLATOR_FILE.read_text(encoding="utf-8").splitlines()))
    values: list[tuple[str, float]] = []
    forecast: list[str] = []
    last = None
    for row in rows:
        year = parse_year(row["year"])
        if row["status"] == "forecast":
            if last is None:  # pragma: no cover - the shipped file starts with outturn
                raise InputFileError(f"{GDP_DEFLATOR_FILE}: a forecast year {year} before any outturn")
            last = last * (1 + float(row["per_cent_change"]) / 100)
            forecast.append(year)
        else:
            last = float(row["value"])
        values.append((year, last))
    return PriceIndex(GDP_DEFLATOR_NAME, tuple(values), GDP_DEFLATOR_ATTRIBUTION,
                      forecast=tuple(forecast), vintage=GDP_DEFLATOR_VINTAGE, default_year=DEFAULT_BASE_YEAR)


@functools.lru_cache(maxsize=1)
def calendar_gdp_deflator() -> PriceIndex:
    """The earlier shipped HM Treasury GDP deflator (calendar years, December 2025, 2024 = 100)."""
    return read_index(CALENDAR_DEFLATOR_FILE, CALENDAR_DEFLATOR_NAME, CALENDAR_DEFLATOR_ATTRIBUTION)


def price_base(year: object = None, index_file: Path | str | None = None) -> PriceBase:
    """A :class:`PriceBase` for ``year`` (default: :data:`DEFAULT_BASE_YEAR` with the shipped
    deflator, the latest year of a user's own index) with the GDP deflator or the index in
    ``index_file``."""
    index = read_index(index_file) if index_file is not None else gdp_deflator()
    if year is None:
        label = index.default_year or index.latest_year
    else:
        label = parse_year(year, "price_base_year")
    index.value(label, "price_base_year")  # the base year must be in the index
    return PriceBase(label, index)
