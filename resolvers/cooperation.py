"""What links a set of actors: shared programs, meetings and memberships, funding flows, partnerships.

Why five small queries instead of one: each answers one question an analyst asks ("do they sit in the same
bodies?", "does money flow between them?") and each keeps the sources of every relationship it uses.
"""

from __future__ import annotations

from typing import Any

from resolvers.cypher import CypherRunner

# Programs, meetings or bodies that two or more of the actors are linked to, with each actor's link. The links
# come in the order of `between` (then by role): without the ORDER BY before `collect`, their order was whatever
# order Neo4j's plan matched them in, and two runs of one question could differ.
_LINK_ORDER = "WITH x, a, r ORDER BY [i IN range(0, size($ids) - 1) WHERE $ids[i] = a.id][0], r.role"
SHARED_PROGRAMS = f"""
MATCH (a:Actor)-[r:PARTICIPATES_IN]->(x:Program)
WHERE a.id IN $ids
{_LINK_ORDER}
WITH x, collect({{actor: a.id, role: r.role, sources: r.sources}}) AS links, count(DISTINCT a) AS actors
WHERE actors >= 2
RETURN x.id AS id, links
ORDER BY x.name, x.id
"""
SHARED_MEETINGS = f"""
MATCH (a:Actor)-[r:ATTENDED]->(x:Meeting)
WHERE a.id IN $ids
{_LINK_ORDER}
WITH x, collect({{actor: a.id, role: r.role, sources: r.sources}}) AS links, count(DISTINCT a) AS actors
WHERE actors >= 2
RETURN x.id AS id, links
ORDER BY x.date, x.id
"""
SHARED_MEMBERSHIPS = f"""
MATCH (a:Actor)-[r:MEMBER_OF]->(x)
WHERE a.id IN $ids
{_LINK_ORDER}
WITH x, collect({{actor: a.id, role: r.role, sources: r.sources}}) AS links, count(DISTINCT a) AS actors
WHERE actors >= 2
RETURN x.id AS id, links
ORDER BY x.name, x.id
"""
# Money from one of the actors that reaches another: received directly, or funding a program it takes part in.
FUNDING_FLOWS = """
MATCH (a:Actor)-[p:PROVIDES]->(f:Funding)
WHERE a.id IN $ids
OPTIONAL MATCH (f)-[rb:RECEIVED_BY]->(b:Actor) WHERE b.id IN $ids AND b.id <> a.id
OPTIONAL MATCH (f)-[fu:FUNDS]->(prog:Program)<-[pi:PARTICIPATES_IN]-(c:Actor) WHERE c.id IN $ids AND c.id <> a.id
WITH a, p, f, rb, b, fu, prog, pi, c
WHERE b IS NOT NULL OR c IS NOT NULL
RETURN f.id AS funding, a.id AS provider, coalesce(b.id, c.id) AS recipient, prog.id AS program,
       CASE WHEN b IS NOT NULL THEN 'received' ELSE 'program:' + pi.role END AS how,
       p.sources + coalesce(rb.sources, []) + coalesce(fu.sources, []) + coalesce(pi.sources, []) AS sources
ORDER BY funding, provider, recipient, program
"""
PARTNERSHIPS = """
MATCH (a:Actor)-[r:PARTNERS_WITH]->(b:Actor)
WHERE a.id IN $ids AND b.id IN $ids
RETURN a.id AS start, b.id AS end, r.agreement AS agreement, r.since AS since, r.sources AS sources
ORDER BY start, end
"""


def _dedupe(sources: list[str] | None) -> list[str]:
    return list(dict.fromkeys(sources or []))


async def shared(runner: CypherRunner, ids: list[str], kind: str) -> list[dict[str, Any]]:
    """`[{id, links: [{actor, role, sources}]}]` for kind `programs`, `meetings` or `memberships`."""
    cypher = {"programs": SHARED_PROGRAMS, "meetings": SHARED_MEETINGS, "memberships": SHARED_MEMBERSHIPS}[kind]
    return await runner.read(cypher, {"ids": ids})


async def funding_flows(runner: CypherRunner, ids: list[str]) -> list[dict[str, Any]]:
    rows = await runner.read(FUNDING_FLOWS, {"ids": ids})
    seen: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = (row["funding"], row["provider"], row["recipient"], row["program"])
        row["sources"] = _dedupe(row["sources"])
        seen.setdefault(key, row)
    return list(seen.values())


async def partnerships(runner: CypherRunner, ids: list[str]) -> list[dict[str, Any]]:
    return await runner.read(PARTNERSHIPS, {"ids": ids})
