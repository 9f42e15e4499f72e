"""Charts as vector SVG (matplotlib's SVG backend, no pyplot, no network), or as a raster image
at print resolution for the PDF.

Each function returns ``(image, alt_text)``: the image is SVG text, or with ``raster=True`` JPEG
bytes (``RASTER_DPI``, quality ``JPEG_QUALITY``, no chroma subsampling). WeasyPrint draws an SVG
chart node by node (18% of a PDF's time in a profile before issue 25) and decodes and compresses
every PNG again (a PNG chart saved only a third of that), while it puts a JPEG into the PDF as it
is. At 220 pixels per inch and quality 92 the charts print as sharp as the SVG at 300 dpi
(checked with pdftoppm side by side; docs/performance.md). The HTML report keeps the SVG
(vector, text as text). The alt text says in words what the chart shows, so the HTML/PDF can put
it on the image. matplotlib is imported inside the functions.
"""

from __future__ import annotations

import contextvars
import functools
import io
from typing import Any, Sequence

import numpy as np

from ..formatting import short_money

ASC, NHS = "#1d70b8", "#d4351c"  # council blue, NHS red (distinguishable, with labels)
NET, CUM = "#505a5f", "#00703c"


def _money(x: float) -> str:
    """An axis label in the paper's style: £1.23m, £518k, £950 (carescale.formatting)."""
    return short_money(x, thousands_from=1_000)


STYLE = {"font.size": 8, "font.family": "DejaVu Sans", "svg.fonttype": "none", "svg.hashsalt": "carescale"}

#: a raster chart's resolution, in pixels per inch of the figure: each chart is printed at about
#: its figure size (the cash flow's 5 inches in 62% of the 184 mm text width), so about 220-250
#: pixels per printed inch
RASTER_DPI = 220
JPEG_QUALITY = 92

_RASTER = contextvars.ContextVar("carescale_chart_raster", default=False)


#: Charts drawn in this process, by content key (issue 25): the web's report downloads and the
#: PDF of one scenario, or two reports of it, draw each chart once. Bounded; also on disk.
_DRAWN: dict[str, tuple[str, str]] = {}
_DRAWN_MAX = 512


def _plain(x: Any) -> Any:
    """``x`` as plain, exactly comparable data for a content key (arrays by dtype, shape and bytes)."""
    if isinstance(x, np.ndarray):
        return ("ndarray", x.dtype.str, x.shape, x.tobytes())
    if isinstance(x, np.generic):
        return _plain(x.item())
    if isinstance(x, float):
        return ("float", x.hex()) if x == x else ("float", "nan")
    if isinstance(x, dict):
        return ("dict", tuple((_plain(k), _plain(v)) for k, v in x.items()))
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, tuple(_plain(v) for v in x))
    if x is None or isinstance(x, (str, int, bool)):
        return x
    raise TypeError(type(x).__name__)  # not a value we can key by content: draw it


@functools.cache
def _matplotlib_version() -> str:
    """matplotlib's installed version, read once per process (reading the package's metadata
    from disk for each of a report's 21 charts was 4% of a PDF's time)."""
    from importlib.metadata import version

    return version("matplotlib")


def content_key(name: str, args: tuple, kwargs: dict) -> str | None:
    """The SHA-256 of a chart's function, inputs, style and matplotlib's version, or None when an
    input is not plain data."""
    import hashlib

    try:
        data = repr((name, _plain(args), _plain(kwargs), sorted(STYLE.items()), _matplotlib_version()))
    except Exception:  # noqa: BLE001 - an input we cannot key (or no version): draw without the cache
        return None
    return hashlib.sha256(data.encode()).hexdigest()


def _styled(fn):
    """Run a chart function with the report's matplotlib style (text stays text in the SVG);
    the same inputs give the chart drawn before (in this process, else carescale's on-disk cache,
    whose keys include carescale's own source)."""
    @functools.wraps(fn)
    def wrapper(*args, raster: bool = False, **kwargs):
        def draw():
            import matplotlib

            token = _RASTER.set(raster)
            try:
                with matplotlib.rc_context(STYLE):
                    return fn(*args, **kwargs)
            finally:
                _RASTER.reset(token)

        key = content_key(f"{fn.__module__}.{fn.__qualname__}", args,
                          {**kwargs, "raster": ("JPEG", RASTER_DPI, JPEG_QUALITY)} if raster else kwargs)
        if key is None:
            return draw()
        got = _DRAWN.get(key)
        if got is None:
            from ..cache import cached, code_fingerprint

            import hashlib

            disk_key = hashlib.sha256((key + code_fingerprint()).encode()).hexdigest()
            got = cached("charts", disk_key, draw)
            if len(_DRAWN) >= _DRAWN_MAX:
                _DRAWN.clear()
            _DRAWN[key] = got
        return got

    return wrapper


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=72)


