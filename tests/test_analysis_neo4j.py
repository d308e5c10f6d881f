"""`from_neo4j` on the real seeded Neo4j gives exactly `from_records(load_dataset())`."""

from __future__ import annotations

import pytest
from neo4j import Driver

from analysis.projection import from_neo4j, from_records
from graph_seed.records import load_dataset

pytestmark = pytest.mark.neo4j


def test_from_neo4j_equals_from_records(seeded_graph: Driver) -> None:
    expected = from_records(load_dataset())
    actual = from_neo4j(seeded_graph)
    assert set(actual.nodes) == set(expected.nodes)
    assert dict(actual.nodes(data=True)) == dict(expected.nodes(data=True))
    assert sorted(actual.edges(keys=True)) == sorted(expected.edges(keys=True))
    assert {(u, v, k): d for u, v, k, d in actual.edges(keys=True, data=True)} == {
        (u, v, k): d for u, v, k, d in expected.edges(keys=True, data=True)
    }
    assert all("aliasText" not in d for _, d in actual.nodes(data=True))
