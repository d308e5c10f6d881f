"""Run an import: check the files, settle earlier runs, resolve against the graph, stream-map, write in batches.

Why committed batches (and not one transaction): one transaction per import kept the whole file's changes in
Neo4j's heap (files of 100k rows failed) and ran at 300-2,200 rows/s. Now each file is written in committed
transactions of `sink.BATCH_SIZE` records. The files are parsed and mapped in a child process
(`mapping_process.py`), which hands ready batches over a pipe; this process writes them (a background thread
per file, `writer.py`), so parsing runs on the other core while a batch is written.

All or nothing is kept by compensation, made exact by two rules (`graph_seed/neo4j_writer.py`):
- every node and relationship an import CREATES is stamped `createdBy: <source id>`;
- a node or relationship that already existed only gets the source id appended to `sources`: an import never
  rewrites properties it did not create. (The first import that created a program or Funding fixes its
  properties; later files that state the same record add their source to it.)
Undoing source `s` = delete what `s` alone created, remove `s` from every other `sources` list, delete the
Source node (`bookkeeping.py`). That restores the graph exactly, with no before-images.

The file's Source node `src:file:<sha256 prefix>` carries `importStatus`:
1. sha256 first (streaming). Source `complete` (or imported before this bookkeeping existed): the same bytes
   were fully imported - the file is skipped and reported "already imported" (`--dry-run` still validates).
2. Source `importing`: another run is writing it, or an earlier run crashed or was killed. It is taken over
   (its leftovers compensated first, then the file imported as new) when its process is certainly gone (same
   host, pid gone: at once), when it made no progress for `bookkeeping.STALE_AFTER_SECONDS`, or when the caller
   asks (`take_over=True`, the CLI's `--take-over`); otherwise the import refuses with `ImportInProgressError`.
3. Create the Source as `importing`, owned by this run (committed), write the batches (each checks the
   ownership and moves the heartbeat), and when every file of the call is done, mark them all `complete` in
   one transaction.
4. Any exception (unsafe or malformed XML found late, a broken CSV, a Neo4j error, Ctrl-C): compensate every
   file this call began, newest first, then re-raise. If compensation itself cannot run (Neo4j gone, the
   process killed), the Sources stay `importing` and step 2 cleans up on the next run.
So a failed import leaves no records behind, and re-running it ends exactly as a clean run would.

What this does not hide: while an import runs, other readers see its committed batches (a partial import),
and after a crash they see the partial data until that file is imported again (that import takes over
at once if the crashed process was on this host, else after `STALE_AFTER_SECONDS` or with `take_over`).
GraphQL's `imports` lists unfinished runs, so readers can tell; every batch moves the graph version (see
`bookkeeping.py`). Compensation scans all nodes and relationships for the
source id: its cost grows with the graph, and it runs only on failure.

Passes: a normal import is a single streaming pass per file (parse, validate, write; bad rows are reported and
left out). `strict=True` first makes a full validation pass with no writes and raises `StrictModeError`
listing every bad row; only clean files are then written. `dry_run=True` is the validation pass alone.

Idempotence: all ids are derived from file content (never from time or file path), nodes and relationships are
MERGEd (or CREATEd where a MERGE could only create), `sources` lists are unioned, and a complete Source makes
a re-import a no-op.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from neo4j import Driver, Session
from neo4j.exceptions import DriverError, Neo4jError

from graph_seed import vocabulary as vocab
from graph_seed.importers import bookkeeping
from graph_seed.importers import sink as sink_module
from graph_seed.importers.bookkeeping import NotOwnedError, RunState
from graph_seed.importers.common import FileSource, file_sha256, source_id
from graph_seed.importers.errors import (
    ImportError_,
    ImportInProgressError,
    ImportTakenOverError,
    ImportWriteError,
    NothingImportedError,
    StrictModeError,
)
from graph_seed.importers.fa_csv import PUBLISHER, FaMapper
from graph_seed.importers.iati import IatiMapper
from graph_seed.importers.mapping_process import FileMapped, MapOne, MappingProcess
from graph_seed.importers.process_owner import ProcessId, is_gone, this_process
from graph_seed.importers.resolve import Resolver
from graph_seed.importers.summary import ImportSummary
from graph_seed.importers.writer import BatchWriter, import_session
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
        if path.is_dir():
            raise ImportError_(path, "is a directory, not a file (name the files inside it)")
        if not path.exists():
            raise ImportError_(path, "no such file")
        if not path.is_file():
            raise ImportError_(path, "not a regular file")
        try:
            sha = file_sha256(path)
        except OSError as exc:
            raise ImportError_(path, f"cannot read: {exc}") from None
        if sha not in seen:
            seen.add(sha)
            files.append((path, sha))
    return files


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often while files are mapped, then restore its thresholds.

    Why: a mapper allocates millions of short-lived, acyclic dicts and tuples; with the default thresholds the
    collector runs every 700 allocations and keeps rescanning the batch being filled (13-28% of a dry run,
    bench/results/import-client.md). Nothing is leaked: cycles are still collected, only in larger steps.

    Only in a process that does not write (a dry run, or an import's mapping process): the driver leaves each
    written batch's parameters in reference cycles, and with these thresholds they were collected so late that
    a 1M-row import peaked at 505-520 MB instead of ~200 MB (bench/results/import.md).
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _map_file(kind: str, path: Path, sha: str, resolver: Resolver, sink: sink_module.RecordSink,
              summary: ImportSummary, progress: Callable[[int], None] | None) -> FileSource:
    """Stream one file through its mapper into `sink`; returns the file's Source (title known only now).

    A file none of whose records became a Program or a Funding (all skipped, or none at all) is listed in
    `summary.empty_files`, with why, for `_nothing_imported`."""
    before = (summary.rows_read, summary.programs, summary.funding, Counter(summary.reasons))
    source = _map_file_now(kind, path, sha, resolver, sink, summary, progress)
    if (summary.programs, summary.funding) == before[1:3]:
        summary.empty_files.append(str(path))
        reasons = summary.reasons - before[3]
        why = "; ".join(f"{n} x {reason}" for reason, n in reasons.most_common(3))
        read = summary.rows_read - before[0]
        unit = "activities" if kind == "iati" else "rows"
        summary.notes.append(f"{path.name}: nothing imported: {read} {unit} read, all skipped"
                             + (f" ({why})" if why else "") + "; not recorded as imported")
    return source


def _nothing_imported(path: Path | str, summary: ImportSummary) -> NothingImportedError:
    note = next((n for n in summary.notes if n.startswith(Path(path).name + ": nothing imported")), "")
    detail = note.split(": ", 1)[1] if note else "nothing imported"
    return NothingImportedError(path, f"{detail}. A fixed importer will read it again; pass --allow-empty "
                                      "(allow_empty=True) to accept an input with no records")


def _map_file_now(kind: str, path: Path, sha: str, resolver: Resolver, sink: sink_module.RecordSink,
                  summary: ImportSummary, progress: Callable[[int], None] | None) -> FileSource:
    if kind == "iati":
        result = IatiMapper(path.name, resolver, sink, summary).run(path, progress)
        title = f"IATI activity file {path.name}" + (f" (IATI {result.version})" if result.version else "")
        return FileSource(path=path, sha256=sha, title=title, publisher=result.publisher, date=result.date)
    FaMapper(path.name, resolver, sink, summary).run(path, progress)
    return FileSource(path=path, sha256=sha, title=f"ForeignAssistance.gov complete extract {path.name}",
                      publisher=PUBLISHER)


def _account(summary: ImportSummary, labels: Counter[str], types: Counter[str]) -> None:
    summary.nodes_by_label.update(labels)
    summary.nodes_by_label["Source"] += 1  # the file's own Source node
    summary.relationships_by_type.update(types)
    summary.organisations += sum(count for label, count in labels.items() if label in vocab.ACTOR)


def _validate(kind: str, files: list[tuple[Path, str]], session: Session | None, summary: ImportSummary,
              progress: Callable[[int], None] | None) -> None:
    """The no-write pass of `--dry-run` and `--strict`: map every file, count, collect problems."""
    resolver = Resolver.from_graph(session, _MARKERS[kind])
    for path, sha in files:
        sink = sink_module.RecordSink(None, source_id(sha))
        try:
            with _fewer_collections():
                _map_file(kind, path, sha, resolver, sink, summary, progress)
        finally:
            sink.close()
        _account(summary, sink.labels, sink.types)
        if session is not None and bookkeeping.state(session, source_id(sha)).status == bookkeeping.COMPLETE:
            summary.already_imported.append(str(path))
            summary.notes.append(f"{path.name}: already imported (these exact bytes); a real run changes nothing")


def _source_row(source: FileSource) -> dict[str, Any]:
    record = source.record()
    return {"id": record.id, "props": {"name": record.name, **record.properties}}


def _write(kind: str, driver: Driver, database: str | None, session: Session, files: list[tuple[Path, str]],
           summary: ImportSummary, progress: Callable[[int], None] | None, take_over: bool,
           allow_empty: bool = False) -> None:
    """Write each file in committed batches; on any failure undo every file of this call, then re-raise."""
    owner = uuid.uuid4().hex  # this run, on every Source it writes (see `bookkeeping.py`)
    process = this_process()
    todo = []
    for path, sha in files:
        run = bookkeeping.state(session, source_id(sha))
        if run.status == bookkeeping.COMPLETE:
            summary.already_imported.append(str(path))
            summary.notes.append(f"{path.name}: already imported (these exact bytes); nothing to do")
            continue
        if run.status == bookkeeping.IMPORTING:
            why = _take_over_reason(run, take_over)
            if why is None or not bookkeeping.claim(session, source_id(sha), run.owner, owner, process):
                raise ImportInProgressError(path, _in_progress(run.idle))
            bookkeeping.compensate(session, source_id(sha))
            summary.notes.append(f"{path.name}: {why}; its partial writes were removed first")
        todo.append((path, sha))
    if not todo:
        return
    resolver = Resolver.from_graph(session, _MARKERS[kind])  # after any clean-up: it must not see partial data
    begun: list[str] = []
    paths = {source_id(sha): path for path, sha in todo}
    finished: list[dict[str, Any]] = []
    mapper = MappingProcess(_map_in_child(kind, resolver, sink_module.BATCH_SIZE), todo, summary,
                            progress is not None)
    try:
        for path, sha in todo:
            sid = source_id(sha)
            props = _source_row(FileSource(path=path, sha256=sha, title=path.name))["props"]
            if not bookkeeping.begin(session, sid, props, owner, process, _now()):
                raise ImportInProgressError(path, _in_progress(0.0))
            begun.append(sid)
            writer = BatchWriter(driver, database, sid, owner)
            rows_before = summary.rows_read
            try:
                mapped = _write_file(mapper, writer, summary, progress)
                writer.close()
            except BaseException:
                writer.abandon()
                raise
            _account(summary, mapped.labels, mapped.types)
            summary.nodes_created += writer.counts.nodes_created + 1  # + the Source node `begin` created
            summary.relationships_created += writer.counts.relationships_created
            if str(path) in summary.empty_files:
                if not allow_empty:
                    raise _nothing_imported(path, summary)
                # accepted, but never recorded complete: its Source goes, so a fixed importer reads it again
                bookkeeping.compensate(session, sid)
                begun.remove(sid)
                summary.nodes_created -= 1
                continue
            row = _source_row(mapped.source)
            row["props"]["importRows"] = summary.rows_read - rows_before
            finished.append(row)
        mapper.close()
        bookkeeping.finish(session, finished, _now(), owner)
    except NotOwnedError as lost:
        mapper.close()
        _undo(session, begun, owner)
        shown = ", ".join(str(paths[sid]) for sid in lost.args if sid in paths) or "-"
        raise ImportTakenOverError(shown, _TAKEN_OVER) from None
    except BaseException:
        mapper.close()  # first: the child stops before the compensation starts
        _undo(session, begun, owner)
        raise


def _map_in_child(kind: str, resolver: Resolver, batch_size: int) -> MapOne:
    """The mapping of one file as the child process runs it (`mapping_process.MapOne`): into a sink whose
    batches go down the pipe. No driver runs in the child, so it collects garbage less often."""
    def map_one(path: Path, sha: str, summary: ImportSummary, target: sink_module.BatchTarget,
                progress: Callable[[int], None] | None) -> tuple[FileSource, Counter[str], Counter[str]]:
        sink = sink_module.RecordSink(target, source_id(sha), batch_size=batch_size,
                                      rows_read=functools.partial(_rows_since, summary, summary.rows_read))
        try:
            with _fewer_collections():
                source = _map_file(kind, path, sha, resolver, sink, summary, progress)
        finally:
            sink.close()  # its per-file memory and spill files
        return source, sink.labels, sink.types
    return map_one


def _write_file(mapper: MappingProcess, writer: BatchWriter, summary: ImportSummary,
                progress: Callable[[int], None] | None) -> FileMapped:
    """Write the current file's batches as the child sends them; returns what the child reports at its end."""
    while True:
        kind, payload = mapper.next_message()
        if kind == "batch":
            writer.submit(payload)
        elif kind == "progress":
            if progress is not None:
                progress(payload)
        elif kind == "file":
            payload.adopt(summary)
            mapped: FileMapped = payload
            return mapped
        else:  # "error": the child's exception, file, line and field included
            raise payload


