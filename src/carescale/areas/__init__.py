"""Area profiles as spreadsheets: the template (one row per figure, with a plain-English
description and unit), import with validation a person can act on, and export.

:func:`carescale.library.load_area_file` reads templates through the reader :mod:`.load`
registers (until it is imported, carescale's package registers a stand-in that imports it on
first use). See docs/areas.md for the user's guide.

The names below load their module on first use, so that ``carescale run`` (which needs only
the template keys) does not import the spreadsheet import and export (issue 25).
"""

from typing import TYPE_CHECKING

from ..io.lazy import lazy_names

if TYPE_CHECKING:
    from .exporter import template_table, to_csv, write_xlsx
    from .importer import MAX_BYTES, MAX_ROWS, AreaFileError, ImportedArea, read_area_file
    from .keys import TemplateRow, estimated_keys, template_rows
    from .load import load_area_file, read_template_area
    from .store import save_area

#: Where each name lives: loaded on first use (module ``__getattr__``).
_LAZY = {
    "template_table": ".exporter",
    "to_csv": ".exporter",
    "write_xlsx": ".exporter",
    "MAX_BYTES": ".importer",
    "MAX_ROWS": ".importer",
    "AreaFileError": ".importer",
    "ImportedArea": ".importer",
    "read_area_file": ".importer",
    "TemplateRow": ".keys",
    "estimated_keys": ".keys",
    "template_rows": ".keys",
    "load_area_file": ".load",
    "read_template_area": ".load",
    "save_area": ".store",
}


__getattr__, __dir__ = lazy_names(__name__, _LAZY)


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
