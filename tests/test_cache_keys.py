"""The disk cache's keys of the files every start reads (issue 25: ``carescale.cache.stat_key``
reads each file's size, inode and times instead of hashing its bytes) never serve a stale entry:
an edited file gives a new key and the new answer, however quickly it was edited and even with
its old modification time put back."""

from __future__ import annotations

import os
import time

import pytest

from carescale import cache
from carescale.library.social import PACKAGED, social_values


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    """A cache of their own, not the run's shared one (conftest)."""
    monkeypatch.setenv("CARESCALE_HOME", str(tmp_path / "own-home"))


def wellby(path) -> float:
    return social_values.__wrapped__(path).values["wellby"].value  # past the in-process cache


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text and len(old) == len(new)  # the same size: only the bytes differ
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_edited_data_file_changes_the_answer_at_once(tmp_path):
    p = tmp_path / "social_values.yaml"
    p.write_bytes(PACKAGED.read_bytes())
    assert wellby(p) == 13000
    assert wellby(p) == 13000  # from the cache now
    edit(p, "value: 13000", "value: 14000")  # within the same tick of the clock, the same size
    assert wellby(p) == 14000
    edit(p, "value: 14000", "value: 15000")
    assert wellby(p) == 15000
    assert len(list((cache.cache_dir() / "social-values").glob("*.pickle"))) == 3


def test_an_edit_that_puts_the_old_time_back_changes_the_key(tmp_path, monkeypatch):
    """Even if the bytes of recent files were not hashed, the change time (set by the system on
    every write, and not settable) tells an edit from the file it replaced."""
    monkeypatch.setattr(cache, "RECENT_NS", 0)  # keys by the times alone
    p = tmp_path / "social_values.yaml"
    p.write_bytes(PACKAGED.read_bytes())
    st = os.stat(p)
    before = cache.stat_key([p], "x")
    assert cache.stat_key([p], "x") == before  # nothing changed: the same key
    time.sleep(0.05)  # past a tick of the file system's clock, so the change time moves
    edit(p, "value: 13000", "value: 14000")
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))  # the old modification time put back
    assert os.stat(p).st_mtime_ns == st.st_mtime_ns and os.stat(p).st_size == st.st_size
    assert cache.stat_key([p], "x") != before
    assert wellby(p) == 14000


def test_a_recent_file_is_keyed_by_its_bytes(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("one")
    first = cache.file_signature(p)
    p.write_text("two")
    os.utime(p, ns=(os.stat(p).st_atime_ns, int(first.split("\0")[4])))
    assert cache.file_signature(p) != first  # the bytes, if the times were the same
    assert cache.stat_key([p], "a") != cache.stat_key([p], "b")  # and the parts


def test_a_missing_file_has_no_key(tmp_path):
    with pytest.raises(OSError):
        cache.stat_key([tmp_path / "gone.yaml"])


def test_the_code_fingerprint_is_stable_in_a_process_and_names_the_sources():
    assert cache.code_fingerprint() == cache.code_fingerprint.__wrapped__()
    assert len(cache.code_fingerprint()) == 64
