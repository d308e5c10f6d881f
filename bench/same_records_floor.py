"""The floor for exactly the records an import writes: the same batches, written the cheapest way.

Why: `bench_write_floor.py` writes one Funding and three relationships per row, while an FA row of the
benchmark files becomes 1.39 nodes and 5.35 relationships (bench/results/import.md); a ratio of rows per second
against that floor compares different amounts of work. Here the importer's own mapping records its batches
(no Neo4j: the file is parsed, resolved and batched exactly as `cbsi-graph import` does, into a spool file),
and the floor writes those same nodes, relationships and properties, batch for batch and in the importer's
order, with plain `CREATE` (no MERGE, no union of sources, no look-up but the two endpoint `MATCH`es a
relationship needs), one transaction per batch. What remains between the floor and the importer is the
importer's own work: parsing, resolving, MERGE and create-or-append.

Ids are prefixed (`FLOOR_PREFIX`) so the floor's records never meet the importer's, which is run on the same
Neo4j afterwards. Only the write transactions are timed (reading the spool is not).

    flock /tmp/cbsi-bench.lock .venv/bin/python bench/bench_import_vs_floor.py --sizes 100000
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graph_seed import vocabulary as vocab
from graph_seed.importers import sink as sink_module
from graph_seed.importers.common import file_sha256, source_id
from graph_seed.importers.fa_csv import FaMapper
from graph_seed.importers.iati import IatiMapper
from graph_seed.importers.pipeline import _MARKERS  # the importer's own id markers, so both resolve alike
from graph_seed.importers.resolve import Resolver
from graph_seed.importers.summary import ImportSummary
from graph_seed.neo4j_writer import Batch, Counts, alias_text, lowered_set, merge_pattern, node_labels, settable

FLOOR_PREFIX = "floor:"


class _Spool:
    """Stands in for the import's `BatchWriter`: pickles each batch to a file instead of writing it."""

    def __init__(self, handle: Any) -> None:
        self.handle, self.batches = handle, 0

    def submit(self, batch: Batch) -> None:
        pickle.dump(batch, self.handle, protocol=pickle.HIGHEST_PROTOCOL)
        self.batches += 1


def record_batches(kind: str, path: Path, spool: Path) -> tuple[str, int]:
    """Map `path` as an import of `kind` would, against an empty graph, and pickle its batches into `spool`;
    returns the file's Source id and the number of batches."""
    sid = source_id(file_sha256(path))
    resolver = Resolver.from_graph(None, _MARKERS[kind])
    summary = ImportSummary(kind)
    with spool.open("wb") as handle:
        writer = _Spool(handle)
        sink = sink_module.RecordSink(writer, sid, batch_size=sink_module.BATCH_SIZE)
        try:
            if kind == "iati":
                IatiMapper(path.name, resolver, sink, summary).run(path, None)
            else:
                FaMapper(path.name, resolver, sink, summary).run(path, None)
            sink.flush()
        finally:
            sink.close()
    return sid, writer.batches


def _batches(spool: Path) -> Iterator[Batch]:
    with spool.open("rb") as handle:
        while True:
            try:
                yield pickle.load(handle)  # noqa: S301 - the spool this run wrote itself, moments before
            except EOFError:
                return


def _sets(var: str, names: tuple[str, ...]) -> str:
    """`, v.a = row.props.a` per name: the properties an import sets on create (`neo4j_writer.settable`)."""
    return "".join(f", {var}.{name} = row.props.{name}" for name in names)


def create_nodes_query(label: str) -> str:
    """Plain CREATE of a batch's nodes of one label, with the properties an import sets on create (and the
    lower-cased copies every writer keeps, `vocabulary.LOWERED`)."""
    return (f"UNWIND $rows AS row CREATE (n:Entity:{node_labels(label)}) "
            f"SET n.id = row.id{_sets('n', settable(label))}, n.sources = [$source], "
            f"n.aliases = row.aliases, n.aliasText = {alias_text('row.aliases')}, n.createdBy = $source, "
            f"{lowered_set('n', 'row.props')}")


def create_edges_query(rel_type: str) -> str:
    """Plain CREATE of a batch's relationships of one type (the merge key, if any, set as a property)."""
    pattern = merge_pattern(rel_type)
    return (f"UNWIND $rows AS row MATCH (a:Entity {{id: row.start}}) "
            f"MATCH (b:Entity {{id: row.end}}) CREATE (a)-[r{pattern}]->(b) "
            f"SET r.sources = [$source], r.createdBy = $source{_sets('r', settable(rel_type))}")


