"""Hand memory that Python has freed back to the operating system (glibc `malloc_trim`), where glibc is the libc.

Why: a projection of a grown graph is hundreds of MiB. When it is superseded and freed, what glibc's malloc
held of it can stay in its arenas (only the top of the main heap is given back on its own), so RSS would keep a
high-water mark. `malloc_trim(0)` releases the free pages of every arena (`madvise`). Measured on the soak's grown
graph without tracemalloc (`docs/benchmarks.md`, session 7), dropping the projection gave the memory back by
itself and the trim released only 3 MiB more: a cheap guard, not a measured fix. It holds no Python lock: call
it in a worker thread after dropping something large. Elsewhere (musl, macOS) it does nothing.

The server also calls it every `RELEASE_EVERY` seconds (`release_forever`): in the like-with-like soak (issue
#15, session 9) glibc's arenas grew 47 -> 120 MiB over 5 minutes on a nearly constant graph, 39-56 MiB of it
free but kept (response bodies, driver buffers and aggregate rows freed from worker threads' arenas), the
largest part of the RSS growth left once the projection was no longer held twice.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
from collections.abc import Callable
from functools import cache

RELEASE_EVERY = 30.0  # seconds between two releases in a server (`release_forever`)


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


async def release_forever(every: float = RELEASE_EVERY) -> int:
    """Release freed memory every `every` seconds, in a worker thread, until cancelled; how many ran (tests).

    Stops at once where there is no glibc `malloc_trim` (nothing to release)."""
    ran = 0
    while _malloc_trim() is not None:
        await asyncio.sleep(every)
        await asyncio.to_thread(release_freed_memory)
        ran += 1
    return ran
