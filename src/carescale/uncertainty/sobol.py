"""Global sensitivity: Sobol indices with SALib (Saltelli sampling, Jansen/Saltelli estimators).

:func:`sobol_indices` is generic (any vectorised function of a sample matrix) so that it can be
checked against a function with known indices (Ishigami, in the tests). For the portfolio each
input is one correlation group, sampled as a uniform number on (0, 1) and turned into parameter
values by each member's inverse CDF, so the indices answer "how much of the spread in net saving
is due to this piece of evidence?"
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np


def sobol_indices(
    func: Callable[[np.ndarray], np.ndarray],
    names: list[str],
    bounds: list[list[float]],
    n: int,
    seed: int,
) -> dict[str, np.ndarray]:
    """First-order (``S1``) and total (``ST``) indices with 95% confidence half-widths, for
    ``func`` (sample matrix of shape (rows, inputs) -> outputs (rows,)). ``n`` base samples
    (a power of 2) give ``n x (inputs + 2)`` evaluations."""
    from SALib.analyze import sobol as sobol_analyze  # deferred: SALib imports pandas
    from SALib.sample import sobol as sobol_sample

    problem = {"num_vars": len(names), "names": list(names), "bounds": [list(b) for b in bounds]}
    x = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    y = np.asarray(func(x), dtype=float)
    si = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed, print_to_console=False)
    return {k: np.asarray(si[k]) for k in ("S1", "S1_conf", "ST", "ST_conf")}


def sobol_table(si: dict[str, np.ndarray], names: list[str], labels: list[str]) -> list[dict[str, Any]]:
    rows = [
        {
            "parameter": names[i],
            "label": labels[i],
            "S1": round(float(si["S1"][i]), 4),
            "S1_conf": round(float(si["S1_conf"][i]), 4),
            "ST": round(float(si["ST"][i]), 4),
            "ST_conf": round(float(si["ST_conf"][i]), 4),
        }
        for i in range(len(names))
    ]
    rows.sort(key=lambda r: (-r["ST"], r["parameter"]))
    return rows
