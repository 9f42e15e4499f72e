"""Python's cyclic garbage collector paused around work that makes many objects at once (issue 25):
one counted pause shared by every thread, so that one piece of work ending does not turn the
collector back on under another still inside (a cache entry unpickled while a PDF is written).

The collector, let run, walks every object of the process again and again while such work goes on
(unpickling the council figures: 2 ms without it, 7-30 ms with it; WeasyPrint's boxes and styles
set off 3 full collections a PDF, 0.33 s of 2.34). Reference counting frees everything else as
usual meanwhile; only objects in reference cycles wait for the pause to end.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from typing import Iterator

_lock = threading.Lock()
_inside = 0
_was_enabled = False
_collect_young = False


@contextlib.contextmanager
def paused(collect_young: bool = False) -> Iterator[None]:
    """The collector off while any thread is inside (re-entrant, counted); back on when the last
    one leaves, if it was on before the first came in. ``collect_young``: then also one collection
    of the youngest generation, which frees the cycles made inside at this work's cost (WeasyPrint
    leaves about 130,000 objects in cycles per business case), not in whatever the process does next."""
    global _inside, _was_enabled, _collect_young
    with _lock:
        if _inside == 0:
            _was_enabled, _collect_young = gc.isenabled(), False
            gc.disable()
        _inside += 1
        _collect_young = _collect_young or collect_young
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            last = _inside == 0 and _was_enabled
            if last:
                gc.enable()
        if last and _collect_young:
            gc.collect(0)  # only what is young: the objects made while paused, not the whole process
