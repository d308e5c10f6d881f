"""Relationship pages are ordered, cut and resumed inside Neo4j (`resolvers/hop_page.py`), in exactly the order
the cursors encode: nulls last ascending and first descending, multi-property default keys, ties by graph id."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from neo4j import AsyncGraphDatabase, Driver

from graph_seed.neo4j_writer import write_records
from loaders.graph import Loaders
from resolvers import catalog
from resolvers.cypher import CypherRunner
from resolvers.hop_page import PageSpec, keyset_after, order_by
from resolvers.where import Params
from tests.test_graphql_helpers import data_of, edge, node, run_query

pytestmark = [pytest.mark.neo4j]
HUB_PROGRAMS = 25
# (id, name, fiscalYear, fiscalYearStart, amountUsd): missing years and amounts, equal names, a range.
FUNDINGS = [
    ("funding:01", "Same name", 2012, None, 5.0),
    ("funding:02", "Same name", 2012, None, None),
    ("funding:03", "Alpha", None, 2011, 7.0),
    ("funding:04", "Beta", None, None, 5.0),
    ("funding:05", "Gamma", 2010, None, None),
    ("funding:06", "Delta", None, None, 1.0),
    ("funding:07", "Alpha", 2011, None, 9.0),
]


@pytest.fixture
def hub(empty_graph: Driver) -> Driver:
    nodes = [
        node("src:a", "Source", "Source A", title="Source A"),
        node("agency:hub", "Agency", "Hub agency"),
        node("program:p", "Program", "P"),
        *[node(f"program:{i:02}", "Program", f"Program {i % 7}") for i in range(HUB_PROGRAMS)],
        # a figure in euros has no amountUsd: the sort's missing value
        *[node(fid, "Funding", name, flowType="obligation", amount=usd or 1, currency="USD" if usd else "EUR",
               **{k: v for k, v in (("fiscalYear", year), ("fiscalYearStart", start)) if v is not None})
          for fid, name, year, start, usd in FUNDINGS],
    ]
    edges = [
        *[edge("PARTICIPATES_IN", "agency:hub", f"program:{i:02}", role="funding") for i in range(HUB_PROGRAMS)],
        *[edge("FUNDS", fid, "program:p") for fid, *_ in FUNDINGS],
    ]
    with empty_graph.session() as session:
        write_records(session, nodes, edges)
    return empty_graph


def _reference(sort: str | None, direction: str) -> list[str]:
    """The documented order of the fundings, computed here from the fixture (not by the code under test)."""
    def part(value: Any) -> tuple[bool, Any]:
        return (value is None, value if value is not None else 0)

    def key(row: tuple[Any, ...]) -> tuple[Any, ...]:
        fid, name, year, start, usd = row
        if sort == "amountUsd":
            return (part(usd), fid)
        if sort == "name":
            return (part(name), fid)
        return (part(year if year is not None else start), part(name), fid)  # DEFAULT_SORT["Funding"]

    return [row[0] for row in sorted(FUNDINGS, key=key, reverse=direction == "DESC")]


def _walk(auth: tuple[str, str, str], first: int, sort: str) -> list[str]:
    query = f"""query($after: String) {{ program(id: "program:p") {{
        fundings(first: {first}, after: $after{sort}) {{ totalCount edges {{ node {{ graphId }} }}
        pageInfo {{ hasNextPage endCursor }} }} }} }}"""
    seen: list[str] = []
    after = None
    while len(seen) <= len(FUNDINGS):
        page = data_of(auth, query, {"after": after})["program"]["fundings"]
        assert page["totalCount"] == len(FUNDINGS)
        seen += [e["node"]["graphId"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        after = page["pageInfo"]["endCursor"]
    raise AssertionError(f"pages never ended: {seen}")


@pytest.mark.usefixtures("hub")
@pytest.mark.parametrize("first", [1, 2, 3, 7])
@pytest.mark.parametrize(("sort", "direction"), [
    (None, "ASC"), ("amountUsd", "ASC"), ("amountUsd", "DESC"), ("name", "ASC"), ("name", "DESC"),
])
def test_keyset_pages_follow_the_documented_order(neo4j_auth, first: int, sort: str | None, direction: str) -> None:
    argument = "" if sort is None else f", sort: {{field: {'AMOUNT_USD' if sort == 'amountUsd' else 'NAME'}, " \
                                       f"direction: {direction}}}"
    assert _walk(neo4j_auth, first, argument) == _reference(sort, direction)


@pytest.mark.usefixtures("hub")
def test_only_the_page_leaves_neo4j(neo4j_auth) -> None:
    """A hub's `first: 2` brings back 3 neighbours (the page and one to tell that more follow), not all 25; the
    count comes in the same statement only when it is asked for."""
    uri, user, password = neo4j_auth
    relation = catalog.relation("Agency", "programs")

    async def load(spec: PageSpec) -> tuple[int, int | None, int]:
        driver = AsyncGraphDatabase.driver(uri, auth=(user, password))
        try:
            runner = CypherRunner(driver, None, 10.0)
            page = await Loaders(runner).hop(relation, "funding", None, spec).load("agency:hub")
            return len(page.rows), page.total, runner.queries_sent
        finally:
            await driver.close()

    keys = catalog.default_sort("Program")
    assert asyncio.run(load(PageSpec(keys, "ASC", 3))) == (3, None, 1)
    assert asyncio.run(load(PageSpec(keys, "ASC", 3, with_total=True))) == (3, HUB_PROGRAMS, 1)


@pytest.mark.usefixtures("hub")
def test_total_count_alone_and_through_a_fragment(neo4j_auth) -> None:
    query = """{ agency(id: "agency:hub") { a: programs(first: 1) { ...Count }
        b: programs(first: 1) { edges { node { graphId } } } } }
        fragment Count on ProgramParticipationEdgeConnection { totalCount }"""
    result, context = run_query(neo4j_auth, query)
    assert result.errors is None, result.errors
    assert result.data["agency"]["a"] == {"totalCount": HUB_PROGRAMS}
    assert result.data["agency"]["b"]["edges"] == [{"node": {"graphId": "program:00"}}]


@pytest.mark.usefixtures("hub")
def test_a_forged_cursor_of_the_wrong_type_is_a_client_error(neo4j_auth) -> None:
    from resolvers.cursor import encode_cursor

    query = """query($after: String) { program(id: "program:p") {
        fundings(first: 2, after: $after, sort: {field: AMOUNT_USD, direction: ASC}) { edges { cursor } } } }"""
    result, _ = run_query(neo4j_auth, query, {"after": encode_cursor("amountUsd", "not a number", "funding:01")})
    assert result.errors and "does not fit sorting by 'amountUsd'" in result.errors[0].message
    assert result.errors[0].extensions["code"] == "BAD_REQUEST"


def test_statement_parts_are_parameters_and_catalog_names() -> None:
    keys = catalog.default_sort("Funding")
    assert order_by(keys, "DESC") == ("coalesce(m.fiscalYear, m.fiscalYearStart, m.fiscalYearEnd) DESC, "
                                      "m.name DESC, m.id DESC")
    params = Params()
    condition = keyset_after(((("name",),)), "ASC", ["O'Brien\" OR true"], "x:1", params)
    assert "O'Brien" not in condition and set(params.values.values()) == {"O'Brien\" OR true", "x:1"}
