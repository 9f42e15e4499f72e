"""The scenario document: everything a result depends on, in one strict, versioned file.

A :class:`ScenarioDocument` holds the area, the interventions and basis, how far each model is
scaled, the overrides, the appraisal and uncertainty settings, the price base and a note. It is
frozen and rejects unknown keys; its canonical serialisation (:meth:`canonical_json`) and the
content hash of that (:attr:`scenario_id`) are the same wherever the same inputs are given, in
whatever key order or layout. docs/scenarios.md describes every field.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, PrivateAttr, ValidationError, field_validator, model_validator

from ..errors import InputFileError, SettingsError
from ..library import display_path, format_validation_error
from ..safe_text import finite_json
from ..schema import Area
from ..schema.base import MAX_PEOPLE, MAX_VALUE, Distribution, StrictModel

VERSION = 1

#: Every field of a document that names a file, as a dotted path. Such a field is read only
#: when the document comes from the command line or Python (``origin="cli"``); a document from
#: the web or the API (``origin="web"``) naming any of them is refused before anything is
#: opened, with the same line whatever the path (tests/security walks the schema to keep this
#: list complete).
FILE_FIELDS = ("area.file", "price_index")
ORIGINS = ("cli", "web")


class AreaFile(StrictModel):
    """An area profile file: YAML, or a filled-in template (.csv/.xlsx). A relative path is
    read from the folder of the scenario file."""

    file: str


class AreaInline(StrictModel):
    """The area profile itself, written into the scenario (self-contained, for sharing)."""

    inline: Area


class Override(StrictModel):
    """A new figure for one parameter path, optionally with its own range and a note."""

    value: float
    low: float | None = None
    high: float | None = None
    distribution: Distribution | None = None
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _numbers(cls, data: Any) -> Any:
        return _refuse_non_numbers(data, ("value", "low", "high"))

    @model_validator(mode="after")
    def _check(self) -> "Override":
        for k in ("value", "low", "high"):
            x = getattr(self, k)
            if x is not None and not math.isfinite(x):
                raise ValueError(f"{k} {x} is not a finite number")
            if x is not None and abs(x) > MAX_VALUE:  # every unit's bound is at most this (schema.base)
                raise ValueError(
                    f"{k} {x:g} is too large; no figure may be above {MAX_VALUE:,.0f} (people at most {MAX_PEOPLE:,})"
                )
        if (self.low is None) != (self.high is None):
            raise ValueError(f"give both low and high, or neither; {'high' if self.high is None else 'low'} is missing")
        return self


class UncertaintyOptions(StrictModel):
    """The settings of ``carescale uncertainty`` (see :class:`carescale.UncertaintySettings`)."""

    draws: int = 10_000
    seed: int = 20170301
    width_scale: float = 1.0
    npv: bool = Field(default=True, strict=True)  # true or false, never 0/1 or "yes"
    sobol: bool = Field(default=False, strict=True)
    sobol_samples: int = 1024
    bins: int = 30

    @model_validator(mode="before")
    @classmethod
    def _numbers(cls, data: Any) -> Any:
        return _refuse_non_numbers(data, ("draws", "seed", "width_scale", "sobol_samples", "bins"))

    @model_validator(mode="after")
    def _check(self) -> "UncertaintyOptions":
        self.settings()
        return self

    def settings(self):
        from ..uncertainty.settings import UncertaintySettings

        try:
            return UncertaintySettings(**self.model_dump())
        except SettingsError as exc:
            raise ValueError(exc.message) from None


def _refuse_non_numbers(data: Any, fields: tuple[str, ...]) -> Any:
    """A number field given true/false, or a number written as text, is refused (JSON and YAML
    say what they mean: ``true`` is not 1 and ``"100"`` is not 100). Other text is left to the
    model, whose message names it."""
    if isinstance(data, dict):
        for k in fields:
            v = data.get(k)
            if isinstance(v, bool):
                continue  # the field's own strict check names it ("uncertainty.draws: true is not a number")
            if isinstance(v, str):
                try:
                    float(v)
                except ValueError:
                    continue
                raise ValueError(f"{k}: {json.dumps(v)} is text, not a number; write the number without quotes")
    return data


def _appraisal_settings(value: Any):
    from ..appraisal.settings import AppraisalSettings, make_settings

    if value is None or isinstance(value, AppraisalSettings):
        return value if value is not None else make_settings()
    if not isinstance(value, dict):
        raise ValueError(f"{type(value).__name__} is not valid; give a mapping of appraisal settings")
    try:
        return make_settings(value)
    except SettingsError as exc:
        raise ValueError(exc.message) from None


class ScenarioDocument(StrictModel):
    """One scenario: what was asked, in full. Field by field (docs/scenarios.md):

    * ``version``: 1.
    * ``area``: a built-in or saved area id, ``{file: path}`` or ``{inline: {...profile...}}``.
    * ``interventions``: ids, or None for the paper's default portfolio.
    * ``basis``: ``potential`` (scale up by each model's rule) or ``current`` (what runs today).
    * ``scale``: intervention id -> share of its potential, 0 to 1 (default 1 each).
    * ``overrides``: parameter path -> number or ``{value, low, high, distribution, note}``;
      paths as ``carescale parameters`` lists them plus ``<intervention>.<segment>.people``.
    * ``appraisal``: the :class:`carescale.AppraisalSettings` fields.
    * ``uncertainty``: draws, seed, width_scale, npv, sobol, sobol_samples, bins.
    * ``reprice`` / ``price_base_year`` / ``price_index``: re-price every money figure to one
      year's prices (default: yes, to the latest year of the index, the HM Treasury GDP deflator
      unless ``price_index`` names a file of your own).
    * ``preset``: ``paper`` reproduces the paper: prices as published (each figure in its source's
      price year, ``reprice: false``); the other fields keep the paper's settings unless the
      document changes them. It cannot be combined with ``reprice: true``, ``price_base_year``
      or ``price_index``.
    * ``note``: free text.
    """

    version: int = VERSION
    area: str | AreaFile | AreaInline = "birmingham"
    interventions: tuple[str, ...] | None = None
    basis: Literal["potential", "current"] = "potential"
    scale: dict[str, float] = Field(default_factory=dict)
    overrides: dict[str, Override] = Field(default_factory=dict)
    appraisal: Any = Field(default=None, validate_default=True)
    uncertainty: UncertaintyOptions = Field(default_factory=UncertaintyOptions)
    preset: Literal["paper"] | None = None
    reprice: bool = Field(default=True, strict=True)
    price_base_year: str | None = None
    price_index: str | None = None
    note: str = ""

    _base_dir: Path | None = PrivateAttr(default=None)
    _source: str | None = PrivateAttr(default=None)
    _origin: str = PrivateAttr(default="cli")

    @model_validator(mode="before")
    @classmethod
    def _apply_preset(cls, data: Any) -> Any:
        """``preset: paper`` means published prices; a price setting beside it is a contradiction."""
        if isinstance(data, dict) and data.get("preset") == "paper":
            clash = [k for k in ("price_base_year", "price_index") if data.get(k) is not None]
            if data.get("reprice") is True:
                clash.insert(0, "reprice: true")
            if clash:
                raise ValueError(
                    f"preset: paper keeps the prices as published, so it cannot go with {', '.join(clash)}; "
                    "remove one of them"
                )
            data = {**data, "reprice": False}
            appraisal = data.get("appraisal")
            if appraisal is None or (isinstance(appraisal, dict) and appraisal.get("optimism_bias_method") is None):
                # the paper's settings: our optimism-bias table by Nesta level, as before the named methods
                data["appraisal"] = {**(appraisal or {}), "optimism_bias_method": "nesta-levels"}
        return data

    @field_validator("version", mode="before")
    @classmethod
    def _check_version(cls, v: Any) -> int:
        if isinstance(v, bool) or v != VERSION:
            raise ValueError(f"{v!r} is not a scenario version this carescale reads; the version is {VERSION}")
        return VERSION

    @field_validator("area", mode="before")
    @classmethod
    def _check_area(cls, v: Any) -> Any:
        if isinstance(v, dict) and not ({"file"} == set(v) or {"inline"} == set(v)):
            raise ValueError("give an area id, {file: path} or {inline: {...area profile...}}")
        if isinstance(v, str) and not v.strip():
            raise ValueError("the area id is empty; give an area id (see 'carescale areas list')")
        return v

    @field_validator("interventions", mode="before")
    @classmethod
    def _check_ids(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = [x.strip() for x in v.split(",") if x.strip()]
        if v is not None and not v:
            raise ValueError("the list is empty; name at least one intervention, or leave it out for the default portfolio")
        return v

    @field_validator("scale", mode="before")
    @classmethod
    def _check_scale(cls, v: Any) -> Any:
        if isinstance(v, dict):
            for iid, x in v.items():
                ok = not isinstance(x, bool) and isinstance(x, (int, float)) and math.isfinite(x) and 0 <= x <= 1
                if not ok:
                    raise ValueError(f"{iid}: {x!r} is not valid; give a share of the potential from 0 to 1")
        return v

    @field_validator("overrides", mode="before")
    @classmethod
    def _check_overrides(cls, v: Any) -> Any:
        if isinstance(v, dict):
            out = {}
            for path, spec in v.items():
                if not isinstance(path, str) or not path.strip():
                    raise ValueError(f"{path!r} is not a parameter path")
                if isinstance(spec, bool):
                    raise ValueError(f"{path}: {str(spec).lower()} is not a number; give the number itself")
                out[path.strip()] = {"value": spec} if isinstance(spec, (int, float, str)) else spec
            return out
        return v

    @field_validator("appraisal", mode="before")
    @classmethod
    def _check_appraisal(cls, v: Any) -> Any:
        return _appraisal_settings(v)

    @field_validator("price_base_year", mode="before")
    @classmethod
    def _check_year(cls, v: Any) -> Any:
        if v is None:
            return None
        from ..prices import parse_year

        try:
            return parse_year(v, "year")
        except SettingsError as exc:
            raise ValueError(exc.message.removeprefix("year: ")) from None

    # -- serialisation ---------------------------------------------------------------------
    def data(self) -> dict[str, Any]:
        """The document as plain data (every field, defaults filled in)."""
        out = self.model_dump(mode="json")
        out["overrides"] = {k: {f: x for f, x in o.items() if x is not None} for k, o in sorted(out["overrides"].items())}
        return out

    def canonical_json(self) -> str:
        """Sorted keys, no white space, every default filled in: the same for the same inputs."""
        return finite_json(self.data(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @property
    def scenario_id(self) -> str:
        """A stable content hash of :meth:`canonical_json` (20 hex digits of SHA-256)."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()[:20]

    def to_yaml(self) -> str:
        from ..io.yaml import dump_yaml

        return dump_yaml(self.data())

    def to_json(self) -> str:
        return finite_json(self.data(), indent=2, ensure_ascii=False)

    @property
    def base_dir(self) -> Path | None:
        return self._base_dir

    @property
    def origin(self) -> str:
        """``cli`` (may name files on this computer) or ``web`` (may not: see FILE_FIELDS)."""
        return self._origin

    @property
    def source(self) -> str | None:
        """The file the document was read from (for messages), if any."""
        return self._source

    def with_changes(self, **fields: Any) -> "ScenarioDocument":
        """A new, validated document with some fields replaced (``overrides`` merged)."""
        data = self.data()
        if fields.get("preset") == "paper" and "reprice" not in fields:
            data.pop("reprice")  # the filled-in default gives way to the preset
        for k, v in fields.items():
            if k == "overrides":
                data["overrides"] = {**data["overrides"], **v}
            else:
                data[k] = v
        doc = parse_data(data, self._source or "scenario", origin=self._origin)
        doc._base_dir, doc._source = self._base_dir, self._source
        return doc


