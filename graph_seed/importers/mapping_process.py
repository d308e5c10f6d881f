"""Map an import's files in a child process and hand ready batches to the writing process over a pipe.

Why: parsing and mapping (CSV or XML, resolution, row checks) took ~15 s of a 100k-row FA import, on the
thread next to the one where the driver packs each batch's parameters, under the same GIL: the two did not
overlap well with the writes (docs/benchmarks.md, "Importers"). In a forked child the mapping runs on the
other core; the parent only unpickles each batch and writes it.

The child is forked (not spawned) after the parent built the resolver: it inherits the resolver, the summary
so far and the mapping function as they are, with nothing to pickle on the way in. The child maps every file of
the call in order, with one resolver, exactly as the in-process mapping did.

Messages, child to parent, in order on one pipe:
- `("progress", rows)`: rows read so far (only when the caller asked for progress);
- `("batch", Batch)`: the next full batch of the current file;
- `("file", FileMapped)`: the current file is mapped: its Source, and the summary and counts so far;
- `("error", exception)`: mapping failed; an `ImportError_` names file, line and field as before.

Receiving a batch runs with the cyclic garbage collector paused: unpickling the 14 batches of a 100k-row FA
file took 1.5 s of CPU with it and 0.43 s without (the collector rescans the batch being built), time taken
under the GIL the writer thread packs parameters with.

Back-pressure: a pipe holds 64 KB, so `send` of a batch blocks until the parent reads it. The child is at most
one batch ahead of the batch being written: memory stays bounded on both sides, never the whole file.

Shutdown: the child ignores SIGINT (Ctrl-C reaches the whole process group; the parent decides what happens).
The parent `close()`s the child whenever it stops reading: after the last file the child has exited on its
own; on failure (a refused write, Ctrl-C, a file with nothing to import) it is terminated and reaped, so no
child outlives an import. If the parent dies, the child's next `send` fails (broken pipe) and it exits.
Needs `fork` (POSIX).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import pickle
import signal
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from graph_seed.importers.common import FileSource
from graph_seed.importers.errors import ImportError_
from graph_seed.importers.sink import BatchTarget
from graph_seed.importers.summary import ImportSummary
from graph_seed.neo4j_writer import Batch

# The summary fields mapping changes; the parent adopts them from the child after each file (the others, such as
# `nodes_created`, are the parent's own).
MAPPED_FIELDS = ("rows_read", "activities", "programs", "transactions", "funding", "rows_skipped", "problems",
                 "notes", "problem_count", "reasons", "placeholders", "empty_files")
_POLL_SECONDS = 0.5

# (path, sha256, summary, the sink's batch target, progress or None) -> the file's Source, its sink's counts
MapOne = Callable[[Path, str, ImportSummary, BatchTarget, Callable[[int], None] | None],
                  tuple[FileSource, Counter[str], Counter[str]]]


@dataclass
class FileMapped:
    """What the child reports when a file is mapped."""

    source: FileSource
    summary: ImportSummary
    labels: Counter[str]
    types: Counter[str]

    def adopt(self, summary: ImportSummary) -> None:
        """Copy the mapping's figures into the parent's summary."""
        for name in MAPPED_FIELDS:
            setattr(summary, name, getattr(self.summary, name))


class _PipeTarget:
    """The sink's batch target in the child: each full batch goes down the pipe (blocking while it is full)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def submit(self, batch: Batch) -> None:
        self.conn.send(("batch", batch))


def _portable(exc: BaseException) -> BaseException:
    """The exception itself if it survives pickling, else a RuntimeError carrying its traceback text."""
    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301 - our own bytes, made on the line: does it come back?
        return exc
    except Exception:  # noqa: BLE001 - any failure to pickle means: send the text instead
        return RuntimeError("the import's mapping process failed:\n" + "".join(traceback.format_exception(exc)))


def _child(conn: Connection, parent_end: Connection, map_one: MapOne, files: list[tuple[Path, str]],
           summary: ImportSummary, want_progress: bool) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent_end.close()  # so the parent's death is a broken pipe here
    target = _PipeTarget(conn)

    def progress(rows: int) -> None:
        conn.send(("progress", rows))

    try:
        for path, sha in files:
            source, labels, types = map_one(path, sha, summary, target, progress if want_progress else None)
            conn.send(("file", FileMapped(source, summary, labels, types)))
    except (BrokenPipeError, ConnectionResetError):
        return  # the parent stopped reading (it failed, or it is gone): nothing to tell anyone
    except BaseException as exc:  # noqa: BLE001 - every failure is reported to the parent, which raises it
        with contextlib.suppress(OSError):
            conn.send(("error", _portable(exc)))
    finally:
        conn.close()


class MappingProcess:
    """The child process mapping `files` in order; `next_message()` returns its messages (see the docstring)."""

    def __init__(self, map_one: MapOne, files: list[tuple[Path, str]], summary: ImportSummary,
                 want_progress: bool) -> None:
        context = multiprocessing.get_context("fork")
        self._conn, child_end = context.Pipe(duplex=False)
        self.process = context.Process(target=_child, name="cbsi-import-mapper", daemon=True,
                                       args=(child_end, self._conn, map_one, files, summary, want_progress))
        self.process.start()
        child_end.close()  # the child holds the only writing end: its exit is an EOF here

    def next_message(self) -> tuple[str, Any]:
        """The child's next message; raises `ImportError_` if the child died without a word."""
        while not self._conn.poll(_POLL_SECONDS):
            if not self.process.is_alive() and not self._conn.poll(0):
                raise self._died()
        collecting = gc.isenabled()
        gc.disable()  # unpickling a batch builds ~50,000 acyclic dicts: no cycles to find, only rescans (below)
        try:
            message: tuple[str, Any] = self._conn.recv()
        except EOFError:
            raise self._died() from None
        finally:
            if collecting:
                gc.enable()
        return message

    def _died(self) -> ImportError_:
        self.process.join(5)
        return ImportError_("-", f"the import's mapping process stopped unexpectedly (exit code "
                                 f"{self.process.exitcode}); nothing of this import was kept")

    def close(self) -> None:
        """Stop the child if it still runs, and reap it (idempotent)."""
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(10)
            if self.process.is_alive():
                self.process.kill()
        self.process.join()
        self._conn.close()
