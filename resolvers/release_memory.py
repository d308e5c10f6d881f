"""Hand memory that Python has freed back to the operating system (glibc `malloc_trim`), where glibc is the libc.

Why: a projection of a grown graph is hundreds of MiB of small objects. When it is superseded and freed,
CPython returns the memory to glibc's malloc, which keeps most of it in its arenas (only the top of the main
heap is given back): RSS keeps the high-water mark of the largest graph ever read, so RSS "over time" says
nothing about what is alive. `malloc_trim(0)` releases the free pages of every arena (`madvise`), so RSS
follows what is in use. It takes a few milliseconds per hundred MiB and holds no Python lock: call it in a
worker thread after dropping something large. Elsewhere (musl, macOS) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable
from functools import cache


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        function = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_size_t]
    function.restype = ctypes.c_int
    return function


def release_freed_memory() -> bool:
    """Return free malloc pages to the system; True when glibc's `malloc_trim` ran and released some."""
    trim = _malloc_trim()
    return bool(trim(0)) if trim is not None else False
