"""How the workbook prints (issue 26; docs/reports.md): every sheet on A4 with a print area,
fitted to the page width (a sheet far wider than a page across a few pages, its first column on
each), its table's header rows repeated, and every row holding wrapped text tall enough for its
lines (LibreOffice drew wrapped headers over the values below). LibreOffice prints the whole
workbook in well under the 233 A4 pages it took before."""

from __future__ import annotations

import io
import math
import shutil
import subprocess

import pytest

from tests.conftest import require_tool

pytest.importorskip("xlsxwriter")
openpyxl = pytest.importorskip("openpyxl")


@pytest.fixture(scope="module")
def xlsx() -> bytes:
    from carescale.reports import prepare
    from carescale.reports.workbook import workbook_bytes

    return workbook_bytes(prepare({"version": 1, "area": "birmingham", "uncertainty": {"draws": 1000}}))


def col_px(ws, col: int) -> float:
    """A column's width in pixels (openpyxl keeps a run of equal columns under its first letter)."""
    width = next((d.width for d in ws.column_dimensions.values()
                  if d.min is not None and d.max is not None and d.min <= col <= d.max and d.width), 8.43)
    return width * 7 + 5


def test_every_sheet_prints_on_a4_fitted_to_the_width(xlsx):
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    for ws in wb.worksheets:
        ps = ws.page_setup
        assert ps.paperSize == 9, ws.title  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ps.fitToHeight == 0, ws.title  # as many pages tall as it takes
        assert ps.fitToWidth in (None, 1, 2, 3, 4), ws.title  # None is 1 (Excel's default)
        assert ws.print_area, ws.title
        assert ws.oddFooter.right.text == "Page &P of &N", ws.title
    assert wb["Inputs"].print_title_rows == "$1:$4"  # its frozen header
    assert wb["Inputs"].print_title_cols == "$A:$A"  # across pages: the figure's path on each
    assert wb["Options"].print_title_rows == "$3:$3"  # a sheet with one table: its header row
    assert wb["Summary"].page_setup.orientation == "landscape"


def test_wrapped_text_rows_are_tall_enough(xlsx):
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    checked = 0
    for ws in wb.worksheets:
        merged = {r.coord.split(":")[0]: r for r in ws.merged_cells.ranges}
        for row in ws.iter_rows():
            for c in row:
                if not isinstance(c.value, str) or not c.alignment.wrap_text or c.coordinate in merged:
                    continue
                size = c.font.sz or 11
                per_line = max(1.0, (col_px(ws, c.column) - 5) / (7.0 * size / 11))
                lines = sum(max(1, math.ceil(len(p) * 1.05 / per_line)) for p in c.value.split("\n"))
                if lines < 2:
                    continue
                height = ws.row_dimensions[c.row].height
                assert height is not None and height >= lines * 15 * size / 11, (
                    f"{ws.title}!{c.coordinate}: {lines} lines of wrapped text in a row {height} pt high")
                checked += 1
    assert checked > 20  # the headers, the quotes on Inputs, the About sheet


@pytest.mark.slow  # LibreOffice converts the workbook: 2.5-3 s (pyproject.toml's markers)
def test_libreoffice_prints_it_in_far_fewer_pages(xlsx, tmp_path):
    require_tool(shutil.which("soffice") is not None and shutil.which("pdfinfo") is not None,
                 "LibreOffice (soffice) and poppler (pdfinfo)")
    src = tmp_path / "book.xlsx"
    src.write_bytes(xlsx)
    profile = tmp_path / "profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
                   check=True, capture_output=True, timeout=240)
    info = subprocess.run(["pdfinfo", str(tmp_path / "book.pdf")], check=True, capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert 15 <= pages <= 100, pages  # 233 before the print set-up (issue 26); 84 with it
