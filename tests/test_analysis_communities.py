"""Communities: hand-checked modularity, seeded Louvain and Leiden reproducible."""

from __future__ import annotations

import networkx as nx
import pytest

from analysis.communities import communities, leiden, leiden_available, louvain, modularity


def two_triangles() -> nx.Graph:
    return nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z"), ("c", "x")])


def test_modularity_by_hand() -> None:
    # Two triangles joined by c-x: m = 7. Each community: 3 internal edges, degree sum 7.
    # Q = sum_c [L_c/m - (d_c/2m)^2] = 2 * (3/7 - (7/14)^2) = 6/7 - 1/2 = 0.357143.
    assert modularity(two_triangles(), [{"a", "b", "c"}, {"x", "y", "z"}], weight=None) == pytest.approx(
        6 / 7 - 1 / 2
    )


def test_louvain_finds_the_two_triangles_and_reports_modularity() -> None:
    result = louvain(two_triangles(), weight=None, seed=7)
    assert [sorted(c) for c in result.communities] == [["a", "b", "c"], ["x", "y", "z"]]
    assert result.modularity == pytest.approx(6 / 7 - 1 / 2)
    frame = result.to_frame()
    assert list(frame.columns) == ["community", "size", "node", "name", "label"]
    assert result.membership()["z"] == 1


def test_louvain_same_seed_same_partition() -> None:
    graph = nx.karate_club_graph()
    first = louvain(graph, weight="weight", seed=11)
    second = louvain(graph, weight="weight", seed=11)
    assert first.communities == second.communities
    assert first.modularity == second.modularity
    assert first.to_records() == second.to_records()


@pytest.mark.skipif(not leiden_available(), reason="leidenalg not installed")
def test_leiden_same_seed_same_partition() -> None:
    graph = nx.karate_club_graph()
    first = leiden(graph, weight="weight", seed=5)
    second = communities(graph, method="leiden", weight="weight", seed=5)
    assert first.communities == second.communities
    assert first.modularity > 0.3  # karate club partitions reach ~0.42 weighted
    assert [sorted(c) for c in leiden(two_triangles(), weight=None, seed=1).communities] == [
        ["a", "b", "c"], ["x", "y", "z"],
    ]


def test_directed_multigraph_is_made_undirected() -> None:
    graph = nx.MultiDiGraph([("a", "b"), ("b", "a"), ("b", "c"), ("c", "a"), ("x", "y"), ("y", "z")])
    result = louvain(graph, weight=None, seed=1)
    assert sorted(map(sorted, result.communities)) == [["a", "b", "c"], ["x", "y", "z"]]


def test_unknown_method() -> None:
    with pytest.raises(ValueError, match="unknown community method"):
        communities(two_triangles(), method="infomap")
