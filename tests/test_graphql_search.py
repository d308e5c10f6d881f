"""Search ranks exact id, name, alias and bill-number matches first, says so, and never fuzzes numbers."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from neo4j import Driver

from graph_seed.neo4j_writer import write_records
from resolvers import search
from resolvers.search import _absent_chars, lucene_query, match_key
from tests.test_graphql_helpers import data_of, edge, node, run_query

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


# An alias far down Lucene's ranking: 30 programs say "sentinel" in their name, aliases and description; the one
# whose alias *is* SENTINEL says it once, among long aliases (`aliasText` holds them all): Lucene ranks it last.
FAR_QUERY = """query($text: String!, $first: Int!) {
  search(text: $text, first: $first) { score exact matchedOn node { graphId description } } }"""


@pytest.fixture
def exact_far_down(empty_graph: Driver) -> Driver:
    nodes = [
        node("src:a", "Source", "Source A", title="Source A"),
        node("program:sentinel", "Program", "Coastal Radar Network", aliases=(
            "SENTINEL", "Coastal radar network of the eastern Caribbean states, their coast guards and partners"),
             description="Radar stations along the coast; its long description only matters when it is returned."),
        *[node(f"program:sentinel-{i:02}", "Program", f"Sentinel sentinel drill {i}", aliases=(f"Sentinel {i}",),
               description="Sentinel exercises: sentinel boats, sentinel crews, sentinel radios.") for i in range(30)],
    ]
    with empty_graph.session() as session:
        write_records(session, nodes, [])
    return empty_graph


def lucene_rank(driver: Driver, text: str, node_id: str) -> int:
    records, _, _ = driver.execute_query(
        "CALL db.index.fulltext.queryNodes('entity_search', $query) YIELD node RETURN node.id AS id",
        {"query": lucene_query(text)})
    return [record["id"] for record in records].index(node_id)


@pytest.mark.parametrize("first", [1, 3])
def test_one_statement_and_an_exact_match_far_down_lucene_comes_first(
        exact_far_down: Driver, neo4j_auth, first: int) -> None:
    assert lucene_rank(exact_far_down, "Sentinel", "program:sentinel") >= 20  # far below `first`
    result, context = run_query(neo4j_auth, FAR_QUERY, {"text": "Sentinel", "first": first})
    assert result.errors is None, result.errors
    found = result.data["search"]
    assert context.runner.queries_sent == 1  # candidates, exact matches and the winners' properties together
    assert len(found) == first
    assert found[0] == {"score": found[0]["score"], "exact": True, "matchedOn": "alias", "node": {
        "graphId": "program:sentinel",
        "description": "Radar stations along the coast; its long description only matters when it is returned."}}
    assert all(h["node"]["description"].startswith("Sentinel exercises") and not h["exact"] for h in found[1:])


def test_a_winner_sent_without_its_properties_is_fetched(
        exact_far_down: Driver, neo4j_auth, monkeypatch: pytest.MonkeyPatch) -> None:
    """If the pre-filter ever ruled out a real exact match, the answer would still be right, at one more trip."""
    expected = data_of(neo4j_auth, FAR_QUERY, {"text": "Sentinel", "first": 3})
    monkeypatch.setattr(search, "_absent_chars", lambda key: list(search.ABSENT_ORDER))  # rules every name out
    result, context = run_query(neo4j_auth, FAR_QUERY, {"text": "Sentinel", "first": 3})
    assert result.errors is None and result.data == expected
    assert context.runner.queries_sent == 2


@given(st.text(max_size=40))
def test_a_text_never_holds_a_character_its_own_key_rules_out(text: str) -> None:
    """`SEARCH` sends a candidate without its properties when its id, name, aliases and number each hold one of
    `_absent_chars(key)`: that must never happen to a string that matches the key (`match_key`), nor to an id
    equal to the text up to `str.lower()`."""
    absent = _absent_chars(match_key(text))
    assert not [c for c in absent if c in text]
    for variant in (text.upper(), text.swapcase(), text.title()):
        if variant.strip().lower() == text.strip().lower():
            assert not [c for c in absent if c in variant.strip()]


def test_only_ascii_letters_digits_i_and_kelvin_lower_case_to_an_ascii_letter_or_digit() -> None:
    """What `_absent_chars` relies on for ids; `match_key` folds the two others to the same letter."""
    ascii_alnum = set("abcdefghijklmnopqrstuvwxyz0123456789")
    others = {chr(cp) for cp in range(0x80, sys.maxunicode + 1)
              if unicodedata.category(chr(cp)) != "Cs" and set(chr(cp).lower()) & ascii_alnum}
    assert others == {"\u0130", "\u212a"}
    assert all(set(c.lower()) & ascii_alnum <= set(match_key(c)) for c in others)
