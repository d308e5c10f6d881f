"""The program hierarchy without hand-written levels: descendants/ancestors fields and filters that follow
PART_OF (bounded), on a four-level hierarchy whose lower levels name no country of their own."""

from __future__ import annotations

import pytest
from neo4j import Driver

from graph_seed.neo4j_writer import write_records
from resolvers import catalog
from resolvers.where import compile_where
from tests.test_graphql_helpers import data_of, edge, node

pytestmark = [pytest.mark.neo4j]


@pytest.fixture
def hierarchy(empty_graph: Driver) -> Driver:
    nodes = [
        node("src:a", "Source", "Source A", title="Source A"),
        node("gov:JM", "Government", "Jamaica", countryCode="JM", cbsiRole="partner"),
        node("gov:BB", "Government", "Barbados", countryCode="BB", cbsiRole="partner"),
        node("agency:inl", "Agency", "INL", acronym="INL"),
        node("cso:deep", "CivilSocietyOrganization", "Deep NGO"),
        node("cso:elsewhere", "CivilSocietyOrganization", "Elsewhere NGO"),
        node("program:top", "Program", "Top", level="initiative"),
        node("program:pillar", "Program", "Pillar", level="pillar"),
        node("program:project", "Program", "Project", level="project"),
        node("program:activity", "Program", "Activity", level="activity"),
        node("program:other", "Program", "Other"),
    ]
    edges = [
        edge("PART_OF", "program:pillar", "program:top"),
        edge("PART_OF", "program:project", "program:pillar"),
        edge("PART_OF", "program:activity", "program:project"),
        edge("OPERATES_IN", "program:pillar", "gov:JM"),
        edge("OPERATES_IN", "program:other", "gov:BB"),
        edge("PARTICIPATES_IN", "agency:inl", "program:top", role="funding"),
        edge("PARTICIPATES_IN", "cso:deep", "program:activity", role="implementing"),
        edge("PARTICIPATES_IN", "cso:elsewhere", "program:other", role="implementing"),
    ]
    with empty_graph.session() as session:
        write_records(session, nodes, edges)
    return empty_graph


def graph_ids(connection: dict) -> list[str]:
    return [e["node"]["graphId"] for e in connection["edges"]]


@pytest.mark.usefixtures("hierarchy")
def test_descendants_and_ancestors_with_depth(neo4j_auth) -> None:
    data = data_of(neo4j_auth, """{ program(id: "program:top") {
        descendants { edges { depth node { graphId } } } selfAndDescendants { edges { depth node { graphId } } } }
        activity: program(id: "program:activity") {
            ancestors(sort: {field: NAME}) { edges { node { graphId } } } } }""")
    depths = {e["node"]["graphId"]: e["depth"] for e in data["program"]["descendants"]["edges"]}
    assert depths == {"program:pillar": 1, "program:project": 2, "program:activity": 3}
    assert {e["node"]["graphId"]: e["depth"] for e in data["program"]["selfAndDescendants"]["edges"]} == {
        **depths, "program:top": 0}
    assert graph_ids(data["activity"]["ancestors"]) == ["program:pillar", "program:project", "program:top"]


@pytest.mark.usefixtures("hierarchy")
def test_programs_in_jamaica_including_sub_programs(neo4j_auth) -> None:
    data = data_of(neo4j_auth, """{ programs(where: {selfAndAncestors: {some: {
        countries: {some: {id: {eq: "gov:JM"}}}}}}) { edges { node { graphId } } } }""")
    assert graph_ids(data["programs"]) == ["program:activity", "program:pillar", "program:project"]


@pytest.mark.usefixtures("hierarchy")
def test_actors_in_any_part_of_a_program(neo4j_auth) -> None:
    data = data_of(neo4j_auth, """{ civilSocietyOrganizations(where: {programs: {some: {selfAndAncestors: {some: {
        participants: {some: {acronym: {eq: "INL"}}}}}}}}) { edges { node { graphId } } } }""")
    assert graph_ids(data["civilSocietyOrganizations"]) == ["cso:deep"]  # INL is three levels up


def test_the_hierarchy_is_one_bounded_variable_length_pattern() -> None:
    condition, params = compile_where("Program", {"descendants": {"some": {"name": {"eq": "x"}}}})
    assert f"[:PART_OF*1..{catalog.HIERARCHY_DEPTH}]" in condition and params == {"w0": "x"}
    assert "x" not in condition
