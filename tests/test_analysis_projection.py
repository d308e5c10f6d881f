"""Derived views on a small hand-built CBSI graph: every expected tie is worked out in the comments.

The toy graph (`toy_graph`) used here and in other analysis tests:

    gov:US (Government, US)        agency:inl (Agency) -PART_OF-> gov:US
    gov:JM (Government, JM, partner)   gov:BB (Government, BB, partner)
    igo:impacs (IGO)               cso:jm-ngo (CSO, countryCode JM)
    program:p1 2015-01..2017-12, OPERATES_IN JM, ADVANCES objective:o1, ADDRESSES focus:f1
        participants: inl (funding), impacs (implementing), cso (beneficiary)
    program:p2 2019-01.., OPERATES_IN BB; participants: inl (funding), impacs (implementing)
    funding:f1 obligation 100 USD FY2016: inl PROVIDES, FUNDS p1, RECEIVED_BY impacs
    funding:f2 disbursement 40 USD FY2016: inl PROVIDES, FUNDS p1
    funding:f3 obligation 50 USD FY2020: inl PROVIDES, FUNDS p2
    gov:JM, gov:BB MEMBER_OF igo:impacs; meeting:m1 (2016-05) ATTENDED by gov:JM and gov:US
    cso:jm-ngo PARTNERS_WITH igo:impacs since 2018
"""

from __future__ import annotations

import networkx as nx
import pytest

from analysis.projection import (
    affiliation_graph,
    cooperation_graph,
    from_neo4j,
    from_records,
    funding_graph,
    resource_flow_graph,
)
from graph_seed.model import EdgeRecord, NodeRecord
from graph_seed.records import Dataset
from graph_seed.to_networkx import to_multidigraph


def toy_dataset() -> Dataset:
    def node(node_id: str, label: str, **props: object) -> NodeRecord:
        sources = () if label == "Source" else ("src:toy",)
        return NodeRecord(id=node_id, label=label, name=node_id.split(":")[1], sources=sources,
                          properties=props if label != "Source" else {"title": "Toy"})

    def edge(start: str, rel_type: str, end: str, source: str = "src:toy", **props: object) -> EdgeRecord:
        return EdgeRecord.model_validate({"type": rel_type, "from": start, "to": end, "sources": [source],
                                          "properties": props})

    nodes = [
        node("src:toy", "Source"),
        node("gov:US", "Government", countryCode="US", cbsiRole="united-states"),
        node("gov:JM", "Government", countryCode="JM", cbsiRole="partner"),
        node("gov:BB", "Government", countryCode="BB", cbsiRole="partner"),
        node("agency:inl", "Agency", acronym="INL"),
        node("igo:impacs", "IntergovernmentalOrganization", acronym="IMPACS"),
        node("cso:jm-ngo", "CivilSocietyOrganization", countryCode="JM"),
        node("program:p1", "Program", startDate="2015-01", endDate="2017-12"),
        node("program:p2", "Program", startDate="2019-01"),
        node("objective:o1", "Objective"),
        node("objective:o2", "Objective"),
        node("focus:f1", "FocusArea"),
        node("funding:f1", "Funding", amount=100, flowType="obligation", fiscalYear=2016),
        node("funding:f2", "Funding", amount=40, flowType="disbursement", fiscalYear=2016),
        node("funding:f3", "Funding", amount=50, flowType="obligation", fiscalYear=2020),
        node("meeting:m1", "Meeting", date="2016-05"),
        node("mechanism:cbsi-dialogue", "Mechanism"),
    ]
    edges = [
        edge("agency:inl", "PART_OF", "gov:US"),
        edge("program:p1", "OPERATES_IN", "gov:JM"),
        edge("program:p1", "ADVANCES", "objective:o1"),
        edge("program:p1", "ADDRESSES", "focus:f1"),
        edge("program:p2", "OPERATES_IN", "gov:BB"),
        edge("agency:inl", "PARTICIPATES_IN", "program:p1", source="src:p1-inl", role="funding"),
        edge("igo:impacs", "PARTICIPATES_IN", "program:p1", source="src:p1-impacs", role="implementing"),
        edge("cso:jm-ngo", "PARTICIPATES_IN", "program:p1", role="beneficiary"),
        edge("agency:inl", "PARTICIPATES_IN", "program:p2", role="funding"),
        edge("igo:impacs", "PARTICIPATES_IN", "program:p2", role="implementing"),
        edge("agency:inl", "PROVIDES", "funding:f1"),
        edge("funding:f1", "FUNDS", "program:p1"),
        edge("funding:f1", "RECEIVED_BY", "igo:impacs"),
        edge("agency:inl", "PROVIDES", "funding:f2"),
        edge("funding:f2", "FUNDS", "program:p1"),
        edge("agency:inl", "PROVIDES", "funding:f3"),
        edge("funding:f3", "FUNDS", "program:p2"),
        edge("gov:JM", "MEMBER_OF", "igo:impacs"),
        edge("gov:BB", "MEMBER_OF", "igo:impacs"),
        edge("gov:JM", "ATTENDED", "meeting:m1"),
        edge("gov:US", "ATTENDED", "meeting:m1"),
        edge("meeting:m1", "OF", "mechanism:cbsi-dialogue"),
        edge("cso:jm-ngo", "PARTNERS_WITH", "igo:impacs", since="2018"),
    ]
    return Dataset(nodes=nodes, edges=edges)


