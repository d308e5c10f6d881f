"""Import bookkeeping on the file's Source node, and compensation: undo everything one source wrote.

Why: an import commits in batches (see `pipeline.py`), so "all or nothing" is kept by undoing, not by one
giant transaction. The Source node `src:file:<sha256 prefix>` records where an import of those bytes stands:

- `importStatus: "importing"` from before the first batch until the whole `import_files` call succeeded;
- `importStatus: "complete"` afterwards (a Source imported before this bookkeeping existed has no status and
  counts as complete: that older importer was all-or-nothing).

Two runs must never write the same file at once (each would take the other's batches for a crash's leftovers).
So while `importing`, the Source names its run (`importOwner`, a random token per `import_files` call) and
when that run last made progress (`importHeartbeat`, Neo4j's clock, moved by every committed batch):
- a second run that finds a heartbeat younger than `STALE_AFTER_SECONDS` refuses (`ImportInProgressError`);
- an older heartbeat means the owner died: the new run compensates its leftovers and takes the file over;
- every batch checks, in its own transaction, that its run still owns the Source, and a run compensates only
  Sources it still owns - so a run that was merely paused past the limit stops without undoing its successor.

Compensation for source `s` (on failure, or before re-importing bytes whose last import never finished):
1. relationships whose `createdBy` is `s` and whose `sources` are exactly `[s]` are deleted;
2. `s` is removed from `sources` of every other relationship (and `createdBy` passes to a remaining source,
   so a record another import also vouched for survives, owned by that import);
3. the same two steps for nodes (DETACH DELETE for the ones `s` alone created);
4. the Source node is deleted last, so an interrupted compensation is simply run again next time.
Every step runs as `CALL { ... } IN TRANSACTIONS`, so undoing a huge import never needs one huge transaction.
Steps 1 and 2 scan all relationships (they have no `createdBy` index) and step 3's second half all nodes
carrying `s` in a list: their cost grows with the graph, and they only run on failure or recovery.
"""

from __future__ import annotations

from typing import Any

from neo4j import Session

from graph_seed.neo4j_writer import bump_graph_version

IMPORTING = "importing"
COMPLETE = "complete"
STALE_AFTER_SECONDS = 600.0  # no committed batch for this long: the owning run is taken for dead
_CHUNK = 10_000

STATE = """
MATCH (s:Source {id: $id})
RETURN coalesce(s.importStatus, $complete) AS status, (timestamp() - coalesce(s.importHeartbeat, 0)) / 1000.0 AS idle
"""
BEGIN = """
MERGE (s:Entity {id: $id})
ON CREATE SET s:Source, s += $props, s.sources = [], s.aliases = [], s.aliasText = '', s.importStatus = $importing,
              s.importOwner = $owner, s.importHeartbeat = timestamp()
RETURN s.importOwner = $owner AS mine
"""
OWNS = "MATCH (s:Source {id: $id}) RETURN s.importOwner = $owner AS mine"
# In each batch's own transaction: this run still owns the file's Source, and it made progress now.
HEARTBEAT = """
MATCH (s:Source {id: $source})
WHERE s.importOwner = $owner
SET s.importHeartbeat = timestamp()
RETURN count(s) AS mine
"""
FINISH = """
UNWIND $rows AS row
MATCH (s:Source {id: row.id})
WHERE s.importOwner = $owner
SET s += row.props, s.importedAt = coalesce(s.importedAt, $importedAt), s.importStatus = $complete
REMOVE s.importOwner, s.importHeartbeat
RETURN count(s) AS finished
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


def state(session: Session, source_id: str) -> tuple[str | None, float]:
    """The Source's status - `None` (never imported), `"importing"` (unfinished: running elsewhere, crashed or
    killed) or `"complete"` - and the seconds since its owning run last made progress."""
    record = session.run(STATE, id=source_id, complete=COMPLETE).single()
    return (None, 0.0) if record is None else (str(record["status"]), float(record["idle"]))


def begin(session: Session, source_id: str, props: dict[str, Any], owner: str) -> bool:
    """Create the Source node marked `importing` and owned by `owner` (committed) before any batch is written.

    False when another run created it first (two runs started together): the caller must not write.
    """
    def work(tx: Any) -> bool:
        record = tx.run(BEGIN, id=source_id, props=props, importing=IMPORTING, owner=owner).single()
        return bool(record and record["mine"])

    return session.execute_write(work)


def owns(session: Session, source_id: str, owner: str) -> bool:
    record = session.run(OWNS, id=source_id, owner=owner).single()
    return bool(record and record["mine"])


class NotOwnedError(Exception):
    """A Source (its id in `args`) is no longer this run's: another run took the file over. Raised inside the
    write that found out, so that write is rolled back."""


def heartbeat(tx: Any, source_id: str, owner: str) -> None:
    """In a batch's transaction: check this run still owns the Source and record progress, or raise."""
    if not tx.run(HEARTBEAT, source=source_id, owner=owner).single(strict=True)["mine"]:
        raise NotOwnedError(source_id)


def finish(session: Session, rows: list[dict[str, Any]], imported_at: str, owner: str) -> None:
    """Mark every Source of a successful call complete, with its final title/publisher/date, in one transaction.

    Raises `NotOwnedError` (and changes nothing) if another run took any of them over meanwhile.
    """
    def work(tx: Any) -> None:
        record = tx.run(FINISH, rows=rows, importedAt=imported_at, complete=COMPLETE, owner=owner).single()
        if record is None or record["finished"] != len(rows):
            raise NotOwnedError(*(row["id"] for row in rows))
        bump_graph_version(tx)  # cached GraphQL answers and network measures move on to the imported data

    session.execute_write(work)


def compensate(session: Session, source_id: str) -> None:
    """Undo every write of `source_id` (see the module docstring). Idempotent; auto-commit transactions."""
    for query in COMPENSATION:
        session.run(query, source=source_id).consume()
    session.execute_write(bump_graph_version)  # readers may have cached answers from the undone batches
