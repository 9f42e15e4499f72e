"""Appraisal settings: what a user may change for one appraisal, with defaults from
``data/appraisal_defaults.yaml``.

Settings are plain numbers (the defaults file holds the references). Anything out of range raises
a one-line :class:`~carescale.errors.SettingsError` naming the field, the bad value and what is
valid, for example ``years: -1 is not valid; the appraisal period must be a whole number of years
from 1 to 60``.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import re
from pathlib import Path
from typing import Any, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import SettingsError
from ..formatting import parse_number
from ..library import DATA_DIR, display_path, format_loc, load_model
from ..schema.appraisal import SETUP_TIMINGS, AppraisalDefaults

MAX_YEARS = 60
MAX_RATE = 0.20
MAX_MONTHS = 120.0

DEFAULTS_FILE = DATA_DIR / "appraisal_defaults.yaml"


@functools.lru_cache(maxsize=1)
def appraisal_defaults() -> AppraisalDefaults:
    """The shipped defaults (Green Book schedule, optimism-bias table, additionality, ramp-up),
    validated once and kept in carescale's disk cache (:mod:`carescale.cache`, keyed by the file
    and carescale's source): a fresh process does not parse the YAML nor build the schema's
    validators to read them (start-up of ``carescale run``, issue 25)."""
    from ..cache import cached, stat_key

    return cached("appraisal-defaults", stat_key([DEFAULTS_FILE], "AppraisalDefaults"),
                  lambda: load_model(AppraisalDefaults, DEFAULTS_FILE))


def _share(value: Any, field: str) -> float:
    """A share as a number (0.09) or as people type it (9%, read by carescale.formatting)."""
    try:
        x = parse_number(value, "share", field) if isinstance(value, str) else float(value)
    except (TypeError, ValueError, SettingsError):
        raise ValueError(f"{value!r} is not a number; {field} must be a share from 0 to 1 (9% or 0.09)") from None
    if not math.isfinite(x) or not 0.0 <= x <= 1.0:
        raise ValueError(f"{value!r} is not valid; {field} must be a share from 0 to 1")
    return x


def _months(value: Any, field: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not a number; {field} must be a number of months from 0 to {MAX_MONTHS:g}") from None
    if not math.isfinite(x) or not 0.0 <= x <= MAX_MONTHS:
        raise ValueError(f"{value!r} is not valid; {field} must be a number of months from 0 to {MAX_MONTHS:g}")
    return x


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class OutcomeAdjustment(_Strict):
    """Additionality for one outcome (or spend reduction) of an intervention, by its id."""

    deadweight: float | None = None
    attribution: float | None = None

    @field_validator("deadweight", "attribution", mode="before")
    @classmethod
    def _check_share(cls, v: Any, info) -> Any:
        return None if v is None else _share(v, info.field_name)


class InterventionAdjustment(_Strict):
    """Settings for one intervention. Any left out take the defaults.

    ``deadweight``/``attribution`` apply to all its outcomes unless ``outcomes`` names one;
    ``lag_months`` delays its savings (not its costs); ``drop_off`` lowers its savings by that
    share each year after they start; the ramp-up months replace the source's or the default.
    """

    deadweight: float | None = None
    attribution: float | None = None
    lag_months: float | None = None
    drop_off: float | None = None
    months_to_first_beneficiary: float | None = None
    months_to_full_scale: float | None = None
    #: years the effect is counted from the first saving (None: the whole appraisal)
    duration_years: float | None = None
    green_book_category: str | None = None
    confidence_grade: int | None = None
    outcomes: dict[str, OutcomeAdjustment] = Field(default_factory=dict)

    @field_validator("green_book_category", mode="before")
    @classmethod
    def _check_category(cls, v: Any) -> Any:
        valid = list(appraisal_defaults().optimism_bias_methods.green_book)
        if v is not None and v not in valid:
            raise ValueError(f"{v!r} is not valid; green_book_category must be one of: {', '.join(valid)}")
        return v

    @field_validator("confidence_grade", mode="before")
    @classmethod
    def _check_grade(cls, v: Any) -> Any:
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 6):
            raise ValueError(f"{v!r} is not valid; confidence_grade must be a whole number from 1 to 6")
        return v

    @field_validator("duration_years", mode="before")
    @classmethod
    def _check_duration(cls, v: Any, info) -> Any:
        if v is None:
            return None
        try:
            x = float(v)
        except (TypeError, ValueError):
            raise ValueError(f"{v!r} is not a number; duration_years must be a number of years from 0 to 60") from None
        if isinstance(v, bool) or not math.isfinite(x) or not 0.0 <= x <= 60:
            raise ValueError(f"{v!r} is not valid; duration_years must be a number of years from 0 to 60")
        return x

    @field_validator("deadweight", "attribution", "drop_off", mode="before")
    @classmethod
    def _check_share(cls, v: Any, info) -> Any:
        return None if v is None else _share(v, info.field_name)

    @field_validator("lag_months", "months_to_first_beneficiary", "months_to_full_scale", mode="before")
    @classmethod
    def _check_months(cls, v: Any, info) -> Any:
        return None if v is None else _months(v, info.field_name)


def next_financial_year_start(today: _dt.date | None = None) -> _dt.date:
    """1 April of the next financial year from ``today`` (default: today): 2027-04-01 from any day
    between 2026-04-01 and 2027-03-31. The web's default start date for a new scenario."""
    today = today or _dt.date.today()
    return _dt.date(today.year + 1 if today >= _dt.date(today.year, 4, 1) else today.year, 4, 1)


