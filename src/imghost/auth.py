from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Subject:
    """Who is calling: always an application, and (once accounts exist) maybe a signed-in user."""

    client_id: str | None
    account_id: int | None = None
    username: str | None = None
    # A banned account's token still reads; the API edge refuses its writes.
    banned: bool = False

    def owns(self, account_id: int | None) -> bool:
        """Whether something belonging to account_id is this caller's (anonymous things are nobody's)."""
        return account_id is not None and self.account_id == account_id
