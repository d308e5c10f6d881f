"""Watch the `RowFeed`s a streaming reader creates (`resolvers/row_feed.py`), with small chunks.

Why a helper: the projection read and `fundingAggregate` stream the same way; their tests check the same thing
(how many rows are held at once), so they record the feeds the same way.
"""

from __future__ import annotations

from types import ModuleType

import pytest

from resolvers.row_feed import RowFeed


def record_feeds(monkeypatch: pytest.MonkeyPatch, module: ModuleType, chunk_rows: int,
                 max_chunks: int) -> list[RowFeed]:
    """Make `module` read `chunk_rows` rows per chunk with at most `max_chunks` waiting; the list fills with
    every feed it creates from then on (in order)."""
    monkeypatch.setattr(module, "CHUNK_ROWS", chunk_rows)
    monkeypatch.setattr(module, "MAX_CHUNKS_QUEUED", max_chunks)
    feeds: list[RowFeed] = []

    class Recorded(RowFeed):
        def __init__(self, max_chunks: int) -> None:
            super().__init__(max_chunks)
            feeds.append(self)

    monkeypatch.setattr(module, "RowFeed", Recorded)
    return feeds
