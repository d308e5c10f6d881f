"""Integration tests of the GraphQL API on the real Neo4j, over the small graph of `test_graphql_helpers`."""

from __future__ import annotations

import json

import pytest

from tests.test_graphql_helpers import EXTRA_PROGRAMS, data_of, run_query, small_graph  # noqa: F401

pytestmark = [pytest.mark.neo4j, pytest.mark.usefixtures("small_graph")]


def names(connection: dict) -> list[str]:
    return [edge["node"]["name"] for edge in connection["edges"]]


def test_lookup_by_graph_id_and_node_by_global_id(neo4j_auth) -> None:
    data = data_of(neo4j_auth, '{ government(id: "gov:JM") { id graphId name countryCode cbsiRole } }')
    gov = data["government"]
    assert gov["graphId"] == "gov:JM" and gov["countryCode"] == "JM" and gov["cbsiRole"] == "partner"
    again = data_of(neo4j_auth, 'query($id: ID!) { node(id: $id) { graphId ... on Government { name } } }',
                    {"id": gov["id"]})
    assert again["node"] == {"graphId": "gov:JM", "name": "Jamaica"}


def test_unknown_id_is_not_found_with_a_path(neo4j_auth) -> None:
    result, _ = run_query(neo4j_auth, '{ program(id: "gov:JM") { name } }')
    error = result.errors[0]
    assert error.path == ["program"] and error.extensions["code"] == "NOT_FOUND"
    assert "no Program with id 'gov:JM'" in error.message
    result, _ = run_query(neo4j_auth, '{ node(id: "not-base64") { id } }')
    assert result.errors[0].extensions["code"] == "BAD_REQUEST"


