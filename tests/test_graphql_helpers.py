"""Shared helpers for the GraphQL tests: run a query on the real Neo4j, and a small hand-written graph.

Why asyncio.run per query: pytest has no asyncio plugin here, and an async Neo4j driver is bound to its event
loop, so each query gets its own loop and its own driver (cheap against a local server).
"""

from __future__ import annotations

import asyncio
from functools import lru_cache
from typing import Any

import pytest
import strawberry
from neo4j import AsyncGraphDatabase, Driver

from graph_seed.model import EdgeRecord, NodeRecord
from graph_seed.neo4j_writer import write_records
from schema import QueryLimits, build_schema
from schema.context import GraphQLContext


@lru_cache(maxsize=8)
def schema_for(limits: QueryLimits = QueryLimits(), compiled: bool = True) -> strawberry.Schema:  # noqa: B008
    return build_schema(limits, compiled=compiled)


def run_query(
    auth: tuple[str, str, str], query: str, variables: dict[str, Any] | None = None,
    limits: QueryLimits | None = None, max_page_size: int = 100, compiled: bool = True,
) -> tuple[Any, GraphQLContext]:
    """Execute one operation with a real context (async driver); returns (ExecutionResult, context).
    `compiled=False`: every field through its resolver (`schema/compiled.py` off)."""
    uri, user, password = auth

    async def go() -> tuple[Any, GraphQLContext]:
        driver = AsyncGraphDatabase.driver(uri, auth=(user, password))
        try:
            context = GraphQLContext.create(driver, None, 10.0, max_page_size)
            result = await schema_for(limits or QueryLimits(), compiled).execute(
                query, variable_values=variables, context_value=context
            )
            return result, context
        finally:
            await driver.close()

    return asyncio.run(go())


