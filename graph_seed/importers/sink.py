"""Where mapped records go: deduplicated, grouped into batches, each batch committed by a background writer.

Why a sink between mappers and Neo4j: a mapper emits "this Program", "USAID provides this Funding" row by row;
the same Program or actor recurs on many rows. The sink sends each node once per file, turns resolved nodes
that are not the importer's own (the seed's USAID) into a `sources`-only touch, and groups rows per label/type
so a batch is a handful of `UNWIND` queries (`graph_seed/neo4j_writer.py`).

Why rows, not `NodeRecord`/`EdgeRecord` for everything: building a pydantic record per relationship and per
Funding cost more than parsing (profiled). Actors are still validated as `NodeRecord`s; Program and Funding
rows take a hand-written fast check (`program_row`, `funding_row`) when a value is certainly valid, and the
model decides (and explains) every other case; a relationship's properties are checked once per distinct
(type, properties) pair. Ids were checked when their nodes were built.

Batches go to a `BatchTarget`: in an import, a pipe to the parent process, which writes them
(`mapping_process.py`); with `writer=None` (dry run) the sink only counts.

A relationship (PARTICIPATES_IN, OPERATES_IN, ...) is sent once per batch and is not sent again in the next
batch: a program's rows are usually consecutive, so its participants recur across a batch boundary. A MERGE
there would only find the edge this import just wrote (and add a source it already has), so leaving it out
writes the same graph. Only the keys of the current and the previous batch are kept: memory stays flat. (A
file-wide set, in a `spill.SpillMap`, was tried: it made mapping 1.7x slower and removed 62 of 534,674
relationship rows of the 100k-row benchmark file, whose programs never recur far apart.)

Memory: "which nodes did this file already emit" grows with the file (every program id), so it lives in a
`spill.SpillMap` (hot ids in memory, the rest in a temporary SQLite file). Each seen id may carry a small memo
for its mapper (the FA mapper keeps a program's DAC codes there), read with `memo()`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Protocol

from graph_seed import vocabulary as vocab
from graph_seed.importers import spill
from graph_seed.importers.resolve import Resolution
from graph_seed.model import (
    ADJUSTABLE_FLOW_TYPES,
    CURRENCY_PATTERN,
    FISCAL_YEARS,
    NODE_ID_MAX_LENGTH,
    PARTIAL_DATE_PATTERN,
    TYPE_PROPS,
    FundingProps,
    NodeRecord,
)
from graph_seed.neo4j_writer import Batch


class BatchTarget(Protocol):
    """Where full batches go (the pipe to the writing process, or a benchmark's spool)."""

    def submit(self, batch: Batch) -> None: ...

BATCH_SIZE = 50_000  # records (nodes + relationships) per committed transaction; measured in bench/results/import.md
_NODE_ID = re.compile(r"^funding:\S+$")
NOT_SEEN: Any = object()  # what `memo()` returns for an id this sink has not emitted

# The valid Funding properties `funding_row` checks without pydantic. Anything else (or anything these patterns
# do not accept) goes through `FundingProps`, so the rules and error messages are the model's own.
_FLOW_TYPES = frozenset(vocab.FLOW_TYPES)
_FAST_FUNDING_KEYS = frozenset({"flowType", "amount", "currency", "fiscalYear", "date"})
_CURRENCY = re.compile(CURRENCY_PATTERN)
_PARTIAL_DATE = re.compile(PARTIAL_DATE_PATTERN, re.ASCII)  # ASCII digits only: the model decides the rest


_PROGRAM_KEYS = frozenset({"level", "startDate", "endDate", "status", "iatiIdentifier", "faActivityId", "sectorCodes"})
_LEVELS = frozenset(vocab.PROGRAM_LEVELS)
_STATUSES = frozenset(vocab.PROGRAM_STATUSES)


def _plain_program(program_id: str, name: str, description: str | None,
                   props: dict[str, Any]) -> dict[str, Any] | None:
    """The node row `NodeRecord(label="Program", ...)` would give (see `RecordSink.program_row`), for a program
    that certainly passes the model; None when the model must decide (and explain)."""
    if (not props.keys() <= _PROGRAM_KEYS or type(program_id) is not str
            or not 8 < len(program_id) <= NODE_ID_MAX_LENGTH
            or not program_id.startswith("program:") or not program_id.isascii() or not program_id.isprintable()
            or " " in program_id or type(name) is not str or not name or name.strip() != name
            or (description is not None and type(description) is not str)):
        return None
    level, status = props.get("level", "program"), props.get("status", "unknown")
    start, end = props.get("startDate"), props.get("endDate")
    iati, fa, sectors = props.get("iatiIdentifier"), props.get("faActivityId"), props.get("sectorCodes", [])
    if (level not in _LEVELS or status not in _STATUSES
            or (start is not None and (type(start) is not str or not _PARTIAL_DATE.fullmatch(start)))
            or (end is not None and (type(end) is not str or not _PARTIAL_DATE.fullmatch(end)))
            or (start and end and end < start)
            or (iati is not None and type(iati) is not str) or (fa is not None and type(fa) is not str)
            or type(sectors) is not list or not all(type(code) is str for code in sectors)):
        return None
    row: dict[str, Any] = {"level": level}
    if start is not None:
        row["startDate"] = start
    if end is not None:
        row["endDate"] = end
    row["status"] = status
    if iati is not None:
        row["iatiIdentifier"] = iati
    if fa is not None:
        row["faActivityId"] = fa
    row["sectorCodes"] = list(sectors)
    row["name"] = name
    if description is not None:
        row["description"] = description
    return row


def _plain_funding(props: dict[str, Any]) -> dict[str, Any] | None:
    """`FundingProps.model_validate(props).model_dump(exclude_none=True)`, amounts as float, in the model's
    field order - for props that certainly pass the model; None when the model must decide (and explain)."""
    if not props.keys() <= _FAST_FUNDING_KEYS:
        return None
    flow_type, amount = props.get("flowType"), props.get("amount")
    currency, year, when = props.get("currency", "USD"), props.get("fiscalYear"), props.get("date")
    if (type(flow_type) is not str or flow_type not in _FLOW_TYPES or type(amount) is not Decimal
            or not amount.is_finite() or (amount < 0 and flow_type not in ADJUSTABLE_FLOW_TYPES)
            or type(currency) is not str or not _CURRENCY.fullmatch(currency)
            or (year is not None and (type(year) is not int or year not in FISCAL_YEARS))
            or (when is not None and (type(when) is not str or not _PARTIAL_DATE.fullmatch(when)))):
        return None
    value = float(amount)
    row: dict[str, Any] = {"flowType": flow_type, "amount": value, "currency": currency}
    if currency == "USD":
        row["amountUsd"] = value
    row["amountQualifier"] = "exactly"
    if year is not None:
        row["fiscalYear"] = year
    if when is not None:
        row["date"] = when
    return row


def _node_row(record: NodeRecord) -> dict[str, Any]:
    props = {k: v for k, v in record.properties.items() if v is not None}
    props["name"] = record.name
    if record.description is not None:
        props["description"] = record.description
    return {"id": record.id, "props": props, "aliases": list(record.aliases)}


class RecordSink:
    """Per-file buffer of node and relationship rows; `flush()` hands a full batch to the writer."""

    def __init__(self, writer: BatchTarget | None, source_id: str, batch_size: int = BATCH_SIZE,
                 rows_read: Callable[[], int] | None = None) -> None:
        self.writer = writer
        self.rows_read = rows_read  # input rows of the file read so far: recorded with each batch (`imports`)
        self.sources = (source_id,)
        self.batch_size = batch_size
        self._batch = Batch()
        self._seen_nodes = spill.SpillMap()  # id -> memo (None unless set)
        self._seen_edges: set[tuple[str, str, str, str]] = set()  # sent in this batch
        self._previous_edges: set[tuple[str, str, str, str]] = set()  # sent in the batch before it
        self._edge_props: dict[tuple[str, tuple[tuple[str, Any], ...]], dict[str, Any]] = {}
        self.labels: Counter[str] = Counter()
        self.types: Counter[str] = Counter()

    # -- emitting -------------------------------------------------------------------------------------
    def actor(self, resolution: Resolution) -> str | None:
        """Emit a resolved actor once (in full, or as a touch) and return its id; None for a placeholder
        (`resolution.left_out`), which gets no node. A recipient's ministry also gets its PART_OF edge."""
        if resolution.left_out is not None:
            return None
        if resolution.id not in self._seen_nodes:
            if resolution.touch_only:
                self.touch(resolution.id, resolution.label)
            else:
                record = resolution.create(self.sources)
                self.add_node_row(record.label, _node_row(record))
        if resolution.part_of is not None:
            government = self.government(resolution.part_of)
            self.relate("PART_OF", resolution.id, government)
        return resolution.id

    def government(self, resolution: Resolution) -> str:
        """`actor` for a resolution that is never a placeholder (a country's Government)."""
        actor_id = self.actor(resolution)
        if actor_id is None:
            raise ValueError(f"a government resolved to a placeholder ({resolution.left_out})")
        return actor_id

    def program_row(self, program_id: str, name: str, description: str | None,
                    props: dict[str, Any]) -> dict[str, Any]:
        """The node row of a Program, checked as `NodeRecord` checks it (raises `ValidationError`/`ValueError`
        likewise: the model decides every case the fast check is not sure of). Emit it with `add_node_row`."""
        row_props = _plain_program(program_id, name, description, props)
        if row_props is None:
            return _node_row(NodeRecord(id=program_id, label="Program", name=name,
                                        description=description, sources=self.sources, properties=props))
        return {"id": program_id, "props": row_props, "aliases": []}

    def add_node_row(self, label: str, row: dict[str, Any], memo: Any = None) -> None:
        if row["id"] in self._seen_nodes:
            return
        self._seen_nodes[row["id"]] = memo
        self.labels[label] += 1
        self._batch.nodes.setdefault(label, []).append(row)
        self._batch.size += 1

    def funding_row(self, funding_id: str, name: str, description: str | None,
                    props: dict[str, Any]) -> dict[str, Any]:
        """A checked Funding row for `add_funding`. Raises `ValidationError` (or `ValueError` for a bad id).

        Separate from `add_funding` so a mapper can reject a row before emitting any of its other records.
        """
        if len(funding_id) > NODE_ID_MAX_LENGTH or not _NODE_ID.match(funding_id):
            raise ValueError(f"not a valid Funding id: {funding_id[:80]!r}")
        row_props = _plain_funding(props)
        if row_props is None:
            checked = FundingProps.model_validate(props).model_dump(exclude_none=True)
            row_props = {k: float(v) if isinstance(v, Decimal) else v for k, v in checked.items()}
        row_props["name"] = name
        if description:
            row_props["description"] = description
        return {"id": funding_id, "props": row_props}

    def add_funding(self, row: dict[str, Any], program: str) -> None:
        """A new Funding and its FUNDS edge to `program` (written together, one query per batch).

        Its id is not remembered: Funding ids are unique per row by construction, and a set of them would grow
        with the file (memory must stay flat).
        """
        self.labels["Funding"] += 1
        self.types["FUNDS"] += 1
        row["program"] = program
        self._batch.funding.append(row)
        self._batch.size += 2

    def add_sector_codes(self, program_id: str, codes: list[str]) -> None:
        """Extra DAC codes for a Program this import created (written after its node; see `neo4j_writer`)."""
        self._batch.sector_codes.append({"id": program_id, "codes": codes})
        self._batch.size += 1

    def touch(self, node_id: str, label: str) -> None:
        if node_id in self._seen_nodes:
            return
        self._seen_nodes[node_id] = None
        self.labels[label] += 1
        self._batch.touch.append(node_id)
        self._batch.size += 1

    def relate(self, rel_type: str, start: str, end: str, props: dict[str, Any] | None = None,
               dedupe: bool = True) -> None:
        """Add a relationship; `dedupe=False` for ones that cannot repeat (a new Funding's own edges).

        Raises `ValidationError` for properties the type does not accept (checked once per distinct set).
        """
        if start == end:
            return
        merge_key = vocab.MERGE_KEYS.get(rel_type)
        key = (start, rel_type, end, str(props.get(merge_key, "")) if props and merge_key else "")
        if dedupe and (key in self._seen_edges or key in self._previous_edges):
            return
        checked = self._checked_props(rel_type, props) if props else {}
        if dedupe:
            self._seen_edges.add(key)
        self.types[rel_type] += 1
        self._batch.edges.setdefault(rel_type, []).append({"start": start, "end": end, "props": checked})
        self._batch.size += 1

    def _checked_props(self, rel_type: str, props: dict[str, Any]) -> dict[str, Any]:
        cache_key = (rel_type, tuple(sorted(props.items())))
        checked = self._edge_props.get(cache_key)
        if checked is None:
            if rel_type not in vocab.RELATIONSHIP_ENDPOINTS:
                raise ValueError(f"unknown relationship type {rel_type!r}")
            checked = TYPE_PROPS[rel_type].model_validate(props).model_dump(exclude_none=True)
            if len(self._edge_props) < 10_000:
                self._edge_props[cache_key] = checked
        return checked

    def memo(self, node_id: str) -> Any:
        """The memo stored with an emitted node (None if none), or `NOT_SEEN` if this sink did not emit it."""
        return self._seen_nodes.get(node_id, NOT_SEEN)

    def set_memo(self, node_id: str, memo: Any) -> None:
        """Replace the memo of a node already emitted (None, int, str or a tuple of str/None)."""
        self._seen_nodes[node_id] = memo

    def maybe_flush(self) -> None:
        if self._batch.size >= self.batch_size:
            self.flush()

    # -- writing --------------------------------------------------------------------------------------
    def flush(self) -> None:
        batch, self._batch = self._batch, Batch()
        self._previous_edges, self._seen_edges = self._seen_edges, set()
        if self.writer is not None and batch:
            batch.rows = self.rows_read() if self.rows_read is not None else 0
            self.writer.submit(batch)

    def close(self) -> None:
        """Free the per-file memory (and spill file) once the file is done; counts stay readable."""
        self._seen_nodes.close()
        self._seen_edges, self._previous_edges = set(), set()
        self._edge_props = {}
