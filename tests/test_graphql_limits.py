"""Depth, alias, token and cost limits: each rejection names its limit (no database needed: nothing runs)."""

from __future__ import annotations

import asyncio

from schema import QueryLimits, build_schema
from schema.context import GraphQLContext


def errors_of(query: str, limits: QueryLimits, variables: dict | None = None) -> list[str]:
    schema = build_schema(limits)
    context = GraphQLContext(runner=None)  # type: ignore[arg-type] - validation fails before any resolver
    result = asyncio.run(schema.execute(query, variable_values=variables, context_value=context))
    assert result.data is None
    return [error.message for error in result.errors or []]


def test_depth_limit() -> None:
    query = "{ programs { edges { node { participants { edges { node { name } } } } } } }"
    assert any("exceeds maximum operation depth of 5" in m for m in errors_of(query, QueryLimits(max_depth=5)))


def test_alias_limit() -> None:
    query = "{ " + " ".join(f"a{i}: graphStats {{ nodes {{ count }} }}" for i in range(5)) + " }"
    assert any("2 aliases" in m or "aliases" in m for m in errors_of(query, QueryLimits(max_aliases=2)))


def test_token_limit() -> None:
    query = "{ programs { edges { node { name description } } } }"
    assert any("token" in m.lower() for m in errors_of(query, QueryLimits(max_tokens=5)))


def test_cost_limit_names_the_limit_and_the_cost() -> None:
    query = "{ programs(first: 100) { edges { node { participants(first: 100) { edges { node { "\
            "programs(first: 100) { edges { node { name } } } } } } } } } }"
    [message] = errors_of(query, QueryLimits())
    assert "max_query_cost = 50000" in message and "Query cost" in message
    cost = int(message.split("Query cost ")[1].split()[0])
    assert cost > 1_000_000


def test_cost_follows_variables_and_defaults() -> None:
    query = "query($n: Int) { programs(first: $n) { edges { node { participants { edges { node { name } } } } } } }"
    assert errors_of(query, QueryLimits(max_cost=1000), {"n": 100})  # 100 x 20 default page: too much
    schema = build_schema(QueryLimits(max_cost=1000))
    small = asyncio.run(schema.execute(
        "{ __typename }", context_value=GraphQLContext(runner=None)))  # type: ignore[arg-type]
    assert small.errors is None
