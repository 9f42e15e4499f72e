"""What the page routes share: reading a stored scenario, storing a new one, and where its
uncertainty analysis stands."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import BaseModel

from .. import documents, service


def stored_document(request: Request, sid: str) -> Any:
    """The stored scenario document ``sid`` (404 when this server does not have it)."""
    return documents.parse(service.stored(request.app.state.store, sid))


def save(request: Request, doc: Any) -> str:
    """Store a document; its scenario id (its content hash)."""
    return request.app.state.store.put(doc)


def job_for(request: Request, doc: Any, page: bool = False) -> Any:
    """The scenario's background uncertainty job (the running one, or a new one; ``page``: for
    the result page, on the job manager's page lane when the analysis is small)."""
    return service.start_uncertainty_job(request.app.state, doc, service.client_of(request), page=page)


def uncertainty_state(request: Request, doc: Any) -> tuple[dict[str, Any] | None, Any]:
    """The uncertainty result if it is known or cheap enough to work out inside the request
    (the resource policy's cost estimate); else the background job working it out, shared by
    every request for this scenario (started here if none is). A page never computes more."""
    got = service.uncertainty_now(request.app.state, doc)
    if got is not None:
        return got, None
    return None, job_for(request, doc)


# -- the error bodies every API operation declares (one model; docs/web.md) -----------------------------


class ErrorItem(BaseModel):
    """One field-level problem: where (``loc``, e.g. ``["body", "uncertainty", "draws"]``), the
    one-line message and its kind."""

    loc: list[str | int]
    msg: str
    type: str


class ErrorBody(BaseModel):
    """Every error answer: ``detail`` is a list of field-level problems (404 for an unknown id,
    422, 429) or one line (400 for a body that cannot be read, 404 for an unknown address, 503)."""

    detail: list[ErrorItem] | str
