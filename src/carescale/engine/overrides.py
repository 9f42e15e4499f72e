"""Overrides: change any figure of a scenario, validated like the evidence files.

An override names a parameter path (as ``carescale parameters`` lists them) and gives a new value,
and optionally ``low``/``high``/``distribution`` and a ``note`` saying why. Users think in people:
``<intervention>.<segment>.people`` sets a segment's number of beneficiaries and is converted to
the figure the engine reads (the take-up rate, or the people served today on the current basis).

Every problem is one line: an unknown path names the closest valid ones, a value outside its
bounds names the bound, a path the scenario does not use says so. An override equal to the
evidence value (with no range of its own) changes nothing and is dropped.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Mapping

from ..schema.intervention import SetupInvestment
from ..schema.rules import Rule, rule_of, sum_problem
from ..errors import SettingsError
from ..formatting import parse_number, typed_kind
from ..library import Library, default_library
from ..schema import Quantity
from ..schema.base import MAX_BY_UNIT, MAX_VALUE, spread_problem
from .figures import FigureChange
from .parameters import ParameterTable

if TYPE_CHECKING:  # pragma: no cover - engine.scenario imports this module
    from .scenario import Scenario

PEOPLE = "people"
DISTRIBUTIONS = ("beta", "gamma", "lognormal", "triangular", "uniform")
SPEC_KEYS = ("value", "low", "high", "distribution", "note")


def _number(x: Any, where: str, what: str = "value") -> float:
    if isinstance(x, bool):
        raise SettingsError(f"{where}: {what} {str(x).lower()} is not a number; give the number itself")
    if x is None:
        raise SettingsError(f"{where}: {what} {x!r} is not a number")
    try:
        v = float(x)
    except (TypeError, ValueError):
        try:  # text as people type it (carescale.formatting): 2,000, £2m, 250k, 9%
            v = parse_number(x, typed_kind(x)) if isinstance(x, str) else math.nan
        except SettingsError:
            v = math.nan
        if math.isnan(v):
            raise SettingsError(f"{where}: {what} {x!r} is not a number") from None
    if not math.isfinite(v):
        raise SettingsError(f"{where}: {what} {x!r} is not a finite number")
    return v


def normalise_spec(spec: Any, where: str) -> dict[str, Any]:
    """An override as ``{value, low, high, distribution, note}`` (missing ones None)."""
    if hasattr(spec, "model_dump"):
        spec = spec.model_dump()
    if isinstance(spec, Mapping):
        unknown = [k for k in spec if k not in SPEC_KEYS]
        if unknown:
            raise SettingsError(f"{where}: unknown key {unknown[0]!r}; valid keys are: {', '.join(SPEC_KEYS)}")
        if spec.get("value") is None:
            raise SettingsError(f"{where}: value is missing; give the new figure as value")
        out = {k: spec.get(k) for k in SPEC_KEYS}
    else:
        out = {"value": spec, "low": None, "high": None, "distribution": None, "note": None}
    out["value"] = _number(out["value"], where)
    for k in ("low", "high"):
        if out[k] is not None:
            out[k] = _number(out[k], where, k)
    if (out["low"] is None) != (out["high"] is None):
        missing = "high" if out["high"] is None else "low"
        raise SettingsError(f"{where}: give both low and high, or neither; {missing} is missing")
    if out["distribution"] is not None and out["distribution"] not in DISTRIBUTIONS:
        raise SettingsError(
            f"{where}: distribution {out['distribution']!r} is not valid; valid distributions are: {', '.join(DISTRIBUTIONS)}"
        )
    if out["note"] is not None:
        out["note"] = str(out["note"]).strip() or None
    return out


def people_paths(scenario: Scenario) -> dict[str, tuple[str, str]]:
    """``<iv>.<seg>.people`` -> (intervention id, segment id) for every person-based segment."""
    return {
        f"{iv.id}.{seg.id}.{PEOPLE}": (iv.id, seg.id)
        for iv in scenario.interventions
        for seg in iv.segments
        if seg.sizing.basis != "none"
    }


def valid_paths(scenario: Scenario) -> list[str]:
    """Every path an override of ``scenario`` may name."""
    return [*ParameterTable.from_scenario(replace(scenario, changes=())).paths, *people_paths(scenario)]


def _unknown(path: str, scenario: Scenario, library: Library | None, valid: list[str]) -> SettingsError:
    """The error for a path that is not in the scenario's table."""
    lib = library or default_library()
    head = path.split(".", 1)[0]
    ids = [iv.id for iv in scenario.interventions]
    if head in lib.interventions and head not in ids:
        return SettingsError(
            f"overrides: {path!r} is not used by this scenario: {head} is not one of its interventions "
            f"({', '.join(ids) or 'none'})"
        )
    # a path some other basis or area would use (provision on the potential basis, a cohort the
    # chosen models do not read) is valid in general but not here
    runnable = tuple(lib.runnable.values())
    for basis in ("potential", "current"):
        wide = replace(scenario, interventions=runnable, overlaps=(), basis=basis, not_modelled=(),
                       scale=(), changes=(), prices=None)
        if path in ParameterTable.from_scenario(wide) and path not in valid:
            return SettingsError(
                f"overrides: {path!r} is not used by this scenario ({scenario.basis} basis, "
                f"interventions {', '.join(ids) or 'none'}), so changing it would change nothing"
            )
    close = difflib.get_close_matches(path, valid, n=3, cutoff=0.6)
    hint = f"closest valid paths: {', '.join(close)}" if close else "see 'carescale parameters' for the valid paths"
    return SettingsError(f"overrides: unknown path {path!r}; {hint}")


