"""The curated CBSI dataset and everything that turns source files into graph records.

Data files (`data/*.yaml`) -> `records` (validated by `model`) -> Neo4j (`neo4j_writer`) or networkx
(`to_networkx`). Importers of public aid data (`importers/`) produce the same records.
"""
