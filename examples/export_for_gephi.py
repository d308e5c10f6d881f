"""Export the CBSI graph and its cooperation network for Gephi and other tools, with Louvain communities.

Writes, into OUT_DIR: cbsi_full.gexf and .graphml (every node and relationship), cooperation.gexf,
.graphml, .json and .csv (+ cooperation-nodes.csv), each cooperation node carrying its `community`, and a
cooperation_network.png preview.

Run: .venv/bin/python examples/export_for_gephi.py [OUT_DIR]
"""

from __future__ import annotations

import sys

import _common  # noqa: F401
import networkx as nx
from _common import out_dir, show

from analysis import cooperation_graph, export, from_records, louvain
from analysis.plots import plot_cooperation_network


def main(argv: list[str]) -> int:
    out = out_dir(argv)
    graph = from_records()
    cooperation = cooperation_graph(graph)
    result = louvain(cooperation, seed=0)
    nx.set_node_attributes(cooperation, result.membership(), "community")
    written = [*export(graph, out / "cbsi_full.gexf"), *export(graph, out / "cbsi_full.graphml")]
    for suffix in (".gexf", ".graphml", ".json", ".csv"):
        written += export(cooperation, out / f"cooperation{suffix}")
    written.append(plot_cooperation_network(cooperation, out / "cooperation_network.png", seed=0))
    print(f"Full graph: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} relationships.")
    print(f"Cooperation network: {cooperation.number_of_nodes()} actors, {cooperation.number_of_edges()} ties, "
          f"{len(result.communities)} Louvain communities (seed 0, modularity {result.modularity:.3f}).")
    sizes = result.to_frame().groupby("community").agg(
        size=("node", "size"), members=("name", lambda names: "; ".join(sorted(map(str, names))[:4]) + " ..."),
    ).reset_index()
    show("Communities", sizes)
    print("\nFiles written:")
    for path in written:
        print(f"  {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
