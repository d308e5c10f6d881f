"""When a soak's slow requests happened: the tail of a varied soak is only explained by its timeline.

`bench/bench_soak.py` records every request as (seconds since start, latency, failed, query name). This module
turns that list into the lines its report adds: p50/p99/max per 10-second slice, when the slowest 1% began,
how many of them were a shape's first requests, and the figures after the warm-up (from the moment every
shape has been answered once) next to the whole run's, so a warm-up is visible and never silently dropped;
and the CPU each process (server, Neo4j, the client itself) spent per request, since on a shared machine a
closed-loop soak's latency is mostly waiting for a core.
"""

from __future__ import annotations

import csv
import os
from collections import Counter
from pathlib import Path

Request = tuple[float, float, bool, str]  # (seconds since start, latency s, failed, query name)
SLICE = 10.0


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def warmed_at(requests: list[Request]) -> float:
    """The moment the last shape got its first answer (its first request's end): from then on no shape is new."""
    first_end: dict[str, float] = {}
    for at, latency, _failed, name in sorted(requests):
        first_end.setdefault(name, at + latency)
    return max(first_end.values(), default=0.0)


def timeline_lines(requests: list[Request], clients: int) -> list[str]:
    """Markdown lines: per-slice latencies, the slowest 1% placed in time, whole run against after warm-up."""
    if not requests:
        return []
    latencies = [latency for _, latency, _, _ in requests]
    threshold = _percentile(latencies, 0.99)
    slow = [r for r in requests if r[1] >= threshold]
    firsts: set[tuple[float, str]] = set()
    seen: Counter[str] = Counter()
    for at, _latency, _failed, name in sorted(requests):
        if seen[name] < clients:  # each client's first request of the shape (the soak's clients start together)
            firsts.add((at, name))
        seen[name] += 1
    lines = ["", f"Timeline ({SLICE:.0f}-second slices by request start):", "",
             "| from s | requests | p50 ms | p99 ms | max ms | requests >= the run's p99 |",
             "|---|---|---|---|---|---|"]
    end = max(at for at, _, _, _ in requests)
    start = 0.0
    while start <= end:
        window = [r for r in requests if start <= r[0] < start + SLICE]
        if window:
            spent = [r[1] for r in window]
            lines.append(f"| {start:.0f} | {len(window)} | {1000 * _percentile(spent, 0.5):.1f} | "
                         f"{1000 * _percentile(spent, 0.99):.1f} | {1000 * max(spent):.0f} | "
                         f"{sum(r[1] >= threshold for r in window)} |")
        start += SLICE
    among_first = sum((r[0], r[3]) in firsts for r in slow)
    began = sorted(r[0] for r in slow)
    lines += ["", f"The slowest 1% ({len(slow)} requests >= {1000 * threshold:.0f} ms) began between "
                  f"{began[0]:.1f} s and {began[-1]:.1f} s; {among_first} of them were among the first {clients} "
                  f"requests of their shape (one per client)."]
    warm = warmed_at(requests)
    after = [r[1] for r in requests if r[0] >= warm]
    if after:
        lines += [f"Whole run: {len(latencies)} requests, p50 {1000 * _percentile(latencies, 0.5):.1f} ms, "
                  f"p99 {1000 * threshold:.1f} ms. After warm-up (from {warm:.1f} s, when every shape had been "
                  f"answered once): {len(after)} requests, p50 {1000 * _percentile(after, 0.5):.1f} ms, "
                  f"p99 {1000 * _percentile(after, 0.99):.1f} ms, max {1000 * max(after):.0f} ms."]
    return lines


def write_csv(requests: list[Request], path: Path) -> None:
    """Every request, for a closer look (start s, latency ms, failed, query)."""
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["start_s", "latency_ms", "failed", "query"])
        for at, latency, failed, name in sorted(requests):
            writer.writerow([f"{at:.3f}", f"{1000 * latency:.1f}", int(failed), name])


def cpu_lines(spent: dict[str, float], requests: int, elapsed: float) -> list[str]:
    """CPU per request of each process over the run: with every core busy, latency is queueing behind this."""
    if not requests:
        return []
    total = sum(spent.values())
    parts = ", ".join(f"{who} {1000 * seconds / requests:.1f} ms" for who, seconds in spent.items())
    return ["", f"CPU per request over the run: {parts}; total {1000 * total / requests:.1f} ms "
                f"({total / elapsed:.2f} cores busy on average of {os.cpu_count()})."]
