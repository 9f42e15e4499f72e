"""Switching values: the figure at which a scheme's annual net saving is zero.

For each intervention and each key parameter (take-up, outcome rates, savings per person, cuts
in spend, running cost per person) we find the value at which the scheme's net saving is zero,
for three perspectives: the council and NHS together (``total``), the council alone (``asc``)
and the NHS alone (``nhs``). A perspective whose net saving does not depend on the parameter is
left out.

The engine is linear in each of these parameters (beneficiaries x rate x saving - beneficiaries
x cost), so two evaluations give the exact root; every root is then put back into the engine,
and if the net saving there is not within 50p of zero (a model that is not linear there) the
root is found with :func:`scipy.optimize.brentq` instead. All evaluations are vectorised: one
engine call holds every parameter's trial values as draws.

Where there is no switching value in range we say so honestly rather than report a number:

* the root lies outside what the figure can be (below 0, or above 1 for a share): the scheme
  saves (or loses) money whatever the figure;
* the root is where the scheme does nothing (no one served, or no effect, so cost and saving are
  both zero): net saving is proportional to the figure, so any value above zero keeps the sign.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..engine import Parameter, ParameterTable
from ..errors import ModelError
from ..schema import Intervention
from ..formatting import stated
from ..schema.base import MONEY_UNITS
from ..engine.scenario import Scenario
from .defaults import UncertaintyDefaults, matches
from .evaluation import annual
from .sampling import Group

KEY_KINDS = ("rate", "unit_cost", "unit_saving", "reduction")
PERSPECTIVES = ("total", "asc", "nhs")
WHO = {"total": "for the council and the NHS together", "asc": "for the council", "nhs": "for the NHS"}
TOLERANCE = 0.5  # pounds
#: Significant figures a switching value is given to. Its root is found to 1e-12 (``brentq``'s
#: ``xtol``); the digits after that are the arithmetic's own noise, and they differ between
#: processors (numpy adds up in the vector width the processor has: two machines gave
#: 284.04110931193304 and 284.0411093119329 for one root), so every output would differ by machine.
SWITCH_FIGURES = 10


def _given(root: float) -> float:  # a numpy or Python float
    """``root`` to :data:`SWITCH_FIGURES` significant figures."""
    return float(f"{root:.{SWITCH_FIGURES}g}")


@dataclass(frozen=True)
class _Item:
    intervention: Intervention
    parameter: Parameter
    paths: tuple[str, ...]
    base: float


def _items(scenario: Scenario, groups: list[Group]) -> list[_Item]:
    ivs = {iv.id: iv for iv in scenario.interventions}
    items: list[_Item] = []
    for g in groups:
        by_iv: dict[str, list[Parameter]] = {}
        for m in g.members:
            p = m.parameter
            if p.intervention in ivs and p.kind in KEY_KINDS:
                by_iv.setdefault(p.intervention, []).append(p)
        for iid, ps in by_iv.items():
            if len({p.base for p in ps}) == 1:
                items.append(_Item(ivs[iid], ps[0], tuple(p.path for p in ps), ps[0].base))
            else:
                items.extend(_Item(ivs[iid], p, (p.path,), p.base) for p in ps)
    order = {iv.id: i for i, iv in enumerate(scenario.interventions)}
    items.sort(key=lambda it: order[it.intervention.id])  # stable: table order within each
    return items


def _persp(arr: np.ndarray, who: str) -> np.ndarray:
    return arr.sum(axis=-1) if who == "total" else arr[..., 0 if who == "asc" else 1]


def _upper(p: Parameter) -> float:
    return 1.0 if p.quantity.unit == "proportion" else np.inf


def _step(p: Parameter) -> float:
    b = p.base
    if p.quantity.unit == "proportion":
        return 0.01 if b <= 0.99 else -0.01
    return max(1.0, 0.1 * abs(b))


# -- words -----------------------------------------------------------------------------------


def fmt(x: float, unit: str) -> str:
    """A switching value as the documents state an input (carescale.formatting.stated), a
    count or rate other than money or a share as a whole number."""
    if unit == "proportion" or unit in MONEY_UNITS:
        return stated(x, unit)
    return f"{x:,.0f}"


def _what(item: _Item) -> tuple[str, str]:
    """(what the parameter is, in words; the kind of statement)."""
    iv, path = item.intervention, item.parameter.path
    parts = path.split(".")
    seg = next((s for s in iv.segments if s.id == parts[1]), None)
    if path.endswith(".sizing.rate") and seg is not None:
        return f"{seg.sizing.cohort.replace('_', ' ')}", "take_up"
    if ".outcomes." in path and seg is not None:
        o = next(o for o in seg.outcomes if o.id == parts[3])
        return o.description[0].lower() + o.description[1:], "outcome_rate" if parts[-1] == "rate" else "unit_saving"
    if ".spend_reductions." in path and seg is not None:
        r = next(r for r in seg.spend_reductions if r.id == parts[3])
        return r.spend_line.replace("_", " "), "reduction"
    return item.parameter.label.split(": ", 1)[-1], "unit_cost"


def _target_text(item: _Item, switch: float, defaults: UncertaintyDefaults) -> tuple[str | None, dict | None]:
    """The source's own terms for a break-even saving (``targets`` in the defaults file)."""
    if item.base == 0:  # a saving set to 0 has no multiple in the source's terms (it would divide by 0)
        return None, None
    for t in defaults.targets:
        if not any(matches(p, (t.parameter,)) for p in item.paths):
            continue
        rep = next(
            (r for r in item.intervention.reported_outcomes if r.description == t.reported_outcome), None
        )
        if rep is None:
            raise ModelError(
                f"uncertainty_defaults.yaml: targets: intervention {item.intervention.id!r} has no "
                f"reported outcome {t.reported_outcome!r}; valid descriptions are: "
                + ", ".join(r.description for r in item.intervention.reported_outcomes)
            )
        value = rep.value.value * switch / item.base
        target = {"description": rep.description, "reported": rep.value.value, "break_even": round(value, 6)}
        words = t.wording.format(target=fmt(value, rep.value.unit))
        return f"{words} (the source reports {fmt(rep.value.value, rep.value.unit)})", target
    return None, None