def _rows_since(summary: ImportSummary, before: int) -> int:
    return summary.rows_read - before


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _take_over_reason(run: RunState, take_over: bool) -> str | None:
    """Why an unfinished run may be taken over now (see `bookkeeping.py`), or None if it must be left alone."""
    if run.process is not None and is_gone(run.process):
        return f"the earlier import of this file ({_described(run.process)}) is no longer running"
    if run.idle >= bookkeeping.STALE_AFTER_SECONDS:
        return f"an earlier import of this file did not finish (no progress for {run.idle:.0f} s)"
    if take_over:
        return f"taken over (--take-over) from an unfinished import whose last progress was {run.idle:.0f} s ago"
    return None


def _described(process: ProcessId) -> str:
    return f"pid {process.pid} on {process.host}"


_TAKEN_OVER = ("another import of this file took it over (this run made no progress for "
               f"{bookkeeping.STALE_AFTER_SECONDS:.0f} s, or it was taken over with --take-over); this run "
               "stopped, and left that run's work alone")


def _in_progress(idle: float) -> str:
    return (f"another import of this file is running (last progress {idle:.0f} s ago); nothing was written. "
            f"Wait for it to finish. If it was killed on this machine, the next import takes it over at once; "
            f"otherwise it is taken over once it has been quiet for {bookkeeping.STALE_AFTER_SECONDS:.0f} s, or "
            f"now with --take-over. Its partial writes are then removed first")


