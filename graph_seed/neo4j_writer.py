"""Write records into Neo4j: constraints and indexes, then batched, parameterised `UNWIND ... MERGE`.

Why MERGE with union semantics: the seed and the importers touch the same nodes (USAID is in the seed and in
every FA file). Writing the same records again changes nothing; a second writer adds its sources to a node's
`sources` list instead of replacing the first writer's. Labels and relationship types are spliced into Cypher
only from `vocabulary`'s allow-lists; every value travels as a parameter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from neo4j import ManagedTransaction, Result, Session, Transaction

from graph_seed import vocabulary as vocab
from graph_seed.model import EdgeRecord, NodeRecord

# Every node also carries `Entity` (one id space for `node(id)`) and actors carry `Actor`.
ENTITY = "Entity"
FULLTEXT_INDEX = "entity_search"
BATCH_SIZE = 5000

CONSTRAINTS: tuple[str, ...] = tuple(
    f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
    for label in (ENTITY, "Actor", *vocab.NODE_LABELS)
)
INDEXES: tuple[str, ...] = (
    "CREATE INDEX funding_fiscal_year IF NOT EXISTS FOR (n:Funding) ON (n.fiscalYear)",
    "CREATE INDEX funding_flow_type IF NOT EXISTS FOR (n:Funding) ON (n.flowType)",
    "CREATE INDEX government_country IF NOT EXISTS FOR (n:Government) ON (n.countryCode)",
    "CREATE INDEX program_iati IF NOT EXISTS FOR (n:Program) ON (n.iatiIdentifier)",
    "CREATE INDEX entity_name IF NOT EXISTS FOR (n:Entity) ON (n.name)",
    # importers stamp what they create; compensation finds an import's nodes by it (graph_seed/importers)
    "CREATE INDEX entity_created_by IF NOT EXISTS FOR (n:Entity) ON (n.createdBy)",
    f"CREATE FULLTEXT INDEX {FULLTEXT_INDEX} IF NOT EXISTS FOR (n:{ENTITY}) "
    "ON EACH [n.name, n.aliasText, n.description] "
    "OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-folding'}}",
)

# `labels` comes from the allow-list below, never from input.
# Each query returns how many nodes (relationships) it really changed, so a write that changes nothing leaves
# the graph version alone (see `bump_graph_version`).
_MERGE_NODES = """
UNWIND $rows AS row
MERGE (n:Entity {{id: row.id}})
WITH n, row, properties(n) AS before, labels(n) AS beforeLabels
SET n:{labels}
SET n += row.props
SET n.sources = coalesce(n.sources, []) + [s IN row.sources WHERE NOT s IN coalesce(n.sources, [])],
    n.aliases = coalesce(n.aliases, []) + [a IN row.aliases WHERE NOT a IN coalesce(n.aliases, [])]
SET n.aliasText = reduce(t = '', a IN n.aliases | t + a + ' | ')
WITH n, before, beforeLabels
WHERE before <> properties(n) OR size(beforeLabels) <> size(labels(n))
RETURN count(n) AS changed
"""

_MERGE_EDGES = """
UNWIND $rows AS row
MATCH (a:Entity {{id: row.start}})
MATCH (b:Entity {{id: row.end}})
MERGE (a)-[r:{rel_type}{merge_props}]->(b)
WITH r, row, properties(r) AS before
SET r += row.props
SET r.sources = coalesce(r.sources, []) + [s IN row.sources WHERE NOT s IN coalesce(r.sources, [])]
WITH r, before WHERE before <> properties(r)
RETURN count(r) AS changed
"""

COUNT_NODES = "MATCH (n:Entity) RETURN count(n) AS count"
DELETE_ALL = "MATCH (n:Entity) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"

# The graph's version: bumped by every write that changes something, so readers (the GraphQL analysis fields)
# can cache results until the graph changes. `GraphMeta` is not an `Entity`: it is bookkeeping, not data.
BUMP_GRAPH_VERSION = """
MERGE (m:GraphMeta {id: 'graph'})
SET m.version = coalesce(m.version, 0) + 1, m.changedAt = datetime()
RETURN m.version AS version
"""
GRAPH_VERSION = "OPTIONAL MATCH (m:GraphMeta {id: 'graph'}) RETURN coalesce(m.version, 0) AS version"


@dataclass
class WriteSummary:
    """What a write changed, from Neo4j's own counters."""

    nodes_created: int = 0
    relationships_created: int = 0
    properties_set: int = 0
    labels_added: int = 0
    changed: int = 0
    nodes_by_label: dict[str, int] = field(default_factory=dict)
    relationships_by_type: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        return (
            f"{self.nodes_created} nodes and {self.relationships_created} relationships created, "
            f"{self.properties_set} properties set"
        )


