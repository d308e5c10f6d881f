"""The one module that writes CBSI nodes and relationships into Neo4j, for the seed and for the importers.

One set of rules, spliced into `UNWIND ... MERGE` queries, for every label and relationship type in
`graph_seed.vocabulary` (a new label or type needs no code here):
- **identity**: a node is MERGEd on `Entity {id}`; a relationship on its type plus, where the type has one, its
  merge key (`vocabulary.MERGE_KEYS`: PARTICIPATES_IN by role, HOLDS_POSITION by title);
- **labels**: `Entity`, the node's own label, and `Actor` for actors;
- **properties**: only the names `graph_seed.model` allows for the label or type (`settable`), each set on its
  own (`SET n += map` of unknown keys makes Neo4j plan an Eager, which slows every batch);
- **sources, aliases, sector codes**: lists are unioned (`union`), never replaced, so two writers touching one
  node (the seed and an import both know USAID) each leave their source; `aliasText` is rebuilt from `aliases`.

Two writers use these rules with two policies:
- **the seed** (`write_records`): the curated records are the truth. Properties are written on create and on
  match; the queries return how many nodes (relationships) really changed, so writing the same records again
  leaves the graph version alone (`bump_graph_version`).
- **an import** (`write_batch`): create-or-append. Every node and relationship a batch CREATES is stamped
  `createdBy: <source id>`; one that already existed only gets the source id appended to its `sources` -
  an import never rewrites properties. That rule makes compensation exact (`importers/pipeline.py`,
  `importers/bookkeeping.py`): removing the source id from pre-existing records and deleting what the source
  created restores the graph without before-images. Sector codes are added only to programs the source created.
  What a batch certainly creates (read under the graph version's lock) is written with plain `CREATE`, the same
  properties as `ON CREATE`; everything else is MERGEd (`write_batch` says why that is the same graph).

Labels and relationship types reach Cypher only from the allow-lists; every value travels as a parameter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from neo4j import ManagedTransaction, Result, Session, Transaction

from graph_seed import vocabulary as vocab
from graph_seed.model import LABEL_PROPS, TYPE_PROPS, EdgeRecord, NodeRecord

# Every node also carries `Entity` (one id space for `node(id)`) and actors carry `Actor`.
ENTITY = "Entity"
FULLTEXT_INDEX = "entity_search"
BATCH_SIZE = 5000

# `GraphMeta` too: every writer locks its one node (`LOCK_GRAPH_VERSION`), which MERGE creates on a new graph;
# the constraint makes two writers' first MERGEs create one node, not one each (two locks would lock nothing).
CONSTRAINTS: tuple[str, ...] = tuple(
    f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
    for label in (ENTITY, "Actor", *vocab.NODE_LABELS, "GraphMeta")
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
    # a root page's order walked in an index, and the counts that decide it (`vocabulary.ORDERED_RANGES`)
    *(statement for label, by, sort in vocab.ORDERED_RANGES for statement in (
        f"CREATE INDEX {label.lower()}_{sort.lower()} IF NOT EXISTS FOR (n:{label}) ON (n.{sort})",
        f"CREATE INDEX {label.lower()}_{by.lower()}_{sort.lower()} IF NOT EXISTS "
        f"FOR (n:{label}) ON (n.{by}, n.{sort})")),
    # the lower-cased copies (`vocabulary.LOWERED`): a case-insensitive `contains` reads one label's TEXT index
    *(f"CREATE TEXT INDEX {label.lower()}_{lowered.lower()} IF NOT EXISTS FOR (n:{label}) ON (n.{lowered})"
      for label in vocab.INDEXED_LABELS for lowered in vocab.LOWERED.values()),
)

# -- the rules -----------------------------------------------------------------------------------------
def node_label_list(label: str) -> list[str]:
    """A node's labels besides `Entity`: its own, and `Actor` for actors. Raises on a label not in the allow-list."""
    if label not in vocab.NODE_LABELS:
        raise ValueError(f"unknown label {label!r}")
    return [label, "Actor"] if label in vocab.ACTOR else [label]


