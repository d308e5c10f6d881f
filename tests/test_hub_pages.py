"""A hub's nested page (`resolvers/selection_cypher.py`: walk the name index, keep the hub's neighbours) gives
exactly the resolvers' page (which sort every neighbour): first pages and every page of cursor walks, ascending
and descending, with tied names and programs the hub is not linked to interleaved in the index, with the hub plan
forced (a low degree threshold) and ruled out (the default threshold), on the real Neo4j. Nodes without a name
cannot be served by the API (`name` is non-null; every writer sets it), so the statement's own rows are compared
for a hub whose programs include some without a name.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from neo4j import Driver

from graph_seed.seed import seed
from resolvers import catalog, selection_cypher
from resolvers.hop_page import PageSpec
from resolvers.selection_cypher import LinkShape, NodeShape, lookup_statement
from schema import compiled
from schema.compiled import STATE_KEY, PlanCache
from tests.test_graphql_compiled import both

pytestmark = [pytest.mark.neo4j]
HUB = "agency:test-hub"
LINKED = 60  # programs the hub takes part in
# 60 linked programs with tied names ("Hub 03" up to four times); 40 unlinked programs whose names sort among
# them, so the walk must skip nodes of the index that are not the hub's. `$nameless`: every sixth linked program
# has no name (only for the statement-level test).
ADD_HUB = """
MERGE (a:Entity:Actor:Agency {id: $hub}) SET a.name = 'Test hub agency', a.sources = []
WITH a
UNWIND range(1, $linked) AS i
CREATE (p:Entity:Program {id: 'program:test-hub-' + toString(1000 + i), sources: []})
SET p.name = CASE WHEN $nameless AND i % 6 = 0 THEN null ELSE 'Hub ' + substring(toString(1000 + i % 17), 2) END
CREATE (a)-[:PARTICIPATES_IN {role: CASE WHEN i % 2 = 0 THEN 'funding' ELSE 'implementing' END, sources: []}]->(p)
WITH count(*) AS made
UNWIND range(1, 40) AS j
CREATE (:Entity:Program {id: 'program:test-other-' + toString(1000 + j),
                         name: 'Hub ' + substring(toString(1000 + j % 23), 2) + 'x', sources: []})
"""
REMOVE_HUB = "MATCH (n:Entity) WHERE n.id = $hub OR n.id STARTS WITH 'program:test-' DETACH DELETE n"
PAGE = """query H($after: String, $n: Int, $dir: SortDirection!) { agency(id: "agency:test-hub") {
  programs(first: $n, after: $after, sort: {field: NAME, direction: $dir}) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor role node { graphId name } } } } }"""


@pytest.fixture(scope="module")
def hub_graph(neo4j_driver: Driver) -> Iterator[Driver]:
    seed(neo4j_driver, reset=True, progress=lambda _message: None)
    with neo4j_driver.session() as session:
        session.run(ADD_HUB, hub=HUB, linked=LINKED, nameless=False).consume()
    yield neo4j_driver
    with neo4j_driver.session() as session:
        session.run(REMOVE_HUB, hub=HUB).consume()


@pytest.fixture(params=["hub plan", "plain plan"])
def plan(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The hub plan forced (any anchor with 50 links is a hub) or left at its default (this hub is too small)."""
    monkeypatch.setattr(compiled, "PLANS", PlanCache())  # statements made under the other setting are not reused
    if request.param == "hub plan":
        monkeypatch.setattr(selection_cypher, "HUB_MIN_DEGREE", 50)
        monkeypatch.setattr(selection_cypher, "HUB_SHARE", 1_000)
    return str(request.param)


def walk(auth: tuple[str, str, str], size: int, direction: str) -> list[Any]:
    """Every page of the hub's programs, compiled and resolved alike at each cursor; the edges in order."""
    after, edges = None, []
    while True:
        plain, compiled_answer, context = both(auth, PAGE, {"after": after, "n": size, "dir": direction})
        assert compiled_answer == plain, (direction, size, after)
        assert context.loaders.get(STATE_KEY) == "served"
        page = json.loads(compiled_answer)["data"]["agency"]["programs"]
        assert page["totalCount"] == LINKED
        edges += page["edges"]
        if not page["pageInfo"]["hasNextPage"]:
            return edges
        after = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
@pytest.mark.parametrize("size", [1, 4, 7, 100])
def test_hub_pages_compiled_and_resolved_alike(neo4j_auth: tuple[str, str, str], hub_graph: Driver, plan: str,
                                               direction: str, size: int) -> None:
    edges = walk(neo4j_auth, size, direction)
    assert len(edges) == LINKED
    names = [edge["node"]["name"] for edge in edges]
    assert names == sorted(names, reverse=direction == "DESC") and len(set(names)) < LINKED  # ties crossed


