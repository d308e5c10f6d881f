"""Network analysis of the CBSI graph for researchers: pure functions on networkx graphs.

Read the graph (`from_records()` with no database, or `from_neo4j(driver)`), derive a view
(`cooperation_graph`, `resource_flow_graph`, `affiliation_graph`, `funding_graph`), then measure it. Every
measure returns plain typed records with `.to_frame()` / `.to_records()`; every randomised one takes `seed`.
`MEASURES` maps the CLI's measure names to `(G, **options)` callables.

Data flows one way: this package imports `graph_seed` and scientific libraries, never `app`, `schema`,
`resolvers` or `loaders`.

Example
-------
>>> import networkx as nx
>>> from analysis import centrality
>>> centrality(nx.path_graph(["a", "b", "c"]), measures=["betweenness"])[0].node
'b'
"""

from analysis.affiliation import actor_projection, affiliation_ties
from analysis.brokerage import betweenness_brokers, brokerage_roles, role_of, structural_holes
from analysis.centrality import betweenness, centrality, eigenvector, pagerank
from analysis.communities import communities, leiden, leiden_available, louvain, modularity
from analysis.concentration import coverage_gaps, funding_concentration, funding_shares, gini, hhi
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
from analysis.funding import annual_figures, funding_by_year, funding_flows, funding_statements
from analysis.measures import MEASURES
from analysis.paths import cooperation_paths
from analysis.projection import (
    affiliation_graph,
    cooperation_graph,
    from_neo4j,
    from_records,
    funding_graph,
    resource_flow_graph,
)
from analysis.results import CommunityResult, Table
from analysis.slicing import Slice

__all__ = [
    "MEASURES",
    "CommunityResult",
    "Slice",
    "Table",
    "actor_projection",
    "affiliation_graph",
    "affiliation_ties",
    "betweenness",
    "betweenness_brokers",
    "brokerage_roles",
    "centrality",
    "communities",
    "cooperation_graph",
    "cooperation_paths",
    "coverage_gaps",
    "eigenvector",
    "export",
    "from_neo4j",
    "from_records",
    "annual_figures",
    "funding_by_year",
    "funding_statements",
    "funding_concentration",
    "funding_flows",
    "funding_graph",
    "funding_shares",
    "gini",
    "hhi",
    "leiden",
    "leiden_available",
    "louvain",
    "modularity",
    "pagerank",
    "read_csv",
    "read_gexf",
    "read_graphml",
    "read_node_link_json",
    "resource_flow_graph",
    "role_of",
    "structural_holes",
    "write_csv",
    "write_gexf",
    "write_graphml",
    "write_node_link_json",
]
