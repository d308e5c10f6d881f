"""Run an import: check the files, resolve against the graph, stream-map each file, write atomically.

Atomicity (why one transaction): every file of one `import_files` call is written inside ONE explicit Neo4j
transaction, in batches of `sink.BATCH_SIZE` records streamed as the file is read (the Python side never holds
a whole file). Any failure part-way - unsafe or malformed XML found late in a file, a broken CSV line, a Neo4j
error, an interrupt - rolls the transaction back, so the graph is exactly as it was before; re-running the
same command then ends as a clean run would. The price is that Neo4j keeps the uncommitted changes in its heap:
measured with `bench/bench_import.py` (see its output for sizes that fit a given heap). Batched commits with a
compensation step were rejected: undoing MERGEs that appended to `sources` lists of pre-existing nodes needs a
before-image of every touched node, which is more code and more ways to be wrong.

Passes: a normal import is a single streaming pass (parse, validate, write; bad rows are reported and left
out). `strict=True` first makes a full validation pass with no writes and raises `StrictModeError` listing
every bad row; only a clean file is then written. `dry_run=True` is the validation pass alone.

Idempotence: all ids are derived from file content (never from time or file path), nodes and relationships are
MERGEd, `sources` lists are unioned, and a Source's `importedAt` is set only when it is created.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from neo4j import Driver, Session, Transaction
from neo4j.exceptions import DriverError, Neo4jError

from graph_seed import vocabulary as vocab
from graph_seed.importers import sink as sink_module
from graph_seed.importers.common import FileSource, file_sha256
from graph_seed.importers.errors import ImportError_, ImportWriteError, StrictModeError
from graph_seed.importers.fa_csv import PUBLISHER, FaMapper
from graph_seed.importers.iati import IatiMapper
from graph_seed.importers.resolve import Resolver
from graph_seed.importers.summary import ImportSummary
from graph_seed.neo4j_writer import ensure_schema

Kind = Literal["iati", "fa-csv"]
KINDS: tuple[str, ...] = ("iati", "fa-csv")
_MARKERS = {"iati": ":iati:", "fa-csv": ":fa:"}


def _check_paths(paths: list[Path]) -> list[tuple[Path, str]]:
    """Each readable file once (by content hash), with its sha256; raises on a missing or unreadable file."""
    seen: set[str] = set()
    files = []
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise ImportError_(path, "no such file")
        try:
            sha = file_sha256(path)
        except OSError as exc:
            raise ImportError_(path, f"cannot read: {exc}") from None
        if sha not in seen:
            seen.add(sha)
            files.append((path, sha))
    return files


def _run_files(kind: str, files: list[tuple[Path, str]], session: Session | None, tx: Transaction | None,
               summary: ImportSummary, progress: Callable[[int], None] | None) -> None:
    """One pass over every file: map rows into a sink per file; with a transaction, write as it goes."""
    resolver = Resolver.from_graph(tx if tx is not None else session, _MARKERS[kind])  # reads in the write tx
    imported_at = datetime.now(UTC).isoformat(timespec="seconds")
    for path, sha in files:
        probe = FileSource(path=path, sha256=sha, title=path.name)
        sink = sink_module.RecordSink(tx, probe.id, batch_size=sink_module.BATCH_SIZE)
        if kind == "iati":
            result = IatiMapper(path.name, resolver, sink, summary).run(path, progress)
            title = f"IATI activity file {path.name}" + (f" (IATI {result.version})" if result.version else "")
            source = FileSource(path=path, sha256=sha, title=title, publisher=result.publisher, date=result.date)
        else:
            FaMapper(path.name, resolver, sink, summary).run(path, progress)
            source = FileSource(path=path, sha256=sha, title=f"ForeignAssistance.gov complete extract {path.name}",
                                publisher=PUBLISHER)
        sink.write_source(source.record(), imported_at)
        summary.nodes_by_label.update(sink.labels)
        summary.relationships_by_type.update(sink.types)
        summary.organisations += sum(count for label, count in sink.labels.items() if label in vocab.ACTOR)
        summary.nodes_created += sink.nodes_created
        summary.relationships_created += sink.relationships_created


def import_files(
    driver: Driver | None,
    kind: Kind,
    paths: list[Path],
    *,
    database: str | None = None,
    dry_run: bool = False,
    strict: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import IATI activity XML or ForeignAssistance.gov CSV files into Neo4j, all or nothing.

    `progress` is called with the number of rows (IATI activities / CSV rows) read so far. Fatal problems raise
    an `ImportError_` subclass naming file, line and field; nothing is written then. `driver` may be None
    for a dry run that resolves organisations against the alias table only.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}; expected one of {', '.join(KINDS)}")
    started = time.monotonic()
    files = _check_paths(paths)
    summary = ImportSummary(kind=kind, files=[str(path) for path, _ in files], dry_run=dry_run)
    if dry_run or strict:
        check = ImportSummary(kind=kind, files=summary.files, dry_run=True)
        if driver is None:
            _run_files(kind, files, None, None, check, progress if dry_run else None)
        else:
            with driver.session(database=database) as session:
                _run_files(kind, files, session, None, check, progress if dry_run else None)
        if strict and check.problems:
            raise StrictModeError(check.problems)
        if dry_run:
            check.seconds = time.monotonic() - started
            return check
    if driver is None:
        raise ValueError("a Neo4j driver is required unless dry_run=True")
    with driver.session(database=database) as session:
        try:
            ensure_schema(session)
            tx = session.begin_transaction()
        except (Neo4jError, DriverError) as exc:
            raise ImportWriteError(files[0][0] if files else "-", f"Neo4j: {exc}") from exc
        try:
            _run_files(kind, files, session, tx, summary, progress)
            tx.commit()
        except (Neo4jError, DriverError) as exc:
            _rollback(tx)
            hint = ""
            if "MemoryPoolOutOfMemoryError" in str(exc):
                hint = (" -- the import is larger than one transaction fits in this Neo4j's heap: split the file, or "
                        "raise the heap / dbms.memory.transaction.total.max")
            raise ImportWriteError(summary.files[-1] if summary.files else "-",
                                   f"Neo4j refused the write, nothing was imported: {exc}{hint}") from exc
        except BaseException:
            _rollback(tx)
            raise
    summary.seconds = time.monotonic() - started
    return summary


def _rollback(tx: Transaction) -> None:
    try:
        if not tx.closed():
            tx.rollback()
    except (Neo4jError, DriverError):
        pass  # the server drops an unfinished transaction when the session closes anyway
