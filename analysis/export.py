"""Write any of the graphs for other tools: GraphML, GEXF (Gephi), node-link JSON, CSV node and edge lists.

Why the encoding step: GraphML and GEXF hold only scalars. Lists and dicts (`aliases`, `sources`,
`evidence`, `amounts`...) are written as JSON strings and None values are dropped; the names of the encoded
attributes are recorded (a GraphML graph attribute; for GEXF the well-known names in `JSON_ATTRIBUTES`), and
the `read_*` functions here decode them, so a file reads back as the graph written. CSV cells are plain
text or JSON literals (see `write_csv`), so CSV reads back typed too.

GEXF note: Gephi shows a node's GEXF label, so the GEXF file carries `name` as the label and the node's type
in the attribute `nodeLabel`; the relationship type goes in `relType` (GEXF reserves `type`) and a
multigraph's edge key in `edgeKey`. `read_gexf` maps all three back. GEXF stores `weight` as a float.
Graph-level attributes survive GraphML and JSON only.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import networkx as nx

JSON_ATTRIBUTES: frozenset[str] = frozenset({
    "aliases", "sources", "evidence", "kinds", "roles", "programs", "fundings", "unconverted", "amounts",
    "sectorCodes", "fiscal_years", "countries", "actor_types", "evidence_kinds",
})
JSON_KEYS_ATTRIBUTE = "jsonAttributes"
_GEXF_NODE_LABEL = "nodeLabel"
_GEXF_EDGE_TYPE = "relType"
_GEXF_EDGE_KEY = "edgeKey"
_MULTIGRAPH_ATTRIBUTE = "multigraph"


def _encode_value(value: Any) -> Any:
    if isinstance(value, list | tuple | dict | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return json.dumps(items, sort_keys=True, default=str)
    return value


def _encode_attrs(attrs: Mapping[str, Any], encoded: set[str]) -> dict[str, Any]:
    out = {}
    for key, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, list | tuple | dict | set | frozenset):
            encoded.add(key)
        out[key] = _encode_value(value)
    return out


def encode_for_xml(graph: nx.Graph) -> nx.Graph:
    """A copy with lists/dicts as JSON strings and None dropped; the encoded names in `graph[jsonAttributes]`.

    >>> g = nx.Graph()
    >>> g.add_node("a", sources=["src:1"], description=None)
    >>> h = encode_for_xml(g)
    >>> h.nodes["a"], h.graph["jsonAttributes"]
    ({'sources': '["src:1"]'}, 'sources')
    """
    encoded: set[str] = set()
    copy = graph.__class__()
    copy.graph.update(_encode_attrs(graph.graph, encoded))
    for node, attrs in graph.nodes(data=True):
        copy.add_node(node, **_encode_attrs(attrs, encoded))
    if graph.is_multigraph():
        for u, v, key, attrs in graph.edges(keys=True, data=True):
            copy.add_edge(u, v, key=key, **_encode_attrs(attrs, encoded))
    else:
        for u, v, attrs in graph.edges(data=True):
            copy.add_edge(u, v, **_encode_attrs(attrs, encoded))
    copy.graph[JSON_KEYS_ATTRIBUTE] = ",".join(sorted(encoded))
    copy.graph[_MULTIGRAPH_ATTRIBUTE] = graph.is_multigraph()
    return copy


def _decode_attrs(attrs: dict[str, Any], keys: Iterable[str]) -> None:
    for key in keys:
        value = attrs.get(key)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            try:
                attrs[key] = json.loads(value)
            except json.JSONDecodeError:
                continue


def decode_from_xml(graph: nx.Graph, keys: Iterable[str] | None = None) -> nx.Graph:
    """Decode, in place, the JSON-string attributes written by `encode_for_xml` (and return the graph).

    `keys`: the attribute names to decode; default the names the file recorded plus `JSON_ATTRIBUTES`.
    """
    recorded = graph.graph.pop(JSON_KEYS_ATTRIBUTE, "")
    graph.graph.pop(_MULTIGRAPH_ATTRIBUTE, None)
    names = set(keys) if keys is not None else {*JSON_ATTRIBUTES, *filter(None, str(recorded).split(","))}
    graph.graph.pop("node_default", None)
    graph.graph.pop("edge_default", None)
    _decode_attrs(graph.graph, names)
    for _, attrs in graph.nodes(data=True):
        _decode_attrs(attrs, names)
    for *_, attrs in graph.edges(data=True):
        _decode_attrs(attrs, names)
    return graph


def _writable(path: str | Path) -> Path:
    """`path` as a Path whose folder exists: a researcher's `out/run-3/graph.gexf` should not fail on `out/`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write_graphml(graph: nx.Graph, path: str | Path) -> Path:
    """Write GraphML (lists and dicts as JSON strings, None dropped). Returns the path.

    Example
    -------
    >>> import tempfile, os
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("gov:JM", label="Government", name="Jamaica", sources=["src:a"])
    >>> path = write_graphml(g, os.path.join(tempfile.mkdtemp(), "g.graphml"))
    >>> read_graphml(path).nodes["gov:JM"]["sources"]
    ['src:a']
    """
    path = _writable(path)
    nx.write_graphml(encode_for_xml(graph), path, named_key_ids=True)
    return path


