"""Import errors: one fatal-exception family for the CLI, and the per-row problem record.

Why a hierarchy: the CLI prints any `ImportError_` as one clear line (file, line, field) and exits non-zero;
tests can assert on the precise subclass (hostile XML is not the same failure as a missing column).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RowProblem:
    """A row (CSV line or IATI element) that was not imported, and why. Never dropped silently."""

    file: str
    line: int | None
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field + ': ' if self.field else ''}{self.reason}"


class ImportError_(Exception):
    """A fatal import problem: nothing was written. The message names the file (and line/field if known)."""

    def __init__(self, file: str | Path, message: str, line: int | None = None, field: str | None = None) -> None:
        self.file, self.line, self.field = str(file), line, field
        where = self.file if line is None else f"{self.file}:{line}"
        super().__init__(f"{where}: {field + ': ' if field else ''}{message}")

    def __reduce__(self) -> tuple[object, ...]:
        """Pickle as the finished error (message, file, line, field): the mapping runs in a child process
        (`mapping_process.py`) and its errors cross a pipe; the default would call `__init__` with the
        message alone and fail."""
        return _rebuild, (type(self), self.args, dict(self.__dict__))


def _rebuild(cls: type[ImportError_], args: tuple[object, ...], state: dict[str, object]) -> ImportError_:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class UnsafeXMLError(ImportError_):
    """The XML declares a DTD or entities, or references external resources: refused, never parsed further."""


class MalformedFileError(ImportError_):
    """Not well-formed XML, not a CSV of the expected kind, or not readable as UTF-8."""


class MissingColumnError(ImportError_):
    """A required ForeignAssistance.gov column is absent from the header."""


class StrictModeError(ImportError_):
    """`strict=True` and at least one row is bad: the import was aborted before writing anything."""

    def __init__(self, problems: list[RowProblem], total: int | None = None) -> None:
        """`problems`: the ones kept (a summary keeps the first ones); `total`: all of them, if more."""
        self.problems = problems
        total = len(problems) if total is None else total
        shown = "\n".join(f"  {p}" for p in problems[:20])
        more = ""
        if total > 20:
            kept = f" (the first {len(problems)} are kept)" if total > len(problems) else ""
            more = f"\n  ... and {total - 20} more{kept}"
        first = problems[0]
        super().__init__(first.file, f"{total} bad row(s), nothing written (--strict):\n{shown}{more}")


class NothingImportedError(ImportError_):
    """Every record of a file was skipped (or it had none): the file is not recorded as imported, so an importer
    fixed later reads it again. `allow_empty=True` (`--allow-empty`) accepts such a file."""


class ImportWriteError(ImportError_):
    """Neo4j refused a write; what the call had already committed was removed (compensated), so the graph is as
    it was before."""


class ImportInProgressError(ImportError_):
    """Another run is importing the same file (it made progress recently); nothing was written by this one."""


class ImportTakenOverError(ImportError_):
    """Another run took the file over (this one went quiet for too long, or the other was started with
    `--take-over`); this run stopped at its next batch and left that run alone."""


def decoding_error(path: Path, reason: str = "not UTF-8 text") -> MalformedFileError | None:
    """A `MalformedFileError` naming the line and byte offset of the first bytes that are not UTF-8, or None
    when the whole file decodes.

    Why a second read: a text stream decodes in chunks, so `UnicodeDecodeError.start` is an offset into some
    chunk, and the reader's line count stops where the chunk began. Reading the raw lines again is exact and
    runs only when the file is already refused. (A multi-byte character never spans a newline byte.)
    """
    offset = 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                bad = raw[exc.start:exc.end]
                return MalformedFileError(path, f"{reason}: invalid UTF-8 byte(s) {bad.hex(' ')} at byte offset "
                                                f"{offset + exc.start} of the file (byte {exc.start + 1} of the "
                                                f"line): {exc.reason}", line=number)
            offset += len(raw)
    return None