def _svg(fig, left: float = 0.12, bottom: float = 0.2, right: float = 0.98, top: float = 0.88) -> str | bytes:
    """The figure as SVG text, with fixed margins (one drawing pass; "tight" would draw twice);
    inside a ``raster=True`` call, as JPEG bytes instead (:func:`_raster`)."""
    fig.subplots_adjust(left=left, bottom=bottom, right=right, top=top)
    if _RASTER.get():
        return _raster(fig)
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg"):]  # drop the XML prolog and DOCTYPE: inline in HTML


def _raster(fig) -> bytes:
    """The figure drawn once by Agg at ``RASTER_DPI`` on white, as an RGB JPEG (4:4:4, so thin
    coloured lines and text keep their colour edges)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    fig.set_dpi(RASTER_DPI)
    fig.patch.set_facecolor("white")
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    rgb = np.asarray(canvas.buffer_rgba())[..., :3]
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb)).save(buf, format="JPEG", quality=JPEG_QUALITY, subsampling=0)
    return buf.getvalue()


def _money_axis(ax, axis: str = "y") -> None:
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda x, _pos: _money(x))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


@_styled
def net_by_payer(names: Sequence[str], asc: Sequence[float], nhs: Sequence[float]) -> tuple[str, str]:
    """Horizontal bars: each model's net saving a year, council and NHS side by side."""
    fig = _figure(4.2, 0.34 * len(names) + 0.9)
    ax = fig.add_subplot()
    y = np.arange(len(names))
    ax.barh(y - 0.2, asc, 0.4, color=ASC, label="Council (ASC)")
    ax.barh(y + 0.2, nhs, 0.4, color=NHS, label="NHS")
    ax.set_yticks(y, [_short(n, 26) for n in names], fontsize=7)
    ax.tick_params(axis="x", labelsize=7)
    ax.invert_yaxis()
    ax.axvline(0, color="#0b0c0c", lw=0.8)
    _money_axis(ax, "x")
    ax.legend(loc="lower right", frameon=False, fontsize=7)
    ax.set_title("Net saving a year at full scale, by payer", loc="left", fontsize=8.5)
    for s in ("top", "right"):
        ax.spines[s].set_visible(False)
    alt = "Bar chart of net saving a year by payer: " + "; ".join(
        f"{n}: council {_money(a)}, NHS {_money(b)}" for n, a, b in zip(names, asc, nhs))
    return _svg(fig, left=0.36, bottom=0.1 + 0.3 / max(len(names), 1), top=0.9), alt


def _few_ticks(ax) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(4))
    ax.tick_params(axis="x", labelsize=7)


def _short(name: str, n: int = 34) -> str:
    return name if len(name) <= n else name[: n - 1].rstrip() + "…"


@_styled
def cash_flow(title: str, years: Sequence[int], net: Sequence[float], cumulative: Sequence[float],
              break_even_month: int | None) -> tuple[str, str]:
    """Bars of each year's net saving with the cumulative net as a line; the break-even month
    marked."""
    fig = _figure(5.0, 2.1)
    ax = fig.add_subplot()
    ax.bar(years, net, color=NET, label="Net saving in the year")
    ax.plot(years, cumulative, color=CUM, marker="o", lw=2, label="Cumulative net saving")
    ax.axhline(0, color="#0b0c0c", lw=0.8)
    if break_even_month:
        x = 0.5 + (break_even_month - 1) / 12.0
        ax.axvline(x, color="#f47738", ls="--", lw=1.2, label=f"Break-even: month {break_even_month}")
    ax.set_xlabel("Appraisal year")
    ax.set_xticks(list(years))
    _money_axis(ax)
    # the legend in one row between the title and the plot, never over the line or the bars
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=3, frameon=False, fontsize=6.5,
              handlelength=1.6, columnspacing=1.2, borderaxespad=0.2)
    ax.set_title(title, loc="left", pad=15)
    for s in ("top", "right"):
        ax.spines[s].set_visible(False)
    be = f"it breaks even in month {break_even_month}" if break_even_month else "it does not break even in the period"
    alt = (f"{title}: net saving by year from {_money(net[0])} in year 1 to {_money(net[-1])} in year {years[-1]}; "
           f"cumulative net saving {_money(cumulative[-1])} by the end; {be}.")
    return _svg(fig, left=_money_margin(ax, 5.0), bottom=0.21, top=0.8), alt