def node_labels(label: str) -> str:
    """The label clause for a node (`node_label_list` joined for Cypher)."""
    return ":".join(node_label_list(label))


@lru_cache(maxsize=128)
def settable(label_or_type: str) -> tuple[str, ...]:
    """Property names a write may set on a label's nodes or a type's relationships (from `graph_seed.model`);
    a relationship's merge key is part of its MERGE pattern instead."""
    if label_or_type in LABEL_PROPS:
        return ("name", "description", *LABEL_PROPS[label_or_type].model_fields)
    if label_or_type not in vocab.RELATIONSHIP_ENDPOINTS:
        raise ValueError(f"unknown label or relationship type {label_or_type!r}")
    key = vocab.MERGE_KEYS.get(label_or_type)
    return tuple(name for name in TYPE_PROPS[label_or_type].model_fields if name != key)


def merge_pattern(rel_type: str) -> str:
    """`:TYPE` plus the type's merge key taken from the row, e.g. `:PARTICIPATES_IN {role: row.props.role}`."""
    if rel_type not in vocab.RELATIONSHIP_ENDPOINTS:
        raise ValueError(f"unknown relationship type {rel_type!r}")
    key = vocab.MERGE_KEYS.get(rel_type)
    return f":{rel_type} {{{key}: row.props.{key}}}" if key else f":{rel_type}"


def union(var: str, name: str, items: str) -> str:
    """`var.name` with the items of the list expression `items` it lacks appended (sources, aliases, codes)."""
    return f"coalesce({var}.{name}, []) + [x IN {items} WHERE NOT x IN coalesce({var}.{name}, [])]"


def alias_text(aliases: str) -> str:
    """What the full-text index reads for aliases: the list expression `aliases` joined."""
    return f"reduce(t = '', a IN {aliases} | t + a + ' | ')"


def lowered_set(var: str, source: str) -> str:
    """`v.nameLower = toLower(<source>.name)` for each lowered property (`vocabulary.LOWERED`): `source` is the
    node itself (after its properties were set) or `row.props` (what a CREATE writes). A null name leaves none."""
    return ", ".join(f"{var}.{lowered} = toLower({source}.{prop})" for prop, lowered in vocab.LOWERED.items())


def lowered_map(source: str) -> str:
    """The same copies as entries of a CREATE's property map: `nameLower: toLower(row.props.name)`."""
    return ", ".join(f"{lowered}: toLower({source}.{prop})" for prop, lowered in vocab.LOWERED.items())


def _set_each(var: str, names: Iterable[str], keep: bool) -> list[str]:
    """`v.a = row.props.a` per name; `keep`: a name the row lacks keeps its stored value instead of going."""
    return [f"{var}.{name} = coalesce(row.props.{name}, {var}.{name})" if keep else f"{var}.{name} = row.props.{name}"
            for name in names]


def _map_each(names: Iterable[str]) -> str:
    """`a: row.props.a, ...`: the same properties as `_set_each(..., keep=False)`, as a CREATE's map."""
    return ", ".join(f"{name}: row.props.{name}" for name in names)


# -- the seed: records are the truth -----------------------------------------------------------------------
# Each query returns how many nodes (relationships) it really changed.
_SEED_NODES = """
UNWIND $rows AS row
MERGE (n:Entity {{id: row.id}})
WITH n, row, properties(n) AS before, labels(n) AS beforeLabels
SET n:{labels}, {props}
SET {lowered}, n.sources = {sources}, n.aliases = {aliases}
SET n.aliasText = {alias_text}
WITH n, before, beforeLabels
WHERE before <> properties(n) OR size(beforeLabels) <> size(labels(n))
RETURN count(n) AS changed
"""
_SEED_EDGES = """
UNWIND $rows AS row
MATCH (a:Entity {{id: row.start}})
MATCH (b:Entity {{id: row.end}})
MERGE (a)-[r{pattern}]->(b)
WITH r, row, properties(r) AS before
SET {props}r.sources = {sources}
WITH r, before WHERE before <> properties(r)
RETURN count(r) AS changed
"""


