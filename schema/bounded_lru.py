"""One least-recently-used map bounded by entry count and by the characters of query text its keys hold.

Why one class: the parse cache, the validation cache and the compiled-plan cache all keep something per query
text, and each must be bounded both by count (varied values make every text new) and by text size (one huge
text must not evict everything else). They differ only in their bounds and in how a key's size is counted.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedLRU(Generic[K, V]):
    """At most `max_entries` entries whose keys hold at most `max_chars` characters (`size(key)`); a key larger
    than `max_entry_chars` is never kept (its value is computed again each time)."""

    def __init__(self, max_entries: int, max_chars: int, size: Callable[[K], int],
                 max_entry_chars: int | None = None) -> None:
        self.max_entries, self.max_chars, self.size = max_entries, max_chars, size
        self.max_entry_chars = max_chars if max_entry_chars is None else max_entry_chars
        self.entries: OrderedDict[K, V] = OrderedDict()
        self.chars = 0

    def get(self, key: K) -> V | None:
        value = self.entries.get(key)
        if value is not None:
            self.entries.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        size = self.size(key)
        if size > self.max_entry_chars or key in self.entries:
            return
        self.entries[key] = value
        self.chars += size
        while len(self.entries) > self.max_entries or self.chars > self.max_chars:
            old, _ = self.entries.popitem(last=False)
            self.chars -= self.size(old)
