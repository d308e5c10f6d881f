"""Seeding the real Neo4j: idempotent, all-or-nothing, every node and relationship sourced."""

from __future__ import annotations

from pathlib import Path

import pytest
from neo4j import Driver
from neo4j.exceptions import CypherSyntaxError

from graph_seed import neo4j_writer
from graph_seed.records import DataValidationError, load_dataset
from graph_seed.seed import seed
from tests.graph_dump import dump

pytestmark = pytest.mark.neo4j
QUIET = {"progress": lambda _message: None}


def test_seed_twice_leaves_the_graph_identical(empty_graph: Driver) -> None:
    first = seed(empty_graph, **QUIET)
    after_first = dump(empty_graph)
    second = seed(empty_graph, **QUIET)
    assert dump(empty_graph) == after_first
    assert second.summary.nodes_created == 0
    assert second.summary.relationships_created == 0
    assert first.nodes == len(after_first[0])
    assert first.relationships == len(after_first[1])


def test_seed_matches_the_records(seeded_graph: Driver) -> None:
    dataset = load_dataset()
    nodes, rels = dump(seeded_graph)
    assert [n[0] for n in nodes] == sorted(n.id for n in dataset.nodes)
    assert sorted((r[0], r[1], r[2]) for r in rels) == sorted((e.start, e.type, e.end) for e in dataset.edges)


def test_every_node_and_relationship_names_a_source(seeded_graph: Driver) -> None:
    unsourced = seeded_graph.execute_query(
        "MATCH (n:Entity) WHERE NOT n:Source AND size(coalesce(n.sources, [])) = 0 RETURN count(n) AS c"
    ).records[0]["c"]
    unsourced_rels = seeded_graph.execute_query(
        "MATCH (:Entity)-[r]->(:Entity) WHERE size(coalesce(r.sources, [])) = 0 RETURN count(r) AS c"
    ).records[0]["c"]
    dangling = seeded_graph.execute_query(
        "MATCH (n:Entity) UNWIND n.sources AS s OPTIONAL MATCH (src:Source {id: s}) "
        "WITH s, src WHERE src IS NULL RETURN count(s) AS c"
    ).records[0]["c"]
    assert (unsourced, unsourced_rels, dangling) == (0, 0, 0)


def test_invalid_data_writes_nothing(seeded_graph: Driver, tmp_path: Path) -> None:
    before = dump(seeded_graph)
    bad = tmp_path / "bad.yaml"
    bad.write_text("nodes:\n  - id: gov:XX\n    label: Government\n    name: Nowhere\n    countryCode: xx\n")
    with pytest.raises(DataValidationError) as raised:
        seed(seeded_graph, files=[bad], **QUIET)
    problems = [str(p) for p in raised.value.problems]
    assert any(p.endswith("bad.yaml:2: countryCode: String should match pattern '^[A-Z]{2}$'") for p in problems)
    assert any("sources: every node must name at least one source" in p for p in problems)
    assert dump(seeded_graph) == before


def test_a_write_failing_part_way_rolls_back(empty_graph: Driver, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nodes are written before relationships in the same transaction; break the relationships' query."""
    dataset = load_dataset()
    assert dataset.edges, "the curated dataset has relationships"
    real = neo4j_writer.merge_edges_query
    monkeypatch.setattr(neo4j_writer, "merge_edges_query", lambda rel_type: real(rel_type) + " BROKEN")
    with pytest.raises(CypherSyntaxError):
        seed(empty_graph, dataset=dataset, **QUIET)
    assert dump(empty_graph) == ([], [])


def test_reset_removes_what_the_seed_does_not_hold(seeded_graph: Driver) -> None:
    seeded_graph.execute_query("CREATE (:Entity:Program {id: 'program:stray', name: 'Stray', sources: ['x']})")
    seed(seeded_graph, reset=True, **QUIET)
    assert seeded_graph.execute_query(
        "MATCH (n:Entity {id: 'program:stray'}) RETURN count(n) AS c"
    ).records[0]["c"] == 0


def graph_version(driver: Driver) -> int:
    return driver.execute_query(neo4j_writer.GRAPH_VERSION).records[0]["version"]


def test_graph_version_moves_only_when_the_graph_changes(seeded_graph: Driver) -> None:
    before = graph_version(seeded_graph)
    again = seed(seeded_graph, **QUIET)
    assert again.summary.changed == 0
    assert graph_version(seeded_graph) == before
    dataset = load_dataset()
    node = next(n for n in dataset.nodes if n.label == "Program")
    edited = node.model_copy(update={"description": "edited for the test"})
    with seeded_graph.session() as session:
        summary = neo4j_writer.write_records(session, [edited], [])
    assert summary.changed == 1
    assert graph_version(seeded_graph) == before + 1
    with seeded_graph.session() as session:
        neo4j_writer.delete_all(session)
    assert graph_version(seeded_graph) == before + 2
