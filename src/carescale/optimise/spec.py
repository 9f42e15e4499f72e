"""What the user asks the optimiser: the objective and the constraints (one strict model for the
Python function, the ``--constraints`` YAML file and the command-line options)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal, Mapping

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from ..errors import OptimiseError, SettingsError
from ..formatting import parse_number
from ..library import display_path, format_validation_error, read_yaml
from ..schema import PAYERS
from ..schema.base import MAX_PEOPLE, MAX_VALUE

Objective = Literal["npv", "budget-impact", "probability", "social", "npv-with-social"]
OBJECTIVES: tuple[str, ...] = ("npv", "budget-impact", "probability")

#: The smallest ``step``: ten times HiGHS's primal feasibility tolerance (1e-7). Below it a step
#: cannot be kept (HiGHS drops matrix coefficients of 1e-9 and less, so a step of 1e-9 made every
#: scale 0 and the NPV £0 without a word).
MIN_STEP = 1e-6

#: The smallest scale a must-include model runs at when it has no minimum of its own.
MIN_RUNNING = 0.01

def parse_money(value: Any, field: str) -> float | None:
    """Pounds from a number or text such as ``250000``, ``£250k``, ``1.5m``; ``None``,
    ``unlimited`` and ``none`` mean no limit. Raises ValueError with the reason."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not valid; {field} must be a number of pounds, 0 or more")
    if isinstance(value, (int, float)):
        x = float(value)
    else:
        text = str(value).strip()
        if text.lower() in ("unlimited", "none", "no limit"):
            return None
        if text.startswith("-"):
            raise ValueError(f"{text!r} is not valid; {field} must be a number of pounds, 0 or more")
        try:  # read as every typed amount is (carescale.formatting): £2m, 250k, 2,000,000
            x = parse_number(text, "money", field)
        except SettingsError:
            raise ValueError(
                f"{text!r} is not valid; {field} must be a number of pounds, 0 or more (for example 250000, £250k or 1.5m)"
            ) from None
    if not math.isfinite(x) or x < 0:
        raise ValueError(f"{value!r} is not valid; {field} must be a number of pounds, 0 or more")
    if x > MAX_VALUE:
        raise ValueError(
            f"{value!r} is too large; {field} may be at most £{MAX_VALUE:,.0f} (write unlimited for no limit)"
        )
    return x


def _shown(v: Any) -> str:
    """A value as the user wrote it in YAML (``true``, not ``True``)."""
    return str(v).lower() if isinstance(v, bool) else repr(v)


