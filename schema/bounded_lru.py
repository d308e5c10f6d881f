"""One least-recently-used map bounded by entry count and by the characters of query text its keys hold.

Why one class: the parse cache, the validation cache and the compiled-plan cache all keep something per query
text, and each must be bounded both by count (varied values make every text new) and by text size (one huge
text must not evict everything else). They differ only in their bounds and in how a key's size is counted.

`second_sight`: keep a value only for a key asked for before (a bounded set of recent key hashes remembers
them). Why: with values written into the query text (`first: 7`, another government), most texts come once; a
parsed document kept for each (hundreds of objects, its tokens linked both ways) was promoted to the collector's
oldest generation and then evicted as cyclic garbage: in the varied soak (issue #14, session 10) the server ran a
full collection of about 160,000 objects, 55-65 ms with every request waiting, every 1.2 s.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
SEEN_PER_ENTRY = 8  # hashes remembered for second sight, per entry kept


class BoundedLRU(Generic[K, V]):
    """At most `max_entries` entries whose keys hold at most `max_chars` characters (`size(key)`); a key larger
    than `max_entry_chars` is never kept (its value is computed again each time)."""

    def __init__(self, max_entries: int, max_chars: int, size: Callable[[K], int],
                 max_entry_chars: int | None = None, second_sight: bool = False) -> None:
        self.max_entries, self.max_chars, self.size = max_entries, max_chars, size
        self.max_entry_chars = max_chars if max_entry_chars is None else max_entry_chars
        self.entries: OrderedDict[K, V] = OrderedDict()
        self.chars = 0
        # hashes of keys offered once and not kept (second sight); a collision only admits a key one sight early
        self.seen: OrderedDict[int, None] | None = OrderedDict() if second_sight else None

    def get(self, key: K) -> V | None:
        value = self.entries.get(key)
        if value is not None:
            self.entries.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        size = self.size(key)
        if size > self.max_entry_chars or key in self.entries or not self._admit(key):
            return
        self.entries[key] = value
        self.chars += size
        while len(self.entries) > self.max_entries or self.chars > self.max_chars:
            old, _ = self.entries.popitem(last=False)
            self.chars -= self.size(old)

    def _admit(self, key: K) -> bool:
        if self.seen is None:
            return True
        digest = hash(key)
        if digest in self.seen:
            del self.seen[digest]
            return True
        self.seen[digest] = None
        while len(self.seen) > SEEN_PER_ENTRY * self.max_entries:
            self.seen.popitem(last=False)
        return False
