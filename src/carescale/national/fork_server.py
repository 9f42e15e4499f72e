"""What the fork server of a local Dask cluster holds before it forks a worker (imported there
only: :data:`carescale.national.cluster.FORK_SERVER_PRELOAD`).

Each worker is a fork of that server, so it starts with the national route's code imported and
the default library loaded, as a fork of the asking process did, without a fork of a process
that has threads (:func:`carescale.national.cluster.start_method`)."""

from __future__ import annotations

from ..library import default_library
from . import draws  # noqa: F401  (the tasks' code)

default_library()
