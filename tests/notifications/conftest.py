"""Fixtures of the notification tests: those of the message tests (one HTTP client on the suite's
server, three fresh accounts per test)."""

from tests.messages.conftest import http, trio

__all__ = ["http", "trio"]
