"""How the engine's temporary arrays get their memory (issue 25).

The engine works on arrays of a few thousand to a few tens of thousands of draws: each numpy
operation makes a new array of 80 KB to a few MB and frees it a moment later. With glibc's
defaults, memory freed at the top of the heap is given back to the system once more than about
128 KB of it is free, and arrays above about 128 KB are mapped afresh: either way the next array
touches new pages, and the page faults cost more than the arithmetic (the engine's annual figures
of a council at 10,000 draws: 5.0 ms of CPU with the defaults, 1.7 ms once freed memory is kept).
:func:`keep_freed_memory` asks glibc (``mallopt``) to keep up to :data:`TRIM_BYTES` of freed
memory and to serve arrays up to :data:`MMAP_BYTES` from the heap, once per process, the first
time the engine runs. Elsewhere (another C library) it does nothing. A process that has run the
engine may so hold up to :data:`TRIM_BYTES` of memory it no longer uses.
"""

from __future__ import annotations

import functools

#: Freed memory glibc keeps at the top of the heap instead of giving it back (M_TRIM_THRESHOLD).
TRIM_BYTES = 64 * 2**20
#: Allocations below this come from the heap, not fresh mappings (M_MMAP_THRESHOLD).
MMAP_BYTES = 16 * 2**20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


@functools.lru_cache(maxsize=1)
def keep_freed_memory() -> bool:
    """Once per process: glibc keeps freed memory for the engine's next arrays (module doc).
    True when glibc accepted both settings, False elsewhere."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # glibc; musl and others have no mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(_M_TRIM_THRESHOLD, TRIM_BYTES)) and bool(mallopt(_M_MMAP_THRESHOLD, MMAP_BYTES))
