"""The one PDF writer (``carescale.reports.html.write_pdf``): what it changes for speed (issue 25)
changes nothing in the file, and it still fetches nothing but its own charts and ``data:`` URLs."""

from __future__ import annotations

import gc
import io

import pytest

from carescale.reports.html import CHART_SCHEME, _fetcher, write_pdf


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 20), (29, 112, 184)).save(out, format="JPEG", quality=92)
    return out.getvalue()


HTML = f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>A small case</title>
<style>table {{ border-collapse: collapse; width: 100% }} td {{ border-bottom: 1px solid #b1b4b6 }}</style></head>
<body><h1>A small case</h1><p>Net saving a year: £1,234,567 to the council.</p>
<figure><img src="{CHART_SCHEME}:1" alt="A blue chart of the net saving by year, breaking even in month 20">
<figcaption>The chart.</figcaption></figure>
<table><thead><tr><th scope="col">Model</th><th scope="col">Saving</th></tr></thead>
<tbody><tr><td>Shared Lives</td><td>£3,138,084.02</td></tr></tbody></table></body></html>"""


def test_the_pdf_is_what_weasyprint_writes_byte_for_byte():
    """Pausing the garbage collector and compressing each stream once (not again for the file
    identifier's checksum) leave every byte as WeasyPrint and pydyf write it; the collector is
    back on afterwards."""
    from weasyprint import HTML as WeasyHTML

    images = {f"{CHART_SCHEME}:1": _jpeg()}
    assert gc.isenabled()
    ours = write_pdf(HTML, b"carescale-test", images)
    assert gc.isenabled()
    theirs = WeasyHTML(string=HTML, url_fetcher=_fetcher(images), base_url=None).write_pdf(
        pdf_variant="pdf/ua-1", pdf_identifier=b"carescale-test")
    assert ours == theirs
    assert b"/DCTDecode" in ours  # the chart is in it, as the JPEG it was
    assert images[f"{CHART_SCHEME}:1"] in ours


def test_a_written_documents_styles_are_freed_without_the_collector(monkeypatch):
    """Once the file is written its styles and layout are emptied, so reference counting frees
    them and the collection at the end has few cycles left; without that step (the plain way,
    also where WeasyPrint's private steps differ) the same bytes, and many more cycles."""
    from weasyprint import HTML as WeasyHTML

    from carescale.reports import html as report_html

    images = {f"{CHART_SCHEME}:1": _jpeg()}
    left, files = {}, {}
    for way in ("released", "plain"):
        if way == "plain":
            monkeypatch.setattr(report_html, "_releasing_document", lambda: None)
        gc.collect()
        gc.disable()
        try:
            files[way] = report_html._render_and_release(
                WeasyHTML(string=HTML, url_fetcher=_fetcher(images), base_url=None),
                pdf_variant="pdf/ua-1", pdf_identifier=b"carescale-test")
            left[way] = gc.collect()  # what only the collector could free
        finally:
            gc.enable()
    assert files["released"] == files["plain"]
    assert left["released"] * 3 < left["plain"], left
    assert not report_html._LAYOUT.__dict__  # nothing kept for the thread


def test_the_fetcher_answers_its_own_charts_and_data_urls_only():
    jpeg = _jpeg()
    fetch = _fetcher({f"{CHART_SCHEME}:1": jpeg})
    got = fetch(f"{CHART_SCHEME}:1")
    assert got.read() == jpeg and got.content_type == "image/jpeg"
    assert fetch("data:text/plain,hello").read() == b"hello"
    for url in (f"{CHART_SCHEME}:2", "file:///etc/hostname", "https://example.org/chart.png",
                "http://169.254.169.254/latest/meta-data/"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetch(url)


@pytest.mark.parametrize(("figure", "fits"), [
    (1_676_158.09, True),
    (999_999_999.99, True),  # "£999,999,999.99": 15 characters
    (-99_999_999.99, True),
    (1_000_000_000.00, False),  # "£1,000,000,000.00"
    (-100_000_000.00, False),  # "-£100,000,000.00": 16 characters with the sign
])
def test_the_bridge_keeps_set_column_widths_only_while_its_figures_fit(figure, fits):
    from carescale.reports.html import BRIDGE_FIXED_CHARS, _bridge_fits
    from carescale.reports.numbers import pence

    for payer in ("asc", "nhs"):  # the figure in either payer's column and in the total
        rows = [{"asc": 12.5, "nhs": 0.0, "total": 12.5}, {"asc": 0.0, "nhs": 0.0, payer: figure, "total": figure}]
        assert _bridge_fits(rows) is fits
    assert (len(pence(figure)) <= BRIDGE_FIXED_CHARS) is fits


def test_birminghams_bridge_gets_the_set_widths_in_the_pdf():
    from carescale.reports import prepare
    from carescale.reports.html import html_text

    data = prepare({"area": "birmingham"})
    html = html_text(data, raster=True)
    assert 'class="small bridge fixed" id="bridge-table"' in html
    assert "table.bridge.fixed { table-layout: fixed; }" in html
    for table_id in ("summary-table", "cash-flow-table", "value-table", "options-table", "cash-budget-table"):
        assert f' fixed" id="{table_id}"' in html, table_id
        assert f"table.fixed#{table_id} {{ table-layout: fixed; }}" in html


def test_a_table_keeps_set_widths_only_while_its_figures_fit_their_columns():
    from carescale.reports.html import PRINT_WIDTHS, _fits_columns

    spec = PRINT_WIDTHS["cash-budget-table"]  # its last column, "Net": 8.1% of 695.4 px
    zeros = '<td class="num">£0</td>' * 5

    def table(figure: str) -> str:
        return ('<thead><tr><th class="num">Net</th></tr></thead><tbody>'
                f'<tr><th scope="row">2026/27</th><td>Council</td>{zeros}<td class="num">{figure}</td></tr></tbody>')
    assert _fits_columns(table("£4.43m"), *spec)
    assert _fits_columns(table("£44.3m"), *spec)  # 43.7 px of the 44.7 the column holds
    assert not _fits_columns(table("-£44.3m"), *spec)  # 48 px
    assert not _fits_columns(table("£4,432,888.10"), *spec)
    # a cell spanning columns has their widths together
    wide = '<tbody><tr><td class="num" colspan="8">£4,432,888,888,888.10</td></tr></tbody>'
    assert _fits_columns(wide, *spec)


def test_a_big_scenario_gets_the_automatic_layout_where_its_figures_do_not_fit():
    from carescale.reports import prepare
    from carescale.reports.html import html_text

    # nearly every older person of Birmingham in Living Well: figures of hundreds of millions
    data = prepare({"area": "birmingham", "overrides": {"living-well.older-people-multiple-ltc.people": 149_000}},
                   uncertainty=False)
    html = html_text(data, raster=True)
    assert '<table class="small" id="cash-flow-table">' in html
    assert '<table class="small bridge" id="bridge-table">' in html


def test_how_each_step_is_worked_out_keeps_every_model_and_way_once_per_step():
    from carescale.appraisal.bridge import bridge_table
    from carescale.reports import prepare
    from carescale.reports.html import by_step, step_methods

    rows = bridge_table(prepare({"area": "birmingham"}, uncertainty=False).bridge)
    groups = by_step(rows)
    assert [r for g in groups for r in g["rows"]] == rows  # every row, in the bridge's order
    steps = step_methods(groups)
    assert len(steps) == len(groups) < len(rows)
    for g, s in zip(groups, steps):
        assert s["label"] == g["label"]
        pairs = [(m, t["text"]) for t in s["methods"] for m in (t["models"] or [""])]
        want = [(r["model_name"], f"Equals the {r['source']}" if g["subtotal"] else r["source"]) for r in g["rows"]]
        assert sorted(pairs) == sorted(want)  # each model with its own way, none lost or added
        assert len({t["text"] for t in s["methods"]}) == len(s["methods"])  # each way once
