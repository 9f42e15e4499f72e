"""Business case reports: a PDF/HTML for the board, a live Excel model for finance, and a
plain-English Markdown summary (docs/reports.md).

    from carescale.reports import prepare, render
    from carescale.scenarios import evaluate_document, load_scenario
    doc = load_scenario("my.yaml")
    pdf = render(doc, "pdf")                  # bytes; also "html", "xlsx", "md"
    md = render(evaluate_document(doc), "md") # the same evaluation: the Monte Carlo ran once
    data = prepare(doc)                       # or a mapping, YAML text, or None (Birmingham)

:func:`render` takes a scenario document (or a mapping, YAML text or None), its
:class:`carescale.scenarios.Evaluation`, or a prepared :class:`ReportData`, and a format, and
returns the file's bytes. Every figure comes from the document's evaluation
(:func:`carescale.scenarios.evaluate_document`, kept for the process), so a report after the
result page, or a second format, does not run the engine or the Monte Carlo again.
:data:`FORMATS` lists the formats with their media type and file suffix (the web app offers the
same downloads). Nothing heavy is imported here:
xlsxwriter, jinja2, matplotlib and weasyprint are imported inside the writers.
"""

from __future__ import annotations

from typing import Any

from ..errors import SettingsError
from ..scenarios import Evaluation
from .data import ReportData, as_document, prepare
from .html import html_text, pdf_bytes
from .markdown import markdown_text
from .workbook import workbook_bytes

#: format -> (media type, file suffix)
FORMATS: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", ".pdf"),
    "html": ("text/html; charset=utf-8", ".html"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "md": ("text/markdown; charset=utf-8", ".md"),
}


def render(data: ReportData | Evaluation | Any, fmt: str) -> bytes:
    """The report in format ``fmt`` (pdf, html, xlsx or md) as bytes, for a prepared
    :class:`ReportData`, an :class:`Evaluation` or a scenario document."""
    if fmt not in FORMATS:
        raise SettingsError(f"format: {fmt!r} is not a report format; valid formats are: {', '.join(FORMATS)}")
    if not isinstance(data, ReportData):
        data = prepare(data)
    if fmt == "xlsx":
        return workbook_bytes(data)
    if fmt == "md":
        return markdown_text(data).encode("utf-8")
    if fmt == "html":
        return html_text(data).encode("utf-8")
    return pdf_bytes(data)


__all__ = ["FORMATS", "ReportData", "as_document", "prepare", "render"]
