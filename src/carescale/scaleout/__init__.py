"""Moved to :mod:`carescale.national` (issue 20). This module only re-exports its names so that
imports from the old path keep working; new code imports from the new path."""

from ..national import (  # noqa: F401
    dask_client,
    describe_client,
    run_tasks,
    council_draws,
    distribution,
    run_national_uncertainty,
)

__all__ = ['council_draws', 'dask_client', 'describe_client', 'distribution', 'run_national_uncertainty', 'run_tasks']
