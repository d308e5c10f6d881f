"""Funding totals grouped by any of country, fiscal period, funder, recipient, program, objective, focus area
and flow type: one Cypher read of the facts, then `analysis.money` - the same rules as the analysis.

The rules (`analysis.money` says them in full): figures of different `flowType`s are never summed together
(unless one `flowType` is chosen, `flowType` is always a grouping key); a figure is keyed by its period as what
it is (`FY2016`, `FY2016-FY2018`, `FY2010-`, `-FY2022`, `cumulative ...`, `undated`) and only the period kinds
asked for are summed, the rest reported as left out; attribution to countries follows one fall-back order
(stated ALLOCATED_TO shares, then OPERATES_IN percentages, then an equal split marked as estimated).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from analysis import money
from resolvers.cypher import CypherRunner
from resolvers.where import compile_where

DIMENSIONS = money.DIMENSIONS

# One row per Funding, in the shape `analysis.money.FundingFacts.from_row` reads (and `facts_from_graph` builds).
FUNDING_FACTS = """
MATCH (n:Funding)
WHERE ({where}) AND ($flowType IS NULL OR n.flowType = $flowType)
RETURN n.id AS id, n.flowType AS flowType, n.amount AS amount, n.amountUsd AS amountUsd,
       n.fiscalYear AS fiscalYear, n.fiscalYearStart AS fiscalYearStart, n.fiscalYearEnd AS fiscalYearEnd,
       n.date AS date, n.cumulative AS cumulative,
       [(a:Actor)-[:PROVIDES]->(n) | {{id: a.id, name: a.name}}] AS funders,
       [(n)-[:RECEIVED_BY]->(a:Actor) | {{id: a.id, name: a.name, country:
           CASE WHEN a:Government OR a:IntergovernmentalOrganization THEN {{id: a.id, name: a.name}}
           ELSE head([(a)-[:PART_OF*1..3]->(g:Government) | {{id: g.id, name: g.name}}]) END}}] AS recipients,
       [(n)-[t:ALLOCATED_TO]->(g:Entity) | {{id: g.id, name: g.name, percentage: t.percentage, amount: t.amount}}]
           AS allocations,
       [(n)-[f:FUNDS]->(p:Program) | {{
           id: p.id, name: p.name, percentage: f.percentage,
           countries: [(p)-[o:OPERATES_IN]->(g:Government) | {{id: g.id, name: g.name, percentage: o.percentage}}],
           objectives: [(p)-[:ADVANCES]->(x:Objective) | {{id: x.id, name: x.name}}],
           focusAreas: [(p)-[:ADDRESSES]->(x:FocusArea) | {{id: x.id, name: x.name}}]
       }}] AS programs
ORDER BY id
"""


def group_dimensions(group_by: list[str], flow_type: str | None) -> list[str]:
    """The grouping keys actually used: `flowType` is added unless one flow type was chosen."""
    dims = list(dict.fromkeys(group_by))
    if flow_type is None and "flowType" not in dims:
        dims.insert(0, "flowType")
    return dims


async def funding_facts(runner: CypherRunner, where: dict[str, Any] | None,
                        flow_type: str | None) -> list[money.FundingFacts]:
    condition, params = compile_where("Funding", where)
    rows = await runner.read(FUNDING_FACTS.format(where=condition), {**params, "flowType": flow_type})
    return [money.FundingFacts.from_row(row) for row in rows]


async def funding_aggregate(
    runner: CypherRunner, group_by: list[str], where: dict[str, Any] | None, flow_type: str | None,
    period_kinds: Iterable[str] | None = None, include_estimates: bool = True,
) -> money.Aggregate:
    """The groups (and what was left out) for the Fundings matching `where` (and `flowType`)."""
    dims = group_dimensions(group_by, flow_type)
    facts = await funding_facts(runner, where, flow_type)
    return money.aggregate(facts, dims, period_kinds, include_estimates)


def aggregate(rows: Iterable[dict[str, Any]], dims: list[str]) -> list[money.Group]:
    """The groups of `FUNDING_FACTS`-shaped rows (default periods, estimates included)."""
    return money.aggregate([money.FundingFacts.from_row(row) for row in rows], dims).groups
