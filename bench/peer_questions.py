"""The questions of the peer benchmark: each asked of CBSI Graph and of the Neo4j GraphQL Library, with the
function that turns each answer into the same plain shape, so the benchmark can check both hold the same data.

Why both spellings side by side: the two schemas differ (Relay connections with edge fields against the peer's
`xxxConnection { edges { properties } }` and `limit`/`sort` lists), and a comparison is only fair when both ask
for the same nodes in the same order. Ties are broken by graph id on both sides. Nested lists are compared as
sets (sorted here); the outer page's order is compared as returned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Shape = Callable[[dict[str, Any]], Any]
BY_NAME = "sort: [{node: {name: ASC}}, {node: {id: ASC}}]"


def _edges(conn: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [edge["node"] | {k: v for k, v in edge.items() if k != "node"} for edge in (conn or {})["edges"]]


def _peer_edges(conn: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] | (edge.get("properties") or {}) for edge in conn["edges"]]


def _canon(value: Any) -> Any:
    """Nested lists as sorted tuples, dicts as sorted items; the graph id is called `id` on both sides."""
    if isinstance(value, dict):
        return tuple(sorted(("id" if k == "graphId" else k, _canon(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(sorted((_canon(v) for v in value), key=repr))
    return value


def _ordered(rows: list[dict[str, Any]]) -> tuple[Any, ...]:
    return tuple(_canon(row) for row in rows)


@dataclass(frozen=True)
class Question:
    name: str
    shape: str  # what it exercises, for the report
    ours: str
    peer: str
    ours_shape: Shape
    peer_shape: Shape


def _lookup_ours(d: dict[str, Any]) -> Any:
    g = d["government"]
    return _canon({"id": g["graphId"], "name": g["name"], "countryCode": g["countryCode"],
                   "memberships": _edges(g["memberships"])})


def _lookup_peer(d: dict[str, Any]) -> Any:
    g = d["governments"][0]
    return _canon({"id": g["id"], "name": g["name"], "countryCode": g["countryCode"],
                   "memberships": _peer_edges(g["membershipsConnection"])})


def _programs_ours(d: dict[str, Any]) -> Any:
    rows = []
    for p in _edges(d["government"]["programsOperating"]):
        rows.append({"id": p["graphId"], "name": p["name"], "percentage": p["percentage"],
                     "implementers": _edges(p["participants"]),
                     "fundings": [{"id": f["graphId"], "fiscalYear": f["fiscalYear"], "amountUsd": f["amountUsd"],
                                   "provider": _edges(f["provider"])} for f in _edges(p["fundings"])]})
    return _ordered(rows)


def _programs_peer(d: dict[str, Any]) -> Any:
    rows = []
    for p in _peer_edges(d["governments"][0]["programsOperatingConnection"]):
        rows.append({"id": p["id"], "name": p["name"], "percentage": p["percentage"],
                     "implementers": _peer_edges(p["participantsConnection"]),
                     "fundings": [{"id": f["id"], "fiscalYear": f["fiscalYear"], "amountUsd": f["amountUsd"],
                                   "provider": f["provider"]} for f in _peer_edges(p["fundingsConnection"])]})
    return _ordered(rows)


def _list_ours(root: str) -> Shape:
    return lambda d: _ordered(_edges(d[root]))


def _list_peer(root: str) -> Shape:
    return lambda d: _ordered(d[root])


def _fundings_ours(d: dict[str, Any]) -> Any:
    return _ordered([f | {"provider": _edges(f["provider"]), "recipient": _edges(f["recipient"])}
                     for f in _edges(d["fundings"])])


def _counts_ours(d: dict[str, Any]) -> Any:
    return _ordered([{"id": g["graphId"], "count": g["programsOperating"]["totalCount"]}
                     for g in _edges(d["governments"])])


def _counts_peer(d: dict[str, Any]) -> Any:
    return _ordered([{"id": g["id"], "count": g["programsOperatingConnection"]["aggregate"]["count"]["nodes"]}
                     for g in d["governments"]])


def _deep_ours(d: dict[str, Any]) -> Any:
    def country(c: dict[str, Any]) -> Any:
        return {"id": c["graphId"], "name": c["name"]}

    def funding(f: dict[str, Any]) -> Any:
        return {"id": f["graphId"], "program": [{"id": p["graphId"], "countries": [country(c) for c in
                                                 _edges(p["countries"])]} for p in _edges(f["program"])]}

    return _ordered([{"id": p["graphId"], "fundings": [funding(f) for f in _edges(p["fundings"])]}
                     for p in _edges(d["government"]["programsOperating"])])


def _deep_peer(d: dict[str, Any]) -> Any:
    return _ordered(d["governments"][0]["programsOperating"])


def _hub_ours(d: dict[str, Any]) -> Any:
    a = d["agency"]
    return _canon({"id": a["graphId"], "programs": _edges(a["programs"])})


def _hub_peer(d: dict[str, Any]) -> Any:
    a = d["agencies"][0]
    return _canon({"id": a["id"], "programs": _peer_edges(a["programsConnection"])})


_FUNDING_ORDER = "sort: [{node: {name: ASC}}, {node: {id: ASC}}]"
QUESTIONS: tuple[Question, ...] = (
    Question(
        "lookup", "one government by id with its memberships (edge properties)",
        '{ government(id: "gov:JM") { graphId name countryCode '
        "memberships(first: 50) { edges { since role node { graphId name } } } } }",
        '{ governments(where: {id: {eq: "gov:JM"}}) { id name countryCode '
        f"membershipsConnection(first: 50, {BY_NAME}) "
        "{ edges { properties { since role } node { id name } } } } }",
        _lookup_ours, _lookup_peer),
    Question(
        "programs-3hop", "first 20 programs in Jamaica, their implementers, fundings and each funding's provider",
        '{ government(id: "gov:JM") { programsOperating(first: 20) { edges { percentage node { graphId name '
        "participants(role: IMPLEMENTING, first: 10) { edges { node { graphId name } } } "
        "fundings(first: 10, sort: {field: NAME, direction: ASC}) { edges { node { graphId fiscalYear amountUsd "
        "provider(first: 1) { edges { node { graphId name } } } } } } } } } } }",
        '{ governments(where: {id: {eq: "gov:JM"}}) { '
        f"programsOperatingConnection(first: 20, {BY_NAME}) {{ edges {{ properties {{ percentage }} node {{ id name "
        f'participantsConnection(first: 10, where: {{edge: {{role: {{eq: "implementing"}}}}}}, {BY_NAME}) '
        "{ edges { node { id name } } } "
        f"fundingsConnection(first: 10, {_FUNDING_ORDER}) {{ edges {{ node {{ id fiscalYear amountUsd "
        "provider(limit: 1, sort: [{name: ASC}]) { id name } } } } } } } } }",
        _programs_ours, _programs_peer),
    Question(
        "nested-filter", "programs in Jamaica in which INL takes part (two relationship filters)",
        '{ programs(first: 20, where: {countries: {some: {id: {eq: "gov:JM"}}}, '
        'participants: {some: {id: {eq: "agency:us-state-inl"}}}}) { edges { node { graphId name } } } }',
        '{ programs(limit: 20, sort: [{name: ASC}, {id: ASC}], where: {countries: {some: {id: {eq: "gov:JM"}}}, '
        'participants: {some: {id: {eq: "agency:us-state-inl"}}}}) { id name } }',
        _list_ours("programs"), _list_peer("programs")),
    Question(
        "fundings-range", "fundings FY2010-FY2011, largest first, with provider and recipient",
        "{ fundings(first: 20, where: {fiscalYear: {gte: 2010, lte: 2011}}, "
        "sort: {field: AMOUNT_USD, direction: DESC}) { edges { node { graphId fiscalYear amountUsd "
        "provider(first: 1) { edges { node { graphId name } } } "
        "recipient(first: 1) { edges { node { graphId name } } } } } } }",
        "{ fundings(limit: 20, sort: [{amountUsd: DESC}, {id: DESC}], where: {fiscalYear: {gte: 2010, lte: 2011}}) "
        "{ id fiscalYear amountUsd provider(limit: 1, sort: [{name: ASC}]) { id name } "
        "recipient(limit: 1, sort: [{name: ASC}]) { id name } } }",
        _fundings_ours, _list_peer("fundings")),
    Question(
        "count-per-country", "how many programs operate in each government (a count per parent)",
        "{ governments(first: 50) { edges { node { graphId programsOperating { totalCount } } } } }",
        "{ governments(limit: 50, sort: [{name: ASC}, {id: ASC}]) { id "
        "programsOperatingConnection { aggregate { count { nodes } } } } }",
        _counts_ours, _counts_peer),
    Question(
        "deep", "four hops: Jamaica's programs, their fundings, the funded program, its countries",
        '{ government(id: "gov:JM") { programsOperating(first: 5) { edges { node { graphId '
        "fundings(first: 5, sort: {field: NAME, direction: ASC}) { edges { node { graphId "
        "program(first: 1) { edges { node { graphId countries(first: 5) { edges { node { graphId name "
        "} } } } } } } } } } } } } }",
        '{ governments(where: {id: {eq: "gov:JM"}}) { programsOperating(limit: 5, sort: [{name: ASC}, {id: ASC}]) '
        "{ id fundings(limit: 5, sort: [{name: ASC}, {id: ASC}]) { id program(limit: 1, sort: [{name: ASC}]) "
        "{ id countries(limit: 5, sort: [{name: ASC}, {id: ASC}]) { id name } } } } } }",
        _deep_ours, _deep_peer),
    Question(
        "hub-first5", "USAID (about 2,500 funding links): the first 5 programs it funds",
        '{ agency(id: "agency:usaid") { graphId programs(first: 5, role: FUNDING) '
        "{ edges { role node { graphId name } } } } }",
        '{ agencies(where: {id: {eq: "agency:usaid"}}) { id programsConnection(first: 5, '
        f'where: {{edge: {{role: {{eq: "funding"}}}}}}, {BY_NAME}) '
        "{ edges { properties { role } node { id name } } } } }",
        _hub_ours, _hub_peer),
    Question(
        "name-contains", "programs whose name contains a text (a search-like list)",
        '{ programs(first: 10, where: {name: {contains: "activity 5012"}}) { edges { node { graphId name level } } } }',
        '{ programs(limit: 10, sort: [{name: ASC}, {id: ASC}], where: {name: {contains: "activity 5012"}}) '
        "{ id name level } }",
        _list_ours("programs"), _list_peer("programs")),
    Question(
        "list", "the first 20 governments by name with their scalar fields",
        "{ governments(first: 20) { edges { node { graphId name countryCode cbsiRole } } } }",
        "{ governments(limit: 20, sort: [{name: ASC}, {id: ASC}]) { id name countryCode cbsiRole } }",
        _list_ours("governments"), _list_peer("governments")),
)
