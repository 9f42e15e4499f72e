"""Shared test helpers: where ../shared is, and a CLI runner."""

from __future__ import annotations

import io
import itertools
import json
import os
import re
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Iterator

import pytest

# pytest rewrites each test module's asserts and caches the result as bytecode beside it, unless
# bytecode is not to be written: this machine sets PYTHONDONTWRITEBYTECODE, so every run (and each
# xdist worker) rewrote 160 modules' 4,900 asserts afresh, 6-8 s of every collection. The cache is
# tests/**/__pycache__ (ignored by git); carescale's own bytecode is compiled by scripts/setup.sh.
sys.dont_write_bytecode = False

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


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):  # pytest-xdist, in the controller
    """``--dist loadgroup`` with a module as the unit of work for tests without an ``xdist_group``.

    loadgroup makes every ungrouped test a unit of its own, so the two workers shared out the tests
    of most modules and each built the module's fixtures (an app with its store, accounts and
    plans: 1-5 s each). Here a module's ungrouped tests go to one worker, a group's tests (the
    browser tests, the exhaustive search) still to one worker; the groups and the modules with a
    slow test are handed out first, then the rest largest first, so small modules even out the end."""
    if config.getoption("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    root = Path(str(config.rootpath))

    def first(unit: tuple[str, dict]) -> tuple[bool, int]:
        # a group, or a module with a slow test (the goldens: 75 s), before the rest, then the most
        # tests first: a long one started last would be the run's tail while the other worker waits
        scope, tests = unit
        path = root / scope
        heavy = not scope.endswith(".py") or (path.is_file() and "mark.slow" in path.read_text(encoding="utf-8"))
        return (not heavy, -len(tests))

    class ModuleOrGroupScheduling(LoadGroupScheduling):
        ordered = False

        def _split_scope(self, nodeid: str) -> str:
            group = super()._split_scope(nodeid)
            return group if group != nodeid else nodeid.split("::", 1)[0]

        def _assign_work_unit(self, node) -> None:
            if not self.ordered:  # the first assignment: the whole queue is known
                units = sorted(self.workqueue.items(), key=first)
                self.workqueue.clear()
                self.workqueue.update(units)
                self.ordered = True
            super()._assign_work_unit(node)

        def remove_node(self, node) -> str | None:
            """xdist's own (LoadScopeScheduling.remove_node), but the test a crashed worker was
            running (pytest-timeout's ten minutes, pyproject ``timeout``) is reported failed once
            and not handed to the next worker with the rest of its unfinished tests: xdist's put it
            back in the queue, so one test that hangs crashed every worker started after it."""
            workload = self.assigned_work.pop(node)
            crashitem = next((nodeid for unit in workload.values() for nodeid, done in unit.items() if not done), None)
            if crashitem is None:
                return None
            for unit in workload.values():
                if crashitem in unit:
                    unit[crashitem] = True
            self.workqueue.update((scope, unit) for scope, unit in workload.items() if not all(unit.values()))
            for other in self.assigned_work:
                self._reschedule(other)
            return crashitem

    return ModuleOrGroupScheduling(config, log)


def pytest_configure(config):
    terminal = getattr(config, "workerinput", {}).get("carescale_terminal")
    for key, value in (terminal or {}).items():  # only in an xdist worker
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


# A module whose `pytestmark` names a marker the run's -m leaves out is not even imported: the
# everyday run (-m "not browser and not slow") used to import and collect the API contract module
# (schemathesis builds its 53 operations' cases at collection: 6 s) and the browser modules, only to
# deselect every test in them.
MODULE_MARKS = re.compile(r"^pytestmark\s*=\s*(.+)$", re.M)
MARK_NAME = re.compile(r"pytest\.mark\.([A-Za-z_]\w*)")
EXPR_NAME = re.compile(r"\b(?!(?:and|or|not)\b)[A-Za-z_]\w*\b")


def pytest_ignore_collect(collection_path: Path, config):
    markexpr = config.option.markexpr
    if not markexpr or "(" in markexpr or collection_path.suffix != ".py" or not collection_path.name.startswith("test_"):
        return None
    found = MODULE_MARKS.search(collection_path.read_text(encoding="utf-8"))
    marks = set(MARK_NAME.findall(found.group(1))) if found else set()
    if not marks:
        return None
    from _pytest.mark.expression import Expression

    expr = Expression.compile(markexpr)
    others = sorted(set(EXPR_NAME.findall(markexpr)) - marks)
    # ignored only if no test in the module could be selected, whatever other markers it carries
    for values in itertools.product((False, True), repeat=len(others)):
        chosen = marks | {name for name, on in zip(others, values) if on}
        if expr.evaluate(lambda name, **kwargs: name in chosen):
            return None
    return True


@pytest.fixture(scope="session", autouse=True)
def _quick_password_hashes():
    """Passwords hashed with argon2id at its cheapest cost (8 KiB, one pass) in tests: RFC 9106's
    cost, which carescale uses, is 0.12-0.16 s and 0.19 s of CPU a hash or check here, and the
    sign-in tests make hundreds. The tests of the cost itself, and of sign-in timing, use the
    fixture ``real_password_cost``."""
    from argon2 import PasswordHasher

    from carescale.accounts import passwords

    saved = passwords._hasher, passwords._dummy
    passwords._hasher, passwords._dummy = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1), None
    yield
    passwords._hasher, passwords._dummy = saved


