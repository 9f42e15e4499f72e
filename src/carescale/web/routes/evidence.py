"""The evidence browser: search every model and case study, and one record in full."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ... import evidence
from ...errors import CarescaleError
from ..forms import EvidenceFilters
from ..templating import error_page, render

router = APIRouter(include_in_schema=False)


@router.get("/evidence", response_class=HTMLResponse)
def evidence_list(request: Request, q: str = "", kind: str = "", area: str = "", payer: str = "", min_level: str = "") -> HTMLResponse:
    form = EvidenceFilters.read(q, kind, area, payer, min_level)
    hits = []
    if not form.errors:
        try:
            hits = evidence.search(form.q, **form.filters)
        except CarescaleError as exc:
            form.errors.add_error(exc, "q")
    return render(request, "evidence.html", title="The evidence behind the figures", nav="evidence",
                  hits=[h.as_dict() for h in hits], q=q, kind=kind, area=area, payer=payer, min_level=min_level,
                  errors=form.errors.items, status_code=422 if form.errors else 200)


@router.get("/evidence/{record_id}", response_class=HTMLResponse)
def evidence_page(request: Request, record_id: str) -> HTMLResponse:
    try:
        d = evidence.detail(record_id)
    except CarescaleError:
        return error_page(request, 404)
    if d["kind"] == "model":  # each figure named in words; its path only in the "for analysts" detail
        from ...library import default_library
        from ..wording import figure_words

        obj = default_library().intervention(record_id)
        d = {**d, "figures": [{**f, "name": figure_words(obj, f["field"])} for f in d["figures"]]}
    return render(request, "evidence_record.html", title=d["name"], nav="evidence", back="/evidence", d=d)
