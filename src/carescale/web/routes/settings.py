"""The appraisal settings of a scenario on the web (issue 26; docs/web.md, "Settings"):
``/s/<id>/settings``: the appraisal period, the start date (a start already past is offered as the
start of the next financial year), the discount schedule, the optimism-bias method and the
business-case options, each explained in one sentence. Saving makes a new scenario document
(the old one and its address are unchanged) and shows its result."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ...errors import CarescaleError
from .. import documents
from ..forms import OPTIMISM_CHOICES, ErrorSummary, SettingsForm
from ..templating import render, see_other
from .common import save, stored_document

router = APIRouter(include_in_schema=False)

#: the field each appraisal setting is typed in (a library refusal is linked to it)
FIELDS = {"years": "years", "start_date": "start-day", "discount_rate": "discount_rate",
          "optimism_bias_method": "optimism", "setup_timing": "setup_timing"}


def _page(request: Request, sid: str, values: dict[str, str], errors: ErrorSummary | None = None,
          status: int = 200) -> HTMLResponse:
    doc = stored_document(request, sid)
    return render(request, "settings.html", status_code=status, title="Appraisal settings", nav="scenario",
                  back=f"/scenario/{sid}", sid=sid, area=documents.scenario(doc).area, v=values,
                  optimism=OPTIMISM_CHOICES, errors=errors.items if errors else [],
                  error_ids=errors.ids if errors else [])


@router.get("/s/{sid}/settings", response_class=HTMLResponse)
def settings_form(request: Request, sid: str) -> HTMLResponse:
    doc = stored_document(request, sid)
    return _page(request, sid, SettingsForm.shown(documents.canonical(doc)["appraisal"]))


@router.post("/s/{sid}/settings")
async def settings_save(request: Request, sid: str) -> Response:
    doc = stored_document(request, sid)
    form = SettingsForm.read(await request.form())
    if form.errors:
        return _page(request, sid, form.values, form.errors, 422)
    appraisal: dict[str, Any] = {**documents.canonical(doc)["appraisal"], **form.settings}
    try:
        new = documents.updated(doc, appraisal=appraisal)
        documents.scenario(new)
    except CarescaleError as exc:
        errors = ErrorSummary()
        field = next((f for k, f in FIELDS.items() if k in exc.message), "years")
        errors.add_error(exc, field)
        return _page(request, sid, form.values, errors, 422)
    return see_other(f"/scenario/{save(request, new)}")
