"""Moved to :mod:`carescale.engine.overrides` (issue 20). This module only re-exports its names so that
imports from the old path keep working; new code imports from the new path."""

from ..engine.overrides import (  # noqa: F401
    SettingsError,
    Library,
    default_library,
    Quantity,
    MAX_BY_UNIT,
    MAX_VALUE,
    spread_problem,
    FigureChange,
    PEOPLE,
    DISTRIBUTIONS,
    SPEC_KEYS,
    _number,
    normalise_spec,
    people_paths,
    valid_paths,
    _unknown,
    _checked,
    _with_range,
    resolve_overrides,
    DIVISORS,
    _value_problem,
    _figure,
    _current,
    _people,
)
from ..engine.scenario import Scenario  # noqa: F401 (engine.overrides names it only for type checkers)
