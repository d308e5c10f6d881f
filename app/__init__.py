"""CBSI Graph application layer: settings, the Neo4j connection, the managed local Neo4j, HTTP and CLI."""
