"""One committed batch of an import: a few `UNWIND ... MERGE` queries, labels and types from allow-lists.

Why separate from the project's `neo4j_writer`: an import must be undoable after its batches have committed
(see `pipeline.py`). So every node and relationship a batch CREATES is stamped `createdBy: <source id>`, and a
node or relationship that already existed only gets the source id added to its `sources` list - its
properties are never rewritten by an import. That rule is what makes compensation exact: removing the source
id from pre-existing records and deleting what the source created restores the graph without before-images.

Rows are plain dicts the importers built from values they had already checked (and, for nodes, validated with
the model once per distinct node), so nothing here re-validates; every value still travels as a parameter.

Two ways to write the same batch, with the same rules: the project's own Neo4j (`app/neo4j_launcher`) has a
procedure, `cbsi.importBatch`, that applies them through Neo4j's Core API (1.4x faster on the 100k-row benchmark
file: it skips Cypher's per-row interpretation); any other Neo4j gets the `UNWIND ... MERGE` queries below.
`tests/test_import_write_paths.py` imports the same files both ways and compares the graphs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from neo4j import ManagedTransaction

from graph_seed import vocabulary as vocab
from graph_seed.importers import bookkeeping
from graph_seed.model import LABEL_PROPS, TYPE_PROPS
from graph_seed.neo4j_writer import ENTITY, node_label_list, node_labels

# Appends the source id once; shared by every ON MATCH below.
_ADD_SOURCE = ("CASE WHEN $source IN coalesce({v}.sources, []) THEN {v}.sources "
               "ELSE coalesce({v}.sources, []) + $source END")

_NODES = """
UNWIND $rows AS row
MERGE (n:Entity {{id: row.id}})
ON CREATE SET n:{labels}, {set_props}, n.sources = [$source], n.aliases = row.aliases,
              n.aliasText = reduce(t = '', a IN row.aliases | t + a + ' | '), n.createdBy = $source
ON MATCH SET n.sources = {add_source}
"""
_TOUCH = f"""
UNWIND $ids AS id
MATCH (n:Entity {{id: id}})
SET n.sources = {_ADD_SOURCE.format(v="n")}
"""
_EDGES = """
UNWIND $rows AS row
MATCH (a:Entity {{id: row.start}})
MATCH (b:Entity {{id: row.end}})
MERGE (a)-[r:{rel_type}{merge_props}]->(b)
ON CREATE SET {set_props}r.sources = [$source], r.createdBy = $source
ON MATCH SET r.sources = {add_source}
"""
# A Funding node and its FUNDS edge in one pass: the program is matched once per row, no second UNWIND.
_FUNDING = """
UNWIND $rows AS row
MERGE (f:Entity {{id: row.id}})
ON CREATE SET f:Funding, {set_props}, f.sources = [$source], f.aliases = [], f.aliasText = '',
              f.createdBy = $source
