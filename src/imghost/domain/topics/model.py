"""Topics: the operator's sections of the gallery (`imghost topic add`), which a share may name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Topic:
    id: int
    name: str
    description: str
    css: str | None
    ephemeral: bool
    created_at: int

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Topic:
        return cls(
            id=int(row["id"]),
            name=row["name"],
            description=row["description"] or "",
            css=row["css"],
            ephemeral=bool(row["ephemeral"]),
            created_at=int(row["created_at"]),
        )
