"""Moved to :mod:`carescale.areas.keys` (issue 20). This module only re-exports its names so that
imports from the old path keep working; new code imports from the new path."""

from ..areas.keys import (  # noqa: F401
    Library,
    Area,
    Quantity,
    Kind,
    UNIT_TEXT,
    ASSUMPTIONS,
    TemplateRow,
    assumption_rows,
    TEXT_ROWS,
    template_rows,
    get_figure,
    figures,
    with_figures,
    estimated_keys,
    required_keys,
)