def _undo(session: Session, source_ids: list[str], owner: str) -> None:
    """Compensate every source this call began and still owns, newest first. If that fails too (Neo4j gone),
    the Sources stay `importing` and a later import of those files cleans up before writing."""
    for sid in reversed(source_ids):
        try:
            if bookkeeping.owns(session, sid, owner):
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
    allow_empty: bool = False,
    take_over: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import IATI activity XML or ForeignAssistance.gov CSV files into Neo4j, all or nothing.

    `progress` is called with the number of rows (IATI activities / CSV rows) read so far. Fatal problems raise
    an `ImportError_` subclass naming file, line and field; the graph is then as it was before the call.
    `driver` may be None for a dry run that resolves organisations against the alias table only.
    A file none of whose records was imported (all skipped, or none) raises `NothingImportedError` (nothing of
    the call is written) unless `allow_empty`; then it is imported as far as it goes but never recorded
    complete, so a later, fixed importer reads it again.
    `take_over=True` takes over an unfinished import of a file even if its owner made progress recently (its
    partial writes are compensated first; the owner, if still running, stops at its next batch).
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
            with import_session(driver, database) as session:
                _validate(kind, files, session, check, progress if dry_run else None)
        if strict and check.problems:
            raise StrictModeError(check.problems, check.problem_count)
        if check.empty_files and not allow_empty:
            raise _nothing_imported(check.empty_files[0], check)
        if dry_run:
            check.seconds = time.monotonic() - started
            return check
    if driver is None:
        raise ValueError("a Neo4j driver is required unless dry_run=True")
    with import_session(driver, database) as session:
        try:
            ensure_schema(session, backfill=False)  # `serve`/`seed` migrate older graphs, not every import
            _write(kind, driver, database, session, files, summary, progress, take_over, allow_empty)
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