def read_graphml(path: str | Path) -> nx.Graph:
    """Read a GraphML file written by `write_graphml`, decoding its JSON-string attributes."""
    graph = nx.read_graphml(path, force_multigraph=True)
    if not graph.graph.get(_MULTIGRAPH_ATTRIBUTE, False):
        graph = nx.DiGraph(graph) if graph.is_directed() else nx.Graph(graph)
    return decode_from_xml(graph)


def write_gexf(graph: nx.Graph, path: str | Path) -> Path:
    """Write GEXF 1.2 for Gephi: the GEXF label is the node's `name`; see the module note. Returns the path."""
    path = _writable(path)
    encoded = encode_for_xml(graph)
    for node, attrs in encoded.nodes(data=True):
        if "label" in attrs:
            attrs[_GEXF_NODE_LABEL] = attrs.pop("label")
        attrs["label"] = str(attrs.get("name", node))
    keyed = encoded.edges(keys=True, data=True) if encoded.is_multigraph() else (
        (u, v, None, d) for u, v, d in encoded.edges(data=True)
    )
    for _, _, key, attrs in keyed:
        if "type" in attrs:
            attrs[_GEXF_EDGE_TYPE] = attrs.pop("type")
        if key is not None:
            attrs[_GEXF_EDGE_KEY] = str(key)
    nx.write_gexf(encoded, path)
    return path


def read_gexf(path: str | Path) -> nx.Graph:
    """Read a GEXF file written by `write_gexf` back into the attributes that were written."""
    graph = nx.read_gexf(path)
    if any(_GEXF_EDGE_KEY in d for *_, d in graph.edges(data=True)):
        multi = nx.MultiDiGraph() if graph.is_directed() else nx.MultiGraph()
        multi.graph.update(graph.graph)
        multi.add_nodes_from(graph.nodes(data=True))
        for u, v, attrs in graph.edges(data=True):
            attrs = dict(attrs)
            attrs.pop("networkx_key", None)
            multi.add_edge(u, v, key=attrs.pop(_GEXF_EDGE_KEY), **attrs)
        graph = multi
    for _, attrs in graph.nodes(data=True):
        attrs.pop("label", None)
        if _GEXF_NODE_LABEL in attrs:
            attrs["label"] = attrs.pop(_GEXF_NODE_LABEL)
    for *_, attrs in graph.edges(data=True):
        attrs.pop("id", None)
        if _GEXF_EDGE_TYPE in attrs:
            attrs["type"] = attrs.pop(_GEXF_EDGE_TYPE)
    graph.graph.pop("mode", None)
    return decode_from_xml(graph)


def write_node_link_json(graph: nx.Graph, path: str | Path) -> Path:
    """Write networkx node-link JSON (lists stay lists; keys of a multigraph kept). Returns the path."""
    path = _writable(path)
    data = nx.node_link_data(graph, edges="edges")
    path.write_text(json.dumps(data, indent=1, sort_keys=True, default=str), encoding="utf-8")
    return path


