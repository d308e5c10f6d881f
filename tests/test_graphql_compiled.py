"""The compiled path (`schema/compiled.py`) gives exactly the answers of the resolvers: every cookbook query, every
peer-benchmark question and a set of paging, cursor, filter, fragment and error cases run through both (compiled
on and off) on the real Neo4j, and their data and errors must be equal, in order. The queries the compiled path
is meant to serve must also have been served by it, in one round trip per root field.
"""

from __future__ import annotations

import asyncio
import base64
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import strawberry
from neo4j import AsyncGraphDatabase, Driver

from bench.peer_questions import QUESTIONS
from graph_seed.seed import seed
from schema import QueryLimits, build_schema
from schema.compiled import STATE_KEY, PlanCache
from schema.context import GraphQLContext

pytestmark = [pytest.mark.neo4j]
QUERIES = Path(__file__).resolve().parents[1] / "docs" / "queries"
COOKBOOK = sorted(QUERIES.glob("*.graphql"))
# Cookbook files served by the compiled path (the rest ask for search, aggregates, cooperation, paths, coverage,
# `relationships` or `citedIn`, which only the resolvers answer).
COOKBOOK_COMPILED = {"01", "02", "03", "04", "07", "08", "09", "13", "14", "16", "17", "18", "19", "20", "21",
                     "22", "23", "24", "25", "26", "27", "31", "33"}
ROOT_FIELDS = {"18": 2}  # cookbook files with more than one root field: one statement each


@lru_cache(maxsize=2)
def schema(compiled: bool) -> strawberry.Schema:
    return build_schema(QueryLimits(), compiled=compiled)


def run(auth: tuple[str, str, str], query: str, compiled: bool, variables: dict[str, Any] | None = None,
        max_page_size: int = 100) -> tuple[Any, GraphQLContext]:
    uri, user, password = auth

    async def go() -> tuple[Any, GraphQLContext]:
        driver = AsyncGraphDatabase.driver(uri, auth=(user, password))
        try:
            context = GraphQLContext.create(driver, None, 10.0, max_page_size)
            result = await schema(compiled).execute(query, variable_values=variables, context_value=context)
            return result, context
        finally:
            await driver.close()

    return asyncio.run(go())


def answer(result: Any) -> str:
    """The response as the HTTP layer would send it: data and formatted errors, keys in order."""
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
    return json.dumps(body, ensure_ascii=False)


def both(auth: tuple[str, str, str], query: str, variables: dict[str, Any] | None = None
         ) -> tuple[str, str, GraphQLContext]:
    plain, _ = run(auth, query, False, variables)
    compiled, context = run(auth, query, True, variables)
    return answer(plain), answer(compiled), context


@pytest.fixture(scope="module")
def seeded_once(neo4j_driver: Driver) -> Driver:
    seed(neo4j_driver, reset=True, progress=lambda _message: None)
    return neo4j_driver


