"""Correlation groups and seeded draws.

Parameters that rest on the same evidence move together. A *group* is a set of parameter paths
that share one uniform draw; each member turns it into its own value through its own inverse
CDF, so members are perfectly rank-correlated (identical when they are the same number). Groups
come from two places:

* declared in ``uncertainty_defaults.yaml`` (``correlation_groups``: path patterns);
* detected: the same number (equal value, unit, provenance and reference, as a YAML anchor
  gives) used at several paths, e.g. one overlap share for three pairs of schemes.

Cost shares are the exception: the NHS share is always 1 minus the council's, so a range on who
pays moves money between payers but never the total.

Draws use ``numpy.random.default_rng(seed)`` (PCG64), one group after another in the parameter
table's order: the same seed and inputs give the same
numbers, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..engine import ParameterTable
from ..errors import ModelError
from ..schema import PAYERS
from .defaults import CorrelationGroup, ParameterRange, UncertaintyDefaults, matches

#: Uniform numbers are kept inside (EPS, 1 - EPS) so that no inverse CDF returns infinity.
EPS = 1e-12


@dataclass(frozen=True)
class Group:
    """Parameters drawn together (one uniform number per draw)."""

    id: str
    label: str
    members: tuple[ParameterRange, ...]
    declared: CorrelationGroup | None = None

    @property
    def fixed(self) -> bool:
        return all(m.marginal.fixed for m in self.members)

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(m.path for m in self.members)


def _derived_share(r: ParameterRange, paths: set[str]) -> str | None:
    """For the last payer's cost share, the path of the share it is 1 minus."""
    p = r.parameter
    if p.kind != "cost_share" or not p.path.endswith(f".cost_shares.{PAYERS[-1]}"):
        return None
    first = p.path.rsplit(".", 1)[0] + f".{PAYERS[0]}"
    return first if first in paths else None


def make_groups(ranges: list[ParameterRange], defaults: UncertaintyDefaults) -> tuple[list[Group], dict[str, str]]:
    """The groups, in the parameter table's order, and the derived cost shares
    (``{nhs share path: council share path}``)."""
    paths = {r.path for r in ranges}
    derived: dict[str, str] = {}
    buckets: dict[object, list[ParameterRange]] = {}
    declared_of: dict[object, CorrelationGroup] = {}
    for r in ranges:
        src = _derived_share(r, paths)
        if src is not None:
            derived[r.path] = src
            continue
        decl = next((g for g in defaults.correlation_groups if matches(r.path, g.paths)), None)
        if decl is not None:
            key: object = ("declared", decl.id)
            declared_of[key] = decl
        elif r.parameter.kind == "cost_share":
            key = ("path", r.path)
        else:
            key = ("same-number", r.parameter.quantity.model_dump_json())
        buckets.setdefault(key, []).append(r)
    groups = []
    for key, members in buckets.items():
        decl = declared_of.get(key)
        first = members[0].parameter
        if decl is not None:
            gid, label = decl.id, decl.description
        else:
            gid = first.path
            label = first.label + (f" (the same figure, used {len(members)} times)" if len(members) > 1 else "")
        groups.append(Group(gid, label, tuple(members), decl))
    return groups, derived


def within_rule(m: ParameterRange, x: np.ndarray) -> np.ndarray:
    """Draws ``x`` of ``m`` kept to its figure's rule (schema/rules.py): clipped into the rule's
    bounds (a gamma or lognormal tail can pass a unit's largest value), rounded for a whole
    number; a figure the engine divides by never reaches 0 (its range is above 0, checked in
    :func:`~carescale.uncertainty.defaults.parameter_ranges`, and a whole one is at least 1), so
    a draw of 0 or less there is refused rather than divided by. Draws inside the rule are
    returned unchanged, value for value."""
    rule = m.parameter.rule
    if rule.whole:
        x = np.round(x)
    x = np.clip(x, rule.low, rule.high)
    if rule.above_zero and not (x > 0).all():
        raise ModelError(
            f"{m.path}: a draw of {float(x.min()):g} is not above 0; it is {rule.above_zero}, and the "
            "engine divides by it: give it a range above 0"
        )
    return x


def values_from_uniforms(
    groups: list[Group], derived: dict[str, str], u: np.ndarray, n: int
) -> dict[str, np.ndarray]:
    """Parameter values for uniforms ``u`` of shape (live groups, n), live groups in order."""
    values: dict[str, np.ndarray] = {}
    u = np.clip(u, EPS, 1 - EPS)
    i = 0
    for g in groups:
        if g.fixed:
            for m in g.members:
                values[m.path] = np.full(n, m.marginal.value, dtype=float)
            continue
        for m in g.members:
            values[m.path] = within_rule(m, m.marginal.ppf(u[i]))
        i += 1
    for path, src in derived.items():
        values[path] = 1.0 - values[src]
    return values