def read_node_link_json(path: str | Path) -> nx.Graph:
    """Read a file written by `write_node_link_json`."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return nx.node_link_graph(data, edges="edges")


def _columns(rows: Iterable[Mapping[str, Any]], first: list[str]) -> list[str]:
    seen = dict.fromkeys(first)
    for row in rows:
        seen.update(dict.fromkeys(sorted(row)))
    return list(seen)


def _csv_cell(value: Any) -> str:
    """A plain string stays as it is unless it would read back as something else; all else is JSON."""
    if isinstance(value, str):
        try:
            json.loads(value)
        except ValueError:
            return value
        return json.dumps(value)
    if isinstance(value, set | frozenset):
        value = sorted(value)
    return json.dumps(value, sort_keys=True, default=str)


def _csv_value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def write_csv(graph: nx.Graph, edges_path: str | Path, nodes_path: str | Path | None = None) -> tuple[Path, Path]:
    """Write an edge list CSV (`source,target[,key],<attributes>`) and a node list CSV (`id,<attributes>`).

    Cells: numbers and booleans as JSON literals (`2016`, `100.0`, `true`), lists and dicts as JSON, text as
    it is (JSON-quoted only when it would otherwise read back as a number, boolean or list, e.g. `"2018"`);
    None is an empty cell. `nodes_path` defaults to the edge file's name with `-nodes` appended.
    Returns both paths.
    """
    edges_path = _writable(edges_path)
    nodes_path = _writable(nodes_path) if nodes_path else edges_path.with_name(edges_path.stem + "-nodes.csv")

    def cells(attrs: Mapping[str, Any]) -> dict[str, str]:
        return {k: _csv_cell(v) for k, v in attrs.items() if v is not None}

    node_rows = [{"id": str(n), **cells(a)} for n, a in graph.nodes(data=True)]
    if graph.is_multigraph():
        edge_rows = [
            {"source": str(u), "target": str(v), "key": str(k), **cells(a)}
            for u, v, k, a in graph.edges(keys=True, data=True)
        ]
        first = ["source", "target", "key"]
    else:
        edge_rows = [{"source": str(u), "target": str(v), **cells(a)} for u, v, a in graph.edges(data=True)]
        first = ["source", "target"]
    for path, rows, head in ((nodes_path, node_rows, ["id"]), (edges_path, edge_rows, first)):
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=_columns(rows, head))
            writer.writeheader()
            writer.writerows(rows)
    return edges_path, nodes_path


def read_csv(
    edges_path: str | Path,
    nodes_path: str | Path | None = None,
    directed: bool = True,
    multigraph: bool | None = None,
) -> nx.Graph:
    """Read CSVs written by `write_csv` back into a graph (a multigraph when the edge file has a `key` column)."""
    edges_path = Path(edges_path)
    nodes_path = Path(nodes_path) if nodes_path else edges_path.with_name(edges_path.stem + "-nodes.csv")
    with edges_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        has_key = "key" in (reader.fieldnames or [])
        edge_rows = list(reader)
    multi = has_key if multigraph is None else multigraph
    graph: nx.Graph = {
        (True, True): nx.MultiDiGraph, (True, False): nx.DiGraph, (False, True): nx.MultiGraph,
        (False, False): nx.Graph,
    }[(directed, multi)]()
    with nodes_path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            node = row.pop("id")
            graph.add_node(node, **{k: _csv_value(v) for k, v in row.items() if v != ""})
    for row in edge_rows:
        u, v = row.pop("source"), row.pop("target")
        key = row.pop("key", None)
        attrs = {k: _csv_value(val) for k, val in row.items() if val != ""}
        if multi:
            graph.add_edge(u, v, key=key, **attrs)
        else:
            graph.add_edge(u, v, **attrs)
    return graph


FORMATS: dict[str, str] = {"graphml": ".graphml", "gexf": ".gexf", "json": ".json", "csv": ".csv"}


def export(graph: nx.Graph, path: str | Path, fmt: str | None = None) -> list[Path]:
    """Write `graph` in the format named by `fmt` (or by the file suffix); returns the file(s) written."""
    path = Path(path)
    fmt = fmt or {suffix: name for name, suffix in FORMATS.items()}.get(path.suffix.lower())
    if fmt == "graphml":
        return [write_graphml(graph, path)]
    if fmt == "gexf":
        return [write_gexf(graph, path)]
    if fmt == "json":
        return [write_node_link_json(graph, path)]
    if fmt == "csv":
        return list(write_csv(graph, path))
    raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
