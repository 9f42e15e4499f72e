"""Moved to :mod:`carescale.areas.store` (issue 20). This module only re-exports its names so that
imports from the old path keep working; new code imports from the new path."""

from ..areas.store import (  # noqa: F401
    Library,
    packaged_library,
    user_areas_dir,
    Area,
    OutputPathError,
    one_line,
    output_errors,
    ID_PATTERN,
    AreaFileError,
    save_area,
    _check_store_folder,
    remove_area,
)
