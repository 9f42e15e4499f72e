"""A cache of parsed official files, keyed by their content, so a second national run does not
parse the same workbook again.

The key is the SHA-256 of the file's bytes, with the reader, the sheet and a fingerprint of the
reader code (so editing a reader or upgrading carescale never serves a stale table). Only a file
that read without error is cached: a bad file is parsed, and refused with its message, every
time. The cache lives in :func:`cache_dir` (``$CARESCALE_HOME/cache``, else the platform's user
cache folder, e.g. ``~/.cache/carescale``); ``CARESCALE_NO_CACHE=1`` turns it off. Entries are
pickles that only carescale writes, in the user's own folder; an unreadable entry is ignored and
rewritten. Writing is best effort: a read-only or full disk never fails a run.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import pickle
from pathlib import Path
from typing import Callable, TypeVar

T = TypeVar("T")

#: Bump to drop every entry (the reader fingerprint already changes with the code).
FORMAT = 1


def cache_dir() -> Path:
    """``$CARESCALE_HOME/cache`` when CARESCALE_HOME is set, else the user cache folder."""
    home = os.environ.get("CARESCALE_HOME")
    if home:
        return Path(home).expanduser() / "cache"
    import platformdirs  # deferred: only needed when no CARESCALE_HOME is set

    return Path(platformdirs.user_cache_dir("carescale", appauthor=False))


@functools.lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """A hash of the reader modules' source: a changed reader never reads an old entry."""
    here = Path(__file__).parent
    h = hashlib.sha256(str(FORMAT).encode())
    for name in ("workbook.py", "mye.py", "ascof.py", "cache.py"):
        try:
            h.update((here / name).read_bytes())
        except OSError:  # pragma: no cover - an installation without sources
            h.update(name.encode())
    return h.hexdigest()[:16]


def content_key(path: Path, *parts: object) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    h.update(repr((parts, _code_fingerprint())).encode())
    return h.hexdigest()


def cached_parse(path: Path, reader: str, parse: Callable[[], T], *parts: object) -> T:
    """``parse()``'s result for ``path``, from the cache when this content was parsed before.
    The result is a dataclass with a ``path`` field, set to ``path`` on the way out."""
    if os.environ.get("CARESCALE_NO_CACHE") == "1":
        return parse()
    entry = cache_dir() / "official" / f"{reader}-{content_key(path, reader, *parts)}.pickle"
    try:
        with open(entry, "rb") as fh:
            table = pickle.load(fh)  # noqa: S301 - carescale's own entry in the user's cache
        return dataclasses.replace(table, path=path)
    except Exception:  # absent, unreadable, or written by another version: parse again
        pass
    table = parse()
    tmp = entry.with_name(f".{entry.name}.{os.getpid()}.tmp")
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            pickle.dump(table, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, entry)  # atomic: a reader never sees half an entry
    except OSError:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
    return table
