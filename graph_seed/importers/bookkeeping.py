"""Import bookkeeping on the file's Source node, and compensation: undo everything one source wrote.

Why: an import commits in batches (see `pipeline.py`), so "all or nothing" is kept by undoing, not by one
giant transaction. The Source node `src:file:<sha256 prefix>` records where an import of those bytes stands:

- `importStatus: "importing"` from before the first batch until the whole `import_files` call succeeded;
- `importStatus: "complete"` afterwards (a Source imported before this bookkeeping existed has no status and
  counts as complete: that older importer was all-or-nothing).

Two runs must never write the same file at once (each would take the other's batches for a crash's leftovers).
So while `importing`, the Source names its run (`importOwner`, a random token per `import_files` call), the
process running it (`importHost`, `importPid`, `importProcessStart`: see `process_owner.py`) and when that run
last made progress (`importHeartbeat`, Neo4j's clock, moved by every committed batch). A second run takes the
file over (`claim`), compensates its leftovers and imports it as new when
- the owner's process is certainly gone (same host, pid not running or started at another time): at once;
- or the heartbeat is older than `STALE_AFTER_SECONDS` (the owner died elsewhere, or hangs);
- or the user said so (`--take-over`), whatever the heartbeat's age;
otherwise it refuses (`ImportInProgressError`). Every batch checks, in its own transaction, that its run still
owns the Source, and a run compensates only Sources it still owns - so a run that was taken over while alive
stops at its next batch without undoing its successor. `claim` takes the Source's lock, so it waits for a batch
the old owner is writing; after it, the old owner commits nothing more, and the compensation sees all it wrote.

The run's record stays on the Source for `imports` in GraphQL: `importStartedAt` and `importRows` (input rows
read by the last committed batch, then in total); `importedAt` says when it finished.

Every change here moves the graph version in the transaction that makes it (`begin`, each batch, `finish`,
each inner transaction of the compensation), so caches keyed on the version never lag the committed data.
Each of them bumps it *first*: all import transactions take the version node's lock before any other, so a
compensation and a batch (or two compensations) touching the same shared node cannot deadlock. A batch also
relies on it: the ids it reads as absent right after the bump stay absent until it commits, so it CREATEs them
(`neo4j_writer.write_batch`). `claim` alone does not bump: it only edits the Source's import fields.

Compensation for source `s` (on failure, or before re-importing bytes whose last import never finished):
1. relationships whose `createdBy` is `s` and whose `sources` are exactly `[s]` are deleted;
2. `s` is removed from `sources` of every other relationship (and `createdBy` passes to a remaining source,
   so a record another import also vouched for survives, owned by that import);
3. the same two steps for nodes (DETACH DELETE for the ones `s` alone created);
4. the Source node is deleted last, so an interrupted compensation is simply run again next time.
Steps 1-3 run as `CALL { ... } IN TRANSACTIONS`, so undoing a huge import never needs one huge transaction.
Steps 1 and 2 scan all relationships (they have no `createdBy` index) and step 3's second half all nodes
carrying `s` in a list: their cost grows with the graph, and they only run on failure or recovery.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from neo4j import Session

from graph_seed.importers.process_owner import ProcessId
from graph_seed.neo4j_writer import BUMP_GRAPH_VERSION_CLAUSE, bump_graph_version, lowered_set

IMPORTING = "importing"
COMPLETE = "complete"
STALE_AFTER_SECONDS = 600.0  # no committed batch for this long: the owning run is taken for dead
_CHUNK = 10_000

STATE = """
MATCH (s:Source {id: $id})
RETURN coalesce(s.importStatus, $complete) AS status, (timestamp() - coalesce(s.importHeartbeat, 0)) / 1000.0 AS idle,
       coalesce(s.importOwner, '') AS owner, s.importHost AS host, s.importPid AS pid,
       s.importProcessStart AS processStart
"""
BEGIN = f"""
MERGE (s:Entity {{id: $id}})
ON CREATE SET s:Source, s += $props, {lowered_set("s", "$props")}, s.sources = [], s.aliases = [], s.aliasText = '',
              s.importStatus = $importing, s.importOwner = $owner, s.importHeartbeat = timestamp(),
              s.importStartedAt = $startedAt, s.importRows = 0, s += $process
