"""Rendering pages: the Jinja2 environment (GOV.UK Frontend macros, our filters), a page, an error
page and the redirects every route uses (docs/web.md)."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from .security import embed_json

HERE = Path(__file__).parent

ERROR_TEXT = {
    403: ("Sorry, that cannot be done", ["The reason is given above. If you think you should be able to do this, "
                                         "ask an administrator of your organisation."]),
    404: ("Page not found", ["If you typed the web address, check it is correct.",
                              "If you followed a shared link, the scenario may be stored on a different carescale server."]),
    405: ("Page not found", ["This address does not take that kind of request."]),
    422: ("There is a problem with what was sent", ["Go back, correct it and try again."]),
    429: ("The service is busy", ["Too many large analyses are waiting to start. Try again in a few minutes."]),
    503: ("Sorry, the service is unavailable", ["Saved scenarios cannot be read or saved just now; nothing was half-saved. "
                                                 "Try again later."]),
    500: ("Sorry, there is a problem with the service", ["Try again later. The problem has been recorded; nothing you entered was shared."]),
}


@functools.cache
def compiled_templates() -> Any:
    """The process's one store of compiled templates, shared by every app's environment (they are
    made alike): a template is compiled once a process, not once an app (compiling the start page
    and its layout took 0.1 s, which each new app, as in the tests, paid again). Jinja checks each
    entry against its template's source, so an edited template is compiled afresh."""
    import threading

    from jinja2 import BytecodeCache

    class ProcessBytecodeCache(BytecodeCache):
        def __init__(self) -> None:
            self.code: dict[str, bytes] = {}
            self.lock = threading.Lock()

        def load_bytecode(self, bucket: Any) -> None:
            with self.lock:
                code = self.code.get(bucket.key)
            if code is not None:
                bucket.bytecode_from_string(code)

        def dump_bytecode(self, bucket: Any) -> None:
            code = bucket.bytecode_to_string()
            with self.lock:
                self.code[bucket.key] = code

    return ProcessBytecodeCache()


def make_templates() -> Any:
    from fastapi.templating import Jinja2Templates
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader, select_autoescape

    from . import formatting

    env = Environment(
        loader=ChoiceLoader([
            FileSystemLoader(HERE / "templates"),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        bytecode_cache=compiled_templates(),
    )
    formatting.register(env)
    env.filters["embed_json"] = embed_json  # every JSON written into a page (docs/security.md)
    from . import auth

    auth.register(env)  # csrf_field() in every form, signed_in() in the header (docs/accounts.md)
    return Jinja2Templates(env=env)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("title", "carescale")
    context.setdefault("errors", [])
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status_code)


def error_page(request: Request, status: int, messages: list[str] | None = None) -> Response:
    heading, paragraphs = ERROR_TEXT.get(status, ERROR_TEXT[500] if status >= 500 else ERROR_TEXT[404])
    return render(request, "error.html", status_code=status, title=heading, heading=heading,
                  paragraphs=paragraphs, errors=[{"text": m} for m in (messages or [])])


def field_id(path: str) -> str:
    return "f-" + re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
