"""The business case as PDF, HTML and Markdown, and the `carescale report` command.

The Birmingham PDF is rendered once (module fixture), its text read back with pypdf, and its
pages saved as PNG test artefacts (build/test-artefacts/reports/, or $CARESCALE_TEST_ARTEFACTS).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from carescale.reports import prepare, render

from .conftest import REPO, require_tool, run_cli
from .test_reports_workbook import HOSTILE_AREA, HOSTILE_NOTE, LW_RATE, hostile_data

ARTEFACTS = Path(os.environ.get("CARESCALE_TEST_ARTEFACTS", REPO / "build" / "test-artefacts")) / "reports"
NOTE = "Local pilot: uptake of 0.8% seen in the first quarter"
# Birmingham at the paper's prices, with one changed assumption and fewer draws (test time)
BIRMINGHAM = {"area": "birmingham", "reprice": False, "uncertainty": {"draws": 2000},
              "overrides": {LW_RATE: {"value": 0.008, "note": NOTE}}}


@pytest.fixture(scope="module")
def birmingham():
    return prepare(BIRMINGHAM)


@pytest.fixture(scope="module")
def pdf_pages(birmingham):
    from pypdf import PdfReader

    pdf = render(birmingham, "pdf")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / "birmingham.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdftoppm"):
        for old in ARTEFACTS.glob("birmingham-page-*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(ARTEFACTS / "birmingham-page")],
                       check=True, timeout=120)
    reader = PdfReader(io.BytesIO(pdf))
    return pdf, reader, [re.sub(r"\s+", " ", p.extract_text()) for p in reader.pages]


@pytest.mark.slow  # the business-case PDF (about 8 s, once for these five)
def test_pdf_summary_page_has_the_birmingham_totals(pdf_pages, birmingham):
    _, _, pages = pdf_pages
    first = pages[0]
    assert "Scaling up what works in Birmingham" in first
    t = birmingham.run["totals"]
    # Living Well at 0.8% take-up: the council total moves from the paper's £7.46m
    assert f"£{t['net_savings']['asc'] / 1e6:.2f}m" in first and f"£{t['net_savings']['nhs'] / 1e6:.2f}m" in first
    from carescale.reports.html import money

    assert "Less overlap between target groups" in first and money(-t["overlap_deduction"]["asc"]) in first
    assert "deducted from the net total" in first
    for name in ("Barriers", "Enablers", "five areas of transformation"):
        assert name in first


@pytest.mark.slow  # the business-case PDF (about 8 s, once for these five)
def test_pdf_has_a_page_per_model(pdf_pages, birmingham):
    _, _, pages = pdf_pages
    starts = []
    for k, iv in enumerate(birmingham.scenario.interventions, 1):
        heading = f"{k}. {iv.name}"
        found = [i for i, text in enumerate(pages) if text.startswith(heading) or f" {heading} " in text[:200]]
        assert found, heading
        starts.append(found[0])
        body = pages[found[0]]
        assert "figures to the saving" in body and "Cash flow and break-even" in body
        assert f"Nesta Standards of Evidence level {iv.evidence_grade.level}" in body
    # one page each: model k on page k + 1, right after the one-page summary
    assert starts == list(range(1, len(starts) + 1))
    text = " ".join(pages)
    assert "Break-even targets for a first phase" in text and "distribution of the net saving" in text


@pytest.mark.slow  # the business-case PDF (about 8 s, once for these five)
def test_pdf_changed_assumptions_settings_and_references(pdf_pages):
    _, _, pages = pdf_pages
    text = " ".join(pages)
    assert "Assumptions changed from the evidence" in text
    squashed = re.sub(r"\s+", "", text)  # table cells wrap
    assert re.sub(r"\s+", "", NOTE) in squashed and LW_RATE in squashed
    assert "Settings" in text and "Optimism bias" in text and "Green Book" in text and "not re-priced" in text
    refs = text[text.index("References"):]
    assert "Total transformation of care and support" in refs


@pytest.mark.slow  # the business-case PDF (about 8 s, once for these five)
def test_pdf_is_tagged_with_language_title_and_alt_text(pdf_pages):
    pdf, reader, _ = pdf_pages
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in root
    assert reader.metadata.title == "Business case: scaling up what works in Birmingham"
    # the structure tree has real headings, tables with header cells, and figures with alt text
    kinds, alts = _structure(root["/StructTreeRoot"])
    assert kinds["/H1"] == 1 and kinds["/H2"] >= 6 and kinds["/TH"] > 20 and kinds["/Table"] >= 6
    assert len(alts) == kinds["/Figure"] >= 1 + 3 * 6
    assert all(a and len(str(a)) > 20 for a in alts)


def _structure(root):
    from collections import Counter

    kinds: Counter = Counter()
    alts: list = []

    def walk(node):
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            for k in node:
                walk(k)
            return
        if not hasattr(node, "get"):
            return
        s = node.get("/S")
        if s:
            kinds[s] += 1
            if s == "/Figure":
                alts.append(node.get("/Alt"))
        if node.get("/K") is not None:
            walk(node["/K"])

    walk(root)
    return kinds, alts


@pytest.mark.slow  # the business-case PDF (about 8 s, once for these five)
def test_page_images_saved_as_artefacts(pdf_pages):
    require_tool(shutil.which("pdftoppm") is not None, "poppler (pdftoppm)")
    pngs = sorted(ARTEFACTS.glob("birmingham-page-*.png"))
    assert len(pngs) == len(pdf_pages[1].pages)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
def test_html_is_accessible_and_self_contained(birmingham):
    html = render(birmingham, "html").decode("utf-8")
    p = _Text()
    p.feed(html)
    tags = p.tags
    assert ("html", {"lang": "en-GB"}) in tags
    assert "<title>Business case: scaling up what works in Birmingham</title>" in html
    assert [t for t, _ in tags].count("h1") == 1
    imgs = [a for t, a in tags if t == "img"]
    assert len(imgs) >= 1 + 2 * len(birmingham.scenario.interventions)
    assert all(a.get("alt") and len(a["alt"]) > 20 for a in imgs)
    assert all(a["src"].startswith("data:image/svg+xml;base64,") for a in imgs)  # vector, inline
    ths = [a for t, a in tags if t == "th"]
    assert ths and all(a.get("scope") in ("col", "row") for a in ths)
    assert not re.search(r"""(src|href)=["']?https?:""", html)  # nothing fetched from the network


