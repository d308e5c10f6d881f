"""HHI, Gini, funding concentration per flow type and coverage gaps, against hand computations."""

from __future__ import annotations

import networkx as nx
import pytest

from analysis.concentration import coverage_gaps, funding_concentration, funding_shares, gini, hhi
from analysis.funding import funding_by_year
from tests.test_analysis_projection import toy_graph


def test_hhi_by_hand() -> None:
    assert hhi([50, 30, 20]) == pytest.approx(0.38)  # 0.25 + 0.09 + 0.04
    assert hhi([10, 10, 10, 10]) == pytest.approx(0.25)  # 4 * (1/4)^2
    assert hhi([7]) == 1.0
    assert hhi([]) == 0.0 and hhi([0, 0]) == 0.0


def test_gini_by_hand() -> None:
    assert gini([1, 2, 3, 4]) == pytest.approx(0.25)  # 2 * (1 + 4 + 9 + 16) / (4 * 10) - 5/4
    assert gini([5, 5, 5]) == 0.0
    assert gini([0, 0, 0, 10]) == pytest.approx(0.75)  # one holds all: (n-1)/n
    assert gini([]) == 0.0 and gini([3]) == 0.0


def test_concentration_by_country_per_flow_type() -> None:
    rows = {r.flow_type: r for r in funding_concentration(toy_graph(), by="country")}
    assert sorted(rows) == ["disbursement", "obligation"]
    # obligation: f1 100 -> p1 -> JM; f3 50 -> p2 -> BB. Shares 2/3, 1/3:
    # HHI = 4/9 + 1/9 = 5/9; Gini of [50, 100] = 2 (1*50 + 2*100) / (2 * 150) - 3/2 = 1/6.
    obligation = rows["obligation"]
    assert (obligation.units, obligation.total_usd, obligation.top_unit) == (2, 150.0, "JM")
    assert obligation.hhi == pytest.approx(5 / 9)
    assert obligation.gini == pytest.approx(1 / 6)
    assert obligation.top_share == pytest.approx(2 / 3)
    # disbursement: f2 40 -> JM only (never added to the obligations).
    assert (rows["disbursement"].units, rows["disbursement"].total_usd, rows["disbursement"].hhi) == (1, 40.0, 1.0)


def test_include_zero_counts_partners_without_money() -> None:
    # Partners JM, BB; disbursement JM 40, BB 0 -> HHI 1, Gini of [0, 40] = 2 (2 * 40) / (2 * 40) - 3/2 = 0.5.
    rows = {r.flow_type: r for r in funding_concentration(toy_graph(), by="country", include_zero=True)}
    assert rows["disbursement"].units == 2
    assert rows["disbursement"].gini == pytest.approx(0.5)
    shares = [(r.flow_type, r.unit, r.amount_usd) for r in funding_shares(toy_graph(), include_zero=True)]
    assert ("disbursement", "BB", 0.0) in shares


def test_concentration_by_funder_and_implementer() -> None:
    by_funder = {r.flow_type: r for r in funding_concentration(toy_graph(), by="funder")}
    assert by_funder["obligation"].top_unit == "agency:inl" and by_funder["obligation"].hhi == 1.0
    # implementer: f1's recipient impacs (100); f3 has no recipient -> p2's implementer impacs (50).
    by_implementer = {r.flow_type: r for r in funding_concentration(toy_graph(), by="implementer")}
    assert (by_implementer["obligation"].top_unit, by_implementer["obligation"].total_usd) == ("igo:impacs", 150.0)
    with pytest.raises(ValueError, match="unknown unit"):
        funding_concentration(toy_graph(), by="sector")


def test_fiscal_year_and_flow_type_filters() -> None:
    rows = funding_concentration(toy_graph(), by="country", fiscal_years=2016, flow_types=["obligation"])
    assert [(r.flow_type, r.total_usd, r.top_unit) for r in rows] == [("obligation", 100.0, "JM")]


