"""Helpers for the importer tests: the real sample files, and a full, order-independent dump of the graph."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from neo4j import Driver

# The real IATI and ForeignAssistance.gov files kept in the repository (data/samples/README.md says whence).
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"

_NODES = "MATCH (n:Entity) RETURN n.id AS id, labels(n) AS labels, properties(n) AS props"
_RELS = ("MATCH (a:Entity)-[r]->(b:Entity) "
         "RETURN a.id AS start, type(r) AS type, b.id AS end, properties(r) AS props")


def _freeze(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    return value


def dump(driver: Driver) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """Every node (id, labels, properties) and relationship (ends, type, properties), sorted."""
    nodes, _, _ = driver.execute_query(_NODES)
    rels, _, _ = driver.execute_query(_RELS)
    node_rows = sorted((r["id"], tuple(sorted(r["labels"])), _freeze(r["props"])) for r in nodes)
    rel_rows = sorted((r["start"], r["type"], r["end"], _freeze(r["props"])) for r in rels)
    return tuple(node_rows), tuple(rel_rows)


def count(driver: Driver, query: str, **params: Any) -> int:
    records, _, _ = driver.execute_query(query, params)
    return int(records[0][0])


def one(driver: Driver, query: str, **params: Any) -> dict[str, Any]:
    records, _, _ = driver.execute_query(query, params)
    assert len(records) == 1, f"expected one row, got {len(records)}"
    return dict(records[0])


WALL_CLOCK = ("importedAt", "importStartedAt")  # when a run started and finished: differs between equal runs


def without(state: tuple[tuple[Any, ...], tuple[Any, ...]], *keys: str) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """A `dump` with the named node properties left out (e.g. `importedAt`, a wall-clock time)."""
    nodes, rels = state
    return tuple((i, labels, tuple(p for p in props if p[0] not in keys)) for i, labels, props in nodes), rels
