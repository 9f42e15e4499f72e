"""`carescale serve`: prints the address to open, serves the app, and refuses bad options in one line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import run_cli

CARESCALE = Path(sys.executable).with_name("carescale")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
def test_serve_prints_the_address_and_serves(tmp_path):
    port = _free_port()
    env = {**os.environ, "CARESCALE_HOME": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen([str(CARESCALE), "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert line == (f"carescale is running: open http://127.0.0.1:{port}/ in your browser "
                        "(Birmingham is the default area). Press Ctrl+C to stop.")
        for _ in range(200):
            try:
                got = httpx.get(f"http://127.0.0.1:{port}/area", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        assert got.status_code == 200
        assert 'value="birmingham" checked' in got.text
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--port", "0"], "error: --port: 0 is not valid; give a port from 1 to 65535"),
        (["--port", "70000"], "error: --port: 70000 is not valid; give a port from 1 to 65535"),
        (["--mye", "x.xls"], "error: --mye/--ascof: give both files to offer every English council, or neither"),
    ],
)
def test_serve_bad_options(args, message):
    got = run_cli("serve", *args)
    assert got.code == 2
    assert got.err.strip() == message
