"""carescale's cache of things that are slow to build and fully determined by files: the
packaged library (YAML parsed, validated and cross-checked) and parsed official workbooks.

An entry is named by a content key (SHA-256 of the input files' bytes and of carescale's own
source, so editing a file, a reader or a schema, or upgrading, never serves a stale entry). It
lives in :func:`cache_dir`: ``$CARESCALE_HOME/cache`` when CARESCALE_HOME is set, else the
platform's user cache folder (``~/.cache/carescale`` on Linux); ``CARESCALE_NO_CACHE=1`` turns
it off. Entries are pickles that only carescale writes, in the user's own folder; an unreadable
entry is ignored and rewritten; writing is best effort (a read-only or full disk never fails a
run) and atomic (a reader never sees half an entry).
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
from pathlib import Path
from typing import Callable, Iterable, TypeVar

from . import config

T = TypeVar("T")

PACKAGE_DIR = config.PACKAGE_DIR


def cache_dir() -> Path:
    """``$CARESCALE_HOME/cache`` when CARESCALE_HOME is set, else the user cache folder
    (:func:`carescale.config.cache_dir`)."""
    return config.cache_dir()


def enabled() -> bool:
    """False when ``CARESCALE_NO_CACHE=1`` (:func:`carescale.config.cache_enabled`)."""
    return config.cache_enabled()


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of every Python source file of carescale, the Python version and where carescale
    is installed: entries made by other code are never read, nor entries of another copy of the
    same code (they can hold absolute paths into that copy, which may be gone: two checkouts of
    one commit shared entries, and one read the other's library file names)."""
    import sys

    h = hashlib.sha256(sys.version.encode())
    h.update(str(PACKAGE_DIR.resolve()).encode())
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        h.update(str(path.relative_to(PACKAGE_DIR)).encode())
        try:
            h.update(path.read_bytes())
        except OSError:  # pragma: no cover - an unreadable installation
            pass
    return h.hexdigest()


def files_key(paths: Iterable[Path], *parts: object) -> str:
    """The content key of some files (names relative to nothing: bytes only, in the given
    order) with ``parts`` and :func:`code_fingerprint`."""
    h = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        h.update(b"\0")
    h.update(repr((parts, code_fingerprint())).encode())
    return h.hexdigest()


def cached(kind: str, key: str, build: Callable[[], T]) -> T:
    """``build()``, or the entry made by an earlier ``build()`` with the same ``kind`` and
    ``key``. Only what ``build`` returns is cached: if it raises, nothing is written."""
    if not enabled():
        return build()
    entry = cache_dir() / kind / f"{key}.pickle"
    try:
        with open(entry, "rb") as fh:
            return pickle.load(fh)  # noqa: S301 - carescale's own entry in the user's cache
    except FileNotFoundError:
        pass
    except Exception as exc:  # unreadable, or written by another version: build again
        config.logger("cache").debug("cache entry %s not read (%s); building it again", entry, exc)
    value = build()
    tmp = entry.with_name(f".{entry.name}.{os.getpid()}.tmp")
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, entry)
    except Exception as exc:  # OSError, or a value that cannot be pickled: run without the cache
        config.logger("cache").debug("cache entry %s not written (%s)", entry, exc)
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
    return value
