"""Every committed import batch moves the graph version, so the HTTP response cache never answers with a state
older than what is committed: after each batch, a cached and an uncached server agree (issue 15)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from neo4j import Driver
from pydantic import SecretStr

from app.neo4j_connection import Neo4jTarget
from app.settings import Settings
from graph_seed.importers import import_files
from graph_seed.importers import sink as sink_module
from graph_seed.importers.writer import BatchWriter
from graph_seed.neo4j_writer import GRAPH_VERSION, Batch, Counts
from tests.import_helpers import SAMPLES, one
from tests.test_graphql_http_cache import Served, serving

pytestmark = pytest.mark.neo4j
QUERY = "{ graphStats { nodes { label count } relationships { type count } } }"
REAL_WRITE = BatchWriter._write


@pytest.fixture(scope="module")
def servers(neo4j_auth: tuple[str, str, str]) -> Iterator[tuple[Served, Served]]:
    uri, user, password = neo4j_auth
    target = Neo4jTarget(uri, user, SecretStr(password), "neo4j", managed=False)
    with serving(Settings(_env_file=None), target) as cached, \
            serving(Settings(_env_file=None, CBSI_RESPONSE_CACHE=False), target) as uncached:
        yield cached, uncached


def test_each_committed_batch_moves_the_version_and_cached_answers_follow(
        seeded_graph: Driver, servers: tuple[Served, Served], monkeypatch: pytest.MonkeyPatch) -> None:
    cached, uncached = servers
    seen: list[tuple[int, Any, Any, Any]] = []

    def write_then_ask(self: BatchWriter, batch: Batch) -> Counts:
        counts = REAL_WRITE(self, batch)  # committed once this returns
        version = one(seeded_graph, GRAPH_VERSION)["version"]
        first, again = cached.query(QUERY).json(), cached.query(QUERY).json()  # a miss or a hit, then a hit
        seen.append((version, first, again, uncached.query(QUERY).json()))
        return counts

    assert cached.query(QUERY).json() == uncached.query(QUERY).json()  # the state before, now in the cache
    hits = cached.graphql.responses.hits
    monkeypatch.setattr(sink_module, "BATCH_SIZE", 60)
    monkeypatch.setattr(BatchWriter, "_write", write_then_ask)
    import_files(seeded_graph, "fa-csv", [SAMPLES / "fa_gov_El_Salvador_sample_100rows.csv"])

    assert len(seen) >= 3, "the import must commit several batches"
    versions = [version for version, *_ in seen]
    assert len(set(versions)) == len(versions), f"a batch did not move the graph version: {versions}"
    for version, first, again, plain in seen:
        assert "errors" not in plain, plain
        assert first == again == plain, f"version {version}: the cache answered an older state"
    assert len({json.dumps(plain) for *_, plain in seen}) > 1, "the batches must change what the query sees"
    assert cached.graphql.responses.hits >= hits + len(seen), "the second ask of each batch came from the cache"