def _scale(value: Any, field: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        x = float("nan")
    if isinstance(value, bool) or not math.isfinite(x) or not 0.0 <= x <= 1.0:
        raise ValueError(f"{field} is {value!r}; a scale must be a share of the model's potential from 0 to 1")
    return x


class OptimiseSpec(BaseModel):
    """The objective and constraints. Money is in pounds over the appraisal period unless the
    name says a year; every budget is optional (no limit).

    * ``objective``: ``npv`` (net present value), ``budget-impact`` (undiscounted net saving in
      appraisal year ``year``), or ``probability`` (share of Monte Carlo draws whose NPV is above
      zero), ``social`` (present value of social value: wellbeing and health, docs/appraisal.md
      "Social value") or ``npv-with-social`` (NPV plus the present value of social value: fiscal
      and social together); ``payer`` limits ``npv``/``budget-impact`` to one payer (``asc`` or ``nhs``).
    * ``budget``: set-up plus running cost over the appraisal period, all payers;
      ``setup_budget``: set-up only; ``running_budget``: running cost over the period;
      ``running_budget_per_year``: running cost in every appraisal year; ``payer_budgets``:
      set-up plus running cost over the period paid by each payer.
    * ``staff``: people available in each role (the models' workforce figures, at full scale).
    * ``min_scale``/``max_scale``: per model, a share of its potential (0 to 1; default 0 and 1);
      a model that runs runs at no less than its minimum.
    * ``include``/``exclude``: models that must run / must not run.
    * ``step``: scales in steps of this share (for example 0.1) instead of any share.
    * ``draws``/``seed``: Monte Carlo draws for the probability objective (default: the scenario
      document's ``uncertainty``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    objective: Objective = "npv"
    payer: Literal["asc", "nhs"] | None = None
    year: int | None = None
    budget: float | None = None
    setup_budget: float | None = None
    running_budget: float | None = None
    running_budget_per_year: float | None = None
    payer_budgets: dict[str, float] = {}
    staff: dict[str, float] = {}
    min_scale: dict[str, float] = {}
    max_scale: dict[str, float] = {}
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    step: float | None = None
    draws: int | None = None  # default: the scenario document's uncertainty draws
    seed: int | None = None  # default: the scenario document's uncertainty seed

    @field_validator("budget", "setup_budget", "running_budget", "running_budget_per_year", mode="before")
    @classmethod
    def _money(cls, v: Any, info) -> Any:
        return parse_money(v, info.field_name)

    @field_validator("payer_budgets", mode="before")
    @classmethod
    def _payer_money(cls, v: Any) -> Any:
        if not isinstance(v, Mapping):
            return v
        out = {}
        for k, x in v.items():
            if k not in PAYERS:
                raise ValueError(f"unknown payer {k!r}; valid payers are: {', '.join(PAYERS)}")
            m = parse_money(x, f"payer_budgets.{k}")
            if m is not None:
                out[k] = m
        return out

    @field_validator("staff", mode="before")
    @classmethod
    def _staff(cls, v: Any) -> Any:
        if not isinstance(v, Mapping):
            return v
        out = {}
        for k, x in v.items():
            try:
                n = float(x)
            except (TypeError, ValueError):
                n = float("nan")
            if isinstance(x, bool) or not math.isfinite(n) or n < 0:
                raise ValueError(f"{k} is {x!r}; the staff available must be a number of people, 0 or more")
            if n > MAX_PEOPLE:
                raise ValueError(f"{k} is {x!r}; the staff available may be at most {MAX_PEOPLE:,} people")
            out[str(k)] = n
        return out

    @field_validator("min_scale", "max_scale", mode="before")
    @classmethod
    def _scales(cls, v: Any, info) -> Any:
        if not isinstance(v, Mapping):
            return v
        return {str(k): _scale(x, str(k)) for k, x in v.items()}

    @field_validator("include", "exclude", mode="before")
    @classmethod
    def _ids(cls, v: Any) -> Any:
        if isinstance(v, str):
            return tuple(x.strip() for x in v.split(",") if x.strip())
        return v

    @field_validator("step", mode="before")
    @classmethod
    def _step(cls, v: Any) -> Any:
        if v is None:
            return v
        try:
            x = float(v)
        except (TypeError, ValueError):
            x = float("nan")
        if isinstance(v, bool) or not math.isfinite(x) or not 0.0 < x <= 1.0:
            raise ValueError(f"{v!r} is not valid; step must be a share above 0 and at most 1 (for example 0.1)")
        if x < MIN_STEP:
            raise ValueError(
                f"{v!r} is too small; step must be at least {MIN_STEP:g}: a smaller step is within the "
                "solver's tolerance and would be read as 0 (leave step out to allow any share)"
            )
        return x

    @field_validator("year", mode="before")
    @classmethod
    def _year(cls, v: Any) -> Any:
        if isinstance(v, bool):
            raise ValueError(f"{_shown(v)} is not valid; year must be a whole number of the appraisal (1 = the first year)")
        return v

    @field_validator("draws", mode="before")
    @classmethod
    def _draws(cls, v: Any) -> Any:
        if v is None:
            return v
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v != int(v) or not 10 <= v <= 100_000:
            raise ValueError(f"{_shown(v)} is not valid; draws must be a whole number from 10 to 100,000")
        return int(v)

    @field_validator("seed", mode="before")
    @classmethod
    def _seed(cls, v: Any) -> Any:
        if v is None:
            return v
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v != int(v) or v < 0:
            raise ValueError(f"{_shown(v)} is not valid; seed must be a whole number, 0 or more")
        return int(v)

    @model_validator(mode="after")
    def _check(self) -> "OptimiseSpec":
        for iid, lo in self.min_scale.items():
            hi = self.max_scale.get(iid, 1.0)
            if lo > hi:
                raise ValueError(
                    f"min_scale.{iid}: {lo:g} is above max_scale.{iid} {hi:g}; the minimum must not exceed the maximum"
                )
        both = sorted(set(self.include) & set(self.exclude))
        if both:
            raise ValueError(f"include: {both[0]!r} is also in exclude; a model cannot be both included and excluded")
        if self.objective != "budget-impact" and self.year is not None:
            raise ValueError("year: only the budget-impact objective takes a year")
        if self.objective == "budget-impact" and self.year is None:
            raise ValueError("year: the budget-impact objective needs the appraisal year to maximise (1 = the first year)")
        if self.objective in ("social", "npv-with-social") and self.payer is not None:
            raise ValueError(f"payer: social value is no payer's money; leave payer out of the {self.objective} objective")
        if self.objective == "probability" and self.payer is not None:
            raise ValueError("payer: the probability objective is the whole portfolio's NPV; leave payer out")
        return self


def _message(exc: ValidationError, where: str | None) -> str:
    extra = [e for e in exc.errors(include_url=False) if e["type"] == "extra_forbidden"]
    if extra:
        key = ".".join(str(p) for p in extra[0]["loc"])
        valid = ", ".join(OptimiseSpec.model_fields)
        return f"{where + ': ' if where else ''}unknown key {key!r}; valid keys are: {valid}"
    msg = format_validation_error(where or "optimise", exc)
    return msg if where else msg.removeprefix("optimise: ")


def make_spec(data: Mapping[str, Any] | None = None, where: str | None = None, **options: Any) -> OptimiseSpec:
    """An :class:`OptimiseSpec` from a mapping and/or keyword options (``None`` options are left
    out). Problems raise a one-line :class:`~carescale.errors.OptimiseError`."""
    if data is not None and not isinstance(data, Mapping):
        raise OptimiseError(f"{where or 'optimise'}: the constraints must be a mapping of keys to values")
    merged = {**(data or {}), **{k: v for k, v in options.items() if v is not None}}
    try:
        return OptimiseSpec.model_validate(merged)
    except ValidationError as exc:
        raise OptimiseError(_message(exc, where)) from None


def load_spec(path: Path | str, **options: Any) -> OptimiseSpec:
    """An :class:`OptimiseSpec` from a YAML file (see ``docs/optimise.md``), with ``options``
    overriding it."""
    return make_spec(read_yaml(Path(path)), display_path(Path(path)), **options)