@lru_cache(maxsize=128)
def merge_nodes_query(label: str) -> str:
    return _SEED_NODES.format(labels=node_labels(label), props=", ".join(_set_each("n", settable(label), True)),
                              lowered=lowered_set("n", "n"),
                              sources=union("n", "sources", "row.sources"),
                              aliases=union("n", "aliases", "row.aliases"), alias_text=alias_text("n.aliases"))


@lru_cache(maxsize=128)
def merge_edges_query(rel_type: str) -> str:
    props = "".join(f"{item}, " for item in _set_each("r", settable(rel_type), True))
    return _SEED_EDGES.format(pattern=merge_pattern(rel_type), props=props,
                              sources=union("r", "sources", "row.sources"))


COUNT_NODES = "MATCH (n:Entity) RETURN count(n) AS count"
DELETE_ALL = "MATCH (n:Entity) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"

# The graph's version: bumped by every write that changes something, so readers (the GraphQL analysis fields)
# can cache results until the graph changes. `GraphMeta` is not an `Entity`: it is bookkeeping, not data.
# `BUMP_GRAPH_VERSION_CLAUSE` is the same step for a query that must bump inside its own inner transactions
# (an import's compensation, `importers/bookkeeping.py`).
BUMP_GRAPH_VERSION_CLAUSE = "MERGE (m:GraphMeta {id: 'graph'}) " \
                            "SET m.version = coalesce(m.version, 0) + 1, m.changedAt = datetime()"
BUMP_GRAPH_VERSION = BUMP_GRAPH_VERSION_CLAUSE + "\nRETURN m.version AS version"
# The version node's write lock without moving the version (setting a property takes the node's lock even when
# the value stays the same): a writer that bumps only at its end (the seed) still takes the lock first.
LOCK_GRAPH_VERSION = "MERGE (m:GraphMeta {id: 'graph'}) SET m.version = coalesce(m.version, 0)"
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


def ensure_schema(session: Session, backfill: bool = True) -> list[str]:
    """Create the constraints (unique id per label) and indexes that are missing; returns their names.

    Two `SHOW`s answer whether anything is missing, so the usual call (everything exists) costs two queries,
    plus, with `backfill`, one pass over every node for stale lower-cased copies (`backfill_lowered`). An import
    passes False: it writes the copies of what it writes, and a pass over a 1M-node graph per import is waste;
    `serve` and `seed` bring an older graph up to date.
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
    if backfill:
        backfill_lowered(session)
    return created


def _lowered_stale(var: str) -> str:
    """True for a node whose lower-cased copies are not `toLower` of their property (missing, stale, or left over
    after the property went)."""
    return " OR ".join(f"NOT coalesce({var}.{lowered} = toLower({var}.{prop}), {var}.{lowered} IS NULL AND "
                       f"{var}.{prop} IS NULL)" for prop, lowered in vocab.LOWERED.items())


# Auto-commit (`IN TRANSACTIONS` needs it), in chunks so a large graph's migration holds no huge transaction.
BACKFILL_LOWERED = (f"MATCH (n:{ENTITY}) WHERE {_lowered_stale('n')} "
                    f"CALL (n) {{ SET {lowered_set('n', 'n')} }} IN TRANSACTIONS OF 10000 ROWS")


def backfill_lowered(session: Session) -> int:
    """Write the lower-cased copies (`vocabulary.LOWERED`) where they are missing or stale: a graph written before
    the writers kept them (or by a writer that skipped them). Every writer keeps them since, so on a current graph
    this only reads (one pass over the nodes, ~0.1 s per 30,000). Moves the graph version when it wrote, so no
    cached answer of a filter on the old copies outlives it. Returns how many nodes it wrote."""
    written = session.run(BACKFILL_LOWERED).consume().counters.properties_set
    if written:
        session.execute_write(bump_graph_version)
    return written


def write_records_tx(
    tx: ManagedTransaction | Transaction,
    nodes: Iterable[NodeRecord],
    edges: Iterable[EdgeRecord],
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> WriteSummary:
    """MERGE nodes (grouped by label) then relationships (grouped by type) inside one transaction.

    The version node is locked first, as every import transaction does (`write_batch`): the seed and an import
    can run at once, and an import's batch CREATEs nodes it read as absent under that lock.
    """
    tx.run(LOCK_GRAPH_VERSION).consume()
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


# -- an import: create or append -------------------------------------------------------------------------
# Rows are plain dicts the importers built from values they had already checked (nodes validated with the
# model once per distinct node), so nothing here re-validates; every value still travels as a parameter.
_IMPORT_NODES = """
UNWIND $rows AS row
MERGE (n:Entity {{id: row.id}})
ON CREATE SET n:{labels}, {props}, {lowered}, n.sources = [$source], n.aliases = row.aliases,
              n.aliasText = {alias_text}, n.createdBy = $source
