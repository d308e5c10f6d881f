"""`cbsi-graph serve` with Python's cyclic garbage collector timed: how often each generation is collected and
how long the collections stop the server.

Why: a full collection stops every request in flight, so its length and frequency land in the tail latency;
`gc.callbacks` times each collection from its start to its end. Run it in place of `serve` (same settings, from
the environment), put load on it, then `kill -USR1 PID` to append the counts since the last signal to the output
file and start counting again (so a warm-up can be left out). Optional `GC_THRESHOLDS=700,10,10` sets the
collector's thresholds after the server's own (`app/interpreter.py`), to compare settings.

    CBSI_PORT=8812 .venv/bin/python bench/serve_gc_probe.py --output /tmp/gc.txt &
    .venv/bin/python bench/bench_soak.py --url http://127.0.0.1:8812 --import-home var --clients 8 \
        --duration 40 --no-import --output /tmp/soak.md
    kill -USR1 <pid>; cat /tmp/gc.txt

(session 12, issue #14: the measurements in `docs/benchmarks.md`, "Session 12").
"""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import app.interpreter  # noqa: E402


class CollectionTimes:
    """Collections per generation since the last report: count, total and longest pause."""

    def __init__(self) -> None:
        self.started = 0.0
        self.by_generation: dict[int, list[float]] = {}

    def callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self.started = time.perf_counter()
            return
        self.by_generation.setdefault(info["generation"], []).append(time.perf_counter() - self.started)

    def report(self) -> str:
        lines = [f"--- {time.strftime('%H:%M:%S')} thresholds {gc.get_threshold()} frozen {gc.get_freeze_count()}"]
        for generation, pauses in sorted(self.by_generation.items()):
            total = sum(pauses)
            lines.append(f"generation {generation}: {len(pauses)} collections, {total * 1000:.1f} ms in all, "
                         f"mean {total / len(pauses) * 1000:.3f} ms, longest {max(pauses) * 1000:.1f} ms")
        self.by_generation = {}
        return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, required=True, help="file the reports are appended to")
    args = parser.parse_args()
    times = CollectionTimes()
    gc.callbacks.append(times.callback)

    def report(_signum: int, _frame: object) -> None:
        with open(args.output, "a", encoding="utf-8") as out:
            out.write(times.report())

    signal.signal(signal.SIGUSR1, report)
    thresholds = os.environ.get("GC_THRESHOLDS")
    if thresholds:
        settle = app.interpreter.settle_before_serving

        def settle_then_set() -> None:
            settle()
            gc.set_threshold(*(int(part) for part in thresholds.split(",")))

        app.interpreter.settle_before_serving = settle_then_set  # read by `serve` when it starts
    from app.cli import main as cli_main
    sys.argv = ["cbsi-graph", "serve"]
    return cli_main()


if __name__ == "__main__":
    raise SystemExit(main())
