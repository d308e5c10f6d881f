"""The importer against the floor, on the same fresh Neo4j in one run. Goal: at least 0.80.

Two floors, both one writer of plain `CREATE`s under the project's full schema (constraints, range and
full-text indexes):
- **same records** (the goal's yardstick, `same_records_floor.py`): the very nodes, relationships and
  properties the importer writes for the file, in its batches and order, recorded from the importer's own
  mapping. The ratio is the importer's time against the cheapest way to write what it writes.
- **row shape** (`bench_write_floor.py`, shape `import`, 7,500 rows per transaction): one Funding and three
  relationships per row, fewer records than an FA row becomes (1.39 nodes and 5.35 relationships), kept for
  comparison with earlier runs. It runs first, so it also takes a fresh Neo4j's JIT warm-up.

Per size, `--repeat` pairs then run interleaved: the same-records floor, then the importer (a generated FA
file of N rows, `gen_aid_files.py`, deterministic, imported in a child process whose `ru_maxrss` is the
client's peak RSS; its own mapping child's peak is "mapper MB"), then the import is compensated away so the
next pair meets the same graph. Each pair gives a ratio, so a change in the machine's load between pairs shows
as spread, not as bias. The floor's records are deleted before the importer runs (its resolver reads every
actor in the graph). The run stops if the floor did not create exactly the importer's nodes and relationships.

    flock /tmp/cbsi-bench.lock .venv/bin/python bench/bench_import_vs_floor.py --sizes 100000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _import(path: Path, uri: str, password: str) -> dict[str, float]:
    """One import of `path` in a child process (its `ru_maxrss` is the import's own peak RSS)."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_import.py"), "--child", "fa-csv", str(path), uri, password],
        capture_output=True, text=True, check=False, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"the import of {path.name} failed:\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--rows-per-tx", type=int, default=7_500)
    parser.add_argument("--repeat", type=int, default=3, help="floor/importer pairs per size, interleaved")
    args = parser.parse_args()

    from bench.bench_write_floor import write_floor
    from bench.fresh_neo4j import fresh_neo4j
    from bench.gen_aid_files import generate_fa
    from bench.same_records_floor import delete_floor_records, record_batches, write_same_records
    from graph_seed.importers import bookkeeping
    from graph_seed.neo4j_writer import ensure_schema

    load = os.getloadavg()[0]
    lines = []
    with tempfile.TemporaryDirectory(prefix="cbsi-bench-") as tmp, fresh_neo4j() as (neo4j, driver):
        with driver.session() as session:
            ensure_schema(session)
        pid = neo4j.running_pid()
        assert pid is not None
        for size in args.sizes:
            path = Path(tmp) / f"fa-{size}.csv"
            generate_fa(size, path, 7)
            floor = write_floor(driver, pid, "import", size, args.rows_per_tx)  # also takes the JIT warm-up
            print(f"row-shape floor {size}: {floor}", flush=True)
            delete_floor_records(driver)
            spool = Path(tmp) / f"fa-{size}.batches"
            sid, batches = record_batches("fa-csv", path, spool)
            for attempt in range(1, args.repeat + 1):
                same = write_same_records(driver, sid, spool)
                print(f"[{attempt}] same-records floor {size} ({batches} batches): {same}", flush=True)
                delete_floor_records(driver)
                run = _import(path, neo4j.uri, neo4j.password())
                print(f"[{attempt}] import {size}: {run}", flush=True)
                # the Source node is the importer's own extra record (its bookkeeping), not one of the batches'
                if (same["nodes"], same["rels"]) != (run["nodes"] - 1, run["rels"]):
                    raise SystemExit(f"the floor wrote {same['nodes']} nodes and {same['rels']} relationships, "
                                     f"the importer {run['nodes'] - 1} and {run['rels']}: not the same records")
                with driver.session() as session:
                    bookkeeping.compensate(session, sid)  # the next pair starts from the same graph
                importer, same_rate = run["rows"] / run["seconds"], size / same["seconds"]
                lines.append(f"{size:>9} {attempt:>3} {same_rate:>13.0f} {importer:>14.0f} "
                             f"{importer / same_rate:>6.2f} {importer / floor['rows_per_s']:>10.2f} "
                             f"{run['maxrss_mb']:>12.0f} {run['mapper_maxrss_mb']:>10.0f} "
                             f"{run['nodes']:>9} {run['rels']:>9} "
                             f"{os.getloadavg()[0]:>5.1f}")
            spool.unlink()
            print(f"row-shape floor {size}: {floor['rows_per_s']:.0f} rows/s", flush=True)
    print(f"\n1-min load average at start {load:.2f}, at end {os.getloadavg()[0]:.2f}")
    print(f"{'FA rows':>9} {'run':>3} {'floor rows/s':>13} {'import rows/s':>14} {'ratio':>6} "
          f"{'vs row-shape':>10} {'peak RSS MB':>12} {'mapper MB':>10} {'nodes+':>9} {'rels+':>9} {'load':>5}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
