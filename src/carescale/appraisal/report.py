"""Moved to :mod:`carescale.appraisal.summary` (issue 20). This module only re-exports its names so that
imports from the old path keep working; new code imports from the new path."""

from .summary import (  # noqa: F401
    ParameterTable,
    changes,
    price_basis,
    stamp_rows,
    PAYERS,
    AppraisalResult,
    Flows,
    _money,
    _by_payer,
    _ratio,
    _month,
    month_start,
    _years,
    _months,
    _metrics,
    appraisal_summary,
    ROW_COLUMNS,
    appraisal_rows,
    _rows,
)
