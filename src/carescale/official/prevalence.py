"""Moved to :mod:`carescale.areas.prevalence` (issue 20). This module only re-exports its names so that
imports from the old path keep working; new code imports from the new path."""

from ..areas.prevalence import (  # noqa: F401
    figures,
    template_rows,
    with_figures,
    InputFileError,
    DATA_DIR,
    Library,
    default_library,
    display_path,
    load_model,
    Area,
    Quantity,
    Reference,
    StrictModel,
    PREVALENCE_FILE,
    Estimate,
    PrevalenceSet,
    check_prevalence,
    load_prevalence,
    default_prevalence,
    Estimated,
    estimate_figure,
    estimate_missing,
)
