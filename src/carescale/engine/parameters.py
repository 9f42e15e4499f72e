"""The flat table of a scenario's numbers: every :class:`Quantity` the engine reads, by path.

The engine never reads a number from a definition directly; it reads ``values[path]``, an array
with one entry per draw. A deterministic run fills each path with its published value (one
draw); a probabilistic run fills it with N sampled values; a sensitivity analysis changes one
path. Paths are stable, readable strings such as ``living-well.older-people-multiple-ltc.
unit_cost`` or ``area.cohorts.population_65_plus``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator, Mapping

import numpy as np

from ..errors import SettingsError
from ..schema import Area, Intervention, Outcome, Overlap, Quantity, Segment, Sizing, SpendReduction
from ..schema.base import MONEY_UNITS
from ..schema.intervention import FullCost, SetupInvestment, WiderBenefit
from ..schema.rules import Rule, rule_of
from .figures import FigureChange

if TYPE_CHECKING:  # pragma: no cover - engine.scenario imports this module
    from .scenario import Scenario

Values = Mapping[str, np.ndarray]


@dataclass(frozen=True)
class Parameter:
    path: str
    quantity: Quantity
    label: str
    kind: str  # rate, unit_cost, unit_saving, reduction, cost_share, cohort, spend, provision, ...
    intervention: str | None = None
    #: The figure as the evidence gives it (before re-pricing and overrides), when it differs.
    evidence: Quantity | None = None
    #: The override that changed it, if any.
    change: FigureChange | None = None
    #: The values it may take (schema/rules.py), from the schema field that holds it; a
    #: parameter made without one gets its unit's bounds.
    rule: Rule | None = None

    def __post_init__(self) -> None:
        if self.rule is None:
            object.__setattr__(self, "rule", Rule(self.quantity.unit))

    def problem(self, value: float, name: str = "value") -> str | None:
        """What is wrong with ``value`` for this figure (its rule's one-line message), or None."""
        return self.rule.problem(value, name)

    @property
    def base(self) -> float:
        return self.quantity.value

    @property
    def published(self) -> Quantity:
        """The figure as published (its own price year, no override)."""
        return self.evidence or self.quantity


class ParameterTable:
    """Ordered parameters of a scenario, with their base values."""

    def __init__(self, params: list[Parameter]):
        self._params = {p.path: p for p in params}

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self._params.values())

    def __len__(self) -> int:
        return len(self._params)

    def __contains__(self, path: object) -> bool:
        return path in self._params

    def __getitem__(self, path: str) -> Parameter:
        try:
            return self._params[path]
        except KeyError:
            raise SettingsError(
                f"unknown parameter {path!r}; see 'carescale parameters' for the valid paths"
            ) from None

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(self._params)

    def base_values(self, n_draws: int = 1) -> dict[str, np.ndarray]:
        """Every parameter at its base value, repeated over ``n_draws`` draws."""
        if n_draws == 1:  # (np.full's own overhead is most of the work for one value)
            return {p.path: np.array([p.base], dtype=float) for p in self}
        return {p.path: np.full(n_draws, p.base, dtype=float) for p in self}

    def with_values(self, overrides: Mapping[str, float | np.ndarray], n_draws: int = 1) -> dict[str, np.ndarray]:
        values = self.base_values(n_draws)
        for path, val in overrides.items():
            self[path]  # raises for an unknown path
            values[path] = np.broadcast_to(np.asarray(val, dtype=float), (n_draws,)).copy()
        return values

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> "ParameterTable":
        """The table of ``scenario`` (built once per scenario object: scenarios are immutable)."""
        cached = scenario.__dict__.get("_parameter_table")
        if cached is None:
            cached = cls._build(scenario)
            object.__setattr__(scenario, "_parameter_table", cached)
        return cached

    def with_changes_of(self, scenario: Scenario) -> "ParameterTable":
        """This table (of the same scenario without changes, already re-priced) with
        ``scenario``'s changes applied, cached as ``scenario``'s table."""
        out = ParameterTable([_changed(p, scenario.change_of(p.path)) for p in self])
        object.__setattr__(scenario, "_parameter_table", out)
        return out

    @classmethod
    def _build(cls, scenario: Scenario) -> "ParameterTable":
        params: list[Parameter] = []
        seen: set[str] = set()

        def add(path: str, q: Quantity | None, label: str, kind: str, iid: str | None = None,
                held: tuple[type, str] = (Area, "cohorts")) -> None:
            """``held``: the schema model and field holding the figure, whose rule it keeps."""
            if q is not None and path not in seen:
                seen.add(path)
                params.append(Parameter(path, q, label, kind, iid, rule=rule_of(*held, q.unit, iid)))

        area = scenario.area
        for iv in scenario.interventions:
            for seg in iv.segments:
                pre = f"{iv.id}.{seg.id}"
                name = f"{iv.name} ({seg.description.lower()})" if len(iv.segments) > 1 else iv.name
                add(f"{pre}.sizing.rate", seg.sizing.rate, f"{name}: take-up (share of {seg.sizing.cohort})", "rate", iv.id, (Sizing, "rate"))
                add(f"{pre}.unit_cost", seg.unit_cost, f"{name}: cost per person a year", "unit_cost", iv.id, (Segment, "unit_cost"))
                for o in seg.outcomes:
                    add(f"{pre}.outcomes.{o.id}.rate", o.rate, f"{name}: share who {o.description.lower()}", "rate", iv.id, (Outcome, "rate"))
                    add(f"{pre}.outcomes.{o.id}.unit_saving", o.unit_saving, f"{name}: saving per person ({o.description.lower()})", "unit_saving", iv.id, (Outcome, "unit_saving"))
                for r in seg.spend_reductions:
                    add(f"{pre}.spend_reductions.{r.id}.reduction", r.reduction, f"{name}: cut in {r.spend_line.replace('_', ' ')}", "reduction", iv.id, (SpendReduction, "reduction"))
                if scenario.basis == "current" or seg.sizing.basis == "additional_to_existing":
                    prov = area.provision.get(iv.id, {}).get(seg.id)
                    add(f"area.provision.{iv.id}.{seg.id}", prov, f"{area.name}: people served today by {name}", "provision", iv.id, (Area, "provision"))
                if scenario.basis == "potential" and seg.sizing.cohort:
                    c = seg.sizing.cohort
                    add(f"area.cohorts.{c}", area.cohorts.get(c), f"{area.name}: {c.replace('_', ' ')}", "cohort")
                for r in seg.spend_reductions:
                    add(f"area.spend.{r.spend_line}", area.spend.get(r.spend_line), f"{area.name}: {r.spend_line.replace('_', ' ')} spend", "spend", None, (Area, "spend"))
            for payer, q in iv.cost_shares.items():
                add(f"{iv.id}.cost_shares.{payer}", q, f"{iv.name}: share of cost paid by {payer.upper()}", "cost_share", iv.id, (Intervention, "cost_shares"))
            if iv.setup:
                add(f"{iv.id}.setup.cost", iv.setup.cost, f"{iv.name}: set-up investment per tranche", "setup_cost", iv.id, (SetupInvestment, "cost"))
                add(f"{iv.id}.setup.per", iv.setup.per, f"{iv.name}: new places per tranche", "setup_per", iv.id, (SetupInvestment, "per"))
            if scenario.method == "full":
                for fc in iv.full_costs:
                    pre = f"{iv.id}.full_costs.{fc.id}"
                    add(f"{pre}.unit_cost", fc.unit_cost, f"{iv.name}: {fc.role}, cost a year" + (" per person in post" if fc.staff else " per person supported"), "unit_cost", iv.id, (FullCost, "unit_cost"))
                    add(f"{pre}.staff", fc.staff, f"{iv.name}: {fc.role} in post per ratio", "staff", iv.id, (FullCost, "staff"))
                    if fc.per is not None:
                        what = "people supported" if fc.per.unit == "people" else "pounds a year of spend"
                        add(f"{pre}.per", fc.per, f"{iv.name}: {what} per {fc.role} ratio", "staff_per", iv.id, (FullCost, "per"))
                    if fc.per is not None and fc.per.unit == "GBP_per_year":
                        for seg in iv.segments:
                            for r in seg.spend_reductions:
                                add(f"area.spend.{r.spend_line}", area.spend.get(r.spend_line), f"{area.name}: {r.spend_line.replace('_', ' ')} spend", "spend", None, (Area, "spend"))
            for wb in iv.wider_benefits:
                add(f"{iv.id}.wider_benefits.{wb.id}", wb.value_per_person, f"{iv.name}: {wb.description.lower()} per person", "wider_benefit", iv.id, (WiderBenefit, "value_per_person"))
        for ov in scenario.overlaps:
            add(f"overlaps.{ov.id}.share", ov.share, f"Overlap: {ov.description.lower()}", "overlap_share", None, (Overlap, "share"))
        if scenario.prices is not None or scenario.changes:
            params = [_adjusted(p, scenario) for p in params]
        return cls(params)


