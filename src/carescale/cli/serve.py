"""`carescale serve`: the web app and JSON API (docs/web.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..errors import CarescaleError
from .common import app

# -- serve (docs/web.md) -----------------------------------------------------------------------


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (127.0.0.1: this computer only)."),
    port: int = typer.Option(8000, "--port", help="Port to listen on, 1 to 65535."),
    mye: Optional[Path] = typer.Option(None, "--mye", help="Also offer every English council: ONS mid-year estimates workbook (with --ascof)."),
    ascof: Optional[Path] = typer.Option(None, "--ascof", help="NHS Digital ASCOF open data (with --mye)."),
) -> None:
    """Start the web app on the Birmingham default and print the address to open."""
    if not 1 <= port <= 65535:
        raise CarescaleError(f"--port: {port} is not valid; give a port from 1 to 65535")
    if (mye is None) != (ascof is None):
        raise CarescaleError("--mye/--ascof: give both files to offer every English council, or neither")
    from ..web.security import configured_public_url, started_url

    public = configured_public_url()  # CARESCALE_PUBLIC_URL, checked before anything starts (one line if bad)
    import socket

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.bind((host, port))
    except OSError as exc:
        raise CarescaleError(f"--port: cannot listen on {host}:{port} ({exc.strerror}); is carescale already running? try --port {port + 1}") from None

    import uvicorn

    from ..web.app import create_app
    from ..web.national import load_national

    national = load_national(mye, ascof) if mye and ascof else None
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    web = create_app(national=national)
    web.state.public_url = public or started_url(host, port)  # share links and the CSRF check use this, never Host
    typer.echo(f"carescale is running: open {url} in your browser (Birmingham is the default area). Press Ctrl+C to stop.")
    uvicorn.run(web, host=host, port=port, log_level="warning")
