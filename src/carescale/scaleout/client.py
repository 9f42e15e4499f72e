"""Moved to :mod:`carescale.national.cluster` (issue 20). This module only re-exports its names so that
imports from the old path keep working; new code imports from the new path."""

from ..national.cluster import (  # noqa: F401
    SettingsError,
    MAX_WORKERS,
    CONNECT_TIMEOUT,
    check_workers,
    describe_client,
    dask_client,
    run_tasks,
)
