"""A sampler that runs while a benchmark's `with` block runs: `tick()` every `interval` seconds, on a thread."""

from __future__ import annotations

import threading
from typing import Self


class Periodic:
    """Subclasses say what one sample is (`tick`) and how often (`interval`); the thread stops with the block."""

    interval = 0.5

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.tick()
            self._stop.wait(self.interval)

    def tick(self) -> None:
        raise NotImplementedError
