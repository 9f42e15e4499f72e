"""Code that Python writes and compiles at every start, compiled once per machine (issue 25).

Python 3.11 writes the methods of each dataclass (``__init__``, ``__repr__``, ``__eq__`` ...) as
source text and compiles each apart (``dataclasses._create_fn``), and ``typing`` compiles each
string annotation pydantic evaluates (``typing.ForwardRef``): about 400 and 300 compilations in
a ``carescale run``, a tenth of its CPU, of the same text every time. The ``carescale`` command
(:func:`install`, from ``carescale.cli.entry``) has those two modules compile through
:func:`compiled`, which keeps each code object by its text, and :func:`save` writes the ones
compiled afresh to carescale's cache folder (``code/<python>.marshal``: marshal, the format of
Python's own ``.pyc`` files, one file per Python version); the next start reads them instead of
compiling. A kept code object is what ``compile`` gives for the same text, mode, file name
(``<string>``) and flags (none: neither module has a ``__future__`` import, which :func:`install`
checks), so the classes and functions made are the same.

``CARESCALE_NO_CACHE=1`` compiles as before. Only the ``carescale`` command installs it (tests
and the library's users compile as usual); the kept file is the user's own, like the rest of
the cache (carescale.cache).
"""

from __future__ import annotations

import builtins
import sys
from typing import Any

#: at most this many kept compilations (a file past it starts afresh)
LIMIT = 20_000

_kept: dict[tuple[str, str], bytes] = {}  # (mode, source) -> marshalled code, as read
_made: dict[tuple[str, str], Any] = {}  # (mode, source) -> code object, this process
_fresh = False  # compiled something not kept
_installed = False
_loaded = False


def _path() -> Any:
    from .. import config

    return config.cache_dir() / "code" / f"{sys.implementation.cache_tag}-{sys.hexversion:x}.marshal"


def compiled(source: str, mode: str) -> Any:
    """``compile(source, "<string>", mode)`` without inherited flags, kept by its text."""
    global _fresh, _loaded
    key = (mode, source)
    code = _made.get(key)
    if code is None:
        if not _loaded:  # the kept file, read at the first compilation (none for --help's listing)
            _loaded = True
            _load()
        kept = _kept.get(key)
        if kept is not None:
            import marshal

            code = marshal.loads(kept)
        else:
            code = builtins.compile(source, "<string>", mode, dont_inherit=True)
            _fresh = True
        _made[key] = code
    return code


def _exec(source: Any, globals: Any = None, locals: Any = None, /, **kwargs: Any) -> Any:
    """``exec`` for :mod:`dataclasses`: a string is compiled through :func:`compiled`."""
    if type(source) is str:
        if globals is None:  # exec's own default: the caller's namespace
            frame = sys._getframe(1)
            globals, locals = frame.f_globals, frame.f_locals if locals is None else locals
        source = compiled(source, "exec")
    return builtins.exec(source, globals, locals, **kwargs)


def _compile(source: Any, filename: Any, mode: str, flags: int = 0, dont_inherit: bool = False,
             optimize: int = -1, **kwargs: Any) -> Any:
    """``compile`` for :mod:`typing`: a string annotation's compilation is kept by its text."""
    if type(source) is str and filename == "<string>" and not flags and not dont_inherit and optimize == -1 and not kwargs:
        return compiled(source, mode)
    return builtins.compile(source, filename, mode, flags, dont_inherit, optimize, **kwargs)


def install() -> None:
    """Read the kept compilations and have :mod:`dataclasses` and :mod:`typing` compile through
    :func:`compiled` (nothing when the cache is off, or a module has a ``__future__`` import, whose
    flags its own compilations would inherit)."""
    global _installed
    import dataclasses
    import typing

    from .. import cache

    if _installed or not cache.enabled():
        return
    if any("annotations" in vars(m) or m.__dict__.get(name) is not None
           for m, name in ((dataclasses, "exec"), (typing, "compile"))):
        return  # a __future__ import, or someone else's hook: compile as usual
    dataclasses.exec = _exec  # type: ignore[attr-defined]
    typing.compile = _compile  # type: ignore[attr-defined]
    _installed = True


def uninstall() -> None:
    """Compile as before (tests)."""
    global _installed, _loaded
    import dataclasses
    import typing

    _loaded = False
    for module, name, hook in ((dataclasses, "exec", _exec), (typing, "compile", _compile)):
        if module.__dict__.get(name) is hook:
            delattr(module, name)
    _installed = False


def _load() -> None:
    import marshal

    try:
        with open(_path(), "rb") as fh:
            kept = marshal.load(fh)
    except FileNotFoundError:
        return
    except Exception as exc:  # noqa: BLE001 - unreadable or another format: compiled afresh and rewritten
        from .. import config

        config.logger("cli").debug("kept compilations not read (%s)", exc)
        return
    if isinstance(kept, dict):
        _kept.update(kept)


def save() -> None:
    """Write the kept compilations with those made afresh in this process (best effort: a
    read-only or full disk changes nothing; atomic: a reader never sees half a file)."""
    global _fresh
    import marshal
    import os

    if not _installed or not _fresh:
        return
    out = {} if len(_kept) + len(_made) > LIMIT else dict(_kept)
    for key, code in _made.items():
        if key not in out:
            out[key] = marshal.dumps(code)
    path = _path()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            marshal.dump(out, fh)
        os.replace(tmp, path)
    except Exception as exc:  # noqa: BLE001 - best effort
        from .. import config

        config.logger("cli").debug("kept compilations not written (%s)", exc)
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
    _kept.update(out)
    _fresh = False
