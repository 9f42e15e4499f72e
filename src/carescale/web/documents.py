"""The one adapter between the web app and the scenario document (docs/web.md).

Every page and API call describes "what was asked" as a scenario document (the contract of
``carescale.scenarios``) and calls the functions here: :func:`parse`, :func:`run`,
:func:`appraise`, :func:`uncertainty`. They return the same JSON-able dicts the CLI prints for
``run/appraise/uncertainty --format json``. Nothing else in ``carescale.web`` touches the engine.

Until ``carescale.scenarios`` is in the package this module carries a minimal stand-in
(:class:`_Document`) over the existing API (``define_scenario``, ``evaluate``, ``appraise``,
``run_uncertainty``).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Callable, Literal, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import CarescaleError, SettingsError

Progress = Callable[[str, int, int], None]


# -- stand-in until carescale.scenarios lands ------------------------------------------------------


class _AreaRef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    inline: dict[str, Any] | None = None
    file: str | None = None


class _Document(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: Literal[1] = 1
    area: str | _AreaRef = "birmingham"
    interventions: list[str] | None = None
    basis: Literal["potential", "current"] = "potential"
    scale: dict[str, float] = Field(default_factory=dict)
    overrides: dict[str, float] = Field(default_factory=dict)
    appraisal: dict[str, Any] = Field(default_factory=dict)
    uncertainty: dict[str, Any] = Field(default_factory=dict)
    note: str = ""

    def canonical_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @property
    def scenario_id(self) -> str:
        return hashlib.sha256(self.canonical_json().encode()).hexdigest()[:16]


def _message(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "scenario"
    return f"{where}: {err['msg']}"


def _fallback_parse(data: Mapping[str, Any]) -> _Document:
    try:
        return _Document.model_validate(dict(data))
    except ValidationError as exc:
        raise SettingsError(_message(exc)) from None


def _fallback_scenario(doc: _Document):
    from ..library import default_library
    from ..scenario import define_scenario

    if doc.scale and any(v != 1 for v in doc.scale.values()):
        raise SettingsError("scale: needs carescale.scenarios, which is not installed yet")
    lib = default_library()
    area: Any = doc.area
    if isinstance(area, _AreaRef):
        if area.inline is None:
            raise SettingsError("area.file: the web app takes an uploaded template, not a file path")
        from ..library import parse_model
        from ..schema import Area

        parsed = lib.check_area(parse_model(Area, area.inline, "area.inline"), "area.inline")
        lib = lib.with_area(parsed, "area.inline")
        area = parsed.id
    return define_scenario(area, doc.interventions, doc.basis, library=lib)


def _fallback_values(doc: _Document, scenario: Any):
    from ..engine import ParameterTable

    params = ParameterTable.from_scenario(scenario)
    return params, params.with_values(doc.overrides)


# -- the adapter --------------------------------------------------------------------------------------


def _scenarios() -> Any | None:
    try:
        from .. import scenarios
    except ImportError:
        return None
    return scenarios


def parse(data: Any) -> Any:
    """A scenario document from a JSON mapping (or a document already parsed); a
    :class:`CarescaleError` naming the field for anything invalid."""
    sc = _scenarios()
    if sc is not None and isinstance(data, sc.ScenarioDocument) or isinstance(data, _Document):
        return data
    if not isinstance(data, Mapping):
        raise SettingsError("scenario: the body must be a JSON object (a scenario document)")
    if sc is None:
        return _fallback_parse(data)
    return sc.parse_data(dict(data), None)


def scenario_id(doc: Any) -> str:
    return parse(doc).scenario_id


def canonical(doc: Any) -> dict[str, Any]:
    """The document as the JSON mapping it is stored and hashed as."""
    return json.loads(parse(doc).canonical_json())


def run(doc: Any) -> dict[str, Any]:
    d = parse(doc)
    sc = _scenarios()
    if sc is not None:
        return sc.run_document(d)
    from ..engine import evaluate
    from ..report import summary

    scenario = _fallback_scenario(d)
    params, values = _fallback_values(d, scenario)
    return summary(evaluate(scenario, values, parameters=params))


def appraise(doc: Any) -> dict[str, Any]:
    d = parse(doc)
    sc = _scenarios()
    if sc is not None:
        return sc.appraise_document(d)
    from .. import appraisal

    scenario = _fallback_scenario(d)
    params, values = _fallback_values(d, scenario)
    settings = appraisal.make_settings(dict(d.appraisal))
    return appraisal.appraisal_summary(appraisal.appraise(scenario, settings, values, params))


def uncertainty(doc: Any, progress: Progress | None = None) -> dict[str, Any]:
    d = parse(doc)
    sc = _scenarios()
    if sc is not None:
        return sc.uncertainty_document(d, progress=progress)
    from ..uncertainty import UncertaintySettings, run_uncertainty

    if d.overrides:
        raise SettingsError("overrides: uncertainty with overrides needs carescale.scenarios, not installed yet")
    try:
        settings = UncertaintySettings(**d.uncertainty)
    except TypeError as exc:
        raise SettingsError(f"uncertainty: {exc}") from None
    return run_uncertainty(_fallback_scenario(d), settings, progress)


def draws(doc: Any) -> int:
    """How many Monte Carlo draws the document asks for (the CLI's default when it says none)."""
    d = parse(doc)
    u = d.uncertainty
    value = getattr(u, "draws", None) if not isinstance(u, Mapping) else u.get("draws")
    return int(value) if value else 10_000
