"""carescale: what would scaling up care models that work elsewhere cost, and save, here?

The Python API that the CLI wraps::

    import carescale
    scenario = carescale.define_scenario("birmingham")          # define
    result = carescale.evaluate(scenario)                       # evaluate (one draw, one year)
    carescale.summary(result)                                   # the JSON contract as a dict
    carescale.to_frame(result)                                  # a pandas DataFrame

Definitions (interventions, areas, overlaps) live in YAML files under ``carescale/data`` and are
loaded by :func:`default_library`.
"""

from typing import TYPE_CHECKING, Any

from .io.registry import TEMPLATE_SUFFIXES, register_area_file_reader, register_council_profiles

if TYPE_CHECKING:  # the names below are loaded on first use (module __getattr__), see _LAZY
    from .appraisal import AppraisalResult, AppraisalSettings, appraise
    from .engine import ParameterTable, PortfolioResult, Timeline, evaluate
    from .engine.scenario import Scenario, define_scenario
    from .engine.summary import summary, to_frame
    from .errors import CarescaleError, InputFileError, ModelError, SettingsError, UnknownIdError
    from .library import Library, default_library, load_area_file, load_library
    from .uncertainty import UncertaintySettings, run_uncertainty

#: Where each public name lives. ``import carescale`` loads none of them (issue 25: start-up,
#: ``carescale --help`` should not pay for the engine, pydantic and the schemas); the first
#: ``carescale.NAME`` imports its module, as ``from carescale import NAME`` does.
_LAZY = {
    "ParameterTable": ".engine", "PortfolioResult": ".engine", "Timeline": ".engine", "evaluate": ".engine",
    "CarescaleError": ".errors", "InputFileError": ".errors", "ModelError": ".errors",
    "SettingsError": ".errors", "UnknownIdError": ".errors",
    "Library": ".library", "default_library": ".library", "load_area_file": ".library", "load_library": ".library",
    "summary": ".engine.summary", "to_frame": ".engine.summary",
    "Scenario": ".engine.scenario", "define_scenario": ".engine.scenario",
    "AppraisalResult": ".appraisal", "AppraisalSettings": ".appraisal", "appraise": ".appraisal",
    "UncertaintySettings": ".uncertainty", "run_uncertainty": ".uncertainty",
}


def __getattr__(name: str) -> Any:
    import importlib

    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value  # once loaded, an ordinary attribute
        return value
    if not name.startswith("__"):
        try:  # carescale.engine and the like after a bare 'import carescale', as before
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__version__ = "0.1.0"


def _read_template_area(path, library):  # type: ignore[no-untyped-def]
    """The area template reader of :mod:`carescale.areas`, imported on first use so that start-up
    stays light (importing carescale.areas registers it directly, replacing this one)."""
    from .areas.load import read_template_area

    return read_template_area(path, library)


# The library reads .csv/.xlsx area files through a reader registered from above it (issue 20):
# importing any carescale module runs this file first, so the reader is there before any call.
for _suffix in TEMPLATE_SUFFIXES:
    register_area_file_reader(_suffix, _read_template_area)
del _suffix


def _official_areas():  # type: ignore[no-untyped-def]
    """The built-in council profiles of :mod:`carescale.areas.official`, imported on first use
    (importing it registers its own provider, replacing this one)."""
    from .areas.official import official_areas

    return official_areas()


register_council_profiles(_official_areas)

__all__ = [
    "AppraisalResult",
    "AppraisalSettings",
    "appraise",
    "UncertaintySettings",
    "run_uncertainty",
    "CarescaleError",
    "InputFileError",
    "Library",
    "ModelError",
    "ParameterTable",
    "PortfolioResult",
    "Scenario",
    "SettingsError",
    "Timeline",
    "UnknownIdError",
    "default_library",
    "define_scenario",
    "evaluate",
    "load_area_file",
    "load_library",
    "summary",
    "to_frame",
]
