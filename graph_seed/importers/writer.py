"""The background writer of an import: commits one batch at a time, in order, while the next is received.

Why a writer thread: while one batch is written, the importing process already reads (unpickles) the next one
from the mapping process (`mapping_process.py`). At most one batch is in flight and one is being received:
client memory stays flat.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

from neo4j import Driver, NotificationDisabledClassification, Session

from graph_seed import neo4j_writer
from graph_seed.neo4j_writer import Batch, Counts

# An import's queries name properties (`importHeartbeat`, `importOwner`, ...) that a fresh graph has never
# stored; Neo4j answers each with an "unrecognized property key" warning that the driver would print to stderr
# in the middle of the progress bar. Here they are expected, so the import's sessions do not ask for them.
_EXPECTED_NOTIFICATIONS = [NotificationDisabledClassification.UNRECOGNIZED]


def import_session(driver: Driver, database: str | None) -> Session:
    """A session for an import's queries, without the warnings a fresh graph's missing property keys raise."""
    return driver.session(database=database, notifications_disabled_classifications=_EXPECTED_NOTIFICATIONS)


class BatchWriter:
    """Commits batches for one source, one `execute_write` each, on a single background thread, in order."""

    def __init__(self, driver: Driver, database: str | None, source_id: str, owner: str = "") -> None:
        self.driver, self.database, self.source_id, self.owner = driver, database, source_id, owner
        self.counts = Counts()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cbsi-import-writer")
        self._pending: Future[Counts] | None = None

    def submit(self, batch: Batch) -> None:
        """Queue a batch; first waits for (and re-raises any error of) the batch still being written."""
        self.wait()
        batch.owner = self.owner
        self._pending = self._pool.submit(self._write, batch)

    def wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self.counts.add(pending.result())

    def close(self) -> None:
        """Wait for the last batch (unless failing) and stop the thread."""
        try:
            self.wait()
        finally:
            self._pool.shutdown(wait=True)

    def abandon(self) -> None:
        """On failure: let a running batch end (it is compensated like the others), swallow its outcome."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.exception()
        self._pool.shutdown(wait=True)

    def _write(self, batch: Batch) -> Counts:
        with import_session(self.driver, self.database) as session:
            # looked up at call time, so tests can inject a failure after N committed batches
            return session.execute_write(neo4j_writer.write_batch, self.source_id, batch)
