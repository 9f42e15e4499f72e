"""The official data files in ../shared/data for the reader tests (issue 22), and the fixtures
of tests/invalid_inputs/official (built by its make.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import INVALID, SHARED

DATA = SHARED / "data"
FIXTURES = INVALID / "official"


def shared_file(*parts: str) -> Path:
    """A file of ../shared/data. Absent: the test skips with the reason here, and fails in CI
    (CARESCALE_REQUIRE_TOOLS=1), where ../shared is always present."""
    path = DATA.joinpath(*parts)
    if path.is_file():
        return path
    why = f"{path} is absent: this clone has no ../shared/data beside it (set CARESCALE_SHARED, or CI has it)"
    if os.environ.get("CARESCALE_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{why}; it is required in CI (CARESCALE_REQUIRE_TOOLS=1)")
    pytest.skip(why)
