"""Logic models, investment plans and reviews against real outcomes (SCIE 2017, Appendix B;
docs/plans.md).

* :mod:`.logic_model`: a new service's logic model (``schema/logic_model.py``), validated like an
  evidence file, turned into the library's ``Intervention`` and run through the same engine,
  appraisal and uncertainty, with its break-even targets; templates to start from.
* :mod:`.plan`: a plan commits to a model in an area with budget, phases, review period,
  targets per outcome (from the break-even analysis) and funding route; stored in the store.
* :mod:`.review`: a review's actuals, beta-binomial updates of each outcome rate, gamma updates of
  the cost per person, the reach and (local cost data) the saving per outcome, the NPV's
  distribution over 10,000 draws on the plan's one yardstick, and the recommendation (a rule
  derived from stated losses; never "increase" above the budget) with its reason.
* :mod:`.counterfactual`: observed outcomes against what would be expected without the service
  (the council's ASCOF 2A2 rate, the evidence, or a comparison group), the effect with its interval.
* :mod:`.evidence_value`: how much evidence is enough: EVPI, EVPPI and EVSI of more review
  periods or more people (regression method, checked against nested Monte Carlo).
* Settings: ``data/plans_defaults.yaml`` (:mod:`.defaults`).
"""

from .defaults import PlanDefaults, load_plan_defaults
from .evidence_value import value_of_information
from .logic_model import load_logic_model, parse_logic_model, run_logic_model, template, to_intervention
from .plan import Plan, create_plan, list_plans, load_plan, show_plan
from .review import add_review, assess, list_reviews, posterior, prior, recommend

__all__ = [
    "Plan",
    "PlanDefaults",
    "add_review",
    "assess",
    "create_plan",
    "list_plans",
    "list_reviews",
    "load_logic_model",
    "load_plan",
    "load_plan_defaults",
    "parse_logic_model",
    "posterior",
    "prior",
    "recommend",
    "run_logic_model",
    "show_plan",
    "template",
    "to_intervention",
    "value_of_information",
]
