"""The one engine: evaluate a :class:`~carescale.engine.scenario.Scenario` over draws and periods.

Every array has a leading *draws* axis (1 for a deterministic run) and a *periods* axis; money
arrays have a trailing *payer* axis (``asc``, ``nhs``). The same code serves the steady-state
table, the monthly appraisal and Monte Carlo: only the values and the timeline change.

For each intervention, at full scale and per year:

* beneficiaries of a segment = ``rate x cohort`` (share of cohort), ``max(rate x cohort -
  provision, 0)`` (additional to existing) or ``provision`` (current basis);
* cost = beneficiaries x unit cost, split between payers by the cost shares;
* gross saving = sum over outcomes of beneficiaries x outcome rate x unit saving, plus
  sum over spend reductions of area spend line x reduction, to each outcome's payer;
* net saving = gross saving - cost.

Each period multiplies these by the timeline's scale and the period length. The portfolio then
deducts, for each overlapping pair, ``share x min(people_a, people_b) x min(gross per person_a,
gross per person_b)`` for the overlap's payer.
"""

from __future__ import annotations

import numpy as np

from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import SettingsError, expect
from ..schema import PAYERS, Intervention
from .scenario import Scenario
from .memory import keep_freed_memory
from .parameters import ParameterTable, Values
from .results import InterventionResult, OverlapResult, PortfolioResult, SegmentResult
from .timeline import STEADY_STATE, Timeline

P = len(PAYERS)
PAYER_INDEX = {p: i for i, p in enumerate(PAYERS)}


def _n_draws(values: Values) -> int:
    shapes = (v.shape if type(v) is np.ndarray else np.shape(v) for v in values.values())
    sizes = {shape[0] for shape in shapes if len(shape) == 1}
    sizes.discard(1)
    if len(sizes) > 1:
        raise SettingsError(f"parameter arrays have different numbers of draws: {sorted(sizes)}")
    return sizes.pop() if sizes else 1


def _complete(values: Values | None, params: ParameterTable) -> Values:
    """``values`` with every parameter it does not name at its base value (one draw)."""
    if values is None:
        return params.base_values()
    missing = [p for p in params.paths if p not in values]
    if not missing:
        return values
    out = dict(values)
    for path in missing:
        out[path] = np.array([params[path].base], dtype=float)
    return out


def _draws(a, D: int) -> np.ndarray:
    """``a`` as (D,): itself when it already is an array of D draws (most are, and
    ``np.broadcast_to`` costs more than the arithmetic on a small block), else broadcast."""
    if type(a) is np.ndarray and a.shape == (D,):
        return a
    return np.broadcast_to(a, (D,))


def _full_scale(iv: Intervention, scenario: Scenario, v: Values, D: int):
    """Annual figures at full scale: beneficiaries (D,), cost (D,), person-based gross (D,P),
    spend-based gross (D,P), per-segment beneficiaries."""
    zeros = np.zeros(D)
    n_total = zeros.copy()
    cost = zeros.copy()
    gross_people = np.zeros((D, P))
    gross_spend = np.zeros((D, P))
    segments = []
    # share of its potential the intervention runs at: beneficiaries, and so costs, savings,
    # overlaps, set-up and workforce, follow it (a vectorised path, for the optimiser)
    share = np.asarray(v.get(f"{iv.id}.scale", scenario.scale_of(iv.id)), dtype=float)  # (D,), (1,) or ()
    whole = share.size == 1 and float(share.reshape(-1)[0]) == 1.0  # x 1 leaves every figure as it is
    for seg in iv.segments:
        pre = f"{iv.id}.{seg.id}"
        basis = seg.sizing.basis
        if basis == "none":
            n = zeros
        elif scenario.basis == "current":
            n = v.get(f"area.provision.{iv.id}.{seg.id}", zeros)
        elif basis == "share_of_cohort":
            n = v[f"{pre}.sizing.rate"] * v[f"area.cohorts.{seg.sizing.cohort}"]
        else:  # additional_to_existing
            target = v[f"{pre}.sizing.rate"] * v[f"area.cohorts.{seg.sizing.cohort}"]
            n = np.maximum(target - v.get(f"area.provision.{iv.id}.{seg.id}", zeros), 0.0)
        n = _draws(n if whole else n * share, D)
        segments.append(SegmentResult(seg.id, seg.description, n))
        n_total += n  # n_total, cost: this function's own arrays, added to in place
        if seg.unit_cost is not None:
            cost += n * v[f"{pre}.unit_cost"]
        for o in seg.outcomes:
            people = n * v[f"{pre}.outcomes.{o.id}.rate"] if o.rate is not None else n
            gross_people[:, PAYER_INDEX[o.payer]] += people * v[f"{pre}.outcomes.{o.id}.unit_saving"]
        for r in seg.spend_reductions:
            saved = v[f"area.spend.{r.spend_line}"] * v[f"{pre}.spend_reductions.{r.id}.reduction"]
            gross_spend[:, PAYER_INDEX[r.payer]] += saved if whole else saved * share
    if scenario.method == "full":
        for fc in iv.full_costs:
            extra = full_cost_amount(iv, fc, v, n_total, share, D)
            cost += extra
            if fc.netted:  # the published saving is net of this cost: gross adds it back
                gross_people[:, PAYER_INDEX[fc.payer]] += extra
    return n_total, cost, gross_people, gross_spend, tuple(segments)


