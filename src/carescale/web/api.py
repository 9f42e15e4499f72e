"""The JSON API, now in :mod:`carescale.web.routes.api` (re-exported here for old imports)."""

from .routes.api import *  # noqa: F401,F403
from .routes.api import EXAMPLE, MAX_SYNC_DRAWS, MAX_SYNC_SOBOL, ErrorBody, ErrorItem, router  # noqa: F401