def _named_file(data: Any, field: str) -> bool:
    """Whether raw document data gives a value for the dotted ``field``."""
    node = data
    for part in field.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return node is not None


def refuse_files(data: Any, where: str = "") -> None:
    """Refuse a document from the web or the API that names a file (any of FILE_FIELDS): one
    line naming the field, never the path or anything the path holds, and the same line whether
    or not the path exists (nothing is opened)."""
    for field in FILE_FIELDS:
        if _named_file(data, field):
            raise InputFileError(
                f"{where}{field}: files on the server cannot be named in a scenario sent over the web; "
                "upload an area template instead, or run the scenario with the carescale command"
            )


def parse_data(data: Any, name: str | None = "scenario", *, origin: str = "cli") -> ScenarioDocument:
    """A document from plain data. Problems raise one line, ``NAME: field: message`` (with
    ``name=None``, ``field: message``: the form the JSON API turns into field-level detail); an
    unknown top-level key is named as the field. ``origin="web"``: the document came from the
    web or the API, so a field naming a file (FILE_FIELDS) is refused (:func:`refuse_files`)
    and the document never opens one."""
    if origin not in ORIGINS:
        raise ValueError(f"origin {origin!r} is not one of {ORIGINS}")
    where = f"{name}: " if name else ""
    if not isinstance(data, dict):
        raise InputFileError(f"{where}the top level must be a mapping of keys to values, not a {type(data).__name__}")
    if origin == "web":
        refuse_files(data, where)
    unknown = [k for k in data if k not in ScenarioDocument.model_fields]
    try:
        doc = ScenarioDocument.model_validate(data)
    except ValidationError as exc:
        line = format_validation_error("", exc, data).removeprefix(": ")
        if unknown and line.startswith("unknown key"):
            line = f"{unknown[0]}: {line}"
        raise InputFileError(f"{name}: {line}" if name else line) from None
    doc._origin = origin
    return doc


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object; a key given twice is refused (json.loads would keep the last silently)."""
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"duplicate key {k!r}")
        out[k] = v
    return out


def parse_scenario(text: str, name: str = "scenario", base_dir: Path | None = None) -> ScenarioDocument:
    """A scenario document from YAML or JSON text; problems raise one-line InputFileErrors."""
    data: Any = None
    if text.lstrip().startswith("{"):  # JSON (YAML would split its escaped surrogate pairs)
        try:
            data = json.loads(text, object_pairs_hook=_no_duplicates)
        except ValueError:  # not JSON, or a key given twice: the YAML reader says where
            data = None
    if data is None:
        from ..io.yaml import parse_yaml_text

        data = parse_yaml_text(text, name)
    doc = parse_data(data, name)
    doc._base_dir = base_dir
    return doc


def load_scenario(path: Path | str) -> ScenarioDocument:
    """Read a scenario file (YAML or JSON)."""
    path = Path(path)
    name = display_path(path)
    from ..io.yaml import read_user_text

    text = read_user_text(path, "scenario file")
    doc = parse_scenario(text, name, path.resolve().parent)
    doc._source = name
    return doc


def dump_scenario(doc: ScenarioDocument, path: Path | str | None = None, fmt: str | None = None) -> str:
    """The document as YAML (or JSON, for a ``.json`` path or ``fmt='json'``); written to
    ``path`` when given."""
    as_json = fmt == "json" or (fmt is None and path is not None and str(path).lower().endswith(".json"))
    text = doc.to_json() + "\n" if as_json else doc.to_yaml()
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text
