"""The national roll-up: a profile for every English council with adult social care
responsibilities, built from ONS and NHS Digital files, the default portfolio run on each, and
the England total.

* :mod:`.councils`: the council profiles (population from ONS MYE2, learning-disability counts
  from ASCOF, every other figure estimated from ``data/prevalence.yaml``), council selection;
* :mod:`.run`: each council's scenario document evaluated once, and the England total;
* :mod:`.draws` and :mod:`.cluster`: the probabilistic case, Dask tasks of a few councils of one region each
  (:mod:`.scaleout` groups their names).

Every name is importable from ``carescale.national`` as before. The CLI and the web look the
names up here when they run, so a test that patches ``carescale.national.build_profiles`` or
``run_national`` changes what they call.
"""

from __future__ import annotations

# names this module had before the split (issue 20), kept importable from here
from ..areas.keys import estimated_keys, figures  # noqa: F401
from ..areas.prevalence import PrevalenceSet, estimate_missing  # noqa: F401
from ..engine import evaluate  # noqa: F401
from ..engine import summary as report  # noqa: F401
from ..engine.scenario import Scenario, define_scenario  # noqa: F401
from ..errors import SettingsError  # noqa: F401
from ..library import Library, default_library  # noqa: F401
from ..official.ascof import AscofTable  # noqa: F401
from ..official.boundaries import APRIL_2023_MERGES, APRIL_2023_RECODES, BOUNDARIES, PREDECESSORS, is_upper_tier  # noqa: F401
from ..official.mye import PopulationTable  # noqa: F401
from ..schema import PAYERS, Area, Quantity, Reference  # noqa: F401
from .cluster import dask_client, describe_client, run_tasks
from .councils import (
    ASCOF_QUOTE,
    CouncilProfile,
    NationalInputs,
    _ascof_ld,
    _official,
    _Pop,
    _pop_quantities,
    _slug,
    build_profiles,
    check_boundaries,
    council_populations,
    official_inputs,
    select_councils,
)
from .draws import MEASURES, CouncilTask, council_draws, distribution, run_national_uncertainty
from .run import _sum_payers, figure_source, council_document, council_evaluation, council_scenario, run_national

__all__ = [
    "ASCOF_QUOTE",
    "MEASURES",
    "CouncilProfile",
    "CouncilTask",
    "NationalInputs",
    "build_profiles",
    "check_boundaries",
    "council_document",
    "council_draws",
    "council_evaluation",
    "council_populations",
    "council_scenario",
    "dask_client",
    "describe_client",
    "distribution",
    "run_national",
    "run_national_uncertainty",
    "official_inputs",
    "run_tasks",
    "select_councils",
]
