"""Centrality against values computed by hand on small graphs, and reproducible sampled betweenness."""

from __future__ import annotations

import math

import networkx as nx
import pytest

from analysis.centrality import betweenness, centrality, eigenvector, pagerank


def test_path_graph_degree_and_betweenness() -> None:
    # P4 a-b-c-d. Degree centrality = degree / (n-1): a 1/3, b 2/3.
    # Betweenness of b: it lies on the a-c and a-d shortest paths = 2 pairs; normalised by
    # (n-1)(n-2)/2 = 3 pairs not involving b -> 2/3. Ends: 0.
    table = centrality(nx.path_graph(["a", "b", "c", "d"]), measures=["degree", "betweenness"])
    rows = {r.node: r for r in table}
    assert rows["a"].degree_centrality == pytest.approx(1 / 3)
    assert rows["b"].degree_centrality == pytest.approx(2 / 3)
    assert rows["b"].betweenness == pytest.approx(2 / 3)
    assert rows["a"].betweenness == 0.0
    assert rows["b"].eigenvector is None and rows["b"].pagerank is None
    assert [r.node for r in table][:2] == ["b", "c"]  # sorted by degree centrality, ties by id
    assert list(table.to_frame().columns) == [
        "node", "name", "label", "degree", "strength", "degree_centrality", "betweenness",
    ]


def test_star_eigenvector_and_pagerank() -> None:
    star = nx.star_graph(["hub", "x", "y", "z"])
    # Eigenvector of K(1,3): lambda = sqrt(3), hub = sqrt(3) * leaf, 3 leaf^2 + hub^2 = 1
    # -> leaf = 1/sqrt(6) = 0.408248, hub = 1/sqrt(2) = 0.707107.
    scores = eigenvector(star)
    assert scores["hub"] == pytest.approx(1 / math.sqrt(2), abs=1e-6)
    assert scores["x"] == pytest.approx(1 / math.sqrt(6), abs=1e-6)
    # PageRank, alpha 0.85, N = 4: h = 0.15/4 + 0.85 * 3l and l = (1 - h)/3
    # -> h = 0.0375 + 0.85 (1 - h) -> 1.85 h = 0.8875 -> h = 0.479730, l = 0.173423.
    ranks = pagerank(star)
    assert ranks["hub"] == pytest.approx(0.8875 / 1.85, abs=1e-6)
    assert ranks["y"] == pytest.approx((1 - 0.8875 / 1.85) / 3, abs=1e-6)


def test_eigenvector_on_a_disconnected_graph_scores_the_main_component_only() -> None:
    graph = nx.Graph([("a", "b"), ("c", "d"), ("d", "e")])
    graph.add_node("lonely")
    scores = eigenvector(graph)
    # c-d-e (a star with 2 leaves) is the main component: centre 1/sqrt(2), leaves 1/2.
    assert scores["d"] == pytest.approx(1 / math.sqrt(2), abs=1e-6)
    assert scores["c"] == pytest.approx(0.5, abs=1e-6)
    # the 2-node component is not normalised on its own (it used to score 1/sqrt(2) and tie with the hub)
    assert scores["a"] == scores["b"] == scores["lonely"] == 0.0
    table = centrality(graph, measures=["eigenvector"])
    assert table[0].node == "d" and {r.node for r in table[:3]} == {"c", "d", "e"}
    assert "main connected component (3 of 6 nodes)" in table.meta["notes"][0]


def test_weighted_betweenness_uses_inverse_weight_as_distance() -> None:
    # a-b weight 1 (distance 1) direct; a-c-b with weights 4, 4 (distances 0.25 + 0.25 = 0.5): the
    # shortest a-b route goes through c, so c has betweenness 1 pair of 1 -> 1.0 (normalised).
    graph = nx.Graph()
    graph.add_edge("a", "b", weight=1)
    graph.add_edge("a", "c", weight=4)
    graph.add_edge("c", "b", weight=4)
    assert betweenness(graph)["c"] == 0.0
    assert betweenness(graph, weight="weight")["c"] == pytest.approx(1.0)


def test_sampled_betweenness_is_reproducible() -> None:
    graph = nx.gnm_random_graph(40, 90, seed=3)
    first = centrality(graph, measures=["betweenness"], k=8, seed=42)
    second = centrality(graph, measures=["betweenness"], k=8, seed=42)
    assert first.to_records() == second.to_records()
    exact = betweenness(graph)
    assert betweenness(graph, k=40, seed=1) == exact  # k >= n is exact


def test_unknown_measure_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown measure"):
        centrality(nx.path_graph(3), measures=["closeness"])


def test_multigraph_is_collapsed_with_counts_as_weight() -> None:
    graph = nx.MultiGraph([("a", "b"), ("a", "b"), ("b", "c")])
    rows = {r.node: r for r in centrality(graph, measures=["degree"])}
    assert rows["b"].degree == 2
    assert rows["b"].strength == 3.0  # two parallel a-b edges + one b-c
