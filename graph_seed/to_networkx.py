"""Build the networkx `MultiDiGraph` of the graph from records, with no database at all.

Why here: researchers can study the curated graph from `graph_seed` alone; `analysis.projection` reads Neo4j
into the very same shape through `graph_from_rows`, so both paths give identical graphs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

from graph_seed import vocabulary as vocab
from graph_seed.model import EdgeRecord, NodeRecord
from graph_seed.records import Dataset


def edge_key(rel_type: str, properties: Mapping[str, Any]) -> str:
    """The multigraph key of a relationship: its type, plus its merge key's value (`vocabulary.MERGE_KEYS`: the
    role of a PARTICIPATES_IN, the title of a HOLDS_POSITION) where that tells two apart."""
    merge_key = vocab.MERGE_KEYS.get(rel_type)
    value = properties.get(merge_key) if merge_key else None
    return f"{rel_type}:{value}" if value else rel_type


def graph_from_rows(
    nodes: Iterable[tuple[str, str, Mapping[str, Any]]],
    edges: Iterable[tuple[str, str, str, Mapping[str, Any]]],
) -> nx.MultiDiGraph:
    """A MultiDiGraph from `(id, label, properties)` node rows and `(start, type, end, properties)` edge rows.

    Node attributes: `label` plus every stored property except `id`; edge attributes: `type` plus every
    stored property. List properties (aliases, sources) stay lists.
    """
    graph = nx.MultiDiGraph()
    for node_id, label, props in nodes:
        attrs = {k: v for k, v in props.items() if k != "id" and v is not None}
        graph.add_node(node_id, label=label, **attrs)
    for start, rel_type, end, props in edges:
        attrs = {k: v for k, v in props.items() if v is not None}
        graph.add_edge(start, end, key=edge_key(rel_type, props), type=rel_type, **attrs)
    return graph


def to_multidigraph(dataset: Dataset | tuple[list[NodeRecord], list[EdgeRecord]]) -> nx.MultiDiGraph:
    """The dataset as a MultiDiGraph: one node per record, one edge per relationship record.

    Example
    -------
    >>> from graph_seed.records import load_dataset
    >>> graph = to_multidigraph(load_dataset())
    >>> graph.nodes["gov:JM"]["label"]
    'Government'
    """
    nodes, edges = (dataset.nodes, dataset.edges) if isinstance(dataset, Dataset) else dataset
    return graph_from_rows(
        ((n.id, n.label, n.neo4j_properties()) for n in nodes),
        ((e.start, e.type, e.end, e.neo4j_properties()) for e in edges),
    )
