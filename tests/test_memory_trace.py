"""The memory trace (`app/memory_trace.py`) must not break other threads' work: pure, no Neo4j."""

from __future__ import annotations

import asyncio
import sys
import threading
from pathlib import Path

from app.memory_trace import trace_forever


def test_tracing_while_a_worker_builds_tuples(tmp_path: Path) -> None:
    """A worker thread building tuples from iterators (as `analysis/` does in `asyncio.to_thread`) while the
    trace writes blocks: walking `gc.get_objects()` made such a thread fail with `SystemError` within ~100
    walks; the trace must never do that."""
    errors: list[BaseException] = []
    stop = threading.Event()

    def worker() -> None:
        while not stop.is_set():
            try:
                tuple(x for x in range(2000))
            except SystemError as error:
                errors.append(error)
                return

    async def trace_a_while() -> None:
        task = asyncio.create_task(trace_forever(tmp_path / "trace.txt", lambda: {"cache": 1}, every=0))
        await asyncio.sleep(3)
        task.cancel()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    thread = threading.Thread(target=worker)
    thread.start()
    try:
        asyncio.run(trace_a_while())
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(interval)
    blocks = (tmp_path / "trace.txt").read_text().count("--- ")
    assert blocks > 100, blocks
    assert errors == []
