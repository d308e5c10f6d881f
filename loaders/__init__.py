"""Strawberry DataLoaders: one batched Cypher query per relationship hop, keyed by node id (no N+1)."""
