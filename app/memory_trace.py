"""An opt-in memory diagnostic for soaks: what the server's caches hold, and where Python's memory was allocated.

Why: "RSS grows" does not say whether a cache without a bound, a projection kept too long or the legitimate
working set of a larger graph is responsible. With `CBSI_MEMORY_TRACE=<file>` the server appends a block to
the file every `EVERY` seconds: RSS, what glibc's malloc holds (in use, and freed but not returned to the
system), the size of every cache and the live projections. With `PYTHONTRACEMALLOC=1` as well, Python traces
every allocation (much slower, and the traces take memory of their own, reported apart) and each block lists
the source lines whose allocations grew most since the first one. Off (unset) by default; not for production.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import networkx as nx

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


def live_projections() -> list[str]:
    """Every networkx graph still alive (a projection kept by a cache, a task or a stored traceback). A read-only
    view (`graph.subgraph(...)`, `to_undirected(as_view=True)`: `paths` makes two) holds no data of its own and is
    marked as such: session 9 read two views per running `paths` as copies of the grown graph."""
    return [f"{'view ' if nx.is_frozen(obj) else ''}{type(obj).__name__}({obj.number_of_nodes()} nodes, "
            f"{obj.number_of_edges()} edges)" for obj in gc.get_objects() if isinstance(obj, nx.Graph)]


async def trace_forever(path: Path, describe: Describe, every: float = EVERY) -> None:
    """Append one block to `path` every `every` seconds until cancelled."""
    started = time.monotonic()
    tracing = tracemalloc.is_tracing()
    first = tracemalloc.take_snapshot() if tracing else None
    with path.open("a") as out:
        while True:
            lines = [f"--- {time.monotonic() - started:.0f} s: RSS {rss_mib():.0f} MiB; {malloc_summary()}; "
                     f"{len(gc.get_objects())} objects tracked by the gc",
                     "caches: " + ", ".join(f"{key}={value}" for key, value in describe().items()),
                     "live graphs: " + (", ".join(live_projections()) or "none")]
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
