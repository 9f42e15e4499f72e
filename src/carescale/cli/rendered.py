"""A command's printed tables kept on disk, so the same text is not laid out by rich again.

``carescale run`` spent a fifth of its start importing rich and laying out its tables (the
74-row bridge above all), though the same figures at the same width and colours print the same
text every time (issue 25). :func:`printed` keeps the text ``render()`` wrote to standard
output, named by everything it depends on (:func:`key`): ``inputs``, everything ``render``
reads, as plain data (:func:`carescale.cache.digest`: equal bytes, equal values); the width it
prints in (:func:`carescale.safe_text.output_width`: ``COLUMNS``, else the terminal's); whether
standard output is a terminal, and its encoding; every environment variable rich reads to choose
colours and the terminal's kind (:data:`carescale.config.RICH_VARIABLES`); rich's installed files
and carescale's own source (:func:`carescale.cache.stat_key`). The figures are worked out afresh
on every run, as before: only their layout is kept. A later run with the same key writes the
kept text, byte for byte what rich wrote, and imports no rich.

``CARESCALE_NO_CACHE=1`` (the disk cache off) lays every table out afresh; so does Windows,
whose legacy console rich writes through its own calls rather than the stream.
"""

from __future__ import annotations

import sys
from typing import Any, Callable

#: the disk cache's folder for kept outputs (carescale.cache)
KIND = "rendered"


class _Kept:
    """Standard output that also keeps what is written to it."""

    def __init__(self, stream: Any):
        self.stream = stream
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        written = self.stream.write(text)
        self.parts.append(text)
        return written

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding, flush ...: the stream's own
        return getattr(self.stream, name)


def terminal(stream: Any = None) -> tuple[Any, ...]:
    """What rich lays text out and colours it by, besides the text: the width, whether the stream
    is a terminal, its encoding and error handling, rich's environment variables, a notebook's
    ``get_ipython`` and IDLE's standard input, and the platform."""
    import builtins

    from ..config import rich_environment
    from ..safe_text import output_width

    stream = sys.stdout if stream is None else stream
    try:
        tty: bool | None = bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        tty = None
    return (output_width(stream), tty, getattr(stream, "encoding", None), getattr(stream, "errors", None),
            rich_environment(), hasattr(builtins, "get_ipython"), str(getattr(sys.stdin, "__module__", "")),
            sys.platform)


def key(kind: str, inputs: Any) -> str | None:
    """The name of ``kind``'s text for ``inputs`` on this terminal (module docstring), or None when
    it cannot be kept."""
    import os

    import rich

    from ..cache import digest as digest_of, stat_key

    digest = digest_of(inputs)
    if digest is None:
        return None
    folder = os.path.dirname(rich.__file__)
    try:
        return stat_key([os.path.join(folder, name) for name in ("console.py", "table.py", "text.py")],
                        KIND, kind, digest, terminal())
    except OSError:  # pragma: no cover - rich installed without its sources
        return None


def printed(kind: str, inputs: Any, render: Callable[[], None]) -> None:
    """Run ``render()`` (which prints to standard output, reading nothing but ``inputs``), or write
    the text it wrote before for the same :func:`key`. Nothing is kept if it raises."""
    from .. import cache

    name = key(kind, inputs) if cache.enabled() and sys.platform != "win32" and sys.stdout is not None else None
    if name is None:
        render()
        return
    text = cache.read(KIND, name)
    if isinstance(text, str):
        _write(text)
        return
    kept = _Kept(sys.stdout)
    sys.stdout = kept  # type: ignore[assignment]
    try:
        render()
    finally:
        if sys.stdout is kept:
            sys.stdout = kept.stream
    cache.write(KIND, name, "".join(kept.parts))


def _write(text: str) -> None:
    """``text`` to standard output, as rich's console writes (a closed pipe: what
    ``rich.console.Console.on_broken_pipe`` does, so the exit is the same)."""
    import os

    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(1) from None
