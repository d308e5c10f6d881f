"""Centrality of actors in a cooperation network: degree, betweenness, eigenvector and PageRank.

Why wrap networkx: one call returns typed rows carrying each node's name and label beside its scores, the
tie strengths of the cooperation graph are turned into distances where a measure needs distances, and the
sampled betweenness is reproducible through `seed`.

References
----------
Freeman, L. C. (1978). Centrality in social networks: conceptual clarification. Social Networks 1, 215-239.
Brandes, U. (2001). A faster algorithm for betweenness centrality. J. Math. Sociology 25(2), 163-177.
Brandes, U. & Pich, C. (2007). Centrality estimation in large networks. Int. J. Bifurcation and Chaos 17(7).
Bonacich, P. (1987). Power and centrality: a family of measures. American J. Sociology 92(5), 1170-1182.
Page, L., Brin, S., Motwani, R. & Winograd, T. (1999). The PageRank citation ranking. Stanford InfoLab.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx
import numpy as np

from analysis.results import Table

MEASURE_NAMES: tuple[str, ...] = ("degree", "betweenness", "eigenvector", "pagerank")


@dataclass(frozen=True, slots=True)
class CentralityRecord:
    """One node's scores; a measure that was not asked for is None."""

    node: str
    name: str | None
    label: str | None
    degree: int
    strength: float
    degree_centrality: float | None = None
    betweenness: float | None = None
    eigenvector: float | None = None
    pagerank: float | None = None


def _simple(graph: nx.Graph) -> nx.Graph:
    """Collapse a multigraph into a simple graph whose `weight` is the number of parallel edges."""
    if not graph.is_multigraph():
        return graph
    simple = nx.DiGraph() if graph.is_directed() else nx.Graph()
    simple.add_nodes_from(graph.nodes(data=True))
    for u, v in graph.edges():
        if u == v:
            continue
        if simple.has_edge(u, v):
            simple.edges[u, v]["weight"] += 1
        else:
            simple.add_edge(u, v, weight=1)
    return simple


def strength_to_distance(graph: nx.Graph, weight: str = "weight", attr: str = "distance") -> nx.Graph:
    """A copy whose edges carry `attr = 1 / weight`: strong ties are short (Newman 2001, Brandes 2001).

    >>> g = nx.Graph([("a", "b", {"weight": 4})])
    >>> strength_to_distance(g).edges["a", "b"]["distance"]
    0.25
    """
    copy = graph.copy()
    for _, _, data in copy.edges(data=True):
        value = float(data.get(weight, 1.0))
        data[attr] = 1.0 / value if value > 0 else float("inf")
    return copy


def betweenness(
    graph: nx.Graph,
    weight: str | None = None,
    k: int | None = None,
    seed: int | None = None,
    normalized: bool = True,
) -> dict[str, float]:
    """Betweenness centrality (Brandes 2001), exact or estimated from `k` sampled sources (Brandes & Pich 2007).

    Parameters
    ----------
    graph : any networkx graph (a multigraph is collapsed first).
    weight : a tie-*strength* attribute; it is turned into the distance 1/weight. None counts hops.
    k : sample this many source nodes (needs `seed` to be reproducible); None is exact.
    seed : random seed for the sample.
    normalized : divide by the number of pairs, as networkx does.

    Returns
    -------
    dict node -> betweenness.

    Example
    -------
    >>> path = nx.path_graph(["a", "b", "c"])  # b lies on the only a-c path: 1 of 1 pair -> 1.0
    >>> betweenness(path)
    {'a': 0.0, 'b': 1.0, 'c': 0.0}
    """
    graph = _simple(graph)
    if k is not None and k >= graph.number_of_nodes():
        k = None
    if weight is None:
        return nx.betweenness_centrality(graph, k=k, normalized=normalized, seed=seed)
    distance = strength_to_distance(graph, weight)
    return nx.betweenness_centrality(distance, k=k, normalized=normalized, weight="distance", seed=seed)


def eigenvector(graph: nx.Graph, weight: str | None = None) -> dict[str, float]:
    """Eigenvector centrality (Bonacich 1987) on the main (largest) connected component, unit norm; every node
    outside it scores 0.

    Why the main component: the leading eigenvector of a disconnected graph lives on one component, and
    normalising each component on its own made the two ends of a 2-node component (1/sqrt(2) each) outrank the
    hubs of the main network. Scores of different components are not comparable, so only the main component
    is scored (`main_component` says which nodes; `centrality` notes it). Ties in size go to the component
    with the smallest node id.

    Example
    -------
    >>> scores = eigenvector(nx.star_graph(2))  # centre 1/sqrt(2), leaves 1/2 each
    >>> [round(scores[n], 4) for n in range(3)]
    [0.7071, 0.5, 0.5]
    """
    graph = _simple(graph)
    scores: dict[str, float] = dict.fromkeys(graph.nodes, 0.0)
    main = main_component(graph)
    if len(main) < 2:
        return scores
    sub = graph.subgraph(main)
    if len(main) <= 1000:
        scores.update(_leading_eigenvector(sub, weight))
    else:
        values = nx.eigenvector_centrality(sub, weight=weight, max_iter=5000, tol=1e-10)
        scores.update({n: abs(float(v)) for n, v in values.items()})
    return scores