def _context_key(value, keep: list):
    """A hashable stand-in for a FastAPI include context's field: equal for equal settings;
    objects without a value of their own (routers, dependencies) by identity, kept alive."""
    import dataclasses

    from fastapi.datastructures import DefaultPlaceholder

    if value is None or isinstance(value, (str, int, float, bool, type)):
        return value
    if isinstance(value, DefaultPlaceholder):
        return ("default", _context_key(value.value, keep))
    if isinstance(value, (list, tuple)):
        return tuple(_context_key(v, keep) for v in value)
    if isinstance(value, dict):
        return tuple(sorted(((repr(k), _context_key(v, keep)) for k, v in value.items()), key=lambda kv: kv[0]))
    if dataclasses.is_dataclass(value):
        return (type(value),) + tuple(_context_key(getattr(value, f.name), keep) for f in dataclasses.fields(value))
    keep.append(value)
    return ("id", id(value))


@pytest.fixture(scope="session", autouse=True)
def _routes_built_once():
    """Each app's routes built once for the run, not once for every app the tests make.

    FastAPI 0.165 builds an included router's routes (their parameters' pydantic adapters and
    dependants) lazily, afresh for each app, on the app's first request: about 0.1-0.25 s an app,
    and the tests make over a hundred apps (carescale serves one), which was a fifth of the
    everyday run's CPU. carescale's apps include the same module-level routers with the same
    settings, so the built route (``_EffectiveRouteContext``) of the first app is reused by the
    next; the key is the route and its include settings, everything but the app itself, which
    the built route consults only for ``dependency_overrides`` (carescale sets none: an app with
    any is built as usual). Without the private method (another FastAPI) nothing is changed."""
    import dataclasses

    from fastapi import routing

    included = getattr(routing, "_IncludedRouter", None)
    build = getattr(included, "_build_effective_context", None)
    fields = {f.name for f in dataclasses.fields(getattr(routing, "_RouterIncludeContext", object))} \
        if dataclasses.is_dataclass(getattr(routing, "_RouterIncludeContext", None)) else set()
    if build is None or "dependency_overrides_provider" not in fields:
        yield
        return
    built: dict = {}
    keep: list = []

    def shared(self, route):
        provider = self.include_context.dependency_overrides_provider
        if getattr(provider, "dependency_overrides", None):
            return build(self, route)
        key = (id(route), _context_key(dataclasses.replace(self.include_context, dependency_overrides_provider=None), keep))
        if key not in built:
            built[key] = (route, build(self, route))
        return built[key][1]

    included._build_effective_context = shared
    yield
    included._build_effective_context = build


@pytest.fixture
def real_password_cost(monkeypatch):
    """carescale's own argon2 cost for this test (the session's cheap hasher is put back after)."""
    from carescale.accounts import passwords

    monkeypatch.setattr(passwords, "_hasher", None)
    monkeypatch.setattr(passwords, "_dummy", None)
    assert passwords.hasher().memory_cost == 65536  # the one carescale builds, not the tests' own


@pytest.fixture(scope="session")
def _shared_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("carescale-cache")


@pytest.fixture(scope="session")
def _homes(tmp_path_factory) -> Iterator[Path]:
    """Numbered folders for the tests' homes: ``tmp_path_factory.mktemp`` lists the run's whole
    temporary folder to number each new one (quadratic in the tests a worker runs: 3 s of CPU for
    1,500 tests), so the homes are numbered here, in a folder of their own."""
    base = tmp_path_factory.mktemp("carescale-homes")
    return (base / str(n) for n in itertools.count())


@pytest.fixture(autouse=True)
def _isolated_user_home(_homes, monkeypatch, _shared_cache):
    """Tests never see the developer's own saved area profiles: CARESCALE_HOME points at an
    empty temporary folder (tests that save profiles set their own). The library cache keys on
    the saved files, so the packaged library is loaded once for the whole run.

    Its ``cache`` folder is one for the whole run (a link to it): the on-disk cache's entries are
    named by their content (carescale.cache), so sharing them changes no answer, and a fresh cache
    in every test had each new process (web jobs, served apps) parse the library, the councils'
    figures and the official files again. Tests of the cache itself set a CARESCALE_HOME of their own."""
    home = next(_homes)
    home.mkdir()
    (home / "cache").symlink_to(_shared_cache, target_is_directory=True)
    monkeypatch.setenv("CARESCALE_HOME", str(home))


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


def run_probe(code: str, env: dict[str, str] | None = None) -> str:
    """Run ``code`` in a fresh Python (what a new ``carescale`` process loads, not what this test
    process has loaded already) and return what it printed; the test fails with the child's
    stderr if it fails."""
    import subprocess

    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def probe_json(code: str, env: dict[str, str] | None = None):
    """:func:`run_probe`'s last printed line, read as JSON."""
    return json.loads(run_probe(code, env).strip().splitlines()[-1])


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
