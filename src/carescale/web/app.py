"""The FastAPI application: API router, pages, templates, static files and error handling.

``create_app()`` builds a fresh app (its own scenario store and job manager), so tests and
servers never share state by accident. Every error is answered without a traceback: a
:class:`~carescale.errors.CarescaleError` or a request that does not match the schema is 422
with field-level messages (JSON under ``/api/``, an error page elsewhere), answered with the
error's own ``http_status`` (an unknown id 404, a full job queue 429, a store that cannot be
used, :class:`~carescale.errors.StoreUnavailableError`, 503 with ``Retry-After``); an unknown
address is a friendly 404; anything unexpected is logged and answered with a friendly 500.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any, AsyncIterator

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import config
from ..errors import CarescaleError
from .jobs import JobManager
from .service import ResultCache
from .storage import ScenarioStore, default_store
from .vendor import plotly_js

HERE = Path(__file__).parent
STATIC = HERE / "static"
log = config.logger("web")  # carescale.web, as every carescale logger is named

RETRY_AFTER_S = 60  # what a 503 (store unavailable) asks clients to wait

__all__ = ["STATIC", "create_app", "error_items", "plotly_js"]
_FIELD = re.compile(r"^([A-Za-z_][\w.\-\[\]]*): ")


def error_items(message: str) -> list[dict[str, Any]]:
    """A CarescaleError's one line as FastAPI-style field-level detail (control characters and
    newlines a user typed into a key or value shown visibly, so it stays one line)."""
    from ..safe_text import one_line

    m = _FIELD.match(message)
    loc = ["body", *m.group(1).split(".")] if m else ["body"]
    return [{"loc": loc, "msg": one_line(message), "type": "invalid_input"}]


def _allowed(request: Request) -> str:
    """The methods the routes at the request's address take (Starlette names only the first route's)."""
    from starlette.routing import Match

    methods: set[str] = set()
    for route in request.app.router.routes:
        if route.matches(request.scope)[0] is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


class OutputSafety:
    """Output safety on every request (docs/security.md): cross-site state changes refused (the
    Origin check; issue 27: outside /api/, every form carries this browser's CSRF token, double
    submit), the CSRF cookie for a browser that had none, the CSP and the security headers.

    A plain ASGI middleware (issue 25): Starlette's ``BaseHTTPMiddleware`` ran every response
    through a task group and a memory stream, about a third of a static file's CPU."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from starlette.datastructures import MutableHeaders

        from .csrf import csrf_cookie, csrf_token_refusal, prepare_csrf, replayed
        from .security import csrf_refusal, security_headers

        request = Request(scope, receive)
        prepare_csrf(request)

        async def send_safely(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                csrf_cookie(request, headers)
                security_headers(scope["path"], headers)
            await send(message)

        refusal = csrf_refusal(request) or await csrf_token_refusal(request)
        if refusal is not None:
            await refusal(scope, receive, send_safely)
            return
        body = getattr(request.state, "csrf_body", None)  # the form the token was read from
        await self.app(scope, receive if body is None else replayed(body, receive), send_safely)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    if getattr(app.state, "serving", False):  # `carescale serve`'s own process (docs/security.md, "Bounds")
        import sys

        # An analysis computing in a thread hands the interpreter lock to the thread answering a page
        # every 5 ms by default, and a page needs it a dozen times: 1 ms keeps that wait small.
        sys.setswitchinterval(0.001)
        from .. import collector

        collector.tune_for_serving()  # young collections no longer walk the cached answers every ~30 requests
    pool = getattr(app.state, "compute", None)
    if pool is not None:
        pool.start()  # the API's runs and appraisals on every core, once its processes are up (issue 25)
    try:
        yield
    finally:
        app.state.jobs.cancel_all()
        if pool is not None:
            pool.close()


def create_app(store: ScenarioStore | None = None, jobs: JobManager | None = None, national: Any = None,
               policy: Any = None, serving: bool = False) -> FastAPI:
    from .policy import BodyLimit, InlineSlots, Policy
    from .routes import api, conversations_api, pages, plans_api
    from .templating import error_page, make_templates

    policy = policy if policy is not None else Policy.from_env()  # every limit (docs/security.md, "Bounds")

    app = FastAPI(
        title="carescale",
        version="1",
        summary="Scale up care models that work elsewhere: costs, savings by payer, break-even and uncertainty.",
        description="Every POST takes a scenario document (docs/scenarios.md) and returns what the CLI prints "
        "with --format json. Bad input is answered 422 with field-level messages.",
        docs_url=None,  # /api/docs is routes.info.api_docs: Swagger UI without an inline script (docs/security.md)
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.serving = serving
    app.state.store = store if store is not None else default_store()
    app.state.policy = policy
    app.state.inline = InlineSlots(policy)
    app.state.jobs = jobs if jobs is not None else JobManager(policy.job_workers, max_waiting=policy.jobs_waiting,
                                                                 per_client=policy.client_jobs)
    if app.state.jobs.per_client is None:
        app.state.jobs.per_client = policy.client_jobs
    # the result pages' own analyses (within inline_cost): their own workers, never behind a large job
    app.state.jobs.add_page_lane(policy.inline_slots, policy.inline_queue)
    from .compute import ComputePool, processes_for

    processes = processes_for(policy.compute_processes) if serving else 0
    app.state.compute = ComputePool(processes) if processes else None
    app.state.national = national
    app.state.templates = make_templates()
    from . import sso

    sso.load(app.state)  # the identity providers file (CARESCALE_OIDC_PROVIDERS), if any: a bad one stops here
    sso.register(app.state.templates.env)  # sso_buttons() for the sign-in page
    app.state.downloads = ResultCache()  # rendered reports; the figures are the process's Evaluations
    app.state.pages = ResultCache(128)  # rendered result pages, by scenario id and uncertainty state
    app.state.scenario_jobs = {}  # scenario id -> the job working out its uncertainty

    STATIC.mkdir(exist_ok=True)
    # first: a static file's address is not matched against every route before it (issue 25)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api.router)
    app.include_router(plans_api.router)
    from .routes.accounts import api_router as accounts_api

    app.include_router(accounts_api)  # GET /api/v1/account (issue 27)
    app.include_router(conversations_api.router)
    from .contract import openapi

    app.openapi = lambda: openapi(app)  # type: ignore[method-assign]  (the scenario document typed)
    app.include_router(pages)

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def _plotly() -> Response:
        return FileResponse(plotly_js(), media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})

    @app.exception_handler(CarescaleError)
    async def _carescale_error(request: Request, exc: CarescaleError) -> Response:
        status = exc.http_status
        if status >= 500:  # the server's problem, not the input's (the store): logged, its address not shown
            log.error("%s %s: %s", request.method, request.url.path, exc.message)
            public = getattr(exc, "public", "the service cannot answer just now; try again later")
            if _wants_json(request):
                return JSONResponse({"detail": public}, status_code=status, headers={"Retry-After": str(RETRY_AFTER_S)})
            page = error_page(request, status, [public])
            page.headers["Retry-After"] = str(RETRY_AFTER_S)
            return page
        if _wants_json(request):
            return JSONResponse({"detail": error_items(exc.message)}, status_code=status)
        return error_page(request, status, [exc.message])

    from .auth import SignInRequired, sign_in_url

    @app.exception_handler(SignInRequired)
    async def _sign_in_required(request: Request, exc: SignInRequired) -> Response:
        # issue 27 (docs/accounts.md): a page sends an anonymous visitor to sign in and back; the API says 401
        if _wants_json(request):
            return JSONResponse({"detail": exc.message}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
        from fastapi.responses import RedirectResponse

        return RedirectResponse(sign_in_url(exc.next_path), status_code=303)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        detail = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in exc.errors()
        ]
        if _wants_json(request):
            return JSONResponse({"detail": detail}, status_code=422)
        return error_page(request, 422, [f"{'.'.join(map(str, d['loc'][1:])) or 'form'}: {d['msg']}" for d in detail])

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:  # Allow: every method of every route at this address (GET and POST /api/v1/plans)
            headers = {**(headers or {}), "Allow": _allowed(request)}
        if _wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)
        return error_page(request, exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        if _wants_json(request):
            return JSONResponse({"detail": "Something went wrong on our side; the problem has been logged."}, status_code=500)
        return error_page(request, 500)

    from .security import document_refusals

    document_refusals(app)  # the Origin check's 403 is part of every POST's contract

    app.add_middleware(OutputSafety)
    app.add_middleware(BodyLimit, limit=policy.body_bytes)
    return app
