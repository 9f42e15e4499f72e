"""Scenarios: which interventions, in which area, on which basis (the *define* step).

A :class:`Scenario` is an immutable definition. It does no arithmetic; :func:`carescale.engine.
evaluate` evaluates it. The figures it is made of (:class:`FigureChange`, :class:`NotModelled`,
the bases, :func:`missing_inputs`) live in :mod:`.figures`, below the parameter table and the
overrides, which this module uses (it sits above them). Building one checks that the area has
every figure each chosen intervention needs; interventions the area cannot support are reported,
not silently dropped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping

from ..errors import ModelError, SettingsError, expect
from ..library import Library, default_library
from ..prices import PriceBase, price_base as make_price_base
from ..schema import Area, Intervention, Overlap
from .figures import BASES, Basis, FigureChange, NotModelled, missing_inputs
from .overrides import resolve_overrides
from .parameters import ParameterTable

#: ``full``: every model fully costed, overlaps on every payer; ``paper``: the paper's figures.
METHODS = ("full", "paper")

__all__ = [
    "BASES",
    "METHODS",
    "Basis",
    "FigureChange",
    "NotModelled",
    "Scenario",
    "define_scenario",
    "missing_inputs",
]


@dataclass(frozen=True)
class Scenario:
    """An area, the interventions to scale there, and the basis.

    ``basis='potential'`` sizes each intervention by its rule (the paper's "potential
    beneficiaries"); ``basis='current'`` uses the people the area serves today (``provision`` in
    the area profile), which is how source-site figures are reproduced.
    """

    area: Area
    interventions: tuple[Intervention, ...]
    overlaps: tuple[Overlap, ...] = ()
    basis: Basis = "potential"
    not_modelled: tuple[NotModelled, ...] = field(default=())
    #: Share of its potential each intervention runs at, ``(id, 0..1)`` pairs (default 1).
    scale: tuple[tuple[str, float], ...] = ()
    #: Figures changed from the evidence (resolved overrides), applied by the parameter table.
    changes: tuple[FigureChange, ...] = ()
    #: The price base every money figure is re-priced to; None keeps the published prices.
    prices: PriceBase | None = None
    #: ``full``: every model fully costed (each intervention's ``full_costs``) and overlaps
    #: deducted on every payer; ``paper``: the paper's own costs and council-only overlaps.
    method: str = "full"

    @property
    def intervention_ids(self) -> tuple[str, ...]:
        return tuple(iv.id for iv in self.interventions)

    def change_of(self, path: str) -> FigureChange | None:
        for c in self.changes:
            if c.path == path:
                return c
        return None

    def scale_of(self, iid: str) -> float:
        return dict(self.scale).get(iid, 1.0)

    def with_overrides(self, overrides: Mapping[str, Any], library: Library | None = None) -> "Scenario":
        """This scenario with ``overrides`` (parameter path -> number or ``{value, low, high,
        distribution, note}``) on top of the changes it already has; every other figure keeps
        its evidence value. Paths are those of ``carescale parameters`` plus
        ``<intervention>.<segment>.people``. Problems raise a one-line SettingsError."""
        base = replace(self, changes=())
        merged = {c.given_path or c.path: c for c in self.changes}
        new = resolve_overrides(base, overrides, library, existing=tuple(merged.values()))
        out = replace(self, changes=new)
        ParameterTable.from_scenario(base).with_changes_of(out)  # re-price once, not twice
        return out


def define_scenario(
    area: str | Area = "birmingham",
    interventions: Iterable[str] | None = None,
    basis: str = "potential",
    library: Library | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
    scale: Mapping[str, float] | None = None,
    prices: PriceBase | int | str | None = "default",
    method: str | None = None,
) -> Scenario:
    """Define a scenario.

    With ``interventions=None`` the default portfolio (the paper's six models) is used: those the
    area has figures for are included and the others are listed in ``Scenario.not_modelled``.
    Naming an intervention the area cannot support raises :class:`~carescale.errors.ModelError`.

    ``overrides``: parameter path -> new value (or ``{value, low, high, distribution, note}``),
    partial: every figure not named keeps its evidence value (see :meth:`Scenario.with_overrides`).
    ``scale``: intervention id -> share of its potential, 0 to 1 (default 1 each).
    ``prices``: re-price every money figure to one price base: ``"default"`` (the default) is
    the one base every entry point uses (:data:`carescale.prices.DEFAULT_BASE_YEAR`, 2024/25, HM
    Treasury's financial-year GDP deflator); a :class:`carescale.prices.PriceBase`, or a year
    (``2024``, ``"2023/24"``) with that deflator; ``None`` or ``"published"`` keeps the prices as
    published, as the paper does (the ``paper`` preset of a scenario document).
    ``method``: ``full`` (every model fully costed, overlaps deducted on every payer) or
    ``paper`` (the paper's own costs and its council-only overlap); by default ``paper`` goes
    with published prices and ``full`` with every price base (docs/appraisal.md, "Full costs").
    """
    if library is not None:
        expect(library, Library, "library", "a Library from carescale.default_library() or None")
    lib = library or default_library()
    if basis not in BASES:
        raise SettingsError(f"basis: {basis!r} is not valid; valid bases are: {', '.join(BASES)}")
    area_def = area if isinstance(area, Area) else lib.area(area)
    explicit = interventions is not None
    chosen = lib.select(interventions if explicit else None)
    if explicit and not chosen:
        raise SettingsError("interventions: the list is empty; name at least one intervention")
    keep: list[Intervention] = []
    skipped: list[NotModelled] = []
    for iv in chosen:
        iv = localise_sizing(iv, area_def, basis)  # type: ignore[arg-type]
        gaps = missing_inputs(iv, area_def, basis)  # type: ignore[arg-type]
        if not gaps:
            keep.append(iv)
        elif explicit:
            raise ModelError(
                f"intervention {iv.id!r} cannot be run on area {area_def.id!r} ({basis} basis): "
                f"the area profile has no {', '.join(gaps)}"
            )
        else:
            skipped.append(NotModelled(iv.id, gaps))
    ids = {iv.id for iv in keep}
    price_base = None
    if prices == "default":
        price_base = make_price_base()
    elif prices is not None and prices != "published":
        price_base = prices if isinstance(prices, PriceBase) else make_price_base(prices)
    if method is None:
        method = "paper" if price_base is None else "full"
    if method not in METHODS:
        raise SettingsError(f"method: {method!r} is not valid; valid methods are: {', '.join(METHODS)}")
    if any(o.priced_by for iv in keep for seg in iv.segments for o in seg.outcomes):
        from ..official.unit_costs import unit_cost_library

        unit_costs = unit_cost_library()  # the user's unit-cost folder looked at once, not once per model
        keep = [localise_unit_costs(iv, area_def, method, unit_costs) for iv in keep]
    overlaps = tuple(o for o in lib.overlaps.overlaps
                     if set(o.interventions) <= ids and (method == "full" or o.in_paper))
    scenario = Scenario(
        area_def, tuple(keep), overlaps, basis, tuple(skipped),  # type: ignore[arg-type]
        scale=_check_scale(scale, ids, lib), prices=price_base, method=method,
    )
    if overrides:
        scenario = scenario.with_overrides(overrides, lib)
    return scenario


def localise_sizing(iv: Intervention, area: Area, basis: str = "potential") -> Intervention:
    """``iv`` with each segment's ``sizing.otherwise`` in place of its sizing where ``area``
    lacks the sizing's own figures (its cohort, or the people it already serves for
    ``additional_to_existing``) and has the other's cohort: an unknown count is never taken as
    zero, and never invented. The built-in council profiles take this route where their official
    series define the target group (docs/fidelity.md, "Official target groups"); an area with
    the figures (the paper's Birmingham, a council's own imported profile) keeps the sizing as
    published. The rate's label names the cohort it sizes; its derivation, the method."""
    if basis != "potential" or not any(seg.sizing.otherwise for seg in iv.segments):
        return iv
    segments = []
    for seg in iv.segments:
        sz, alt = seg.sizing, seg.sizing.otherwise
        has_own = sz.cohort in area.cohorts and (
            sz.basis != "additional_to_existing" or seg.id in area.provision.get(iv.id, {}))
        if alt is None or has_own or alt.cohort not in area.cohorts:
            segments.append(seg)
            continue
        segments.append(seg.model_copy(update={"sizing": alt}))
    return iv.model_copy(update={"segments": tuple(segments)})


def localise_unit_costs(iv: Intervention, area: Area, method: str = "full", unit_costs: Any = None) -> Intervention:
    """``iv`` with each saving that is priced by a unit cost (``Outcome.priced_by``) scaled to
    ``area``'s own unit cost over the source site's, both from the unit-cost library
    (:mod:`carescale.official.unit_costs`: the user's figure, else the council's official one,
    else England's). The derivation names both figures and their sources; at the source site
    the factor is 1 and the note still names the unit cost. A saving the paper publishes for
    ``area`` (``priced_by.published_for``: its Birmingham) stays as published there, and on
    every area under the paper's method (``method == "paper"``: prices as published).
    ``unit_costs``: that library, when the caller has it already."""
    if not any(o.priced_by for seg in iv.segments for o in seg.outcomes):
        return iv
    from ..official.unit_costs import unit_cost_library
    from ..prices import price_base as make_base

    ucl = unit_costs if unit_costs is not None else unit_cost_library()
    segments = []
    for seg in iv.segments:
        outcomes = []
        for o in seg.outcomes:
            pb = o.priced_by
            if pb is None or (pb.published_for and (method == "paper" or area.id in pb.published_for)):
                outcomes.append(o)
                continue
            if pb.unit_cost not in ucl.kinds:
                raise ModelError(
                    f"intervention {iv.id!r}: segments[{seg.id}].outcomes[{o.id}].priced_by.unit_cost: unknown "
                    f"kind {pb.unit_cost!r}; the kinds are: {', '.join(sorted(ucl.kinds))} (data/unit_costs.yaml)"
                )
            here = ucl.get(pb.unit_cost, area.ons_code)
            site = ucl.get(pb.unit_cost, pb.site)
            here_value = here.value
            if here.price_year != site.price_year:  # a user's figure of another year: same prices first
                here_value *= make_base(site.price_year).factor(here.price_year or site.price_year)
            factor = here_value / site.value
            q = o.unit_saving
            cited = (f"{pb.unit_cost} here £{here.value:,.2f} ({here.price_year}; {here.ref.section}"
                     f"{'; ' + here.note if here.note else ''}), at the source site £{site.value:,.2f} "
                     f"({site.price_year}; {site.ref.section})")
            if factor == 1.0:
                new = q.model_copy(update={"note": f"{q.note + ' ' if q.note else ''}Priced by the unit cost {cited}: the same, so as published."})
            else:
                derivation = (f"{q.derivation + '; then ' if q.derivation else ''}{q.value:,.10g} x "
                              f"{here_value:,.6g} / {site.value:,.6g} = {q.value * factor:,.10g}: the site's saving "
                              f"scaled by {cited}; the ratio is of two {site.price_year} costs, so the saving keeps "
                              f"its price year {q.price_year} and is re-priced to the run's price base like every "
                              "money figure")
                update = {"value": q.value * factor, "status": "implied", "derivation": derivation}
                if q.low is not None and q.high is not None:
                    update.update(low=q.low * factor, high=q.high * factor)
                new = q.model_copy(update=update)
            outcomes.append(o.model_copy(update={"unit_saving": new}))
        changed = any(a is not b for a, b in zip(outcomes, seg.outcomes))
        segments.append(seg.model_copy(update={"outcomes": tuple(outcomes)}) if changed else seg)
    if all(a is b for a, b in zip(segments, iv.segments)):
        return iv  # every saving as published here (frozen: the library's own object)
    return iv.model_copy(update={"segments": tuple(segments)})


def _check_scale(scale: Mapping[str, float] | None, ids: set[str], lib: Library) -> tuple[tuple[str, float], ...]:
    """``scale`` as sorted pairs, each id in the scenario and each share from 0 to 1."""
    out = []
    for iid, share in sorted((scale or {}).items()):
        if iid not in ids:
            where = "is not one of this scenario's interventions" if iid in lib.interventions else "is not an intervention id"
            raise SettingsError(f"scale.{iid}: {iid!r} {where}; valid: {', '.join(sorted(ids)) or 'none'}")
        try:
            x = float(share)
        except (TypeError, ValueError):
            x = float("nan")
        if isinstance(share, bool) or not math.isfinite(x) or not 0.0 <= x <= 1.0:
            raise SettingsError(f"scale.{iid}: {share!r} is not valid; give a share of the potential from 0 to 1")
        if x != 1.0:
            out.append((iid, x))
    return tuple(out)
