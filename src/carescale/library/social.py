"""The social value of outcomes people value (``data/social_values.yaml``, schema
:mod:`carescale.schema.social_value`; docs/appraisal.md "Social value").

:func:`social_values` reads HM Treasury's WELLBY and QALY values with their ranges and sources.
:func:`check_wider_benefits` checks a model's wider benefits against them: every one says how it
is valued; one valued in WELLBYs or QALYs at a chosen unit value keeps that value within the
cited range, and its money value per person is its units times that value, re-priced."""

from __future__ import annotations

import functools
from pathlib import Path

from ..errors import InputFileError
from ..io.messages import load_model
from ..io.paths import DATA_DIR
from ..schema.intervention import Intervention, WiderBenefit
from ..schema.social_value import SocialValue, SocialValueSet

PACKAGED = DATA_DIR / "social_values.yaml"


@functools.lru_cache(maxsize=4)
def social_values(path: Path | str = PACKAGED) -> SocialValueSet:
    """HM Treasury's value of a WELLBY and of a QALY (cached in the process, and on disk by the
    file (its size and times: :func:`carescale.cache.stat_key`)."""
    from ..cache import cached, stat_key

    path = Path(path)
    try:
        key = stat_key([path], "SocialValueSet")
    except OSError:  # a missing file: load_model says so in one line
        return load_model(SocialValueSet, path)
    return cached("social-values", key, lambda: load_model(SocialValueSet, path))


def cited(value: SocialValue) -> str:
    """``£10,000 to £16,000 (2019 prices; hmt-wellbeing-guidance-2021)``."""
    return f"£{value.low:,.0f} to £{value.high:,.0f} ({value.price_year} prices; {value.ref.document})"


def unit_value(wb: WiderBenefit, values: SocialValueSet | None = None) -> tuple[float, str] | None:
    """The pounds one WELLBY or QALY of ``wb`` is worth and their price year (None for ``source``)."""
    if wb.valued_by not in ("wellby", "qaly"):
        return None
    sv = (values or social_values()).values[wb.valued_by]
    return (wb.unit_value if wb.unit_value is not None else sv.value), sv.price_year


def check_wider_benefits(iv: Intervention, name: str, values: SocialValueSet | None = None) -> None:
    """One :class:`InputFileError` line for a wider benefit valued outside the cited range, or
    whose money value is not its units times the unit value (re-priced)."""
    from ..prices import gdp_deflator

    values = values or social_values()
    for wb in iv.wider_benefits:
        if wb.valued_by not in ("wellby", "qaly"):
            continue
        sv = values.values[wb.valued_by]
        field = f"{name}: wider_benefits[{wb.id}]"
        if wb.unit_value is not None and not sv.within(wb.unit_value):
            raise InputFileError(
                f"{field}.unit_value: £{wb.unit_value:,.0f} a {wb.valued_by.upper()} is outside the cited range, "
                f"{cited(sv)}; give a value within it"
            )
        per_unit, year = unit_value(wb, values)  # type: ignore[misc]
        index = gdp_deflator()
        pp = wb.value_per_person
        expected = wb.units_per_person * per_unit * index.value(pp.price_year or year) / index.value(year)  # type: ignore[operator]
        if abs(pp.value - expected) > 0.01 * expected:
            raise InputFileError(
                f"{field}.value_per_person: £{pp.value:,.2f} is not {wb.units_per_person:g} {wb.valued_by.upper()}s "
                f"x £{per_unit:,.0f} ({year} prices) re-priced to {pp.price_year}, £{expected:,.2f}; give that value"
            )
