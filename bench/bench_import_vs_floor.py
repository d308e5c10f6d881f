"""The importer against the floor, on the same fresh Neo4j in one run: the importer's rows/s as a share of what
one writer of plain `CREATE`s achieves (`bench_write_floor.py`, shape `import`: the graph's properties and
its full schema). Goal: at least 0.80.

One fresh local Neo4j (2 GB heap, 1 GB page cache) gets the project's schema; then, per size, the floor
writes N rows (one writer, 7,500 rows per transaction) and the importer imports a generated FA file of N
rows (`gen_aid_files.py`, deterministic) in a child process, whose `ru_maxrss` is the client's peak RSS.
The importer runs second, on a graph that already holds the floor's rows (its indexes are larger): that
favours the floor, never the importer. An FA row becomes more records than a floor row (1.4 nodes and 5.3
relationships against 1 and 3), so the ratio compares rows of input, as a user sees them.

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--rows-per-tx", type=int, default=7_500)
    args = parser.parse_args()

    from bench.bench_write_floor import write_floor
    from bench.fresh_neo4j import fresh_neo4j
    from bench.gen_aid_files import generate_fa
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
            floor = write_floor(driver, pid, "import", size, args.rows_per_tx)
            print(f"floor {size}: {floor}", flush=True)
            out = subprocess.run(
                [sys.executable, str(ROOT / "bench" / "bench_import.py"), "--child", "fa-csv", str(path),
                 neo4j.uri, neo4j.password()], capture_output=True, text=True, check=False, cwd=ROOT)
            if out.returncode != 0:
                raise SystemExit(f"the import of {size} rows failed:\n{out.stderr[-3000:]}")
            run = json.loads(out.stdout.strip().splitlines()[-1])
            importer = run["rows"] / run["seconds"]
            print(f"import {size}: {run}", flush=True)
            lines.append(f"{size:>9} {floor['rows_per_s']:>12.0f} {importer:>14.0f} "
                         f"{importer / floor['rows_per_s']:>6.2f} {run['maxrss_mb']:>12.0f} "
                         f"{run['nodes']:>9} {run['rels']:>9}")
    print(f"\n1-min load average at start {load:.2f}, at end {os.getloadavg()[0]:.2f}")
    print(f"{'FA rows':>9} {'floor rows/s':>12} {'import rows/s':>14} {'ratio':>6} {'peak RSS MB':>12} "
          f"{'nodes+':>9} {'rels+':>9}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
