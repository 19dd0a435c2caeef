"""Per-process counters, exposed at /metrics in the Prometheus text format."""

from __future__ import annotations


class Metrics:
    def __init__(self) -> None:
        self.counters: dict[str, int] = {}

    def inc(self, name: str, by: int = 1) -> None:
        self.counters[name] = self.counters.get(name, 0) + by

    def render(self) -> str:
        return "".join(f"imghost_{k}_total {v}\n" for k, v in sorted(self.counters.items()))


metrics = Metrics()
