"""Import bookkeeping on the file's Source node, and compensation: undo everything one source wrote.

Why: an import commits in batches (see `pipeline.py`), so "all or nothing" is kept by undoing, not by one
giant transaction. The Source node `src:file:<sha256 prefix>` records where an import of those bytes stands:

- `importStatus: "importing"` from before the first batch until the whole `import_files` call succeeded;
- `importStatus: "complete"` afterwards (a Source imported before this bookkeeping existed has no status and
  counts as complete: that older importer was all-or-nothing).

Compensation for source `s` (on failure, or before re-importing bytes whose last import never finished):
1. relationships whose `createdBy` is `s` and whose `sources` are exactly `[s]` are deleted;
2. `s` is removed from `sources` of every other relationship (and `createdBy` passes to a remaining source,
   so a record another import also vouched for survives, owned by that import);
3. the same two steps for nodes (DETACH DELETE for the ones `s` alone created);
4. the Source node is deleted last, so an interrupted compensation is simply run again next time.
Every step runs as `CALL { ... } IN TRANSACTIONS`, so undoing a huge import never needs one huge transaction.
Steps 2 and 4 scan all relationships/nodes carrying `s` in a list: their cost grows with the graph, and they
only run on failure or recovery.
"""

from __future__ import annotations

from typing import Any

from neo4j import Session

from graph_seed.neo4j_writer import bump_graph_version

IMPORTING = "importing"
COMPLETE = "complete"
_CHUNK = 10_000

STATUS = "MATCH (s:Source {id: $id}) RETURN coalesce(s.importStatus, $complete) AS status"
BEGIN = """
MERGE (s:Entity {id: $id})
ON CREATE SET s:Source, s += $props, s.sources = [], s.aliases = [], s.aliasText = '', s.importStatus = $importing
"""
FINISH = """
UNWIND $rows AS row
MATCH (s:Source {id: row.id})
SET s += row.props, s.importedAt = coalesce(s.importedAt, $importedAt), s.importStatus = $complete
"""
COMPENSATION: tuple[str, ...] = (
    f"""MATCH ()-[r]->() WHERE r.createdBy = $source AND r.sources = [$source]
    CALL (r) {{ DELETE r }} IN TRANSACTIONS OF {_CHUNK} ROWS""",
    f"""MATCH ()-[r]->() WHERE $source IN r.sources
    CALL (r) {{
      WITH r, [x IN r.sources WHERE x <> $source] AS rest
      SET r.sources = rest, r.createdBy = CASE WHEN r.createdBy = $source THEN head(rest) ELSE r.createdBy END
    }} IN TRANSACTIONS OF {_CHUNK} ROWS""",
    f"""MATCH (n:Entity) WHERE n.createdBy = $source AND n.sources = [$source]
    CALL (n) {{ DETACH DELETE n }} IN TRANSACTIONS OF {_CHUNK} ROWS""",
    f"""MATCH (n:Entity) WHERE $source IN n.sources
    CALL (n) {{
      WITH n, [x IN n.sources WHERE x <> $source] AS rest
      SET n.sources = rest, n.createdBy = CASE WHEN n.createdBy = $source THEN head(rest) ELSE n.createdBy END
    }} IN TRANSACTIONS OF {_CHUNK} ROWS""",
    "MATCH (s:Source {id: $source}) DETACH DELETE s",
)


def status(session: Session, source_id: str) -> str | None:
    """`None` (never imported), `"importing"` (unfinished: running elsewhere, crashed or killed) or `"complete"`."""
    record = session.run(STATUS, id=source_id, complete=COMPLETE).single()
    return None if record is None else str(record["status"])


def begin(session: Session, source_id: str, props: dict[str, Any]) -> None:
    """Create the Source node marked `importing` (committed) before any batch is written."""
    session.run(BEGIN, id=source_id, props=props, importing=IMPORTING).consume()


def finish(session: Session, rows: list[dict[str, Any]], imported_at: str) -> None:
    """Mark every Source of a successful call complete, with its final title/publisher/date, in one transaction."""
    def work(tx: Any) -> None:
        tx.run(FINISH, rows=rows, importedAt=imported_at, complete=COMPLETE).consume()
        bump_graph_version(tx)  # cached GraphQL answers and network measures move on to the imported data

    session.execute_write(work)


def compensate(session: Session, source_id: str) -> None:
    """Undo every write of `source_id` (see the module docstring). Idempotent; auto-commit transactions."""
    for query in COMPENSATION:
        session.run(query, source=source_id).consume()
    session.execute_write(bump_graph_version)  # readers may have cached answers from the undone batches
