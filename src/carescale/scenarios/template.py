"""The commented starting file ``carescale scenario new`` writes."""

from __future__ import annotations

import json
from typing import Any

from .document import ScenarioDocument


def _yaml_value(x: Any) -> str:
    return json.dumps(x) if isinstance(x, str) else ("null" if x is None else str(x).lower() if isinstance(x, bool) else str(x))


def starting_file(area: str = "birmingham") -> str:
    """A scenario document with every field, commented, at its default (valid as it stands)."""
    doc = ScenarioDocument(area=area)
    a = doc.data()["appraisal"]
    u = doc.data()["uncertainty"]
    appraisal = "\n".join(
        f"  {k}: {_yaml_value(v)}" for k, v in a.items() if k not in ("interventions",)
    )
    uncertainty = "\n".join(f"  {k}: {_yaml_value(v)}" for k, v in u.items())
    return f"""# A carescale scenario: everything a result depends on (docs/scenarios.md).
# Run it with: carescale run --scenario THIS_FILE   (also appraise, uncertainty, parameters)
# Unknown keys are refused; every figure you change is listed in every output.
version: 1

# The area: a built-in or saved id ('carescale areas list'), or {{file: my-area.xlsx}} (a filled-in
# template, 'carescale areas template'), or {{inline: {{...an area profile...}}}}.
area: {_yaml_value(area)}

# The care models to scale up (ids from 'carescale interventions list'); null = the paper's six
# models that the area has figures for.
interventions: null

# potential: scale each model up by its own rule; current: what runs in the area today.
basis: potential

# How far to scale each model: a share of its potential from 0 to 1 (default 1 for each).
# Beneficiaries, and so costs, savings, overlaps, set-up and workforce, follow it.
scale: {{}}
#   shared-lives: 0.5

# Change any figure: a path from 'carescale parameters' -> a number, or
# {{value, low, high, distribution, note}}. INTERVENTION.SEGMENT.people sets a number of people
# (converted to the take-up rate). Money is in the price base below. Every other figure keeps its
# evidence value; an override without low/high keeps the evidence range's relative width.
overrides: {{}}
#   living-well.older-people-multiple-ltc.people: 2000
#   living-well.older-people-multiple-ltc.unit_cost:
#     value: 450
#     note: our provider's quote for 2025/26

# Appraisal over time ('carescale appraise', docs/appraisal.md).
appraisal:
{appraisal}
  interventions: {{}}

# Monte Carlo and sensitivity ('carescale uncertainty', docs/uncertainty.md).
uncertainty:
{uncertainty}

# One price base: re-price every money figure with HM Treasury's financial-year GDP deflator
# (December 2023; or price_index: a CSV of year,value of your own) to price_base_year
# (null = 2024/25, a forecast year of that deflator). reprice: false (or preset: paper) keeps
# the prices as published, as the paper does.
reprice: true
price_base_year: null
price_index: null

# Free text: who made this, and why.
note: ""
"""
