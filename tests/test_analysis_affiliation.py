"""Affiliation projections: count, Newman (2001) and Jaccard weights by hand, cross-checked with networkx."""

from __future__ import annotations

import networkx as nx
import pytest
from networkx.algorithms import bipartite as nxb

from analysis.affiliation import actor_projection, affiliation_ties
from analysis.projection import affiliation_graph
from tests.test_analysis_projection import toy_graph


def portfolio() -> nx.Graph:
    # Programs: p = {a, b, c}, q = {a, b}, r = {c, d}.
    graph = nx.Graph([("a", "p"), ("b", "p"), ("c", "p"), ("a", "q"), ("b", "q"), ("c", "r"), ("d", "r")])
    nx.set_node_attributes(graph, {n: 0 if n in "abcd" else 1 for n in graph}, "bipartite")
    return graph


def test_weights_by_hand() -> None:
    ties = {(t.actor_a, t.actor_b): t for t in affiliation_ties(portfolio())}
    # a-b share p (3 members -> 1/2) and q (2 members -> 1/1): count 2, Newman 1.5, Jaccard |{p,q}|/|{p,q}| = 1
    assert (ties["a", "b"].count, ties["a", "b"].newman, ties["a", "b"].jaccard) == (2, 1.5, 1.0)
    # a-c share p: count 1, Newman 1/2, Jaccard |{p}| / |{p, q, r}| = 1/3
    assert (ties["a", "c"].count, ties["a", "c"].newman) == (1, 0.5)
    assert ties["a", "c"].jaccard == pytest.approx(1 / 3)
    # c-d share r (2 members): count 1, Newman 1, Jaccard |{r}| / |{p, r}| = 1/2
    assert (ties["c", "d"].count, ties["c", "d"].newman, ties["c", "d"].jaccard) == (1, 1.0, 0.5)
    assert ("a", "d") not in ties
    assert ties["a", "b"].programs == ("p", "q")
    assert [(t.actor_a, t.actor_b) for t in affiliation_ties(portfolio())][0] == ("a", "b")


def test_matches_networkx_bipartite_projections() -> None:
    graph = portfolio()
    actors = ["a", "b", "c", "d"]
    for weighting, reference in (
        ("count", nxb.weighted_projected_graph(graph, actors)),
        ("newman", nxb.collaboration_weighted_projected_graph(graph, actors)),
        ("jaccard", nxb.overlap_weighted_projected_graph(graph, actors)),
    ):
        ours = actor_projection(graph, weighting)
        assert set(ours.edges) == {tuple(sorted(e)) for e in reference.edges} | set()
        for u, v, data in reference.edges(data=True):
            assert ours.edges[u, v]["weight"] == pytest.approx(data["weight"]), (weighting, u, v)


def test_projection_of_toy_graph() -> None:
    # p1 has inl, impacs, cso (3); p2 has inl, impacs (2). inl-impacs: 1/2 + 1 = 1.5; inl-cso: 1/2.
    projection = actor_projection(affiliation_graph(toy_graph()), "newman")
    assert projection.edges["agency:inl", "igo:impacs"]["weight"] == 1.5
    assert projection.edges["agency:inl", "cso:jm-ngo"]["weight"] == 0.5
    assert projection.edges["agency:inl", "igo:impacs"]["count"] == 2
    with pytest.raises(ValueError, match="unknown weighting"):
        actor_projection(portfolio(), "cosine")
