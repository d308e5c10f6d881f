"""The graph as networkx: read it (from records or from Neo4j) and derive the views the measures run on.

Why: every measure works on one of a few well-defined graphs. `from_records` and `from_neo4j` give the
same `nx.MultiDiGraph` (node id -> `label`, `name`, `aliases`, `sources`, ...; edge key = relationship type,
or `PARTICIPATES_IN:<role>`). The derived views turn its heterogeneous nodes into actor networks whose every
tie carries its evidence (what it goes through and the sources that say so).

Views
-----
* `cooperation_graph`: undirected, weighted actor x actor ties.
* `resource_flow_graph`: directed actor -> actor ties along which money and programs flow (for brokerage).
* `affiliation_graph`: bipartite actor x program.
* `funding_graph`: directed funder -> program / recipient, amounts kept per flow type.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import combinations
from typing import Any

import networkx as nx

from analysis.funding import BENEFICIARY_ROLES, FUNDER_ROLES, IMPLEMENTER_ROLES, funding_flows, participants
from analysis.slicing import (
    Slice,
    YearRange,
    actor_countries,
    overlaps,
    program_countries,
    span_years,
    year_of,
)
from graph_seed import vocabulary as vocab
from graph_seed.records import Dataset
from graph_seed.to_networkx import graph_from_rows, to_multidigraph

NODES_QUERY = (
    "MATCH (n:Entity) RETURN n.id AS id, "
    "[l IN labels(n) WHERE NOT l IN ['Entity','Actor']][0] AS label, properties(n) AS props"
)
EDGES_QUERY = (
    "MATCH (a:Entity)-[r]->(b:Entity) "
    "RETURN a.id AS start, type(r) AS type, b.id AS end, properties(r) AS props"
)
# What only the database needs (the full-text index's alias text, the lower-cased copies of `vocabulary.LOWERED`):
# never a node attribute of the projection, so never exported.
INTERNAL_NODE_PROPERTIES = frozenset({"aliasText", *vocab.LOWERED.values()})

COOPERATION_KINDS: tuple[str, ...] = ("program", "meeting", "membership", "member-of", "partnership", "funding")
"""The default kinds of cooperation evidence; `"part-of"` (an agency inside its government) is opt-in."""
ALL_COOPERATION_KINDS: tuple[str, ...] = (*COOPERATION_KINDS, "part-of")


def from_records(dataset: Dataset | None = None) -> nx.MultiDiGraph:
    """The curated dataset as a MultiDiGraph, with no database (default: `graph_seed.records.load_dataset()`).

    Example
    -------
    >>> from graph_seed.model import NodeRecord
    >>> node = NodeRecord(id="gov:JM", label="Government", name="Jamaica", sources=("src:x",),
    ...                   properties={"countryCode": "JM"})
    >>> from_records(Dataset(nodes=[node])).nodes["gov:JM"]["countryCode"]
    'JM'
    """
    if dataset is None:
        from graph_seed.records import load_dataset

        dataset = load_dataset()
    return to_multidigraph(dataset)


def from_neo4j(driver: Any, database: str | None = None) -> nx.MultiDiGraph:
    """Read the whole graph from Neo4j (official sync driver) into the same MultiDiGraph as `from_records`.

    Rows are streamed in one read transaction (never materialised as a list of records first); the internal
    helper properties (`INTERNAL_NODE_PROPERTIES`) are dropped.

    Parameters
    ----------
    driver : neo4j.Driver
    database : the database name, or None for the server default.

    Example
    -------
    >>> from neo4j import GraphDatabase  # doctest: +SKIP
    >>> with GraphDatabase.driver("bolt://localhost:7687", auth=("neo4j", "secret")) as driver:  # doctest: +SKIP
    ...     graph = from_neo4j(driver)
    """

    def read(tx: Any) -> nx.MultiDiGraph:
        def nodes() -> Iterator[tuple[str, str, dict[str, Any]]]:
            for record in tx.run(NODES_QUERY):
                props = {k: v for k, v in record["props"].items() if k not in INTERNAL_NODE_PROPERTIES}
                yield record["id"], record["label"], props

        def edges() -> Iterator[tuple[str, str, str, dict[str, Any]]]:
            for record in tx.run(EDGES_QUERY):
                yield record["start"], record["type"], record["end"], dict(record["props"])

        # `edges()` only runs its query once `graph_from_rows` has consumed every node row.
        return graph_from_rows(nodes(), edges())

    with driver.session(database=database, default_access_mode="READ") as session:
        return session.execute_read(read)


# --- cooperation -----------------------------------------------------------------------------------------


class _Ties:
    """Evidence collected per actor pair (or ordered pair), merged by (kind, via)."""

    def __init__(self, directed: bool) -> None:
        self.directed = directed
        self.items: dict[tuple[str, str], dict[tuple[str, str | None], set[str]]] = defaultdict(dict)

    def add(self, a: str, b: str, kind: str, via: str | None, sources: Iterable[str]) -> None:
        if a == b:
            return
        pair = (a, b) if self.directed or a < b else (b, a)
        self.items[pair].setdefault((kind, via), set()).update(sources)

    def fill(self, graph: nx.Graph) -> None:
        for (a, b), evidence in self.items.items():
            listed = [
                {"kind": kind, "via": via, "sources": sorted(sources)}
                for (kind, via), sources in sorted(evidence.items(), key=lambda item: (item[0][0], item[0][1] or ""))
            ]
            graph.add_edge(a, b, weight=len(listed), evidence=listed, kinds=sorted({kind for kind, _ in evidence}))


def _in_edges(graph: nx.MultiDiGraph, node: str, rel_type: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for start, _, data in graph.in_edges(node, data=True):
        if data.get("type") == rel_type:
            yield start, data


def _nodes(graph: nx.MultiDiGraph, label: str) -> list[str]:
    return sorted(n for n, d in graph.nodes(data=True) if d.get("label") == label)


def _program_in_slice(graph: nx.MultiDiGraph, program: str, where: Slice, members: Iterable[str]) -> bool:
    attrs = graph.nodes[program]
    if not overlaps(span_years(attrs.get("startDate"), attrs.get("endDate")), where.fiscal_years):
        return False
    if where.countries is None:
        return True
    codes = program_countries(graph, program)
    if codes:
        return where.keeps_countries(codes)
    return any(where.keeps_countries(actor_countries(graph, m)) for m in members)


def _copy_nodes(view: nx.Graph, graph: nx.MultiDiGraph, nodes: Iterable[str]) -> None:
    for node in nodes:
        view.add_node(node, **graph.nodes[node])


def _slice_meta(where: Slice) -> dict[str, Any]:
    return {
        "fiscal_years": list(where.fiscal_years) if where.fiscal_years else None,
        "countries": sorted(where.countries) if where.countries is not None else None,
        "actor_types": sorted(where.actor_types) if where.actor_types is not None else None,
    }


def cooperation_graph(
    graph: nx.MultiDiGraph,
    fiscal_years: YearRange | int | str | None = None,
    countries: Iterable[str] | str | None = None,
    actor_types: Iterable[str] | str | None = None,
    kinds: Iterable[str] = COOPERATION_KINDS,
) -> nx.Graph:
    """Actors tied by what they do together; each tie weighted by its number of distinct pieces of evidence.

    Evidence kinds (`kinds` selects which count):

    * ``program``: both PARTICIPATE_IN one program (`via` = the program);
    * ``meeting``: both ATTENDED one meeting;
    * ``membership``: both are MEMBER_OF one body (IGO or mechanism);
    * ``member-of``: one is MEMBER_OF the other (an actor IGO);
    * ``partnership``: a PARTNERS_WITH relationship;
    * ``funding``: one PROVIDES a Funding the other is the RECEIVED_BY of (`via` = the Funding);
    * ``part-of`` (opt-in): one is PART_OF the other.

    Slicing: years (see `analysis.slicing`); `countries` keeps programs operating there (or, when a program
    names no country, with a participant located there), fundings attributed there, and meeting, membership
    and direct ties with at least one actor located there; `actor_types` keeps actors of those labels.

    Parameters
    ----------
    graph : the CBSI MultiDiGraph.
    fiscal_years : `(first, last)` inclusive (either end may be None), or one year.
    countries : ISO 3166 alpha-2 codes.
    actor_types : actor labels (`Government`, `Agency`, ...).
    kinds : the evidence kinds to count.

    Returns
    -------
    nx.Graph of actors (all node attributes copied). Edge attributes: ``weight`` (int), ``evidence``
    (list of ``{"kind", "via", "sources"}``), ``kinds`` (sorted distinct kinds). Without a country slice every
    actor in the slice is a node, isolated or not.

    Example
    -------
    >>> g = nx.MultiDiGraph()
    >>> for n, label in [("agency:a", "Agency"), ("cso:b", "CivilSocietyOrganization"), ("program:p", "Program")]:
    ...     g.add_node(n, label=label, name=n)
    >>> _ = g.add_edge("agency:a", "program:p", key="PARTICIPATES_IN:funding", type="PARTICIPATES_IN",
    ...                role="funding", sources=["src:1"])
    >>> _ = g.add_edge("cso:b", "program:p", key="PARTICIPATES_IN:implementing", type="PARTICIPATES_IN",
    ...                role="implementing", sources=["src:2"])
    >>> h = cooperation_graph(g)
    >>> h.edges["agency:a", "cso:b"]["weight"], h.edges["agency:a", "cso:b"]["evidence"]
    (1, [{'kind': 'program', 'via': 'program:p', 'sources': ['src:1', 'src:2']}])
    """
    where = Slice.make(fiscal_years, countries, actor_types)
    wanted = set(kinds)
    if wanted - set(ALL_COOPERATION_KINDS):
        raise ValueError(f"unknown evidence kind(s): {', '.join(sorted(wanted - set(ALL_COOPERATION_KINDS)))}")
    kept = {n for n, d in graph.nodes(data=True) if where.keeps_actor(d)}
    located = {n: actor_countries(graph, n) for n in kept}

    def touches(*actors: str) -> bool:
        return where.countries is None or any(where.keeps_countries(located.get(a, ())) for a in actors)

    ties = _Ties(directed=False)

    def pairs(members: dict[str, list[str]], kind: str, via: str, extra: Iterable[str] = (),
              need_touch: bool = False) -> None:
        for a, b in combinations(sorted(m for m in members if m in kept), 2):
            if not need_touch or touches(a, b):
                ties.add(a, b, kind, via, [*members[a], *members[b], *extra])

    if "program" in wanted:
        for program in _nodes(graph, "Program"):
            members = participants(graph, program)
            if _program_in_slice(graph, program, where, members):
                pairs(members, "program", program)
    if "meeting" in wanted:
        for meeting in _nodes(graph, "Meeting"):
            year = year_of(graph.nodes[meeting].get("date"))
            if not overlaps(None if year is None else (year, year), where.fiscal_years):
                continue
            attendees: dict[str, list[str]] = defaultdict(list)
            for actor, data in _in_edges(graph, meeting, "ATTENDED"):
                attendees[actor].extend(data.get("sources", []))
            pairs(attendees, "meeting", meeting, need_touch=True)
    if wanted & {"membership", "member-of"}:
        bodies = sorted({end for _, end, d in graph.edges(data=True) if d.get("type") == "MEMBER_OF"})
        for body in bodies:
            members = defaultdict(list)
            for actor, data in _in_edges(graph, body, "MEMBER_OF"):
                if overlaps(span_years(data.get("since"), data.get("until")), where.fiscal_years):
                    members[actor].extend(data.get("sources", []))
            if "membership" in wanted:
                pairs(members, "membership", body, need_touch=True)
            if "member-of" in wanted and body in kept:
                for actor, sources in members.items():
                    if actor in kept and touches(actor, body):
                        ties.add(actor, body, "member-of", None, sources)
    direct = {"PARTNERS_WITH": "partnership", "PART_OF": "part-of"}
    for a, b, data in graph.edges(data=True):
        kind = direct.get(data.get("type", ""))
        if kind in wanted and a in kept and b in kept and touches(a, b):
            since = year_of(data.get("since"))
            if overlaps(None if since is None else (since, None), where.fiscal_years):
                ties.add(a, b, kind, None, data.get("sources", []))
    if "funding" in wanted:
        for flow in funding_flows(graph, Slice(where.fiscal_years, where.countries, None)):
            for funder in flow.funders:
                for recipient in flow.recipients:
                    if funder in kept and recipient in kept:
                        ties.add(funder, recipient, "funding", flow.id, flow.sources)

    view = nx.Graph(kind="cooperation", **_slice_meta(where), evidence_kinds=sorted(wanted))
    nodes = kept if where.countries is None else (
        {n for n in kept if where.keeps_countries(located[n])} | {n for pair in ties.items for n in pair}
    )
    _copy_nodes(view, graph, sorted(nodes))
    ties.fill(view)
    return view


def resource_flow_graph(
    graph: nx.MultiDiGraph,
    fiscal_years: YearRange | int | str | None = None,
    countries: Iterable[str] | str | None = None,
    actor_types: Iterable[str] | str | None = None,
) -> nx.DiGraph:
    """Directed actor -> actor ties along which money and programs flow: the input to brokerage roles.

    * ``funding``: funder -> recipient of a Funding (PROVIDES ... RECEIVED_BY);
    * ``program``: inside one program, each tier of participants -> the next non-empty tier, the tiers being
      funders (role `funding`, or providers of a Funding that FUNDS the program), intermediaries
      (`analysis.funding.IMPLEMENTER_ROLES`) and beneficiaries (role `beneficiary`).

    Slices as `cooperation_graph`. Edge attributes: ``weight``, ``evidence``, ``kinds``.

    Example
    -------
    >>> g = nx.MultiDiGraph()
    >>> for n, label in [("agency:a", "Agency"), ("igo:b", "IntergovernmentalOrganization"),
    ...                  ("cso:c", "CivilSocietyOrganization"), ("program:p", "Program")]:
    ...     g.add_node(n, label=label, name=n)
    >>> for actor, role in [("agency:a", "funding"), ("igo:b", "implementing"), ("cso:c", "beneficiary")]:
    ...     _ = g.add_edge(actor, "program:p", key=f"PARTICIPATES_IN:{role}", type="PARTICIPATES_IN",
    ...                    role=role, sources=["src:1"])
    >>> sorted(resource_flow_graph(g).edges())
    [('agency:a', 'igo:b'), ('igo:b', 'cso:c')]
    """
    where = Slice.make(fiscal_years, countries, actor_types)
    kept = {n for n, d in graph.nodes(data=True) if where.keeps_actor(d)}
    ties = _Ties(directed=True)
    flows = funding_flows(graph, Slice(where.fiscal_years, where.countries, None))
    funders_of: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for flow in flows:
        for funder in flow.funders:
            for program in flow.programs:
                funders_of[program][funder].extend(flow.sources)
            for recipient in flow.recipients:
                if funder in kept and recipient in kept:
                    ties.add(funder, recipient, "funding", flow.id, flow.sources)
    for program in _nodes(graph, "Program"):
        members = participants(graph, program)
        if not _program_in_slice(graph, program, where, members):
            continue
        tiers: list[dict[str, list[str]]] = [
            {**participants(graph, program, FUNDER_ROLES), **funders_of.get(program, {})},
            participants(graph, program, IMPLEMENTER_ROLES),
            participants(graph, program, BENEFICIARY_ROLES),
        ]
        tiers = [{a: s for a, s in tier.items() if a in kept} for tier in tiers]
        tiers = [tier for tier in tiers if tier]
        for upper, lower in zip(tiers, tiers[1:], strict=False):
            for a, a_sources in sorted(upper.items()):
                for b, b_sources in sorted(lower.items()):
                    ties.add(a, b, "program", program, [*a_sources, *b_sources])
    view = nx.DiGraph(kind="resource-flow", **_slice_meta(where))
    located = {n: actor_countries(graph, n) for n in kept}
    nodes = kept if where.countries is None else (
        {n for n in kept if where.keeps_countries(located[n])} | {n for pair in ties.items for n in pair}
    )
    _copy_nodes(view, graph, sorted(nodes))
    ties.fill(view)
    return view


def affiliation_graph(
    graph: nx.MultiDiGraph,
    fiscal_years: YearRange | int | str | None = None,
    countries: Iterable[str] | str | None = None,
    actor_types: Iterable[str] | str | None = None,
    roles: Iterable[str] | None = None,
) -> nx.Graph:
    """The bipartite actor x program graph: an edge where an actor PARTICIPATES_IN a program.

    Node attribute ``bipartite`` is 0 for actors and 1 for programs (the networkx convention). Edge
    attributes: ``roles`` (sorted list) and ``sources`` (sorted list). Only programs with at least one
    participant in the slice, and actors with at least one program, are nodes. `roles` keeps only
    participations in those roles.

    Example
    -------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("agency:a", label="Agency", name="A")
    >>> g.add_node("program:p", label="Program", name="P")
    >>> _ = g.add_edge("agency:a", "program:p", key="PARTICIPATES_IN:funding", type="PARTICIPATES_IN",
    ...                role="funding", sources=["src:1"])
    >>> b = affiliation_graph(g)
    >>> b.nodes["agency:a"]["bipartite"], b.nodes["program:p"]["bipartite"], b.edges["agency:a", "program:p"]["roles"]
    (0, 1, ['funding'])
    """
    where = Slice.make(fiscal_years, countries, actor_types)
    wanted_roles = None if roles is None else frozenset(roles)
    view = nx.Graph(kind="affiliation", **_slice_meta(where))
    for program in _nodes(graph, "Program"):
        members = participants(graph, program)
        if not _program_in_slice(graph, program, where, members):
            continue
        for actor, data in _in_edges(graph, program, "PARTICIPATES_IN"):
            if not where.keeps_actor(graph.nodes[actor]):
                continue
            if wanted_roles is not None and data.get("role") not in wanted_roles:
                continue
            if actor not in view:
                view.add_node(actor, **{**graph.nodes[actor], "bipartite": 0})
            if program not in view:
                view.add_node(program, **{**graph.nodes[program], "bipartite": 1})
            if view.has_edge(actor, program):
                edge = view.edges[actor, program]
                edge["roles"] = sorted({*edge["roles"], data.get("role")})
                edge["sources"] = sorted({*edge["sources"], *data.get("sources", [])})
            else:
                view.add_edge(actor, program, roles=[data.get("role")], sources=sorted(data.get("sources", [])))
    return view


def funding_graph(
    graph: nx.MultiDiGraph,
    fiscal_years: YearRange | int | str | None = None,
    countries: Iterable[str] | str | None = None,
    actor_types: Iterable[str] | str | None = None,
) -> nx.DiGraph:
    """Funder -> program and funder -> recipient, with USD amounts summed per flow type, never across types.

    `actor_types` keeps funders of those labels. Edge attributes: ``kind`` (`"program"` or `"recipient"`),
    ``amounts`` (dict flowType -> USD; the program edge carries the share set by the FUNDS `percentage`),
    ``fundings`` (Funding ids), ``unconverted`` (Funding ids without `amountUsd`, not summed), ``sources``.

    Example
    -------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("agency:a", label="Agency", name="A")
    >>> g.add_node("program:p", label="Program", name="P")
    >>> for i, kind in enumerate(["obligation", "obligation", "disbursement"]):
    ...     g.add_node(f"funding:{i}", label="Funding", amount=10.0, amountUsd=10.0, flowType=kind, fiscalYear=2016)
    ...     _ = g.add_edge("agency:a", f"funding:{i}", key="PROVIDES", type="PROVIDES", sources=["src:1"])
    ...     _ = g.add_edge(f"funding:{i}", "program:p", key="FUNDS", type="FUNDS", sources=["src:1"])
    >>> funding_graph(g).edges["agency:a", "program:p"]["amounts"]
    {'disbursement': 10.0, 'obligation': 20.0}
    """
    where = Slice.make(fiscal_years, countries, actor_types)
    view = nx.DiGraph(kind="funding", **_slice_meta(where))
    for flow in funding_flows(graph, where):
        targets = [(p, share, "program") for p, share in flow.programs.items()]
        targets += [(r, 1.0, "recipient") for r in flow.recipients]
        for funder in flow.funders:
            if not where.keeps_actor(graph.nodes[funder]):
                continue
            share_of_funders = 1.0 / len(flow.funders)
            for target, share, kind in targets:
                for node in (funder, target):
                    if node not in view:
                        view.add_node(node, **graph.nodes[node])
                if not view.has_edge(funder, target):
                    view.add_edge(funder, target, kind=kind, amounts={}, fundings=[], unconverted=[], sources=[])
                edge = view.edges[funder, target]
                if flow.amount_usd is None:
                    edge["unconverted"].append(flow.id)
                else:
                    amount = flow.amount_usd * share * share_of_funders
                    edge["amounts"][flow.flow_type] = edge["amounts"].get(flow.flow_type, 0.0) + amount
                    edge["amounts"] = dict(sorted(edge["amounts"].items()))
                    edge["fundings"].append(flow.id)
                edge["sources"] = sorted({*edge["sources"], *flow.sources})
    return view


def actors(graph: nx.Graph) -> list[str]:
    """The actor nodes of any of these graphs, sorted."""
    return sorted(n for n, d in graph.nodes(data=True) if d.get("label") in vocab.ACTOR)
