"""How fast can this machine's Neo4j take rows shaped like an import's at all? The floor under `bench_import.py`.

Why: the importer's goal is 20,000 rows/s. This measures what Neo4j costs for fewer records than one FA row
becomes, with no parsing, no look-ups before writing and no MERGE: plain `CREATE` in committed transactions
of `--rows-per-tx` rows. The client only builds each batch's rows from a formula just before sending it
(10-12 us of CPU per row, reported; with one writer that time is not overlapped with Neo4j's). If even that
cannot reach the goal on this machine, no importer design that writes through transactions can.

Shapes (each row is one Funding node and three relationships to nodes created up front):
- `import`: the Funding carries the properties an imported FA Funding has (12, with its long id, name and
  description) and each relationship `sources` and `createdBy`, under the project's full schema
  (constraints, range indexes, the full-text index);
- `bare`: the Funding carries only its id, relationships have no properties, and the only index is the
  `Entity.id` uniqueness constraint.
An FA row of the benchmark files becomes 1.4 nodes and 5.3 relationships (bench/results/import.md), so the
real importer writes more per row than either shape.

`--writers 2` writes two transactions at a time (both cores; the relationships to the shared agency nodes
take the same locks, as an import's would). CPU is read from /proc for the Neo4j process and from `getrusage`
for this client, so the figures say what each row costs in CPU, not only in time (the machine has two
cores). Wrap it in the benchmark lock:

    flock /tmp/cbsi-bench.lock .venv/bin/python bench/bench_write_floor.py --rows 200000
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

AGENCIES, PROGRAMS, PARTNERS = 10, 2_000, 500

_TARGETS = """
UNWIND range(0, $agencies - 1) AS i CREATE (:Entity:Actor:Agency {id: 'floor:agency:' + i, name: 'Agency ' + i})
WITH count(*) AS done
UNWIND range(0, $programs - 1) AS i CREATE (:Entity:Program {id: 'floor:program:' + i, name: 'Program ' + i})
WITH count(*) AS done
UNWIND range(0, $partners - 1) AS i CREATE (:Entity:Actor:CSO {id: 'floor:partner:' + i, name: 'Partner ' + i})
"""
_IMPORT_ROWS = """
UNWIND $rows AS row
MATCH (p:Entity {id: row.program}) MATCH (a:Entity {id: row.agency}) MATCH (r:Entity {id: row.partner})
CREATE (f:Entity:Funding {id: row.id, name: row.name, description: row.description, amount: row.amount,
        currency: 'USD', flowType: row.flowType, fiscalYear: row.fiscalYear, date: row.date,
        sources: [$source], aliases: [], aliasText: '', createdBy: $source})