def test_hub_pages_with_a_filter_or_role_alike(neo4j_auth: tuple[str, str, str], hub_graph: Driver,
                                               plan: str) -> None:
    """A role page walks the index too (the hub test counts that role's relationships); a filter keeps the plain
    plan (a walk that finds few matches could visit the whole index). Answers stay the same."""
    query = """{ agency(id: "agency:test-hub") { f: programs(first: 4, role: FUNDING) { edges { node { graphId } } }
        w: programs(first: 4, where: {name: {startsWith: "Hub 1"}}) { edges { node { graphId name } } } } }"""
    plain, compiled_answer, context = both(neo4j_auth, query)
    assert compiled_answer == plain
    assert context.loaders.get(STATE_KEY) == "served"


def profile_rows(driver: Driver, cypher: str, params: dict[str, Any]) -> dict[str, int]:
    """Rows per operator type of the statement's profile (summed)."""
    with driver.session() as session:
        summary = session.run("PROFILE " + cypher, params).consume()
    rows: dict[str, int] = {}

    def visit(plan: Any) -> None:
        name = plan["operatorType"].split("@")[0]
        rows[name] = rows.get(name, 0) + int(plan.get("rows", 0))
        for child in plan.get("children", []):
            visit(child)

    visit(summary.profile)
    return rows


def hub_page(spec: PageSpec) -> tuple[str, dict[str, Any]]:
    """The lookup statement of the hub with one `programs` page (names and ids of the nodes)."""
    link = LinkShape(catalog.RELATIONS["Agency"]["programs"], None, None, spec)
    link.node.props.add("name")
    return lookup_statement("Agency", HUB, NodeShape(links={"1": link}))


def test_the_hub_plan_walks_the_index_and_the_plain_plan_expands(hub_graph: Driver, plan: str) -> None:
    """Which plan ran is decided inside the statement from the hub's degree: the hub plan reads no more of the
    hub's relationships than the page needs; the plain plan expands all of them."""
    rows = profile_rows(hub_graph, *hub_page(PageSpec((("name",),), "ASC", 5)))
    if plan == "hub plan":
        assert rows.get("Expand(All)", 0) == 0 and rows.get("NodeIndexScan", 0) > 0
    else:
        assert rows.get("Expand(All)", 0) >= LINKED


@pytest.fixture
def some_nameless(hub_graph: Driver) -> Iterator[Driver]:
    """Every sixth of the hub's programs without a name, for one test (restored after)."""
    chosen = "p.id STARTS WITH 'program:test-hub-' AND (toInteger(substring(p.id, 17)) - 1000) % 6 = 0"
    with hub_graph.session() as session:
        session.run(f"MATCH (p:Program) WHERE {chosen} SET p.hidden = p.name REMOVE p.name").consume()
    yield hub_graph
    with hub_graph.session() as session:
        session.run(f"MATCH (p:Program) WHERE {chosen} SET p.name = p.hidden REMOVE p.hidden").consume()


def page_ids(driver: Driver, spec: PageSpec, hub_plan: bool, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    with monkeypatch.context() as patch:
        if hub_plan:
            patch.setattr(selection_cypher, "HUB_MIN_DEGREE", 50)
            patch.setattr(selection_cypher, "HUB_SHARE", 1_000)
        cypher, params = hub_page(spec)
    with driver.session() as session:
        [record] = session.run(cypher, params).values()
    return [(node["name"], node["id"]) for _edge, node in record[0]["_l1"]]


def test_the_hub_plan_orders_nodes_without_a_name_as_the_plain_plan(some_nameless: Driver,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Ascending, nameless rows come last (the walk cannot see them: they are read only when the named rows do
    not fill the page); descending after a named cursor they are already passed."""
    last_named = page_ids(some_nameless, PageSpec((("name",),), "DESC", 1), False, monkeypatch)[0]
    assert last_named[0] is None  # descending, the nameless rows come first
    named = [row for row in page_ids(some_nameless, PageSpec((("name",),), "ASC", 100), False, monkeypatch)
             if row[0] is not None]
    specs = [PageSpec((("name",),), "ASC", 5), PageSpec((("name",),), "ASC", 100),
             PageSpec((("name",),), "ASC", 6, ((named[-3][0],), named[-3][1])),  # crosses into the nameless
             PageSpec((("name",),), "ASC", 4, ((named[10][0],), named[10][1])),
             PageSpec((("name",),), "DESC", 5, ((named[-3][0],), named[-3][1])),
             PageSpec((("name",),), "DESC", 100, ((named[20][0],), named[20][1]))]
    for spec in specs:
        plain = page_ids(some_nameless, spec, False, monkeypatch)
        assert page_ids(some_nameless, spec, True, monkeypatch) == plain, spec
        assert plain
    crossing = page_ids(some_nameless, specs[2], True, monkeypatch)
    assert crossing[0][0] is not None and crossing[-1][0] is None