def node_label_list(label: str) -> list[str]:
    """A node's labels besides `Entity`: its own, and `Actor` for actors. Raises on a label not in the allow-list."""
    if label not in vocab.NODE_LABELS:
        raise ValueError(f"unknown label {label!r}")
    return [label, "Actor"] if label in vocab.ACTOR else [label]


def node_labels(label: str) -> str:
    """The label clause for a node (`node_label_list` joined for Cypher)."""
    return ":".join(node_label_list(label))


def merge_nodes_query(label: str) -> str:
    return _MERGE_NODES.format(labels=node_labels(label))


def merge_edges_query(rel_type: str) -> str:
    if rel_type not in vocab.RELATIONSHIP_ENDPOINTS:
        raise ValueError(f"unknown relationship type {rel_type!r}")
    key = vocab.MERGE_KEYS.get(rel_type)
    merge_props = f" {{{key}: row.props.{key}}}" if key else ""
    return _MERGE_EDGES.format(rel_type=rel_type, merge_props=merge_props)


def _node_row(node: NodeRecord) -> dict[str, object]:
    props = {k: v for k, v in node.neo4j_properties().items() if k not in ("sources", "aliases") and v is not None}
    return {"id": node.id, "props": props, "sources": list(node.sources), "aliases": list(node.aliases)}


def _edge_row(edge: EdgeRecord) -> dict[str, object]:
    return {"start": edge.start, "end": edge.end, "props": dict(edge.properties), "sources": list(edge.sources)}


def _batches(rows: Sequence[dict[str, object]], size: int) -> Iterable[Sequence[dict[str, object]]]:
    for offset in range(0, len(rows), size):
        yield rows[offset : offset + size]


SHOW_SCHEMA_NAMES = ("SHOW CONSTRAINTS YIELD name RETURN name", "SHOW INDEXES YIELD name RETURN name")


def _schema_name(statement: str) -> str:
    """The name a CREATE CONSTRAINT / CREATE [FULLTEXT] INDEX statement gives (the word before IF NOT EXISTS)."""
    return statement.split(" IF NOT EXISTS")[0].split()[-1]


def ensure_schema(session: Session) -> list[str]:
    """Create the constraints (unique id per label) and indexes that are missing; returns their names.

    Two `SHOW`s answer whether anything is missing, so the usual call (everything exists) costs two queries.
    """
    existing = {record["name"] for query in SHOW_SCHEMA_NAMES for record in session.run(query)}
    created = []
    for statement in (*CONSTRAINTS, *INDEXES):
        name = _schema_name(statement)
        if name not in existing:
            session.run(statement).consume()
            created.append(name)
    if created:
        session.run("CALL db.awaitIndexes(300)").consume()
    return created


def write_records_tx(
    tx: ManagedTransaction,
    nodes: Iterable[NodeRecord],
    edges: Iterable[EdgeRecord],
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> WriteSummary:
    """MERGE nodes (grouped by label) then relationships (grouped by type) inside one transaction."""
    summary = WriteSummary()
    changed = 0
    by_label: dict[str, list[dict[str, object]]] = defaultdict(list)
    for node in nodes:
        by_label[node.label].append(_node_row(node))
    by_type: dict[str, list[dict[str, object]]] = defaultdict(list)
    for edge in edges:
        by_type[edge.type].append(_edge_row(edge))

    def account(result: Result, count: int) -> None:
        nonlocal changed
        changed += result.single(strict=True)["changed"]
        counters = result.consume().counters
        summary.nodes_created += counters.nodes_created
        summary.relationships_created += counters.relationships_created
        summary.properties_set += counters.properties_set
        summary.labels_added += counters.labels_added
        if progress:
            progress(count)

    for label, rows in by_label.items():
        summary.nodes_by_label[label] = len(rows)
        for batch in _batches(rows, batch_size):
            account(tx.run(merge_nodes_query(label), rows=list(batch)), len(batch))
    for rel_type, rows in by_type.items():
        summary.relationships_by_type[rel_type] = len(rows)
        for batch in _batches(rows, batch_size):
            account(tx.run(merge_edges_query(rel_type), rows=list(batch)), len(batch))
    summary.changed = changed
    if changed:
        bump_graph_version(tx)
    return summary


def write_records(session: Session, nodes: Iterable[NodeRecord], edges: Iterable[EdgeRecord]) -> WriteSummary:
    """Write all records in one transaction: either everything lands or the graph stays as it was."""
    node_list, edge_list = list(nodes), list(edges)
    return session.execute_write(write_records_tx, node_list, edge_list)


def bump_graph_version(tx: ManagedTransaction | Transaction) -> int:
    """Mark the graph as changed (inside the writer's transaction); returns the new version."""
    return int(tx.run(BUMP_GRAPH_VERSION).single(strict=True)["version"])


def delete_all(session: Session) -> None:
    """Remove every CBSI node and relationship (keeps constraints and indexes)."""
    deleted = session.run(DELETE_ALL).consume().counters.nodes_deleted
    if deleted:
        session.execute_write(bump_graph_version)
