"""The periodic release of freed memory (`resolvers/release_memory.py`): pure, no Neo4j."""

from __future__ import annotations

import asyncio

import pytest

from resolvers import release_memory


def test_release_forever_trims_until_cancelled(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(release_memory, "_malloc_trim", lambda: lambda pad: calls.append(pad) or 1)

    async def run() -> None:
        task = asyncio.create_task(release_memory.release_forever(every=0.01))
        while len(calls) < 3:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(asyncio.wait_for(run(), timeout=10))
    assert calls[:3] == [0, 0, 0]


def test_release_forever_ends_where_there_is_no_malloc_trim(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(release_memory, "_malloc_trim", lambda: None)
    assert asyncio.run(asyncio.wait_for(release_memory.release_forever(every=0.01), timeout=10)) == 0


def test_glibc_trim_is_found_here() -> None:
    """This machine's libc is glibc (Debian): the server's release is real here, not a no-op."""
    assert release_memory._malloc_trim() is not None