RETURN s.importOwner = $owner AS mine
"""
# Take a run over: only if it is still the one the caller judged (another run may have claimed it meanwhile).
CLAIM = """
MATCH (s:Source {id: $id})
WHERE s.importStatus = $importing AND coalesce(s.importOwner, '') = $previous
SET s.importOwner = $owner, s.importHeartbeat = timestamp(), s += $process
RETURN count(s) AS claimed
"""
OWNS = "MATCH (s:Source {id: $id}) RETURN s.importOwner = $owner AS mine"
# In each batch's own transaction: this run still owns the file's Source, and it made progress now.
HEARTBEAT = """
MATCH (s:Source {id: $source})
WHERE s.importOwner = $owner
SET s.importHeartbeat = timestamp(), s.importRows = $rows
RETURN count(s) AS mine
"""
FINISH = f"""
UNWIND $rows AS row
MATCH (s:Source {{id: row.id}})
WHERE s.importOwner = $owner
SET s += row.props, s.importedAt = coalesce(s.importedAt, $importedAt), s.importStatus = $complete
SET {lowered_set("s", "s")}
REMOVE s.importOwner, s.importHeartbeat, s.importHost, s.importPid, s.importProcessStart
RETURN count(s) AS finished
"""
# Each inner transaction moves the graph version before anything else (once per row: one cheap SET on one node).
_BUMP = BUMP_GRAPH_VERSION_CLAUSE
COMPENSATION: tuple[str, ...] = (
    f"""MATCH ()-[r]->() WHERE r.createdBy = $source AND r.sources = [$source]
    CALL (r) {{ {_BUMP} WITH r DELETE r }} IN TRANSACTIONS OF {_CHUNK} ROWS""",
    f"""MATCH ()-[r]->() WHERE $source IN r.sources
    CALL (r) {{
      {_BUMP}
      WITH r, [x IN r.sources WHERE x <> $source] AS rest
      SET r.sources = rest, r.createdBy = CASE WHEN r.createdBy = $source THEN head(rest) ELSE r.createdBy END
    }} IN TRANSACTIONS OF {_CHUNK} ROWS""",
    f"""MATCH (n:Entity) WHERE n.createdBy = $source AND n.sources = [$source]
    CALL (n) {{ {_BUMP} WITH n DETACH DELETE n }} IN TRANSACTIONS OF {_CHUNK} ROWS""",
    f"""MATCH (n:Entity) WHERE $source IN n.sources
    CALL (n) {{
      {_BUMP}
      WITH n, [x IN n.sources WHERE x <> $source] AS rest
      SET n.sources = rest, n.createdBy = CASE WHEN n.createdBy = $source THEN head(rest) ELSE n.createdBy END
    }} IN TRANSACTIONS OF {_CHUNK} ROWS""",
)
DELETE_SOURCE = "MATCH (s:Source {id: $source}) DETACH DELETE s"


@dataclass(frozen=True)
class RunState:
    """Where an import of one file stands (`state`)."""

    status: str | None  # None (never imported), IMPORTING (unfinished) or COMPLETE
    idle: float  # seconds since the owning run's last committed batch
    owner: str  # the owning run's token ('' if none)
    process: ProcessId | None  # the process running it, when the run recorded one


def _process_props(process: ProcessId | None) -> dict[str, Any]:
    if process is None:
        return {}
    return {"importHost": process.host, "importPid": process.pid, "importProcessStart": process.started}


def state(session: Session, source_id: str) -> RunState:
    """Where the file's import stands: never imported, unfinished (running elsewhere, crashed or killed) or
    complete; for an unfinished one, its owner and how long since it last made progress."""
    record = session.run(STATE, id=source_id, complete=COMPLETE).single()
    if record is None:
        return RunState(None, 0.0, "", None)
    process = None
    if record["host"] is not None and record["pid"] is not None:
        started = record["processStart"]
        process = ProcessId(str(record["host"]), int(record["pid"]), None if started is None else int(started))
    return RunState(str(record["status"]), float(record["idle"]), str(record["owner"]), process)


def begin(session: Session, source_id: str, props: dict[str, Any], owner: str,
          process: ProcessId | None = None, started_at: str | None = None) -> bool:
    """Create the Source node marked `importing` and owned by `owner` (committed) before any batch is written.

    False when another run created it first (two runs started together): the caller must not write.
    """
    def work(tx: Any) -> bool:
        bump_graph_version(tx)  # first (see the module docstring): `imports` in GraphQL now lists this run
        record = tx.run(BEGIN, id=source_id, props=props, importing=IMPORTING, owner=owner, startedAt=started_at,
                        process=_process_props(process)).single()
        return bool(record and record["mine"])

    return session.execute_write(work)


def claim(session: Session, source_id: str, previous: str, owner: str, process: ProcessId | None = None) -> bool:
    """Take an unfinished import over from run `previous`: `owner` owns the Source from now on.

    False when `previous` no longer owns it (it finished, or another run claimed it first). Waits for a batch
    `previous` is committing (the batch holds the Source's lock); later batches of `previous` are refused.
    """
    def work(tx: Any) -> bool:
        record = tx.run(CLAIM, id=source_id, previous=previous, owner=owner, importing=IMPORTING,
                        process=_process_props(process)).single()
        return bool(record and record["claimed"])

    return session.execute_write(work)


def owns(session: Session, source_id: str, owner: str) -> bool:
    record = session.run(OWNS, id=source_id, owner=owner).single()
    return bool(record and record["mine"])


class NotOwnedError(Exception):
    """A Source (its id in `args`) is no longer this run's: another run took the file over. Raised inside the
    write that found out, so that write is rolled back."""


def heartbeat(tx: Any, source_id: str, owner: str, rows: int = 0) -> None:
    """In a batch's transaction: check this run still owns the Source and record progress (`rows` read so far),
    or raise."""
    if not tx.run(HEARTBEAT, source=source_id, owner=owner, rows=rows).single(strict=True)["mine"]:
        raise NotOwnedError(source_id)


def finish(session: Session, rows: list[dict[str, Any]], imported_at: str, owner: str) -> None:
    """Mark every Source of a successful call complete, with its final title/publisher/date, in one transaction.

    Raises `NotOwnedError` (and changes nothing) if another run took any of them over meanwhile.
    """
    def work(tx: Any) -> None:
        bump_graph_version(tx)  # first (see the module docstring); cached answers move on to the imported data
        record = tx.run(FINISH, rows=rows, importedAt=imported_at, complete=COMPLETE, owner=owner).single()
        if record is None or record["finished"] != len(rows):
            raise NotOwnedError(*(row["id"] for row in rows))

    session.execute_write(work)


def compensate(session: Session, source_id: str) -> None:
    """Undo every write of `source_id` (see the module docstring). Idempotent; auto-commit transactions."""
    for query in COMPENSATION:
        session.run(query, source=source_id).consume()

    def delete_source(tx: Any) -> None:
        bump_graph_version(tx)
        tx.run(DELETE_SOURCE, source=source_id).consume()

    session.execute_write(delete_source)
