"""Measure results and measure errors of the newest graph version only, bounded by count and by rows.

Why a class of its own: `NetworkCache` (`resolvers/network.py`) keeps what a measure answered or how it failed
until the graph version moves. Since every committed import batch moves the version, anything kept per
version without eviction grows with each batch; and within one version, a result can be a ranking of every
node of a large graph. So this store holds one version at a time (moving to another drops everything, and a
result or error computed for any other version is not kept), at most `max_results` results holding at most
`max_rows` rows between them (the newest one is always kept, even above the rows bound: it was just paid for)
and at most `max_failed` errors, each least recently used first out. An error is kept without its traceback:
the frames would keep the projection, and the rows read for it, alive.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

MAX_RESULTS = 256
MAX_ROWS = 200_000  # rows of all kept results together (a ranking row is a small frozen dataclass)
MAX_FAILED = 64


def rows_of(result: Any) -> int:
    """How many rows a result holds (a `Table` or any sized result); 1 for a scalar or a report."""
    try:
        return max(1, len(result))
    except TypeError:
        return 1


class MeasureStore:
    """Results and errors for `version` only; see the module docstring for the bounds."""

    def __init__(self, max_results: int = MAX_RESULTS, max_rows: int = MAX_ROWS, max_failed: int = MAX_FAILED) -> None:
        self.max_results = max_results
        self.max_rows = max_rows
        self.max_failed = max_failed
        self.version: int | None = None
        self.results: OrderedDict[str, Any] = OrderedDict()
        self.rows: dict[str, int] = {}
        self.total_rows = 0
        self.failed: OrderedDict[str, BaseException] = OrderedDict()

    def move_to(self, version: int) -> None:
        """Serve `version` from now on: what was kept for another one is dropped."""
        if version != self.version:
            self.clear()
            self.version = version

    def clear(self) -> None:
        self.results.clear()
        self.rows.clear()
        self.total_rows = 0
        self.failed.clear()

    def get(self, key: str) -> Any | None:
        result = self.results.get(key)
        if result is not None:
            self.results.move_to_end(key)
        return result

    def put(self, version: int, key: str, result: Any) -> bool:
        """Keep `result`; False when it was computed for another version than the one served (not kept)."""
        if version != self.version:
            return False
        if key in self.results:
            self.total_rows -= self.rows.pop(key)
            del self.results[key]
        self.results[key] = result
        self.rows[key] = rows_of(result)
        self.total_rows += self.rows[key]
        while len(self.results) > self.max_results or (self.total_rows > self.max_rows and len(self.results) > 1):
            oldest, _ = self.results.popitem(last=False)
            self.total_rows -= self.rows.pop(oldest)
        return True

    def failure(self, key: str) -> BaseException | None:
        error = self.failed.get(key)
        if error is not None:
            self.failed.move_to_end(key)
        return error

    def fail(self, version: int, key: str, error: BaseException) -> bool:
        """Keep the error a measure ended with (without its traceback); False for another version (not kept)."""
        if version != self.version:
            return False
        self.failed[key] = error.with_traceback(None)
        self.failed.move_to_end(key)
        while len(self.failed) > self.max_failed:
            self.failed.popitem(last=False)
        return True
