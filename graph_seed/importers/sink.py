"""Where mapped records go: deduplicated per file, flushed in batches into one open Neo4j transaction.

Why a sink between mappers and the writer: a mapper emits "this Program", "USAID provides this Funding" row by
row; the same Program or actor recurs on many rows. The sink sends each node once per file, turns resolved
nodes that are not the importer's own (the seed's USAID) into a `sources`-only touch, and writes through the
project's `write_records_tx` in batches. With `tx=None` (dry run) it only counts.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from neo4j import Transaction

from graph_seed.importers.resolve import Resolution
from graph_seed.model import EdgeRecord, NodeRecord
from graph_seed.neo4j_writer import write_records_tx

# Only the file's source id is added; curated names and properties stay as the seed wrote them.
TOUCH_QUERY = """
UNWIND $rows AS row
MATCH (n:Entity {id: row.id})
SET n.sources = coalesce(n.sources, []) + [s IN row.sources WHERE NOT s IN coalesce(n.sources, [])]
"""
# `importedAt` is kept from the first import of these bytes, so a re-import changes nothing.
SOURCE_IMPORTED_AT = "MATCH (s:Source {id: $id}) SET s.importedAt = coalesce(s.importedAt, $importedAt)"


BATCH_SIZE = 20_000
_TRUSTED_TYPES = frozenset({"FUNDS", "PROVIDES", "RECEIVED_BY", "PART_OF", "ADDRESSES"})


class RecordSink:
    """Per-file buffer of node and edge records; `flush()` writes them (or, in a dry run, drops them)."""

    def __init__(self, tx: Transaction | None, source_id: str, batch_size: int = 20_000) -> None:
        self.tx = tx
        self.source_id = source_id
        self.sources = (source_id,)
        self.batch_size = batch_size
        self._nodes: list[NodeRecord] = []
        self._edges: list[EdgeRecord] = []
        self._touch: list[dict[str, Any]] = []
        self._seen_nodes: set[str] = set()
        self._seen_edges: set[tuple[str, str, str, str]] = set()
        self.labels: Counter[str] = Counter()
        self.types: Counter[str] = Counter()
        self.nodes_created = 0
        self.relationships_created = 0

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
        self._nodes.append(record)

    def touch(self, node_id: str, label: str) -> None:
        if node_id in self._seen_nodes:
            return
        self._seen_nodes.add(node_id)
        self.labels[label] += 1
        self._touch.append({"id": node_id, "sources": [self.source_id]})

    def edge(self, record: EdgeRecord, dedupe: bool = True) -> None:
        """Add a relationship; `dedupe=False` for ones that cannot repeat (a new Funding's own edges)."""
        if dedupe:
            if record.key in self._seen_edges:
                return
            self._seen_edges.add(record.key)
        self.types[record.type] += 1
        self._edges.append(record)

    def relate(self, rel_type: str, start: str, end: str, props: dict[str, Any] | None = None,
               dedupe: bool = True) -> None:
        """Build and add a relationship; a repeated one (same key) is neither rebuilt nor re-sent."""
        props = props or {}
        if start == end:
            return
        key = (start, rel_type, end, str(props.get("role", "")))
        if dedupe and key in self._seen_edges:
            return
        if props or rel_type not in _TRUSTED_TYPES:
            record = EdgeRecord.model_validate({"type": rel_type, "from": start, "to": end, "sources": self.sources,
                                                "properties": props})
        else:
            # Fast path, measured to matter at 100k+ rows: a property-less edge of an allow-listed type between
            # ids that were validated when their nodes were built (or read from the graph) has nothing left to
            # check but the self-loop, done above.
            record = EdgeRecord.model_construct(type=rel_type, start=start, end=end, sources=self.sources,
                                                properties={})
        self.edge(record, dedupe=dedupe)

    def has_node(self, node_id: str) -> bool:
        return node_id in self._seen_nodes

    def maybe_flush(self) -> None:
        if len(self._nodes) + len(self._edges) >= self.batch_size:
            self.flush()

    # -- writing --------------------------------------------------------------------------------------
    def flush(self) -> None:
        if self.tx is not None and (self._nodes or self._edges or self._touch):
            if self._touch:
                self.tx.run(TOUCH_QUERY, rows=self._touch).consume()
            summary = write_records_tx(self.tx, self._nodes, self._edges)
            self.nodes_created += summary.nodes_created
            self.relationships_created += summary.relationships_created
            _forget_consumed_results(self.tx)
        self._nodes, self._edges, self._touch = [], [], []

    def write_source(self, record: NodeRecord, imported_at: str) -> None:
        """The file's Source node, last (its title and publisher are known only after the whole file)."""
        self.labels["Source"] += 1
        if self.tx is None:
            return
        self.flush()
        summary = write_records_tx(self.tx, [record], [])
        self.nodes_created += summary.nodes_created
        self.tx.run(SOURCE_IMPORTED_AT, id=record.id, importedAt=imported_at).consume()


def _forget_consumed_results(tx: Transaction) -> None:
    """Let finished batches be garbage-collected while the transaction stays open.

    Why: the neo4j driver keeps every `Result` of an explicit transaction - each holding its query parameters,
    i.e. a whole batch of rows - until commit. In a one-transaction import that made client memory grow with
    the file (measured: 180 MB at 10k rows, 340 MB at 50k). Results that are already consumed are dropped here;
    if the driver's internals change, this does nothing and only memory suffers.
    """
    results = getattr(tx, "_results", None)
    if isinstance(results, list):
        results[:] = [result for result in results if not result.closed()]