def live_groups(groups: list[Group]) -> list[Group]:
    return [g for g in groups if not g.fixed]


def _draw_group(g: Group, rng: np.random.Generator, n: int, values: dict[str, np.ndarray]) -> None:
    marginals = {m.marginal for m in g.members}
    if g.fixed:
        for m in g.members:
            values[m.path] = np.full(n, m.marginal.value, dtype=float)
    elif len(marginals) == 1:
        x = g.members[0].marginal.draw(rng, n)
        for m in g.members:
            values[m.path] = within_rule(m, x)
    else:
        u = np.clip(rng.random(n), EPS, 1 - EPS)
        for m in g.members:
            values[m.path] = within_rule(m, m.marginal.ppf(u))


def sample(
    groups: list[Group], derived: dict[str, str], n: int, seed: int,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, np.ndarray]:
    """``n`` seeded draws of every parameter. A group whose members share one distribution
    (the usual case: the same figure at several paths) is drawn straight from numpy's
    generator; a group of different distributions shares a uniform through inverse CDFs.
    ``progress(done, total)`` is called after each group (groups done of all groups)."""
    rng = np.random.default_rng(seed)
    values: dict[str, np.ndarray] = {}
    for i, g in enumerate(groups):
        if progress is not None:
            progress(i, len(groups))
        _draw_group(g, rng, n, values)
    for path, src in derived.items():
        values[path] = 1.0 - values[src]
    return values


def stable_key(text: str) -> int:
    """A 64-bit number for ``text``, the same on every machine and run (unlike ``hash``)."""
    import hashlib

    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")


def is_local(g: Group) -> bool:
    """A group with an area figure (cohort, spend, provision) is the council's own uncertainty;
    the others are the evidence's, shared by every council."""
    return any(m.path.startswith("area.") for m in g.members)


#: Evidence groups' draws kept in this process (issue 25): the same in every place, so a national
#: run draws them once, not once per council. Keyed by everything the draws depend on.
_EVIDENCE: dict[tuple, dict[str, np.ndarray]] = {}
#: Draws (numbers) the evidence cache may hold before it starts again (about 400 MB).
EVIDENCE_CACHE_NUMBERS = 50_000_000
_evidence_numbers = 0


def _evidence_draws(g: Group, n: int, seed: int) -> dict[str, np.ndarray]:
    """The draws of evidence group ``g`` (its own stream from ``seed``, keyed by its id only),
    computed once per process for the same group, number of draws and seed. The arrays are
    read-only (shared by every place that asks)."""
    global _evidence_numbers
    rule = tuple((m.path, m.marginal, m.parameter.rule.whole, m.parameter.rule.low, m.parameter.rule.high,
                  m.parameter.rule.above_zero) for m in g.members)
    key = (g.id, n, seed, rule)
    got = _EVIDENCE.get(key)
    if got is None:
        got = {}
        _draw_group(g, np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(stable_key(g.id),))), n, got)
        for a in got.values():
            a.flags.writeable = False
        size = n * len(got)
        if _evidence_numbers + size > EVIDENCE_CACHE_NUMBERS:
            _EVIDENCE.clear()
            _evidence_numbers = 0
        _EVIDENCE[key] = got
        _evidence_numbers += size
    return got


def sample_keyed(groups: list[Group], derived: dict[str, str], n: int, seed: int, place: str) -> dict[str, np.ndarray]:
    """``n`` draws in which each group has its own random stream, derived from ``seed`` with
    :class:`numpy.random.SeedSequence` keyed by the group's id and, for an area figure, by
    ``place`` too. So the evidence (unit costs, outcome rates, ...) takes the same draws in
    every place (common random numbers: a model that saves less than thought does so
    everywhere, and a national total adds up draw by draw), each place's own figures are
    independent of every other place's, and no result depends on which places are run, in
    what order, or how the work is split between processes."""
    values: dict[str, np.ndarray] = {}
    for g in groups:
        if is_local(g):
            key = (stable_key(place), stable_key(g.id))
            _draw_group(g, np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key)), n, values)
        else:
            values.update(_evidence_draws(g, n, seed))
    for path, src in derived.items():
        values[path] = 1.0 - values[src]
    return values


def check_complete(values: dict[str, np.ndarray], params: ParameterTable) -> None:
    missing = [p for p in params.paths if p not in values]
    if missing:  # pragma: no cover - every range is in a group or derived
        raise RuntimeError(f"no draws for {missing[0]}")
