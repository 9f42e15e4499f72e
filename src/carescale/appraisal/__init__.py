"""Appraisal over time: monthly cash flows with set-up and ramp-up, discounting, NPV, ROI,
benefit-cost ratio and break-even, per intervention, per payer and for the portfolio.

    import carescale
    from carescale.appraisal import appraise, make_settings
    result = appraise(carescale.define_scenario("birmingham"), make_settings(years=10))
    result.interventions["shared-lives"].metrics.break_even_month   # per draw
    result.portfolio.metrics.npv                                      # per draw

The method, its conventions and a worked example are in docs/appraisal.md.
"""

from .core import (
    MonthlyFlows,
    AppraisalResult,
    Flows,
    Metrics,
    adjusted_values,
    appraise,
    discount_factors,
    discount_rates,
    npv,
    optimism_bias,
    timelines,
)
from .npv_only import NPVResult, appraise_npv
from .summary import appraisal_rows, appraisal_summary
from .settings import (
    AppraisalSettings,
    InterventionAdjustment,
    OutcomeAdjustment,
    appraisal_defaults,
    load_settings,
    make_settings,
    parse_rate,
)

__all__ = [
    "AppraisalResult",
    "AppraisalSettings",
    "Flows",
    "NPVResult",
    "InterventionAdjustment",
    "Metrics",
    "MonthlyFlows",
    "OutcomeAdjustment",
    "adjusted_values",
    "appraisal_defaults",
    "appraisal_rows",
    "appraisal_summary",
    "appraise",
    "appraise_npv",
    "discount_factors",
    "discount_rates",
    "load_settings",
    "make_settings",
    "npv",
    "optimism_bias",
    "parse_rate",
    "timelines",
]
