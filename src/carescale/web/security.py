"""Output safety for the web app (docs/security.md, "Output safety").

``embed_json(value) -> Markup``
    JSON safe inside an HTML ``<script type="application/json">`` element: ``<``, ``>``, ``&``,
    U+2028 and U+2029 written as ``\\uXXXX`` escapes, so no user text (an area name containing
    ``</script>`` or ``<!--<script>``) can end the element or change how the HTML parser reads
    it; ``JSON.parse``/``json.loads`` give back exactly the original value. Every template that
    embeds JSON uses this (as the ``embed_json`` Jinja filter).
``CSP``
    The Content-Security-Policy of every page, the Swagger UI page at ``/api/docs`` included (its
    script and style are served from the app's own static files).
``security_headers(path, headers)``
    Add the CSP and the other security headers to a response's headers.
``plotly_style_ids() -> list[str]``
    The ids of the ``<style>`` elements plotly.js would create at load time (its map styles);
    the result page puts a same-origin ``<link>`` stylesheet under each id (and under
    ``plotly.js-style-global``), so plotly finds them and adds its rules through the CSSOM, which
    ``style-src 'self'`` allows, instead of inline ``<style>`` elements, which it blocks.
``public_url(request) -> str``
    The configured public address (``CARESCALE_PUBLIC_URL``, else the address ``carescale
    serve`` was started on, else the address the connection arrived on): links are built from
    it, never from the request's ``Host`` header.
``document_refusals(app)``
    Adds the 403 answer of :func:`csrf_refusal` to every state-changing operation in the
    OpenAPI document, so contract tests (schemathesis) find it documented.
``csrf_refusal(request) -> Response | None``
    A strict Origin check for every state-changing request (POST, PUT, PATCH, DELETE): a 403
    with a one-line message when the request comes from another site, ``None`` when it may go on.

The CSRF tokens of every form (issue 27) are :mod:`carescale.web.csrf`.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any
from urllib.parse import urlsplit

from .. import config
from ..errors import SettingsError
from .vendor import plotly_js

ENV_PUBLIC_URL = config.PUBLIC_URL

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_JSON_UNSAFE = re.compile("[<>&\u2028\u2029]")


def embed_json(value: Any) -> Any:
    """``value`` as JSON that cannot end or alter the ``<script>`` element it is written into."""
    from markupsafe import Markup

    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    return Markup(_JSON_UNSAFE.sub(lambda m: _JSON_ESCAPES[m.group(0)], text))


@functools.lru_cache(maxsize=1)
def plotly_style_ids() -> tuple[str, ...]:
    try:
        text = plotly_js().read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ()
    return tuple(dict.fromkeys(re.findall(r'getElementById\("([0-9a-f]{32,64})"\)', text)))


def security_headers(path: str, headers: Any) -> None:
    headers["Content-Security-Policy"] = CSP
    for name, value in HEADERS.items():
        headers[name] = value


# -- the public address ------------------------------------------------------------------------------------


def check_public_url(text: str, source: str = ENV_PUBLIC_URL) -> str:
    """A public base URL as ``scheme://host[:port][/path]`` without a trailing slash, or one line."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment or parts.username:
        raise SettingsError(f"{source}: {text!r} is not a valid public address; give one such as "
                            "https://carescale.example.org or http://127.0.0.1:8000")
    return f"{parts.scheme}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


def configured_public_url() -> str | None:
    text = config.public_url()
    return check_public_url(text) if text else None


def started_url(host: str, port: int) -> str:
    """The address a server started on ``host``:``port`` answers at."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else "[::1]" if host == "::" else host
    shown = f"[{shown}]" if ":" in shown and not shown.startswith("[") else shown
    return f"http://{shown}:{port}"


def _server_origin(request: Any) -> str | None:
    server = request.scope.get("server")
    if not server:
        return None
    host, port = server[0], server[1]
    scheme = request.scope.get("scheme", "http")
    host = f"[{host}]" if ":" in str(host) else str(host)
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" if port in (None, default) else f"{scheme}://{host}:{port}"


def share_base(request: Any) -> str:
    """The base URL of the links people share (a saved scenario, a result): ``CARESCALE_PUBLIC_URL``
    when set, else the address the server was started on (:func:`public_url`), **never the
    request's ``Host`` header**: a result page is cached by scenario id, so a link built from one
    request's ``Host`` would be served to every later visitor (a request with ``Host:
    evil.example`` would plant that host in everyone's share link). When the app is used from
    another computer and no public address is configured, the page's script
    (``static/copy-link.js``) shows and copies the address the visitor's own browser used
    instead of a loopback one; a server others reach sets ``CARESCALE_PUBLIC_URL``
    (docs/web.md)."""
    return public_url(request)


def public_url(request: Any) -> str:
    """The base URL links are built from: configuration, never the ``Host`` header."""
    return (configured_public_url() or getattr(request.app.state, "public_url", None)
            or _server_origin(request) or "http://127.0.0.1:8000")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def allowed_origins(request: Any) -> set[str]:
    found = {_origin(public_url(request))}
    if (started := getattr(request.app.state, "public_url", None)):
        found.add(_origin(started))
    if (own := _server_origin(request)):
        found.add(own.lower())
    return found


# -- cross-site request forgery ------------------------------------------------------------------------------


def csrf_refusal(request: Any) -> Any:
    """403 for a state-changing request from another site; ``None`` when it may go on.

    The ``Origin`` header (every current browser sends it with a POST) must be this server's; without
    it, the ``Referer`` must be; with neither, only ``Content-Type: application/json`` is accepted
    (a browser cannot send that to another site without a CORS preflight, which we never allow).
    """
    if request.method not in UNSAFE_METHODS:
        return None
    allowed = allowed_origins(request)
    origin = request.headers.get("origin")
    referer = request.headers.get("referer")
    if origin is not None:
        if origin.lower() in allowed:
            return None
        reason = f"its Origin {origin!r} is not this site"
    elif referer:
        if _origin(referer) in allowed:
            return None
        reason = "its Referer is not this site"
    else:
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "application/json":
            return None
        reason = "it has no Origin or Referer header and is not Content-Type application/json"
    if not _handled(request):  # looked up only for a refusal (issue 25: every route matched again per POST)
        return None
    return _refuse(request, f"Refused: this request changes something on the server and {reason} "
                            "(cross-site requests are not accepted).")


def _handled(request: Any) -> bool:
    """Whether a route takes this method at this address. One that does not changes nothing, so
    routing answers it as usual (404, or 405 with ``Allow``) rather than the Origin check."""
    from starlette.routing import Match

    return any(route.matches(request.scope)[0] is Match.FULL for route in request.app.router.routes)


REFUSAL_RESPONSE = {
    "description": "Refused: a state-changing request from another site (docs/security.md, Output safety).",
    "content": {"application/json": {"schema": {
        "type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}}},
}


def document_refusals(app: Any) -> None:
    make = app.openapi

    def openapi() -> dict[str, Any]:
        first = app.openapi_schema is None
        schema = make()
        if first:
            for operations in schema.get("paths", {}).values():
                for method, operation in operations.items():
                    if method.upper() in UNSAFE_METHODS:
                        operation.setdefault("responses", {}).setdefault("403", REFUSAL_RESPONSE)
        return schema

    app.openapi = openapi


def _refuse(request: Any, message: str) -> Any:
    from fastapi.responses import JSONResponse, PlainTextResponse

    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": message}, status_code=403)
    return PlainTextResponse(message, status_code=403)
