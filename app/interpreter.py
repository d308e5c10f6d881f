"""How the serving process runs the Python interpreter: its cyclic garbage collector and its thread switching.

Why a policy at all: the server is one event loop answering every request, so anything that stops the loop
lands in the tail latency of every request in flight. Both settings were measured in the varied soak at 8
clients on a warm server (issue #14, session 12, `docs/benchmarks.md`).

- **The collector.** The server's long-lived objects (modules, the schema, its caches of parsed documents and
  plans) are walked by every full collection. With CPython's default first threshold (700 net allocations) the
  young generations were collected about 200 times a second under load, each collection promoting what the
  requests in flight held; those promotions set off a full collection of about 170,000 objects every 0.6 s
  (58-78 ms each, every request waiting). With 5,000: 3 full collections in 40 s instead of 65, about 5% of the
  server's CPU spent collecting instead of about 15%, 273 requests/s instead of 250.
- **Thread switching.** The aggregates' money rules and the network measures run in worker threads; while one
  computes, the loop must wait for the GIL for up to the switch interval (5 ms by default) each time it wants it
  back. With 1 ms: 293-296 requests/s and a p99 of 87 ms, against 266-277 and 93-97 ms (two runs each, A/B on
  one warm Neo4j).
"""

from __future__ import annotations

import gc
import sys

YOUNGEST_THRESHOLD = 5_000  # net allocations of tracked objects between collections of the youngest generation
SWITCH_INTERVAL = 0.001  # seconds a thread may hold the GIL while another thread asks for it


def settle_before_serving() -> None:
    """Collect once, freeze what is alive (it lives until exit: full collections no longer walk it), raise the
    youngest generation's threshold (the older generations keep CPython's ratios) and shorten the switch
    interval."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNGEST_THRESHOLD, middle, oldest)
    sys.setswitchinterval(SWITCH_INTERVAL)
