"""Which queries the warm-up leaves out (`app/warm_up.py`): pure, no Neo4j."""

from __future__ import annotations

from app.explorer import cookbook
from app.warm_up import asks_projection, root_fields
from schema import build_schema
from schema.query import PROJECTION_ROOT_FIELDS


def test_root_fields_follow_fragments_and_aliases() -> None:
    query = """
        query Q { a: graphStats { nodes { count } } ... on Query { cooperation(between: ["gov:JM"]) { between } }
                  ...Deep }
        fragment Deep on Query { ...Deeper }
        fragment Deeper on Query { network { version } ...Deep }
    """
    assert root_fields(query) == {"graphStats", "cooperation", "network"}
    assert asks_projection(query)


def test_a_document_that_does_not_parse_asks_nothing() -> None:
    assert root_fields("{ paths(") == set()
    assert not asks_projection("{ paths(")


def test_the_projection_fields_are_query_fields() -> None:
    query_type = build_schema()._schema.query_type
    assert query_type is not None
    assert set(query_type.fields) >= PROJECTION_ROOT_FIELDS


def test_only_the_paths_and_coverage_recipes_are_left_out() -> None:
    left_out = [entry for entry in cookbook() if asks_projection(entry.query)]
    assert sorted(field for entry in left_out for field in root_fields(entry.query)) == ["coverage", "paths"]
    assert len(cookbook()) - len(left_out) > 30
