"""The NPV-only route in one compiled pass per block of draws (issue 25, "at the floor").

:func:`carescale.appraisal.npv_only.appraise_npv` worked each block of draws out with about 40
numpy operations per model (the engine's annual figures, then the NPV's terms); each operation
reads and writes whole arrays, so the route cost 4-6 read passes over a draws x 120 x 2 array.
Here the scenario's structure (its models, segments, outcomes, spend reductions, full costs,
set-up and overlaps) is laid out once as integer tables (:func:`plan`), and the numba kernel
:func:`carescale.appraisal.npv_jit.npv_draws` runs the same formulas draw by draw in one pass,
reading each input once.

The kernel is used for Monte Carlo runs of ``npv_only.MIN_KERNEL_DRAWS`` draws or more whose
curves are shared by every draw (ramp-up months not varying by draw), once it is loaded (:func:`use`:
after two million draws in a process, at once with ``CARESCALE_NPV_KERNEL=1`` or :func:`load`);
otherwise, without numba and with ``CARESCALE_NPV_KERNEL=0``, the numpy route runs. numba is
imported only here, when the kernel is loaded (never for ``carescale --help`` or ``carescale
run``); its machine code is compiled once per machine (about 5 s of CPU) and cached (next to the
source, or under ``NUMBA_CACHE_DIR``, which is set to carescale's cache folder when the source
folder cannot be written); loading it in a process costs about 0.5 s of CPU.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import config
from ..engine.scenario import Scenario
from .core import PAYER_INDEX, P

#: Draws per block inside the kernel: its working rows (people, cost, savings by payer and model)
#: stay in the processor's cache (1,024 to 16,384 measured within 10% of each other).
BLOCK = 4096

#: Draws a process runs through the numpy route before it loads the kernel by itself (like
#: renting skis until the rent would have bought them): loading numba and the cached kernel costs
#: about 0.5 s of CPU once per process, what the numpy route spends over the kernel in about two
#: million draws. So a one-off command (``carescale uncertainty``, a PDF, the national case's
#: 1.5 million draws) never pays more than twice its best, and a process that runs Monte Carlo again
#: and again (the web app, the optimiser, a notebook) ends on the kernel.
LOAD_AFTER_DRAWS = 2_000_000
_numpy_draws = [0]
# A process forked from this one (a local Dask worker, national/cluster.py) counts its own draws
# from nought, as a process started afresh does: it inherits the kernel if this process has
# loaded it, but not a count that would load it partway through its first tasks (each worker
# then paid the 0.5 s load, which does not divide between workers).
os.register_at_fork(after_in_child=lambda: _numpy_draws.__setitem__(0, 0))


def use(draws: int) -> bool:
    """Whether a run of ``draws`` draws goes through the kernel. ``CARESCALE_NPV_KERNEL``: ``0``
    never, ``1`` always (numba loaded at the first run); unset (``auto``): once the kernel is
    loaded in this process (:func:`load`), or once the process has run :data:`LOAD_AFTER_DRAWS`
    draws without it. Never without numba."""
    mode = config.npv_kernel()
    if mode == "off":
        return False
    if mode == "on" or _kernel.cache_info().currsize:
        return _kernel() is not None
    _numpy_draws[0] += draws
    return _numpy_draws[0] >= LOAD_AFTER_DRAWS and _kernel() is not None


def load() -> bool:
    """Load the kernel now (numba, and the machine code from its cache, compiled there on the
    machine's first run) so that every later Monte Carlo run of this process goes through it: for
    a process that will run many (``CARESCALE_NPV_KERNEL=1`` does the same at the first run).
    False without numba."""
    J = _kernel()
    if J is None:
        return False
    J.warm()
    return True


@functools.cache
def _kernel():
    """The compiled kernel (its first call in a process loads it from numba's cache), or None
    without numba."""
    config.numba_cache_dir(Path(__file__).parent)  # next to this file, or carescale's cache folder
    try:
        from . import npv_jit
    except ImportError:
        return None
    return npv_jit


@dataclass(frozen=True)
class Plan:
    """The scenario as tables for the kernel. ``slots``: (path, default) of each input row, read
    from the values (``default`` when the values do not name the path: a constant)."""

    slots: tuple[tuple[str | None, float], ...]
    models: np.ndarray
    cost_share: np.ndarray
    segs: np.ndarray
    outs: np.ndarray
    reds: np.ndarray
    fcs: np.ndarray
    lines: np.ndarray
    ovs: np.ndarray


def plan(scenario: Scenario, setup_timing: str, in_overlaps: set[str]) -> Plan:
    """The integer tables of :mod:`~carescale.appraisal.npv_jit` for ``scenario``: what
    ``engine.evaluate._full_scale`` and ``annual_figures`` read, path by path."""
    from . import npv_jit as J

    slots: dict[tuple[str | None, float], int] = {}

    def slot(path: str | None, default: float = 0.0) -> int:
        return slots.setdefault((path, float(default)), len(slots))

    zero = slot(None, 0.0)
    models, shares, segs, outs, reds, fcs, lines = [], [], [], [], [], [], []
    for iv in scenario.interventions:
        scale = slot(f"{iv.id}.scale", scenario.scale_of(iv.id))
        seg0 = len(segs)
        for seg in iv.segments:
            pre = f"{iv.id}.{seg.id}"
            basis = seg.sizing.basis
            rate = cohort = prov = zero
            if basis == "none":
                kind = J.NONE
            elif scenario.basis == "current":
                kind, prov = J.CURRENT, slot(f"area.provision.{iv.id}.{seg.id}")
            else:
                rate, cohort = slot(f"{pre}.sizing.rate"), slot(f"area.cohorts.{seg.sizing.cohort}")
                if basis == "share_of_cohort":
                    kind = J.SHARE_OF_COHORT
                else:  # additional_to_existing
                    kind, prov = J.ADDITIONAL, slot(f"area.provision.{iv.id}.{seg.id}")
            unit = slot(f"{pre}.unit_cost") if seg.unit_cost is not None else -1
            o0 = len(outs)
            for o in seg.outcomes:
                outs.append((slot(f"{pre}.outcomes.{o.id}.rate") if o.rate is not None else -1,
                             slot(f"{pre}.outcomes.{o.id}.unit_saving"), PAYER_INDEX[o.payer]))
            r0 = len(reds)
            for r in seg.spend_reductions:
                reds.append((slot(f"area.spend.{r.spend_line}"), slot(f"{pre}.spend_reductions.{r.id}.reduction"),
                             PAYER_INDEX[r.payer]))
            segs.append((kind, rate, cohort, prov, unit, o0, len(outs), r0, len(reds)))
        fc0 = len(fcs)
        if scenario.method == "full":
            for fc in iv.full_costs:
                pre = f"{iv.id}.full_costs.{fc.id}"
                staff = per = zero
                l0 = len(lines)
                if fc.staff is None:
                    kind = J.PER_PERSON
                else:
                    staff, per = slot(f"{pre}.staff"), slot(f"{pre}.per")
                    if fc.per.unit == "people":
                        kind = J.STAFF_BY_PEOPLE
                    else:
                        kind = J.STAFF_BY_SPEND
                        for line in dict.fromkeys(r.spend_line for s in iv.segments for r in s.spend_reductions):
                            lines.append(slot(f"area.spend.{line}"))
                fcs.append((slot(f"{pre}.unit_cost"), kind, staff, per, l0, len(lines), int(fc.netted),
                            PAYER_INDEX[fc.payer]))
        timing, cost, per, payer = J.NO_SETUP, zero, zero, 0
        if iv.setup is not None and scenario.basis == "potential":  # current: already set up
            timing = J.UP_FRONT if setup_timing == "up-front" else J.AS_PLACES_FILL
            cost, per, payer = slot(f"{iv.id}.setup.cost"), slot(f"{iv.id}.setup.per"), PAYER_INDEX[iv.setup.payer]
        shares.append([slot(f"{iv.id}.cost_shares.{p}") if p in iv.cost_shares else zero for p in PAYER_INDEX])
        models.append([scale, seg0, len(segs), fc0, len(fcs), timing, cost, per, payer, int(iv.id in in_overlaps), 0, 0])
    index = {iv.id: i for i, iv in enumerate(scenario.interventions)}
    ovs = [(index[ov.interventions[0]], index[ov.interventions[1]], PAYER_INDEX[ov.payer],
            slot(f"overlaps.{ov.id}.share"), 0, 0, 0) for ov in scenario.overlaps]

    def table(rows, width: int) -> np.ndarray:
        return np.array(rows, dtype=np.int64).reshape(len(rows), width)

    return Plan(tuple(slots), table(models, 12), table(shares, P), table(segs, 9), table(outs, 3), table(reds, 3),
                table(fcs, 8), np.array(lines, dtype=np.int64), table(ovs, 7))


@dataclass(frozen=True)
class Curves:
    """What the kernel needs of the shared curves: each model's NPV weight of its costs and
    savings curves, its costs curve over the set-up's ramp-up months and their discount steps,
    its savings curve (for draws summed month by month), and each overlap's closed form with its
    months of equal ratio merged (same running sums, a shorter search)."""

    models: np.ndarray  # the plan's model table with the set-up's step ranges filled in
    ovs: np.ndarray
    pv_c: np.ndarray
    pv_s: np.ndarray
    cost_curve: np.ndarray
    step: np.ndarray
    first_weight: float
    ratios: np.ndarray
    a_sums: np.ndarray
    b_sums: np.ndarray
    sav_curve: np.ndarray
    weight: np.ndarray


def curves(pl: Plan, cost_curves, sav_curves, pv_c, pv_s, ramp_months, forms, month_factor, weight) -> Curves:
    """:class:`Curves` from the NPV route's own: per model its costs and savings curves (1, T),
    their weights ``pv_c`` and ``pv_s``, the set-up's ramp-up months; per overlap
    ``_closed_form``'s (ratios, A, B)."""
    M = pl.models.shape[0]
    T = weight.shape[0]
    models = pl.models.copy()
    width = max([1, *ramp_months])
    cost_curve = np.zeros((M, width))
    steps = []
    for m in range(M):
        k = ramp_months[m]
        cost_curve[m, :k] = cost_curves[m][0, :k]
        w = month_factor[:k]
        models[m, 10], models[m, 11] = sum(map(len, steps)), sum(map(len, steps)) + k
        steps.append(w - np.append(w[1:], 0.0))  # as core.setup_present_value
    ovs = pl.ovs.copy()
    ratios, a_sums, b_sums = [], [], []
    for v, (ratio, A, B) in enumerate(forms):
        u = np.unique(ratio)  # sorted; k = searchsorted(ratio, q, "right") is cnt[j], j = searchsorted(u, q, "right")
        cnt = np.concatenate(([0], np.searchsorted(ratio, u, side="right")))
        ovs[v, 4] = sum(map(len, ratios))
        ovs[v, 5] = ovs[v, 4] + len(u)
        ovs[v, 6] = sum(map(len, a_sums))
        ratios.append(u)
        a_sums.append(A[cnt])
        b_sums.append(B[cnt])
    sav = np.zeros((M, T))
    for m in range(M):
        sav[m] = sav_curves[m][0]

    def flat(parts) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0)

    return Curves(models, ovs, np.array([float(x[0]) for x in pv_c]), np.array([float(x[0]) for x in pv_s]),
                  cost_curve, flat(steps), float(month_factor[0]), flat(ratios), flat(a_sums), flat(b_sums),
                  sav, np.ascontiguousarray(weight, dtype=float))


def run(pl: Plan, cv: Curves, values, factors, D: int, by_payer: list[np.ndarray], portfolio: np.ndarray,
        block: int = BLOCK) -> bool:
    """Fill ``by_payer`` (one (D, P) array per model) and ``portfolio`` (D, P) with the NPV of the
    ``D`` draws of ``values`` (complete, before optimism bias and additionality: ``factors``).
    False (nothing written) when an input is neither D draws nor one for all."""
    J = _kernel()
    block = max(1, min(int(block), D))
    arrays = []  # kept alive while the kernel reads them by address
    per_draw = np.ones(len(pl.slots), dtype=np.intp)
    factor = np.ones(len(pl.slots))
    for k, (path, default) in enumerate(pl.slots):
        a = values.get(path) if path is not None else None
        if a is None:
            a = np.array([default])
        else:
            factor[k] = factors.get(path, 1.0)
            a = np.ascontiguousarray(a, dtype=float).reshape(-1)
            if a.shape[0] not in (1, D):
                return False
        if a.shape[0] == 1:  # one value for all: a row of copies, read at every block
            per_draw[k] = 0
            a = np.full(block, a[0])
        arrays.append(a)
    for a in (*by_payer, portfolio):
        if not (a.flags.c_contiguous and a.dtype == np.float64 and a.shape == (D, P)):
            raise ValueError("npv_kernel.run: outputs must be C-contiguous float64 (D, P) arrays")
    addresses = np.array([a.ctypes.data for a in arrays], dtype=np.intp)
    outputs = np.array([a.ctypes.data for a in by_payer], dtype=np.intp)
    J.npv_draws(addresses, per_draw, factor, D, block, cv.models, pl.cost_share, pl.segs, pl.outs,
                pl.reds, pl.fcs, pl.lines, cv.ovs, cv.pv_c, cv.pv_s, cv.cost_curve, cv.step, cv.first_weight,
                cv.ratios, cv.a_sums, cv.b_sums, cv.sav_curve, cv.weight, outputs, portfolio)
    return True
