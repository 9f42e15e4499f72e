"""Server-rendered pages (Jinja2 on GOV.UK Frontend, our own name and colours; docs/web.md).

Every page works without JavaScript: each step of the journey is a form whose answer becomes a
new scenario document, stored by its content hash, so every step and every result has its own
address. JavaScript only draws the charts (each has a table beside it) and polls job progress.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

HERE = Path(__file__).parent
router = APIRouter(include_in_schema=False)

ERROR_TEXT = {
    404: ("Page not found", ["If you typed the web address, check it is correct.",
                              "If you followed a shared link, the scenario may have been stored on a different carescale server."]),
    405: ("Page not found", ["This address does not take that kind of request."]),
    422: ("There is a problem with what was sent", []),
    500: ("Sorry, there is a problem with the service", ["Try again later. The problem has been recorded; nothing you entered was shared."]),
}


def make_templates() -> Any:
    from fastapi.templating import Jinja2Templates
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader, select_autoescape

    env = Environment(
        loader=ChoiceLoader([
            FileSystemLoader(HERE / "templates"),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    from . import formatting

    formatting.register(env)
    return Jinja2Templates(env=env)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    templates = request.app.state.templates
    context.setdefault("title", "carescale")
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def error_page(request: Request, status: int, messages: list[str] | None = None) -> Response:
    heading, paragraphs = ERROR_TEXT.get(status, ERROR_TEXT[500] if status >= 500 else ERROR_TEXT[404])
    errors = [{"text": m} for m in (messages or [])]
    return render(request, "error.html", status_code=status, title=heading, heading=heading,
                  paragraphs=paragraphs, errors=errors)


@router.get("/", response_class=HTMLResponse)
def start(request: Request) -> HTMLResponse:
    return render(request, "start.html", title="Scale up care that works")
