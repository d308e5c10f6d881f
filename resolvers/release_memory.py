"""Hand memory that Python has freed back to the operating system (glibc `malloc_trim`), where glibc is the libc.

Why: a projection of a grown graph is hundreds of MiB. When it is superseded and freed, what glibc's malloc
held of it can stay in its arenas (only the top of the main heap is given back on its own), so RSS would keep a
high-water mark. `malloc_trim(0)` releases the free pages of every arena (`madvise`). Measured on the soak's grown
graph without tracemalloc (`docs/benchmarks.md`, session 7), dropping the projection gave the memory back by
itself and the trim released only 3 MiB more: a cheap guard, not a measured fix. It holds no Python lock: call
it in a worker thread after dropping something large. Elsewhere (musl, macOS) it does nothing.
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
