"""The measure registry: every name runs on a graph and returns something with `.to_frame()`."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import MEASURES
from analysis.projection import from_records
from graph_seed.records import load_dataset
from tests.test_analysis_projection import toy_graph

EXPECTED = {
    "degree", "betweenness", "eigenvector", "pagerank", "centrality", "brokers", "brokerage-roles", "constraint",
    "communities", "affiliation", "concentration", "coverage-gaps", "funding-by-year", "paths", "knowledge-coverage",
}


def test_registry_names() -> None:
    assert set(MEASURES) == EXPECTED
    for function in MEASURES.values():
        assert function.__doc__ and "Options" in function.__doc__ or "options" in function.__doc__.lower()


@pytest.mark.parametrize("name", sorted(EXPECTED - {"paths"}))
def test_each_measure_on_the_toy_graph(name: str) -> None:
    result = MEASURES[name](toy_graph(), fiscal_years="2015-2020")
    assert isinstance(result.to_frame(), pd.DataFrame)
    assert isinstance(result.to_records(), list)


def test_options_reach_the_measure() -> None:
    graph = toy_graph()
    top = MEASURES["degree"](graph, top=1)
    assert [r.node for r in top] == ["igo:impacs"]  # 4 neighbours: inl, cso, JM, BB
    roles = MEASURES["brokerage-roles"](graph, group="label")
    assert roles[0].node == "igo:impacs" and roles[0].liaison == 1
    sampled = [MEASURES["betweenness"](graph, k=3, seed=9).to_records() for _ in range(2)]
    assert sampled[0] == sampled[1]
    louvain = [MEASURES["communities"](graph, seed=3).communities for _ in range(2)]
    assert louvain[0] == louvain[1]
    paths = MEASURES["paths"](graph, source="cso:jm-ngo", target="gov:US")
    assert len(paths.to_frame()) == 3
    shares = MEASURES["concentration"](graph, by="funder", shares=True)
    assert shares[0].unit == "agency:inl"
    assert MEASURES["coverage-gaps"](graph, themes="objective").matrix("programs").shape == (2, 2)


def test_registry_on_the_seed_dataset() -> None:
    graph = from_records(load_dataset())
    assert graph.number_of_nodes() > 0, "the curated dataset is empty"
    assert len(MEASURES["degree"](graph)) > 0
    result = MEASURES["communities"](graph, seed=0)
    assert result.modularity >= 0
    assert len(MEASURES["brokerage-roles"](graph)) > 0