def reprice(q: Quantity, scenario: Scenario) -> Quantity:
    """``q`` in the scenario's price base (unchanged when it keeps published prices)."""
    pb = scenario.prices
    if pb is None or q.unit not in MONEY_UNITS or not q.price_year:
        return q
    f = pb.factor(q.price_year)
    upd: dict = {"value": q.value * f, "price_year": pb.year}
    if q.low is not None and q.high is not None:
        upd.update(low=q.low * f, high=q.high * f)
    return q.model_copy(update=upd)


def _adjusted(p: Parameter, scenario: Scenario) -> Parameter:
    """``p`` re-priced and with its override (if any) applied."""
    q = reprice(p.quantity, scenario)
    if q is not p.quantity:
        p = Parameter(p.path, q, p.label, p.kind, p.intervention, evidence=p.quantity, rule=p.rule)
    return _changed(p, scenario.change_of(p.path))


def _changed(p: Parameter, change: FigureChange | None) -> Parameter:
    """``p`` with ``change`` applied (``p`` itself when there is none)."""
    if change is None:
        return p
    q = p.quantity.model_copy(update={
        "value": change.value, "low": change.low, "high": change.high, "distribution": change.distribution,
    })
    return Parameter(p.path, q, p.label, p.kind, p.intervention, evidence=p.published, change=change, rule=p.rule)
