"""Profile one import on a fresh local Neo4j: where Neo4j's CPU goes, with Java Flight Recorder.

Why: the import benchmark says how fast; this says why. It starts a fresh local Neo4j (2 GB heap, 1 GB page
cache, the project's schema), records the import with JFR (`settings=profile`), and prints
- rows/s, and the CPU seconds of the Neo4j process and of this client (/proc and getrusage);
- Neo4j's CPU by thread group (/proc/<pid>/task: the Bolt worker that runs the batch, G1, the JIT, Lucene);
- G1 pause time and count;
- the share of the Bolt worker's stack samples spent in the procedure, in the commit and in its main parts.
The recording is kept (`--jfr`) for `jfr print` / JDK Mission Control.

    .venv/bin/python bench/gen_aid_files.py fa-csv 200000 /tmp/fa-200k.csv --seed 7
    flock /tmp/cbsi-bench.lock .venv/bin/python bench/profile_import.py fa-csv /tmp/fa-200k.csv --jfr /tmp/fa.jfr

`--heap`, `--batch-size`, `--jvm` (e.g. `--jvm=-XX:+UseParallelGC`) and `--drop-index` (e.g. `entity_search`)
try the settings bench/results/import.md reports on.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Frames whose share of the Bolt worker's samples is reported (inclusive: a frame anywhere in the stack).
PARTS: dict[str, str] = {
    "Cypher execution (UNWIND ... MERGE)": "org.neo4j.cypher.internal.runtime",
    "commit": "KernelTransactionImplementation.commit",
    "  tx state -> record commands": "KernelTransactionImplementation.extractCommands",
    "  write to the transaction log": "InternalTransactionCommitProcess.appendToLog",
    "  apply to store and indexes": "InternalTransactionCommitProcess.applyToStore",
    "    index updates (all)": "IndexingService.applyUpdates",
    "    full-text index updates": "FulltextIndexAccessor$FulltextIndexUpdater.process",
}
_FRAME = re.compile(r"^\s+([\w$.<>/]+)\(", re.M)
_THREAD = re.compile(r'sampledThread = "([^"]*)"')
_PAUSE = re.compile(r"sumOfPauses = ([\d.]+) (\w+)")


# /proc thread names (cut at 15 characters) -> the group their CPU is reported under
THREAD_GROUPS: tuple[tuple[str, str], ...] = (
    ("neo4j.BoltWorke", "Bolt worker (runs the batch and its commit)"),
    ("GC Thread", "garbage collector"), ("G1 ", "garbage collector"),
    ("C2 CompilerThre", "JIT compiler"), ("C1 CompilerThre", "JIT compiler"),
    ("Lucene Merge Th", "Lucene merges (full-text index)"),
)


def thread_cpu(pid: int) -> dict[int, tuple[str, float]]:
    """Each live thread of a process: its id -> (group, CPU seconds used so far)."""
    threads: dict[int, tuple[str, float]] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the thread ended meanwhile
            continue
        group = next((label for prefix, label in THREAD_GROUPS if name.startswith(prefix)), "other threads")
        threads[int(task.name)] = (group, (int(fields[11]) + int(fields[12])) / tick)
    return threads


def cpu_by_group(before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]],
                 process_seconds: float) -> dict[str, float]:
    """CPU used between two `thread_cpu` readings, per group; what threads that ended in between used (JIT
    compiler and Lucene merge threads come and go) is the process's total minus the live threads' share."""
    groups: dict[str, float] = collections.defaultdict(float)
    for tid, (group, used) in after.items():
        groups[group] += used - before.get(tid, (group, 0.0))[1]
    groups["threads that ended during the run"] = max(0.0, process_seconds - sum(groups.values()))
    return groups


def _jfr(*args: str) -> str:
    return subprocess.run(["jfr", *args], check=True, capture_output=True, text=True).stdout


def gc_pauses(recording: Path) -> tuple[float, int]:
    """Total G1 pause time in seconds and the number of collections in a recording."""
    text = _jfr("print", "--events", "jdk.GarbageCollection", str(recording))
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    total = sum(float(value) * scale.get(unit, 0.0) for value, unit in _PAUSE.findall(text))
    return total, text.count("jdk.GarbageCollection")


def worker_shares(recording: Path) -> tuple[int, dict[str, float]]:
    """Samples of the busiest Bolt worker thread, and the share of them each of `PARTS` appears in."""
    text = _jfr("print", "--stack-depth", "256", "--events", "jdk.ExecutionSample", str(recording))
    stacks: dict[str, list[set[str]]] = collections.defaultdict(list)
    for event in text.split("jdk.ExecutionSample")[1:]:
        thread = _THREAD.search(event)
        if thread and thread.group(1).startswith("neo4j.BoltWorker"):
            stacks[thread.group(1)].append(set(_FRAME.findall(event)))
    if not stacks:
        return 0, {}
    samples = max(stacks.values(), key=len)
    shares = {name: sum(any(marker in frame for frame in stack) for stack in samples) / len(samples)
              for name, marker in PARTS.items()}
    return len(samples), shares


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=["fa-csv", "iati"])
    parser.add_argument("file", type=Path)
    parser.add_argument("--jfr", type=Path, default=Path(tempfile.gettempdir()) / "cbsi-import.jfr")
    parser.add_argument("--heap", default="2g")
    parser.add_argument("--batch-size", type=int, help="records per transaction (default: the importer's)")
    parser.add_argument("--jvm", action="append", default=[], metavar="FLAG",
                        help="an extra JVM flag for Neo4j (repeatable); a collector such as -XX:+UseParallelGC "
                             "replaces G1")
    parser.add_argument("--drop-index", action="append", default=[], metavar="NAME",
                        help="drop this index of the project's schema before importing (e.g. entity_search)")
    args = parser.parse_args()

    from app import local_neo4j
    from bench.fresh_neo4j import cpu_seconds, fresh_neo4j
    from graph_seed.importers import import_files, pipeline
    from graph_seed.importers import sink as sink_module
    from graph_seed.neo4j_writer import ensure_schema

    if args.jvm:
        replaces_g1 = any(flag.startswith("-XX:+Use") and flag.endswith("GC") for flag in args.jvm)
        local_neo4j.JVM_FLAGS = tuple(
            flag for flag in local_neo4j.JVM_FLAGS if not (replaces_g1 and flag == "-XX:+UseG1GC")) + tuple(args.jvm)
    if args.batch_size:
        sink_module.BATCH_SIZE = args.batch_size
    with fresh_neo4j(heap=args.heap) as (neo4j, driver):
        with driver.session() as session:
            ensure_schema(session)
            names = {r["name"] for r in session.run("SHOW INDEXES YIELD name RETURN name")}
            for name in args.drop_index:
                if name not in names:  # only names the schema really has reach the query text
                    raise SystemExit(f"no index {name!r}; the schema has {sorted(names)}")
                session.run(f"DROP INDEX {name}").consume()
        if args.drop_index:  # an import makes the schema it needs first: that would bring them back
            pipeline.ensure_schema = lambda session: []
        pid = neo4j.running_pid()
        assert pid is not None
        subprocess.run(["jcmd", str(pid), "JFR.start", "name=cbsi", "settings=profile",
                        f"filename={args.jfr}"], check=True, capture_output=True)
        server, client = cpu_seconds(pid), resource.getrusage(resource.RUSAGE_SELF)
        threads_before = thread_cpu(pid)
        started = time.monotonic()
        summary = import_files(driver, args.kind, [args.file])
        seconds = time.monotonic() - started
        server = cpu_seconds(pid) - server
        threads = cpu_by_group(threads_before, thread_cpu(pid), server)
        after = resource.getrusage(resource.RUSAGE_SELF)
        subprocess.run(["jcmd", str(pid), "JFR.stop", "name=cbsi"], check=True, capture_output=True)
    client_cpu = after.ru_utime - client.ru_utime + after.ru_stime - client.ru_stime
    pauses, collections_ = gc_pauses(args.jfr)
    samples, shares = worker_shares(args.jfr)
    rows = summary.transactions
    print(f"{args.kind} {rows} rows in {seconds:.1f} s: {rows / seconds:.0f} rows/s "
          f"(nodes +{summary.nodes_created}, relationships +{summary.relationships_created}); "
          f"load {os.getloadavg()[0]:.2f}")
    print(f"CPU: Neo4j {server:.1f} s ({server / seconds:.2f} cores, {server / rows * 1e6:.0f} us/row), "
          f"client {client_cpu:.1f} s ({client_cpu / rows * 1e6:.0f} us/row)")
    for group, used in sorted(threads.items(), key=lambda item: -item[1]):
        print(f"  {group:44} {used:6.1f} s ({used / seconds:.0%} of the wall time)")
    print(f"GC pauses: {pauses:.1f} s in {collections_} collections")
    print(f"Bolt worker: {samples} samples")
    for name, share in shares.items():
        print(f"  {name:32} {share:6.1%}")
    print(f"recording: {args.jfr}")


if __name__ == "__main__":
    main()
