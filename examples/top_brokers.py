"""Who brokers between U.S. agencies and Caribbean civil society?

Three answers from the curated graph (no database):
1. betweenness restricted to U.S.-agency -> civil-society pairs in the cooperation network;
2. Gould-Fernandez brokerage roles on the directed resource-flow network, with groups
   "U.S. agency", "Caribbean civil society" and the actor type for everyone else;
3. overall betweenness brokers and how many kinds of actor each touches.

Run: .venv/bin/python examples/top_brokers.py [OUT_DIR]   (writes top_brokers.csv there)
"""

from __future__ import annotations

import sys

import _common  # noqa: F401  (puts the repository on sys.path)
import networkx as nx
import pandas as pd
from _common import out_dir, show

from analysis import betweenness_brokers, brokerage_roles, cooperation_graph, from_records, resource_flow_graph
from analysis.slicing import actor_countries


def group_of(graph: nx.MultiDiGraph, node: str) -> str:
    label = graph.nodes[node].get("label")
    if label == "Agency" and "US" in actor_countries(graph, node):
        return "U.S. agency"
    if label == "CivilSocietyOrganization":
        return "Caribbean civil society"
    return str(label)


def main(argv: list[str]) -> int:
    out = out_dir(argv)
    graph = from_records()
    groups = {n: group_of(graph, n) for n in graph}
    cooperation = cooperation_graph(graph)
    nx.set_node_attributes(cooperation, {n: groups[n] for n in cooperation}, "group")
    agencies = [n for n in cooperation if groups[n] == "U.S. agency"]
    civil = [n for n in cooperation if groups[n] == "Caribbean civil society"]
    print(f"Cooperation network: {cooperation.number_of_nodes()} actors, {cooperation.number_of_edges()} ties; "
          f"{len(agencies)} U.S. agencies, {len(civil)} civil-society organisations.")

    between = nx.betweenness_centrality_subset(cooperation, sources=agencies, targets=civil, normalized=False)
    pair_table = pd.DataFrame(
        [{"actor": n, "name": cooperation.nodes[n].get("name"), "group": groups[n], "agency_to_cso_paths": v}
         for n, v in between.items() if v > 0],
        columns=["actor", "name", "group", "agency_to_cso_paths"],
    ).sort_values(["agency_to_cso_paths", "actor"], ascending=[False, True])
    show("Brokers on U.S.-agency -> civil-society shortest paths (pair-restricted betweenness)", pair_table)

    flows = resource_flow_graph(graph)
    nx.set_node_attributes(flows, {n: groups[n] for n in flows}, "group")
    roles = brokerage_roles(flows, group="group").to_frame()
    show("Gould-Fernandez brokerage roles in resource flows", roles[roles["total"] > 0])

    show("Overall betweenness brokers (cooperation network)",
         betweenness_brokers(cooperation, group="group", top=10).to_frame())
    pair_table.to_csv(out / "top_brokers.csv", index=False)
    print(f"\nWrote {out / 'top_brokers.csv'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