def _sentence(
    item: _Item, who: str, switch: float, rising: bool, defaults: UncertaintyDefaults, goal: str | None = None
) -> tuple[str, dict | None]:
    name, unit, base = item.intervention.name, item.parameter.quantity.unit, item.base
    breaks = goal or "breaks even"
    pays = goal or "pays for itself"
    what, kind = _what(item)
    bound = "at least" if rising else "no more than"
    given = f"the evidence gives {fmt(base, unit)}"
    q = item.parameter.quantity
    if q.status == "assumption" and q.derivation:
        given += f"; our assumption: {q.derivation}"
    if kind == "unit_cost" and ".full_costs." in item.parameter.path:
        fc = next(f for f in item.intervention.full_costs if f.id == item.parameter.path.split(".")[2])
        each = "each of its " + fc.role if fc.staff is not None else f"{fc.role} for each person"
        return (
            f"{name} {pays} {WHO[who]} as long as {each} cost {bound} {fmt(switch, unit)} a year ({given})",
            None,
        )
    if kind == "unit_cost":
        seg = next(s for s in item.intervention.segments if s.id == item.parameter.path.split(".")[1])
        if len(item.intervention.segments) == 1:
            whose, whole = "it costs", ""
        else:  # the other segments' savings also pay for this one: say it is the whole scheme
            whose = f"{seg.description[0].lower() + seg.description[1:]} cost"
            whole = " as a whole (all its groups together)"
        return (
            f"{name} {pays}{whole} {WHO[who]} as long as {whose} {bound} {fmt(switch, unit)} a "
            f"person a year ({given})",
            None,
        )
    if kind == "unit_saving":
        text, target = _target_text(item, switch, defaults)
        if text:
            return f"{name} {breaks} {WHO[who]} if {text}", target
        return (
            f"{name} {breaks} {WHO[who]} if the saving per person from '{what}' is {bound} "
            f"{fmt(switch, unit)} a year ({given})",
            None,
        )
    if kind == "outcome_rate":
        return (
            f"{name} {breaks} {WHO[who]} if {bound} {fmt(switch, unit)} of people on the scheme "
            f"achieve '{what}' ({given})",
            None,
        )
    if kind == "reduction":
        return (
            f"{name} {breaks} {WHO[who]} if {what} spending falls by {bound} {fmt(switch, unit)} "
            f"({given})",
            None,
        )
    seg = next(s for s in item.intervention.segments if s.id == item.parameter.path.split(".")[1])
    if seg.sizing.basis == "additional_to_existing":
        what += ", counting the people it already serves"
    return (
        f"{name} {breaks} {WHO[who]} if it reaches {bound} {fmt(switch, unit)} of {what} ({given})",
        None,
    )