ON MATCH SET n.sources = {sources}
"""
_IMPORT_EDGES = """
UNWIND $rows AS row
MATCH (a:Entity {{id: row.start}})
MATCH (b:Entity {{id: row.end}})
MERGE (a)-[r{pattern}]->(b)
ON CREATE SET {props}r.sources = [$source], r.createdBy = $source
ON MATCH SET r.sources = {sources}
"""
# A Funding node and its FUNDS edge in one pass: the program is matched once per row, no second UNWIND.
# The program is matched by its own label (FUNDS ends only at a Program, `vocabulary`), not by `Entity`: a
# MATCH on the label the MERGE just wrote makes Neo4j plan an Eager, which buffers the whole batch between
# the two halves (seen with EXPLAIN; docs/benchmarks.md, "Importers").
_IMPORT_FUNDING = """
UNWIND $rows AS row
MERGE (f:Entity {{id: row.id}})
ON CREATE SET f:{labels}, {props}, {lowered}, f.sources = [$source], f.aliases = [], f.aliasText = '',
              f.createdBy = $source
ON MATCH SET f.sources = {f_sources}
WITH f, row
MATCH (p:{program} {{id: row.program}})
MERGE (f)-[r{pattern}]->(p)
ON CREATE SET r.sources = [$source], r.createdBy = $source
ON MATCH SET r.sources = {r_sources}
"""
# The same writes for records this transaction creates (`write_batch` decides which): plain CREATE with exactly
# the properties the MERGEs above set ON CREATE. No MERGE look-up, no Expand(Into) between an actor with many
# programs and a new program. Properties go in the CREATE's map (a null leaves the property out, as the SET does):
# a `SET f.id = ...` before the Funding query's `MATCH (p:Program {id})` plans an Eager.
_CREATE_NODES = """
UNWIND $rows AS row
CREATE (n:Entity:{labels} {{id: row.id, {props}, {lowered}, sources: [$source], aliases: row.aliases,
                            aliasText: {alias_text}, createdBy: $source}})
"""
_CREATE_EDGES = """
UNWIND $rows AS row
MATCH (a:Entity {{id: row.start}})
MATCH (b:Entity {{id: row.end}})
CREATE (a)-[r{pattern}]->(b)
SET {props}r.sources = [$source], r.createdBy = $source
"""
_CREATE_FUNDING = """
UNWIND $rows AS row
CREATE (f:Entity:{labels} {{id: row.id, {props}, {lowered}, sources: [$source], aliases: [], aliasText: '',
                            createdBy: $source}})
