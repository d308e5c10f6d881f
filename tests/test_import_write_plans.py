"""The import's write queries plan without an Eager operator.

Why: an Eager buffers every row of the batch between two halves of a query (all MERGEs before any MATCH)
instead of streaming them; it appeared in the Funding query when its program was matched on `Entity` right
after a MERGE on `Entity` (docs/benchmarks.md, "Importers"). EXPLAIN only plans, so this is cheap.
"""

from __future__ import annotations

from typing import Any

import pytest
from neo4j import Driver

from graph_seed import neo4j_writer
from graph_seed import vocabulary as vocab


def _operators(plan: Any) -> list[str]:
    found = [str(plan["operatorType"]).split("@")[0]]
    for child in plan.get("children", []):
        found += _operators(child)
    return found


def _import_queries() -> dict[str, str]:
    queries = {f"nodes {label}": neo4j_writer.import_nodes_query(label) for label in vocab.NODE_LABELS}
    queries |= {f"edges {rel}": neo4j_writer.import_edges_query(rel) for rel in vocab.RELATIONSHIP_ENDPOINTS}
    queries |= {f"create nodes {label}": neo4j_writer.create_nodes_query(label) for label in vocab.NODE_LABELS}
    queries |= {f"create edges {rel}": neo4j_writer.create_edges_query(rel) for rel in vocab.RELATIONSHIP_ENDPOINTS}
    queries |= {"funding": neo4j_writer.FUNDING_QUERY, "create funding": neo4j_writer.CREATE_FUNDING_QUERY,
                "touch": neo4j_writer.TOUCH, "sector codes": neo4j_writer.SECTOR_CODES,
                "existing": neo4j_writer.EXISTING}
    return queries


@pytest.mark.neo4j
def test_no_import_write_query_plans_an_eager(neo4j_driver: Driver) -> None:
    eager = {}
    with neo4j_driver.session() as session:
        for name, query in _import_queries().items():
            plan = session.run("EXPLAIN " + query, rows=[], ids=[], source="src:test").consume().plan
            assert plan is not None, name
            operators = _operators(plan)
            if "Eager" in operators:
                eager[name] = " <- ".join(operators)
    assert eager == {}
