"""Where one `fundingAggregate`'s time goes: the statement's rows read, `batch_of` over them, `aggregate_batches`,
and the whole streamed `funding_aggregate`, median of 3, against a Neo4j already running on a store that
`bench_aggregate.py --home` built (issue #15, session 9: what is left of cookbook 34 by RECIPIENT).

    CBSI_DATA_DIR=/tmp/agg/serve CBSI_NEO4J_PORT=7699 .venv/bin/cbsi-graph neo4j start
    flock /tmp/cbsi-bench.lock .venv/bin/python bench/split_aggregate.py --data-dir /tmp/agg/serve --port 7699 recipient
    CBSI_DATA_DIR=/tmp/agg/serve CBSI_NEO4J_PORT=7699 .venv/bin/cbsi-graph neo4j stop
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from analysis import money  # noqa: E402
from app.neo4j_connection import async_driver, resolve_target  # noqa: E402
from app.settings import Settings  # noqa: E402
from resolvers import aggregates  # noqa: E402
from resolvers.cypher import CypherRunner  # noqa: E402


async def split(data_dir: Path, port: int, group_by: list[str], repeat: int) -> None:
    settings = Settings(_env_file=None, CBSI_DATA_DIR=data_dir, CBSI_NEO4J_PORT=port)
    driver = async_driver(resolve_target(settings, start_local=False))
    runner = CypherRunner(driver, None, 600.0)
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
    dims = aggregates.group_dimensions(group_by, None)
    cypher, params = aggregates._statement(dims, None, None)  # noqa: SLF001 - the statement the resolver sends
    spent: dict[str, list[float]] = {"read": [], "batch_of": [], "aggregate_batches": [], "whole": []}
    rows: list = []
    try:
        for _ in range(repeat):
            started = time.monotonic()
            rows = await runner.read(cypher, params)
            spent["read"].append(time.monotonic() - started)
            started = time.monotonic()
            batches = [aggregates.batch_of(row) for row in rows]
            spent["batch_of"].append(time.monotonic() - started)
            started = time.monotonic()
            money.aggregate_batches(batches, dims)
            spent["aggregate_batches"].append(time.monotonic() - started)
            started = time.monotonic()
            await aggregates.funding_aggregate(runner, group_by, None, None)
            spent["whole"].append(time.monotonic() - started)
    finally:
        await driver.close()
    print(f"groupBy {group_by}: {len(rows):,} rows; " + "; ".join(
        f"{name} median {statistics.median(t) * 1000:,.0f} ms (min {min(t) * 1000:,.0f})" for name, t in spent.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="the store's CBSI_DATA_DIR (its password file)")
    parser.add_argument("--port", type=int, required=True, help="Bolt port of the Neo4j started on it")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("group_by", nargs="+", help="dimensions as fundingAggregate's groupBy values (recipient ...)")
    args = parser.parse_args()
    asyncio.run(split(args.data_dir, args.port, args.group_by, args.repeat))


if __name__ == "__main__":
    main()
