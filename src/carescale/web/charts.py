"""Chart specifications for plotly.js (data and layout as plain dicts, drawn in the browser by
the plotly.js that ships in the Python plotly package). Presentation only: every number here is
read from the run, appraisal and uncertainty results, never computed from the model. Each chart
has a table or text alternative on the page."""

from __future__ import annotations

from typing import Any

ASC_COLOUR = "#0b5d52"  # council (adult social care)
NHS_COLOUR = "#5b3f8c"  # NHS
NET_COLOUR = "#0b0c0c"
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif", "size": 14, "color": "#0b0c0c"}


def _layout(title: str, **extra: Any) -> dict[str, Any]:
    base = {
        "title": {"text": title},
        "font": FONT,
        "margin": {"l": 70, "r": 20, "t": 80, "b": 60},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
    }
    base.update(extra)
    return base


def wrap(text: str, width: int = 38, lines: int = 3) -> str:
    """A long label on up to ``lines`` lines (plotly breaks lines at <br>)."""
    import textwrap

    parts = textwrap.wrap(text, width)
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1] + "…"
    return "<br>".join(parts)


def savings_by_payer(run: dict[str, Any]) -> dict[str, Any]:
    names = [i["name"] for i in run["interventions"]]
    t = run["totals"]
    names_total = [*names, "Less overlap", "Total"]
    asc = [i["net_savings"]["asc"] for i in run["interventions"]] + [-t["overlap_deduction"]["asc"], t["net_savings"]["asc"]]
    nhs = [i["net_savings"]["nhs"] for i in run["interventions"]] + [-t["overlap_deduction"]["nhs"], t["net_savings"]["nhs"]]
    return {
        "id": "chart-payer",
        "data": [
            {"type": "bar", "name": "Council (adult social care)", "y": names_total, "x": asc, "orientation": "h", "marker": {"color": ASC_COLOUR}},
            {"type": "bar", "name": "NHS", "y": names_total, "x": nhs, "orientation": "h", "marker": {"color": NHS_COLOUR}},
        ],
        "layout": _layout("Net saving a year at full scale, by who saves", barmode="relative",
                          xaxis={"title": {"text": "£ a year"}, "tickprefix": "£", "separatethousands": True},
                          yaxis={"autorange": "reversed", "automargin": True}, height=420),
    }


def cash_flow(appraisal: dict[str, Any]) -> dict[str, Any]:
    metrics = appraisal["portfolio"]["metrics"]
    flows = appraisal["portfolio"].get("months")
    if flows:
        months = [0] + [m["month"] for m in flows]
        cum = [0.0] + [m["cumulative_net"] for m in flows]
    else:
        years = appraisal["portfolio"]["years"]
        months = [0] + [12 * y["year"] for y in years]
        cum = [0.0] + [y["cumulative_net"] for y in years]
    shapes, notes = [], []
    be = metrics.get("break_even_month")
    if be:
        shapes.append({"type": "line", "x0": be, "x1": be, "yref": "paper", "y0": 0, "y1": 1,
                       "line": {"color": "#d4351c", "dash": "dash", "width": 2}})
        notes.append({"x": be, "yref": "paper", "y": 1, "text": f"break-even: month {be}", "showarrow": False,
                      "xanchor": "left", "yanchor": "bottom", "font": {"color": "#d4351c"}})
    return {
        "id": "chart-cash",
        "data": [{"type": "scatter", "mode": "lines", "name": "Cumulative net saving (council and NHS)",
                  "x": months, "y": cum, "line": {"color": ASC_COLOUR, "width": 3}}],
        "layout": _layout("Cumulative cash flow (not discounted)", shapes=shapes, annotations=notes,
                          xaxis={"title": {"text": "months from the start"}, "dtick": 12},
                          yaxis={"title": {"text": "£"}, "tickprefix": "£", "separatethousands": True}, height=400),
    }


def tornado(unc: dict[str, Any], top: int = 10) -> dict[str, Any]:
    rows = unc["tornado"][:top]
    base = unc["portfolio"]["deterministic"]["total"]
    labels = [wrap(r["label"].replace("_", " ")) for r in rows]
    return {
        "id": "chart-tornado",
        "data": [
            {"type": "bar", "orientation": "h", "name": "figure at its low value", "y": labels,
             "x": [r["low"] - base for r in rows], "base": base, "marker": {"color": "#d4351c"}},
            {"type": "bar", "orientation": "h", "name": "figure at its high value", "y": labels,
             "x": [r["high"] - base for r in rows], "base": base, "marker": {"color": ASC_COLOUR}},
        ],
        "layout": _layout("Which figures matter most (annual net saving)", barmode="overlay",
                          xaxis={"title": {"text": "annual net saving, £ (council and NHS)"}, "tickprefix": "£", "separatethousands": True},
                          yaxis={"autorange": "reversed", "automargin": True}, height=160 + 54 * len(rows)),
    }


def distribution(unc: dict[str, Any]) -> dict[str, Any]:
    h = unc["portfolio"]["histogram"]
    edges, counts = h["edges"], h["counts"]
    mids = [(a + b) / 2 for a, b in zip(edges[:-1], edges[1:])]
    n = sum(counts) or 1
    return {
        "id": "chart-distribution",
        "data": [{"type": "bar", "name": "share of draws", "x": mids, "y": [c / n for c in counts],
                  "width": [b - a for a, b in zip(edges[:-1], edges[1:])], "marker": {"color": ASC_COLOUR}}],
        "layout": _layout(f"Distribution of annual net saving ({unc['draws']:,} draws)",
                          xaxis={"title": {"text": "annual net saving, £ (council and NHS)"}, "tickprefix": "£", "separatethousands": True},
                          yaxis={"title": {"text": "share of draws"}, "tickformat": ".0%"}, height=380, showlegend=False),
    }


