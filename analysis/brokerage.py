"""Brokers: who sits between others — by betweenness, by structural holes, and by Gould-Fernandez roles.

Why three views: betweenness says who lies on many shortest chains; Burt's constraint and effective size say
whose contacts are not otherwise connected; Gould & Fernandez say *between which groups* someone brokers
(e.g. a regional body passing U.S. agency money to Caribbean civil society is a gatekeeper or a liaison).

References
----------
Gould, R. V. & Fernandez, R. M. (1989). Structures of mediation: a formal approach to brokerage in
    transaction networks. Sociological Methodology 19, 89-126.
Burt, R. S. (1992). Structural Holes: The Social Structure of Competition. Harvard University Press.
Freeman, L. C. (1977). A set of measures of centrality based on betweenness. Sociometry 40(1), 35-41.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import networkx as nx

from analysis.centrality import betweenness
from analysis.results import Table

ROLE_NAMES: tuple[str, ...] = ("coordinator", "itinerant", "gatekeeper", "representative", "liaison")


@dataclass(frozen=True, slots=True)
class BrokerageRoleRecord:
    """A node's Gould-Fernandez brokerage counts: open two-paths `a -> node -> c` (no `a -> c` tie) by role."""

    node: str
    name: str | None
    group: Hashable
    coordinator: int
    itinerant: int
    gatekeeper: int
    representative: int
    liaison: int
    total: int


def _directed(graph: nx.Graph) -> nx.DiGraph:
    """A simple DiGraph: parallel edges merged, self-loops dropped, undirected ties made reciprocal."""
    directed = nx.DiGraph()
    directed.add_nodes_from(graph.nodes(data=True))
    edges = graph.edges() if graph.is_directed() else [e for u, v in graph.edges() for e in ((u, v), (v, u))]
    directed.add_edges_from((u, v) for u, v in edges if u != v)
    return directed


def role_of(source_group: Hashable, broker_group: Hashable, target_group: Hashable) -> str:
    """The Gould-Fernandez role of a broker `b` on the two-path `a -> b -> c`, from the three groups.

    * coordinator: a, b, c all in one group;
    * itinerant (consultant): a and c in one group, b outside it;
    * representative: a and b in one group, c in another (b speaks for its group to outsiders);
    * gatekeeper: b and c in one group, a in another (b controls access into its group);
    * liaison: three different groups.

    >>> role_of("US", "US", "US"), role_of("JM", "US", "JM"), role_of("US", "US", "JM")
    ('coordinator', 'itinerant', 'representative')
    >>> role_of("US", "JM", "JM"), role_of("US", "IGO", "JM")
    ('gatekeeper', 'liaison')
    """
    if source_group == broker_group == target_group:
        return "coordinator"
    if source_group == target_group:
        return "itinerant"
    if source_group == broker_group:
        return "representative"
    if broker_group == target_group:
        return "gatekeeper"
    return "liaison"


def brokerage_roles(
    graph: nx.Graph,
    group: str = "label",
    nodes: Iterable[str] | None = None,
) -> Table[BrokerageRoleRecord]:
    """Gould-Fernandez (1989) brokerage role counts for every node of a directed graph with a node partition.

    For each broker b, every ordered pair (a, c) with a -> b, b -> c, a != c and *no* a -> c tie is one
    brokered two-path; `role_of` classifies it by the groups of a, b and c. Parallel edges count once,
    self-loops are ignored, an undirected graph is read as reciprocal ties, and nodes without the `group`
    attribute form one group (None).

    Parameters
    ----------
    graph : a DiGraph, e.g. `resource_flow_graph(G)`.
    group : node attribute giving the partition (`label`, `countryCode`, ...).
    nodes : report only these nodes.

    Returns
    -------
    Table of `BrokerageRoleRecord`, sorted by total (highest first).

    Example
    -------
    >>> g = nx.DiGraph([("us", "igo"), ("igo", "cso")])
    >>> nx.set_node_attributes(g, {"us": "Agency", "igo": "IGO", "cso": "CSO"}, "label")
    >>> r = {row.node: row for row in brokerage_roles(g)}["igo"]
    >>> r.liaison, r.total
    (1, 1)
    """
    directed = _directed(graph)
    groups = {n: directed.nodes[n].get(group) for n in directed}
    chosen = list(directed.nodes) if nodes is None else [n for n in nodes if n in directed]
    rows = []
    for broker in chosen:
        counts = dict.fromkeys(ROLE_NAMES, 0)
        for source in directed.predecessors(broker):
            for target in directed.successors(broker):
                if source == target or directed.has_edge(source, target):
                    continue
                counts[role_of(groups[source], groups[broker], groups[target])] += 1
        rows.append(BrokerageRoleRecord(
            node=broker, name=directed.nodes[broker].get("name"), group=groups[broker], **counts,
            total=sum(counts.values()),
        ))
    rows.sort(key=lambda r: (-r.total, r.node))
    return Table(rows, title=f"Gould-Fernandez brokerage roles (groups: {group})", row_type=BrokerageRoleRecord,
                 meta={"group": group})