def _literal_in_html(html: str) -> str:
    p = _Text()
    p.feed(html)
    assert not any(t == "script" for t, _ in p.tags), "a note became a script element"
    return "".join(p.text)


@pytest.fixture(scope="module")
def hostile():
    return hostile_data(uncertainty=False)


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
def test_hostile_text_is_literal_in_html(hostile):
    text = _literal_in_html(render(hostile, "html").decode("utf-8"))
    assert HOSTILE_AREA in text and HOSTILE_NOTE in text


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
def test_hostile_text_is_literal_in_pdf(hostile):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(render(hostile, "pdf")))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    assert HOSTILE_AREA in text and HOSTILE_NOTE in text


def test_hostile_text_is_literal_in_markdown(hostile):
    from markdown_it import MarkdownIt

    md = render(hostile, "md").decode("utf-8")
    html = MarkdownIt("commonmark").enable("table").render(md)
    text = _literal_in_html(html)
    assert HOSTILE_AREA in text and HOSTILE_NOTE in text
    assert "<a " not in html  # the HYPERLINK name is not a link either


def test_markdown_summary_in_plain_english(birmingham):
    md = render(birmingham, "md").decode("utf-8")
    t = birmingham.run["totals"]
    assert md.startswith("# Scaling up what works in Birmingham\n")
    assert f"**£{t['net_savings']['asc'] / 1e6:.2f}m**" in md
    assert "| **Total** |" in md and "Less overlap between target groups" in md
    assert NOTE in md and "## Figures changed from the evidence" in md and "## Sources" in md


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
def test_report_command_writes_each_format(tmp_path):
    for suffix in ("md", "xlsx"):
        out = tmp_path / f"b.{suffix}"
        r = run_cli("report", "--area", "birmingham", "--draws", "500", "-o", str(out),
                    "--set", "living-well.older-people-multiple-ltc.people=2000")
        assert r.code == 0, r.err
        assert out.stat().st_size > 1000
    md = (tmp_path / "b.md").read_text()
    assert "2,000 people here" in md  # the override, in the user's terms


