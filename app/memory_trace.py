"""An opt-in memory diagnostic for soaks: what the server's caches hold, and where Python's memory was allocated.

Why: "RSS grows" does not say whether a cache without a bound, a projection kept too long or the legitimate
working set of a larger graph is responsible. With `CBSI_MEMORY_TRACE=<file>` the server appends a block to
the file every `EVERY` seconds: RSS, what glibc's malloc holds (in use, and freed but not returned to the
system), Python's allocated blocks, and the size of every cache and projection. With `PYTHONTRACEMALLOC=1` as
well, Python traces every allocation (much slower, and the traces take memory of their own, reported apart)
and each block lists the source lines whose allocations grew most since the first one. Off (unset) by default;
not for production.

It never walks `gc.get_objects()` (it did until session 9, to list the live networkx graphs): the list it returns
holds a reference to every tracked object, including a tuple a worker thread is still building (`tuple(...)`
over an iterator resizes it in place, which needs it to have one reference), and that thread then fails with
`SystemError: Objects/tupleobject.c:927: bad argument to internal function`. A traced soak answered 26
`coverage` requests INTERNAL that way (issue #15, session 9).
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

EVERY = 30.0  # seconds between blocks
TOP = 12  # source lines listed per block

Describe = Callable[[], dict[str, object]]


def rss_mib() -> float:
    """This process's resident set size, MiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]


def malloc_summary() -> str:
    """glibc malloc's bytes (all arenas): in use, free but kept, and in chunks mapped on their own."""
    name = ctypes.util.find_library("c")
    try:
        function = ctypes.CDLL(name).mallinfo2
    except (OSError, AttributeError, TypeError):
        return "malloc: not glibc"
    function.restype = _MallInfo2
    info = function()
    return (f"malloc: arenas {info.arena / 2**20:.0f} MiB (in use {info.uordblks / 2**20:.0f}, free "
            f"{info.fordblks / 2**20:.0f}), mmapped {info.hblkhd / 2**20:.0f} MiB")


async def trace_forever(path: Path, describe: Describe, every: float = EVERY) -> None:
    """Append one block to `path` every `every` seconds until cancelled."""
    started = time.monotonic()
    tracing = tracemalloc.is_tracing()
    first = tracemalloc.take_snapshot() if tracing else None
    with path.open("a") as out:
        while True:
            lines = [f"--- {time.monotonic() - started:.0f} s: RSS {rss_mib():.0f} MiB; {malloc_summary()}; "
                     f"{sys.getallocatedblocks()} blocks allocated by Python",
                     "caches: " + ", ".join(f"{key}={value}" for key, value in describe().items())]
            if first is not None:
                snapshot = tracemalloc.take_snapshot()
                current, peak = tracemalloc.get_traced_memory()
                lines.append(f"traced {current / 2**20:.0f} MiB (peak {peak / 2**20:.0f}; the traces themselves "
                             f"{tracemalloc.get_tracemalloc_memory() / 2**20:.0f}); top {TOP} lines by growth:")
                for stat in snapshot.compare_to(first, "lineno")[:TOP]:
                    lines.append(f"  {stat.size_diff / 2**20:+8.1f} MiB ({stat.size / 2**20:7.1f} now, "
                                 f"{stat.count:>8} blocks)  {stat.traceback[0]}")
                del snapshot
            out.write("\n".join(lines) + "\n")
            out.flush()
            await asyncio.sleep(every)
