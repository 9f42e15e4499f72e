"""`carescale serve`: the web app and JSON API (docs/web.md)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from ..errors import CarescaleError
from ..extras import EXTRAS, require
from .common import app

if TYPE_CHECKING:  # pragma: no cover
    import socket

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
    require(EXTRAS["web"], "web", "carescale serve")
    from ..web.security import configured_public_url, started_url

    public = configured_public_url()  # CARESCALE_PUBLIC_URL, checked before anything starts (one line if bad)
    from ..accounts.oidc import load_providers

    load_providers()  # CARESCALE_OIDC_PROVIDERS (single sign-on), checked before anything starts too
    from ..web.service import warm_up

    warm_up()  # the engine loaded before the port listens, never on the first visitors' requests
    sock = listening_socket(host, port)

    import uvicorn

    from ..web.app import create_app
    from ..web.national import load_national

    try:
        national = load_national(mye, ascof) if mye and ascof else None
        url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
        typer.echo(f"carescale is running: open {url} in your browser (Birmingham is the default area). Press Ctrl+C to stop.")
        web = create_app(national=national, serving=True)
        web.state.public_url = public or started_url(host, port)  # share links and the CSRF check use this, never Host
        config = uvicorn.Config(web, log_level="warning")
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()


def listening_socket(host: str, port: int) -> "socket.socket":
    """The server's socket, bound here (not by uvicorn) so that a port in use is one line.

    ``SO_REUSEADDR`` lets a restarted server listen at once after a crash that left connections
    in TIME_WAIT (without it the port stays refused for a minute); Linux still refuses the port
    while another process listens on it, so two servers never share a port."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
        sock.set_inheritable(True)
    except OSError as exc:
        sock.close()
        raise CarescaleError(
            f"--port: cannot listen on {host}:{port} ({exc.strerror}); is carescale already running? try --port {port + 1}"
        ) from None
    return sock