def figures(run: dict[str, Any], appraisal: dict[str, Any], unc: dict[str, Any] | None) -> list[dict[str, Any]]:
    out = [savings_by_payer(run), cash_flow(appraisal)]
    if unc is not None:
        out += [tornado(unc), distribution(unc)]
    return out


def posterior_rates(series: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One chart per tracked outcome of a plan: its rate's estimate before any review and after
    each one (the posterior mean with its 90% interval as error bars) against the break-even
    target (a dashed line). The plan page gives the same figures in a table."""
    out = []
    for i, s in enumerate(series):
        pts = s["points"]
        if not pts:
            continue
        labels = ["start" if p["review"] == 0 else f"review {p['review']}" for p in pts]  # short: they fit at 320 px
        means = [p["mean"] for p in pts]
        data: list[dict[str, Any]] = [{
            "type": "scatter", "mode": "lines+markers", "name": "estimated rate (90% interval)",
            "x": labels, "y": means, "line": {"color": ASC_COLOUR, "width": 3}, "marker": {"size": 9},
            "error_y": {"type": "data", "symmetric": False, "array": [p["p95"] - p["mean"] for p in pts],
                        "arrayminus": [p["mean"] - p["p05"] for p in pts], "color": ASC_COLOUR, "thickness": 2},
        }]
        if s.get("break_even_rate") is not None:
            data.append({"type": "scatter", "mode": "lines", "name": "break-even target", "x": labels,
                         "y": [s["break_even_rate"]] * len(labels), "line": {"color": "#d4351c", "dash": "dash", "width": 2}})
        out.append({
            "id": f"chart-rate-{i}",
            "data": data,
            # no chart title: the heading above the chart names the outcome (a long title overflows on a phone)
            "layout": _layout("", margin={"l": 60, "r": 10, "t": 40, "b": 40},
                              xaxis={"title": {"text": ""}, "type": "category"},
                              yaxis={"title": {"text": "share a year"}, "tickformat": ".0%", "rangemode": "tozero"},
                              height=340),
        })
    return out


def frontier(rows: list[dict[str, Any]], label: str, over: str, models: list[dict[str, Any]]) -> dict[str, Any]:
    """The optimiser's efficient frontier: the best objective at each budget (the table beside it
    has the same points and each model's scale)."""
    ok = [r for r in rows if r["feasible"]]
    prob = label.startswith("probability")
    what = {"budget": "Budget: set-up and running cost over the period",
            "running_budget_per_year": "Budget: running cost each year"}.get(over, "Budget")
    return {
        "id": "chart-frontier",
        "data": [{"type": "scatter", "mode": "lines+markers", "name": f"Best {label}",
                  "x": [r["budget"] for r in ok], "y": [r["objective"] for r in ok],
                  "line": {"color": ASC_COLOUR, "width": 3}, "marker": {"size": 8}}],
        "layout": _layout("Best portfolio at each budget", showlegend=False,
                          xaxis={"title": {"text": what}, "tickprefix": "£", "separatethousands": True, "rangemode": "tozero"},
                          yaxis={"title": {"text": f"Best {label}"}, "rangemode": "tozero",
                                 **({"tickformat": ".0%"} if prob else {"tickprefix": "£", "separatethousands": True})},
                          height=400),
    }


def regions(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """England's regions: the net saving a year by who saves (the regional table beside it has
    the same figures)."""
    names = [r["name"] for r in rows]
    return {
        "id": "chart-regions",
        "data": [
            {"type": "bar", "name": "Council (adult social care)", "y": names, "x": [r["net_savings"]["asc"] for r in rows],
             "orientation": "h", "marker": {"color": ASC_COLOUR}},
            {"type": "bar", "name": "NHS", "y": names, "x": [r["net_savings"]["nhs"] for r in rows],
             "orientation": "h", "marker": {"color": NHS_COLOUR}},
        ],
        "layout": _layout("Net saving a year by region and who saves", barmode="relative",
                          xaxis={"title": {"text": "£ a year"}, "tickprefix": "£", "separatethousands": True},
                          yaxis={"autorange": "reversed", "automargin": True}, height=460),
    }


def compare_by_model(data: dict[str, Any]) -> dict[str, Any]:
    """The compare page's chart: the difference in net saving a year by model (each overlap its
    own bar), council and NHS stacked (``carescale.scenarios.compare.compare_results``)."""
    keys: dict[str, dict[str, Any]] = {}
    for r in data["by_model"]:
        row = keys.setdefault(r["key"], {"label": r.get("short") or r["label"], "asc": 0.0, "nhs": 0.0})
        row[r["payer"]] += r["difference"] or 0.0
    shown = [v for v in keys.values() if abs(v["asc"]) >= 0.5 or abs(v["nhs"]) >= 0.5]
    names = [wrap(v["label"], lines=4) for v in shown]
    return {
        "id": "chart-compare",
        "data": [
            {"type": "bar", "name": "Council (adult social care)", "y": names, "x": [v["asc"] for v in shown],
             "orientation": "h", "marker": {"color": ASC_COLOUR}},
            {"type": "bar", "name": "NHS", "y": names, "x": [v["nhs"] for v in shown], "orientation": "h",
             "marker": {"color": NHS_COLOUR}},
        ],
        "layout": _layout("Change in net saving a year, by model and overlap", barmode="relative",
                          xaxis={"title": {"text": "£ a year, this result minus the other"}, "tickprefix": "£",
                                 "separatethousands": True},
                          yaxis={"autorange": "reversed", "automargin": True}, height=160 + 60 * max(1, len(shown))),
    }
