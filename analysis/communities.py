"""Communities of cooperation: Louvain (networkx) and Leiden (leidenalg), both seeded, with modularity.

Why seeded: both methods visit nodes in random order; a study must be able to report the exact partition it
analysed, so every call takes `seed` and the same seed gives the same partition.

References
----------
Blondel, V. D., Guillaume, J.-L., Lambiotte, R. & Lefebvre, E. (2008). Fast unfolding of communities in
    large networks. J. Stat. Mech. P10008.
Traag, V. A., Waltman, L. & van Eck, N. J. (2019). From Louvain to Leiden: guaranteeing well-connected
    communities. Scientific Reports 9, 5233.
Newman, M. E. J. (2006). Modularity and community structure in networks. PNAS 103(23), 8577-8582.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import networkx as nx

from analysis.results import CommunityResult


def _undirected_simple(graph: nx.Graph, weight: str | None) -> nx.Graph:
    """An undirected simple graph; parallel or reciprocal edges add their weights (1 each when unweighted)."""
    if not graph.is_directed() and not graph.is_multigraph():
        return graph
    simple = nx.Graph()
    simple.add_nodes_from(graph.nodes(data=True))
    for u, v, data in graph.edges(data=True):
        if u == v:
            continue
        value = float(data.get(weight, 1.0)) if weight else 1.0
        if simple.has_edge(u, v):
            simple.edges[u, v]["weight"] += value
        else:
            simple.add_edge(u, v, weight=value)
    return simple


def _ordered(communities: Iterable[Iterable[str]]) -> tuple[frozenset[str], ...]:
    """Largest community first; ties broken by the smallest member, so the order is deterministic."""
    sets = [frozenset(c) for c in communities]
    return tuple(sorted(sets, key=lambda c: (-len(c), min(map(str, c)) if c else "")))


def modularity(
    graph: nx.Graph, communities: Iterable[Iterable[str]], weight: str | None = "weight", resolution: float = 1.0
) -> float:
    """Newman's (2006) modularity of a partition (networkx's `modularity`, on the undirected simple graph).

    Example
    -------
    >>> g = nx.Graph([("a", "b"), ("c", "d")])  # two separate edges, each its own community:
    >>> modularity(g, [{"a", "b"}, {"c", "d"}], weight=None)  # 2 * (1/2 - (2/4)^2) = 0.5
    0.5
    """
    simple = _undirected_simple(graph, weight)
    if simple.number_of_edges() == 0:
        return 0.0
    effective = "weight" if (weight and simple is not graph) else weight
    return float(nx.community.modularity(simple, [set(c) for c in communities], weight=effective,
                                         resolution=resolution))


def louvain(
    graph: nx.Graph, weight: str | None = "weight", resolution: float = 1.0, seed: int = 0
) -> CommunityResult:
    """Louvain communities (Blondel et al. 2008) with networkx's `louvain_communities`, seeded.

    Parameters
    ----------
    graph : usually `cooperation_graph(G)`; directed and multi graphs are made undirected and simple first.
    weight : edge attribute of tie strength, or None.
    resolution : above 1 favours smaller communities.
    seed : random seed; the same seed gives the same partition.

    Returns
    -------
    CommunityResult, communities largest first.

    Example
    -------
    >>> g = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z"), ("c", "x")])
    >>> [sorted(c) for c in louvain(g, weight=None, seed=1).communities]
    [['a', 'b', 'c'], ['x', 'y', 'z']]
    """
    simple = _undirected_simple(graph, weight)
    effective = "weight" if (weight and simple is not graph) else weight
    found = nx.community.louvain_communities(simple, weight=effective, resolution=resolution, seed=seed)
    communities = _ordered(found)
    return CommunityResult(
        method="louvain", communities=communities,
        modularity=modularity(simple, communities, weight=effective, resolution=resolution),
        seed=seed, resolution=resolution, graph=graph,
    )


@cache
def leiden_available() -> bool:
    """Whether `leidenalg` and `igraph` import here (asked once: a failed import is retried on every call)."""
    try:
        import igraph  # noqa: F401
        import leidenalg  # noqa: F401
    except ImportError:
        return False
    return True


def leiden(
    graph: nx.Graph, weight: str | None = "weight", resolution: float = 1.0, seed: int = 0
) -> CommunityResult:
    """Leiden communities (Traag et al. 2019) with `leidenalg`, optimising modularity at `resolution`, seeded.

    Uses `RBConfigurationVertexPartition` (modularity with a resolution parameter; resolution 1 is plain
    modularity). Needs the `leidenalg` and `igraph` packages; raises ImportError naming them otherwise.

    Example
    -------
    >>> g = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z"), ("c", "x")])
    >>> [sorted(c) for c in leiden(g, weight=None, seed=1).communities]
    [['a', 'b', 'c'], ['x', 'y', 'z']]
    """
    try:
        import igraph
        import leidenalg
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("Leiden needs the 'leidenalg' and 'igraph' packages (pip install leidenalg)") from exc
    simple = _undirected_simple(graph, weight)
    effective = "weight" if (weight and simple is not graph) else weight
    order = sorted(simple.nodes, key=str)
    index = {node: i for i, node in enumerate(order)}
    edges = sorted((index[u], index[v]) if index[u] < index[v] else (index[v], index[u]) for u, v in simple.edges())
    weights = None
    if effective:
        weights = [float(simple.edges[order[a], order[b]].get(effective, 1.0)) for a, b in edges]
    ig = igraph.Graph(n=len(order), edges=edges)
    partition = leidenalg.find_partition(
        ig, leidenalg.RBConfigurationVertexPartition, weights=weights, resolution_parameter=resolution, seed=seed,
    )
    communities = _ordered({order[i] for i in members} for members in partition)
    return CommunityResult(
        method="leiden", communities=communities,
        modularity=modularity(simple, communities, weight=effective, resolution=resolution),
        seed=seed, resolution=resolution, graph=graph,
    )


def communities(
    graph: nx.Graph, method: str = "louvain", weight: str | None = "weight", resolution: float = 1.0, seed: int = 0
) -> CommunityResult:
    """`louvain` or `leiden` by name."""
    if method == "louvain":
        return louvain(graph, weight=weight, resolution=resolution, seed=seed)
    if method == "leiden":
        return leiden(graph, weight=weight, resolution=resolution, seed=seed)
    raise ValueError(f"unknown community method {method!r}; expected 'louvain' or 'leiden'")
