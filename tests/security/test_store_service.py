"""Store and service (issue 19, docs/security.md): a store carescale cannot use is one line on the
CLI (exit 2) and a clean 503 on the web, never a traceback and never half-written; the server
restarts at once on its port after a crash.

- a database at a schema revision this carescale does not know (tests/invalid_inputs/store/);
- a read-only database and a full disk during a save, on a real tmpfs mounted for the test (root
  only: skipped locally with the reason, a failure in CI, ``require_tool``);
- a PostgreSQL URL pointing at a closed port;
- ``carescale serve`` killed with a client connected, started again on the same port at once.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from carescale.errors import StoreError, StoreUnavailableError
from carescale.store import core
from tests.conftest import INVALID, REPO, require_tool, run_cli

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from carescale.web.app import create_app  # noqa: E402
from carescale.web.storage import DatabaseScenarioStore  # noqa: E402
from ..web_helpers import post_form

STORE_INVALID = INVALID / "store"
PLAN = REPO / "docs" / "examples" / "falls-prevention-plan.yaml"
CARESCALE = Path(sys.executable).with_name("carescale")
DOC = {"version": 1, "area": "birmingham", "basis": "potential"}
UNKNOWN_SID = "ab" * 32
PAGE_HEADING = "Sorry, the service is unavailable"


@pytest.fixture(autouse=True)
def _fresh_engines():
    """Every test opens its own databases: no engine cached from another test (or left open
    on a file system a test unmounts)."""
    core.close_all()
    yield
    core.close_all()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _web(url: str) -> TestClient:
    return TestClient(create_app(DatabaseScenarioStore(url)), raise_server_exceptions=False, headers={"Origin": "http://testserver"})


def _assert_503(client: TestClient, public: str, secret: str | None = None) -> None:
    """The API answers 503 with one JSON line; the pages a 503 error page; nothing names the
    database (nor its password)."""
    for method, path in (("post", "/api/v1/scenarios"), ("get", f"/api/v1/scenarios/{UNKNOWN_SID}")):
        got = client.post(path, json=DOC) if method == "post" else client.get(path)
        assert got.status_code == 503, (path, got.text)
        assert got.json() == {"detail": public}
        assert got.headers["retry-after"] == "60"
    read = client.get(f"/scenario/{UNKNOWN_SID}")  # a page that reads the store
    saved = post_form(client, "/area", {"area": "birmingham"}, follow_redirects=False)  # one that writes
    for page in (read, saved):
        assert page.status_code == 503
        assert PAGE_HEADING in page.text and public in page.text
        assert "Traceback" not in page.text and "sqlite" not in page.text.lower() and "postgresql" not in page.text.lower()
        if secret:
            assert secret not in page.text


# -- a schema revision this carescale does not know --------------------------------------------------


def _future_store(tmp_path: Path) -> str:
    path = tmp_path / "newer.db"
    with sqlite3.connect(path) as conn:
        conn.executescript((STORE_INVALID / "future_revision.sql").read_text(encoding="utf-8"))
    return f"sqlite:///{path}"


def test_unknown_revision_is_one_line_on_every_store_command(tmp_path, monkeypatch):
    url = _future_store(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    from importlib.metadata import version

    expected = (
        f"error: store: {url} is at schema revision '0002_from_a_newer_carescale', which this carescale "
        f"(version {version('carescale')}) does not know (it knows '0001', '0002', '0003', '0004', '0005', '0006', '0007'); the database was probably "
        "written by a newer carescale: upgrade carescale, or set DATABASE_URL to another database"
    )
    for args in (
        ["plans", "list"],
        ["plans", "create", str(PLAN)],
        ["plans", "show", "falls-birmingham"],
        ["reviews", "add", "falls-birmingham", "--period-end", "2027-06-30", "--people", "95", "--spent", "1"],
        ["reviews", "list", "falls-birmingham"],
    ):
        got = run_cli(*args)
        assert (got.code, got.err.strip(), got.out) == (2, expected, ""), args
    # nothing was migrated or written: the newer carescale still finds its own revision
    with sqlite3.connect(tmp_path / "newer.db") as conn:
        assert conn.execute("select version_num from alembic_version").fetchall() == [("0002_from_a_newer_carescale",)]
        assert conn.execute("select count(*) from plans").fetchone() == (0,)


def test_unknown_revision_on_the_web_is_a_clean_503(tmp_path):
    with _web(_future_store(tmp_path)) as client:
        _assert_503(client, "the database was written by a newer version of carescale than this server runs")


def test_a_known_older_revision_is_still_migrated(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    core.migrate(core.make_engine(url), "0001")
    assert core.open_store(url).plan_ids() == []
    assert core.current_revision(core.open_store(url).engine) == core.head_revision()


# -- database unreachable ------------------------------------------------------------------------------


def test_unreachable_postgresql_is_one_line_and_503(monkeypatch):
    pytest.importorskip("psycopg")
    port = _free_port()  # nothing listens there
    url = f"postgresql+psycopg://carescale:secret-pw@127.0.0.1:{port}/carescale"
    monkeypatch.setenv("DATABASE_URL", url)
    started = time.monotonic()
    got = run_cli("plans", "list")
    assert got.code == 2 and got.out == ""
    assert got.err.strip() == (
        f"error: store: cannot reach postgresql+psycopg://carescale:***@127.0.0.1:{port}/carescale "
        f'(connection failed: connection to server at "127.0.0.1", port {port} failed: Connection refused): '
        "check that the database server is running and that DATABASE_URL is right"
    )
    with _web(url) as client:
        _assert_503(client, "the database cannot be reached just now; try again later", secret="secret-pw")
    assert time.monotonic() - started < 30


# -- read-only database and full disk (a real tmpfs) ---------------------------------------------------------


def _mount_tmpfs(where: Path, size: str) -> None:
    where.mkdir()
    ok = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True
    ).returncode == 0
    require_tool(ok, "mounting a tmpfs (root and the mount command) for the full-disk and read-only tests")


@pytest.fixture
def tiny_disk(tmp_path):
    disk = tmp_path / "disk"
    _mount_tmpfs(disk, "2m")
    yield disk
    core.close_all()
    subprocess.run(["umount", "-l", str(disk)], check=True)


def _fill(disk: Path) -> Path:
    """Fill the file system up to its last byte."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as f:
        for size in (65536, 4096, 1):
            try:
                while True:
                    f.write(b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    return filler


class BigDoc:
    """A scenario document with a long note: larger than the space left."""

    def __init__(self, note: str):
        self._text = core.canonical_json({**DOC, "note": note})
        self.scenario_id = core.content_hash(self._text)

    def canonical_json(self) -> str:
        return self._text


def test_full_disk_during_a_save_is_one_line_and_nothing_half_written(tiny_disk, monkeypatch):
    url = f"sqlite:///{tiny_disk / 'store.db'}"
    small = BigDoc("small")
    assert core.open_store(url).save_scenario_document(small) == small.scenario_id
    filler = _fill(tiny_disk)
    big = BigDoc("x" * 300_000)
    full = (
        f"store: the disk holding {url} is full (database or disk is full); nothing was saved: "
        "free some space and try again"
    )
    with pytest.raises(StoreUnavailableError) as err:
        core.open_store(url).save_scenario_document(big)
    assert err.value.message == full
    monkeypatch.setenv("DATABASE_URL", url)
    got = run_cli("plans", "create", str(PLAN), "--by", "A. Planner")
    assert (got.code, got.err.strip()) == (2, f"error: {full}")
    with TestClient(create_app(DatabaseScenarioStore(url)), raise_server_exceptions=False, headers={"Origin": "http://testserver"}) as client:
        got = client.post("/api/v1/scenarios", json={**DOC, "note": "y" * 300_000})
        assert (got.status_code, got.json()) == (503, {"detail": "the database's disk is full; nothing was saved; try again later"})
    # space again: nothing of the failed saves is there, the earlier record is intact, saving works
    filler.unlink()
    core.close_all()
    store = core.open_store(url)
    with pytest.raises(StoreError, match="not found in the store"):
        store.load_scenario_json(big.scenario_id)
    assert store.plan_ids() == []
    assert json.loads(store.load_scenario_json(small.scenario_id))["note"] == "small"
    with sqlite3.connect(tiny_disk / "store.db") as conn:
        assert conn.execute("pragma integrity_check").fetchall() == [("ok",)]
    assert store.save_scenario_document(big) == big.scenario_id


def test_read_only_database_is_one_line_and_503(tiny_disk, monkeypatch):
    url = f"sqlite:///{tiny_disk / 'store.db'}"
    sid = core.open_store(url).save_scenario_document(BigDoc("kept"))
    core.close_all()
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_disk)], check=True)
    monkeypatch.setenv("DATABASE_URL", url)
    for args in (["plans", "list"], ["plans", "create", str(PLAN)]):
        got = run_cli(*args)
        assert (got.code, got.out) == (2, "")
        assert got.err.strip() == (
            f"error: store: {url} is read-only (unable to open database file); nothing was saved: make the "
            "database file and its folder writable by the user running carescale, or set DATABASE_URL to a "
            "writable database"
        )
    with _web(url) as client:
        _assert_503(client, "the database is read-only just now; nothing was saved")
        assert client.get(f"/scenario/{sid}").status_code == 503
    subprocess.run(["mount", "-o", "remount,rw", str(tiny_disk)], check=True)
    core.close_all()
    assert json.loads(core.open_store(url).load_scenario_json(sid))["note"] == "kept"