ON MATCH SET f.sources = {add_f}
WITH f, row
MATCH (p:Entity {{id: row.program}})
MERGE (f)-[r:FUNDS]->(p)
ON CREATE SET r.sources = [$source], r.createdBy = $source
ON MATCH SET r.sources = {add_r}
"""


def _set_each(var: str, names: list[str]) -> str:
    """`v.a = row.props.a, ...` for allow-listed property names (a missing one is null: nothing is set).

    Why not `SET v += row.props`: a map of unknown keys could overwrite `id`, so Neo4j plans an Eager (it
    materialises the whole batch between reading ids and writing), measured to slow every batch.
    """
    return ", ".join(f"{var}.{name} = row.props.{name}" for name in names)


def _props_of(model: type) -> list[str]:
    return list(model.model_fields)  # type: ignore[attr-defined]


@lru_cache(maxsize=64)
def _allowed(label_or_type: str) -> tuple[str, ...]:
    """Property names a batch may set on a label's nodes or a type's relationships (the Cypher's `_set_each`)."""
    if label_or_type in LABEL_PROPS:
        return ("name", "description", *_props_of(LABEL_PROPS[label_or_type]))
    if label_or_type not in vocab.RELATIONSHIP_ENDPOINTS:
        raise ValueError(f"unknown label or relationship type {label_or_type!r}")
    return tuple(name for name in _props_of(TYPE_PROPS[label_or_type]) if name != _merge_key(label_or_type))


def _merge_key(rel_type: str) -> str | None:
    return "role" if rel_type == "PARTICIPATES_IN" else None


@lru_cache(maxsize=64)
def nodes_query(label: str) -> str:
    return _NODES.format(labels=node_labels(label), set_props=_set_each("n", list(_allowed(label))),
                         add_source=_ADD_SOURCE.format(v="n"))


@lru_cache(maxsize=64)
def edges_query(rel_type: str) -> str:
    key = _merge_key(rel_type)
    merge_props = f" {{{key}: row.props.{key}}}" if key else ""
    set_props = "".join(f"{_set_each('r', [name])}, " for name in _allowed(rel_type))
    return _EDGES.format(rel_type=rel_type, merge_props=merge_props, set_props=set_props,
                         add_source=_ADD_SOURCE.format(v="r"))


# Only programs this source created: an import never edits a node that existed before it (see above).
SECTOR_CODES = """
UNWIND $rows AS row
MATCH (p:Program {id: row.id})
WHERE p.createdBy = $source
SET p.sectorCodes = coalesce(p.sectorCodes, []) + [c IN row.codes WHERE NOT c IN coalesce(p.sectorCodes, [])]
"""
FUNDING_QUERY = _FUNDING.format(set_props=_set_each("f", list(_allowed("Funding"))),
                                add_f=_ADD_SOURCE.format(v="f"), add_r=_ADD_SOURCE.format(v="r"))


@dataclass
class Batch:
    """What one transaction writes: nodes by label, touched ids, Funding rows (with FUNDS), edges by type."""

    nodes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    touch: list[str] = field(default_factory=list)
    funding: list[dict[str, Any]] = field(default_factory=list)
    edges: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    sector_codes: list[dict[str, Any]] = field(default_factory=list)
    size: int = 0
    server_side: bool = False  # set by the writer when the server has `cbsi.importBatch`
    owner: str = ""  # set by the writer: the run that must still own the Source (see `bookkeeping.py`)

    def __bool__(self) -> bool:
        return self.size > 0


@dataclass
class Counts:
    nodes_created: int = 0
    relationships_created: int = 0

    def add(self, other: Counts) -> None:
        self.nodes_created += other.nodes_created
        self.relationships_created += other.relationships_created


PROCEDURE = "cbsi.importBatch"
HAS_PROCEDURE = "SHOW PROCEDURES YIELD name WHERE name = $name RETURN count(*) AS found"
_CALL_PROCEDURE = (f"CALL {PROCEDURE}($source, $batch) YIELD nodesCreated, relationshipsCreated "
                   "RETURN nodesCreated, relationshipsCreated")


def _labels(label: str) -> list[str]:
    return [ENTITY, *node_label_list(label)]


def procedure_batch(batch: Batch) -> dict[str, Any]:
    """The batch as `cbsi.importBatch` takes it: labels, types and settable properties from the allow-lists."""
    return {
        "nodes": [{"labels": _labels(label), "properties": list(_allowed(label)), "rows": rows}
                  for label, rows in batch.nodes.items()],
        "touch": batch.touch,
        "funding": {"labels": _labels("Funding"), "properties": list(_allowed("Funding")),
                    "rows": batch.funding},
        "edges": [{"type": rel_type, "mergeOn": _merge_key(rel_type), "properties": list(_allowed(rel_type)),
                   "rows": rows} for rel_type, rows in batch.edges.items()],
        "sectorCodes": batch.sector_codes,
    }


def write_batch(tx: ManagedTransaction, source: str, batch: Batch) -> Counts:
    """Write one batch inside `tx` (a `session.execute_write` unit): nodes first, then relationships."""
    counts = Counts()
    if batch.owner:
        bookkeeping.heartbeat(tx, source, batch.owner)  # the batch is rolled back if another run took the file
    if batch.server_side:
        record = tx.run(_CALL_PROCEDURE, source=source, batch=procedure_batch(batch)).single(strict=True)
        counts.nodes_created, counts.relationships_created = record["nodesCreated"], record["relationshipsCreated"]
        return counts

    def run(query: str, **params: Any) -> None:
        counters = tx.run(query, source=source, **params).consume().counters
        counts.nodes_created += counters.nodes_created
        counts.relationships_created += counters.relationships_created

    for label, rows in batch.nodes.items():
        run(nodes_query(label), rows=rows)
    if batch.touch:
        run(_TOUCH, ids=batch.touch)
    if batch.funding:
        run(FUNDING_QUERY, rows=batch.funding)
    for rel_type, rows in batch.edges.items():
        run(edges_query(rel_type), rows=rows)
    if batch.sector_codes:
        run(SECTOR_CODES, rows=batch.sector_codes)
    return counts
