"""Self-funding loops (the provider of a figure is also its recipient): GraphQL's `fundingAggregate(groupBy:
[RECIPIENT])` leaves them out and says so in `leftOut`, exactly as the analysis' implementer ranking does.

Before: GraphQL ranked INL as a recipient of its own money (65 of the 130 below), while `analyze concentration
--by implementer` left that out."""

from __future__ import annotations

import pytest
from neo4j import Driver

from analysis import from_neo4j
from analysis.concentration import funding_shares
from analysis.money import FundingFacts, Ref, aggregate
from graph_seed.neo4j_writer import write_records
from tests.test_graphql_helpers import data_of, edge, node


def _dataset() -> tuple[list, list]:
    nodes = [
        node("src:a", "Source", "Source A", title="Source A"),
        node("gov:JM", "Government", "Jamaica", countryCode="JM", cbsiRole="partner"),
        node("gov:US", "Government", "United States", countryCode="US", cbsiRole="united-states"),
        node("agency:inl", "Agency", "INL", countryCode="US"),
        node("agency:jm-jcf", "Agency", "Jamaica Constabulary Force"),
        node("cso:padf", "CivilSocietyOrganization", "PADF"),
        node("program:p", "Program", "P"),
        node("funding:loop", "Funding", "Half to itself", amount=100, flowType="obligation", fiscalYear=2016),
        node("funding:pure-loop", "Funding", "All to itself", amount=30, flowType="obligation", fiscalYear=2016),
        node("funding:ok", "Funding", "To PADF", amount=40, flowType="obligation", fiscalYear=2017),
    ]
    edges = [
        edge("PART_OF", "agency:inl", "gov:US"),
        edge("PART_OF", "agency:jm-jcf", "gov:JM"),
        edge("OPERATES_IN", "program:p", "gov:JM"),
        *[edge("PROVIDES", "agency:inl", n.id) for n in nodes if n.label == "Funding"],
        *[edge("FUNDS", n.id, "program:p") for n in nodes if n.label == "Funding"],
        edge("RECEIVED_BY", "funding:loop", "agency:inl"),
        edge("RECEIVED_BY", "funding:loop", "agency:jm-jcf"),
        edge("RECEIVED_BY", "funding:pure-loop", "agency:inl"),
        edge("RECEIVED_BY", "funding:ok", "cso:padf"),
    ]
    return nodes, edges


@pytest.fixture
def self_funding_neo4j(empty_graph: Driver) -> Driver:
    nodes, edges = _dataset()
    with empty_graph.session() as session:
        write_records(session, nodes, edges)
    return empty_graph


def test_money_leaves_self_funding_out_of_recipient_groups() -> None:
    loop = FundingFacts("funding:x", "obligation", 10.0, 10.0, fiscal_year=2016, funders=(Ref("agency:a"),),
                        recipients=())
    result = aggregate([loop], ["recipient"])
    assert [(g.value("recipient"), g.total_usd) for g in result.groups] == [(None, 10.0)]  # no recipient: kept
    looped = FundingFacts.from_row({"id": "funding:y", "flowType": "obligation", "amount": 8, "amountUsd": 8,
                                    "fiscalYear": 2016, "funders": [{"id": "agency:a"}],
                                    "recipients": [{"id": "agency:a"}, {"id": "cso:b"}]})
    result = aggregate([looped], ["recipient"])
    assert [(g.value("recipient"), g.total_usd) for g in result.groups] == [("cso:b", 4.0)]
    assert [(x.reason, x.amount_usd, x.fundings) for x in result.left_out] == [("self-funding", 4.0, {"funding:y"})]
    # other groupings are untouched: the loop is real money of its funder
    assert aggregate([looped], ["funder"]).groups[0].total_usd == 8.0


@pytest.mark.neo4j
def test_graphql_recipient_groups_equal_the_implementer_ranking(neo4j_auth, self_funding_neo4j: Driver) -> None:
    data = data_of(neo4j_auth, "{ fundingAggregate(groupBy: [RECIPIENT]) { groups { key { value } flowType "
                               "totalUsd statedUsd estimatedUsd } leftOut { reason flowType count totalUsd "
                               "fundingIds } } }")["fundingAggregate"]
    api = {(g["flowType"], g["key"][1]["value"]): (g["totalUsd"], g["statedUsd"], g["estimatedUsd"])
           for g in data["groups"]}
    assert api == {("obligation", "agency:jm-jcf"): (50, 0, 50), ("obligation", "cso:padf"): (40, 40, 0)}
    assert data["leftOut"] == [{"reason": "self-funding", "flowType": "obligation", "count": 2, "totalUsd": 80,
                                "fundingIds": ["funding:loop", "funding:pure-loop"]}]
    table = funding_shares(from_neo4j(self_funding_neo4j), by="implementer")
    analysis = {(r.flow_type, r.unit): (r.amount_usd, r.stated_usd, r.estimated_usd) for r in table}
    assert api.keys() == analysis.keys()
    for key, values in analysis.items():
        assert api[key] == pytest.approx(values), key
    assert [(x["reason"], x["flow_type"], x["fundings"], x["amount_usd"]) for x in table.meta["left_out"]] == [
        (x["reason"], x["flowType"], x["count"], x["totalUsd"]) for x in data["leftOut"]]
