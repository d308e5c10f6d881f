"""A real uvicorn server on a thread of the test process, for tests that need its app objects while they talk
HTTP to it (`tests/test_graphql_http_cache.py`, `tests/test_coalesced_writes.py`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn


@contextmanager
def uvicorn_on_a_thread(server: uvicorn.Server, start_within: float = 30.0) -> Iterator[uvicorn.Server]:
    """Run `server` on a daemon thread until the block ends; fail if it has not started within `start_within` s."""
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_within
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield server
    finally:
        server.should_exit = True
        thread.join(timeout=30)
