"""Business case reports: a PDF/HTML for the board, a live Excel model for finance, and a
plain-English Markdown summary (docs/reports.md).

    from carescale.reports import prepare, render
    from carescale.scenarios import load_scenario
    data = prepare(load_scenario("my.yaml"))   # or a mapping, YAML text, or None (Birmingham)
    pdf = render(data, "pdf")                 # bytes; also "html", "xlsx", "md"

:func:`render` takes a prepared :class:`ReportData` (or a scenario document, which it
prepares) and a
format, and returns the file's bytes; :data:`FORMATS` lists the formats with their media type
and file suffix (the web app offers the same downloads). Nothing heavy is imported here:
xlsxwriter, jinja2, matplotlib and weasyprint are imported inside the writers.
"""

from __future__ import annotations

from typing import Any

from ..errors import SettingsError
from .data import ReportData, as_document, prepare

#: format -> (media type, file suffix)
FORMATS: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", ".pdf"),
    "html": ("text/html; charset=utf-8", ".html"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "md": ("text/markdown; charset=utf-8", ".md"),
}


def render(data: ReportData | Any, fmt: str) -> bytes:
    """The report in format ``fmt`` (pdf, html, xlsx or md) as bytes."""
    if fmt not in FORMATS:
        raise SettingsError(f"format: {fmt!r} is not a report format; valid formats are: {', '.join(FORMATS)}")
    if not isinstance(data, ReportData):
        data = prepare(data)
    if fmt == "xlsx":
        from .workbook import workbook_bytes

        return workbook_bytes(data)
    if fmt == "md":
        from .markdown import markdown_text

        return markdown_text(data).encode("utf-8")
    from .html import html_text, pdf_bytes

    if fmt == "html":
        return html_text(data).encode("utf-8")
    return pdf_bytes(data)


__all__ = ["FORMATS", "ReportData", "as_document", "prepare", "render"]
