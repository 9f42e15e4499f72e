"""The NPV-only route's compiled kernel (numba): one pass over each block of draws.

Imported only by :mod:`carescale.appraisal.npv_kernel` when a Monte Carlo run is large enough
(never on the path of ``carescale --help`` or ``carescale run``). The formulas are the engine's
(:func:`carescale.engine.evaluate._full_scale` and :func:`~carescale.engine.evaluate.annual_figures`)
and the NPV route's (:func:`carescale.appraisal.npv_only._npv_block`, :func:`~carescale.appraisal.core._tranches`,
:func:`carescale.appraisal.npv_only._min_pv`), stated again here per draw, in the same order of
operations; the scenario's structure comes as integer tables
(:func:`carescale.appraisal.npv_kernel.plan`). ``tests/test_npv_route.py`` checks this kernel
against the full monthly appraisal to the penny under every setting, and against the numpy route.

Compiled once per machine (``cache=True``: the machine code is kept next to this file, or under
``NUMBA_CACHE_DIR``); a process loads it from that cache in a fraction of a second.
"""

from __future__ import annotations

import math

import numpy as np
from numba import carray, njit, types
from numba.extending import intrinsic

# columns of the integer tables (kept in step with npv_kernel.plan)
M_SCALE, M_SEG0, M_SEG1, M_FC0, M_FC1, M_SETUP, M_SETUP_COST, M_SETUP_PER, M_SETUP_PAYER, M_OVERLAP, M_STEP0, M_STEP1 = range(12)
S_KIND, S_RATE, S_COHORT, S_PROV, S_UNIT, S_OUT0, S_OUT1, S_RED0, S_RED1 = range(9)
O_RATE, O_SAVING, O_PAYER = range(3)
R_SPEND, R_REDUCTION, R_PAYER = range(3)
F_UNIT, F_KIND, F_STAFF, F_PER, F_LINE0, F_LINE1, F_NETTED, F_PAYER = range(8)
V_A, V_B, V_PAYER, V_SHARE, V_U0, V_U1, V_AB0 = range(7)
# segment sizing kinds, full cost kinds, set-up timings
NONE, CURRENT, SHARE_OF_COHORT, ADDITIONAL = range(4)
PER_PERSON, STAFF_BY_PEOPLE, STAFF_BY_SPEND = range(3)
NO_SETUP, AS_PLACES_FILL, UP_FRONT = range(3)


@intrinsic
def _pointer(typingctx, address):
    """The float64 pointer at ``address`` (an array's ``ctypes.data``): how the kernel takes any
    number of arrays without a typed list (whose first use in a process compiles for seconds)."""
    sig = types.CPointer(types.float64)(types.intp)

    def codegen(context, builder, signature, args):
        return builder.inttoptr(args[0], context.get_value_type(types.CPointer(types.float64)))

    return sig, codegen


@njit(cache=True, inline="always")
def _row(ad, pw, k, start, B):
    """Input ``k`` over the block's ``B`` draws from ``start``: a view of its array at address
    ``ad[k]`` (a row of ``B`` copies of its one value where it is one for all, not ``pw[k]``)."""
    return carray(_pointer(ad[k] + 8 * start * pw[k]), (B,))


@njit(cache=True, inline="always")
def _input(ad, pw, fa, k, start, B):
    """(:func:`_row` of input ``k``, its factor)."""
    return _row(ad, pw, k, start, B), fa[k]


@njit(cache=True, inline="always")
def _min(a, b):
    """``np.minimum`` of two numbers: NaN if either is NaN (one select, so loops vectorise)."""
    return a if (a <= b or a != a) else b


@njit(cache=True, inline="always")
def _max(a, b):
    """``np.maximum`` of two numbers: NaN if either is NaN."""
    return a if (a >= b or a != a) else b


