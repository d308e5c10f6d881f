"""Search ranks exact id, name, alias and bill-number matches first, says so, and never fuzzes numbers."""

from __future__ import annotations

import pytest
from neo4j import Driver

from graph_seed.neo4j_writer import write_records
from resolvers.search import lucene_query, match_key
from tests.test_graphql_helpers import data_of, edge, node

pytestmark = [pytest.mark.neo4j]
QUERY = """query($text: String!) { search(text: $text, first: 10) { score exact matchedOn node { graphId } } }"""


@pytest.fixture
def searchable(empty_graph: Driver) -> Driver:
    nodes = [
        node("src:a", "Source", "Source A", title="Source A"),
        node("gov:JM", "Government", "Jamaica", countryCode="JM", cbsiRole="partner"),
        node("program:taft", "Program", "Technical Assistance Field Team", aliases=("TAFT",),
             description="Maintains partner nations' boats and vessels across the Caribbean."),
        *[node(f"program:taft-visit-{i}", "Program", f"TAFT visit {i}",
               description="The TAFT team repaired boats; TAFT technicians and TAFT trainers.") for i in range(8)],
        node("law:hr-4939", "Legislation", "United States-Caribbean Strategic Engagement Act of 2016",
             number="H.R. 4939", congress=114),
        node("law:hr-4930", "Legislation", "Another act (H.R. 4930)", number="H.R. 4930", congress=114),
        node("action:hr-4939-introduced", "BillAction", "H.R. 4939 introduced in the House", date="2016-04-14",
             actionType="introduced"),
        node("action:hr-4939-passed", "BillAction", "H.R. 4939 passed the House", date="2016-05-16",
             actionType="passed-house"),
    ]
    edges = [edge("ACTION_ON", "action:hr-4939-introduced", "law:hr-4939"),
             edge("ACTION_ON", "action:hr-4939-passed", "law:hr-4939")]
    with empty_graph.session() as session:
        write_records(session, nodes, edges)
    return empty_graph


def hits(auth, text: str) -> list[dict]:
    found = data_of(auth, QUERY, {"text": text})["search"]
    assert [h["score"] for h in found] == sorted((h["score"] for h in found), reverse=True)
    return found


@pytest.mark.usefixtures("searchable")
def test_exact_alias_name_number_and_id_come_first(neo4j_auth) -> None:
    taft = hits(neo4j_auth, "taft")
    assert (taft[0]["node"]["graphId"], taft[0]["exact"], taft[0]["matchedOn"]) == ("program:taft", True, "alias")
    assert not any(h["exact"] for h in taft[1:]) and len(taft) > 1
    bill = hits(neo4j_auth, "H.R. 4939")
    assert (bill[0]["node"]["graphId"], bill[0]["exact"], bill[0]["matchedOn"]) == ("law:hr-4939", True, "number")
    assert "law:hr-4930" not in [h["node"]["graphId"] for h in bill]  # 4939 is not fuzzed into 4930
    assert hits(neo4j_auth, "hr4939")[0]["node"]["graphId"] == "law:hr-4939"
    by_id = hits(neo4j_auth, "gov:jm")
    assert (by_id[0]["node"]["graphId"], by_id[0]["matchedOn"]) == ("gov:JM", "id")
    name = hits(neo4j_auth, "JAMAICA")
    assert (name[0]["node"]["graphId"], name[0]["matchedOn"]) == ("gov:JM", "name")


@pytest.mark.usefixtures("searchable")
def test_an_absent_bill_number_finds_no_other_bill(neo4j_auth) -> None:
    assert hits(neo4j_auth, "H.R. 4999") == []


def test_words_with_digits_are_required_and_never_fuzzed() -> None:
    assert "4939~" not in lucene_query("H.R. 4939") and "+4939" in lucene_query("H.R. 4939")
    assert "fy2016~" not in lucene_query("FY2016 appropriation") and "appropriation~" in lucene_query(
        "FY2016 appropriation")
    assert match_key("Républica  Dominicana!") == match_key("republica dominicana")
