"""Code Python writes at start-up, compiled once per machine (``carescale.cli.codecache``, issue
25): the kept code objects are the ones ``compile`` makes, dataclasses and string annotations
made through them behave the same, and ``carescale run`` reads them on its next start."""

from __future__ import annotations

import dataclasses
import marshal
import os
import subprocess
import sys
import typing
from pathlib import Path

import pytest

from carescale.cli import codecache


@pytest.fixture
def installed(tmp_path, monkeypatch):
    monkeypatch.setenv("CARESCALE_HOME", str(tmp_path))
    for name in ("_kept", "_made"):
        monkeypatch.setattr(codecache, name, {})
    monkeypatch.setattr(codecache, "_fresh", False)
    monkeypatch.setattr(codecache, "_loaded", False)
    codecache.install()
    try:
        yield tmp_path
    finally:
        codecache.uninstall()


def test_kept_code_is_what_compile_makes(installed):
    made = []
    for _ in range(2):  # compiled afresh, then kept
        @dataclasses.dataclass(frozen=True, order=True)
        class Point:
            x: int
            y: "list[str]" = dataclasses.field(default_factory=list)

        made.append(Point)
        assert Point(1) == Point(1, []) and Point(1) < Point(2) and repr(Point(1, ["a"])) == "test_kept_code_is_what_compile_makes.<locals>.Point(x=1, y=['a'])"
        with pytest.raises(dataclasses.FrozenInstanceError):
            Point(1).x = 2
    assert made[0].__init__.__code__ is made[1].__init__.__code__  # the second class: the kept code
    assert typing.get_type_hints(made[1]) == {"x": int, "y": list[str]}
    assert codecache._made
    for (mode, source), code in codecache._made.items():
        assert code == compile(source, "<string>", mode, dont_inherit=True)  # code objects compare by content
    codecache.save()
    path = codecache._path()
    assert path.is_file() and path.is_relative_to(installed)
    kept = marshal.loads(path.read_bytes())
    assert set(kept) == set(codecache._made)
    assert all(marshal.loads(kept[k]) == code for k, code in codecache._made.items())


def test_no_cache_compiles_as_before(tmp_path, monkeypatch):
    monkeypatch.setenv("CARESCALE_HOME", str(tmp_path))
    monkeypatch.setenv("CARESCALE_NO_CACHE", "1")
    codecache.install()
    try:
        assert "exec" not in vars(dataclasses) and "compile" not in vars(typing)
    finally:
        codecache.uninstall()


def test_a_second_run_compiles_nothing_and_prints_the_same(tmp_path):
    env = {**os.environ, "CARESCALE_HOME": str(tmp_path), "COLUMNS": "100"}
    exe = str(Path(sys.executable).with_name("carescale"))
    outs, stamps = [], []
    for _ in range(2):
        proc = subprocess.run([exe, "run", "--area", "birmingham"], capture_output=True, text=True, env=env)
        assert proc.returncode == 0, proc.stderr
        outs.append(proc.stdout)
        files = list((tmp_path / "cache" / "code").glob("*.marshal"))
        assert len(files) == 1
        stamps.append(files[0].stat().st_mtime_ns)
    fresh = subprocess.run([exe, "run", "--area", "birmingham"], capture_output=True, text=True,
                           env={**env, "CARESCALE_NO_CACHE": "1"})
    assert outs[0] == outs[1] == fresh.stdout
    assert stamps[0] == stamps[1]  # nothing new to keep: not written again
    assert len(marshal.loads(files[0].read_bytes())) > 300