# -- the server restarts at once on its port after a crash ------------------------------------------------------


def _serve(port: int, home: Path) -> subprocess.Popen:
    env = {**os.environ, "CARESCALE_HOME": str(home)}
    env.pop("DATABASE_URL", None)
    return subprocess.Popen([str(CARESCALE), "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _connect(port: int, within: float = 30) -> socket.socket:
    end = time.monotonic() + within
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=5)
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.05)


def _get(conn: socket.socket) -> bytes:
    conn.sendall(b"GET /privacy HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n")
    return conn.recv(65536)


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
def test_server_restarts_at_once_after_a_crash_with_a_client_connected(tmp_path):
    port = _free_port()
    first = _serve(port, tmp_path)
    second = None
    client = None
    try:
        assert first.stdout.readline().startswith("carescale is running")
        client = _connect(port)
        assert _get(client).startswith(b"HTTP/1.1 200")  # a keep-alive connection, still open
        first.kill()  # a crash: the kernel closes the server's side, which waits in TIME_WAIT
        first.wait(timeout=10)
        started = time.monotonic()
        second = _serve(port, tmp_path)
        line = second.stdout.readline().strip()
        assert line.startswith(f"carescale is running: open http://127.0.0.1:{port}/"), second.stderr.read()
        with _connect(port) as again:
            assert _get(again).startswith(b"HTTP/1.1 200")
        assert time.monotonic() - started < 20
    finally:
        if client is not None:
            client.close()
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)


def test_a_port_another_server_listens_on_is_still_refused():
    """SO_REUSEADDR does not let two servers share a port (Linux refuses a listening port)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        got = run_cli("serve", "--port", str(port))
    assert got.code == 2
    assert got.err.strip() == (
        f"error: --port: cannot listen on 127.0.0.1:{port} (Address already in use); "
        f"is carescale already running? try --port {port + 1}"
    )