def toy_graph() -> nx.MultiDiGraph:
    return from_records(toy_dataset())


def weights(graph: nx.Graph) -> dict[frozenset[str], int]:
    return {frozenset((u, v)): d["weight"] for u, v, d in graph.edges(data=True)}


ACTORS = {"gov:US", "gov:JM", "gov:BB", "agency:inl", "igo:impacs", "cso:jm-ngo"}


def test_from_records_is_the_graph_seed_multidigraph() -> None:
    graph = toy_graph()
    expected = to_multidigraph(toy_dataset())
    assert dict(graph.nodes(data=True)) == dict(expected.nodes(data=True))
    assert sorted(graph.edges(keys=True)) == sorted(expected.edges(keys=True))
    assert graph.nodes["funding:f1"]["amountUsd"] == 100.0


def test_cooperation_graph_ties_and_weights() -> None:
    view = cooperation_graph(toy_graph())
    assert set(view.nodes) == ACTORS
    # inl-impacs: shared p1 + shared p2 + funding f1 (inl PROVIDES, RECEIVED_BY impacs) = 3
    # impacs-cso: shared p1 + PARTNERS_WITH = 2;  inl-cso: shared p1 = 1
    # JM-BB: both MEMBER_OF impacs = 1; JM-impacs, BB-impacs: direct member-of = 1 each; JM-US: meeting m1 = 1
    assert weights(view) == {
        frozenset({"agency:inl", "igo:impacs"}): 3,
        frozenset({"igo:impacs", "cso:jm-ngo"}): 2,
        frozenset({"agency:inl", "cso:jm-ngo"}): 1,
        frozenset({"gov:JM", "gov:BB"}): 1,
        frozenset({"gov:JM", "igo:impacs"}): 1,
        frozenset({"gov:BB", "igo:impacs"}): 1,
        frozenset({"gov:JM", "gov:US"}): 1,
    }
    evidence = view.edges["agency:inl", "igo:impacs"]["evidence"]
    assert [(e["kind"], e["via"]) for e in evidence] == [
        ("funding", "funding:f1"), ("program", "program:p1"), ("program", "program:p2"),
    ]
    assert evidence[1]["sources"] == ["src:p1-impacs", "src:p1-inl"]
    assert view.edges["igo:impacs", "cso:jm-ngo"]["kinds"] == ["partnership", "program"]
    assert view.nodes["agency:inl"]["acronym"] == "INL"


def test_cooperation_graph_part_of_is_opt_in() -> None:
    view = cooperation_graph(toy_graph(), kinds=["part-of"])
    assert weights(view) == {frozenset({"agency:inl", "gov:US"}): 1}
    with pytest.raises(ValueError, match="unknown evidence kind"):
        cooperation_graph(toy_graph(), kinds=["gossip"])


def test_cooperation_graph_fiscal_year_slice() -> None:
    # 2019-2020: p1 (2015-2017), f1 (FY2016) and m1 (2016) drop out; p2 (2019-) stays; undated memberships
    # stay; the partnership (since 2018) stays.
    view = cooperation_graph(toy_graph(), fiscal_years=(2019, 2020))
    assert weights(view) == {
        frozenset({"agency:inl", "igo:impacs"}): 1,
        frozenset({"igo:impacs", "cso:jm-ngo"}): 1,
        frozenset({"gov:JM", "gov:BB"}): 1,
        frozenset({"gov:JM", "igo:impacs"}): 1,
        frozenset({"gov:BB", "igo:impacs"}): 1,
    }
    assert cooperation_graph(toy_graph(), fiscal_years="2019-2020").edges == view.edges


def test_cooperation_graph_country_slice() -> None:
    # JM: p1 operates in JM (in), p2 in BB (out); f1 funds p1 (in); m1, the JM-BB membership, JM-impacs and
    # the cso partnership each touch a JM actor (in); BB-impacs touches none (out).
    view = cooperation_graph(toy_graph(), countries=["JM"])
    assert weights(view) == {
        frozenset({"agency:inl", "igo:impacs"}): 2,
        frozenset({"igo:impacs", "cso:jm-ngo"}): 2,
        frozenset({"agency:inl", "cso:jm-ngo"}): 1,
        frozenset({"gov:JM", "gov:BB"}): 1,
        frozenset({"gov:JM", "igo:impacs"}): 1,
        frozenset({"gov:JM", "gov:US"}): 1,
    }


