"""The server's processes and their memory, read from /proc: for the tests that bound what one request may
take."""

from __future__ import annotations

from pathlib import Path

from tests.live import LiveServer

MB = 1024 * 1024
GROWTH_LIMIT = 64 * MB  # what one request may add to a server process's resident set


def children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            out.extend(int(c) for c in (task / "children").read_text().split())
    except OSError:
        pass
    return out


def descendants(srv: LiveServer) -> list[int]:
    assert srv.proc is not None
    out, todo = [], [srv.proc.pid]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children(pid))
    return out


def status(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"{key} not found for {pid}")


class PeakGrowth:
    """The largest rise of a server process's resident set over its size before the block (peaks reset
    through clear_refs, so an earlier peak cannot hide this one). Media children started inside the block
    are not server processes: their bound is their own rlimit."""

    def __init__(self, srv: LiveServer) -> None:
        self.srv = srv
        self.growth = 0

    def __enter__(self) -> PeakGrowth:
        self.before: dict[int, int] = {}
        for pid in descendants(self.srv):
            Path(f"/proc/{pid}/clear_refs").write_text("5")
            self.before[pid] = status(pid, "VmRSS")
        return self

    def __exit__(self, *exc: object) -> None:
        self.growth = max(status(pid, "VmHWM") - rss for pid, rss in self.before.items())