WITH f, row
MATCH (p:{program} {{id: row.program}})
CREATE (f)-[r{pattern}]->(p)
SET r.sources = [$source], r.createdBy = $source
"""
# Which of a batch's node ids exist already (one index look-up each), read under the version lock.
EXISTING = "UNWIND $ids AS id MATCH (n:Entity {id: id}) RETURN n.id AS id"
# A node that exists already (the seed's USAID): the import adds its source and nothing else.
TOUCH = f"""
UNWIND $ids AS id
MATCH (n:Entity {{id: id}})
SET n.sources = {union("n", "sources", "[$source]")}
"""
# Only programs this source created: an import never edits a node that existed before it.
SECTOR_CODES = f"""
UNWIND $rows AS row
MATCH (p:Program {{id: row.id}})
WHERE p.createdBy = $source
SET p.sectorCodes = {union("p", "sectorCodes", "row.codes")}
"""


@lru_cache(maxsize=128)
def import_nodes_query(label: str) -> str:
    return _IMPORT_NODES.format(labels=node_labels(label), props=", ".join(_set_each("n", settable(label), False)),
                                lowered=lowered_set("n", "row.props"),
                                alias_text=alias_text("row.aliases"), sources=union("n", "sources", "[$source]"))


@lru_cache(maxsize=128)
def import_edges_query(rel_type: str) -> str:
    props = "".join(f"{item}, " for item in _set_each("r", settable(rel_type), False))
    return _IMPORT_EDGES.format(pattern=merge_pattern(rel_type), props=props,
                                sources=union("r", "sources", "[$source]"))


@lru_cache(maxsize=128)
def create_nodes_query(label: str) -> str:
    return _CREATE_NODES.format(labels=node_labels(label), props=_map_each(settable(label)),
                                lowered=lowered_map("row.props"), alias_text=alias_text("row.aliases"))


@lru_cache(maxsize=128)
def create_edges_query(rel_type: str) -> str:
    props = "".join(f"{item}, " for item in _set_each("r", settable(rel_type), False))
    return _CREATE_EDGES.format(pattern=merge_pattern(rel_type), props=props)


(_FUNDED,) = vocab.RELATIONSHIP_ENDPOINTS["FUNDS"][1]
FUNDING_QUERY = _IMPORT_FUNDING.format(
    labels=node_labels("Funding"), program=_FUNDED, props=", ".join(_set_each("f", settable("Funding"), False)),
    lowered=lowered_set("f", "row.props"),
    f_sources=union("f", "sources", "[$source]"), pattern=merge_pattern("FUNDS"),
    r_sources=union("r", "sources", "[$source]"),
)
CREATE_FUNDING_QUERY = _CREATE_FUNDING.format(
    labels=node_labels("Funding"), program=_FUNDED, props=_map_each(settable("Funding")),
    lowered=lowered_map("row.props"), pattern=merge_pattern("FUNDS"),
)


@dataclass
class Batch:
    """What one import transaction writes: nodes by label, touched ids, Funding rows (with their FUNDS edge),
    relationships by type, and sector codes for programs."""

    nodes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    touch: list[str] = field(default_factory=list)
    funding: list[dict[str, Any]] = field(default_factory=list)
    edges: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    sector_codes: list[dict[str, Any]] = field(default_factory=list)
    size: int = 0
    owner: str = ""  # set by the writer: the run that must still own the Source (see `importers/bookkeeping.py`)
    rows: int = 0  # input rows (IATI activities, CSV rows) of the file read when this batch was cut

    def __bool__(self) -> bool:
        return self.size > 0


@dataclass
class Counts:
    nodes_created: int = 0
    relationships_created: int = 0

    def add(self, other: Counts) -> None:
        self.nodes_created += other.nodes_created
        self.relationships_created += other.relationships_created


@dataclass
class Split:
    """A batch's rows cut in two: what this transaction creates (written with CREATE) and what may meet a
    record that exists already (written with MERGE, create-or-append). See `write_batch` for why that is safe."""

    create_nodes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    merge_nodes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    create_funding: list[dict[str, Any]] = field(default_factory=list)
    merge_funding: list[dict[str, Any]] = field(default_factory=list)
    create_edges: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    merge_edges: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def split_batch(batch: Batch, existing: set[str]) -> Split:
    """Cut `batch` given the ids of its nodes that exist already (`existing`).

    A node is created when it does not exist and is not repeated earlier in the batch; a relationship is created
    when one of its ends is a node created here (no other writer can have linked a node it cannot see yet) and
    it is not repeated earlier in the batch (same ends, type and merge key). Everything else is MERGEd, after
    the CREATEs, so a repeat finds what the batch just wrote, as one MERGE of both would. (A merge key is
    never null - the model requires `role` and `title` - so CREATE never writes what MERGE would refuse.)
    """
    split = Split()
    created: set[str] = set()

    def node_side(row_id: str) -> bool:
        if row_id in existing or row_id in created:
            return False
        created.add(row_id)
        return True

    for label, rows in batch.nodes.items():
        for row in rows:
            (split.create_nodes if node_side(row["id"]) else split.merge_nodes).setdefault(label, []).append(row)
    for row in batch.funding:
        (split.create_funding if node_side(row["id"]) else split.merge_funding).append(row)
    for rel_type, rows in batch.edges.items():
        key_name = vocab.MERGE_KEYS.get(rel_type)
        seen: set[tuple[str, str, Any]] = set()
        create, merge = split.create_edges.setdefault(rel_type, []), split.merge_edges.setdefault(rel_type, [])
        for row in rows:
            if row["start"] in created or row["end"] in created:
                key = (row["start"], row["end"], row["props"].get(key_name) if key_name else None)
                if key not in seen:
                    seen.add(key)
                    create.append(row)
                    continue
            merge.append(row)
    return split


def existing_ids(tx: ManagedTransaction, batch: Batch) -> set[str]:
    """The ids of the batch's nodes and Funding rows that are in the graph already."""
    ids = [row["id"] for rows in batch.nodes.values() for row in rows] + [row["id"] for row in batch.funding]
    if not ids:
        return set()
    return {record["id"] for record in tx.run(EXISTING, ids=ids)}


