"""Benchmark the client side of an import (parse, map, validate, batch; no Neo4j): rows/s and peak memory.

Each measurement runs a dry run (`import_files(None, kind, [file], dry_run=True)`: the same parsing, mapping,
validation and batching path as a real import, without the writer) in a fresh child process, so `ru_maxrss` is
that run's peak resident memory. Rows/s counts FA CSV rows or IATI transactions (`summary.transactions`).
Files come from `bench/gen_aid_files.py` (deterministic) and are generated into `--dir` when missing.

`--digest` instead prints a SHA-256 of every batch the sink hands to the writer (in order) plus the summary:
two versions of the importer that print the same digest for a file produce the same graph, byte for byte.
Wrap timings in `flock /tmp/cbsi-bench.lock` when the machine is shared:

    flock /tmp/cbsi-bench.lock .venv/bin/python bench/bench_import_client.py --sizes 10000 100000
    .venv/bin/python bench/bench_import_client.py --batch-size 60 \
        --digest fa-csv data/samples/fa_gov_El_Salvador_sample_100rows.csv
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _measure(kind: str, path: Path) -> dict[str, Any]:
    """In this (fresh) process: one dry run, its rows/s and this process's peak RSS."""
    from graph_seed.importers import import_files

    started = time.monotonic()
    summary = import_files(None, kind, [path], dry_run=True)  # type: ignore[arg-type]
    seconds = time.monotonic() - started
    return {"kind": kind, "file": str(path), "rows": summary.transactions, "seconds": round(seconds, 2),
            "rows_per_s": round(summary.transactions / seconds),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


class _Digest:
    """A stand-in writer: hashes each submitted batch in order (field order kept, so any change shows)."""

    def __init__(self) -> None:
        self.hash = hashlib.sha256()
        self.batches = 0

    def submit(self, batch: Any) -> None:
        self.batches += 1
        for part in (batch.nodes, batch.touch, batch.funding, batch.edges, batch.sector_codes, batch.size):
            self.hash.update(json.dumps(part, default=str).encode())
            self.hash.update(b"\x1e")


def digest(kind: str, path: Path, batch_size: int, spill_capacity: int | None) -> dict[str, Any]:
    from graph_seed.importers import pipeline
    from graph_seed.importers import sink as sink_module
    from graph_seed.importers.common import file_sha256, source_id
    from graph_seed.importers.resolve import Resolver
    from graph_seed.importers.summary import ImportSummary

    if spill_capacity is not None:  # force the per-file state to spill to disk early (still exact)
        from graph_seed.importers import spill
        spill.CAPACITY, spill.BLOOM_BITS = spill_capacity, 1 << 10
    summary = ImportSummary(kind=kind, files=[str(path)], dry_run=True)
    writer = _Digest()
    sha = file_sha256(path)
    sink = sink_module.RecordSink(writer, source_id(sha), batch_size=batch_size)
    resolver = Resolver.from_graph(None, pipeline._MARKERS[kind])
    source = pipeline._map_file(kind, path, sha, resolver, sink, summary, None)
    pipeline._account(summary, sink.labels, sink.types)
    facts = {k: getattr(summary, k) for k in ("rows_read", "activities", "programs", "organisations",
                                               "transactions", "funding", "rows_skipped", "notes")}
    facts["problems"] = [str(p) for p in summary.problems]
    facts["labels"] = sorted(summary.nodes_by_label.items())
    facts["types"] = sorted(summary.relationships_by_type.items())
    facts["source"] = repr(source.record())
    writer.hash.update(json.dumps(facts, default=str).encode())
    return {"batches": writer.batches, "digest": writer.hash.hexdigest(), "problems": len(facts["problems"]),
            "funding": summary.funding, "programs": summary.programs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--kinds", nargs="+", default=["fa-csv", "iati"], choices=["fa-csv", "iati"])
    parser.add_argument("--dir", type=Path, default=Path("/tmp"))
    parser.add_argument("--repeat", type=int, default=1, help="runs per file; the best rows/s is reported")
    parser.add_argument("--one", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)  # child process
    parser.add_argument("--digest", nargs=2, metavar=("KIND", "FILE"))
    parser.add_argument("--batch-size", type=int, default=50_000)
    parser.add_argument("--spill-capacity", type=int, help="with --digest: entries kept in memory per map")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_measure(args.one[0], Path(args.one[1]))))
        return
    if args.digest:
        print(json.dumps(digest(args.digest[0], Path(args.digest[1]), args.batch_size, args.spill_capacity)))
        return
    print(f"load average: {os.getloadavg()}")
    for kind in args.kinds:
        for size in args.sizes:
            path = args.dir / f"{'fa' if kind == 'fa-csv' else 'iati'}_{size}.{'csv' if kind == 'fa-csv' else 'xml'}"
            if not path.exists():
                subprocess.run([sys.executable, str(ROOT / "bench" / "gen_aid_files.py"), kind, str(size), str(path),
                                "--seed", "7"], check=True)
            runs = [json.loads(subprocess.run([sys.executable, __file__, "--one", kind, str(path)], check=True,
                                              capture_output=True, text=True).stdout) for _ in range(args.repeat)]
            best = max(runs, key=lambda run: run["rows_per_s"])
            best["peak_rss_mb"] = max(run["peak_rss_mb"] for run in runs)
            best["load"] = os.getloadavg()[0]
            print(json.dumps(best), flush=True)


if __name__ == "__main__":
    main()
