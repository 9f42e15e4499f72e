"""Issue 20: the layered layout changes no output. What carescale printed and served for four
scenarios just before the change (tests/goldens/README.md) is captured again now and compared:
CLI JSON and CSV byte for byte, pages, PDF text and workbook cells equal."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.goldens import compare

# about 80 s (four scenarios captured afresh, a PDF and workbooks among them): CI, not everyday
pytestmark = pytest.mark.slow

GOLDENS = Path(__file__).parent / "goldens"


def test_outputs_equal_those_before_the_layout_change(tmp_path: Path) -> None:
    before, after = tmp_path / "before", tmp_path / "after"
    with tarfile.open(GOLDENS / "before-issue-20.tar.gz") as tar:
        tar.extractall(before, filter="data")
    got = subprocess.run([sys.executable, str(GOLDENS / "capture.py"), "--draws", "1000", str(after)],
                         capture_output=True, text=True)
    assert got.returncode == 0, got.stdout[-2000:] + got.stderr[-2000:]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        problems = compare.compare(before, after, allow=set(), show=10)
    report = "\n".join(line for line in out.getvalue().splitlines() if not line.startswith("same "))
    assert problems == 0, report
    assert "all outputs equal" in out.getvalue()