def _staff(iv: Intervention, fc, v: Values, n_total: np.ndarray, share: np.ndarray, D: int) -> np.ndarray:
    """(D,) people in post in one full cost's role: ``staff`` per ``per`` beneficiaries, or per
    ``per`` pounds a year of the spend the model reduces (at the model's scale)."""
    pre = f"{iv.id}.full_costs.{fc.id}"
    if fc.per.unit == "people":
        driver = n_total
    else:
        lines = dict.fromkeys(r.spend_line for seg in iv.segments for r in seg.spend_reductions)
        driver = sum((v[f"area.spend.{line}"] for line in lines), np.zeros(1)) * share
    return _draws(driver * (v[f"{pre}.staff"] / v[f"{pre}.per"]), D)


def full_cost_amount(iv: Intervention, fc, v: Values, n_total: np.ndarray, share: np.ndarray, D: int) -> np.ndarray:
    """(D,) a year of one of ``iv``'s full costs: ``unit_cost`` per beneficiary, or the staff in
    post (:func:`_staff`) x ``unit_cost``."""
    unit = v[f"{iv.id}.full_costs.{fc.id}.unit_cost"]
    if fc.staff is None:
        return _draws(n_total * unit, D)
    return _staff(iv, fc, v, n_total, share, D) * unit


def staff_in_post(iv: Intervention, fc, v: Values, n_total: np.ndarray, scenario: Scenario, D: int) -> np.ndarray:
    """(D,) people in post at full scale in one full cost's role."""
    share = np.broadcast_to(np.asarray(v.get(f"{iv.id}.scale", scenario.scale_of(iv.id)), dtype=float), (D,))
    return _staff(iv, fc, v, n_total, share, D)


@dataclass(frozen=True)
class AnnualFigures:
    """One intervention's figures at full scale for a year, per draw: what :func:`evaluate`
    multiplies by its timeline's curve (and what the NPV-only route discounts directly)."""

    id: str
    beneficiaries: np.ndarray  # (D,)
    cost: np.ndarray  # (D, P) by payer
    gross: np.ndarray  # (D, P) person- and spend-based gross savings by payer
    setup_investment: np.ndarray  # (D,) (zeros without set-up, and on the current basis)
    segments: tuple[SegmentResult, ...]
    gross_per_person: np.ndarray | None  # (D, P) person-based gross saving per beneficiary (0 with
    # none), for a model in an overlap (the deduction's figure); None for the others


@dataclass(frozen=True)
class OverlapFigures:
    """An overlapping pair: its payer's index, the share of the smaller group in both (D, 1) and
    the smaller gross saving per person of that payer (D,)."""

    overlap: object  # the scenario's overlap
    payer: int
    share: np.ndarray
    saving_per_person: np.ndarray