def test_cooperation_graph_actor_type_slice() -> None:
    view = cooperation_graph(toy_graph(), actor_types="Agency,CivilSocietyOrganization")
    assert set(view.nodes) == {"agency:inl", "cso:jm-ngo"}
    assert weights(view) == {frozenset({"agency:inl", "cso:jm-ngo"}): 1}
    with pytest.raises(ValueError, match="unknown actor type"):
        cooperation_graph(toy_graph(), actor_types=["Program"])


def test_resource_flow_graph_tiers() -> None:
    # inl -> impacs: funding f1, p1 (funder tier -> implementer tier), p2 = 3; impacs -> cso: p1 = 1.
    view = resource_flow_graph(toy_graph())
    assert {(u, v): d["weight"] for u, v, d in view.edges(data=True)} == {
        ("agency:inl", "igo:impacs"): 3,
        ("igo:impacs", "cso:jm-ngo"): 1,
    }


def test_affiliation_graph_is_bipartite() -> None:
    view = affiliation_graph(toy_graph())
    assert {n for n, d in view.nodes(data=True) if d["bipartite"] == 0} == {"agency:inl", "igo:impacs", "cso:jm-ngo"}
    assert {n for n, d in view.nodes(data=True) if d["bipartite"] == 1} == {"program:p1", "program:p2"}
    assert view.edges["agency:inl", "program:p1"] == {"roles": ["funding"], "sources": ["src:p1-inl"]}
    assert nx.is_bipartite(view)
    only_beneficiaries = affiliation_graph(toy_graph(), roles=["beneficiary"])
    assert sorted(only_beneficiaries.edges) == [("cso:jm-ngo", "program:p1")]


def test_funding_graph_keeps_flow_types_apart() -> None:
    view = funding_graph(toy_graph())
    # p1 gets f1 (obligation 100) and f2 (disbursement 40): never added into 140.
    assert view.edges["agency:inl", "program:p1"]["amounts"] == {"disbursement": 40.0, "obligation": 100.0}
    assert view.edges["agency:inl", "program:p2"]["amounts"] == {"obligation": 50.0}
    assert view.edges["agency:inl", "igo:impacs"]["amounts"] == {"obligation": 100.0}
    assert view.edges["agency:inl", "igo:impacs"]["kind"] == "recipient"
    sliced = funding_graph(toy_graph(), fiscal_years=2020)
    assert sorted(sliced.edges) == [("agency:inl", "program:p2")]
    assert sorted(funding_graph(toy_graph(), countries="BB").edges) == [("agency:inl", "program:p2")]


class _FakeResult(list):
    pass


class _FakeTx:
    def __init__(self, nodes: list[dict], edges: list[dict]) -> None:
        self.rows = {"nodes": nodes, "edges": edges}

    def run(self, query: str) -> _FakeResult:
        return _FakeResult(self.rows["nodes" if "labels(n)" in query else "edges"])


class _FakeSession:
    def __init__(self, tx: _FakeTx) -> None:
        self.tx = tx

    def __enter__(self) -> _FakeSession:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def execute_read(self, work):
        return work(self.tx)


class _FakeDriver:
    def __init__(self, tx: _FakeTx) -> None:
        self.tx = tx

    def session(self, **_kwargs: object) -> _FakeSession:
        return _FakeSession(self.tx)


def test_from_neo4j_builds_the_same_shape_and_drops_alias_text() -> None:
    """Pure-Python check of the row handling; tests/test_analysis_neo4j.py runs it against a real Neo4j."""
    tx = _FakeTx(
        nodes=[
            {"id": "gov:JM", "label": "Government", "props": {
                "id": "gov:JM", "name": "Jamaica", "aliases": ["JA"], "aliasText": "JA | ", "sources": ["src:a"],
                "countryCode": "JM"}},
            {"id": "program:p", "label": "Program", "props": {"id": "program:p", "name": "P", "sources": ["src:a"]}},
        ],
        edges=[{"start": "program:p", "type": "OPERATES_IN", "end": "gov:JM", "props": {"sources": ["src:a"]}}],
    )
    graph = from_neo4j(_FakeDriver(tx))
    assert graph.nodes["gov:JM"] == {"label": "Government", "name": "Jamaica", "aliases": ["JA"],
                                     "sources": ["src:a"], "countryCode": "JM"}
    assert list(graph.edges(keys=True, data=True)) == [
        ("program:p", "gov:JM", "OPERATES_IN", {"type": "OPERATES_IN", "sources": ["src:a"]}),
    ]
