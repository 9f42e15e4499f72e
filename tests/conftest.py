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
