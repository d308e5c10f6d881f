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
from typing import Any, Literal

from neo4j import Driver, Session
from neo4j.exceptions import DriverError, Neo4jError

from graph_seed import vocabulary as vocab
from graph_seed.importers import bookkeeping
from graph_seed.importers import sink as sink_module
from graph_seed.importers.common import FileSource, file_sha256, source_id
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


def _map_file(kind: str, path: Path, sha: str, resolver: Resolver, sink: sink_module.RecordSink,
              summary: ImportSummary, progress: Callable[[int], None] | None) -> FileSource:
    """Stream one file through its mapper into `sink`; returns the file's Source (title known only now)."""
    if kind == "iati":
        result = IatiMapper(path.name, resolver, sink, summary).run(path, progress)
        title = f"IATI activity file {path.name}" + (f" (IATI {result.version})" if result.version else "")
        return FileSource(path=path, sha256=sha, title=title, publisher=result.publisher, date=result.date)
    FaMapper(path.name, resolver, sink, summary).run(path, progress)
    return FileSource(path=path, sha256=sha, title=f"ForeignAssistance.gov complete extract {path.name}",
                      publisher=PUBLISHER)


def _account(summary: ImportSummary, sink: sink_module.RecordSink) -> None:
    summary.nodes_by_label.update(sink.labels)
    summary.relationships_by_type.update(sink.types)
    summary.organisations += sum(count for label, count in sink.labels.items() if label in vocab.ACTOR)


def _validate(kind: str, files: list[tuple[Path, str]], session: Session | None, summary: ImportSummary,
              progress: Callable[[int], None] | None) -> None:
    """The no-write pass of `--dry-run` and `--strict`: map every file, count, collect problems."""
    resolver = Resolver.from_graph(session, _MARKERS[kind])
    for path, sha in files:
        sink = sink_module.RecordSink(None, source_id(sha))
        _map_file(kind, path, sha, resolver, sink, summary, progress)
        sink.labels["Source"] += 1
        _account(summary, sink)
        if session is not None and bookkeeping.status(session, source_id(sha)) == bookkeeping.COMPLETE:
            summary.already_imported.append(str(path))
            summary.notes.append(f"{path.name}: already imported (these exact bytes); a real run changes nothing")


def _source_row(source: FileSource) -> dict[str, Any]:
    record = source.record()
    return {"id": record.id, "props": {"name": record.name, **record.properties}}


def _write(kind: str, driver: Driver, database: str | None, session: Session, files: list[tuple[Path, str]],
           summary: ImportSummary, progress: Callable[[int], None] | None) -> None:
    """Write each file in committed batches; on any failure undo every file of this call, then re-raise."""
    todo = []
    for path, sha in files:
        state = bookkeeping.status(session, source_id(sha))
        if state == bookkeeping.COMPLETE:
            summary.already_imported.append(str(path))
            summary.notes.append(f"{path.name}: already imported (these exact bytes); nothing to do")
            continue
        if state == bookkeeping.IMPORTING:
            bookkeeping.compensate(session, source_id(sha))
            summary.notes.append(f"{path.name}: an earlier import of this file did not finish; its partial writes "
                                 "were removed first")
        todo.append((path, sha))
    if not todo:
        return
    resolver = Resolver.from_graph(session, _MARKERS[kind])  # after any clean-up: it must not see partial data
    begun: list[str] = []
    finished: list[dict[str, Any]] = []
    try:
        for path, sha in todo:
            sid = source_id(sha)
            bookkeeping.begin(session, sid, _source_row(FileSource(path=path, sha256=sha, title=path.name))["props"])
            begun.append(sid)
            writer = sink_module.BatchWriter(driver, database, sid)
            try:
                sink = sink_module.RecordSink(writer, sid, batch_size=sink_module.BATCH_SIZE)
                source = _map_file(kind, path, sha, resolver, sink, summary, progress)
                writer.close()
            except BaseException:
                writer.abandon()
                raise
            sink.labels["Source"] += 1
            _account(summary, sink)
            summary.nodes_created += writer.counts.nodes_created + 1
            summary.relationships_created += writer.counts.relationships_created
            finished.append(_source_row(source))
        bookkeeping.finish(session, finished, datetime.now(UTC).isoformat(timespec="seconds"))
    except BaseException:
        _undo(session, begun)
        raise


def _undo(session: Session, source_ids: list[str]) -> None:
    """Compensate every source this call began, newest first. If that fails too (Neo4j gone), the Sources
    stay `importing` and the next import of those files cleans up before writing."""
    for sid in reversed(source_ids):
        try:
            bookkeeping.compensate(session, sid)
        except (Neo4jError, DriverError):
            return


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
    an `ImportError_` subclass naming file, line and field; the graph is then as it was before the call.
    `driver` may be None for a dry run that resolves organisations against the alias table only.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}; expected one of {', '.join(KINDS)}")
    started = time.monotonic()
    files = _check_paths(paths)
    summary = ImportSummary(kind=kind, files=[str(path) for path, _ in files], dry_run=dry_run)
    if dry_run or strict:
        check = ImportSummary(kind=kind, files=summary.files, dry_run=True)
        if driver is None:
            _validate(kind, files, None, check, progress if dry_run else None)
        else:
            with driver.session(database=database) as session:
                _validate(kind, files, session, check, progress if dry_run else None)
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
            _write(kind, driver, database, session, files, summary, progress)
        except (Neo4jError, DriverError) as exc:
            hint = ""
            if "MemoryPoolOutOfMemoryError" in str(exc):
                hint = (" -- one batch is larger than this Neo4j's transaction memory: lower "
                        "graph_seed.importers.sink.BATCH_SIZE, or raise dbms.memory.transaction.total.max")
            raise ImportWriteError(summary.files[-1] if summary.files else "-",
                                   f"Neo4j refused the write; what this import had written was removed: "
                                   f"{exc}{hint}") from exc
    summary.seconds = time.monotonic() - started
    return summary
