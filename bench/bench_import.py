"""Benchmark the IATI and FA CSV importers into a fresh local Neo4j: rows/s and peak memory per size.

Each import runs in its own child process so `ru_maxrss` is that import's peak resident memory, not the
benchmark's; the import maps its rows in a child of its own (`graph_seed/importers/mapping_process.py`), whose
peak is reported apart ("mapper RSS"). Neo4j's resident memory (`VmRSS`) is sampled every 0.5 s while the
import runs ("Neo4j RSS": at the start and the peak). Files come from `bench/gen_aid_files.py`
(deterministic). Every (kind, size) gets a fresh local Neo4j (2 GB heap, 1 GB page cache, the project's
schema), stopped and deleted afterwards; its heap in use is sampled (JMX, every 0.5 s) while the import runs.
"again" re-imports the same file: with the Source's `importStatus: complete` that is a no-op (hash the file,
one query), so its rows/s is the hash speed.

    .venv/bin/python bench/bench_import.py                 # 10k and 100k rows, both formats
    .venv/bin/python bench/bench_import.py --sizes 10000 100000 1000000 --kinds fa-csv
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.periodic import Periodic  # noqa: E402 (after the path the import needs)

_HEAP = ('CALL dbms.queryJmx("java.lang:type=Memory") YIELD attributes '
         'RETURN attributes.HeapMemoryUsage.value.properties.used AS used')


class RssSampler(Periodic):
    """Resident memory of a process (Neo4j's JVM) while an import runs: the first sample and the peak."""

    def __init__(self, pid: int) -> None:
        super().__init__()
        self.pid, self.first, self.peak = pid, 0, 0

    def tick(self) -> None:
        with contextlib.suppress(OSError, ValueError, IndexError):
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    kib = int(line.split()[1])
                    self.first = self.first or kib
                    self.peak = max(self.peak, kib)


class HeapSampler(Periodic):
    """Peak Neo4j heap in use while an import runs (JMX; garbage not yet collected counts, so it is an upper
    bound of what the import needs)."""

    def __init__(self, driver: object) -> None:
        super().__init__()
        self.driver, self.peak = driver, 0

    def tick(self) -> None:
        with contextlib.suppress(Exception):  # a missed sample is no reason to fail the benchmark
            records, _, _ = self.driver.execute_query(_HEAP)  # type: ignore[attr-defined]
            self.peak = max(self.peak, int(records[0]["used"]))


def child(kind: str, path: str, uri: str, password: str) -> None:
    """Run one import and print its figures as JSON (runs in a fresh process)."""
    from neo4j import GraphDatabase

    from graph_seed.importers import import_files

    with GraphDatabase.driver(uri, auth=("neo4j", password)) as driver:
        started = time.monotonic()
        summary = import_files(driver, kind, [Path(path)])  # type: ignore[arg-type]
        seconds = time.monotonic() - started
    print(json.dumps({
        "seconds": seconds, "rows": summary.transactions, "units": summary.rows_read,
        "nodes": summary.nodes_created, "rels": summary.relationships_created, "problems": len(summary.problems),
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "mapper_maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--kinds", nargs="+", default=["fa-csv", "iati"], choices=["fa-csv", "iati"])
    parser.add_argument("--child", nargs=4, metavar=("KIND", "FILE", "URI", "PASSWORD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return

    from bench.fresh_neo4j import fresh_neo4j
    from bench.gen_aid_files import generate_fa, generate_iati
    from graph_seed.neo4j_writer import ensure_schema

    results = []
    load = os.getloadavg()[0]
    for kind in args.kinds:
        for size in args.sizes:
            with tempfile.TemporaryDirectory(prefix="cbsi-bench-") as tmp:
                tmpdir = Path(tmp)
                path = tmpdir / f"{kind}-{size}.{'xml' if kind == 'iati' else 'csv'}"
                (generate_iati if kind == "iati" else generate_fa)(size, path, 7)
                with fresh_neo4j() as (neo4j, driver):
                    with driver.session() as session:
                        ensure_schema(session)
                    pid = neo4j.running_pid()
                    assert pid is not None
                    for attempt in ("first", "again"):  # again = idempotent re-import of the same file
                        run_load = os.getloadavg()[0]
                        with HeapSampler(driver) as heap, RssSampler(pid) as rss:
                            out = subprocess.run(
                                [sys.executable, __file__, "--child", kind, str(path), neo4j.uri,
                                 neo4j.password()], capture_output=True, text=True, check=False, cwd=ROOT)
                        if out.returncode != 0:
                            print(out.stderr[-3000:], file=sys.stderr)
                            results.append((kind, size, attempt, None, path.stat().st_size))
                            break
                        run = json.loads(out.stdout.strip().splitlines()[-1])
                        run["rows"] = run["rows"] or size  # a no-op re-import reads no rows
                        run["heap_mb"] = heap.peak / 2**20
                        run["server_rss_mb"] = (rss.first / 1024, rss.peak / 1024)
                        run["load"] = (run_load + os.getloadavg()[0]) / 2
                        results.append((kind, size, attempt, run, path.stat().st_size))
                        print(kind, size, attempt, run, flush=True)
    print()
    print(f"1-min load average at start: {load:.2f}; at end: {os.getloadavg()[0]:.2f}")
    print(f"{'kind':7} {'rows':>9} {'run':6} {'file MB':>8} {'seconds':>8} {'rows/s':>8} {'peak RSS MB':>12} "
          f"{'mapper RSS MB':>14} {'Neo4j heap MB':>14} {'Neo4j RSS MB start/peak':>24} {'nodes+':>8} "
          f"{'rels+':>8} {'load':>5}")
    for kind, size, attempt, run, file_size in results:
        if run is None:
            print(f"{kind:7} {size:>9} {attempt:6} {file_size / 1e6:>8.1f}   FAILED (see stderr)")
            continue
        print(f"{kind:7} {size:>9} {attempt:6} {file_size / 1e6:>8.1f} {run['seconds']:>8.1f} "
              f"{run['rows'] / run['seconds']:>8.0f} {run['maxrss_mb']:>12.0f} {run['mapper_maxrss_mb']:>14.0f} "
              f"{run['heap_mb']:>14.0f} {run['server_rss_mb'][0]:>11.0f} / {run['server_rss_mb'][1]:<10.0f} "
              f"{run['nodes']:>8} {run['rels']:>8} {run['load']:>5.1f}")


if __name__ == "__main__":
    main()
