"""The efficient frontier: the best objective at each budget, so a board sees what each extra
£100k buys. Each point is one solve of the same programme with a different budget (the
coefficients are read from the appraisal once)."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import InfeasibleError, OptimiseError
from .core import _prepare, document_fields, optimise
from .spec import OptimiseSpec, parse_money

BUDGET_KINDS = ("budget", "setup_budget", "running_budget", "running_budget_per_year")
#: The files :func:`frontier_chart` writes (matplotlib for images and PDF, plotly for HTML).
CHART_SUFFIXES = (".png", ".svg", ".pdf", ".html")


def budget_points(text: str | Sequence[Any]) -> list[float]:
    """Budgets from ``"0:5m:50"`` (50 points from 0 to £5m) or ``"0,1m,2m"`` or a sequence."""
    if not isinstance(text, str):
        pts = [parse_money(x, "frontier") for x in text]
    elif text.count(":") == 2:
        lo, hi, n = text.split(":")
        try:
            a, b = parse_money(lo, "frontier start"), parse_money(hi, "frontier end")
            k = int(n)
        except ValueError:
            a = b = None
            k = 0
        if a is None or b is None or b < a or not 2 <= k <= 1000:
            raise OptimiseError(
                f"frontier: {text!r} is not valid; give START:STOP:POINTS, budgets in pounds with STOP at least "
                "START and 2 to 1,000 points (for example 0:5m:50)"
            )
        pts = list(np.linspace(a, b, k))
    else:
        try:
            pts = [parse_money(x, "frontier") for x in text.split(",") if x.strip()]
        except ValueError as exc:
            raise OptimiseError(f"frontier: {exc}") from None
    if not pts or any(p is None for p in pts):
        raise OptimiseError(f"frontier: {text!r} is not valid; give budgets in pounds such as 0:5m:50 or 0,1m,2m")
    return sorted(float(p) for p in pts)


def frontier(document: Any = None, spec: OptimiseSpec | Mapping | None = None, budgets: str | Sequence[Any] = "0:10m:21",
             over: str = "budget", **options: Any) -> list[dict[str, Any]]:
    """One row per budget: the budget, the best objective (from the real appraisal), what the
    step from the previous budget bought per £100k, and each model's scale. ``over`` names the
    budget that varies (``budget``, ``setup_budget``, ``running_budget``,
    ``running_budget_per_year``); the other constraints of ``spec`` stay as they are."""

    if over not in BUDGET_KINDS:
        raise OptimiseError(f"over: {over!r} is not valid; the frontier can vary: {', '.join(BUDGET_KINDS)}")
    pts = budget_points(budgets)
    fields = document_fields(options)
    prepared = _prepare(document, spec, options, fields)
    rows: list[dict[str, Any]] = []
    prev = None
    for b in pts:
        try:
            r = optimise(_prepared=prepared, budgets={over: b}, explain=False)
        except InfeasibleError:
            rows.append({"budget": b, "objective": None, "feasible": False})
            continue
        gain = None if prev is None or prev[1] is None or b == prev[0] else (r.objective - prev[1]) / (b - prev[0]) * 100_000
        row = {"budget": b, "objective": r.objective, "feasible": True, "per_100k": gain,
               "cost": r.figures.cost, "solve_seconds": r.solve_seconds}
        row.update({f"scale.{i}": s for i, s in r.scales.items()})
        rows.append(row)
        prev = (b, r.objective)
    return rows


def frontier_chart(rows: list[dict[str, Any]], path, label: str) -> None:
    """The frontier as a step chart written to ``path`` (.png, .svg or .pdf with matplotlib;
    .html with plotly, offline)."""
    from pathlib import Path

    path = Path(path)
    xs = [r["budget"] / 1e6 for r in rows if r["feasible"]]
    ys = [r["objective"] for r in rows if r["feasible"]]
    prob = label.startswith("probability")
    ys = [y * 100 for y in ys] if prob else [y / 1e6 for y in ys]
    ylab = f"{label} (%)" if prob else f"{label} (£m)"
    if path.suffix.lower() not in CHART_SUFFIXES:
        raise OptimiseError(
            f"chart: {path.name!r} is not valid; the chart is written as {', '.join(CHART_SUFFIXES)}"
        )
    if path.suffix.lower() == ".html":
        import plotly.graph_objects as go

        fig = go.Figure(go.Scatter(x=xs, y=ys, mode="lines+markers", line_shape="linear"))
        fig.update_layout(title="Best portfolio at each budget", xaxis_title="Budget (£m)", yaxis_title=ylab)
        fig.write_html(str(path), include_plotlyjs=True, full_html=True)
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    ax.plot(xs, ys, marker="o", markersize=3)
    ax.set_xlabel("Budget (£m): set-up and running cost over the appraisal")
    ax.set_ylabel(ylab)
    ax.set_title("Best portfolio at each budget (efficient frontier)")
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
