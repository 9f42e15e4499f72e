"""A command's tables kept as the text rich wrote (``carescale.cli.rendered``, issue 25): a kept
text is byte for byte what rich writes afresh, at every width and with and without colour, and
anything that changes the text (a figure, a line, the width, colours, the terminal) names
another entry."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest

from carescale.cli import rendered
from carescale.config import RICH_VARIABLES
from tests.conftest import probe_json, run_cli

#: plain; colours as a terminal of 8, 256 and millions of colours would get; colours asked for and refused
TERMINALS = {
    "plain": {},
    "colour": {"FORCE_COLOR": "1", "TERM": "xterm"},
    "256": {"FORCE_COLOR": "1", "TERM": "xterm-256color"},
    "truecolor": {"FORCE_COLOR": "1", "COLORTERM": "truecolor"},
    "no colour": {"FORCE_COLOR": "1", "NO_COLOR": "1"},
}


def _clear_terminal(monkeypatch) -> None:
    for name in RICH_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def _run(monkeypatch, env: dict[str, str], *args: str, kept: bool = True) -> str:
    with monkeypatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        if not kept:
            mp.setenv("CARESCALE_NO_CACHE", "1")
        got = run_cli("run", "--area", "birmingham", *args)
    assert got.code == 0, got.err
    return got.out


def _no_rich_layout(monkeypatch) -> None:
    """Laying anything out with rich fails the test: the text must come from the kept entry."""
    from rich.console import Console

    def refuse(*args, **kwargs):
        raise AssertionError("rich laid the tables out again")

    monkeypatch.setattr(Console, "print", refuse)


#: every width in plain text and in colours; the other terminals at one width
CASES = [(w, t) for t in ("plain", "256") for w in (60, 80, 100, 120, 160, 200)] + [(80, t) for t in ("colour", "truecolor", "no colour")]


@pytest.mark.parametrize(("width", "terminal"), CASES)
def test_the_kept_text_is_what_rich_writes_afresh(monkeypatch, width, terminal):
    _clear_terminal(monkeypatch)
    env = {"COLUMNS": str(width), **TERMINALS[terminal]}
    fresh = _run(monkeypatch, env, kept=False)
    first = _run(monkeypatch, env)  # laid out and kept (or kept already by an earlier test: the same text)
    with monkeypatch.context() as mp:
        _no_rich_layout(mp)
        again = _run(monkeypatch, env)
    assert first == fresh and again == fresh
    assert ("\x1b[1m" in fresh) == (terminal != "plain")  # styles (bold, italic) on a terminal
    assert max(len(re.sub(r"\x1b\[[0-9;]*m", "", line)) for line in fresh.splitlines()) <= width


def test_a_changed_figure_or_width_prints_its_own_text(monkeypatch):
    _clear_terminal(monkeypatch)
    env = {"COLUMNS": "120"}
    base = _run(monkeypatch, env)
    changed = ["--set", "living-well.older-people-multiple-ltc.people=2000"]
    fresh = _run(monkeypatch, env, *changed, kept=False)
    assert fresh != base
    assert _run(monkeypatch, env, *changed) == fresh
    with monkeypatch.context() as mp:
        _no_rich_layout(mp)
        assert _run(monkeypatch, env, *changed) == fresh
        assert _run(monkeypatch, env) == base
    narrow = _run(monkeypatch, {"COLUMNS": "80"})
    assert narrow != base and narrow == _run(monkeypatch, {"COLUMNS": "80"}, kept=False)


def test_the_key_follows_everything_the_text_depends_on(monkeypatch):
    _clear_terminal(monkeypatch)
    monkeypatch.setenv("COLUMNS", "120")
    data = {"a": [1.0, "x"], "b": {"c": 2}}
    base = rendered.key("run", data)
    assert base is not None and rendered.key("run", {"a": [1.0, "x"], "b": {"c": 2}}) == base
    shared = "x" * 20  # the same values, one object shared or two: the same key
    assert rendered.key("run", [shared, shared]) == rendered.key("run", [shared, "".join(["x"] * 20)])
    others = {
        "a figure": rendered.key("run", {"a": [1.5, "x"], "b": {"c": 2}}),
        "an int for a float": rendered.key("run", {"a": [1, "x"], "b": {"c": 2}}),
        "minus zero": rendered.key("run", {"a": [1.0, "x"], "b": {"c": -0.0}}),
        "another command": rendered.key("appraise", data),
    }
    for name, value in [("COLUMNS", "80"), ("FORCE_COLOR", "1"), ("NO_COLOR", "1"), ("TERM", "xterm-256color"),
                        ("COLORTERM", "truecolor"), ("TTY_COMPATIBLE", "1")]:
        with monkeypatch.context() as mp:
            mp.setenv(name, value)
            others[name] = rendered.key("run", data)
    with monkeypatch.context() as mp:
        mp.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="latin-1"))
        others["another encoding"] = rendered.key("run", data)
    assert len(set(others.values()) | {base}) == len(others) + 1, others
    assert rendered.key("run", [lambda: 1]) is None  # not plain data: nothing kept


def test_a_kept_run_imports_no_rich_tables(tmp_path):
    """Once kept, ``carescale run`` writes its tables without importing rich's console or tables."""
    probe = ("import contextlib, io, json, sys\n"
             "from carescale.cli import main\n"
             "out = io.TextIOWrapper(io.BytesIO(), encoding='utf-8')\n"
             "with contextlib.redirect_stdout(out):\n"
             "    code = main(['run', '--area', 'birmingham'])\n"
             "out.flush()\n"
             "print(json.dumps({'code': code, 'out': out.buffer.getvalue().decode(),\n"
             "                  'rich': sorted(m for m in ('rich.console', 'rich.table') if m in sys.modules)}))\n")
    got = []
    for _ in range(2):
        got.append(probe_json(probe))
    assert got[0]["code"] == got[1]["code"] == 0
    assert got[1]["out"] == got[0]["out"] and "From the evidence to the headlines" in got[1]["out"]
    assert got[1]["rich"] == []


def test_rich_reads_no_other_environment_variable():
    """The key names every variable rich reads (``config.RICH_VARIABLES``): a rich that reads a new
    one fails here, and the variable goes into the key."""
    import rich

    names = set()
    for path in Path(rich.__file__).parent.glob("*.py"):
        if path.name.startswith("_win") or path.name in ("diagnose.py",):
            continue  # Windows' legacy console (never kept) and rich's own report of its setup
        names |= set(re.findall(r"""(?:environ\.get|getenv)\(\s*["']([A-Z_]+)["']""", path.read_text(encoding="utf-8")))
    assert names and names <= set(RICH_VARIABLES), sorted(names - set(RICH_VARIABLES))