CREATE (f)-[:FUNDS {sources: [$source], createdBy: $source}]->(p)
CREATE (a)-[:PROVIDES {sources: [$source], createdBy: $source}]->(f)
CREATE (f)-[:RECEIVED_BY {sources: [$source], createdBy: $source}]->(r)
"""
_BARE_ROWS = """
UNWIND $rows AS row
MATCH (p:Entity {id: row.program}) MATCH (a:Entity {id: row.agency}) MATCH (r:Entity {id: row.partner})
CREATE (f:Entity:Funding {id: row.id})
CREATE (f)-[:FUNDS]->(p), (a)-[:PROVIDES]->(f), (f)-[:RECEIVED_BY]->(r)
"""
SOURCE = "src:file:floor0000000000"


def rows(start: int, count: int) -> list[dict[str, Any]]:
    """Rows like an FA row's Funding: ids and texts of the same lengths as the importer's."""
    out = []
    for i in range(start, start + count):
        year = 2010 + i % 15
        out.append({
            "id": f"funding:fa:{i % 9000:07d}-{i:012x}:{i * 2654435761 % 2**64:016x}-0",
            "name": f"obligation FY{year} USD {i % 997 * 1013.25:.2f} ({i % 9000:07d}-ACT)",
            "description": f"funding account 072-{i % 90:04d} Development Assistance, partner {i % PARTNERS}",
            "amount": i % 997 * 1013.25, "flowType": "obligation", "fiscalYear": year,
            "date": f"{year}-0{1 + i % 9}-1{i % 10}",
            "program": f"floor:program:{i % PROGRAMS}", "agency": f"floor:agency:{i % AGENCIES}",
            "partner": f"floor:partner:{i % PARTNERS}",
        })
    return out


def write_floor(driver: Any, pid: int, shape: str, total: int, per_tx: int, writers: int = 1) -> dict[str, float]:
    """Write `total` rows of one shape into the Neo4j behind `driver` (process `pid`; its schema is the
    caller's), `writers` transactions at a time; seconds and CPU per row of both sides."""
    from bench.fresh_neo4j import cpu_seconds

    driver.execute_query(_TARGETS, agencies=AGENCIES, programs=PROGRAMS, partners=PARTNERS)
    query = _IMPORT_ROWS if shape == "import" else _BARE_ROWS
    before = driver.execute_query("MATCH (f:Funding) RETURN count(f) AS n").records[0]["n"]
    server_cpu, client = cpu_seconds(pid), resource.getrusage(resource.RUSAGE_SELF)
    starts = list(range(0, total, per_tx))

    def write(stream: int) -> None:
        for start in starts[stream::writers]:
            batch = rows(start, min(per_tx, total - start))
            with driver.session() as session:
                session.execute_write(lambda tx, b=batch: tx.run(query, rows=b, source=SOURCE).consume())

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=writers) as pool:
        list(pool.map(write, range(writers)))
    seconds = time.monotonic() - started
    server_cpu = cpu_seconds(pid) - server_cpu
    after = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = after.ru_utime - client.ru_utime + after.ru_stime - client.ru_stime
    # rows(...) is built inside the timed loop: its cost is counted as client CPU, kept small
    created = driver.execute_query("MATCH (f:Funding) RETURN count(f) AS n").records[0]["n"] - before
    if created != total:
        raise SystemExit(f"{shape}: expected {total} Funding nodes, found {created}")
    return {"seconds": seconds, "rows_per_s": total / seconds, "server_us": server_cpu / total * 1e6,
            "client_us": client_cpu / total * 1e6}


def run_shape(shape: str, total: int, per_tx: int, writers: int = 1) -> dict[str, float]:
    """`write_floor` into a fresh local Neo4j with the shape's schema."""
    from bench.fresh_neo4j import fresh_neo4j
    from graph_seed.neo4j_writer import ensure_schema

    with fresh_neo4j() as (neo4j, driver):
        with driver.session() as session:
            if shape == "import":
                ensure_schema(session)
            else:
                session.run("CREATE CONSTRAINT entity_id FOR (n:Entity) REQUIRE n.id IS UNIQUE").consume()
        pid = neo4j.running_pid()
        assert pid is not None
        return write_floor(driver, pid, shape, total, per_tx, writers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rows-per-tx", type=int, default=7_500,
                        help="as many as the FA rows in one of the importer's 50k-record batches")
    parser.add_argument("--writers", type=int, default=1, help="transactions written at the same time")
    parser.add_argument("--shapes", nargs="+", default=["import", "bare"], choices=["import", "bare"])
    args = parser.parse_args()
    load = os.getloadavg()[0]
    results = [(shape, run_shape(shape, args.rows, args.rows_per_tx, args.writers)) for shape in args.shapes]
    print(f"rows {args.rows}, {args.rows_per_tx} per transaction, {args.writers} writer(s); "
          f"1-min load at start {load:.2f}, at end {os.getloadavg()[0]:.2f}")
    print(f"{'shape':7} {'seconds':>8} {'rows/s':>8} {'Neo4j CPU us/row':>17} {'client CPU us/row':>18}")
    for shape, r in results:
        print(f"{shape:7} {r['seconds']:>8.1f} {r['rows_per_s']:>8.0f} {r['server_us']:>17.0f} "
              f"{r['client_us']:>18.0f}")


if __name__ == "__main__":
    main()