def _no_switch(item: _Item, who: str, f0: float, reason: str, npv: bool = False) -> str:
    name = item.intervention.name
    label = item.parameter.label.split(": ", 1)[-1]
    if npv:
        sign = "has a positive NPV" if f0 > 0 else "has a negative NPV"
    else:
        sign = "saves money" if f0 > 0 else "costs more than it saves"
    if reason == "range":
        span = "from 0 to 100%" if item.parameter.quantity.unit == "proportion" else "of 0 or more"
        return f"No switching value: {name} {sign} {WHO[who]} at any {label} {span}"
    return (
        f"No switching value: the {'NPV' if npv else 'net saving'} of {name} {WHO[who]} is proportional "
        f"to its {label}, so "
        f"it is zero only when the scheme does nothing; at any value above zero it {sign}"
    )


# -- search ----------------------------------------------------------------------------------


NetFn = Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]]


def annual_net(scenario: Scenario, params: ParameterTable) -> NetFn:
    """Annual net saving at full scale by intervention, (D, P)."""
    return lambda v: annual(scenario, v, params).net


def npv_net(scenario: Scenario, params: ParameterTable, settings: Any = None) -> NetFn:
    """NPV over the appraisal period by intervention and payer, (D, P) (``carescale.appraisal``)."""
    from ..appraisal import appraise_npv

    def f(v: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return dict(appraise_npv(scenario, settings, v, params).by_payer)

    return f


def switching_values(
    scenario: Scenario,
    params: ParameterTable,
    groups: list[Group],
    defaults: UncertaintyDefaults,
    net_fn: NetFn | None = None,
    goal: str | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Switching values by intervention id (see the module docstring). ``net_fn`` gives the
    measure (default: annual net saving; :func:`npv_net` for NPV) and ``goal`` how a target is
    worded (default "breaks even" / "pays for itself")."""
    measure = "npv" if net_fn is not None and goal is not None else "annual_net_saving"
    net_fn = net_fn or annual_net(scenario, params)
    items = _items(scenario, groups)
    out: dict[str, list[dict[str, Any]]] = {iv.id: [] for iv in scenario.interventions}
    if not items:
        return out
    K = len(items)
    steps = np.array([_step(it.parameter) for it in items])
    v = params.base_values(2 * K)
    for k, it in enumerate(items):
        for path in it.paths:
            v[path][2 * k + 1] = it.base + steps[k]
    res_net = net_fn(v)

    rows: list[dict[str, Any]] = []
    for k, it in enumerate(items):
        net = res_net[it.intervention.id]
        for who in PERSPECTIVES:
            f0, f1 = float(_persp(net[2 * k], who)), float(_persp(net[2 * k + 1], who))
            slope = (f1 - f0) / steps[k]
            if abs(slope) * max(abs(it.base), abs(steps[k])) < 0.01:
                continue  # this perspective's net saving does not depend on the parameter
            root = it.base - f0 / slope
            rows.append({"item": it, "who": who, "f0": f0, "slope": slope, "root": root})

    upper_tol = 1e-9
    live = [r for r in rows if -upper_tol <= r["root"] <= _upper(r["item"].parameter) + upper_tol]
    for r in live:
        r["root"] = min(max(r["root"], 0.0), _upper(r["item"].parameter))
    if live:
        v = params.base_values(len(live))
        for j, r in enumerate(live):
            for path in r["item"].paths:
                v[path][j] = r["root"]
        check = annual(scenario, v, params)
        check_net = net_fn(v)
        for j, r in enumerate(live):
            iid = r["item"].intervention.id
            f = float(_persp(check_net[iid][j], r["who"]))
            if abs(f) > TOLERANCE:
                r["root"] = _brentq(params, r, net_fn)
            activity = abs(float(_persp(check.gross[iid][j], r["who"]))) + abs(
                float(_persp(check.cost[iid][j], r["who"]))
            )
            r["trivial"] = activity < TOLERANCE and r["root"] is not None

    for r in rows:
        it, who = r["item"], r["who"]
        entry: dict[str, Any] = {
            "parameter": it.parameter.path,
            "paths": list(it.paths),
            "label": it.parameter.label,
            "perspective": who,
            "unit": it.parameter.quantity.unit,
            "base": it.base,
            "measure": measure,
            "base_net_saving": round(r["f0"], 2),
            "switch": None,
        }
        in_range = r in live and r.get("root") is not None
        if in_range and not r.get("trivial"):
            sw = _given(r["root"])
            entry["switch"] = sw
            change = sw / it.base - 1 if it.base else None
            # a base figure near zero (1e-300) gives no finite relative change: shown as none
            entry["change"] = round(change, 6) if change is not None and np.isfinite(change) else None
            entry["target"], tgt = _sentence(it, who, sw, r["slope"] > 0, defaults, goal)
            if tgt:
                entry["reported_outcome"] = tgt
        else:
            entry["reason"] = _no_switch(it, who, r["f0"], "trivial" if in_range else "range", measure == "npv")
        out[it.intervention.id].append(entry)
    return out


def _brentq(params: ParameterTable, r: dict, net_fn: NetFn) -> float | None:
    """Root by bracketing on a vectorised grid, then brentq (for a model not linear here)."""
    it, who = r["item"], r["who"]
    hi = _upper(it.parameter)
    if not np.isfinite(hi):
        hi = max(10 * abs(it.base), 10 * abs(r["root"]), 1.0)
    grid = np.linspace(0.0, hi, 401)

    def f(x: np.ndarray) -> np.ndarray:
        v = params.base_values(len(x))
        for path in it.paths:
            v[path] = np.asarray(x, dtype=float)
        return _persp(net_fn(v)[it.intervention.id], who)

    y = f(grid)
    sign = np.nonzero(np.sign(y[:-1]) * np.sign(y[1:]) <= 0)[0]
    if not len(sign):
        return None
    j = sign[np.argmin(np.abs(grid[sign] - it.base))]
    if y[j] == 0:
        return float(grid[j])
    from scipy.optimize import brentq  # deferred: scipy.optimize is slow to import

    root = float(brentq(lambda x: float(f(np.array([x]))[0]), grid[j], grid[j + 1], xtol=1e-12))
    # a step in the model (e.g. set-up bought in whole tranches) can leave no exact zero
    return root if abs(float(f(np.array([root]))[0])) <= TOLERANCE else None


# -- the overlap share (a portfolio figure) ----------------------------------------------------


PortfolioFn = Callable[[dict[str, np.ndarray]], np.ndarray]


def overlap_switching_values(
    scenario: Scenario,
    params: ParameterTable,
    portfolio_fn: PortfolioFn | None = None,
    goal: str | None = None,
) -> list[dict[str, Any]]:
    """Switching values of the overlap share, which moves the portfolio, not one model: the
    share (every pair's at once, the one figure the library gives them) at which the models
    together stop saving money (or, with ``portfolio_fn`` giving NPV by payer (D, P), stop
    paying back), per perspective. Empty without overlaps, or when pairs were given different
    shares (then each is its own figure)."""
    paths = [f"overlaps.{o.id}.share" for o in scenario.overlaps]
    if not paths or len({params[p].base for p in paths}) != 1:
        return []
    measure = "npv" if portfolio_fn is not None and goal is not None else "annual_net_saving"
    portfolio_fn = portfolio_fn or (lambda v: annual(scenario, v, params).portfolio)
    base = params[paths[0]].base
    step = 0.01
    v = params.base_values(2)
    for p in paths:
        v[p][1] = base + step
    net = portfolio_fn(v)
    quantity = params[paths[0]].quantity
    given = f"the evidence gives {fmt(base, 'proportion')}"
    if quantity.low is not None and quantity.high is not None:
        given += f", from {fmt(quantity.low, 'proportion')} to {fmt(quantity.high, 'proportion')}"
    out = []
    for who in PERSPECTIVES:
        f0, f1 = float(_persp(net[0], who)), float(_persp(net[1], who))
        slope = (f1 - f0) / step
        if abs(slope) * step < 0.01:
            continue  # this payer's total does not depend on the overlap
        root = base - f0 / slope
        entry: dict[str, Any] = {
            "parameter": "overlaps.share", "paths": paths, "label": "Overlap share (every pair)",
            "perspective": who, "unit": "proportion", "base": base, "measure": measure,
            "base_net_saving": round(f0, 2), "switch": None,
        }
        what = goal or "break even"
        if 0.0 <= root <= 1.0:
            root = _given(root)
            entry["switch"] = root
            entry["change"] = round(root / base - 1, 6) if base else None
            entry["target"] = (f"The models together {what} {WHO[who]} if the overlap share is "
                               f"{'no more than' if slope < 0 else 'at least'} {fmt(root, 'proportion')} ({given})")
        else:
            sign = ("have a positive NPV" if f0 > 0 else "have a negative NPV") if measure == "npv" else \
                ("save money" if f0 > 0 else "cost more than they save")
            entry["reason"] = f"No switching value: the models together {sign} {WHO[who]} at any overlap share from 0 to 100%"
        out.append(entry)
    return out
