"""A full, ordered dump of the graph, to compare two states exactly."""

from __future__ import annotations

from neo4j import Driver

DUMP_NODES = """
MATCH (n:Entity)
RETURN n.id AS id, labels(n) AS labels, properties(n) AS props
ORDER BY id
"""
DUMP_RELATIONSHIPS = """
MATCH (a:Entity)-[r]->(b:Entity)
RETURN a.id AS start, type(r) AS type, b.id AS end, properties(r) AS props
ORDER BY start, type, end, coalesce(r.role, '')
"""


def dump(driver: Driver) -> tuple[list[tuple], list[tuple]]:
    nodes = [
        (r["id"], tuple(sorted(r["labels"])), tuple(sorted((k, repr(v)) for k, v in r["props"].items())))
        for r in driver.execute_query(DUMP_NODES).records
    ]
    rels = [
        (r["start"], r["type"], r["end"], tuple(sorted((k, repr(v)) for k, v in r["props"].items())))
        for r in driver.execute_query(DUMP_RELATIONSHIPS).records
    ]
    return nodes, rels
