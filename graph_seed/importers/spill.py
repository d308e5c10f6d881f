"""Bounded-memory maps for the per-file state of an import: hot keys in memory, the rest in a temporary SQLite file.

Why: an import must keep some facts for the whole file - which programs and actors it already emitted, how
many identical Funding rows it has numbered - and those grow with the file (about 0.25 KB per row). A
`SpillMap` keeps at most `capacity` entries in memory, in two generations: a hit in the older generation moves
the key to the younger one, so the keys every row uses (USAID, the country) stay in memory, and when the young
generation is full the old one is written to SQLite in one `executemany`. A fixed-size Bloom filter over the
spilled keys answers most misses without touching SQLite, so a key never seen costs a few dict probes.
Semantics are exactly those of a dict: a spilled key is read back (and moves to memory again) when needed.

The SQLite file is created under `tempfile.gettempdir()` only once something spills, unlinked at once on
POSIX (so even a killed import leaves nothing behind), and has no journal, no fsync and a bounded page cache.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Hashable, Iterator
from typing import Any

# Read when a map is made (tests lower them to force spilling): entries kept in memory per map (both
# generations together), and Bloom filter bits (2 MB per map, allocated on the first spill; with two probes
# about 1% of never-seen keys at a million spilled keys cost a SQLite read).
CAPACITY = 20_000
BLOOM_BITS = 1 << 24
CACHE_KIB = 2048  # SQLite page cache per spill file
_MISSING: Any = object()


def _connect() -> tuple[sqlite3.Connection, str]:
    fd, path = tempfile.mkstemp(prefix="cbsi-import-", suffix=".sqlite", dir=tempfile.gettempdir())
    os.close(fd)
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "locking_mode=EXCLUSIVE", "temp_store=FILE",
                   f"cache_size=-{CACHE_KIB}"):
        db.execute(f"PRAGMA {pragma}")
    with contextlib.suppress(OSError):  # POSIX: the open file lives on, nameless, until closed
        os.unlink(path)
    return db, path


class SpillMap:
    """A dict-like map (`get`, `[]=`, `in`) holding at most `capacity` entries in memory; the rest on disk.

    Keys are str or int (int within SQLite's signed 64 bits); values anything SQLite stores (None, int, str)
    or a tuple of str/None (stored as JSON text; the tuple is rebuilt on reading).
    """

    def __init__(self, capacity: int | None = None, bloom_bits: int | None = None) -> None:
        self._half = max(1, (CAPACITY if capacity is None else capacity) // 2)
        self._bloom_bits = BLOOM_BITS if bloom_bits is None else bloom_bits
        self._young: dict[Hashable, Any] = {}
        self._old: dict[Hashable, Any] = {}
        self._bloom: bytearray | None = None
        self._db: sqlite3.Connection | None = None
        self._path: str | None = None
        self.spilled = 0  # entries written to disk so far (for tests and benchmarks)

    # -- reading --------------------------------------------------------------------------------------
    def get(self, key: Hashable, default: Any = None) -> Any:
        value = self._young.get(key, _MISSING)
        if value is not _MISSING:
            return value
        value = self._old.pop(key, _MISSING)
        if value is _MISSING:
            if self._bloom is None or not self._maybe_spilled(key):
                return default
            value = self._read(key)
            if value is _MISSING:
                return default
        self[key] = value  # promoted: a key in use stays in memory
        return value

    def __contains__(self, key: Hashable) -> bool:
        return self.get(key, _MISSING) is not _MISSING

    # -- writing --------------------------------------------------------------------------------------
    def __setitem__(self, key: Hashable, value: Any) -> None:
        young = self._young
        if key not in young and len(young) >= self._half:
            self._rotate()
            young = self._young
        young[key] = value

    def _rotate(self) -> None:
        """The old generation goes to disk, the young one becomes old."""
        if self._old:
            self._spill(self._old)
        self._old, self._young = self._young, {}

    def _spill(self, entries: dict[Hashable, Any]) -> None:
        if self._db is None:
            self._db, self._path = _connect()
            self._db.execute("CREATE TABLE m (k PRIMARY KEY, v) WITHOUT ROWID")
            self._bloom = bytearray(self._bloom_bits >> 3)
        bloom = self._bloom
        assert bloom is not None
        for key in entries:
            first, second = self._bits(key)
            bloom[first >> 3] |= 1 << (first & 7)
            bloom[second >> 3] |= 1 << (second & 7)
        self._db.executemany("INSERT OR REPLACE INTO m VALUES (?, ?)",
                             ((k, _encode(v)) for k, v in entries.items()))
        self.spilled += len(entries)

    def _bits(self, key: Hashable) -> tuple[int, int]:
        """The key's two Bloom filter bits."""
        h, mask = hash(key), self._bloom_bits - 1
        return h & mask, (h >> 32) & mask

    def _maybe_spilled(self, key: Hashable) -> bool:
        bloom = self._bloom
        assert bloom is not None
        first, second = self._bits(key)
        return bool(bloom[first >> 3] & (1 << (first & 7))) and bool(bloom[second >> 3] & (1 << (second & 7)))

    def _read(self, key: Hashable) -> Any:
        assert self._db is not None
        row = self._db.execute("SELECT v FROM m WHERE k = ?", (key,)).fetchone()
        return _MISSING if row is None else _decode(row[0])

    def close(self) -> None:
        """Drop everything (memory and the spill file). The map is empty afterwards."""
        self._young, self._old, self._bloom = {}, {}, None
        if self._db is not None:
            self._db.close()
            self._db = None
            if self._path is not None:
                with contextlib.suppress(OSError):
                    os.unlink(self._path)  # where unlinking an open file was not possible


class SpillLog:
    """An append-only list of str that keeps at most `capacity` items in memory; iterated in order."""

    def __init__(self, capacity: int | None = None) -> None:
        self._capacity = max(1, CAPACITY if capacity is None else capacity)
        self._tail: list[str] = []
        self._db: sqlite3.Connection | None = None
        self._path: str | None = None
        self._spilled = 0

    def append(self, item: str) -> None:
        self._tail.append(item)
        if len(self._tail) >= self._capacity:
            if self._db is None:
                self._db, self._path = _connect()
                self._db.execute("CREATE TABLE log (seq INTEGER PRIMARY KEY, item)")
            self._db.executemany("INSERT INTO log VALUES (?, ?)",
                                 enumerate(self._tail, start=self._spilled))
            self._spilled += len(self._tail)
            self._tail = []

    def __len__(self) -> int:
        return self._spilled + len(self._tail)

    def __iter__(self) -> Iterator[str]:
        if self._db is not None:
            last = -1
            while True:  # in pages: the log may not fit in memory
                rows = self._db.execute("SELECT seq, item FROM log WHERE seq > ? ORDER BY seq LIMIT 10000",
                                        (last,)).fetchall()
                if not rows:
                    break
                last = rows[-1][0]
                yield from (item for _, item in rows)
        yield from self._tail

    def close(self) -> None:
        self._tail = []
        if self._db is not None:
            self._db.close()
            self._db = None
            if self._path is not None:
                with contextlib.suppress(OSError):
                    os.unlink(self._path)


_JSON = "\x1e"  # marks a value stored as JSON text: a tuple, or a str that itself starts with this mark


def _encode(value: Any) -> Any:
    if isinstance(value, tuple):
        return _JSON + json.dumps(value)
    if isinstance(value, str) and value.startswith(_JSON):
        return _JSON + json.dumps(value)
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_JSON):
        decoded = json.loads(value[1:])
        return tuple(decoded) if isinstance(decoded, list) else decoded
    return value
