"""Tasks that outlive the request that started them (shared reads, shared computations)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


class BackgroundTasks:
    """Starts tasks and keeps them referenced until done: the event loop holds only weak references, and a
    task that nothing references can be collected mid-flight. Every outcome is marked as seen, since the
    requests that waited for it may all have given up (asyncio would otherwise log it as lost)."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def start(self, loop: asyncio.AbstractEventLoop, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = loop.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        mark_seen(task)


def mark_seen(task: asyncio.Future[Any]) -> None:
    """Mark a finished task's outcome as seen: whoever awaited it may have ended first (asyncio would otherwise
    log its error as never retrieved). A done callback."""
    if not task.cancelled():
        task.exception()
