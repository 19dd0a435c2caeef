"""The final report of an import: what came over, what was already here, what the source had removed,
what failed and why, and which ids had to change. As text for a person, as JSON for a script."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from imghost.domain.images.service import ALREADY_HERE, IMPORTED, RENAMED

REMOVED, FAILED, SKIPPED = "removed", "failed", "skipped"
OUTCOMES = (IMPORTED, ALREADY_HERE, RENAMED, REMOVED, FAILED, SKIPPED)
DONE = frozenset({IMPORTED, ALREADY_HERE, RENAMED})


@dataclass
class Entry:
    kind: str  # "image" or "album" (a gallery post is reported as what it turned out to be, or "gallery")
    source_id: str
    outcome: str  # one of OUTCOMES
    local_id: str = ""
    ext: str = ""
    reason: str = ""
    source_url: str = ""
    album: str = ""  # the source album an image came with
    earlier: bool = False  # done by an earlier run: read from the state file


@dataclass
class Report:
    title: str
    entries: list[Entry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # run-wide remarks (unrecognised links, the state file)
    extra: dict[str, Any] = field(default_factory=dict)  # run-wide figures (links found, requests, waits)

    def add(self, entry: Entry) -> Entry:
        self.entries.append(entry)
        return entry

    def extend(self, entries: Iterable[Entry]) -> None:
        self.entries.extend(entries)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(OUTCOMES, 0)
        for e in self.entries:
            out[e.outcome] = out.get(e.outcome, 0) + 1
        return out

    @property
    def failed(self) -> bool:
        return any(e.outcome == FAILED for e in self.entries)

    def renamed(self) -> dict[str, str]:
        """Source id -> the id it has here, for every item that had to take a new one."""
        return {f"{e.kind}:{e.source_id}": e.local_id for e in self.entries if e.outcome == RENAMED}

    def as_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "counts": self.counts(),
            "renamed": self.renamed(),
            **self.extra,
            "notes": self.notes,
            "items": [asdict(e) for e in self.entries],
        }

    def json(self) -> str:
        return json.dumps(self.as_json(), indent=2)

    def text(self) -> str:
        counts = self.counts()
        earlier = sum(e.earlier for e in self.entries)
        lines = [
            f"{self.title}: {len(self.entries)} items"
            + (f" ({earlier} done by an earlier run)" if earlier else "")
        ]
        for outcome in OUTCOMES:
            lines.append(f"  {outcome:<13}{counts[outcome]:>7}")
        for name, value in self.extra.items():
            lines.append(f"  {name.replace('_', ' ')}: {value}")
        for outcome, heading in (
            (RENAMED, "taken here by other content, imported under a new id"),
            (REMOVED, "removed at the source (never stored)"),
            (FAILED, "failed"),
            (SKIPPED, "skipped"),
        ):
            rows = [e for e in self.entries if e.outcome == outcome]
            if not rows:
                continue
            lines.append(f"{heading}:")
            for e in rows:
                where = f" (in album {e.album})" if e.album else ""
                if outcome == RENAMED:
                    lines.append(f"  {e.kind} {e.source_id} -> {e.local_id}{where}")
                else:
                    lines.append(f"  {e.kind} {e.source_id}{where}: {e.reason}")
        lines.extend(self.notes)
        return "\n".join(lines)
