from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol


class LockService(Protocol):
    def hold(self, name: str, *, timeout: float = 30.0) -> AbstractAsyncContextManager[None]:
        """Hold a named lock across every imghost process sharing this deployment.

        Raises ServiceUnavailable if it cannot be had within timeout."""

    async def close(self) -> None: ...
