"""Moved to :mod:`carescale.national.draws` (issue 20). This module only re-exports its names so that
imports from the old path keep working; new code imports from the new path."""

from ..national.draws import (  # noqa: F401
    PAYERS,
    Area,
    dask_client,
    describe_client,
    run_tasks,
    MEASURES,
    CouncilTask,
    council_draws,
    distribution,
    run_national_uncertainty,
)