def data_of(auth: tuple[str, str, str], query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """The `data` of a query that must succeed."""
    result, _context = run_query(auth, query, variables)
    assert result.errors is None, result.errors
    return result.data


def node(id_: str, label: str, name: str, **props: Any) -> NodeRecord:
    aliases = props.pop("aliases", ())
    description = props.pop("description", None)
    sources = props.pop("sources", ("src:a",)) if label != "Source" else ()
    return NodeRecord(id=id_, label=label, name=name, aliases=aliases, description=description, sources=sources,
                      properties=props)


def edge(rel_type: str, start: str, end: str, sources: tuple[str, ...] = ("src:a",), **props: Any) -> EdgeRecord:
    return EdgeRecord(type=rel_type, start=start, end=end, sources=sources, properties=props)


EXTRA_PROGRAMS = 30


def small_dataset() -> tuple[list[NodeRecord], list[EdgeRecord]]:
    """A graph small enough to reason about, with every label and relationship type."""
    nodes = [
        node("src:a", "Source", "Source A", title="Source A", url="https://example.org/a"),
        node("src:b", "Source", "Source B", title="Source B", url="https://example.org/b"),
        node("gov:JM", "Government", "Jamaica", countryCode="JM", cbsiRole="partner"),
        node("gov:BB", "Government", "Barbados", countryCode="BB", cbsiRole="partner"),
        node("gov:DO", "Government", "República Dominicana", aliases=("Dominican Republic",), countryCode="DO",
             cbsiRole="partner"),
        node("gov:US", "Government", "United States", countryCode="US", cbsiRole="united-states"),
        node("agency:us-state-inl", "Agency", "Bureau of International Narcotics and Law Enforcement Affairs",
             aliases=("INL",), acronym="INL", countryCode="US"),
        node("agency:usaid", "Agency", "U.S. Agency for International Development", aliases=("USAID",),
             acronym="USAID", countryCode="US"),
        node("igo:caricom", "IntergovernmentalOrganization", "Caribbean Community", aliases=("CARICOM",),
             acronym="CARICOM"),
        node("cso:padf", "CivilSocietyOrganization", "Pan American Development Foundation", aliases=("PADF",)),
        node("org:creative", "PrivateSectorActor", "Creative Associates International"),
        node("program:cbsi", "Program", "Caribbean Basin Security Initiative", level="initiative",
             startDate="2010", status="active", sources=("src:a", "src:b")),
        node("program:youth", "Program", "Youth violence prevention", level="program", startDate="2014-05",
             description="Prevents youth violence among at-risk youth.", status="completed"),
        node("program:border", "Program", "Border security", level="program", startDate="2012"),
        node("focus:youth-violence", "FocusArea", "Youth violence"),
        node("objective:trafficking", "Objective", "Reduce illicit trafficking"),
        node("funding:1", "Funding", "INL FY2016 appropriation", amount=1000, flowType="appropriation",
             fiscalYear=2016),
        node("funding:2", "Funding", "USAID FY2016 obligation", amount=500, flowType="obligation", fiscalYear=2016),
        node("funding:3", "Funding", "USAID FY2017 appropriation", amount=300, flowType="appropriation",
             fiscalYear=2017),
        node("mechanism:dialogue", "Mechanism", "Caribbean-U.S. Security Cooperation Dialogue"),
        node("meeting:2016", "Meeting", "Dialogue 2016", date="2016-06-01", location="Nassau", ordinal=7),
        node("law:cbsi-act", "Legislation", "CBSI Authorization Act", congress=116, enacted="2020-12"),
        *[node(f"program:extra-{i:02d}", "Program", f"Extra program {i:02d}", startDate=f"{2000 + i}")
          for i in range(EXTRA_PROGRAMS)],
    ]
    edges = [
        edge("PART_OF", "agency:us-state-inl", "gov:US"),
        edge("PART_OF", "agency:usaid", "gov:US"),
        edge("PART_OF", "program:youth", "program:cbsi"),
        edge("PART_OF", "program:border", "program:cbsi"),
        edge("MEMBER_OF", "gov:JM", "igo:caricom", since="1973", sources=("src:b",)),
        edge("MEMBER_OF", "gov:BB", "igo:caricom", since="1973"),
        edge("MEMBER_OF", "gov:JM", "mechanism:dialogue"),
        edge("PARTICIPATES_IN", "gov:JM", "program:cbsi", role="partner"),
        edge("PARTICIPATES_IN", "gov:BB", "program:cbsi", role="partner"),
        edge("PARTICIPATES_IN", "gov:DO", "program:cbsi", role="partner"),
        edge("PARTICIPATES_IN", "agency:us-state-inl", "program:border", role="funding"),
        edge("PARTICIPATES_IN", "agency:usaid", "program:youth", role="funding"),
        edge("PARTICIPATES_IN", "cso:padf", "program:youth", role="implementing", sources=("src:b",)),
        edge("PARTICIPATES_IN", "org:creative", "program:youth", role="implementing"),
        edge("PARTICIPATES_IN", "gov:JM", "program:youth", role="beneficiary"),
        edge("OPERATES_IN", "program:youth", "gov:JM", percentage=60),
        edge("OPERATES_IN", "program:youth", "gov:BB", percentage=40),
        edge("OPERATES_IN", "program:border", "gov:BB"),
        edge("OPERATES_IN", "program:cbsi", "gov:JM"),
        edge("ADDRESSES", "program:youth", "focus:youth-violence"),
        edge("ADVANCES", "program:border", "objective:trafficking"),
        edge("PROVIDES", "agency:us-state-inl", "funding:1"),
        edge("FUNDS", "funding:1", "program:border"),
        edge("RECEIVED_BY", "funding:1", "gov:BB"),
        edge("PROVIDES", "agency:usaid", "funding:2"),
        edge("FUNDS", "funding:2", "program:youth"),
        edge("RECEIVED_BY", "funding:2", "cso:padf"),
        edge("PROVIDES", "agency:usaid", "funding:3"),
        edge("FUNDS", "funding:3", "program:youth"),
        edge("OF", "meeting:2016", "mechanism:dialogue"),
        edge("ATTENDED", "gov:JM", "meeting:2016", role="host"),
        edge("ATTENDED", "gov:US", "meeting:2016"),
        edge("ATTENDED", "gov:BB", "meeting:2016"),
        edge("PARTNERS_WITH", "agency:usaid", "cso:padf", agreement="cooperative agreement", since="2015"),
        edge("AUTHORIZED_BY", "program:cbsi", "law:cbsi-act"),
        edge("ENACTED_BY", "law:cbsi-act", "gov:US"),
        *[edge("PARTICIPATES_IN", actor, f"program:extra-{i:02d}", role="implementing")
          for i in range(EXTRA_PROGRAMS) for actor in ("gov:JM", "cso:padf", "agency:usaid")],
        *[edge("OPERATES_IN", f"program:extra-{i:02d}", "gov:BB") for i in range(EXTRA_PROGRAMS)],
    ]
    return nodes, edges


@pytest.fixture
def small_graph(empty_graph: Driver) -> Driver:
    """The test Neo4j holding exactly `small_dataset()`."""
    nodes, edges = small_dataset()
    with empty_graph.session() as session:
        write_records(session, nodes, edges)
    return empty_graph
