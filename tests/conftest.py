"""Shared test helpers: where ../shared is, and a CLI runner."""

from __future__ import annotations

import io
import json
import os
import re
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# ../shared beside the clone; CARESCALE_SHARED points elsewhere (a git worktree has none beside it)
SHARED = Path(os.environ.get("CARESCALE_SHARED") or REPO.parent / "shared")
SEEDS = SHARED / "seeds"
RAW = SHARED / "data" / "raw"
INVALID = Path(__file__).parent / "invalid_inputs"


# Terminal size as the run was started with: pytest-xdist's worker processes find COLUMNS=80 and
# LINES=24 in their environment although the controller has none, and the CLI's tables follow
# COLUMNS (carescale.safe_text.output_width), so a table test would see 80 columns under -n and
# 160 (a pipe's width) in a serial run. The controller passes its own values; each worker uses them.
TERMINAL_VARS = ("COLUMNS", "LINES")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):  # pytest-xdist, in the controller
    node.workerinput["carescale_terminal"] = {k: os.environ.get(k) for k in TERMINAL_VARS}


def pytest_configure(config):
    terminal = getattr(config, "workerinput", {}).get("carescale_terminal")
    for key, value in (terminal or {}).items():  # only in an xdist worker
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(autouse=True)
def _isolated_user_home(tmp_path_factory, monkeypatch):
    """Tests never see the developer's own saved area profiles: CARESCALE_HOME points at an
    empty temporary folder (tests that save profiles set their own). The library cache keys on
    the saved files, so the packaged library is loaded once for the whole run."""
    monkeypatch.setenv("CARESCALE_HOME", str(tmp_path_factory.mktemp("carescale-home")))


def needs_shared(path: Path) -> None:
    """Skip (with the reason) when ../shared is not beside this clone; CI always has it."""
    if not path.exists():
        pytest.skip(f"{path} is absent: this clone has no ../shared beside it (CI always does)")


@pytest.fixture
def seeds_dir() -> Path:
    needs_shared(SEEDS)
    return SEEDS


@pytest.fixture
def raw_dir() -> Path:
    needs_shared(RAW)
    return RAW


def normalise(text: str) -> str:
    """Fold white space and typographic quotes/dashes so quotes match the seed text."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("**", "")
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\xa0", " ")
    return re.sub(r"\s+", " ", text).strip()


class CliResult:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    def json(self):
        return json.loads(self.out)


def run_cli(*args: str) -> CliResult:
    """Run the carescale CLI in-process, as a user would type it."""
    from carescale.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return CliResult(code, out.getvalue(), err.getvalue())


def require_tool(available: bool, what: str) -> None:
    """Skip a test whose outside tool (Chromium, LibreOffice, PostgreSQL, poppler ...) is absent,
    with the reason. In CI (.ci/run sets CARESCALE_REQUIRE_TOOLS=1) installing it is part of the
    job, so a missing tool fails the test instead of skipping it quietly."""
    import os

    if available:
        return
    if os.environ.get("CARESCALE_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{what} is required in CI (CARESCALE_REQUIRE_TOOLS=1) but is not available")
    pytest.skip(f"{what} is not available on this machine (bash scripts/system-deps.sh installs it)")
