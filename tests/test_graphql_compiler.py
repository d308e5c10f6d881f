"""Pure unit tests: the where-compiler, the cursor codec, the Lucene query builder and the aggregation rules."""

from __future__ import annotations

import pytest

from resolvers.aggregates import aggregate, group_dimensions
from resolvers.cursor import decode_cursor, encode_cursor
from resolvers.errors import BadCursorError, BadFilterError
from resolvers.search import lucene_query
from resolvers.where import compile_where


def test_scalar_operators_become_parameters() -> None:
    cypher, params = compile_where("Program", {"name": {"contains": "Youth", "startsWith": "Y"},
                                               "level": {"in": ["program"]}})
    # `name` has a lower-cased copy (`nameLower`, TEXT-indexed); the value is lowered by Neo4j's `toLower` too
    assert cypher == ("(n.nameLower CONTAINS toLower($w0)) AND (n.nameLower STARTS WITH toLower($w1)) "
                      "AND (n.level IN $w2)")
    assert params == {"w0": "Youth", "w1": "Y", "w2": ["program"]}


def test_properties_without_a_lowered_copy_are_lowered_in_the_filter() -> None:
    cypher, params = compile_where("Program", {"description": {"contains": "Youth"}})
    assert cypher == "(toLower(n.description) CONTAINS toLower($w0))" and params == {"w0": "Youth"}


def test_numbers_and_dates_compare() -> None:
    cypher, params = compile_where("Funding", {"fiscalYear": {"gte": 2016, "lt": 2018}, "date": {"gt": "2016-05"}})
    assert cypher == "(n.fiscalYear >= $w0) AND (n.fiscalYear < $w1) AND (n.date > $w2)"
    assert params == {"w0": 2016, "w1": 2018, "w2": "2016-05"}


def test_and_or_not_nest() -> None:
    where = {"OR": [{"countryCode": {"eq": "JM"}}, {"NOT": {"name": {"eq": "X"}}}]}
    cypher, params = compile_where("Government", where)
    assert cypher == "((((n.countryCode = $w0)) OR ((NOT ((n.name = $w1))))))"
    assert params == {"w0": "JM", "w1": "X"}


def test_relationship_filters_some_none_all() -> None:
    where = {
        "countries": {"some": {"id": {"eq": "gov:JM"}}},
        "fundings": {"none": {"flowType": {"eq": "pledge"}}},
        "participants": {"all": {"name": {"startsWith": "a"}}},
    }
    cypher, params = compile_where("Program", where)
    assert "EXISTS { MATCH (n)-[:OPERATES_IN]->(m1:Government) WHERE (m1.id = $w0) }" in cypher
    assert "NOT EXISTS { MATCH (n)<-[:FUNDS]-(m2:Funding) WHERE (m2.flowType = $w1) }" in cypher
    # inside a relationship filter the name is lowered in place: the TEXT index of the copy would be scanned per node
    assert "NOT EXISTS { MATCH (n)<-[:PARTICIPATES_IN]-(m3:Actor) WHERE NOT ((toLower(m3.name) STARTS WITH" in cypher
    assert params == {"w0": "gov:JM", "w1": "pledge", "w2": "a"}


def test_nested_relationship_filters_use_fresh_variables() -> None:
    cypher, _ = compile_where("Program", {"fundings": {"some": {"provider": {"some": {"id": {"eq": "agency:x"}}}}}})
    assert "(m1:Funding)" in cypher and "(m1)<-[:PROVIDES]-(m2:Actor)" in cypher


def test_list_properties() -> None:
    cypher, params = compile_where("Agency", {"aliases": {"contains": "inl", "eq": "INL"}})
    assert "any(x IN coalesce(n.aliases, []) WHERE toLower(x) CONTAINS toLower($w0))" in cypher
    assert "$w1 IN coalesce(n.aliases, [])" in cypher and params == {"w0": "inl", "w1": "INL"}


def test_empty_filter_is_true() -> None:
    assert compile_where("Program", None) == ("true", {})
    assert compile_where("Program", {"name": {"eq": None}}) == ("true", {})


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ({"bogus": {"eq": 1}}, "where.bogus: Program has no filterable field 'bogus'"),
        ({"name": {"gt": "a"}}, "where.name.gt: not an operator for name"),
        ({"level": {"eq": "galaxy"}}, "where.level.eq: 'galaxy' is not one of"),
        ({"countries": {"most": {}}}, "where.countries.most: use some, none or all"),
        ({"AND": [{"countries": {"some": {"nope": {"eq": 1}}}}]}, "where.AND[0].countries.some.nope"),
    ],
)
def test_bad_filters_are_client_errors_with_a_path(where: dict, message: str) -> None:
    with pytest.raises(BadFilterError, match=None) as caught:
        compile_where("Program", where)
    assert message in str(caught.value)


def test_injection_attempts_stay_parameters() -> None:
    cypher, params = compile_where("Program", {"name": {"eq": "x' OR 1=1 //"}})
    assert "OR 1=1" not in cypher and params["w0"] == "x' OR 1=1 //"


def test_cursor_round_trip_and_errors() -> None:
    cursor = encode_cursor("name", "Jamaïca", "gov:JM")
    assert decode_cursor(cursor, "name") == ("Jamaïca", "gov:JM")
    assert decode_cursor(encode_cursor("fiscalYear", None, "funding:1"), "fiscalYear") == (None, "funding:1")
    with pytest.raises(BadCursorError, match="not a cursor"):
        decode_cursor("garbage!", "name")
    with pytest.raises(BadCursorError, match="made for sorting by 'name'"):
        decode_cursor(cursor, "startDate")


def test_lucene_query_escapes_and_adds_fuzzy_terms() -> None:
    assert lucene_query("Jamaíca") == "(jamaica^2 OR jamaica~)"
    assert lucene_query("a:b (x)") == r"a\:b^2 \(x\)^2"
    assert lucene_query("youth AND") == '(youth^2 OR youth~) "and"^2'
    assert lucene_query("   ") == ""


def _fact(fid: str, flow: str, amount: float | None, programs: list | None = None, year: int = 2016) -> dict:
    return {"id": fid, "flowType": flow, "amountUsd": amount, "fiscalYear": year, "fiscalYearStart": None,
            "fiscalYearEnd": None, "funders": [{"id": "agency:a", "name": "A"}], "recipients": [],
            "programs": programs or []}


def test_flow_type_is_always_a_key_unless_chosen() -> None:
    assert group_dimensions(["country"], None) == ["flowType", "country"]
    assert group_dimensions(["country"], "obligation") == ["country"]
    groups = aggregate([_fact("f1", "appropriation", 100), _fact("f2", "obligation", 50)],
                       group_dimensions(["funder"], None))
    assert [(g.key[0][1], g.total_usd) for g in groups] == [("appropriation", 100), ("obligation", 50)]


def test_country_shares_follow_percentages_and_add_up() -> None:
    program = {"id": "p", "name": "P", "percentage": None, "objectives": [], "focusAreas": [],
               "countries": [{"id": "gov:JM", "name": "Jamaica", "percentage": 60},
                             {"id": "gov:BB", "name": "Barbados", "percentage": 40}]}
    groups = aggregate([_fact("f1", "appropriation", 1000, [program]), _fact("f2", "appropriation", None)],
                       ["flowType", "country"])
    totals = {g.key[1][1]: (g.total_usd, g.count) for g in groups}
    assert totals == {"gov:BB": (400, 1), "gov:JM": (600, 1), None: (0, 1)}
    assert sum(g.total_usd for g in groups) == 1000
