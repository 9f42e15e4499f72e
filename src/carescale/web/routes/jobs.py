"""The page of a background job (its progress, then a link to the result) and cancelling it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from .. import service
from ..templating import render, see_other

router = APIRouter(include_in_schema=False)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str) -> HTMLResponse:
    job = service.job(request.app.state, job_id)
    return render(request, "job.html", title="Working out how sure the savings are", nav="scenario", job=job,
                  back=f"/scenario/{job.scenario_id}")


@router.post("/jobs/{job_id}/cancel")
def job_cancel(request: Request, job_id: str) -> Response:
    service.job(request.app.state, job_id)
    request.app.state.jobs.cancel(job_id)
    return see_other(f"/jobs/{job_id}")
