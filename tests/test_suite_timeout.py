"""The test run never hangs (pyproject: faulthandler_timeout, pytest-timeout with the "thread"
method; tests/conftest.py's scheduler): a test that hangs has every thread's stack printed, is
reported failed once, and the module's other tests and the rest of the run still run on a new
worker. Before, xdist handed the hung test back with the rest of its module, so it crashed
every worker started after it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from .conftest import REPO

pytestmark = pytest.mark.slow  # a run of its own on two workers, with a test that hangs


def test_a_hung_test_is_reported_once_and_the_run_goes_on(tmp_path):
    (tmp_path / "conftest.py").write_text(textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        from tests.conftest import pytest_configure, pytest_configure_node, pytest_xdist_make_scheduler  # noqa: F401
    """))
    (tmp_path / "test_hangs.py").write_text(textwrap.dedent("""
        import time

        def test_before():
            pass

        def test_hangs():
            time.sleep(600)

        def test_after_in_the_same_module():
            pass
    """))
    (tmp_path / "test_other.py").write_text("def test_elsewhere():\n    pass\n")
    got = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "2", "--dist", "loadgroup", "-p", "no:cacheprovider",
         "-c", str(tmp_path / "conftest.py"), "--rootdir", str(tmp_path),
         "-o", "timeout=6", "-o", "timeout_method=thread", "-o", "faulthandler_timeout=3", str(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path)
    out = got.stdout + got.stderr
    assert got.returncode == 1, out
    assert "worker 'gw0' crashed while running 'test_hangs.py::test_hangs'" in out or \
        "worker 'gw1' crashed while running 'test_hangs.py::test_hangs'" in out, out
    assert out.count("\nFAILED ") == 1 and "1 failed, 3 passed" in out, out  # once, and every other test ran
    assert 'test_hangs.py", line 8 in test_hangs' in out, out  # faulthandler: where it waited
