"""The one money logic (`analysis.money`): periods keyed as what they are, the attribution fall-back order,
stated vs estimated money, and the analysis built on it - computed by hand on `tests.money_graph`."""

from __future__ import annotations

import pytest

from analysis import money
from analysis.concentration import funding_concentration, funding_shares
from analysis.funding import funding_by_year
from tests.money_graph import money_graph


def facts() -> list[money.FundingFacts]:
    return money.all_facts(money_graph())


def by_id(funding: str) -> money.FundingFacts:
    return next(f for f in facts() if f.id == funding)


def test_every_period_kind_has_its_own_key() -> None:
    keys = {f.id: (money.period_of(f).kind, money.period_of(f).key) for f in facts()}
    assert keys["funding:pct"] == ("year", "FY2016")
    assert keys["funding:range"] == ("range", "FY2010-FY2018")
    assert keys["funding:open"] == ("open", "FY2010-")
    assert keys["funding:cumulative"] == ("cumulative", "cumulative -FY2022")
    assert keys["funding:undated"] == ("undated", "undated")
    for kind, key in keys.values():
        assert money.period_from_key(key).key == key and money.period_from_key(key).kind == kind


def test_stated_shares_come_first_and_the_rest_stays_unattributed() -> None:
    # 23% to DO, $190 of $1000 to JM, $100 to the RSS: the program's two countries are not used at all.
    shares = {s.id: (round(s.share, 6), s.stated) for s in money.country_shares(by_id("funding:alloc"))}
    assert shares == {"gov:DO": (0.23, True), "gov:JM": (0.19, True), "igo:rss": (0.1, True), None: (0.48, True)}


def test_operates_in_percentages_then_equal_split_marked_estimated() -> None:
    pct = {s.id: (s.share, s.stated) for s in money.country_shares(by_id("funding:pct"))}
    assert pct == {"gov:JM": (0.75, True), "gov:BB": (0.25, True)}
    equal = {s.id: (s.share, s.stated) for s in money.country_shares(by_id("funding:equal"))}
    assert equal == {"gov:JM": (0.5, False), "gov:BB": (0.5, False)}
    # no program: the recipient's Government (an agency PART_OF it), or a regional body itself
    assert [(s.id, s.stated) for s in money.country_shares(by_id("funding:recipient"))] == [("gov:JM", True)]
    assert [(s.id, s.stated) for s in money.country_shares(by_id("funding:igo"))] == [("igo:rss", True)]
    # two programs without FUNDS percentages: an estimated program split that changes the country shares
    two = {s.id: (s.share, s.stated) for s in money.country_shares(by_id("funding:two"))}
    assert two == {"gov:JM": (pytest.approx(0.625), False), "gov:BB": (pytest.approx(0.375), False)}


def test_aggregate_sums_single_years_only_and_says_what_it_left_out() -> None:
    result = money.aggregate(facts(), ["flowType", "country"])
    got = {(g.value("flowType"), g.value("country")): (g.stated_usd, g.estimated_usd) for g in result.groups}
    assert got[("obligation", "gov:JM")] == pytest.approx((300 + 90, 100 + 62.5))
    assert got[("obligation", "gov:BB")] == pytest.approx((100, 100 + 37.5))
    assert got[("obligation", "igo:rss")] == (60, 0)
    assert got[("allocation", "gov:DO")] == pytest.approx((230, 0))
    assert got[("allocation", None)] == pytest.approx((480, 0))
    left = {(x.reason, x.flow_type): (sorted(x.fundings), x.amount_usd) for x in result.left_out}
    assert left == {("range", "allocation"): (["funding:range"], 5000), ("open", "obligation"): (["funding:open"], 400),
                    ("cumulative", "obligation"): (["funding:cumulative"], 832),
                    ("undated", "obligation"): (["funding:undated"], 10)}
    # shares add up to the real total of what was summed, never more
    assert sum(g.total_usd for g in result.groups if g.value("flowType") == "obligation") == pytest.approx(
        400 + 200 + 90 + 60 + 100)


