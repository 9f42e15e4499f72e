"""Moved to :mod:`carescale.areas.exporter` (issue 20). This module only re-exports its names so that
imports from the old path keep working; new code imports from the new path."""

from ..areas.exporter import (  # noqa: F401
    Library,
    default_library,
    Area,
    Quantity,
    csv_text,
    output_errors,
    check_output_path,
    xlsx_cell,
    COLUMNS,
    ASSUMPTIONS,
    TemplateRow,
    assumption_rows,
    get_figure,
    template_rows,
    _num,
    _source,
    template_table,
    _row,
    to_csv,
    write_xlsx,
)
