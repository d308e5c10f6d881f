"""Shortest cooperation chains, with each hop's relationships, directions and sources."""

from __future__ import annotations

import networkx as nx
import pytest

from analysis.paths import cooperation_paths
from tests.test_analysis_projection import toy_graph


def test_chain_from_civil_society_to_the_us_government() -> None:
    # cso -PARTICIPATES_IN-> p1 <-PARTICIPATES_IN- inl -PART_OF-> US: 3 hops, the only path that short
    # (via the meeting: cso - p1 - JM - m1 - US is 4 hops).
    result = cooperation_paths(toy_graph(), "cso:jm-ngo", "gov:US")
    assert [p.nodes for p in result.paths] == [("cso:jm-ngo", "program:p1", "agency:inl", "gov:US")]
    hops = result.paths[0].hops
    assert [(r.type, r.direction, r.properties) for r in hops[0].relationships] == [
        ("PARTICIPATES_IN", "forward", {"role": "beneficiary"}),
    ]
    assert [(r.type, r.direction, r.start, r.sources) for r in hops[1].relationships] == [
        ("PARTICIPATES_IN", "backward", "agency:inl", ("src:p1-inl",)),
    ]
    assert [(r.type, r.direction) for r in hops[2].relationships] == [("PART_OF", "forward")]
    assert not result.truncated
    frame = result.to_frame()
    assert list(frame["type"]) == ["PARTICIPATES_IN", "PARTICIPATES_IN", "PART_OF"]


def test_all_shortest_paths_capped() -> None:
    # a and d joined through b and through c: two shortest paths of 2 hops.
    graph = nx.MultiDiGraph()
    for node in "abcd":
        graph.add_node(node, label="Agency", name=node.upper())
    for u, v in (("a", "b"), ("b", "d"), ("a", "c"), ("c", "d")):
        graph.add_edge(u, v, key="PARTNERS_WITH", type="PARTNERS_WITH", sources=["src:x"])
    assert [p.nodes for p in cooperation_paths(graph, "a", "d").paths] == [("a", "b", "d"), ("a", "c", "d")]
    capped = cooperation_paths(graph, "a", "d", max_paths=1)
    assert len(capped.paths) == 1 and capped.truncated


def test_objective_hubs_are_skipped_and_types_filter() -> None:
    graph = toy_graph()
    # Through objective:o1 nothing but p1 passes; force a test: p2 also ADVANCES o1.
    graph.add_edge("program:p2", "objective:o1", key="ADVANCES", type="ADVANCES", sources=["src:toy"])
    default = cooperation_paths(graph, "program:p1", "program:p2")
    assert all("objective:o1" not in p.nodes for p in default.paths)
    with_hubs = cooperation_paths(graph, "program:p1", "program:p2", exclude_labels=())
    assert ("program:p1", "objective:o1", "program:p2") in [p.nodes for p in with_hubs.paths]
    only_membership = cooperation_paths(graph, "gov:JM", "gov:BB", relationship_types=["MEMBER_OF"])
    assert [p.nodes for p in only_membership.paths] == [("gov:JM", "igo:impacs", "gov:BB")]


def test_unconnected_and_unknown() -> None:
    graph = toy_graph()
    graph.add_node("cso:alone", label="CivilSocietyOrganization", name="Alone")
    assert cooperation_paths(graph, "cso:alone", "gov:US").paths == ()
    with pytest.raises(nx.NodeNotFound):
        cooperation_paths(graph, "cso:nobody", "gov:US")