def write_batch(tx: ManagedTransaction, source: str, batch: Batch) -> Counts:
    """Write one import batch inside `tx` (a `session.execute_write` unit): nodes first, then relationships.

    The batch moves the graph version in the same transaction: a cache keyed on the version (the HTTP response
    cache, the network cache) can never hold an answer older than what this batch committed. It does so first,
    so every import transaction takes the version's lock before any other (`importers/bookkeeping.py`): two
    writers never hold each other's locks in opposite order (concurrent imports' batches take turns).

    CREATE where MERGE would only create (`split_batch`), MERGE elsewhere; the graph is the one MERGE alone
    writes. Why that holds:
    - Every transaction that creates or deletes nodes or relationships takes the version node's lock as its
      first write and holds it to its commit: import batches (here), `bookkeeping.begin`/`finish`, each inner
      transaction of the compensation, the seed (`write_records_tx`). (`bookkeeping.claim` only edits a Source's
      import fields; `delete_all` only deletes.) So `existing_ids`, read right after the bump, stays true until
      this transaction commits: no other writer creates one of these ids meanwhile, and a node read as absent
      is created here, once.
    - A node created in this transaction is invisible to every other until the commit, so the only
      relationships it can have are the ones this transaction writes: a relationship with such an end is new
      unless the batch repeats it, and repeats are MERGEd after it.
    Were a writer to skip the lock, the worst case is a loud failure, not another graph: a CREATE of an id
    another transaction created meanwhile breaks the `Entity` id constraint and the batch is rolled back.
    """
    from graph_seed.importers import bookkeeping  # the importers build on this module, not the other way

    counts = Counts()
    bump_graph_version(tx)
    if batch.owner:
        # the batch is rolled back if another run took the file
        bookkeeping.heartbeat(tx, source, batch.owner, batch.rows)
    split = split_batch(batch, existing_ids(tx, batch))

    def run(query: str, **params: Any) -> None:
        counters = tx.run(query, source=source, **params).consume().counters
        counts.nodes_created += counters.nodes_created
        counts.relationships_created += counters.relationships_created

    for label, rows in split.create_nodes.items():
        run(create_nodes_query(label), rows=rows)
    for label, rows in split.merge_nodes.items():
        run(import_nodes_query(label), rows=rows)
    if batch.touch:
        run(TOUCH, ids=batch.touch)
    if split.create_funding:
        run(CREATE_FUNDING_QUERY, rows=split.create_funding)
    if split.merge_funding:
        run(FUNDING_QUERY, rows=split.merge_funding)
    for rel_type, rows in split.create_edges.items():
        if rows:
            run(create_edges_query(rel_type), rows=rows)
    for rel_type, rows in split.merge_edges.items():
        if rows:
            run(import_edges_query(rel_type), rows=rows)
    if batch.sector_codes:
        run(SECTOR_CODES, rows=batch.sector_codes)
    return counts
