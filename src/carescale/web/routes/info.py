"""The information pages: accessibility, privacy, and the JSON API's documentation page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ..templating import render

router = APIRouter(include_in_schema=False)


@router.get("/api/docs", response_class=HTMLResponse)
async def api_docs() -> HTMLResponse:
    """Swagger UI for the JSON API: its script and style from the npm package swagger-ui-dist, copied
    into the app's own static files by scripts/web-assets.sh (no other host), its start-up script our
    own file (no inline script): the page works offline under the same strict CSP as every page."""
    dist = "/static/govuk/swagger"
    return HTMLResponse(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">\n"
        f"<link type=\"text/css\" rel=\"stylesheet\" href=\"{dist}/swagger-ui.css\">\n"
        "<link rel=\"icon\" href=\"/static/carescale-icon.svg\" type=\"image/svg+xml\">\n"
        "<title>carescale JSON API</title>\n</head>\n<body>\n<div id=\"swagger-ui\"></div>\n"
        f"<script src=\"{dist}/swagger-ui-bundle.js\"></script>\n"
        "<script src=\"/static/swagger-init.js\"></script>\n</body>\n</html>\n")


@router.get("/accessibility", response_class=HTMLResponse)
async def accessibility(request: Request) -> HTMLResponse:
    return render(request, "accessibility.html", title="Accessibility statement")


@router.get("/privacy", response_class=HTMLResponse)
async def privacy(request: Request) -> HTMLResponse:
    return render(request, "privacy.html", title="Privacy and cookies")


@router.get("/data", response_class=HTMLResponse)
def data_page(request: Request) -> HTMLResponse:
    """Every official series behind the built-in council profiles: source, table, vintage,
    coverage and licence (the same list as ``carescale data list`` and docs/data.md)."""
    from ...official.councils import ATTRIBUTIONS, series_catalogue
    from ..wording import series_words

    rows = [r | {"name": series_words(r["measure"])} for r in series_catalogue()]
    groups: dict[str, list] = {}
    for r in rows:
        groups.setdefault(r["source"], []).append(r)
    return render(request, "data.html", title="The official data carescale uses", groups=groups,
                  attributions=[ATTRIBUTIONS[g] for g in sorted({r["group"] for r in rows}) if g in ATTRIBUTIONS],
                  series=len(rows))