@dataclass(frozen=True, slots=True)
class BrokerRecord:
    """A node's betweenness with the groups among its neighbours (how many kinds of actor it touches)."""

    node: str
    name: str | None
    group: Hashable
    betweenness: float
    degree: int
    neighbour_groups: int
    groups: tuple[str, ...]


def betweenness_brokers(
    graph: nx.Graph,
    group: str = "label",
    top: int | None = None,
    weight: str | None = None,
    k: int | None = None,
    seed: int | None = None,
) -> Table[BrokerRecord]:
    """Nodes ranked by betweenness (Freeman 1977), with the distinct groups of their neighbours.

    Parameters
    ----------
    graph : usually `cooperation_graph(G)`.
    group : node attribute naming each node's group.
    top : keep only the first `top` rows.
    weight, k, seed : as `analysis.centrality.betweenness` (strength weight; sampled sources; seed).

    Example
    -------
    >>> g = nx.Graph([("us", "igo"), ("igo", "cso")])
    >>> nx.set_node_attributes(g, {"us": "Agency", "igo": "IGO", "cso": "CSO"}, "label")
    >>> first = betweenness_brokers(g)[0]
    >>> first.node, first.betweenness, first.groups
    ('igo', 1.0, ('Agency', 'CSO'))
    """
    scores = betweenness(graph, weight=weight, k=k, seed=seed)
    rows = []
    for node, score in scores.items():
        neighbours = set(nx.all_neighbors(graph, node)) - {node}
        kinds = sorted({str(graph.nodes[n].get(group)) for n in neighbours})
        rows.append(BrokerRecord(
            node=node, name=graph.nodes[node].get("name"), group=graph.nodes[node].get(group),
            betweenness=score, degree=len(neighbours), neighbour_groups=len(kinds), groups=tuple(kinds),
        ))
    rows.sort(key=lambda r: (-r.betweenness, -r.neighbour_groups, r.node))
    return Table(rows[:top] if top is not None else rows, title="Brokers by betweenness", row_type=BrokerRecord,
                 meta={"group": group, "k": k, "seed": seed, "weight": weight})


@dataclass(frozen=True, slots=True)
class StructuralHoleRecord:
    """Burt's measures for one node; None where undefined (an isolate)."""

    node: str
    name: str | None
    label: str | None
    degree: int
    effective_size: float | None
    efficiency: float | None
    constraint: float | None


def _defined(value: float) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


def structural_holes(
    graph: nx.Graph,
    weight: str | None = None,
    nodes: Iterable[str] | None = None,
) -> Table[StructuralHoleRecord]:
    """Burt's (1992) effective size, efficiency (effective size / degree) and constraint, lowest constraint first.

    Wraps `networkx.effective_size` and `networkx.constraint`; `weight` is a tie-strength attribute
    (proportional tie strength p_ij = w_ij / sum_k w_ik), None for unweighted.

    Example
    -------
    >>> star = nx.star_graph(["hub", "a", "b", "c"])  # hub: 3 unconnected contacts
    >>> r = {row.node: row for row in structural_holes(star)}["hub"]
    >>> r.effective_size, r.efficiency, round(r.constraint, 4)  # constraint = 3 * (1/3)^2
    (3.0, 1.0, 0.3333)
    """
    chosen = list(graph.nodes) if nodes is None else [n for n in nodes if n in graph]
    simple = nx.Graph(graph) if graph.is_multigraph() and not graph.is_directed() else graph
    # `nodes=None` lets networkx take its whole-graph (sparse-matrix) path, orders of magnitude faster than
    # its per-node path on graphs of thousands of actors.
    subset = None if nodes is None else chosen
    sizes = nx.effective_size(simple, subset, weight=weight)
    constraints = nx.constraint(simple, subset, weight=weight)
    rows = []
    for node in chosen:
        degree = len(set(nx.all_neighbors(simple, node)) - {node})
        size = _defined(sizes.get(node))
        rows.append(StructuralHoleRecord(
            node=node, name=graph.nodes[node].get("name"), label=graph.nodes[node].get("label"), degree=degree,
            effective_size=size, efficiency=None if size is None or degree == 0 else size / degree,
            constraint=_defined(constraints.get(node)),
        ))
    rows.sort(key=lambda r: (r.constraint is None, r.constraint if r.constraint is not None else 0.0, r.node))
    return Table(rows, title="Structural holes (Burt)", row_type=StructuralHoleRecord, meta={"weight": weight})
