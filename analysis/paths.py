"""How are two actors connected? The shortest chains between them, with the evidence on every hop.

Why on the full MultiDiGraph: a chain such as *INL -PROVIDES-> funding -FUNDS-> program <-PARTICIPATES_IN-
NGO* is the answer a researcher can check against sources, so each hop lists every relationship between its
two ends — type, the direction it was recorded in, its properties and its sources. Reachability ignores
direction (cooperation runs both ways); the direction is reported, not required.

Reference
---------
Dijkstra, E. W. (1959). A note on two problems in connexion with graphs. Numerische Mathematik 1, 269-271
(breadth-first for unweighted graphs, as networkx's `all_shortest_paths`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from typing import Any

import networkx as nx
import pandas as pd

MAX_ENUMERATED = 10_000
"""Shortest paths enumerated before sorting: beyond it, which paths are kept may depend on graph order."""

DEFAULT_EXCLUDED_LABELS: tuple[str, ...] = ("Objective", "FocusArea", "Source")
"""Hubs that say nothing about cooperation (two programs advancing one objective), skipped by default."""


@dataclass(frozen=True, slots=True)
class HopRelationship:
    """One relationship on a hop, as recorded: `start -[type]-> end`."""

    type: str
    key: str
    start: str
    end: str
    direction: str  # "forward" when recorded from the hop's first node to its second, else "backward"
    properties: dict[str, Any]
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Hop:
    """A step from `start` to `end` of a path, and every relationship that links the two."""

    start: str
    end: str
    start_name: str | None
    end_name: str | None
    relationships: tuple[HopRelationship, ...]


@dataclass(frozen=True, slots=True)
class CooperationPath:
    nodes: tuple[str, ...]
    hops: tuple[Hop, ...]

    @property
    def length(self) -> int:
        return len(self.hops)


@dataclass(frozen=True)
class PathResult:
    """The shortest chains between two nodes (at most `max_paths`), possibly none."""

    source: str
    target: str
    paths: tuple[CooperationPath, ...]
    truncated: bool

    def to_records(self) -> list[dict[str, Any]]:
        """One row per relationship on each hop: path number, step, the two ends, type, direction, sources."""
        rows = []
        for number, path in enumerate(self.paths):
            for step, hop in enumerate(path.hops):
                for rel in hop.relationships:
                    rows.append({
                        "path": number, "step": step, "from": hop.start, "to": hop.end,
                        "from_name": hop.start_name, "to_name": hop.end_name, "type": rel.type,
                        "direction": rel.direction, "properties": json.dumps(rel.properties, sort_keys=True),
                        "sources": ";".join(rel.sources),
                    })
        return rows

    def to_frame(self) -> pd.DataFrame:
        columns = ["path", "step", "from", "to", "from_name", "to_name", "type", "direction", "properties", "sources"]
        return pd.DataFrame(self.to_records(), columns=columns)


def _hop(graph: nx.MultiDiGraph, u: str, v: str, types: frozenset[str] | None) -> Hop:
    relationships = []
    for start, end, direction in ((u, v, "forward"), (v, u, "backward")):
        if not graph.has_edge(start, end):
            continue
        for key, data in sorted(graph[start][end].items()):
            if types is not None and data.get("type") not in types:
                continue
            properties = {k: val for k, val in data.items() if k not in ("type", "sources")}
            relationships.append(HopRelationship(
                type=data.get("type", key), key=key, start=start, end=end, direction=direction,
                properties=properties, sources=tuple(data.get("sources", [])),
            ))
    return Hop(u, v, graph.nodes[u].get("name"), graph.nodes[v].get("name"), tuple(relationships))


def cooperation_paths(
    graph: nx.MultiDiGraph,
    source: str,
    target: str,
    max_paths: int = 10,
    relationship_types: Iterable[str] | None = None,
    exclude_labels: Iterable[str] = DEFAULT_EXCLUDED_LABELS,
) -> PathResult:
    """All shortest chains between `source` and `target` (at most `max_paths`), direction ignored.

    Parameters
    ----------
    graph : the CBSI MultiDiGraph.
    source, target : node ids (KeyError-free: an unknown id raises `nx.NodeNotFound`).
    max_paths : cap on the number of paths returned (`truncated` says whether more existed).
    relationship_types : follow only these relationship types (None: all).
    exclude_labels : never pass *through* nodes of these labels (the two ends are always allowed).

    Returns
    -------
    PathResult; `paths` is empty when the two are not connected.

    Example
    -------
    >>> g = nx.MultiDiGraph()
    >>> for n, label in [("agency:a", "Agency"), ("program:p", "Program"), ("cso:b", "CivilSocietyOrganization")]:
    ...     g.add_node(n, label=label, name=n.split(":")[1])
    >>> _ = g.add_edge("agency:a", "program:p", key="PARTICIPATES_IN:funding", type="PARTICIPATES_IN",
    ...                role="funding", sources=["src:1"])
    >>> _ = g.add_edge("cso:b", "program:p", key="PARTICIPATES_IN:implementing", type="PARTICIPATES_IN",
    ...                role="implementing", sources=["src:2"])
    >>> result = cooperation_paths(g, "agency:a", "cso:b")
    >>> [(r.type, r.direction, r.properties["role"]) for hop in result.paths[0].hops for r in hop.relationships]
    [('PARTICIPATES_IN', 'forward', 'funding'), ('PARTICIPATES_IN', 'backward', 'implementing')]
    """
    for node in (source, target):
        if node not in graph:
            raise nx.NodeNotFound(f"no node {node!r} in the graph")
    types = None if relationship_types is None else frozenset(relationship_types)
    excluded = frozenset(exclude_labels)
    allowed_nodes = [
        n for n, d in graph.nodes(data=True) if n in (source, target) or d.get("label") not in excluded
    ]
    view = graph.subgraph(allowed_nodes)
    if types is not None:
        view = nx.subgraph_view(view, filter_edge=lambda u, v, k: graph.edges[u, v, k].get("type") in types)
    undirected = view.to_undirected(as_view=True)
    if source == target:
        return PathResult(source, target, (CooperationPath((source,), ()),), False)
    try:
        # Enumerate up to MAX_ENUMERATED shortest paths and sort them before keeping `max_paths`, so the answer
        # does not depend on the order the graph was built in (Neo4j and the seed files build it differently).
        found = list(islice(nx.all_shortest_paths(undirected, source, target), MAX_ENUMERATED + 1))
    except nx.NetworkXNoPath:
        return PathResult(source, target, (), False)
    found.sort()
    truncated = len(found) > max_paths
    paths = tuple(
        CooperationPath(tuple(nodes), tuple(_hop(graph, u, v, types) for u, v in zip(nodes, nodes[1:], strict=False)))
        for nodes in found[:max_paths]
    )
    return PathResult(source, target, paths, truncated)
