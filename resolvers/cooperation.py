"""What links a set of actors: shared programs, meetings and memberships, funding flows, partnerships.

Each part answers one question an analyst asks ("do they sit in the same bodies?", "does money flow between
them?") and keeps the sources of every relationship it uses. Why one statement for all of them: a request sends
the parts it selects as CALL subqueries of ONE read, which also returns every node the answer names (the
actors, the shared nodes, the fundings and programs of the flows and, where asked for, the sources), for the
request's node loader. Before, each part was a statement of its own and the nodes came in more waves after
them: 8 to 10 statements for the cookbook's question 10 (by timing), each paying a transaction's fixed cost in
Neo4j and in Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, LiteralString

from resolvers.cypher import CypherRunner
from resolvers.nodes import NodeRow

# Programs, meetings or bodies that two or more of the actors are linked to, with each actor's link. The links
# come in the order of `between` (then by role): without the ORDER BY before `collect`, their order was whatever
# order Neo4j's plan matched them in, and two runs of one question could differ.
_LINK_ORDER = "WITH x, a, r ORDER BY [i IN range(0, size($ids) - 1) WHERE $ids[i] = a.id][0], r.role"
_SHARED = f"""WHERE a.id IN $ids
  {_LINK_ORDER}
  WITH x, collect({{actor: a.id, role: r.role, sources: r.sources}}) AS links, count(DISTINCT a) AS actors
  WHERE actors >= 2"""
SHARED_PROGRAMS = f"""
  MATCH (a:Actor)-[r:PARTICIPATES_IN]->(x:Program)
  {_SHARED}
  WITH x, links ORDER BY x.name, x.id
  RETURN collect({{id: x.id, links: links}}) AS programs
"""
SHARED_MEETINGS = f"""
  MATCH (a:Actor)-[r:ATTENDED]->(x:Meeting)
  {_SHARED}
  WITH x, links ORDER BY x.date, x.id
  RETURN collect({{id: x.id, links: links}}) AS meetings
"""
SHARED_MEMBERSHIPS = f"""
  MATCH (a:Actor)-[r:MEMBER_OF]->(x)
  {_SHARED}
  WITH x, links ORDER BY x.name, x.id
  RETURN collect({{id: x.id, links: links}}) AS memberships
"""
# Money from one of the actors that reaches another: received directly, or funding a program it takes part in.
# A flow can come more than once (several paths to one recipient): `funding_flows` keeps the first of each.
FUNDING_FLOWS = """
  MATCH (a:Actor)-[p:PROVIDES]->(f:Funding)
  WHERE a.id IN $ids
  OPTIONAL MATCH (f)-[rb:RECEIVED_BY]->(b:Actor) WHERE b.id IN $ids AND b.id <> a.id
  OPTIONAL MATCH (f)-[fu:FUNDS]->(prog:Program)<-[pi:PARTICIPATES_IN]-(c:Actor) WHERE c.id IN $ids AND c.id <> a.id
  WITH a, p, f, rb, b, fu, prog, pi, c
  WHERE b IS NOT NULL OR c IS NOT NULL
  WITH f.id AS funding, a.id AS provider, coalesce(b.id, c.id) AS recipient, prog.id AS program,
       CASE WHEN b IS NOT NULL THEN 'received' ELSE 'program:' + pi.role END AS how,
       p.sources + coalesce(rb.sources, []) + coalesce(fu.sources, []) + coalesce(pi.sources, []) AS sources
  ORDER BY funding, provider, recipient, program
  RETURN collect({funding: funding, provider: provider, recipient: recipient, program: program, how: how,
                  sources: sources}) AS fundingFlows
"""
PARTNERSHIPS = """
  MATCH (a:Actor)-[r:PARTNERS_WITH]->(b:Actor)
  WHERE a.id IN $ids AND b.id IN $ids
  WITH a.id AS start, b.id AS end, r
  ORDER BY start, end
  RETURN collect({start: start, end: end, agreement: r.agreement, since: r.since, sources: r.sources})
         AS partnerships