@pytest.mark.parametrize(
    "args,message",
    [
        (["-o", "{tmp}/b.txt"], "error: --output: '{tmp}/b.txt': give --format pdf, html, xlsx or md, or a file name ending in .pdf, .html, .xlsx or .md"),
        (["-o", "{tmp}/missing/b.pdf"], "error: --output: the folder '{tmp}/missing' does not exist; create it first or write somewhere else"),
        (["-o", "{tmp}/b.md", "--set", "nonsense"], "error: --set: 'nonsense' is not PATH=VALUE; for example --set living-well.older-people-multiple-ltc.people=2000"),
    ],
)
def test_report_command_bad_input_is_one_line(tmp_path, args, message):
    r = run_cli("report", *[a.format(tmp=tmp_path) for a in args])
    assert r.code == 2
    assert r.err.strip() == message.format(tmp=tmp_path)


# -- reports read the scenario's evaluation (issue 20): the Monte Carlo runs once per document --


@pytest.fixture
def counted(monkeypatch):
    """Calls of the Monte Carlo and of the engine, through the names the Evaluation calls."""
    import carescale.engine
    import carescale.uncertainty

    calls = {"uncertainty": 0, "evaluate": 0}

    def counting(module, name):
        real = getattr(module, name)

        def wrapper(*args, **kwargs):
            calls[name.removeprefix("run_")] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    counting(carescale.uncertainty, "run_uncertainty")
    counting(carescale.engine, "evaluate")
    return calls


def _fresh(note: str):
    """A document no other test has evaluated in this process (the note is part of its id)."""
    from carescale.scenarios import parse_data

    return parse_data({"area": "birmingham", "reprice": False, "uncertainty": {"draws": 300}, "note": note})


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
def test_report_after_the_result_reuses_its_monte_carlo(counted):
    from carescale.scenarios import evaluate_document

    doc = _fresh("report after the result page")
    ev = evaluate_document(doc)
    unc = ev.uncertainty()  # what the result page shows
    assert counted["uncertainty"] == 1
    md = render(doc, "md").decode("utf-8")  # a download for the same document
    html = render(ev, "html").decode("utf-8")  # or for its evaluation
    assert counted["uncertainty"] == 1 and ev.calls["uncertainty"] == 1
    assert ev.calls["build"] == 1 and ev.calls["evaluate"] == 1
    # the reports show that Monte Carlo's figures
    from carescale.reports.numbers import money

    p05, p95 = (money(unc["portfolio"]["net_savings"][k]) for k in ("p05", "p95"))
    assert "In 300 simulations" in md and f"between {p05} and {p95}" in md
    assert "300 draws" in html and prepare(doc).uncertainty is unc


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
def test_two_formats_run_the_monte_carlo_once(counted):
    from carescale.scenarios import evaluate_document

    doc = _fresh("two formats, one Monte Carlo")
    md = render(doc, "md").decode("utf-8")
    html = render(doc, "html").decode("utf-8")
    assert counted["uncertainty"] == 1
    ev = evaluate_document(doc)
    assert ev.has_uncertainty and ev.calls["uncertainty"] == 1
    p50 = ev.uncertainty()["portfolio"]["net_savings"]["p50"]
    assert md.count("300 simulations") == 1 and "300 draws" in html and p50 != 0


