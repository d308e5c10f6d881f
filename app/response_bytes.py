"""Finished GraphQL responses as bytes, by graph version and request: what `app/cached_graphql.py` serves.

Why bytes: a cache hit should cost a dictionary look-up and one `send`, not Strawberry's context, extension
hooks and JSON encoding again. Bytes are also invisible to the garbage collector, unlike the `ExecutionResult`
trees the schema-level cache keeps, so a full cache does not lengthen collection pauses.

Why only the newest version is kept: once a request has read version V+1, no later request can read V again
(every CBSI writer bumps `GraphMeta.version` upwards), so entries for older versions are dead weight and are
dropped at once instead of waiting for the LRU to push them out.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass

MAX_ENTRIES = 1024
MAX_BYTES = 64 * 1024 * 1024  # all entries together, keys included
MAX_ENTRY_BYTES = 4 * 1024 * 1024  # one response larger than this is not worth a slot
MAX_REQUEST_BYTES = 64 * 1024  # a request body larger than this is not cached (it would make a large key)

# (query text, canonical variables JSON, operationName, canonical extensions JSON)
RequestKey = tuple[str, str, str | None, str]
Headers = list[tuple[bytes, bytes]]


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """The status-200 response Strawberry sent: its raw headers and body, replayed unchanged on a hit."""

    headers: Headers
    body: bytes

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(name) + len(value) for name, value in self.headers)


def _canonical(value: dict[str, object] | None) -> str:
    return json.dumps(value or {}, sort_keys=True, separators=(",", ":"))


def request_key(body: bytes) -> RequestKey | None:
    """The cache key of one JSON GraphQL request body; None when it is not a single well-formed request.

    Key order and spacing of `variables` and `extensions` do not matter (they are re-encoded with sorted keys);
    a missing or null `variables` is the same as `{}`, which is how Strawberry executes it too. Anything
    unusual (a batch array, a non-string query, invalid JSON) gets None and is left to Strawberry to answer.
    """
    if len(body) > MAX_REQUEST_BYTES:
        return None
    try:
        data = json.loads(body)
    except ValueError:  # also UnicodeDecodeError
        return None
    if not isinstance(data, dict):
        return None
    query, variables = data.get("query"), data.get("variables")
    operation, extensions = data.get("operationName"), data.get("extensions")
    if not isinstance(query, str) or not isinstance(operation, str | None):
        return None
    if not isinstance(variables, dict | None) or not isinstance(extensions, dict | None):
        return None
    return query, _canonical(variables), operation, _canonical(extensions)


def _key_size(key: RequestKey) -> int:
    return sum(len(part) for part in key if part is not None)


class ResponseBytes:
    """A bounded LRU of stored responses for the newest graph version, with hit and miss counters.

    Bounded three ways: `max_entries` responses, `max_bytes` in all (bodies, headers and keys), and no single
    response above `max_entry_bytes`.
    """

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES,
                 max_entry_bytes: int = MAX_ENTRY_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_entry_bytes = min(max_entry_bytes, max_bytes)
        self.version: int | None = None  # the version every entry belongs to
        self.entries: OrderedDict[RequestKey, StoredResponse] = OrderedDict()
        self.sizes: dict[RequestKey, int] = {}
        self.total_bytes = 0
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, version: int, key: RequestKey) -> StoredResponse | None:
        stored = self.entries.get(key) if version == self.version else None
        if stored is None:
            self.misses += 1
            return None
        self.entries.move_to_end(key)
        self.hits += 1
        return stored

    def put(self, version: int, key: RequestKey, response: StoredResponse) -> bool:
        """Keep `response` for (version, key); False when it was not kept (too large, or an older version)."""
        size = response.size + _key_size(key)
        if size > self.max_entry_bytes:
            return False
        if self.version is None or version > self.version:
            self.clear()
            self.version = version
        elif version < self.version:
            return False  # computed on a graph that has moved on: nobody can ask for it again
        if key in self.entries:
            self.total_bytes -= self.sizes.pop(key)
            del self.entries[key]
        self.entries[key] = response
        self.sizes[key] = size
        self.total_bytes += size
        while len(self.entries) > self.max_entries or self.total_bytes > self.max_bytes:
            oldest, _ = self.entries.popitem(last=False)
            self.total_bytes -= self.sizes.pop(oldest)
        return True

    def clear(self) -> None:
        self.entries.clear()
        self.sizes.clear()
        self.total_bytes = 0
