"""A small graph that exercises every rule of `analysis.money`: stated shares (a percentage, an amount, to a
government and to a regional body), OPERATES_IN percentages, equal splits, recipients standing for a country,
and figures of every period kind. Shared by the pure tests and the GraphQL-equals-analysis test."""

from __future__ import annotations

import networkx as nx
import pytest
from neo4j import Driver

from graph_seed.model import EdgeRecord, NodeRecord
from graph_seed.neo4j_writer import write_records
from graph_seed.to_networkx import to_multidigraph
from tests.test_graphql_helpers import edge, node


def money_dataset() -> tuple[list[NodeRecord], list[EdgeRecord]]:
    nodes = [
        node("src:a", "Source", "Source A", title="Source A"),
        node("gov:JM", "Government", "Jamaica", countryCode="JM", cbsiRole="partner"),
        node("gov:BB", "Government", "Barbados", countryCode="BB", cbsiRole="partner"),
        node("gov:DO", "Government", "Dominican Republic", countryCode="DO", cbsiRole="partner"),
        node("gov:US", "Government", "United States", countryCode="US", cbsiRole="united-states"),
        node("igo:rss", "IntergovernmentalOrganization", "Regional Security System", acronym="RSS"),
        node("agency:inl", "Agency", "INL", countryCode="US"),
        node("agency:jm-jcf", "Agency", "Jamaica Constabulary Force"),
        node("program:split", "Program", "Split program"),
        node("program:pct", "Program", "Percentage program"),
        node("funding:alloc", "Funding", "Stated shares", amount=1000, flowType="allocation", fiscalYear=2016),
        node("funding:pct", "Funding", "OPERATES_IN percentages", amount=400, flowType="obligation", fiscalYear=2016),
        node("funding:equal", "Funding", "Equal split", amount=200, flowType="obligation", fiscalYear=2017),
        node("funding:recipient", "Funding", "Via recipient", amount=90, flowType="obligation", fiscalYear=2017),
        node("funding:igo", "Funding", "To the RSS", amount=60, flowType="obligation", fiscalYear=2017),
        node("funding:two", "Funding", "Two programs", amount=100, flowType="obligation", fiscalYear=2018),
        node("funding:range", "Funding", "FY2010-2018", amount=5000, flowType="allocation", fiscalYearStart=2010,
             fiscalYearEnd=2018),
        node("funding:open", "Funding", "Since 2010", amount=400, flowType="obligation", fiscalYearStart=2010),
        node("funding:cumulative", "Funding", "Through 2022", amount=832, flowType="obligation",
             fiscalYearEnd=2022, cumulative=True),
        node("funding:undated", "Funding", "Undated", amount=10, flowType="obligation"),
    ]
    edges = [
        edge("PART_OF", "agency:inl", "gov:US"),
        edge("PART_OF", "agency:jm-jcf", "gov:JM"),
        edge("OPERATES_IN", "program:split", "gov:JM"),
        edge("OPERATES_IN", "program:split", "gov:BB"),
        edge("OPERATES_IN", "program:pct", "gov:JM", percentage=75),
        edge("OPERATES_IN", "program:pct", "gov:BB", percentage=25),
        *[edge("PROVIDES", "agency:inl", n.id) for n in nodes if n.label == "Funding"],
        edge("FUNDS", "funding:alloc", "program:split"),
        edge("ALLOCATED_TO", "funding:alloc", "gov:DO", percentage=23),
        edge("ALLOCATED_TO", "funding:alloc", "gov:JM", amount=190),
        edge("ALLOCATED_TO", "funding:alloc", "igo:rss", amount=100),
        edge("FUNDS", "funding:pct", "program:pct"),
        edge("FUNDS", "funding:equal", "program:split"),
        edge("RECEIVED_BY", "funding:recipient", "agency:jm-jcf"),
        edge("RECEIVED_BY", "funding:igo", "igo:rss"),
        edge("FUNDS", "funding:two", "program:pct"),
        edge("FUNDS", "funding:two", "program:split"),
        edge("FUNDS", "funding:range", "program:pct"),
        edge("FUNDS", "funding:open", "program:pct"),
        edge("FUNDS", "funding:cumulative", "program:pct"),
        edge("FUNDS", "funding:undated", "program:pct"),
    ]
    return nodes, edges


def money_graph() -> nx.MultiDiGraph:
    return to_multidigraph(money_dataset())


@pytest.fixture
def money_neo4j(empty_graph: Driver) -> Driver:
    """The test Neo4j holding exactly `money_dataset()`."""
    nodes, edges = money_dataset()
    with empty_graph.session() as session:
        write_records(session, nodes, edges)
    return empty_graph
