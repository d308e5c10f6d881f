"""The one write path (`graph_seed/neo4j_writer.py`): the seed and the importers follow the same rules, for
every label and relationship type in the vocabulary, on whatever Neo4j the suite runs against."""

from __future__ import annotations

import pytest
from neo4j import Driver

from graph_seed import neo4j_writer as w
from graph_seed import vocabulary as vocab
from graph_seed.model import EdgeRecord, NodeRecord


def test_every_label_and_type_gets_its_queries_from_the_vocabulary() -> None:
    for label in vocab.NODE_LABELS:
        for query in (w.merge_nodes_query(label), w.import_nodes_query(label)):
            assert f"SET n:{w.node_labels(label)}" in query
            assert ("Actor" in query) == (label in vocab.ACTOR)
    for rel_type in vocab.RELATIONSHIP_TYPES:
        key = vocab.MERGE_KEYS.get(rel_type)
        pattern = f"[r:{rel_type} {{{key}: row.props.{key}}}]" if key else f"[r:{rel_type}]"
        for query in (w.merge_edges_query(rel_type), w.import_edges_query(rel_type)):
            assert pattern in query
            assert key is None or f"r.{key} =" not in query  # a merge key is identity, never SET afterwards
    with pytest.raises(ValueError, match="unknown"):
        w.import_nodes_query("Program`) DETACH DELETE (n")
    with pytest.raises(ValueError, match="unknown"):
        w.merge_edges_query("FUNDS]->() DETACH DELETE (x")


def _person_and_titles(sources: tuple[str, ...]) -> tuple[list[NodeRecord], list[EdgeRecord]]:
    nodes = [
        NodeRecord(id="person:test-minister", label="Person", name="A Minister", aliases=("Minister A",),
                   sources=sources),
        NodeRecord(id="gov:TT", label="Government", name="Trinidad and Tobago", sources=sources,
                   properties={"countryCode": "TT"}),
    ]
    edges = [EdgeRecord(type="HOLDS_POSITION", start="person:test-minister", end="gov:TT", sources=sources,
                        properties={"title": title}) for title in ("Minister of National Security", "Senator")]
    return nodes, edges


@pytest.mark.neo4j
def test_seed_and_import_share_identity_sources_and_aliases(empty_graph: Driver) -> None:
    nodes, edges = _person_and_titles(("src:test-seed",))
    with empty_graph.session() as session:
        w.write_records(session, nodes, edges)
    # An import that states one of the same titles, and a node the seed already holds, only adds its source.
    batch = w.Batch(
        nodes={"Person": [{"id": "person:test-minister", "props": {"name": "Renamed by an import"},
                           "aliases": ["Another alias"]}]},
        edges={"HOLDS_POSITION": [{"start": "person:test-minister", "end": "gov:TT",
                                   "props": {"title": "Senator", "since": "2020"}}]},
        size=2,
    )
    with empty_graph.session() as session:
        counts = session.execute_write(w.write_batch, "src:test-import", batch)
    assert (counts.nodes_created, counts.relationships_created) == (0, 0)
    person = empty_graph.execute_query(
        "MATCH (p:Person {id: 'person:test-minister'}) RETURN p.name AS name, p.sources AS sources, "
        "p.aliases AS aliases, p.aliasText AS aliasText, labels(p) AS labels").records[0]
    assert person["name"] == "A Minister"  # an import never rewrites what existed before it
    assert person["sources"] == ["src:test-seed", "src:test-import"]
    assert person["aliases"] == ["Minister A"] and person["aliasText"] == "Minister A | "
    assert sorted(person["labels"]) == ["Entity", "Person"]
    titles = empty_graph.execute_query(
        "MATCH (:Person)-[r:HOLDS_POSITION]->(:Government {id: 'gov:TT'}) "
        "RETURN r.title AS title, r.sources AS sources, r.since AS since ORDER BY title").records
    assert [(r["title"], r["sources"], r["since"]) for r in titles] == [
        ("Minister of National Security", ["src:test-seed"], None),
        ("Senator", ["src:test-seed", "src:test-import"], None),  # one relationship per (type, title)
    ]
    # Seeding again keeps the import's source (union), and changes nothing else.
    with empty_graph.session() as session:
        again = w.write_records(session, *_person_and_titles(("src:test-seed",)))
    assert again.changed == 0 and again.nodes_created == 0 and again.relationships_created == 0
    sources = empty_graph.execute_query("MATCH (p:Person) RETURN p.sources AS s").records[0]["s"]
    assert sources == ["src:test-seed", "src:test-import"]


@pytest.mark.neo4j
def test_an_import_creates_stamped_records_and_adds_sector_codes_to_its_own_programs_only(
        empty_graph: Driver) -> None:
    with empty_graph.session() as session:
        w.write_records(session, [NodeRecord(id="program:seeded", label="Program", name="Seeded",
                                             sources=("src:test-seed",), properties={"sectorCodes": ["15210"]})], [])
    batch = w.Batch(
        nodes={"Program": [{"id": "program:imported", "props": {"name": "Imported", "sectorCodes": ["15210"]},
                            "aliases": []}]},
        touch=["program:seeded"],
        sector_codes=[{"id": "program:imported", "codes": ["15210", "15130"]},
                      {"id": "program:seeded", "codes": ["99999"]}],
        size=4,
    )
    with empty_graph.session() as session:
        counts = session.execute_write(w.write_batch, "src:test-import", batch)
    assert counts.nodes_created == 1
    rows = empty_graph.execute_query("MATCH (p:Program) RETURN p.id AS id, p.sectorCodes AS codes, "
                                     "p.createdBy AS createdBy, p.sources AS sources ORDER BY id").records
    assert [(r["id"], r["codes"], r["createdBy"], r["sources"]) for r in rows] == [
        ("program:imported", ["15210", "15130"], "src:test-import", ["src:test-import"]),
        ("program:seeded", ["15210"], None, ["src:test-seed", "src:test-import"]),
    ]
