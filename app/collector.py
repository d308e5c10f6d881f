"""How the serving process runs Python's cyclic garbage collector.

Why a policy at all: the server's long-lived objects (modules, the schema, its caches of parsed documents and
plans) are walked by every full collection, and with CPython's default first threshold (700 net allocations)
the young generations were collected about 200 times a second under load, each collection promoting whatever
the requests in flight held; those promotions set off a full collection of about 170,000 objects every 0.6 s
(58-78 ms, with every request waiting). Measured in the varied soak at 8 clients on a warm server (issue #14,
session 12, `docs/benchmarks.md`): with 5,000 the server ran 3 full collections in 40 s instead of 65, spent
about 5% of its CPU collecting instead of about 15%, and answered 273 requests/s instead of 250.
"""

from __future__ import annotations

import gc

YOUNGEST_THRESHOLD = 5_000  # net allocations of tracked objects between collections of the youngest generation


def settle_before_serving() -> None:
    """Collect once, freeze what is alive (it lives until exit: full collections no longer walk it) and raise
    the youngest generation's threshold; the older generations keep CPython's ratios."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNGEST_THRESHOLD, middle, oldest)
