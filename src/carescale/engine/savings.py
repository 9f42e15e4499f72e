"""Each saving of a scenario on its own line, with its cashable flag (docs/appraisal.md,
"Cashable and non-cashable savings").

The engine adds an intervention's savings up by payer; a finance officer also needs to know which
of them a budget can bank. :func:`saving_lines` gives one line per outcome and spend reduction of
every intervention: its payer, its cashable flag (the evidence file's ``cashable`` entry, or the
default rule of :func:`carescale.schema.intervention.cashable_of`) and its gross amount a year at
full scale, per draw. The people come from the engine's own :func:`annual_figures` (so scale,
basis and provision are applied exactly as the engine applies them), and the lines of an
intervention add up to its gross saving by payer (a test checks it to the penny).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import SettingsError
from ..schema.intervention import cashable_of
from .evaluate import Values, _complete, _draws, _n_draws, annual_figures, full_cost_amount
from .parameters import ParameterTable
from .results import PortfolioResult
from .scenario import Scenario


@dataclass(frozen=True)
class SavingLine:
    """One outcome or spend reduction of one segment, a year at full scale."""

    intervention: str
    segment: str
    id: str
    kind: str  # "outcome" or "spend_reduction"
    description: str
    payer: str
    cashable: bool
    cashable_status: str  # published, implied, assumption, or default (the rule)
    cashable_reason: str
    amount: np.ndarray  # (D,) gross saving a year at full scale
    count: np.ndarray | None = None  # (D,) people with the outcome a year (outcomes only)

    def as_dict(self, draw: int = 0) -> dict[str, Any]:
        return {
            "intervention": self.intervention,
            "segment": self.segment,
            "id": self.id,
            "kind": self.kind,
            "description": self.description,
            "payer": self.payer,
            "cashable": self.cashable,
            "cashable_status": self.cashable_status,
            "cashable_reason": self.cashable_reason,
            "amount": round(float(self.amount[draw]), 2),
            "count": None if self.count is None else round(float(self.count[draw]), 1),
        }


def saving_lines(
    scenario: Scenario, values: Values | None = None, parameters: ParameterTable | None = None,
    *, run: PortfolioResult | None = None,
) -> list[SavingLine]:
    """Every saving of ``scenario`` with its cashable flag and gross amount a year at full scale,
    per draw of ``values`` (default: the base values; partial values keep the others). ``run``:
    an engine run of ``scenario`` holding its annual figures, whose values and figures are read
    instead (``values`` must then be None)."""
    if run is not None and run.annual is not None:
        if values is not None:
            raise SettingsError("saving_lines: give values or an engine run, not both")
        v, D, figures = run.annual.values, run.annual.draws, run.annual.figures
    else:
        params = parameters or ParameterTable.from_scenario(scenario)
        v = _complete(values, params)
        D = _n_draws(v)
        figures, _ = annual_figures(scenario, v, D)
    lines: list[SavingLine] = []
    for iv, f in zip(scenario.interventions, figures):
        # (D,), (1,) or (): the products below broadcast it, as the engine's (np.broadcast_to cost more)
        share = np.asarray(v.get(f"{iv.id}.scale", scenario.scale_of(iv.id)), dtype=float)
        people = {s.id: s.beneficiaries for s in f.segments}
        for seg in iv.segments:
            pre = f"{iv.id}.{seg.id}"
            n = people[seg.id]
            for o in seg.outcomes:
                rate = v[f"{pre}.outcomes.{o.id}.rate"] if o.rate is not None else 1.0
                amount = _draws(n * rate * v[f"{pre}.outcomes.{o.id}.unit_saving"], D)
                flag = cashable_of(o)
                count = np.array(_draws(n * rate, D), dtype=float)
                lines.append(SavingLine(iv.id, seg.id, o.id, "outcome", o.description, o.payer,
                                        flag.value, flag.status, flag.reason, np.array(amount, dtype=float), count))
            for r in seg.spend_reductions:
                saved = v[f"area.spend.{r.spend_line}"] * v[f"{pre}.spend_reductions.{r.id}.reduction"]
                amount = _draws(saved * share, D)
                flag = cashable_of(r)
                lines.append(SavingLine(iv.id, seg.id, r.id, "spend_reduction", r.description, r.payer,
                                        flag.value, flag.status, flag.reason, np.array(amount, dtype=float)))
        if scenario.method == "full":  # a published saving net of a cost: the cost added back (gross)
            for fc in iv.full_costs:
                if not fc.netted:
                    continue
                amount = full_cost_amount(iv, fc, v, f.beneficiaries, share, D)
                like = [ln for ln in lines if ln.intervention == iv.id and ln.payer == fc.payer and ln.kind == "outcome"]
                cashable = like[0].cashable if like else True
                lines.append(SavingLine(
                    iv.id, "", fc.id, "netted_cost", f"{fc.role}: the published saving was net of this cost, added back",
                    fc.payer, cashable, "assumption",
                    "as the saving it was netted from: the alternative package it replaces", np.array(amount, dtype=float)))
    return lines
