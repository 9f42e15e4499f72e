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
    left about 130,000 objects in cycles per business case; about 7,000 since the PDF writer empties
    its styles, ``reports.html._render_and_release``), not in whatever the process does next."""
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


#: the youngest generation's threshold in a serving process (``carescale serve``; Python's default
#: is 700). Each answer of the API or a page keeps its results in the process's caches for a while
#: (the last 64 Evaluations), so at 700 a young collection came every ~30 answers and walked the
#: ~12,500 objects they had kept (5-16 ms each; about 0.3 ms of an answer's 7-9 ms, more under
#: load); at this threshold most of them have been freed (by reference counting) before the next
#: one (issue 25). The older generations' thresholds are left as they are.
SERVING_YOUNG_THRESHOLD = 50_000


def tune_for_serving() -> None:
    """The collector's thresholds for a long-running server process (:data:`SERVING_YOUNG_THRESHOLD`)."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(SERVING_YOUNG_THRESHOLD, middle, old)