def _money_margin(ax, width_in: float, fontsize: float = 8.0) -> float:
    """The left margin (a share of the figure's width) that fits the y axis's money labels: their
    longest label at about 0.6 em a character, the tick and a little space (issue 26: a fixed 10%
    cut "£30.00m" to "30.00m")."""
    lo, hi = ax.get_ylim()
    labels = [_money(v) for v in ax.get_yticks() if lo <= v <= hi] or ["£0"]
    points = max(len(t) for t in labels) * 0.6 * fontsize + 10
    return min(0.3, points / 72.0 / width_in + 0.01)


@_styled
def histogram(title: str, edges: Sequence[float], counts: Sequence[int], p05: float, p50: float, p95: float,
              prob: float) -> tuple[str, str]:
    fig = _figure(3.7, 1.6)
    ax = fig.add_subplot()
    ax.stairs(counts, edges, fill=True, color="#b1b4b6")  # one path, not a bar per bin
    ax.stairs(counts, edges, color="#505a5f", lw=0.6)
    top = max(counts) if counts else 1
    # the percentiles' labels in a band above the bars (inside the plot, under the title)
    ax.set_ylim(0, top * 1.22)
    for x, lab in ((p05, "5th"), (p50, "median"), (p95, "95th")):
        ax.axvline(x, color="#0b0c0c", ls=":" if lab != "median" else "-", lw=1, ymax=1 / 1.22 + 0.02)
        ax.annotate(lab, (x, top * 1.04), fontsize=6.5, ha="center", va="bottom")
    ax.axvline(0, color=NHS, lw=1)
    _money_axis(ax, "x")
    _few_ticks(ax)
    ax.set_ylabel("Draws")
    ax.set_title(title.split(": ", 1)[-1], loc="left", fontsize=8.5)
    for s in ("top", "right"):
        ax.spines[s].set_visible(False)
    alt = (f"{title}: histogram of the Monte Carlo draws; 5th percentile {_money(p05)}, median {_money(p50)}, "
           f"95th percentile {_money(p95)}; {prob:.0%} of draws save money.")
    return _svg(fig, left=0.17, bottom=0.17, top=0.86), alt


@_styled
def tornado(title: str, rows: Sequence[dict[str, Any]], base: float, top: int = 6) -> tuple[str, str]:
    """Each figure at its low and high value: the net saving's swing around the base."""
    rows = list(rows)[:top]
    fig = _figure(3.7, 1.6)
    ax = fig.add_subplot()
    for i, r in enumerate(rows):
        lo, hi = r["low"] - base, r["high"] - base
        ax.barh(i, lo, left=base, color=ASC, height=0.6)
        ax.barh(i, hi, left=base, color="#f47738", height=0.6)
    ax.set_yticks(range(len(rows)), [_short(r["label"].split(": ", 1)[-1], 32) for r in rows], fontsize=6.3)
    ax.invert_yaxis()
    ax.axvline(base, color="#0b0c0c", lw=1)
    _money_axis(ax, "x")
    _few_ticks(ax)
    ax.set_title(title.split(": ", 1)[-1], loc="left", fontsize=8.5)
    from matplotlib.patches import Patch

    fig.legend(handles=[Patch(color=ASC, label="figure at its low value"), Patch(color="#f47738", label="at its high value")],
               loc="lower center", ncol=2, frameon=False, fontsize=6.5)
    for s in ("top", "right"):
        ax.spines[s].set_visible(False)
    alt = f"{title}: " + "; ".join(
        f"{r['label'].split(': ', 1)[-1]} moves the net saving from {_money(r['low'])} to {_money(r['high'])}" for r in rows)
    return _svg(fig, left=0.47, bottom=0.27, top=0.88), alt
