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
from .library import Library, default_library, load_library
from .areas.load import load_area_file  # registers the area template reader with the library
from .engine.summary import summary, to_frame
from .engine.scenario import Scenario, define_scenario
from .appraisal import AppraisalResult, AppraisalSettings, appraise  # noqa: E402 (after the engine)
from .uncertainty import UncertaintySettings, run_uncertainty  # noqa: E402

__version__ = "0.1.0"

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