def test_pagination_with_stable_cursors(neo4j_auth) -> None:
    query = "query($after: String) { programs(first: 7, after: $after) { edges { cursor node { graphId } } "\
            "pageInfo { hasNextPage endCursor } } }"
    seen, after = [], None
    while True:
        page = data_of(neo4j_auth, query, {"after": after})["programs"]
        seen += [edge["node"]["graphId"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == EXTRA_PROGRAMS + 3


def test_sort_by_any_scalar_field_with_nulls(neo4j_auth) -> None:
    query = "query($after: String) { programs(first: 5, after: $after, sort: {field: START_DATE, direction: DESC}) "\
            "{ edges { node { graphId startDate } } pageInfo { hasNextPage endCursor } } }"
    dates, after = [], None
    while True:
        page = data_of(neo4j_auth, query, {"after": after})["programs"]
        dates += [edge["node"]["startDate"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(dates) == EXTRA_PROGRAMS + 3
    assert dates == sorted(dates, reverse=True)


def test_page_size_above_the_maximum_is_limit_exceeded(neo4j_auth) -> None:
    result, _ = run_query(neo4j_auth, "{ programs(first: 101) { edges { cursor } } }")
    assert result.errors[0].extensions["code"] == "LIMIT_EXCEEDED"
    assert "max_page_size = 100" in result.errors[0].message and result.errors[0].path == ["programs"]


def test_bad_cursor_and_bad_filter_value_are_client_errors(neo4j_auth) -> None:
    result, _ = run_query(neo4j_auth, '{ programs(after: "xyz") { edges { cursor } } }')
    assert result.errors[0].extensions["code"] == "BAD_CURSOR" and result.errors[0].path == ["programs"]
    result, _ = run_query(neo4j_auth, '{ governments(where: {cbsiRole: {eq: "emperor"}}) { edges { cursor } } }')
    assert result.errors[0].extensions["code"] == "BAD_FILTER"
    assert "where.cbsiRole.eq: 'emperor' is not one of" in result.errors[0].message


def test_total_count_only_when_selected(neo4j_auth) -> None:
    """The resolvers send the count query only when `totalCount` is selected; the compiled path counts in the
    page's own statement."""
    _, without = run_query(neo4j_auth, "{ programs(first: 2) { edges { cursor } } }", compiled=False)
    result, with_count = run_query(neo4j_auth, "{ programs(first: 2) { totalCount edges { cursor } } }",
                                   compiled=False)
    assert without.runner.queries_sent == 1 and with_count.runner.queries_sent == 2
    assert result.data["programs"]["totalCount"] == EXTRA_PROGRAMS + 3
    compiled, one_statement = run_query(neo4j_auth, "{ programs(first: 2) { totalCount edges { cursor } } }")
    assert one_statement.runner.queries_sent == 1 and compiled.data == result.data


def test_filters_scalars_and_relationships(neo4j_auth) -> None:
    barbados_inl = """{ programs(where: {countries: {some: {countryCode: {eq: "BB"}}},
        fundings: {some: {provider: {some: {aliases: {eq: "INL"}}}}}}) { edges { node { graphId } } } }"""
    found = data_of(neo4j_auth, barbados_inl)["programs"]["edges"]
    assert [e["node"]["graphId"] for e in found] == ["program:border"]
    youth_actors = """{ actors(where: {programs: {some: {focusAreas: {some: {name: {contains: "youth"}}}}}})
        { edges { node { graphId } } } }"""
    got = {e["node"]["graphId"] for e in data_of(neo4j_auth, youth_actors)["actors"]["edges"]}
    assert got == {"agency:usaid", "cso:padf", "org:creative", "gov:JM"}
    combo = """{ programs(where: {OR: [{level: {eq: "initiative"}}, {startDate: {gte: "2028"}}],
        NOT: {participants: {none: {}}}}) { edges { node { graphId } } } }"""
    got = {e["node"]["graphId"] for e in data_of(neo4j_auth, combo)["programs"]["edges"]}
    assert got == {"program:cbsi", "program:extra-28", "program:extra-29"}
    all_partners = """{ programs(where: {participants: {all: {cbsiRoleless: null}}}) { edges { cursor } } }"""
    assert run_query(neo4j_auth, all_partners)[0].errors  # unknown input field: GraphQL validation
    numbers = "{ fundings(where: {fiscalYear: {gte: 2016, lt: 2017}, amount: {gt: 600}}) "\
              "{ edges { node { graphId } } } }"
    assert [e["node"]["graphId"] for e in data_of(neo4j_auth, numbers)["fundings"]["edges"]] == ["funding:1"]


def test_relationships_both_ways_with_edge_properties(neo4j_auth) -> None:
    data = data_of(neo4j_auth, """{
      program(id: "program:youth") {
        participants(role: IMPLEMENTING) { totalCount edges { role sources { graphId } node { graphId } } }
        countries { edges { percentage node { graphId } } }
        parent { edges { node { graphId } } }
        fundings { edges { node { graphId flowType provider { edges { node { graphId } } } } } }
        focusAreas { edges { node { name programs { edges { node { graphId } } } } } }
      }
      intergovernmentalOrganization(id: "igo:caricom") {
        members { edges { since sources { graphId } node { graphId } } } }
      government(id: "gov:JM") {
        memberships { edges { node { graphId } } } programs(first: 100) { edges { role node { graphId } } } }
      agency(id: "agency:usaid") {
        parent { edges { node { graphId } } } partners { edges { agreement node { graphId } } } }
      meeting(id: "meeting:2016") {
        attendees { edges { role node { graphId } } } mechanism { edges { node { graphId } } } }
      law(id: "law:cbsi-act") { enactedBy { edges { node { graphId } } } authorizes { edges { node { graphId } } } }
    }""")
    program = data["program"]
    participants = {(e["node"]["graphId"], e["role"], e["sources"][0]["graphId"])
                    for e in program["participants"]["edges"]}
    assert participants == {("cso:padf", "implementing", "src:b"), ("org:creative", "implementing", "src:a")}
    assert {(e["node"]["graphId"], e["percentage"]) for e in program["countries"]["edges"]} == {
        ("gov:JM", 60.0), ("gov:BB", 40.0)}
    assert program["parent"]["edges"][0]["node"]["graphId"] == "program:cbsi"
    assert {e["node"]["graphId"] for e in program["fundings"]["edges"]} == {"funding:2", "funding:3"}
    igo = data["intergovernmentalOrganization"]
    members = {(e["node"]["graphId"], e["since"]) for e in igo["members"]["edges"]}
    assert members == {("gov:JM", "1973"), ("gov:BB", "1973")}
    assert {e["role"] for e in data["government"]["programs"]["edges"]} == {"partner", "beneficiary", "implementing"}
    assert data["agency"]["parent"]["edges"][0]["node"]["graphId"] == "gov:US"
    assert data["agency"]["partners"]["edges"][0]["agreement"] == "cooperative agreement"
    assert {e["role"] for e in data["meeting"]["attendees"]["edges"]} == {"host", None}
    assert data["law"]["enactedBy"]["edges"][0]["node"]["graphId"] == "gov:US"


def test_nested_pages(neo4j_auth) -> None:
    query = 'query($after: String) { government(id: "gov:BB") { programsOperating(first: 10, after: $after) '\
            '{ totalCount edges { node { graphId } } pageInfo { hasNextPage endCursor } } } }'
    seen, after = [], None
    while True:
        page = data_of(neo4j_auth, query, {"after": after})["government"]["programsOperating"]
        assert page["totalCount"] == EXTRA_PROGRAMS + 2
        seen += [e["node"]["graphId"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == EXTRA_PROGRAMS + 2


def test_round_trips_grow_with_depth_not_rows(neo4j_auth) -> None:
    """No N+1: the same deep query over 5 or 33 programs sends the same number of Cypher queries."""
    query = """query($n: Int) { programs(first: $n) { edges { node { name sources { title }
        participants(first: 5) { edges { role sources { title } node { name
          memberships(first: 3) { edges { since node { name } } }
          programs(first: 3) { edges { node { name
            countries(first: 3) { edges { percentage node { name } } } } } } } } }
        countries(first: 5) { edges { node { name } } } } } } }"""
    sent = {}
    for rows in (5, EXTRA_PROGRAMS + 3):
        result, context = run_query(neo4j_auth, query, {"n": rows})
        assert result.errors is None, result.errors
        assert len(result.data["programs"]["edges"]) == rows
        sent[rows] = context.runner.queries_sent
    assert sent[5] == sent[EXTRA_PROGRAMS + 3] <= 8, sent


def test_sources_on_nodes_and_edges(neo4j_auth) -> None:
    data = data_of(neo4j_auth, '{ program(id: "program:cbsi") { sources { graphId title url } '
                               'participants { edges { sources { title } } } } }')
    assert [s["graphId"] for s in data["program"]["sources"]] == ["src:a", "src:b"]
    assert data["program"]["sources"][0]["url"] == "https://example.org/a"
    assert all(e["sources"] == [{"title": "Source A"}] for e in data["program"]["participants"]["edges"])


def test_search_is_ranked_and_tolerant(neo4j_auth) -> None:
    query = "query($text: String!, $types: [NodeType!]) { search(text: $text, types: $types, first: 5) "\
            "{ score node { graphId __typename } } }"

    def top(text: str, types: list[str] | None = None) -> str:
        hits = data_of(neo4j_auth, query, {"text": text, "types": types})["search"]
        assert hits == sorted(hits, key=lambda h: -h["score"])
        return hits[0]["node"]["graphId"]

    assert top("JAMAICA") == "gov:JM"  # case
    assert top("republica dominicana") == "gov:DO"  # accents folded
    assert top("Jamiaca") == "gov:JM"  # typo
    assert top("padf") == "cso:padf"  # alias
    assert top("at-risk youth", ["Program"]) == "program:youth"  # description, type filter
    assert top("development foundation", ["Actor"]) == "cso:padf"
    assert data_of(neo4j_auth, query, {"text": "a:b (AND) ~", "types": None})["search"] is not None


def test_funding_aggregate_never_mixes_flow_types(neo4j_auth) -> None:
    data = data_of(neo4j_auth, """{ fundingAggregate(groupBy: [FISCAL_YEAR]) { groupBy groups {
        key { dimension value } flowType totalUsd count minUsd maxUsd } } }""")["fundingAggregate"]
    assert data["groupBy"] == ["FLOW_TYPE", "FISCAL_YEAR"]
    got = {(g["flowType"], g["key"][1]["value"]): g["totalUsd"] for g in data["groups"]}
    assert got == {("appropriation", "FY2016"): 1000, ("appropriation", "FY2017"): 300, ("obligation", "FY2016"): 500}
    chosen = data_of(neo4j_auth, """{ fundingAggregate(groupBy: [COUNTRY], flowType: APPROPRIATION) {
        groupBy groups { key { value name node { graphId } } totalUsd count } } }""")["fundingAggregate"]
    assert chosen["groupBy"] == ["COUNTRY"]
    by_country = {g["key"][0]["value"]: g["totalUsd"] for g in chosen["groups"]}
    assert by_country == {"gov:BB": 1000 + 120, "gov:JM": 180}
    filtered = data_of(neo4j_auth, """{ fundingAggregate(groupBy: [FUNDER, PROGRAM],
        where: {provider: {some: {acronym: {eq: "USAID"}}}}) { groups { key { value } totalUsd } } }""")
    assert {tuple(k["value"] for k in g["key"]): g["totalUsd"] for g in filtered["fundingAggregate"]["groups"]} == {
        ("appropriation", "agency:usaid", "program:youth"): 300, ("obligation", "agency:usaid", "program:youth"): 500}


def test_cooperation_between_actors(neo4j_auth) -> None:
    data = data_of(neo4j_auth, """{ cooperation(between: ["gov:JM", "gov:BB", "agency:usaid", "cso:padf"]) {
        actors { graphId }
        programs { node { graphId } links { role actor { graphId } sources { graphId } } }
        meetings { node { graphId } links { actor { graphId } } }
        memberships { node { graphId } }
        fundingFlows { how funding { graphId } provider { graphId } recipient { graphId } sources { graphId } }
        partnerships { agreement from { graphId } to { graphId } sources { graphId } } } }""")["cooperation"]
    assert {p["node"]["graphId"] for p in data["programs"]} >= {"program:cbsi", "program:youth"}
    assert [m["node"]["graphId"] for m in data["meetings"]] == ["meeting:2016"]
    assert [m["node"]["graphId"] for m in data["memberships"]] == ["igo:caricom"]
    flows = {(f["funding"]["graphId"], f["recipient"]["graphId"], f["how"]) for f in data["fundingFlows"]}
    assert ("funding:2", "cso:padf", "received") in flows and ("funding:3", "gov:JM", "program:beneficiary") in flows
    assert data["partnerships"][0]["from"]["graphId"] == "agency:usaid"
    assert data["partnerships"][0]["sources"] == [{"graphId": "src:a"}]
    result, _ = run_query(neo4j_auth, '{ cooperation(between: ["gov:JM", "gov:XX"]) { actors { name } } }')
    assert result.errors[0].extensions["code"] == "NOT_FOUND" and "gov:XX" in result.errors[0].message


def test_cooperation_links_follow_the_order_asked(neo4j_auth) -> None:
    """Each shared node's links come in the order of `between`, whichever order that is (before, the order was
    the plan's: the cookbook's question 10 answered [JM, BB] on one run and [BB, JM] on another)."""
    query = """{ cooperation(between: %s) { programs { node { graphId } links { role actor { graphId } } }
        meetings { node { graphId } links { actor { graphId } } } } }"""
    for between in (["gov:JM", "gov:BB", "agency:usaid", "cso:padf"], ["cso:padf", "agency:usaid", "gov:BB", "gov:JM"]):
        data = data_of(neo4j_auth, query % json.dumps(between))["cooperation"]
        shared = data["programs"] + data["meetings"]
        assert any(len({link["actor"]["graphId"] for link in node["links"]}) >= 2 for node in shared)
        for node in shared:
            order = [between.index(link["actor"]["graphId"]) for link in node["links"]]
            assert order == sorted(order), (between, node)


BETWEEN = '["gov:JM", "gov:BB", "agency:usaid", "cso:padf"]'
COOPERATION_PARTS = {
    "programs": "programs { node { graphId name } links { role actor { graphId name } sources { title } } }",
    "meetings": "meetings { node { graphId name } links { role actor { graphId } } }",
    "memberships": "memberships { node { graphId } links { actor { graphId } sources { title } } }",
    "fundingFlows": "fundingFlows { how funding { graphId amountUsd } provider { graphId } recipient { graphId } "
                    "program { graphId name } sources { graphId title } }",
    "partnerships": "partnerships { agreement since from { graphId } to { graphId name } sources { title } }",
}


def cooperation_query(*selections: str) -> str:
    return "{ cooperation(between: " + BETWEEN + ") { " + " ".join(selections) + " } }"


def test_cooperation_is_one_statement_whatever_it_selects(neo4j_auth) -> None:
    """The parts selected, the actors and every node the answer names (shared nodes, fundings, programs,
    sources) come in one Cypher statement; each part alone answers what it answers among the others."""
    result, context = run_query(neo4j_auth, cooperation_query("actors { graphId name }", *COOPERATION_PARTS.values()))
    assert result.errors is None, result.errors
    assert context.runner.queries_sent == 1
    everything = result.data["cooperation"]
    assert all(everything[part] for part in COOPERATION_PARTS), everything
    assert everything["partnerships"] == [{"agreement": "cooperative agreement", "since": "2015",
                                           "from": {"graphId": "agency:usaid"},
                                           "to": {"graphId": "cso:padf", "name": "Pan American Development "
                                                                                 "Foundation"},
                                           "sources": [{"title": "Source A"}]}]
    for part, selection in COOPERATION_PARTS.items():
        result, context = run_query(neo4j_auth, cooperation_query(selection))
        assert result.errors is None, result.errors
        assert context.runner.queries_sent == 1, part
        assert result.data["cooperation"] == {part: everything[part]}


def test_cooperation_part_not_read_with_the_actors_is_read_alone(neo4j_auth, monkeypatch) -> None:
    from schema import cooperation

    query = cooperation_query(*COOPERATION_PARTS.values())
    everything = data_of(neo4j_auth, query)
    monkeypatch.setattr(cooperation, "selected_parts", lambda _info: {})
    result, context = run_query(neo4j_auth, query)
    assert result.errors is None and result.data == everything
    assert context.runner.queries_sent == 1 + len(COOPERATION_PARTS)


def test_internal_errors_are_masked_with_an_id(neo4j_auth, monkeypatch) -> None:
    from resolvers import nodes

    async def broken(*_args, **_kwargs):
        raise RuntimeError("secret cypher text")

    monkeypatch.setattr(nodes, "page", broken)
    result, _ = run_query(neo4j_auth, "{ programs { edges { cursor } } }", compiled=False)  # the resolver's
    error = result.errors[0]
    assert "secret" not in error.message and error.extensions["code"] == "INTERNAL"
    assert error.extensions["errorId"] in error.message and error.path == ["programs"]
