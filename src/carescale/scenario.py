"""Moved to :mod:`carescale.engine.scenario` (issue 20). This module only re-exports its names so that
imports from the old path keep working; new code imports from the new path."""

from .engine.scenario import (  # noqa: F401
    ModelError,
    SettingsError,
    expect,
    Library,
    default_library,
    Area,
    Intervention,
    Overlap,
    Basis,
    BASES,
    NotModelled,
    FigureChange,
    Scenario,
    missing_inputs,
    define_scenario,
    _check_scale,
)
