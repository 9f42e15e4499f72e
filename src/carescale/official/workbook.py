"""Moved to :mod:`carescale.io.spreadsheet` (issue 20). This module only re-exports its names so that
imports from the old path keep working; new code imports from the new path."""

from ..io.spreadsheet import (  # noqa: F401
    display_path,
    OfficialDataError,
    KINDS,
    BROKEN_XLSX,
    _open_fail,
    _open_book,
    sheet_names,
    check_exists,
    iter_rows,
    column_letter,
    to_number,
    clean_text,
)