def test_funding_by_year() -> None:
    rows = [(r.period, r.flow_type, r.amount_usd, r.fundings) for r in funding_by_year(toy_graph())]
    assert rows == [
        ("FY2016", "disbursement", 40.0, 1),
        ("FY2016", "obligation", 100.0, 1),
        ("FY2020", "obligation", 50.0, 1),
    ]
    assert funding_by_year(toy_graph(), countries="BB").to_records()[0]["amount_usd"] == 50.0
    assert list(funding_by_year(toy_graph(), fiscal_years=1990).to_frame().columns)[:2] == [
        "period", "fiscal_year_start",
    ]


def test_coverage_gaps_matrix_with_zeros() -> None:
    matrix = coverage_gaps(toy_graph())
    assert matrix.countries == ("BB", "JM")  # the partner governments
    assert matrix.themes == ("objective:o1", "objective:o2", "focus:f1")
    # p1 advances o1, addresses f1 and operates in JM; p2 advances nothing.
    assert matrix.matrix("programs").to_dict(orient="index") == {
        "objective:o1": {"BB": 0, "JM": 1},
        "objective:o2": {"BB": 0, "JM": 0},
        "focus:f1": {"BB": 0, "JM": 1},
    }
    # Money into p1: f1 obligation 100, f2 disbursement 40 -- separate matrices, all in JM.
    assert matrix.matrix("obligation").loc["objective:o1"].to_dict() == {"BB": 0.0, "JM": 100.0}
    assert matrix.matrix("disbursement").loc["focus:f1"].to_dict() == {"BB": 0.0, "JM": 40.0}
    assert ("objective:o2", "JM") in matrix.gaps() and ("objective:o1", "JM") not in matrix.gaps()
    frame = matrix.to_frame()
    assert len(frame) == 6
    assert list(frame.columns) == [
        "theme", "theme_name", "kind", "country", "country_name", "programs", "usd_disbursement", "usd_obligation",
        "gap",
    ]
    only_objectives = coverage_gaps(toy_graph(), themes="objective", countries=["JM"], fiscal_years=(2019, None))
    assert only_objectives.matrix("programs").to_dict() == {"JM": {"objective:o1": 0, "objective:o2": 0}}


def _stated_share_graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for code, name in (("JM", "Jamaica"), ("BB", "Barbados")):
        g.add_node(f"gov:{code}", label="Government", name=name, countryCode=code, cbsiRole="partner")
    g.add_node("objective:a", label="Objective", name="A")
    g.add_node("program:p", label="Program", name="P")
    _ = g.add_edge("program:p", "objective:a", key="ADVANCES", type="ADVANCES")
    for code in ("JM", "BB"):
        _ = g.add_edge("program:p", f"gov:{code}", key="OPERATES_IN", type="OPERATES_IN")
    for funding, amount, years in (("funding:stated", 100.0, {"fiscalYear": 2016}),
                                   ("funding:split", 60.0, {"fiscalYear": 2016}),
                                   ("funding:since", 1000.0, {"fiscalYearStart": 2010})):
        g.add_node(funding, label="Funding", name=funding, amount=amount, amountUsd=amount, currency="USD",
                   flowType="obligation", **years)
        _ = g.add_edge(funding, "program:p", key="FUNDS", type="FUNDS")
    _ = g.add_edge("funding:stated", "gov:JM", key="ALLOCATED_TO", type="ALLOCATED_TO", percentage=75.0)
    return g


def test_coverage_gaps_money_follows_the_one_money_logic() -> None:
    # Before: every figure split by OPERATES_IN only (JM 580, BB 580, the open-ended 1000 summed in too).
    matrix = coverage_gaps(_stated_share_graph(), themes="objective")
    # stated 75% of 100 to JM (the 25 left stays unattributed); 60 split equally (estimated); "since 2010" left out
    assert matrix.matrix("obligation").loc["objective:a"].to_dict() == {"BB": 30.0, "JM": 105.0}
    assert [(x["reason"], x["amount_usd"]) for x in matrix.left_out] == [("open", 1000.0)]
    stated_only = coverage_gaps(_stated_share_graph(), themes="objective", include_estimates=False)
    assert stated_only.matrix("obligation").loc["objective:a"].to_dict() == {"BB": 0.0, "JM": 75.0}
    every_period = coverage_gaps(_stated_share_graph(), themes="objective", periods="all")
    assert every_period.matrix("obligation").loc["objective:a"].to_dict() == {"BB": 530.0, "JM": 605.0}
