"""One way to find an image or an album from what a client sends, and one rule for who may change it.

A reference is an id or a deletehash (ids.kind tells which by its length). Holding the deletehash is
ownership: that is how anonymous uploads are managed. Through its id, only the owning account may."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from imghost import ids
from imghost.auth import Subject
from imghost.errors import NotFound


class Owned(Protocol):
    @property
    def account_id(self) -> int | None: ...


T = TypeVar("T", bound=Owned)


@dataclass(frozen=True, slots=True)
class Resolved(Generic[T]):
    item: T
    by_deletehash: bool

    def owned_by(self, subject: Subject) -> bool:
        return self.by_deletehash or subject.owns(self.item.account_id)


async def resolve(
    ref: str,
    *,
    by_id: Callable[[str], Awaitable[T | None]],
    by_deletehash: Callable[[str], Awaitable[T | None]],
    not_found: Callable[[str], NotFound],
) -> Resolved[T]:
    kind = ids.kind(ref)
    if kind == "id":
        item = await by_id(ref)
        if item is not None:
            return Resolved(item, False)
    elif kind == "deletehash":
        item = await by_deletehash(ref)
        if item is not None:
            return Resolved(item, True)
    raise not_found(ref)
