"""Reading a server-sent event stream with httpx, event by event, with a deadline."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx


class Events:
    """An open stream read on a thread: `next_unread()` waits for the next `unread` event's number,
    `lines` keeps every line seen (heartbeat comments too), `ended` is set when the server closed it."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.lines: list[str] = []
        self.ended = threading.Event()
        self._unread: queue.Queue[int] = queue.Queue()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        event = ""
        try:
            for line in self.response.iter_lines():
                self.lines.append(line)
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event == "unread":
                    self._unread.put(json.loads(line[6:])["unread"])
                elif line == "":
                    event = ""
        except (httpx.HTTPError, RuntimeError):
            pass
        finally:
            self.ended.set()

    def next_unread(self, timeout: float = 10) -> int:
        try:
            return self._unread.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(
                f"no unread event within {timeout} s; lines so far: {self.lines[-10:]}"
            ) from None

    def nothing_within(self, seconds: float) -> bool:
        try:
            got = self._unread.get(timeout=seconds)
        except queue.Empty:
            return True
        raise AssertionError(f"an unexpected unread event: {got}")


@contextmanager
def stream(url: str, headers: dict[str, str], path: str = "/3/notification/stream") -> Iterator[Events]:
    with httpx.Client(base_url=url, timeout=httpx.Timeout(10, read=60)) as c:
        with c.stream("GET", path, headers=headers) as r:
            assert r.status_code == 200, r.read()
            assert r.headers["content-type"].startswith("text/event-stream")
            yield Events(r)


def open_status(url: str, headers: dict[str, str]) -> tuple[int, Any]:
    with (
        httpx.Client(base_url=url, timeout=10) as c,
        c.stream("GET", "/3/notification/stream", headers=headers) as r,
    ):
        if r.headers.get("content-type", "").startswith("text/event-stream"):
            return r.status_code, None
        return r.status_code, json.loads(r.read())