def annual_figures(
    scenario: Scenario, v: Values, D: int
) -> tuple[list[AnnualFigures], list[OverlapFigures]]:
    """The full-scale annual figures of every intervention and overlap from complete values ``v``
    of ``D`` draws: the engine's one set of formulas (:func:`evaluate` multiplies them by its
    timeline; the NPV-only route discounts them without building (draws x months) arrays)."""
    if D >= 1024:  # arrays large enough to be mapped afresh: once per process, the next arrays
        keep_freed_memory()  # reuse freed memory (engine/memory.py)
    figures: list[AnnualFigures] = []
    gpp_of: dict[str, np.ndarray] = {}
    in_overlaps = {iid for ov in scenario.overlaps for iid in ov.interventions}
    for iv in scenario.interventions:
        n, cost, gross_people, gross_spend, segments = _full_scale(iv, scenario, v, D)
        by_payer = np.empty((D, P))  # cost x each payer's share (0 for a payer with none)
        for payer, i in PAYER_INDEX.items():
            np.multiply(cost, v[f"{iv.id}.cost_shares.{payer}"] if payer in iv.cost_shares else 0.0, out=by_payer[:, i])
        setup = np.zeros(D)
        if iv.setup is not None and scenario.basis == "potential":  # current: already set up
            tranches = np.ceil(n / v[f"{iv.id}.setup.per"] - 1e-9)
            setup = tranches * v[f"{iv.id}.setup.cost"]
        gpp = None
        if iv.id in in_overlaps:  # gross per person, 0 where there is nobody (no warning: not divided)
            some = n > 0  # (a plain division by a safe divisor: np.divide's where= is several times slower)
            gpp = gpp_of[iv.id] = gross_people / np.where(some, n, 1.0)[:, None]
            if not some.all():
                gpp[~some] = 0.0
        figures.append(AnnualFigures(iv.id, n, by_payer, gross_people + gross_spend, setup, segments, gpp))
    overlaps: list[OverlapFigures] = []
    for ov in scenario.overlaps:
        a, b = ov.interventions
        i = PAYER_INDEX[ov.payer]
        share = _draws(v[f"overlaps.{ov.id}.share"], D)[:, None]
        spp = np.minimum(gpp_of[a][:, i], gpp_of[b][:, i])
        overlaps.append(OverlapFigures(ov, i, share, spp))
    return figures, overlaps


def evaluate(
    scenario: Scenario,
    values: Values | None = None,
    timeline: Timeline = STEADY_STATE,
    parameters: ParameterTable | None = None,
) -> PortfolioResult:
    """Evaluate ``scenario``. ``values`` maps parameter paths to arrays of draws (default: every
    parameter at its base value, one draw). ``values`` may be partial: a path it does not name
    keeps its base value (the evidence figure, or the scenario's override). ``ID.scale`` (share
    of the intervention's potential, default the scenario's ``scale``) may be given per draw."""
    return evaluate_timelines(scenario, values, (timeline,), parameters)[0]


def evaluate_timelines(
    scenario: Scenario,
    values: Values | None,
    timelines: tuple[Timeline, ...],
    parameters: ParameterTable | None = None,
) -> tuple[PortfolioResult, ...]:
    """:func:`evaluate` on each of ``timelines``, the same values: the full-scale annual figures
    (:func:`annual_figures`, the engine's formulas) worked out once and put on each timeline, so
    each result is the one :func:`evaluate` gives for that timeline, bit for bit (the appraisal's
    costs and savings; the bridge's steady state, full-scale savings and savings)."""
    expect(scenario, Scenario, "scenario", "a Scenario from carescale.define_scenario(...)")
    if values is not None:
        expect(values, Mapping, "values", "a mapping of parameter path to value (see 'carescale parameters')")
    params = parameters or ParameterTable.from_scenario(scenario)
    v = _complete(values, params)
    D = _n_draws(v)
    figures, overlaps = annual_figures(scenario, v, D)
    annual = AnnualRun(v, D, figures, overlaps, _people_figures(scenario, v, D, figures))
    return tuple(_on_timeline(scenario, annual, timeline, params) for timeline in timelines)


def on_timelines(result: PortfolioResult, timelines: tuple[Timeline, ...]) -> tuple[PortfolioResult, ...]:
    """``result``'s annual figures put on each of ``timelines``: bit for bit what :func:`evaluate`
    gives on each with ``result``'s values, without working the engine's formulas out again (the
    bridge's steady state and full-scale savings from the appraisal's savings run)."""
    if result.annual is None:
        raise SettingsError("on_timelines: this result does not hold its annual figures")
    return tuple(_on_timeline(result.scenario, result.annual, timeline, result.parameters) for timeline in timelines)