def main_component(graph: nx.Graph) -> set[str]:
    """The largest (weakly) connected component; ties go to the one holding the smallest node id."""
    undirected = graph.to_undirected(as_view=True) if graph.is_directed() else graph
    components: list[set[str]] = [set(c) for c in nx.connected_components(undirected)]
    if not components:
        return set()
    return min(components, key=lambda c: (-len(c), min(map(str, c))))


def _leading_eigenvector(graph: nx.Graph, weight: str | None) -> dict[str, float]:
    """The (left, for a digraph) eigenvector of the largest eigenvalue, non-negative, unit norm; dense."""
    order = list(graph.nodes)
    matrix = nx.to_numpy_array(graph, nodelist=order, weight=weight) if weight else nx.to_numpy_array(
        graph, nodelist=order, weight=None
    )
    values, vectors = np.linalg.eig(matrix.T)
    leading = int(np.argmax(values.real))
    if values.real[leading] <= 1e-12:
        return dict.fromkeys(order, 0.0)
    vector = np.abs(vectors[:, leading].real)
    vector = vector / (np.linalg.norm(vector) or 1.0)
    return {node: float(value) for node, value in zip(order, vector, strict=True)}


def pagerank(graph: nx.Graph, weight: str | None = None, alpha: float = 0.85) -> dict[str, float]:
    """PageRank (Page et al. 1999) with damping `alpha`; on an undirected graph every tie goes both ways.

    Example
    -------
    >>> scores = pagerank(nx.complete_graph(4))  # symmetric: 1/4 each
    >>> sorted(round(v, 6) for v in scores.values())
    [0.25, 0.25, 0.25, 0.25]
    """
    return nx.pagerank(_simple(graph), alpha=alpha, weight=weight)


def centrality(
    graph: nx.Graph,
    measures: Iterable[str] = MEASURE_NAMES,
    weight: str | None = None,
    k: int | None = None,
    seed: int | None = None,
    alpha: float = 0.85,
    nodes: Iterable[str] | None = None,
) -> Table[CentralityRecord]:
    """Centrality scores of every node, sorted by the first measure asked for (highest first).

    Parameters
    ----------
    graph : usually `cooperation_graph(G)`.
    measures : any of ``degree``, ``betweenness``, ``eigenvector``, ``pagerank``.
    weight : edge attribute of tie *strength* (e.g. ``"weight"``) or None for unweighted; betweenness uses
        1/weight as distance.
    k, seed : sampled betweenness (see `betweenness`).
    alpha : PageRank damping.
    nodes : report only these nodes (scores are still computed on the whole graph).

    Returns
    -------
    Table of `CentralityRecord`; `degree` is the number of neighbours, `strength` the sum of `weight`,
    `degree_centrality` the degree over n-1 (Freeman 1978).

    Example
    -------
    >>> star = nx.star_graph(["hub", "x", "y", "z"])
    >>> top = centrality(star, measures=["degree", "betweenness"])[0]
    >>> top.node, top.degree, top.degree_centrality, top.betweenness
    ('hub', 3, 1.0, 1.0)
    """
    wanted = list(measures)
    unknown = set(wanted) - set(MEASURE_NAMES)
    if unknown:
        raise ValueError(f"unknown measure(s): {', '.join(sorted(unknown))}; expected {', '.join(MEASURE_NAMES)}")
    simple = _simple(graph)
    scores: dict[str, dict[str, float]] = {}
    if "degree" in wanted:
        scores["degree"] = nx.degree_centrality(simple) if len(simple) > 1 else dict.fromkeys(simple, 0.0)
    if "betweenness" in wanted:
        scores["betweenness"] = betweenness(simple, weight=weight, k=k, seed=seed)
    if "eigenvector" in wanted:
        scores["eigenvector"] = eigenvector(simple, weight=weight)
    if "pagerank" in wanted:
        scores["pagerank"] = pagerank(simple, weight=weight, alpha=alpha) if len(simple) else {}
    strength = dict(simple.degree(weight=weight or "weight"))
    chosen = list(simple.nodes) if nodes is None else [n for n in nodes if n in simple]
    rows = [
        CentralityRecord(
            node=node,
            name=simple.nodes[node].get("name"),
            label=simple.nodes[node].get("label"),
            degree=len(set(nx.all_neighbors(simple, node))) if simple.is_directed() else simple.degree(node),
            strength=float(strength[node]),
            degree_centrality=scores.get("degree", {}).get(node),
            betweenness=scores.get("betweenness", {}).get(node),
            eigenvector=scores.get("eigenvector", {}).get(node),
            pagerank=scores.get("pagerank", {}).get(node),
        )
        for node in chosen
    ]
    first = {"degree": "degree_centrality"}.get(wanted[0], wanted[0]) if wanted else "degree"
    rows.sort(key=lambda r: (-(getattr(r, first) or 0.0), r.node))
    columns = ("node", "name", "label", "degree", "strength") + tuple(
        {"degree": "degree_centrality"}.get(m, m) for m in MEASURE_NAMES if m in wanted
    )
    notes = []
    if "eigenvector" in wanted:
        main = main_component(simple)
        if len(main) < len(simple):
            notes.append(f"eigenvector: computed on the main connected component ({len(main)} of {len(simple)} "
                         "nodes); nodes outside it score 0 (scores of separate components are not comparable)")
    return Table(rows, title="Centrality", columns=columns, row_type=CentralityRecord,
                 meta={"measures": wanted, "weight": weight, "k": k, "seed": seed, "notes": notes})
