"""A root page sorted by `amountUsd` within a `fiscalYear` range (`resolvers/selection_cypher.py`: walk the
`amountUsd` index, keep the fundings in range) gives exactly the resolvers' page (which sort every funding in the
range): first pages and every page of cursor walks, ascending and descending, with tied amounts, ranges that hold
fundings without an amount (a null sorts first descending: the plain plan must serve those) and fundings without
a fiscal year, with the walk allowed for any share of the label and ruled out, on the real Neo4j.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from neo4j import Driver

from graph_seed.neo4j_writer import delete_all
from resolvers import selection_cypher
from resolvers.selection_cypher import NodeShape, RootPage, connection_statement
from schema import compiled
from schema.compiled import STATE_KEY, PlanCache
from tests.test_graphql_compiled import both

pytestmark = [pytest.mark.neo4j]
# 200 fundings, 10 a year from 2000 to 2019, amounts tied seven ways; no amount for two of 2003's and one of
# 2015's; no fiscal year for 2019's last two.
ADD_FUNDINGS = """
UNWIND range(0, 199) AS i
CREATE (f:Entity:Funding {id: 'funding:test-' + toString(1000 + i), name: 'Funding ' + toString(i), sources: [],
                          fiscalYear: CASE WHEN i >= 198 THEN null ELSE 2000 + i / 10 END,
                          amountUsd: CASE WHEN i IN [31, 35, 152] THEN null ELSE toFloat((i * 37) % 7) * 1000.0 END})
"""
PAGE = """query F($after: String, $n: Int, $dir: SortDirection!, $where: FundingWhere) {
  fundings(first: $n, after: $after, where: $where, sort: {field: AMOUNT_USD, direction: $dir}) {
    pageInfo { hasNextPage endCursor } edges { cursor node { graphId amountUsd fiscalYear } } } }"""
RANGES = [{"gte": 2010, "lte": 2011}, {"gte": 2014, "lte": 2016}, {"eq": 2003}, {"gt": 2017}, {"lt": 2001}]


@pytest.fixture(scope="module")
def fundings(neo4j_driver: Driver) -> Iterator[Driver]:
    with neo4j_driver.session() as session:
        delete_all(session)
        session.run(ADD_FUNDINGS).consume()
    yield neo4j_driver
    with neo4j_driver.session() as session:
        delete_all(session)


@pytest.fixture(params=["walk allowed", "walk ruled out"])
def plan(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Any range without a null amount is walked (a share of 1 in 1,000 is enough), or none is (share 0)."""
    monkeypatch.setattr(compiled, "PLANS", PlanCache())  # statements made under the other setting are not reused
    monkeypatch.setattr(selection_cypher, "RANGE_SHARE", 1_000 if request.param == "walk allowed" else 0)
    return str(request.param)


def walk(auth: tuple[str, str, str], where: dict[str, Any], size: int, direction: str) -> list[Any]:
    """Every page, compiled and resolved alike at each cursor; the edges in order."""
    after, edges = None, []
    while True:
        variables = {"after": after, "n": size, "dir": direction, "where": {"fiscalYear": where}}
        plain, compiled_answer, context = both(auth, PAGE, variables)
        assert compiled_answer == plain, (where, direction, size, after)
        assert context.loaders.get(STATE_KEY) == "served"
        page = json.loads(compiled_answer)["data"]["fundings"]
        edges += page["edges"]
        if not page["pageInfo"]["hasNextPage"]:
            return edges
        after = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize("direction", ["DESC", "ASC"])
def test_pages_and_cursor_walks_match_the_resolvers(fundings: Driver, neo4j_auth: tuple[str, str, str], plan: str,
                                                    direction: str) -> None:
    for where in RANGES:
        whole = walk(neo4j_auth, where, 100, direction)
        assert whole, where
        for size in (1, 7) if where == RANGES[0] else (7,):  # every page of size 1 once: tied amounts across cursors
            assert [e["node"] for e in walk(neo4j_auth, where, size, direction)] == [e["node"] for e in whole]
    amounts = [e["node"]["amountUsd"] for e in walk(neo4j_auth, {"gte": 2014, "lte": 2016}, 3, direction)]
    assert (amounts[0] is None) == (direction == "DESC") and (amounts[-1] is None) == (direction == "ASC")


def _walked_rows(driver: Driver, where: dict[str, Any], direction: str) -> int:
    """How many rows the statement's index walk produced (0: the plain plan served the page)."""
    page = RootPage("Funding", {"fiscalYear": where}, "amountUsd", direction, None, 21, False)  # type: ignore[arg-type]
    cypher, params = connection_statement(page, NodeShape())
    summary = driver.execute_query("PROFILE " + cypher, params).summary
    walked = 0

    def visit(step: dict[str, Any]) -> None:
        nonlocal walked
        details = step.get("args", {}).get("Details", "")
        if step["operatorType"].startswith("NodeIndexScan") and "Funding(amountUsd)" in details:
            walked += step.get("rows", 0)
        for child in step.get("children", []):
            visit(child)

    visit(summary.profile)
    return walked


def test_the_walk_serves_a_range_without_nulls_only(fundings: Driver, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _walked_rows(fundings, {"gte": 2010, "lte": 2011}, "DESC") > 0  # a tenth of the fundings: walked
    assert _walked_rows(fundings, {"gte": 2014, "lte": 2016}, "DESC") == 0  # holds a funding without an amount
    assert _walked_rows(fundings, {"gt": 2018}, "DESC") == 0  # 8 of 200: under 1 in 20 (RANGE_SHARE)
    monkeypatch.setattr(selection_cypher, "RANGE_SHARE", 1_000)
    assert _walked_rows(fundings, {"gt": 2018}, "ASC") > 0


def test_other_filters_and_sorts_keep_the_plain_plan() -> None:
    shape = NodeShape()
    for where, sort in (({"fiscalYear": {"gte": 2010}, "flowType": {"eq": "obligation"}}, "amountUsd"),
                        ({"fiscalYear": {"in": [2010, 2011]}}, "amountUsd"),
                        ({"fiscalYear": {"gte": 2010}}, "name"),
                        ({"amountUsd": {"gte": 10.0}}, "amountUsd"),
                        (None, "amountUsd")):
        cypher, _ = connection_statement(RootPage("Funding", where, sort, "DESC", None, 21, False), shape)
        assert "USING INDEX" not in cypher, (where, sort)
