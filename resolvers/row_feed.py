"""Rows handed from the event loop, where the async driver decodes them, to a worker thread that consumes them.

Why: a read of a whole grown graph (the network projection) or of every Funding (`fundingAggregate`) held all
its rows at once and then turned them into something else on the event loop (issue #15's soak: memory rose
with the rows in flight, and other requests waited). With a feed, the reader hands over chunks through a
bounded queue (at most `max_chunks` wait; the reader waits off the event loop while it is full), and a worker
thread turns each row into its result as it comes, so the rows held at once stay bounded and the CPU work is
off the event loop. When the read fails or is cancelled the consumer's iteration ends with `RowsAbortedError`
and the read waits for the thread to stop before it re-raises, so no thread outlives its request.

Why the feed retries, and only before the first row: a streamed read cannot be a driver-managed transaction
function (a retry would feed the consumer the same rows twice), so it lost the driver's retry of transient
failures, and a Neo4j `TransientError` (a deadlock, a memory pool momentarily full, a leader switch) or a
`SessionExpired` reached the client as INTERNAL (issue #15's soak). `build_while` takes a factory for the read
and runs it again, after a short pause, while nothing has been handed to the consumer yet (up to
`MAX_ATTEMPTS`); once rows are handed on, the failure is raised as it is and `schema.errors` answers it with the
retryable `TRANSIENT` code rather than INTERNAL.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

from neo4j import Record
from neo4j.exceptions import Neo4jError, SessionExpired

from resolvers.cypher import CypherRunner

T = TypeVar("T")
R = TypeVar("R")
POLL = 0.2  # seconds a waiting side sleeps before it looks whether the other side gave up
RETRY_PAUSES = (0.1, 0.5)  # seconds before the 2nd and 3rd attempt of a read that failed before its first row
MAX_ATTEMPTS = len(RETRY_PAUSES) + 1


def is_transient(error: BaseException) -> bool:
    """A failure that the same read may not meet again: Neo4j's transient errors, a connection lost in a session."""
    return isinstance(error, SessionExpired) or (isinstance(error, Neo4jError) and error.is_retryable())


class RowsAbortedError(Exception):
    """The rows stopped because the read failed or was cancelled (the read's own error is the one raised)."""


class RowFeed:
    """One reader (on the event loop) and one consumer (a worker thread); see the module docstring."""

    def __init__(self, max_chunks: int) -> None:
        self.queue: queue.Queue[list[Record] | None] = queue.Queue(maxsize=max_chunks)
        self.aborted = threading.Event()
        self.handed = 0  # rows handed over so far (tests check how many are held at once)
        self.chunks = 0  # chunks and end markers handed over so far: a read may be retried while this is 0
        self.attempts = 0  # reads started (tests check a transient failure before the first row is retried)

    def rows(self) -> Iterator[Record]:
        """One query's rows, up to its end marker (consumer thread)."""
        while True:
            try:
                chunk = self.queue.get(timeout=POLL)
            except queue.Empty:
                if self.aborted.is_set():
                    raise RowsAbortedError("the read ended early") from None
                continue
            if chunk is None:
                return
            yield from chunk
            del chunk

    async def put(self, chunk: list[Record] | None) -> None:
        """Hand over a chunk (or a query's end marker, None), waiting off the event loop while the queue is full."""
        self.handed += len(chunk or ())
        self.chunks += 1
        try:
            self.queue.put_nowait(chunk)
        except queue.Full:
            await asyncio.to_thread(self._put_unless_aborted, chunk)

    def _put_unless_aborted(self, chunk: list[Record] | None) -> None:
        while not self.aborted.is_set():
            try:
                self.queue.put(chunk, timeout=POLL)
                return
            except queue.Full:
                continue

    async def build_while(self, read: Callable[[], Coroutine[Any, Any, R]], runner: CypherRunner,
                          consume: Callable[..., T], *args: Any, seconds: float | None = None) -> tuple[R, T]:
        """Run `consume(*args)` in a worker thread while `read()` (which `put`s the rows) runs on the event loop;
        the read's result and the consumer's. `runner`'s health check guards the read, as its own reads, bounded
        by `seconds` (the read's Neo4j time limit; default the runner's); a transient failure before anything was
        handed over starts `read()` again (see the module docstring)."""
        consumer = asyncio.ensure_future(asyncio.to_thread(consume, *args))
        consumer.add_done_callback(lambda _: self.aborted.set())  # a failed consumer must not leave the reader waiting
        try:
            result = await self._read(read, runner, seconds)
            built = await asyncio.shield(consumer)
        except BaseException:
            self.aborted.set()
            await asyncio.wait({consumer})  # the thread stops at its next row: it must not outlive the read
            if not consumer.cancelled():
                consumer.exception()  # the read's own error is the one raised; the consumer's is only its echo
            raise
        return result, built

    async def _read(self, read: Callable[[], Coroutine[Any, Any, R]], runner: CypherRunner,
                    seconds: float | None) -> R:
        while True:
            self.attempts += 1
            call = read()
            try:
                return await runner.guarded(call, seconds)
            except Exception as exc:
                if self.chunks or self.attempts >= MAX_ATTEMPTS or not is_transient(exc) or self.aborted.is_set():
                    raise
            await asyncio.sleep(RETRY_PAUSES[self.attempts - 1])

    async def read_chunks(self, result: Any, chunk_rows: int) -> None:
        """Hand over every row of one query's result (an async driver result), `chunk_rows` at a time, then its
        end marker."""
        chunk: list[Record] = []
        async for record in result:
            chunk.append(record)
            if len(chunk) >= chunk_rows:
                await self.put(chunk)
                chunk = []
        await self.put(chunk)
        await self.put(None)