FUNDING_QUERY = (
    f"UNWIND $rows AS row CREATE (f:Entity:{node_labels('Funding')}) "
    f"SET f.id = row.id{_sets('f', settable('Funding'))}, f.sources = [$source], f.aliases = [], "
    f"f.aliasText = '', f.createdBy = $source, {lowered_set('f', 'row.props')} "
    "WITH f, row MATCH (p:Program {id: row.program}) "  # not `Entity`: that plans an Eager (neo4j_writer)
    f"CREATE (f)-[r{merge_pattern('FUNDS')}]->(p) SET r.sources = [$source], r.createdBy = $source"
)
SECTOR_CODES = ("UNWIND $rows AS row MATCH (p:Program {id: row.id}) "
                "SET p.sectorCodes = coalesce(p.sectorCodes, []) + row.codes")


def _write(tx: Any, source: str, batch: Batch) -> Counts:
    counts = Counts()

    def run(query: str, **params: Any) -> None:
        counters = tx.run(query, source=source, **params).consume().counters
        counts.nodes_created += counters.nodes_created
        counts.relationships_created += counters.relationships_created

    for label, rows in batch.nodes.items():
        run(create_nodes_query(label), rows=rows)
    if batch.funding:
        run(FUNDING_QUERY, rows=batch.funding)
    for rel_type, rows in batch.edges.items():
        run(create_edges_query(rel_type), rows=rows)
    if batch.sector_codes:
        run(SECTOR_CODES, rows=batch.sector_codes)
    return counts


def _prefixed(batch: Batch, seen: set[tuple[Any, ...]]) -> Batch:
    """The batch with every id prefixed, and without the relationships an earlier batch wrote (the importer's
    sink deduplicates within a batch and its MERGE across batches; plain CREATE must be told). Done before
    timing, so the queries match ids as the importer's do."""
    def ids(rows: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
        return [{**row, **{key: FLOOR_PREFIX + row[key] for key in keys}} for row in rows]

    def new(rel_type: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        merge_key = vocab.MERGE_KEYS.get(rel_type)
        kept = []
        for row in rows:
            key = (rel_type, row["start"], row["end"], row["props"].get(merge_key) if merge_key else None)
            if key not in seen:
                seen.add(key)
                kept.append(row)
        return kept

    return Batch(nodes={label: ids(rows, "id") for label, rows in batch.nodes.items()},
                 funding=ids(batch.funding, "id", "program"),
                 edges={rel_type: ids(new(rel_type, rows), "start", "end") for rel_type, rows in batch.edges.items()},
                 sector_codes=ids(batch.sector_codes, "id"), size=batch.size)


def delete_floor_records(driver: Any) -> None:
    """Remove what the floors wrote (ids starting with `floor:`), so the importer's resolver, which reads every
    actor in the graph, does not meet them.

    Fewest relationships first: at 1M rows a floor's government has ~1M relationships, and detaching it in one
    inner transaction passed Neo4j's 1.4 GiB transaction memory limit. Deleted after its neighbours, it has none.
    """
    with driver.session() as session:  # CALL ... IN TRANSACTIONS needs an implicit transaction
        session.run("MATCH (n:Entity) WHERE n.id STARTS WITH $prefix WITH n ORDER BY COUNT { (n)--() } "
                    "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS", prefix=FLOOR_PREFIX).consume()


def write_same_records(driver: Any, source: str, spool: Path) -> dict[str, float]:
    """Write every spooled batch in its own transaction, in order; seconds spent in the transactions and what
    they created. A batch's `touch` ids (nodes that existed before the import) are left out: the importer only
    appends a source id to them, and in the benchmark's graph they do not exist."""
    counts, seconds, seen = Counts(), 0.0, set[tuple[Any, ...]]()
    for recorded in _batches(spool):
        batch = _prefixed(recorded, seen)
        with driver.session() as session:
            started = time.monotonic()
            counts.add(session.execute_write(_write, source, batch))
            seconds += time.monotonic() - started
    return {"seconds": seconds, "nodes": counts.nodes_created, "rels": counts.relationships_created}
