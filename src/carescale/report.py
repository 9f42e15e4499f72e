"""Moved to :mod:`carescale.engine.summary` (issue 20). This module only re-exports its names so that
imports from the old path keep working; new code imports from the new path."""

from .engine.summary import (  # noqa: F401
    PortfolioResult,
    expect,
    PAYERS,
    _annual,
    _people,
    _by_payer,
    _area_paths,
    estimated_figures,
    price_basis,
    changes,
    describe_change,
    _expect_result,
    summary,
    ROW_COLUMNS,
    _row,
    stamp_rows,
    rows,
    _rows,
    to_frame,
    money,
    figure,
    people,
)
