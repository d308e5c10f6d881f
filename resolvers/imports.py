"""Import runs as the graph records them: one per imported file, on its Source node (`importers/bookkeeping.py`).

Why a resolver of its own: readers during or after an import need to know whether the data they see is a
finished import or a partial one (a run still writing, or one that died); the answer is on the Source nodes.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph_seed.importers.bookkeeping import COMPLETE, IMPORTING
from resolvers.cypher import CypherRunner

# File Sources only (`src:file:<sha256 prefix>`); one imported before run records existed has no status
# (complete) and no start time. Newest first: ISO 8601 UTC times of one format sort as text.
RUNS = """
MATCH (s:Source) WHERE s.id STARTS WITH 'src:file:'
WITH s, coalesce(s.importStatus, $complete) AS status
RETURN s.id AS source, s.name AS file, status, s.importStartedAt AS started,
       CASE WHEN status = $complete THEN s.importedAt END AS finished, s.importRows AS rows
ORDER BY coalesce(s.importStartedAt, s.importedAt, '') DESC, s.id
LIMIT $first
"""
UNFINISHED = "MATCH (s:Source {importStatus: $importing}) RETURN count(s) > 0 AS unfinished"


@dataclass(frozen=True)
class ImportRunRow:
    source: str
    file: str
    status: str  # IMPORTING or COMPLETE (bookkeeping's values)
    started: str | None
    finished: str | None
    rows: int | None


async def runs(runner: CypherRunner, first: int) -> list[ImportRunRow]:
    rows = await runner.read(RUNS, {"complete": COMPLETE, "first": first})
    return [ImportRunRow(source=row["source"], file=row["file"], status=row["status"], started=row["started"],
                         finished=row["finished"], rows=row["rows"]) for row in rows]


async def unfinished(runner: CypherRunner) -> bool:
    rows = await runner.read(UNFINISHED, {"importing": IMPORTING})
    return bool(rows and rows[0]["unfinished"])
