"""How the documents' charts are laid out (issue 26; docs/reports.md): every label inside the
figure, the cash-flow legend clear of the line, the bars and the title, and the histogram's
percentile labels clear of the bars and the title. Measured on the drawn figure (matplotlib's own
text extents), not by eye; the PDF page itself was looked at as an image (pdftoppm)."""

from __future__ import annotations

import pytest

pytest.importorskip("matplotlib")

from carescale.reports import charts  # noqa: E402

CUMULATIVE = [-0.3e6, 6.1e6, 11.3e6, 16.0e6, 20.2e6, 24.1e6, 27.8e6, 31.1e6, 34.3e6, 37.3e6]
NET = [0.6e6, 5.1e6, 5.0e6, 4.7e6, 4.3e6, 3.9e6, 3.6e6, 3.3e6, 3.1e6, 2.9e6]


def drawn(fn, *args):
    """The chart's matplotlib figure, drawn as the report draws it (its style, its margins)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    got = {}
    real = charts._svg

    def keep(fig, **margins):
        got["fig"] = fig
        return real(fig, **margins)

    charts._svg = keep
    try:
        with matplotlib.rc_context(charts.STYLE):
            fn.__wrapped__(*args)  # past the chart cache: draw it here
    finally:
        charts._svg = real
    fig = got["fig"]
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    return fig, fig.canvas.get_renderer()


def all_drawn_inside(fig, renderer) -> None:
    """Everything drawn (matplotlib's tight box counts only what is drawn: ticks inside the axis
    limits, the labels, the title, the legend) lies inside the figure, so nothing is cut off."""
    drawn_box = fig.get_tightbbox(renderer)  # in inches
    w, h = fig.get_size_inches()
    assert drawn_box.x0 >= -0.01 and drawn_box.y0 >= -0.01 and drawn_box.x1 <= w + 0.01 and drawn_box.y1 <= h + 0.01, (
        f"something is drawn outside the chart: {drawn_box} in a {w} x {h} inch figure")


def visible_labels(axis) -> list[str]:
    lo, hi = sorted(axis.get_view_interval())
    return [t.get_text() for t, v in zip(axis.get_ticklabels(), axis.get_ticklocs()) if lo <= v <= hi and t.get_text()]


@pytest.mark.parametrize("money", [1.0, 1e3, 1e6, 1e8])
def test_cash_flow_labels_inside_and_legend_clear_of_the_line(money):
    cum = [c * money / 1e6 for c in CUMULATIVE]
    net = [n * money / 1e6 for n in NET]
    fig, r = drawn(charts.cash_flow, "All models together (less overlap): cash flow", list(range(1, 11)), net, cum, 9)
    all_drawn_inside(fig, r)
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent(r)
    plot = ax.get_window_extent(r)
    assert legend.y0 >= plot.y1 - 1, "the legend sits over the plot (the line and the bars)"
    title = ax.title.get_window_extent(r)
    assert not title.overlaps(legend), "the legend covers the title"
    # the y labels are whole: every one starts with £ (or -£) and none is clipped at the left edge
    labels = visible_labels(ax.yaxis)
    assert labels and all(lab.lstrip("-−").startswith("£") for lab in labels), labels


def test_histogram_percentile_labels_clear_of_the_bars_and_title():
    import numpy as np

    edges = list(np.linspace(4e6, 20e6, 31))
    counts = [int(1000 * np.exp(-((e - 10.5e6) / 2.5e6) ** 2)) for e in edges[:-1]]
    fig, r = drawn(charts.histogram, "Portfolio: net saving a year, 10,000 draws", edges, counts, 7.2e6, 10.5e6, 14.4e6, 1.0)
    ax = fig.axes[0]
    all_drawn_inside(fig, r)
    tallest = ax.transData.transform((0, max(counts)))[1]
    title = ax.title.get_window_extent(r)
    for ann in ax.texts:
        box = ann.get_window_extent(r)
        assert box.y0 >= tallest, f"{ann.get_text()!r} is drawn over the bars"
        assert not box.overlaps(title), f"{ann.get_text()!r} covers the title"
    boxes = [a.get_window_extent(r) for a in ax.texts]
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not boxes[i].overlaps(boxes[j]), "two percentile labels overlap"