def _checked(q: Quantity, spec: dict[str, Any], where: str) -> Quantity:
    """``q`` with the new value/range, validated as the evidence files are."""
    problem = _value_problem(q.unit, spec["value"]) or spread_problem(
        spec["distribution"], q.unit, spec["value"], spec["low"], spec["high"]
    )
    if problem:
        raise SettingsError(f"{where}: {problem}")
    return q.model_copy(update={k: spec[k] for k in ("value", "low", "high", "distribution")})


def _with_range(q: Quantity, spec: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The override's range: its own, else the evidence range's relative width around the new
    value (when that fits the unit and distribution), else none (the default width applies)."""
    if spec["low"] is not None:
        return spec, "override"
    out = dict(spec)
    out["distribution"] = spec["distribution"] or q.distribution
    if q.low is None or q.high is None or q.value == 0:
        return out, "default"
    v = spec["value"]
    low, high = v * q.low / q.value, v * q.high / q.value
    if q.unit == "proportion":
        high = min(high, 1.0)
        low = min(low, v)
    high = max(min(high, MAX_BY_UNIT.get(q.unit, (MAX_VALUE, ""))[0]), v)  # within the unit's bound
    if spread_problem(out["distribution"], q.unit, v, low, high) is None:
        out.update(low=low, high=high)
        return out, "evidence-relative"
    return out, "default"


def resolve_overrides(
    scenario: Scenario,
    overrides: Mapping[str, Any],
    library: Library | None = None,
    existing: tuple[FigureChange, ...] = (),
) -> tuple[FigureChange, ...]:
    """Validate ``overrides`` against ``scenario`` (which has no changes yet) and resolve each to
    the figure the engine reads. ``existing`` changes are kept unless an override names the same
    path again. Returns the changes sorted by path."""
    if not isinstance(overrides, Mapping):
        raise SettingsError(f"overrides: {type(overrides).__name__} is not valid; give a mapping of parameter path to value")
    table = ParameterTable.from_scenario(scenario)
    ppl = people_paths(scenario)
    valid: list[str] | None = None
    specs: dict[str, dict[str, Any]] = {}
    for path, spec in overrides.items():
        path = str(path).strip()
        where = f"overrides: {path}"
        if path not in table and path not in ppl:
            valid = valid if valid is not None else [*table.paths, *ppl]
            raise _unknown(path, scenario, library, valid)
        specs[path] = normalise_spec(spec, where)
    keep = {c.given_path or c.path: c for c in existing if (c.given_path or c.path) not in specs}
    # a rate and the people it gives cannot both be set
    for p, (iid, sid) in ppl.items():
        rate = f"{iid}.{sid}.sizing.rate"
        if p in specs and rate in specs:
            raise SettingsError(f"overrides: {p}: give either {p} or {rate}, not both")
    changes: dict[str, FigureChange] = {c.path: c for c in keep.values()}
    # figures first, then people (their conversion reads the cohort as overridden)
    for path in sorted(specs, key=lambda x: (x in ppl, x)):
        spec = specs[path]
        where = f"overrides: {path}"
        if path in ppl:
            change = _people(scenario, table, changes, path, ppl[path], spec, where)
        else:
            change = _figure(table[path].quantity, path, spec, where, table[path].rule)
        if change is None:
            changes.pop(path, None)
        else:
            changes[change.path] = change
    problem = group_problem(table, changes, set(specs))
    if problem:
        raise SettingsError(f"overrides: {problem}")
    return tuple(sorted(changes.values(), key=lambda c: c.path))


def _rule_of_kind(unit: str, kind: str | None) -> Rule:
    """The rule of a figure of ``kind`` in ``unit`` (for callers that have no parameter)."""
    return rule_of(SetupInvestment, "per", unit) if kind == "setup_per" else Rule(unit)


#: Parameter kinds the engine divides by, and what the figure is (taken from the schema's
#: ``divisor`` marks, schema/rules.py; kept for callers of the old name).
DIVISORS = {"setup_per": _rule_of_kind("people", "setup_per").above_zero}


def _value_problem(unit: str, v: float, kind: str | None = None, name: str = "value") -> str | None:
    """What is wrong with a value for ``unit`` (the evidence files' own messages and bounds), or
    None. A figure the engine divides by (``kind`` in :data:`DIVISORS`) must be above 0."""
    return _rule_of_kind(unit, kind).problem(v, name)


def group_problem(table, changes: Mapping[str, FigureChange], changed: set[str]) -> str | None:
    """The first group of figures that must add up to 1 (an intervention's cost shares) in which
    a figure in ``changed`` was changed and the group no longer adds up, as one line."""
    groups: dict[str, list] = {}
    for p in table:
        if p.rule.group:
            groups.setdefault(p.rule.group, []).append(p)
    for group, members in groups.items():
        if not any(m.path in changed for m in members):
            continue
        shares = {m.path.rsplit(".", 1)[1]: _current(table, changes, m.path) for m in members}
        problem = sum_problem(shares)
        if problem is None:
            continue
        others = [m.path for m in members if m.path not in changed]
        hint = ""
        if len(others) == 1:
            rest = 1.0 - sum(v for k, v in shares.items() if f"{group}.{k}" != others[0])
            if 0.0 <= rest <= 1.0:
                hint = f"; change them together, for example also {others[0]}={rest:.10g}"
        elif others:
            hint = f"; change them together ({', '.join(others)} too)"
        return f"{group}: {problem}{hint}"
    return None


def _figure(q: Quantity, path: str, spec: dict[str, Any], where: str, rule: Rule | str | None = None,
            **given: Any) -> FigureChange | None:
    """The change of the figure ``q`` at ``path`` to ``spec``, each number checked against the
    figure's ``rule`` (or, given a parameter kind, the rule of that kind)."""
    if not isinstance(rule, Rule):
        rule = _rule_of_kind(q.unit, rule)
    for k in ("value", "low", "high"):  # each number on its own first
        problem = None if spec[k] is None else rule.problem(spec[k], k)
        if problem:
            raise SettingsError(f"{where}: {problem}")
    if spec["value"] == q.value and spec["low"] is None and spec["distribution"] in (None, q.distribution):
        return None  # equal to the evidence: changes nothing
    ranged, source = _with_range(q, spec)
    new = _checked(q, ranged, where)
    return FigureChange(
        path=path, value=new.value, low=new.low, high=new.high, distribution=new.distribution,
        note=spec["note"], range_source=source, **given,
    )


def _current(table, changes: dict[str, FigureChange], path: str) -> float:
    c = changes.get(path)
    return c.value if c is not None else table[path].base


def _people(scenario: Scenario, table, changes: dict[str, FigureChange], path: str, ids: tuple[str, str],
            spec: dict[str, Any], where: str) -> FigureChange | None:
    iid, sid = ids
    iv = next(i for i in scenario.interventions if i.id == iid)
    seg = next(s for s in iv.segments if s.id == sid)
    people = spec["value"]
    for k in ("value", "low", "high"):
        if spec[k] is not None and spec[k] < 0:
            raise SettingsError(f"{where}: {k} {spec[k]:g} is below 0; a number of people must be 0 or more")
    given: dict[str, Any] = {"given_path": path, "given_value": people}
    if scenario.basis == "current" or seg.sizing.basis not in ("share_of_cohort", "additional_to_existing"):
        target = f"area.provision.{iid}.{sid}"
        if target not in table:  # pragma: no cover - the current basis always reads provision
            raise SettingsError(f"{where}: this segment has no figure of people to set")
        given["given_evidence"] = table[target].base
        return _figure(table[target].quantity, target, spec, where, table[target].rule,
                       conversion=f"{target} = {people:,.10g} people served (current basis)", **given)
    cohort_path = f"area.cohorts.{seg.sizing.cohort}"
    cohort = _current(table, changes, cohort_path)
    existing = 0.0
    formula = f"people / {cohort_path} ({cohort:,.10g})"
    if seg.sizing.basis == "additional_to_existing":
        prov = f"area.provision.{iid}.{sid}"
        existing = _current(table, changes, prov) if prov in table else 0.0
        formula = f"(people + {prov} ({existing:,.10g})) / {cohort_path} ({cohort:,.10g})"
    if cohort <= 0:
        raise SettingsError(f"{where}: cannot convert people to a rate: {cohort_path} is {cohort:g}")
    most = cohort - existing
    for k in ("value", "low", "high"):
        if spec[k] is not None and spec[k] > most:
            raise SettingsError(
                f"{where}: {k} {spec[k]:,.10g} is above {most:,.10g}, the area's {seg.sizing.cohort.replace('_', ' ')}"
                + (" less the people served today" if existing else "")
                + "; a segment cannot have more people than its cohort"
            )
    rate = {k: None if spec[k] is None else (spec[k] + existing) / cohort for k in ("value", "low", "high")}
    rate_path = f"{iid}.{sid}.sizing.rate"
    given["given_evidence"] = max(table[rate_path].base * cohort - existing, 0.0)
    return _figure(table[rate_path].quantity, rate_path, {**spec, **rate}, where, table[rate_path].rule,
                   conversion=f"{rate_path} = {formula} = {rate['value']:.10g}", **given)
