"""Scale-out with Dask (dask.distributed): the national probabilistic case, one task per
council, in-process, on a local cluster of worker processes, or on an existing cluster
(docs/performance.md). Dask is imported only inside functions."""

from .cluster import dask_client, describe_client, run_tasks
from .draws import council_draws, distribution, run_national_uncertainty

__all__ = ["council_draws", "dask_client", "describe_client", "distribution", "run_national_uncertainty", "run_tasks"]