"""
# Each part by its field name in the schema: its subquery, the node ids it names besides the actors (which
# `$ids` holds; "": none) and its sources' ids. Each expression reads the part's own list, named like the field.
_SHARED_NODES: LiteralString = "[x IN {part} | x.id]"
_SHARED_SOURCES: LiteralString = (
    "reduce(s = [], x IN {part} | s + reduce(t = [], l IN x.links | t + coalesce(l.sources, [])))")
PARTS: dict[str, tuple[LiteralString, LiteralString, LiteralString]] = {
    "programs": (SHARED_PROGRAMS, _SHARED_NODES, _SHARED_SOURCES),
    "meetings": (SHARED_MEETINGS, _SHARED_NODES, _SHARED_SOURCES),
    "memberships": (SHARED_MEMBERSHIPS, _SHARED_NODES, _SHARED_SOURCES),
    "fundingFlows": (FUNDING_FLOWS, "[x IN {part} | x.funding] + [x IN {part} WHERE x.program IS NOT NULL | x.program]",
                     "reduce(s = [], x IN {part} | s + coalesce(x.sources, []))"),
    "partnerships": (PARTNERSHIPS, "", "reduce(s = [], x IN {part} | s + coalesce(x.sources, []))"),
}
# The nodes the answer names, as the node loader would load them (`resolvers/nodes.py` NODES_BY_ID); an id
# without a node comes back with null properties, so the loader is told there is none.
NODES = """
CALL ({parts}) {{
  UNWIND {wanted} AS id
  WITH DISTINCT id WHERE id IS NOT NULL
  OPTIONAL MATCH (n:Entity {{id: id}})
  RETURN collect([id, n {{.*}}, labels(n)]) AS nodes
}}
RETURN {columns}nodes
"""


def statement(parts: Mapping[str, bool]) -> LiteralString:
    """The one statement for `parts` (field name -> whether its sources are wanted), in a fixed order."""
    names = [name for name in PARTS if name in parts]
    wanted = ["$ids"]
    for name in names:
        _cypher, nodes, sources = PARTS[name]
        if nodes:
            wanted.append(nodes.format(part=name))
        if parts[name]:
            wanted.append(sources.format(part=name))
    calls = "".join(f"CALL () {{{PARTS[name][0]}}}\n" for name in names)
    return calls + NODES.format(parts=", ".join(names), wanted=" + ".join(wanted),
                                columns="".join(f"{name}, " for name in names))


def _dedupe(sources: list[str] | None) -> list[str]:
    return list(dict.fromkeys(sources or []))


def _funding_flows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first row of each (funding, provider, recipient, program), its sources without repeats."""
    seen: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = (row["funding"], row["provider"], row["recipient"], row["program"])
        if key not in seen:
            seen[key] = {**row, "sources": _dedupe(row["sources"])}
    return list(seen.values())


async def cooperation(runner: CypherRunner, ids: list[str], parts: Mapping[str, bool]
                      ) -> tuple[dict[str, list[dict[str, Any]]], dict[str, NodeRow | None]]:
    """The rows of each part asked for and the nodes they name (id -> node, None where there is none).

    `parts` maps a part's field name (`programs`, `meetings`, `memberships`, `fundingFlows`, `partnerships`) to
    whether its sources' nodes are wanted too. Rows: `programs`, `meetings` and `memberships` are
    `[{id, links: [{actor, role, sources}]}]`; `fundingFlows` `[{funding, provider, recipient, program, how,
    sources}]`; `partnerships` `[{start, end, agreement, since, sources}]`.
    """
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise ValueError(f"no cooperation part {sorted(unknown)}")
    [row] = await runner.read_maps(statement(parts), {"ids": ids})
    answer = {name: row[name] for name in parts}
    if "fundingFlows" in answer:
        answer["fundingFlows"] = _funding_flows(answer["fundingFlows"])
    nodes = {node_id: None if props is None else NodeRow(props, tuple(labels))
             for node_id, props, labels in row["nodes"]}
    return answer, nodes