def _default_years() -> int:
    return int(appraisal_defaults().period.years.value)


def _default_start() -> _dt.date:
    return appraisal_defaults().period.start_date


def _default_price_year() -> str:
    return appraisal_defaults().period.price_base_year


def _default_setup_timing() -> str:
    return appraisal_defaults().period.setup_timing



@functools.lru_cache(maxsize=1)
def no_adjustment() -> InterventionAdjustment:
    """The settings of a model the appraisal's settings do not name (every field left out): one
    object, read only, instead of a new one validated on every look-up."""
    return InterventionAdjustment()


class AppraisalSettings(_Strict):
    """The settings of one appraisal.

    * ``years``: appraisal period, whole years from 1 to 60 (default 10).
    * ``start_date``: the date month 1 starts (for Shared Lives: the coordinator is in post).
    * ``price_base_year``: a label; figures stay in their sources' prices.
    * ``discount_rate``: ``None`` (default) uses the Green Book schedule (3.5% a year for years
      0-30, then declining); a number from 0 to 0.2 is used flat for every year.
    * ``optimism_bias``: apply an optimism-bias adjustment (default True);
      ``optimism_bias_method``: ``green-book`` (the default: HM Treasury's supplementary guidance
      categories), ``gmca`` (the GMCA/New Economy confidence grades) or ``nesta-levels`` (our
      own table by Nesta evidence level; what the ``paper`` preset uses); None: the default.
    * ``counterfactual``: give each model the deadweight, attribution, drop-off and duration of
      its evidence design where ``interventions`` sets none (default True; the ``paper`` method
      never does).
    * ``setup_timing``: ``up-front`` (default: every tranche the chosen scale needs in month 1)
      or ``as-places-fill`` (tranche 1 in month 1, each next one when the places already bought
      are full).
    * ``interventions``: per-intervention additionality and ramp-up, by intervention id.
    """

    years: int = Field(default_factory=_default_years)
    start_date: _dt.date = Field(default_factory=_default_start)
    price_base_year: str = Field(default_factory=_default_price_year)
    discount_rate: float | None = None
    optimism_bias: bool = True
    optimism_bias_method: str | None = None
    counterfactual: bool = True
    setup_timing: str = Field(default_factory=_default_setup_timing)
    interventions: dict[str, InterventionAdjustment] = Field(default_factory=dict)

    def __init__(self, **data: Any) -> None:
        """``AppraisalSettings(years=5)`` from Python: a bad value is a one-line SettingsError
        (as from :func:`make_settings`), not pydantic's multi-line ValidationError."""
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise SettingsError(_message(exc, None)) from None

    @model_validator(mode="after")
    def _ends_by_9999(self) -> "AppraisalSettings":
        if self.start_date.year + self.years > 9999:
            raise ValueError(
                f"start_date: {self.start_date.isoformat()} with {self.years} years would run past the "
                f"year 9999; give a start date in {9999 - self.years} or earlier"
            )
        return self

    @field_validator("optimism_bias_method", mode="before")
    @classmethod
    def _check_method(cls, v: Any) -> Any:
        from ..schema.appraisal import OPTIMISM_BIAS_METHODS

        if v is not None and v not in OPTIMISM_BIAS_METHODS:
            raise ValueError(f"{v!r} is not valid; optimism_bias_method must be one of: {', '.join(OPTIMISM_BIAS_METHODS)}")
        return v

    @property
    def optimism_bias_method_used(self) -> str:
        """The method in force: the one named, or the shipped default (``green-book``)."""
        return self.optimism_bias_method or appraisal_defaults().optimism_bias_methods.default

    @field_validator("setup_timing", mode="before")
    @classmethod
    def _check_timing(cls, v: Any) -> str:
        if v not in SETUP_TIMINGS:
            raise ValueError(f"{v!r} is not valid; setup_timing must be one of: {', '.join(SETUP_TIMINGS)}")
        return v

    @field_validator("years", mode="before")
    @classmethod
    def _check_years(cls, v: Any) -> int:
        bad = f"{v!r} is not valid; the appraisal period must be a whole number of years from 1 to {MAX_YEARS}"
        if isinstance(v, bool):
            raise ValueError(bad)
        if isinstance(v, str):
            try:
                v = int(v.strip())
            except ValueError:
                raise ValueError(bad) from None
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        if not isinstance(v, int) or not 1 <= v <= MAX_YEARS:
            raise ValueError(bad)
        return v

    @field_validator("start_date", mode="before")
    @classmethod
    def _check_date(cls, v: Any) -> _dt.date:
        if isinstance(v, _dt.datetime):
            return v.date()
        if isinstance(v, _dt.date):
            return v
        try:
            return _dt.date.fromisoformat(str(v).strip())
        except ValueError:
            raise ValueError(
                f"{v!r} is not a date; give it as YYYY-MM-DD, for example 2026-04-01"
            ) from None

    @field_validator("price_base_year", mode="before")
    @classmethod
    def _check_price_year(cls, v: Any) -> str:
        s = str(v).strip()
        m = re.fullmatch(r"(\d{4})/(\d{2})", s)
        if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
            raise ValueError(f"{v!r} is not a financial year; give it as YYYY/YY, for example 2015/16")
        return s

    @field_validator("discount_rate", mode="before")
    @classmethod
    def _check_rate(cls, v: Any) -> float | None:
        if v is None:
            return None
        x = parse_rate(v)
        if not math.isfinite(x) or not 0.0 <= x <= MAX_RATE:
            raise ValueError(
                f"{v!r} is outside 0-20%; give a rate a year from 0 to 0.2 (0.035 or 3.5% is 3.5%)"
            )
        return x

    @field_validator("optimism_bias", "counterfactual", mode="before")
    @classmethod
    def _check_bool(cls, v: Any, info) -> bool:
        if isinstance(v, bool):
            return v
        raise ValueError(f"{v!r} is not valid; {info.field_name} must be true or false")


