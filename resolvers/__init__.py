"""Root-field resolvers: each runs a named, parameterised Cypher constant through `cypher.CypherRunner`."""
