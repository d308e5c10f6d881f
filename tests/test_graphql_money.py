"""GraphQL's `fundingAggregate` and the analysis give the same money on the same graph (`analysis.money`)."""

from __future__ import annotations

import pytest

from analysis import from_neo4j
from analysis.concentration import funding_shares
from analysis.funding import funding_by_year
from tests.money_graph import money_neo4j  # noqa: F401
from tests.test_graphql_helpers import data_of

pytestmark = [pytest.mark.neo4j, pytest.mark.usefixtures("money_neo4j")]

GROUPS = "groups { key { dimension value period { kind start end } } flowType totalUsd statedUsd estimatedUsd }"
LEFT = "leftOut { reason flowType count totalUsd fundingIds }"


def test_country_groups_equal_the_analysis(neo4j_auth, neo4j_driver) -> None:
    graph = from_neo4j(neo4j_driver)
    codes = {n: d["countryCode"] for n, d in graph.nodes(data=True) if d.get("countryCode")}
    for include in (True, False):
        data = data_of(neo4j_auth, f"query($e: Boolean!) {{ fundingAggregate(groupBy: [COUNTRY], "
                                   f"includeEstimates: $e) {{ groupBy periods {GROUPS} {LEFT} }} }}",
                       {"e": include})["fundingAggregate"]
        assert data["groupBy"] == ["FLOW_TYPE", "COUNTRY"] and data["periods"] == ["YEAR"]
        api = {(g["flowType"], codes.get(g["key"][1]["value"], g["key"][1]["value"])):
               (g["totalUsd"], g["statedUsd"], g["estimatedUsd"]) for g in data["groups"] if g["key"][1]["value"]}
        table = funding_shares(graph, include_estimates=include)
        analysis = {(r.flow_type, r.unit): (r.amount_usd, r.stated_usd, r.estimated_usd) for r in table}
        assert api.keys() == analysis.keys()
        for key, values in analysis.items():
            assert api[key] == pytest.approx(values), key
        assert {(x["reason"], x["flowType"], x["count"]) for x in data["leftOut"]} == {
            (x["reason"], x["flow_type"], x["fundings"]) for x in table.meta["left_out"]}
    assert api[("obligation", "JM")] == pytest.approx((390, 390, 0))  # without estimates


def test_fiscal_year_groups_equal_funding_by_year(neo4j_auth, neo4j_driver) -> None:
    data = data_of(neo4j_auth, f"{{ fundingAggregate(groupBy: [FISCAL_YEAR]) {{ {GROUPS} {LEFT} }} }}")[
        "fundingAggregate"]
    api = {(g["key"][1]["value"], g["flowType"]): g["totalUsd"] for g in data["groups"]}
    table = funding_by_year(from_neo4j(neo4j_driver))
    assert api == {(r.period, r.flow_type): pytest.approx(r.amount_usd) for r in table}
    assert len(api) == 7
    periods = {g["key"][1]["value"]: g["key"][1]["period"] for g in data["groups"]}
    assert periods["FY2010-"] == {"kind": "OPEN", "start": 2010, "end": None}
    assert periods["FY2010-FY2018"] == {"kind": "RANGE", "start": 2010, "end": 2018}
    assert data["leftOut"] == [{"reason": "cumulative", "flowType": "obligation", "count": 1, "totalUsd": 832,
                                "fundingIds": ["funding:cumulative"]}]
    asked = data_of(neo4j_auth, f"{{ fundingAggregate(groupBy: [FISCAL_YEAR], periods: [CUMULATIVE]) "
                                f"{{ {GROUPS} {LEFT} }} }}")["fundingAggregate"]
    assert [g["key"][1]["value"] for g in asked["groups"]] == ["cumulative -FY2022"]
    assert {x["reason"] for x in asked["leftOut"]} == {"year", "range", "open", "undated"}
