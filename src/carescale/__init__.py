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

from .engine import ParameterTable, PortfolioResult, Timeline, evaluate
from .errors import CarescaleError, InputFileError, ModelError, SettingsError, UnknownIdError
from .library import Library, default_library, load_area_file, load_library
from .library.core import register_council_profiles
from .library.files import TEMPLATE_SUFFIXES, register_area_file_reader
from .engine.summary import summary, to_frame
from .engine.scenario import Scenario, define_scenario
from .appraisal import AppraisalResult, AppraisalSettings, appraise  # noqa: E402 (after the engine)
from .uncertainty import UncertaintySettings, run_uncertainty  # noqa: E402

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
