"""Seed Neo4j with the curated dataset: validate everything first, then schema, then one write transaction."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from neo4j import Driver

from graph_seed.neo4j_writer import COUNT_NODES, WriteSummary, delete_all, ensure_schema, write_records
from graph_seed.records import Dataset, load_dataset


@dataclass(frozen=True)
class SeedReport:
    summary: WriteSummary
    nodes: int
    relationships: int
    seconds: float


def seed(
    driver: Driver,
    database: str | None = None,
    reset: bool = False,
    dataset: Dataset | None = None,
    files: list[Path] | None = None,
    progress: Callable[[str], None] = print,
) -> SeedReport:
    """Validate the dataset (nothing is written if it is invalid), then MERGE it into Neo4j."""
    started = time.monotonic()
    dataset = dataset or load_dataset(files)
    progress(f"Validated {len(dataset.nodes)} nodes and {len(dataset.edges)} relationships.")
    with driver.session(database=database) as session:
        created = ensure_schema(session)
        if created:
            progress(f"Created {len(created)} constraints and indexes: {', '.join(created)}.")
        else:
            progress("Constraints and indexes already in place.")
        if reset:
            progress("Removing the existing graph (--reset)...")
            delete_all(session)
        summary = write_records(session, dataset.nodes, dataset.edges)
    progress(f"Seeded: {summary.describe()}.")
    return SeedReport(summary, len(dataset.nodes), len(dataset.edges), time.monotonic() - started)


def graph_is_empty(driver: Driver, database: str | None = None) -> bool:
    records, _, _ = driver.execute_query(COUNT_NODES, database_=database)
    return records[0]["count"] == 0
