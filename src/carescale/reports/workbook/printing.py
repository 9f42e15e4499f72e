"""How each sheet of the workbook prints (issue 26): A4, landscape when the sheet is wide, fitted
to one page wide (as many pages tall as it takes), its print area the cells and charts written,
the header rows of its one table repeated on every page, a footer naming the sheet and the page;
and every row holding wrapped text (a header, a quote, a note) made tall enough for its lines,
because LibreOffice and some Excel viewers do not grow a row for wrapped text on opening (the
text then overlapped the row below).

This reads what xlsxwriter has written so far (its cell table, column widths, merges and charts)
just before the workbook is closed; it changes no cell."""

from __future__ import annotations

import math
from typing import Any

A4 = 9
DEFAULT_COL_PX = 64  # an Excel column of the default width (8.43 characters)
CHAR_PX = 7.0  # a Calibri 11 character, on average (xlsxwriter: 7 px a character + 5 px padding)
LINE_PT = 15.0  # a line of Calibri 11
CHART_PX = (480, 288)  # xlsxwriter's default chart size
LANDSCAPE_PX = 760  # wider than this prints across an A4 page turned


def _col_px(ws: Any, col: int) -> float:
    info = ws.col_info.get(col)
    return float(info.width) if info is not None and info.width is not None else DEFAULT_COL_PX


def _strings(ws: Any) -> dict[int, str]:
    return {i: s for s, i in ws.str_table.string_table.items()}


def fit_wrapped_rows(ws: Any) -> None:
    """Each row with wrapped text as tall as its longest cell needs (never lower than set)."""
    strings = _strings(ws)
    merged = {(m[0], m[1]): range(m[1], m[3] + 1) for m in getattr(ws, "merge", [])}
    for row, cells in ws.table.items():
        need = 0.0
        for col, cell in cells.items():
            fmt = getattr(cell, "format", None)
            if fmt is None or not getattr(fmt, "text_wrap", 0) or type(cell).__name__ != "String":
                continue
            text = strings.get(cell.string, "")
            width = sum(_col_px(ws, c) for c in merged.get((row, col), (col,)))
            size = float(getattr(fmt, "font_size", 11) or 11)
            per_line = max(1.0, (width - 5) / (CHAR_PX * size / 11.0))
            lines = sum(max(1, math.ceil(len(part) * 1.05 / per_line)) for part in text.split("\n"))
            need = max(need, lines * LINE_PT * size / 11.0 + 3)
        if need <= LINE_PT + 3:
            continue
        info = ws.row_info.get(row)
        height_pt = info.height * 0.75 if info is not None and info.height is not None else 0.0
        if need > height_pt:
            ws.set_row(row, need, info.row_format if info is not None else None)


def _extent(ws: Any) -> tuple[int, int]:
    """The last row and column written, charts included."""
    last_row = ws.dim_rowmax or 0
    last_col = ws.dim_colmax or 0
    for chart in getattr(ws, "charts", []):
        row, col, obj, x_off, y_off, x_scale, y_scale = chart[:7]  # as xlsxwriter 3 keeps them
        w = float(getattr(obj, "width", CHART_PX[0])) * float(x_scale or 1) + float(x_off or 0)
        h = float(getattr(obj, "height", CHART_PX[1])) * float(y_scale or 1) + float(y_off or 0)
        c, px = col, 0.0
        while px < w:
            px += _col_px(ws, c)
            c += 1
        last_col = max(last_col, c - 1)
        last_row = max(last_row, row + math.ceil(h / 20.0))
    return last_row, last_col


def print_setup(ws: Any, header_rows: list[int]) -> None:
    """A4, fitted to one page wide, the print area, the repeated header rows and the footer.
    ``header_rows``: the rows this sheet's table headers were written on (repeated on every page
    when there is one table, or when the sheet freezes its top rows)."""
    fit_wrapped_rows(ws)
    last_row, last_col = _extent(ws)
    ws.set_paper(A4)
    width = sum(_col_px(ws, c) for c in range(last_col + 1))
    if width > LANDSCAPE_PX:
        ws.set_landscape()
    # one page wide; a sheet more than 2.5 pages wide (Inputs: every figure with its quote) goes
    # across as many pages as keep its text at about 60% or more, its first column on each
    wide = math.ceil(width / (LANDSCAPE_PX / 0.6)) if width > 2.5 * LANDSCAPE_PX else 1
    ws.fit_to_pages(wide, 0)
    if wide > 1:
        ws.repeat_columns(0)
    ws.print_area(0, 0, last_row, last_col)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.set_footer("&L&A&RPage &P of &N")
    frozen = ws.panes[0] if ws.panes else 0
    if frozen:
        ws.repeat_rows(0, frozen - 1)
    elif len(header_rows) == 1:
        ws.repeat_rows(header_rows[0])
