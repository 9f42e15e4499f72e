"""carescale's cache of things that are slow to build and fully determined by files: the
packaged library (YAML parsed, validated and cross-checked) and parsed official workbooks.

An entry is named by a key of its input files and of carescale's own source, so editing a file,
a reader or a schema, or upgrading, never serves a stale entry: :func:`files_key` hashes the
files' bytes (a copy of a file elsewhere is the same entry); :func:`stat_key` and
:func:`code_fingerprint` read only each file's place, size, inode and change times (what
``carescale run`` reads on every start, issue 25: hashing carescale's 260 source files was 10-25
ms of it), and hash the bytes of a file changed in the last seconds, whose times may not show a
second edit (the file system's clock ticks every few milliseconds; git's "racily clean"). It
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
from .collector import paused

T = TypeVar("T")

PACKAGE_DIR = config.PACKAGE_DIR


def cache_dir() -> Path:
    """``$CARESCALE_HOME/cache`` when CARESCALE_HOME is set, else the user cache folder
    (:func:`carescale.config.cache_dir`)."""
    return config.cache_dir()


def enabled() -> bool:
    """False when ``CARESCALE_NO_CACHE=1`` (:func:`carescale.config.cache_enabled`)."""
    return config.cache_enabled()


#: A file whose modification or change time is this recent (nanoseconds) is keyed by its bytes too.
RECENT_NS = 3_000_000_000


def file_signature(path: Path | str) -> str:
    """Where a file is, its size, inode and modification and change times (the change time is set
    by the system on every write and cannot be set back), plus a hash of its bytes if it changed
    in the last :data:`RECENT_NS`: two writes within one tick of the file system's clock can
    leave the same times, and only the bytes tell them apart. Raises OSError if it is missing."""
    import time

    st = os.stat(path)
    sig = f"{os.fspath(path)}\0{st.st_size}\0{st.st_ino}\0{st.st_dev}\0{st.st_mtime_ns}\0{st.st_ctime_ns}"
    if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) < RECENT_NS:
        with open(path, "rb") as fh:
            sig += "\0" + hashlib.sha256(fh.read()).hexdigest()
    return sig


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A key of every Python source file of carescale (:func:`file_signature`: a file edited,
    added, removed or replaced changes it), the Python version and where carescale is
    installed: entries made by other code are never read, nor entries of another copy of the
    same code (they can hold absolute paths into that copy, which may be gone: two checkouts of
    one commit shared entries, and one read the other's library file names)."""
    import sys

    h = hashlib.sha256(sys.version.encode())
    root = str(PACKAGE_DIR.resolve())
    h.update(root.encode())
    sources: list[str] = []
    folders = [root]
    while folders:  # os.scandir: a tenth of the time of Path.rglob over the same folders
        try:
            with os.scandir(folders.pop()) as found:
                for e in found:
                    if e.is_dir(follow_symlinks=False):
                        if e.name != "__pycache__":
                            folders.append(e.path)
                    elif e.name.endswith(".py"):
                        sources.append(e.path)
        except OSError:  # pragma: no cover - an installation that is not folders (a zip)
            pass
    for path in sorted(sources):
        try:
            h.update(file_signature(path).encode())
        except OSError:  # pragma: no cover - removed while we looked
            pass
    return h.hexdigest()


def stat_key(paths: Iterable[Path], *parts: object) -> str:
    """The key of some files by :func:`file_signature` (not their bytes, unless just changed),
    with ``parts`` and :func:`code_fingerprint`: for the files every start reads (the packaged
    library, the appraisal defaults, the official council figures). OSError if one is missing."""
    h = hashlib.sha256()
    for path in paths:
        h.update(file_signature(path).encode())
        h.update(b"\1")
    h.update(repr((parts, code_fingerprint())).encode())
    return h.hexdigest()


def digest(value: object) -> str | None:
    """A key of plain data (dicts, lists, numbers, strings, frozen dataclasses of them ...): a
    hash of its pickle made without the pickler's memo, so the bytes follow the values alone,
    not which objects happen to be shared (equal bytes, equal values). None when it cannot be
    pickled so (a function, a cycle)."""
    import io

    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no memo
    try:
        pickler.dump(value)
    except Exception:  # noqa: BLE001 - not plain data: the caller keeps nothing for it
        return None
    return hashlib.sha256(buf.getbuffer()).hexdigest()


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


_MISSING = object()


def read(kind: str, key: str, default: object = None) -> object:
    """The entry of ``kind`` named ``key``, or ``default`` when there is none, it cannot be read
    or the cache is off."""
    if not enabled():
        return default
    entry = cache_dir() / kind / f"{key}.pickle"
    try:
        with open(entry, "rb") as fh:
            with paused():  # tens of thousands of objects, none of them garbage (carescale.collector)
                return pickle.load(fh)  # noqa: S301 - carescale's own entry in the user's cache
    except FileNotFoundError:
        pass
    except Exception as exc:  # unreadable, or written by another version: build again
        config.logger("cache").debug("cache entry %s not read (%s); building it again", entry, exc)
    return default


def write(kind: str, key: str, value: object) -> None:
    """Keep ``value`` as the entry of ``kind`` named ``key`` (best effort, atomic; nothing when the
    cache is off)."""
    if not enabled():
        return
    entry = cache_dir() / kind / f"{key}.pickle"
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


def cached(kind: str, key: str, build: Callable[[], T]) -> T:
    """``build()``, or the entry made by an earlier ``build()`` with the same ``kind`` and
    ``key``. Only what ``build`` returns is cached: if it raises, nothing is written."""
    if not enabled():
        return build()
    value = read(kind, key, _MISSING)
    if value is not _MISSING:
        return value  # type: ignore[return-value]
    value = build()
    write(kind, key, value)
    return value
