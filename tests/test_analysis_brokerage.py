"""Brokerage: Gould-Fernandez roles on a hand-worked example; Burt's measures computed by hand."""

from __future__ import annotations

import networkx as nx
import pytest

from analysis.brokerage import betweenness_brokers, brokerage_roles, role_of, structural_holes
from tests.test_analysis_projection import toy_graph


def test_gould_fernandez_hand_worked_example() -> None:
    """Groups A = {a1, a2, a3, a4}, B = {b1, b2}, C = {c1}. Edges:

        a1->a2  a2->a3  a2->b1  b1->b2  b1->a3  c1->b1  b2->c1  a1->a3  a3->a4  a3->b1

    A broker v counts each (s, t) with s->v, v->t, s != t and no s->t edge. By hand:

    a1: no predecessors -> 0.
    a2: preds {a1}, succs {a3, b1}: (a1,a3) closed by a1->a3; (a1,b1) open, A A B -> representative.
        => representative 1, total 1.
    a3: preds {a1, a2, b1}, succs {a4, b1}:
        (a1,a4) A A A coordinator; (a1,b1) A A B representative; (a2,a4) A A A coordinator;
        (a2,b1) closed by a2->b1; (b1,a4) B A A gatekeeper; (b1,b1) same node, skipped.
        => coordinator 2, representative 1, gatekeeper 1, total 4.
    a4: no successors -> 0.
    b1: preds {a2, c1, a3}, succs {b2, a3}:
        (a2,b2) A B B gatekeeper; (a2,a3) closed by a2->a3; (c1,b2) C B B gatekeeper;
        (c1,a3) C B A liaison; (a3,b2) A B B gatekeeper; (a3,a3) skipped.
        => gatekeeper 3, liaison 1, total 4.
    b2: preds {b1}, succs {c1}: (b1,c1) open, B B C -> representative 1.
    c1: preds {b2}, succs {b1}: (b2,b1) open, B C B -> itinerant 1.
    """
    graph = nx.DiGraph([
        ("a1", "a2"), ("a2", "a3"), ("a2", "b1"), ("b1", "b2"), ("b1", "a3"), ("c1", "b1"), ("b2", "c1"),
        ("a1", "a3"), ("a3", "a4"), ("a3", "b1"),
    ])
    nx.set_node_attributes(graph, {n: n[0].upper() for n in graph}, "side")
    rows = {r.node: r for r in brokerage_roles(graph, group="side")}
    counts = {
        node: (r.coordinator, r.itinerant, r.gatekeeper, r.representative, r.liaison, r.total)
        for node, r in rows.items()
    }
    assert counts == {
        "a1": (0, 0, 0, 0, 0, 0),
        "a2": (0, 0, 0, 1, 0, 1),
        "a3": (2, 0, 1, 1, 0, 4),
        "a4": (0, 0, 0, 0, 0, 0),
        "b1": (0, 0, 3, 0, 1, 4),
        "b2": (0, 0, 0, 1, 0, 1),
        "c1": (0, 1, 0, 0, 0, 1),
    }
    assert rows["b1"].group == "B"
    assert [r.node for r in brokerage_roles(graph, group="side")][:2] == ["a3", "b1"]


def test_role_of_covers_the_five_roles() -> None:
    assert role_of("A", "A", "A") == "coordinator"
    assert role_of("A", "B", "A") == "itinerant"
    assert role_of("A", "A", "B") == "representative"
    assert role_of("A", "B", "B") == "gatekeeper"
    assert role_of("A", "B", "C") == "liaison"


def test_undirected_and_multi_edges() -> None:
    # Undirected a-b-c read as reciprocal: b brokers (a,c) and (c,a); groups x, y, x -> itinerant 2.
    graph = nx.MultiGraph([("a", "b"), ("a", "b"), ("b", "c")])
    nx.set_node_attributes(graph, {"a": "x", "b": "y", "c": "x"}, "label")
    row = {r.node: r for r in brokerage_roles(graph)}["b"]
    assert (row.itinerant, row.total) == (2, 2)


def test_toy_graph_resource_flow_liaison() -> None:
    from analysis.projection import resource_flow_graph

    # inl (Agency) -> impacs (IGO) -> cso (CSO), no inl -> cso flow: impacs is a liaison once.
    rows = {r.node: r for r in brokerage_roles(resource_flow_graph(toy_graph()))}
    assert (rows["igo:impacs"].liaison, rows["igo:impacs"].total) == (1, 1)
    assert rows["agency:inl"].total == 0


def test_structural_holes_by_hand() -> None:
    # Triangle a-b-c plus pendant d on a. Unweighted p_ij = 1/deg(i).
    # Constraint of a (deg 3): to b: (p_ab + p_ac p_cb)^2 = (1/3 + 1/3 * 1/2)^2 = 1/4; to c likewise 1/4;
    # to d: (1/3)^2 = 1/9 -> 1/4 + 1/4 + 1/9 = 11/18.
    # Effective size of a: n - 2t/n = 3 - 2 * 1 / 3 = 7/3 (t = 1 tie among its contacts, b-c);
    # efficiency 7/9.
    graph = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("a", "d")])
    graph.add_node("isolate")
    rows = {r.node: r for r in structural_holes(graph)}
    assert rows["a"].constraint == pytest.approx(11 / 18)
    assert rows["a"].effective_size == pytest.approx(7 / 3)
    assert rows["a"].efficiency == pytest.approx(7 / 9)
    # d has one contact: constraint (1)^2 = 1, effective size 1.
    assert rows["d"].constraint == pytest.approx(1.0)
    assert rows["isolate"].constraint is None and rows["isolate"].effective_size is None
    assert [r.node for r in structural_holes(graph)][0] == "a"  # least constrained first


def test_betweenness_brokers_groups() -> None:
    # a (Agency) - i (IGO) - c (CSO) - g (Government): i lies on a-c, a-g (2 of 3 pairs); c on a-g, i-g.
    graph = nx.path_graph(["a", "i", "c", "g"])
    nx.set_node_attributes(graph, {"a": "Agency", "i": "IGO", "c": "CSO", "g": "Government"}, "label")
    table = betweenness_brokers(graph, top=2)
    assert [(r.node, r.groups) for r in table] == [("c", ("Government", "IGO")), ("i", ("Agency", "CSO"))]
    assert table[0].betweenness == pytest.approx(2 / 3)
    assert len(table) == 2