def parse_rate(v: Any) -> float:
    """A rate as a fraction: ``0.035``, ``"0.035"`` or ``"3.5%"`` all give 0.035."""
    if isinstance(v, bool):
        raise ValueError(f"{v!r} is not a number; give a rate a year from 0 to 0.2 (0.035 or 3.5% is 3.5%)")
    s = str(v).strip()
    pct = s.endswith("%")
    try:
        x = float(s[:-1].strip() if pct else s) if isinstance(v, str) else float(v)
    except (TypeError, ValueError):
        raise ValueError(f"{v!r} is not a number; give a rate a year from 0 to 0.2 (0.035 or 3.5% is 3.5%)") from None
    return x / 100.0 if pct else x


def _message(exc: ValidationError, where: str | None) -> str:
    err = exc.errors(include_url=False)[0]
    loc = format_loc(err["loc"])
    if err["type"] == "value_error":
        msg = str(err["msg"]).removeprefix("Value error, ")
    elif err["type"] == "extra_forbidden":
        model_fields = _fields_at(err["loc"][:-1])
        msg = f"unknown setting; valid settings here are: {', '.join(model_fields)}"
    else:
        msg = f"{err['msg']} (got {err.get('input')!r})"
    head = ": ".join(p for p in (where, loc) if p)
    return f"{head}: {msg}" if head else msg