def test_workbook_reads_the_engine_runs_from_the_evaluation(counted):
    from carescale.scenarios import evaluate_document

    doc = _fresh("workbook from the evaluation")
    data = prepare(doc, uncertainty=False)
    first = render(data, "xlsx")
    # the steady state only: the appraisal's runs on the cost and savings timelines are the
    # appraisal's own (AppraisalResult.engine_runs), the full year put on from their annual figures
    ev = evaluate_document(doc)
    assert counted["evaluate"] == 1 and ev.calls["evaluate"] == 1
    kept = ev.appraisal(monthly=True).engine_runs
    assert ev.appraisal_runs.costs is kept.costs and ev.appraisal_runs.savings is kept.savings
    second = render(prepare(doc, uncertainty=False), "xlsx")
    assert counted["evaluate"] == 1 and counted["uncertainty"] == 0
    assert _parts(second) == _parts(first) and len(first) > 10_000


def _parts(xlsx: bytes) -> dict[str, bytes]:
    """The workbook's parts, but the creation time."""
    import zipfile

    z = zipfile.ZipFile(io.BytesIO(xlsx))
    return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def test_charts_are_drawn_once_per_content_and_kept_on_disk(tmp_path, monkeypatch):
    """Issue 25: a chart is cached by its content (function, inputs, style, matplotlib): the
    same inputs give the same SVG without drawing again, in this process or (through
    carescale's on-disk cache) in another; other inputs draw a new chart."""
    from carescale.reports import charts

    monkeypatch.setenv("CARESCALE_HOME", str(tmp_path))
    monkeypatch.setattr(charts, "_DRAWN", {})
    drawn = []
    real = charts._svg

    def counting(fig, *a, **k):
        drawn.append(1)
        return real(fig, *a, **k)

    monkeypatch.setattr(charts, "_svg", counting)
    args = ("Living Well: cash flow", [1, 2, 3], [-10_000.0, 5_000.0, 20_000.0], [-10_000.0, -5_000.0, 15_000.0], 20)
    first = charts.cash_flow(*args)
    assert first[0].startswith("<svg") and "breaks even in month 20" in first[1]
    assert charts.cash_flow(*args) == first and len(drawn) == 1  # this process
    assert len(list((tmp_path / "cache" / "charts").iterdir())) == 1
    monkeypatch.setattr(charts, "_DRAWN", {})
    assert charts.cash_flow(*args) == first and len(drawn) == 1  # from disk, as another process would
    other = charts.cash_flow(*args[:4], 21)
    assert len(drawn) == 2 and "month 21" in other[1] and other[0] != first[0]


def test_pdf_charts_are_raster_at_print_resolution(tmp_path, monkeypatch):
    """Issue 25: the PDF's charts are JPEG at ``RASTER_DPI`` (WeasyPrint puts a JPEG into the PDF
    as it is, instead of drawing an SVG node by node or compressing a PNG again), RGB, cached by
    content apart from the SVG the HTML report keeps, with the same alt text."""
    from PIL import Image

    from carescale.reports import charts
    from carescale.reports.html import data_uri

    monkeypatch.setenv("CARESCALE_HOME", str(tmp_path))
    monkeypatch.setattr(charts, "_DRAWN", {})
    args = ("Living Well: cash flow", [1, 2, 3], [-10_000.0, 5_000.0, 20_000.0], [-10_000.0, -5_000.0, 15_000.0], 20)
    svg, alt = charts.cash_flow(*args)
    jpeg, alt_raster = charts.cash_flow(*args, raster=True)
    assert svg.startswith("<svg") and jpeg.startswith(b"\xff\xd8") and alt_raster == alt
    image = Image.open(io.BytesIO(jpeg))
    assert image.format == "JPEG" and image.mode == "RGB"
    inches = [float(re.search(rf'{k}="([\d.]+)pt"', svg).group(1)) / 72 for k in ("width", "height")]
    assert image.size == tuple(round(x * charts.RASTER_DPI) for x in inches)  # the SVG's size, at RASTER_DPI
    assert charts.cash_flow(*args, raster=True) == (jpeg, alt) and charts.cash_flow(*args) == (svg, alt)
    assert len(list((tmp_path / "cache" / "charts").iterdir())) == 2
    assert data_uri(jpeg).startswith("data:image/jpeg;base64,") and data_uri(svg).startswith("data:image/svg+xml;base64,")
