"""Every export format reads back with the same nodes, edges (and keys) and attributes, after decoding."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from analysis.export import (
    export,
    read_csv,
    read_gexf,
    read_graphml,
    read_node_link_json,
    write_csv,
    write_gexf,
    write_graphml,
    write_node_link_json,
)
from analysis.projection import cooperation_graph, funding_graph
from tests.test_analysis_projection import toy_graph


def without_none(attrs: dict) -> dict:
    return {k: v for k, v in attrs.items() if v is not None}


def edge_set(graph: nx.Graph) -> dict:
    if graph.is_multigraph():
        return {(u, v, k): without_none(d) for u, v, k, d in graph.edges(keys=True, data=True)}
    if graph.is_directed():
        return {(u, v): without_none(d) for u, v, d in graph.edges(data=True)}
    return {frozenset((u, v)): without_none(d) for u, v, d in graph.edges(data=True)}


def assert_same(written: nx.Graph, read: nx.Graph) -> None:
    assert read.is_directed() == written.is_directed()
    assert read.is_multigraph() == written.is_multigraph()
    assert {n: without_none(d) for n, d in written.nodes(data=True)} == dict(read.nodes(data=True))
    assert edge_set(written) == edge_set(read)


GRAPHS = {
    "multidigraph": toy_graph,
    "cooperation": lambda: cooperation_graph(toy_graph()),
    "funding": lambda: funding_graph(toy_graph()),
}
FORMATS = {
    "graphml": (write_graphml, read_graphml, ".graphml"),
    "gexf": (write_gexf, read_gexf, ".gexf"),
    "json": (write_node_link_json, read_node_link_json, ".json"),
    "csv": (lambda g, p: write_csv(g, p), lambda p: None, ".csv"),
}


@pytest.mark.parametrize("graph_name", sorted(GRAPHS))
@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
def test_round_trip(tmp_path: Path, graph_name: str, fmt: str) -> None:
    graph = GRAPHS[graph_name]()
    write, read, suffix = FORMATS[fmt]
    path = write(graph, tmp_path / f"{graph_name}{suffix}")
    back = read(path)
    assert_same(graph, back)
    # lists came back as lists, dicts as dicts
    if graph_name == "multidigraph":
        assert back.nodes["gov:JM"]["sources"] == ["src:toy"]
        assert back.nodes["funding:f1"]["amountUsd"] == 100.0
        assert back.edges["agency:inl", "program:p1", "PARTICIPATES_IN:funding"]["role"] == "funding"
    if graph_name == "cooperation":
        evidence = back.edges["agency:inl", "igo:impacs"]["evidence"]
        assert evidence[0] == {"kind": "funding", "via": "funding:f1", "sources": ["src:toy"]}


@pytest.mark.parametrize("graph_name", sorted(GRAPHS))
def test_csv_round_trip(tmp_path: Path, graph_name: str) -> None:
    graph = GRAPHS[graph_name]()
    edges_path, nodes_path = write_csv(graph, tmp_path / f"{graph_name}.csv")
    assert nodes_path.name == f"{graph_name}-nodes.csv"
    back = read_csv(edges_path, directed=graph.is_directed())
    assert_same(graph, back)
    header = edges_path.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("source,target,key" if graph.is_multigraph() else "source,target")


def test_gexf_is_gephi_friendly(tmp_path: Path) -> None:
    path = write_gexf(toy_graph(), tmp_path / "g.gexf")
    text = path.read_text(encoding="utf-8")
    assert 'label="JM"' in text  # the GEXF label Gephi shows is the name
    assert 'title="nodeLabel"' in text and 'title="relType"' in text


def test_export_by_suffix(tmp_path: Path) -> None:
    assert export(toy_graph(), tmp_path / "g.graphml")[0].suffix == ".graphml"
    assert len(export(toy_graph(), tmp_path / "g.csv")) == 2
    with pytest.raises(ValueError, match="unknown export format"):
        export(toy_graph(), tmp_path / "g.xlsx")


@pytest.mark.parametrize("name", ["g.graphml", "g.gexf", "g.json", "g.csv"])
def test_export_makes_the_missing_folders(tmp_path: Path, name: str) -> None:
    written = export(toy_graph(), tmp_path / "out" / "run-3" / name)
    assert written and all(path.is_file() and path.parent == tmp_path / "out" / "run-3" for path in written)
