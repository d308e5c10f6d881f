"""Where mapped records go: deduplicated, grouped into batches, each batch committed by a background writer.

Why a sink between mappers and Neo4j: a mapper emits "this Program", "USAID provides this Funding" row by row;
the same Program or actor recurs on many rows. The sink sends each node once per file, turns resolved nodes
that are not the importer's own (the seed's USAID) into a `sources`-only touch, and groups rows per label/type
so a batch is a handful of `UNWIND` queries (`batch_write.py`).

Why rows, not `NodeRecord`/`EdgeRecord` for everything: building a pydantic record per relationship and per
Funding cost more than parsing (profiled). Programs and actors (one per distinct node) are still validated
as `NodeRecord`s; a Funding's properties are validated with `FundingProps` alone; a relationship's
properties once per distinct (type, properties) pair. Ids were checked when their nodes were built.

Batches go to a `writer.BatchWriter` (a background thread); with `writer=None` (dry run) the sink only counts.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from graph_seed import vocabulary as vocab
from graph_seed.importers.batch_write import Batch
from graph_seed.importers.resolve import Resolution
from graph_seed.model import TYPE_PROPS, FundingProps, NodeRecord

if TYPE_CHECKING:
    from graph_seed.importers.writer import BatchWriter

BATCH_SIZE = 50_000  # records (nodes + relationships) per committed transaction; measured in bench/results/import.md
_NODE_ID = re.compile(r"^funding:\S+$")
_MAX_ID = 300


class RecordSink:
    """Per-file buffer of node and relationship rows; `flush()` hands a full batch to the writer."""

    def __init__(self, writer: BatchWriter | None, source_id: str, batch_size: int = BATCH_SIZE) -> None:
        self.writer = writer
        self.source_id = source_id
        self.sources = (source_id,)
        self.batch_size = batch_size
        self._batch = Batch()
        self._seen_nodes: set[str] = set()
        self._seen_edges: set[tuple[str, str, str, str]] = set()  # per batch: MERGE makes repeats harmless
        self._edge_props: dict[tuple[str, tuple[tuple[str, Any], ...]], dict[str, Any]] = {}
        self.labels: Counter[str] = Counter()
        self.types: Counter[str] = Counter()

    # -- emitting -------------------------------------------------------------------------------------
    def actor(self, resolution: Resolution) -> str:
        """Emit a resolved actor once (in full, or as a touch) and return its id."""
        if resolution.id not in self._seen_nodes:
            if resolution.touch_only:
                self.touch(resolution.id, resolution.label)
            else:
                self.node(resolution.create(self.sources))
        return resolution.id

    def node(self, record: NodeRecord) -> None:
        if record.id in self._seen_nodes:
            return
        self._seen_nodes.add(record.id)
        self.labels[record.label] += 1
        props = {k: v for k, v in record.properties.items() if v is not None}
        props["name"] = record.name
        if record.description is not None:
            props["description"] = record.description
        self._batch.nodes.setdefault(record.label, []).append(
            {"id": record.id, "props": props, "aliases": list(record.aliases)})
        self._batch.size += 1

    def funding_row(self, funding_id: str, name: str, description: str | None,
                    props: dict[str, Any]) -> dict[str, Any]:
        """A checked Funding row for `add_funding`. Raises `ValidationError` (or `ValueError` for a bad id).

        Separate from `add_funding` so a mapper can reject a row before emitting any of its other records.
        """
        if len(funding_id) > _MAX_ID or not _NODE_ID.match(funding_id):
            raise ValueError(f"not a valid Funding id: {funding_id[:80]!r}")
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
        """Extra DAC codes for a Program this import created (written after its node; see `batch_write`)."""
        self._batch.sector_codes.append({"id": program_id, "codes": codes})
        self._batch.size += 1

    def touch(self, node_id: str, label: str) -> None:
        if node_id in self._seen_nodes:
            return
        self._seen_nodes.add(node_id)
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
        key = (start, rel_type, end, str(props.get("role", "")) if props else "")
        if dedupe and key in self._seen_edges:
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

    def has_node(self, node_id: str) -> bool:
        return node_id in self._seen_nodes

    def maybe_flush(self) -> None:
        if self._batch.size >= self.batch_size:
            self.flush()

    # -- writing --------------------------------------------------------------------------------------
    def flush(self) -> None:
        batch, self._batch = self._batch, Batch()
        self._seen_edges = set()
        if self.writer is not None and batch:
            self.writer.submit(batch)
