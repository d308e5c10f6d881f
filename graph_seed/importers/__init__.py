"""Importers for real aid data: IATI activity XML and ForeignAssistance.gov "complete" CSV.

Public API (the CLI's `cbsi-graph import iati|fa-csv FILE... [--dry-run] [--strict] [--take-over]` calls it):

    import_files(driver, "iati" | "fa-csv", [Path, ...], database=None, dry_run=False, strict=False,
                 take_over=False, progress=callback(rows_so_far)) -> ImportSummary

Fatal problems raise `ImportError_` subclasses (`UnsafeXMLError`, `MalformedFileError`, `MissingColumnError`,
`StrictModeError`, `ImportWriteError`, `ImportInProgressError`, `ImportTakenOverError`) whose message names
file, line and field; nothing is written then (or what was written is undone).
See `pipeline.py` for atomicity and idempotence, `bookkeeping.py` for taking over an unfinished import,
`resolve.py` for entity resolution.
"""

from graph_seed.importers.errors import (
    ImportError_,
    ImportInProgressError,
    ImportTakenOverError,
    ImportWriteError,
    MalformedFileError,
    MissingColumnError,
    NothingImportedError,
    RowProblem,
    StrictModeError,
    UnsafeXMLError,
)
from graph_seed.importers.pipeline import KINDS, Kind, import_files
from graph_seed.importers.summary import ImportSummary

__all__ = [
    "KINDS",
    "ImportError_",
    "ImportInProgressError",
    "ImportTakenOverError",
    "ImportSummary",
    "ImportWriteError",
    "Kind",
    "MalformedFileError",
    "MissingColumnError",
    "NothingImportedError",
    "RowProblem",
    "StrictModeError",
    "UnsafeXMLError",
    "import_files",
]