@dataclass(frozen=True)
class PeopleFigures:
    """One intervention's figures at full scale that follow its people rather than its money: the
    wider benefits a year (D,), staff per person supported by role, the full costs' staff in post
    by role (D,) and whether it counts people (the same on every timeline: worked out once)."""

    wider_benefits: np.ndarray
    staff_per_person: tuple[tuple[str, float], ...]
    staff_in_post: tuple[tuple[str, np.ndarray], ...]
    person_based: bool


def _people_figures(scenario: Scenario, v: Values, D: int, figures: list[AnnualFigures]) -> tuple[PeopleFigures, ...]:
    out = []
    for iv, f in zip(scenario.interventions, figures):
        n = f.beneficiaries
        wider = np.zeros(D)
        for wb in iv.wider_benefits:
            wider = wider + n * v[f"{iv.id}.wider_benefits.{wb.id}"]
        in_post = ()
        if scenario.method == "full":  # staff by role of the full costs
            in_post = tuple((fc.role, staff_in_post(iv, fc, v, n, scenario, D)) for fc in iv.full_costs
                            if fc.staff is not None)
        out.append(PeopleFigures(
            wider_benefits=wider,
            staff_per_person=tuple((w.role, w.staff.value / w.per.value) for w in iv.workforce),
            staff_in_post=in_post,
            person_based=any(s.sizing.basis != "none" for s in iv.segments),
        ))
    return tuple(out)


@dataclass(frozen=True)
class AnnualRun:
    """The annual figures of complete values ``values`` of ``draws`` draws (what a result is
    put on its timeline from)."""

    values: Values
    draws: int
    figures: list[AnnualFigures]
    overlaps: list[OverlapFigures]
    people: tuple[PeopleFigures, ...]  # by intervention, as ``figures``


def _on_timeline(scenario: Scenario, annual: AnnualRun, timeline: Timeline, params: ParameterTable) -> PortfolioResult:
    """The annual figures of complete values over ``timeline``'s periods, every intervention at
    once: its figures are stacked as rows (interventions, draws, ...) and multiplied by the
    timeline's scales (interventions, draws or 1, periods) element by element, so each
    intervention's arrays (views of its rows) are bit for bit what it gives alone."""
    v, D, figures, overlap_figures = annual.values, annual.draws, annual.figures, annual.overlaps
    T = timeline.periods
    L = timeline.years_per_period
    results: list[InterventionResult] = []
    people_of: dict[str, np.ndarray] = {}  # id -> people (D, T)
    if figures:  # (np.array of a list of equal arrays stacks them, with less overhead than np.stack)
        scale = timeline.scales(scenario.interventions, v)
        people = np.array([f.beneficiaries for f in figures])[:, :, None] * scale
        amount = scale[:, :, :, None] * L
        cost_t = np.array([f.cost for f in figures])[:, :, None, :] * amount
        gross_t = np.array([f.gross for f in figures])[:, :, None, :] * amount
        wider = np.array([pf.wider_benefits for pf in annual.people])[:, :, None] * scale * L
    for i, (iv, f, pf) in enumerate(zip(scenario.interventions, figures, annual.people)):
        workforce = {role: people[i] * ratio for role, ratio in pf.staff_per_person}
        for role, staff in pf.staff_in_post:  # the full costs' staff at the period's scale
            workforce[role] = staff[:, None] * scale[i]
        results.append(
            InterventionResult(
                id=iv.id,
                name=iv.name,
                beneficiaries=people[i],
                cost=cost_t[i],
                gross=gross_t[i],
                setup_investment=f.setup_investment,
                wider_benefits=wider[i],
                workforce=workforce,
                segments=f.segments,
                person_based=pf.person_based,
            )
        )
        people_of[iv.id] = people[i]

    overlaps: list[OverlapResult] = []
    for o in overlap_figures:
        ov, i, share, spp = o.overlap, o.payer, o.share, o.saving_per_person
        a, b = ov.interventions
        both = share * np.minimum(people_of[a], people_of[b])
        deduction = np.zeros((D, T, P))
        deduction[:, :, i] = both * spp[:, None] * L
        overlaps.append(OverlapResult(ov.id, ov.interventions, ov.description, both, deduction, i, share, spp))

    return PortfolioResult(scenario, timeline, params, tuple(results), tuple(overlaps), annual)