def test_estimates_can_be_left_out_and_are_reported() -> None:
    result = money.aggregate(facts(), ["flowType", "country"], include_estimates=False)
    got = {(g.value("flowType"), g.value("country")): g.total_usd for g in result.groups}
    assert got[("obligation", "gov:JM")] == pytest.approx(390) and got[("obligation", "gov:BB")] == 100
    estimated = next(x for x in result.left_out if x.reason == "estimated")
    assert estimated.fundings == {"funding:equal", "funding:two"} and estimated.amount_usd == pytest.approx(300)


def test_grouping_by_period_keeps_ranges_apart_and_cumulative_only_when_asked() -> None:
    result = money.aggregate(facts(), ["fiscalYear", "flowType"])
    keys = [(g.value("fiscalYear"), g.value("flowType")) for g in result.groups]
    assert keys == [("FY2010-FY2018", "allocation"), ("FY2010-", "obligation"), ("FY2016", "allocation"),
                    ("FY2016", "obligation"), ("FY2017", "obligation"), ("FY2018", "obligation"),
                    ("undated", "obligation")]
    assert [x.reason for x in result.left_out] == ["cumulative"]
    asked = money.aggregate(facts(), ["fiscalYear", "flowType"], money.PERIOD_KINDS)
    assert ("cumulative -FY2022", "obligation") in [(g.value("fiscalYear"), g.value("flowType")) for g in asked.groups]
    assert asked.left_out == []


def test_funding_by_year_uses_the_same_keys_and_notes_what_it_left_out() -> None:
    table = funding_by_year(money_graph())
    assert [(r.period, r.period_kind, r.flow_type) for r in table][:2] == [
        ("FY2010-FY2018", "range", "allocation"), ("FY2010-", "open", "obligation")]
    assert [item["reason"] for item in table.meta["left_out"]] == ["cumulative"]
    with_cumulative = funding_by_year(money_graph(), include_cumulative=True)
    assert "cumulative -FY2022" in {r.period for r in with_cumulative} and not with_cumulative.meta["left_out"]


def test_concentration_and_shares_follow_the_money_logic() -> None:
    shares = {(r.flow_type, r.unit): (r.stated_usd, r.estimated_usd) for r in funding_shares(money_graph())}
    assert shares[("obligation", "JM")] == pytest.approx((390, 162.5))
    assert shares[("allocation", "igo:rss")] == pytest.approx((100, 0))
    rows = {r.flow_type: r for r in funding_concentration(money_graph())}
    assert rows["obligation"].estimated_usd == pytest.approx(300)
    assert rows["allocation"].unattributed_usd == pytest.approx(480)
    assert {item["reason"] for item in funding_concentration(money_graph()).meta["left_out"]} == {
        "range", "open", "cumulative", "undated"}
    everything = {r.flow_type: r.total_usd for r in funding_concentration(money_graph(), periods="all")}
    assert everything["obligation"] == pytest.approx(850 + 400 + 832 + 10)
    stated_only = {(r.flow_type, r.unit): r.amount_usd
                   for r in funding_shares(money_graph(), include_estimates=False)}
    assert stated_only[("obligation", "BB")] == pytest.approx(100)


def test_self_funding_loops_are_left_out_of_recipient_rankings() -> None:
    import networkx as nx

    graph = nx.MultiDiGraph()
    for actor in ("agency:a", "cso:b"):
        graph.add_node(actor, label="Agency" if actor.startswith("agency") else "CivilSocietyOrganization")
    for funding, recipient, usd in (("funding:loop", "agency:a", 70.0), ("funding:out", "cso:b", 30.0)):
        graph.add_node(funding, label="Funding", amount=usd, amountUsd=usd, flowType="obligation", fiscalYear=2016)
        graph.add_edge("agency:a", funding, key="PROVIDES", type="PROVIDES")
        graph.add_edge(funding, recipient, key="RECEIVED_BY", type="RECEIVED_BY")
    table = funding_concentration(graph, by="implementer")
    assert (table[0].top_unit, table[0].total_usd) == ("cso:b", 30.0)  # agency:a does not "receive" its own 70
    assert [(x["reason"], x["funding_ids"], x["amount_usd"]) for x in table.meta["left_out"]] == [
        ("self-funding", ["funding:loop"], 70.0)]
