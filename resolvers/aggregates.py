"""Funding totals grouped by any of country, fiscal year, funder, recipient, program, objective, focus area
and flow type.

The rule: figures of different `flowType`s are never summed together (an appropriation, an obligation and a
disbursement of one dollar are not three dollars). Unless the caller picks one `flowType`, `flowType` is
always one of the grouping keys.

Attribution (the same rules as `analysis.funding`): a Funding's `amountUsd` is split over the programs it
FUNDS (by the FUNDS `percentage`, else equally), each program's share over the countries it OPERATES_IN (by
`percentage`, else equally) and equally over its objectives and focus areas; with no funded program, the
country is a recipient government. Funders and recipients share equally. So the sums of a grouping add up to
the real total, never more. `count` counts distinct Fundings; `min`/`max` are whole Funding amounts.
A Funding without `amountUsd` is counted in `unconverted` and never summed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product
from typing import Any

from resolvers.cypher import CypherRunner
from resolvers.where import compile_where

DIMENSIONS = ("flowType", "fiscalYear", "country", "funder", "recipient", "program", "objective", "focusArea")
PROGRAM_DIMENSIONS = ("program", "country", "objective", "focusArea")

FUNDING_FACTS = """
MATCH (n:Funding)
WHERE ({where}) AND ($flowType IS NULL OR n.flowType = $flowType)
RETURN n.id AS id, n.flowType AS flowType, n.amountUsd AS amountUsd, n.fiscalYear AS fiscalYear,
       n.fiscalYearStart AS fiscalYearStart, n.fiscalYearEnd AS fiscalYearEnd,
       [(a:Actor)-[:PROVIDES]->(n) | {{id: a.id, name: a.name}}] AS funders,
       [(n)-[:RECEIVED_BY]->(a:Actor) | {{id: a.id, name: a.name, government: a:Government}}] AS recipients,
       [(n)-[f:FUNDS]->(p:Program) | {{
           id: p.id, name: p.name, percentage: f.percentage,
           countries: [(p)-[o:OPERATES_IN]->(g:Government) | {{id: g.id, name: g.name, percentage: o.percentage}}],
           objectives: [(p)-[:ADVANCES]->(x:Objective) | {{id: x.id, name: x.name}}],
           focusAreas: [(p)-[:ADDRESSES]->(x:FocusArea) | {{id: x.id, name: x.name}}]
       }}] AS programs
ORDER BY id
"""

Key = tuple[tuple[str, str | None, str | None], ...]  # ((dimension, value, name), ...)


@dataclass
class Group:
    key: Key
    total_usd: float = 0.0
    fundings: set[str] = field(default_factory=set)
    unconverted: set[str] = field(default_factory=set)
    min_usd: float | None = None
    max_usd: float | None = None

    @property
    def count(self) -> int:
        return len(self.fundings | self.unconverted)


def group_dimensions(group_by: list[str], flow_type: str | None) -> list[str]:
    """The grouping keys actually used: `flowType` is added unless one flow type was chosen."""
    dims = list(dict.fromkeys(group_by))
    if flow_type is None and "flowType" not in dims:
        dims.insert(0, "flowType")
    return dims


def _shares(items: list[dict[str, Any]], weight_key: str | None = "percentage") -> list[tuple[dict[str, Any], float]]:
    """Items with their share of one: by percentage when every item has one, else equal."""
    if not items:
        return [({"id": None, "name": None}, 1.0)]
    weights = [item.get(weight_key) if weight_key else None for item in items]
    known = [float(w) for w in weights if w is not None]
    if len(known) == len(items) and sum(known) > 0:
        total = sum(known)
        return [(item, w / total) for item, w in zip(items, known, strict=True)]
    return [(item, 1.0 / len(items)) for item in items]


def _fiscal_year(fact: dict[str, Any]) -> str | None:
    if fact["fiscalYear"] is not None:
        return str(fact["fiscalYear"])
    start, end = fact["fiscalYearStart"], fact["fiscalYearEnd"]
    if start is None:
        return None
    return str(start) if end in (None, start) else f"{start}-{end}"


def _program_parts(fact: dict[str, Any], dims: list[str]) -> list[tuple[dict[str, tuple[Any, Any]], float]]:
    """(values of the program-derived dimensions, share) for every attribution of one Funding."""
    wanted = [d for d in PROGRAM_DIMENSIONS if d in dims]
    if not wanted:
        return [({}, 1.0)]
    parts: list[tuple[dict[str, tuple[Any, Any]], float]] = []
    if not fact["programs"]:
        empty: dict[str, tuple[Any, Any]] = {d: (None, None) for d in wanted}
        if "country" not in wanted:
            return [(empty, 1.0)]
        governments = [r for r in fact["recipients"] if r["government"]]
        return [({**empty, "country": (c["id"], c["name"])}, s) for c, s in _shares(governments, None)]
    for program, program_share in _shares(fact["programs"]):
        options: list[list[tuple[str, Any, Any, float]]] = []
        for dim in wanted:
            if dim == "program":
                options.append([("program", program["id"], program["name"], 1.0)])
                continue
            items = {"country": "countries", "objective": "objectives", "focusArea": "focusAreas"}[dim]
            weight = "percentage" if dim == "country" else None
            options.append([(dim, item["id"], item["name"], s) for item, s in _shares(program[items], weight)])
        for combo in product(*options):
            share = program_share
            for *_ignored, s in combo:
                share *= s
            parts.append(({dim: (value, name) for dim, value, name, _s in combo}, share))
    return parts


def aggregate(facts: list[dict[str, Any]], dims: list[str]) -> list[Group]:
    """Groups sorted by their key; see the module docstring for the attribution rules."""
    groups: dict[Key, Group] = {}
    for fact in facts:
        simple: list[list[tuple[dict[str, tuple[Any, Any]], float]]] = [_program_parts(fact, dims)]
        if "flowType" in dims:
            simple.append([({"flowType": (fact["flowType"], fact["flowType"])}, 1.0)])
        if "fiscalYear" in dims:
            year = _fiscal_year(fact)
            simple.append([({"fiscalYear": (year, year)}, 1.0)])
        for dim, items in (("funder", fact["funders"]), ("recipient", fact["recipients"])):
            if dim in dims:
                simple.append([({dim: (item["id"], item["name"])}, s) for item, s in _shares(items, None)])
        for combo in product(*simple):
            values: dict[str, tuple[Any, Any]] = {}
            share = 1.0
            for part, s in combo:
                values.update(part)
                share *= s
            key: Key = tuple((d, values[d][0], values[d][1]) for d in dims)
            group = groups.setdefault(key, Group(key))
            amount = fact["amountUsd"]
            if amount is None:
                group.unconverted.add(fact["id"])
                continue
            group.fundings.add(fact["id"])
            group.total_usd += float(amount) * share
            group.min_usd = amount if group.min_usd is None else min(group.min_usd, amount)
            group.max_usd = amount if group.max_usd is None else max(group.max_usd, amount)
    return sorted(groups.values(), key=lambda g: tuple((v is None, str(v)) for _d, v, _n in g.key))


async def funding_aggregate(
    runner: CypherRunner, group_by: list[str], where: dict[str, Any] | None, flow_type: str | None
) -> tuple[list[str], list[Group]]:
    """(the grouping keys used, the groups) for the Fundings matching `where` (and `flowType`)."""
    dims = group_dimensions(group_by, flow_type)
    condition, params = compile_where("Funding", where)
    facts = await runner.read(FUNDING_FACTS.format(where=condition), {**params, "flowType": flow_type})
    return dims, aggregate(facts, dims)
