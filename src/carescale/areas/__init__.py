"""Area profiles as spreadsheets: the template (one row per figure, with a plain-English
description and unit), import with validation a person can act on, and export.

Importing this package lets :func:`carescale.library.load_area_file` read templates too
(:mod:`.load` registers the reader). See docs/areas.md for the user's guide.
"""

from .exporter import template_table, to_csv, write_xlsx
from .importer import MAX_BYTES, MAX_ROWS, AreaFileError, ImportedArea, read_area_file
from .keys import TemplateRow, estimated_keys, template_rows
from .load import load_area_file, read_template_area
from .store import save_area

__all__ = [
    "MAX_BYTES",
    "MAX_ROWS",
    "AreaFileError",
    "ImportedArea",
    "TemplateRow",
    "estimated_keys",
    "load_area_file",
    "read_area_file",
    "read_template_area",
    "save_area",
    "template_rows",
    "template_table",
    "to_csv",
    "write_xlsx",
]
