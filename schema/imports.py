"""`imports` and `importsUnfinished`: which files were imported, and whether one is unfinished right now.

Admin-only when tokens are configured (`schema/access.py`): they describe the operator's work, not the data.
"""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.types import Info

from graph_seed.importers.bookkeeping import COMPLETE, IMPORTING
from resolvers import imports
from schema.context import GraphQLContext
from schema.paging import page_size


@strawberry.enum(description="Where an import run stands.")
class ImportStatus(Enum):
    IMPORTING = strawberry.enum_value(IMPORTING, description="Unfinished: still writing, or its process died "
                                                             "(its partial writes are visible until the file is "
                                                             "imported again, which removes them first).")
    COMPLETE = strawberry.enum_value(COMPLETE, description="Every batch written and the run marked complete.")


@strawberry.type(description="One import of one file (`cbsi-graph import`), as its Source node records it. A run "
                             "that failed and was undone leaves no record.")
class ImportRun:
    file: str = strawberry.field(description="The file's name when it was imported.")
    source: strawberry.ID = strawberry.field(description="The file's Source node id (`src:file:<sha256 prefix>`).")
    status: ImportStatus
    started: str | None = strawberry.field(description="When the run began (ISO 8601, UTC); null for files "
                                                       "imported before runs were recorded.")
    finished: str | None = strawberry.field(description="When it completed (ISO 8601, UTC); null while unfinished.")
    rows: int | None = strawberry.field(description="Input rows read (IATI activities, CSV rows): by the last "
                                                    "committed batch while unfinished, in total once complete.")


async def imports_field(info: Info[GraphQLContext, None], first: int | None) -> list[ImportRun]:
    rows = await imports.runs(info.context.runner, page_size(info, first))
    return [ImportRun(file=row.file, source=strawberry.ID(row.source), status=ImportStatus(row.status),
                      started=row.started, finished=row.finished, rows=row.rows) for row in rows]


async def imports_unfinished_field(info: Info[GraphQLContext, None]) -> bool:
    return await imports.unfinished(info.context.runner)
