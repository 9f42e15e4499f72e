"""Moved to :mod:`carescale.library.catalogue` (issue 20). This module only re-exports its names so that
imports from the old path keep working; new code imports from the new path."""

from .library.catalogue import (  # noqa: F401
    Library,
    default_library,
    intervention_rows,
    area_rows,
    definition,
)
