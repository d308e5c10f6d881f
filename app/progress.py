"""A progress line for long work on stderr: redrawn in place on a terminal, a line every few seconds elsewhere."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Callable with the count done so far; `total` (when known) adds a percentage and a bar."""

    def __init__(self, label: str, total: int | None = None, stream: TextIO | None = None,
                 interval: float | None = None) -> None:
        self.label = label
        self.total = total
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.interval = interval if interval is not None else (0.2 if self.tty else 5.0)
        self.started = time.monotonic()
        self.last_drawn = self.started
        self.count = 0

    def _line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.count / elapsed
        if self.total:
            share = min(self.count / self.total, 1.0)
            bar = "#" * int(share * 30)
            return f"{self.label} [{bar:<30}] {share:6.1%} {self.count:,}/{self.total:,} ({rate:,.0f}/s)"
        return f"{self.label}: {self.count:,} ({rate:,.0f}/s, {elapsed:.0f}s)"

    def __call__(self, count: int) -> None:
        self.count = count
        now = time.monotonic()
        if now - self.last_drawn >= self.interval:
            self.last_drawn = now
            self.stream.write(("\r" + self._line()) if self.tty else (self._line() + "\n"))
            self.stream.flush()

    def done(self) -> None:
        """Draw the final count and end the line."""
        self.stream.write(("\r" if self.tty else "") + self._line() + "\n")
        self.stream.flush()
