"""What the fork server of a local Dask cluster holds before it forks a worker (imported there
only: :data:`carescale.national.cluster.FORK_SERVER_PRELOAD`).

Each worker is a fork of that server, so it starts with the national route's code imported, the
default library loaded and the engine's first-call work done (one council's two draws: 0.2 s
here once, not in each worker's first task), as a fork of the asking process did, without a
fork of a process that has threads (:func:`carescale.national.cluster.start_method`)."""

from __future__ import annotations

from ..library import default_library
from ..scenarios import ScenarioDocument
from .draws import CouncilTask, council_draws

council_draws(CouncilTask(default_library().area(str(ScenarioDocument().area)), 2, 0, 1.0))