def _fields_at(loc: tuple) -> list[str]:
    """The valid keys at a location in the settings (for the unknown-key message)."""
    model: type[BaseModel] = AppraisalSettings
    i = 0
    while i < len(loc):
        key = loc[i]
        if model is AppraisalSettings and key == "interventions":
            model, i = InterventionAdjustment, i + 2
        elif model is InterventionAdjustment and key == "outcomes":
            model, i = OutcomeAdjustment, i + 2
        else:
            i += 1
    return list(model.model_fields)


def make_settings(data: Mapping[str, Any] | None = None, where: str | None = None, **overrides: Any) -> AppraisalSettings:
    """Validate settings (a mapping, plus keyword overrides that are not None) into
    :class:`AppraisalSettings`; a problem raises a one-line :class:`SettingsError`."""
    merged = dict(data or {})
    merged.update({k: v for k, v in overrides.items() if v is not None})
    pre = f"{where}: " if where else ""
    for key in merged:
        if not isinstance(key, str):  # a YAML number key (pydantic would raise a TypeError)
            raise SettingsError(f"{pre}{key!r}: unknown setting; valid settings here are: {', '.join(AppraisalSettings.model_fields)}")
    try:
        settings = AppraisalSettings.model_validate(merged)
    except ValidationError as exc:
        raise SettingsError(_message(exc, where)) from None
    except SettingsError as exc:  # raised by AppraisalSettings.__init__, which names no file
        raise SettingsError(f"{where}: {exc.message}" if where else exc.message) from None
    _check_ids(settings, where)
    return settings


def _check_ids(settings: AppraisalSettings, where: str | None) -> None:
    """Intervention and outcome ids in the settings must be in the library."""
    if not settings.interventions:  # nothing to check (nor the saved areas' folder to look at)
        return
    from ..library import default_library

    ivs = default_library().interventions
    pre = f"{where}: " if where else ""
    for iid, adj in settings.interventions.items():
        if iid not in ivs:
            raise SettingsError(
                f"{pre}interventions.{iid}: unknown intervention; valid intervention ids are: {', '.join(sorted(ivs))}"
            )
        valid = list(dict.fromkeys(o.id for seg in ivs[iid].segments for o in (*seg.outcomes, *seg.spend_reductions)))
        for oid in adj.outcomes:
            if oid not in valid:
                raise SettingsError(
                    f"{pre}interventions.{iid}.outcomes.{oid}: unknown outcome; valid outcome ids of {iid} are: "
                    f"{', '.join(valid)}"
                )


def load_settings(path: Path | str, **overrides: Any) -> AppraisalSettings:
    """Read a settings YAML file (keys as in :class:`AppraisalSettings`), then apply overrides."""
    path = Path(path)
    from ..io.yaml import read_yaml

    data = read_yaml(path)  # dates arrive as text; make_settings checks them
    return make_settings(data, display_path(path), **overrides)


def describe_optimism_bias(method: str | None, on: bool = True) -> str:
    """One plain sentence on the optimism-bias method an appraisal used (reports, pages)."""
    if not on:
        return "Off: costs and savings as the evidence gives them."
    d = appraisal_defaults()
    method = method or d.optimism_bias_methods.default
    if method == "green-book":
        cat = d.optimism_bias_methods.green_book[d.optimism_bias_methods.green_book_category]
        return ("HM Treasury's supplementary Green Book guidance on optimism bias: costs (running and set-up) "
                f"raised by the upper bound of the model's project category (outsourcing, +{cat.costs.value:.0%}, "
                "unless the settings name another); savings not reduced, as the Green Book gives no generic "
                "value for benefits.")
    if method == "gmca":
        grades = "; ".join(f"grade {g} {x.correction.value:.0%}" for g, x in sorted(d.optimism_bias_methods.gmca.items()))
        return ("The GMCA/New Economy confidence-grade method (supplementary Green Book guidance for local "
                f"partnerships): costs raised and savings lowered by the correction of each model's grade ({grades}; "
                f"grade {d.optimism_bias_methods.gmca_grade} unless the settings say otherwise). The percentages "
                "are not yet checked against the guidance.")
    levels = "; ".join(f"level {lvl} +{v.costs.value:.0%} / -{v.benefits.value:.0%}" for lvl, v in sorted(d.optimism_bias.items()))
    return f"carescale's own table by strength of evidence (Nesta level): {levels}."
