"""Moved to :mod:`carescale.areas` (issue 20). This module only re-exports its names so that
imports from the old path keep working; new code imports from the new path."""

from ..areas import (  # noqa: F401
    template_table,
    to_csv,
    write_xlsx,
    MAX_BYTES,
    MAX_ROWS,
    AreaFileError,
    ImportedArea,
    read_area_file,
    TemplateRow,
    estimated_keys,
    template_rows,
    save_area,
)

__all__ = ['MAX_BYTES', 'MAX_ROWS', 'AreaFileError', 'ImportedArea', 'TemplateRow', 'estimated_keys', 'read_area_file', 'save_area', 'template_rows', 'template_table', 'to_csv', 'write_xlsx']