def cursor(field: str, value: Any, node_id: str) -> str:
    payload = json.dumps([field, value, node_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(("c1:" + payload).encode()).decode()


EXTRA: dict[str, tuple[str, dict[str, Any] | None, bool]] = {
    # name: (query, variables, served by the compiled path)
    "aliases-fragments": ("""
        query Q { jm: government(id: "gov:JM") { ...G typename: __typename other: name }
                  bb: government(id: "gov:BB") { ...G } __typename }
        fragment G on Government { id graphId name aliases countryCode
          programsOperating(first: 3) { totalCount pageInfo { hasNextPage endCursor startCursor hasPreviousPage }
            edges { cursor percentage sources { graphId title } node { name ... on Program { level } } } } }
        """, None, True),
    "actor-interface": ("""
        { program(id: "program:cbsi") { participants(first: 20) { totalCount edges { role __typename node {
            __typename graphId name ... on Government { countryCode } ... on Agency { acronym
            parent(first: 1) { edges { node { graphId } } } } programs(first: 2) { edges { node { graphId } } }
          } } } } }
        """, None, True),
    "root-pages": ("""
        query P($after: String) { programs(first: 7, after: $after, sort: {field: NAME, direction: DESC}) {
          totalCount pageInfo { hasNextPage endCursor hasPreviousPage } edges { cursor node { graphId name } } } }
        """, None, True),
    "root-filter": ("""
        { fundings(first: 15, where: {fiscalYear: {gte: 2010}, flowType: {eq: "appropriation"}},
                   sort: {field: AMOUNT_USD, direction: DESC}) {
            totalCount edges { node { graphId amountUsd fiscalYear provider(first: 2) { edges { node { name } } } }
          } } }
        """, None, True),
    "root-anchored-filter": ("""
        { programs(first: 4, where: {countries: {some: {id: {eq: "gov:JM"}}}, level: {in: ["program", "project"]}})
          { totalCount pageInfo { hasNextPage } edges { cursor node { graphId name } } }
          none: programs(first: 2, where: {countries: {some: {id: {eq: "gov:XX"}}}}) { totalCount edges { cursor } } }
        """, None, True),
    "count-only": ("{ governments(first: 40) { edges { node { graphId programsOperating { totalCount } "
                   "memberships { totalCount } } } } }", None, True),
    "node-by-relay-id": ('{ node(id: "R292ZXJubWVudDpnb3Y6Sk0=") { __typename id ... on Government { name } } }',
                         None, True),
    "hierarchy": ("""
        { program(id: "program:cbsi") { selfAndDescendants(first: 30) { totalCount
            edges { depth sources { graphId } cursor node { graphId name } } } } }
        """, None, True),
    "nested-sort-role": ("""
        { government(id: "gov:US") { fundingProvided(first: 5, sort: {field: AMOUNT_USD, direction: DESC}) {
            edges { cursor node { graphId amountUsd } } }
          programs(first: 5, role: FUNDING) { edges { role node { graphId } } } } }
        """, None, True),
    "include-skip": ("""
        query S($yes: Boolean!) { governments(first: 3) { edges { node { name @include(if: $yes)
          countryCode @skip(if: $yes) } } } }
        """, {"yes": True}, True),
    "unknown-id": ('{ government(id: "gov:XX") { name } }', None, False),
    "bad-cursor": ('{ governments(first: 2, after: "nope") { edges { node { name } } } }', None, False),
    "page-too-large": ('{ government(id: "gov:JM") { memberships(first: 500) { totalCount } } }', None, False),
    "bad-filter": ('{ programs(first: 2, where: {level: {eq: "galaxy"}}) { edges { node { name } } } }', None, False),
    "not-compiled-root": ('{ graphStats { nodes { label count } } governments(first: 2) { totalCount } }', None,
                          False),
}


def test_cookbook_compiled_and_resolved_alike(neo4j_auth: tuple[str, str, str], seeded_once: Driver) -> None:
    served = set()
    for path in COOKBOOK:
        plain, compiled, context = both(neo4j_auth, path.read_text(encoding="utf-8"))
        assert compiled == plain, path.name
        if context.loaders.get(STATE_KEY) == "served":
            served.add(path.name[:2])
            assert context.runner.queries_sent == ROOT_FIELDS.get(path.name[:2], 1), path.name
    assert served == COOKBOOK_COMPILED


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.name)
def test_peer_questions_compiled_and_resolved_alike(neo4j_auth: tuple[str, str, str], seeded_once: Driver,
                                                    question: Any) -> None:
    plain, compiled, _context = both(neo4j_auth, question.ours)
    assert compiled == plain


@pytest.mark.parametrize("name", EXTRA)
def test_cases_compiled_and_resolved_alike(neo4j_auth: tuple[str, str, str], seeded_once: Driver, name: str) -> None:
    query, variables, is_served = EXTRA[name]
    plain, compiled, context = both(neo4j_auth, query, variables)
    assert compiled == plain
    assert (context.loaders.get(STATE_KEY) == "served") == is_served, context.loaders.get(STATE_KEY)


def test_every_page_of_a_cursor_walk_alike(neo4j_auth: tuple[str, str, str], seeded_once: Driver) -> None:
    """Walk a nested page and a root page to the end with the compiled path's cursors; each page must equal the
    resolvers' page for the same cursor."""
    nested = """query W($after: String) { government(id: "gov:JM") { programsOperating(first: 4, after: $after) {
        pageInfo { hasNextPage endCursor } edges { cursor node { graphId name } } } } }"""
    root = """query R($after: String) { fundings(first: 9, after: $after, sort: {field: FISCAL_YEAR, direction: DESC})
        { pageInfo { hasNextPage endCursor } edges { cursor node { graphId fiscalYear } } } }"""
    meetings = """query M($after: String) { mechanism(id: "mechanism:security-cooperation-dialogue") {
        meetings(first: 3, after: $after) { pageInfo { hasNextPage endCursor } edges { cursor node { name } } } } }"""
    anchored = """query A($after: String) { programs(first: 5, after: $after, where: {countries: {some: {id: {eq:
        "gov:JM"}}}}) { pageInfo { hasNextPage endCursor } edges { cursor node { graphId } } } }"""
    walks = ((nested, ("government", "programsOperating")), (root, ("fundings",)),
             (meetings, ("mechanism", "meetings")),  # meetings: a cursor of three keys (date, ordinal, name)
             (anchored, ("programs",)))  # a root page started from the neighbour its filter names
    for query, path in walks:
        after, pages = None, 0
        while True:
            plain, compiled, context = both(neo4j_auth, query, {"after": after})
            assert compiled == plain
            assert context.loaders.get(STATE_KEY) == "served"
            data = json.loads(compiled)["data"]
            for key in path:
                data = data[key]
            pages += 1
            if not data["pageInfo"]["hasNextPage"]:
                break
            after = data["pageInfo"]["endCursor"]
        assert pages > 1


def test_the_comparison_catches_a_wrong_order(neo4j_auth: tuple[str, str, str], seeded_once: Driver) -> None:
    """The check above compares order too: the same answer with two edges swapped is not equal."""
    query = '{ government(id: "gov:JM") { programsOperating(first: 5) { edges { node { graphId } } } } }'
    result, _ = run(neo4j_auth, query, True)
    edges = result.data["government"]["programsOperating"]["edges"]
    assert len(edges) > 1
    plain = answer(result)
    edges[0], edges[1] = edges[1], edges[0]
    assert answer(result) != plain


def test_the_plan_cache_is_bounded_by_count_and_text() -> None:
    cache = PlanCache(size=2, max_chars=100)
    cache.put((0, "once", 0, "{}", 100), {"a": "x"})
    assert not cache.entries  # a plan is kept from its second sight: most texts with values in them come once
    for i in range(3):
        for _sight in range(2):
            cache.put((0, f"q{i}", 0, "{}", 100), {"a": "x"})
    assert list(cache.entries) == [(0, "q1", 0, "{}", 100), (0, "q2", 0, "{}", 100)]
    assert cache.get((0, "q1", 0, "{}", 100)) is not None and list(cache.entries)[-1][1] == "q1"  # used last
    for _sight in range(2):
        cache.put((0, "x" * 95, 0, "{}", 100), {})
    assert [key[1] for key in cache.entries] == ["x" * 95] and cache.chars == 97