@njit(cache=True, nogil=True, error_model="numpy")
def npv_draws(ad, pw, fa, n_draws, block, models, cost_share, segs, outs, reds, fcs, lines, ovs, pv_c, pv_s,
              cost_curve, step, first_weight, ratios, a_sums, b_sums, sav_curve, weight, outputs, portfolio):
    """NPV by payer of every model (``outputs[m]``: the address of a C-contiguous (D, P) float64
    array) and of the portfolio ((D, P)) for ``n_draws`` draws of the inputs at the addresses
    ``ad`` (C-contiguous float64 of D draws where ``pw[k]`` is 1, else a row of ``block`` copies of
    the one value; each times its factor ``fa[k]``: optimism bias and additionality, as
    ``core.apply_factors``), ``block`` draws at a time. The caller keeps every array alive."""
    M = models.shape[0]
    P = cost_share.shape[1]
    people = np.empty((M, block))  # each model's people at full scale (its n_total)
    cost = np.empty(block)
    n = np.empty(block)
    x = np.empty(block)
    gp = np.empty((P, block))  # person-based gross saving by payer
    gs = np.empty((P, block))  # spend-based gross saving by payer
    gpp = np.zeros((M, P, block))  # gross saving per person, models in an overlap
    total = np.empty(block)  # set-up investment
    bought = np.empty(block)
    acc = np.empty(block)
    out = np.empty((P, block))
    port = np.empty((P, block))
    for start in range(0, n_draws, block):
        B = min(block, n_draws - start)
        port[:, :B] = 0.0
        for m in range(M):
            scale, f_scale = _input(ad, pw, fa, models[m, M_SCALE], start, B)
            pm = people[m]
            pm[:B] = 0.0
            cost[:B] = 0.0
            gp[:, :B] = 0.0
            gs[:, :B] = 0.0
            # engine._full_scale: each segment's people, cost and savings
            for s in range(models[m, M_SEG0], models[m, M_SEG1]):
                kind = segs[s, S_KIND]
                rate, f_rate = _input(ad, pw, fa, segs[s, S_RATE], start, B)
                cohort, f_cohort = _input(ad, pw, fa, segs[s, S_COHORT], start, B)
                prov, f_prov = _input(ad, pw, fa, segs[s, S_PROV], start, B)
                if kind == NONE:
                    x[:B] = 0.0
                elif kind == CURRENT:
                    for d in range(B):
                        x[d] = prov[d] * f_prov
                elif kind == SHARE_OF_COHORT:
                    for d in range(B):
                        x[d] = (rate[d] * f_rate) * (cohort[d] * f_cohort)
                else:  # additional to existing
                    for d in range(B):
                        x[d] = _max((rate[d] * f_rate) * (cohort[d] * f_cohort) - prov[d] * f_prov, 0.0)
                for d in range(B):
                    n[d] = x[d] * (scale[d] * f_scale)
                    pm[d] += n[d]
                if segs[s, S_UNIT] >= 0:
                    unit, f_unit = _input(ad, pw, fa, segs[s, S_UNIT], start, B)
                    for d in range(B):
                        cost[d] += n[d] * (unit[d] * f_unit)
                for o in range(segs[s, S_OUT0], segs[s, S_OUT1]):
                    saving, f_saving = _input(ad, pw, fa, outs[o, O_SAVING], start, B)
                    g = gp[outs[o, O_PAYER]]
                    if outs[o, O_RATE] >= 0:
                        orate, f_orate = _input(ad, pw, fa, outs[o, O_RATE], start, B)
                        for d in range(B):
                            g[d] += (n[d] * (orate[d] * f_orate)) * (saving[d] * f_saving)
                    else:
                        for d in range(B):
                            g[d] += n[d] * (saving[d] * f_saving)
                for r in range(segs[s, S_RED0], segs[s, S_RED1]):
                    spend, f_spend = _input(ad, pw, fa, reds[r, R_SPEND], start, B)
                    red, f_red = _input(ad, pw, fa, reds[r, R_REDUCTION], start, B)
                    g = gs[reds[r, R_PAYER]]
                    for d in range(B):
                        g[d] += ((spend[d] * f_spend) * (red[d] * f_red)) * (scale[d] * f_scale)
            # full costs (method "full"): engine.full_cost_amount and engine._staff
            for c in range(models[m, M_FC0], models[m, M_FC1]):
                kind = fcs[c, F_KIND]
                unit, f_unit = _input(ad, pw, fa, fcs[c, F_UNIT], start, B)
                staff, f_staff = _input(ad, pw, fa, fcs[c, F_STAFF], start, B)
                per, f_per = _input(ad, pw, fa, fcs[c, F_PER], start, B)
                if kind == PER_PERSON:
                    for d in range(B):
                        x[d] = pm[d] * (unit[d] * f_unit)
                else:
                    if kind == STAFF_BY_PEOPLE:
                        for d in range(B):
                            n[d] = pm[d]
                    else:  # staff per pound of the spend the model reduces, at its scale
                        n[:B] = 0.0
                        for i in range(fcs[c, F_LINE0], fcs[c, F_LINE1]):
                            line, f_line = _input(ad, pw, fa, lines[i], start, B)
                            for d in range(B):
                                n[d] += line[d] * f_line
                        for d in range(B):
                            n[d] = n[d] * (scale[d] * f_scale)
                    for d in range(B):
                        x[d] = (n[d] * ((staff[d] * f_staff) / (per[d] * f_per))) * (unit[d] * f_unit)
                for d in range(B):
                    cost[d] += x[d]
                if fcs[c, F_NETTED]:
                    g = gp[fcs[c, F_PAYER]]
                    for d in range(B):
                        g[d] += x[d]
            # engine.annual_figures: gross saving per person, for a model in an overlap
            if models[m, M_OVERLAP]:
                for p in range(P):
                    for d in range(B):
                        gpp[m, p, d] = gp[p, d] / pm[d] if pm[d] > 0 else 0.0
            # npv_only._npv_block: each figure times the NPV weight of its curve
            for p in range(P):
                share, f_share = _input(ad, pw, fa, cost_share[m, p], start, B)
                o = out[p]
                for d in range(B):
                    o[d] = (gp[p, d] + gs[p, d]) * pv_s[m] - (cost[d] * (share[d] * f_share)) * pv_c[m]
            timing = models[m, M_SETUP]
            if timing != NO_SETUP:
                per, f_per = _input(ad, pw, fa, models[m, M_SETUP_PER], start, B)
                unit, f_unit = _input(ad, pw, fa, models[m, M_SETUP_COST], start, B)
                any_setup = False
                for d in range(B):
                    total[d] = np.ceil(pm[d] / (per[d] * f_per) - 1e-9) * (unit[d] * f_unit)
                    any_setup |= total[d] > 0
                if any_setup:  # as _npv_block: a block where no draw buys any set-up has none
                    o = out[models[m, M_SETUP_PAYER]]
                    if timing == UP_FRONT:
                        for d in range(B):
                            o[d] -= total[d] * first_weight
                    else:  # as places fill: core._tranches, summed as core.setup_present_value
                        for d in range(B):  # x: tranches in all; n: the cost of each
                            x[d] = np.ceil(pm[d] / (per[d] * f_per) - 1e-9)
                            n[d] = total[d] / x[d] if x[d] > 0 else 0.0
                            acc[d] = 0.0
                        for i in range(models[m, M_STEP0], models[m, M_STEP1]):
                            t = i - models[m, M_STEP0]
                            c_t, w = cost_curve[m, t], step[i]
                            for d in range(B):
                                b = _min(x[d], np.floor(pm[d] * c_t / (per[d] * f_per) + 1e-9) + 1.0)
                                bought[d] = b if t == 0 else _max(bought[d], b)
                                acc[d] += bought[d] * w
                        for d in range(B):
                            o[d] -= acc[d] * n[d]
            o_m = carray(_pointer(outputs[m]), (n_draws, P))
            for p in range(P):
                o = out[p]
                q = port[p]
                for d in range(B):
                    o_m[start + d, p] = o[d]
                    q[d] += o[d]
        # the overlap deduction: npv_only._min_pv (closed form; month by month for odd draws)
        for v in range(ovs.shape[0]):
            a, b, payer = ovs[v, V_A], ovs[v, V_B], ovs[v, V_PAYER]
            share, f_share = _input(ad, pw, fa, ovs[v, V_SHARE], start, B)
            u0, u1, ab0 = ovs[v, V_U0], ovs[v, V_U1], ovs[v, V_AB0]
            q = port[payer]
            for d in range(B):
                na, nb = people[a, d], people[b, d]
                spp = _min(gpp[a, payer, d], gpp[b, payer, d])
                if na >= 0 and nb >= 0 and math.isfinite(na) and math.isfinite(nb):
                    r = nb / na if na > 0 else np.inf
                    lo, hi = u0, u1
                    while lo < hi:
                        mid = (lo + hi) >> 1
                        if ratios[mid] <= r:
                            lo = mid + 1
                        else:
                            hi = mid
                    j = ab0 + lo - u0
                    both = na * a_sums[j] + nb * b_sums[j]
                else:
                    both = 0.0
                    for t in range(weight.shape[0]):
                        both += _min(na * sav_curve[a, t], nb * sav_curve[b, t]) * weight[t]
                q[d] -= spp * ((share[d] * f_share) * both)
        for p in range(P):
            for d in range(B):
                portfolio[start + d, p] = port[p, d]


def warm() -> None:
    """Load the kernel's machine code (from numba's cache; compiled there on the machine's first
    run) with a run of no models and one draw, of the argument types :func:`npv_kernel.run` passes."""
    def ints(*shape):
        return np.zeros(shape, dtype=np.int64)

    one = np.zeros(1)
    npv_draws(np.array([one.ctypes.data], dtype=np.intp), np.ones(1, dtype=np.intp), np.ones(1), 1, 1, ints(0, 12),
              ints(0, 2), ints(0, 9), ints(0, 3), ints(0, 3),
              ints(0, 8), ints(0), ints(0, 7),
              np.zeros(0), np.zeros(0), np.zeros((0, 1)), np.zeros(0), 1.0, np.zeros(0), np.zeros(0), np.zeros(0),
              np.zeros((0, 1)), np.ones(1), np.zeros(0, dtype=np.intp), np.zeros((1, 2)))
