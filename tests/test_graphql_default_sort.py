"""Relationship fields have a sensible default order per type (catalog.DEFAULT_SORT), paged by stable cursors."""

from __future__ import annotations

import pytest
from neo4j import Driver

from graph_seed.neo4j_writer import write_records
from tests.test_graphql_helpers import data_of, edge, node

pytestmark = [pytest.mark.neo4j]


@pytest.fixture
def ordered(empty_graph: Driver) -> Driver:
    nodes = [
        node("src:a", "Source", "Source A", title="Source A"),
        node("mechanism:dialogue", "Mechanism", "Dialogue"),
        node("meeting:1", "Meeting", "1st Dialogue", date="2011-06", ordinal=1),
        node("meeting:2", "Meeting", "2nd Dialogue", date="2012-05", ordinal=2),
        node("meeting:10", "Meeting", "10th Dialogue", date="2019-03", ordinal=10),
        node("meeting:9b", "Meeting", "9th Dialogue, second day", date="2018", ordinal=9),
        node("meeting:9a", "Meeting", "9th Dialogue", date="2018", ordinal=8),
        node("meeting:undated", "Meeting", "A meeting with no date"),
        node("program:p", "Program", "P"),
        node("funding:a", "Funding", "A FY2018", amount=1, flowType="obligation", fiscalYear=2018),
        node("funding:b", "Funding", "B FY2010-2012", amount=1, flowType="allocation", fiscalYearStart=2010,
             fiscalYearEnd=2012),
        node("funding:c", "Funding", "C FY2011", amount=1, flowType="obligation", fiscalYear=2011),
        node("law:bill", "Legislation", "A bill"),
        node("action:z", "BillAction", "Introduced", date="2016-04-14", actionType="introduced"),
        node("action:a", "BillAction", "Passed", date="2016-09-20", actionType="passed-house"),
        node("action:m", "BillAction", "Referred", date="2016-04-15", actionType="referred"),
    ]
    edges = [
        *[edge("OF", n.id, "mechanism:dialogue") for n in nodes if n.label == "Meeting"],
        *[edge("FUNDS", n.id, "program:p") for n in nodes if n.label == "Funding"],
        *[edge("ACTION_ON", n.id, "law:bill") for n in nodes if n.label == "BillAction"],
    ]
    with empty_graph.session() as session:
        write_records(session, nodes, edges)
    return empty_graph


MEETINGS = ["meeting:1", "meeting:2", "meeting:9a", "meeting:9b", "meeting:10", "meeting:undated"]


@pytest.mark.usefixtures("ordered")
def test_meetings_by_date_then_ordinal_fundings_by_year_actions_by_date(neo4j_auth) -> None:
    data = data_of(neo4j_auth, """{ mechanism(id: "mechanism:dialogue") { meetings { edges { node { graphId } } } }
        program(id: "program:p") { fundings { edges { node { graphId } } } }
        law(id: "law:bill") { actions { edges { node { graphId } } } } }""")
    assert [e["node"]["graphId"] for e in data["mechanism"]["meetings"]["edges"]] == MEETINGS
    assert [e["node"]["graphId"] for e in data["program"]["fundings"]["edges"]] == [
        "funding:b", "funding:c", "funding:a"]
    assert [e["node"]["graphId"] for e in data["law"]["actions"]["edges"]] == ["action:z", "action:m", "action:a"]
    by_name = data_of(neo4j_auth, """{ mechanism(id: "mechanism:dialogue") {
        meetings(sort: {field: NAME}) { edges { node { name } } } } }""")["mechanism"]["meetings"]["edges"]
    assert [e["node"]["name"] for e in by_name][:2] == ["10th Dialogue", "1st Dialogue"]  # asked for: by name


@pytest.mark.usefixtures("ordered")
def test_default_order_pages_without_skipping_or_repeating(neo4j_auth) -> None:
    query = """query($after: String) { mechanism(id: "mechanism:dialogue") {
        meetings(first: 2, after: $after) { edges { node { graphId } } pageInfo { hasNextPage endCursor } } } }"""
    seen, after = [], None
    while True:
        page = data_of(neo4j_auth, query, {"after": after})["mechanism"]["meetings"]
        seen += [e["node"]["graphId"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == MEETINGS
