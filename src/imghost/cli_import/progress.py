"""One progress bar for long operator commands: counts, rate and time left on a terminal (redrawn in
place on stderr), a plain line every few seconds when stderr is a file or a pipe (CI logs, cron)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, total: int, label: str, *, stream: TextIO | None = None, every: float = 5.0) -> None:
        self.total = total
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.every = every if not self.tty else 0.1
        self.done = 0
        self.counts: dict[str, int] = {}
        self.started = time.monotonic()
        self._last = 0.0

    def step(self, outcome: str, n: int = 1) -> None:
        self.done += n
        self.counts[outcome] = self.counts.get(outcome, 0) + n
        now = time.monotonic()
        if now - self._last >= self.every or self.done == self.total:
            self._last = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = max(now - self.started, 1e-6)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 and self.total else 0.0
        counts = ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items()))
        if self.tty:
            width = 30
            filled = int(width * self.done / self.total) if self.total else width
            bar = "#" * filled + "." * (width - filled)
            line = (
                f"\r{self.label} [{bar}] {self.done}/{self.total} {rate:.1f}/s ~{left:.0f}s left ({counts})"
            )
            self.stream.write(line[:200].ljust(120))
        else:
            self.stream.write(f"{self.label}: {self.done}/{self.total}, {rate:.1f}/s ({counts})\n")
        self.stream.flush()

    def close(self) -> None:
        self._draw(time.monotonic())
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
