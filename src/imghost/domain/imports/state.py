"""The state file of an import: what is done, so that a rerun skips it.

A journal of JSON lines, one per finished item, later lines winning: `{"key": "image:abc1234",
"outcome": "imported", "id": "abc1234", "ext": "jpg", ...}`. Each record goes out in one write() on a
file opened for appending, as soon as its item is finished, so a kill (even SIGKILL) loses at most the
items in flight; a torn last line (power loss) is ignored on reading. Opening compacts the journal into a
fresh file that replaces the old one atomically (write, fsync, rename), so it never grows past one line
per item plus one run's worth."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

_HEADER = "imghost-import-state"
VERSION = 1


class StateFile:
    def __init__(self, path: Path, *, kind: str, done: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.path = path
        self.kind = kind
        self.records: dict[str, dict[str, Any]] = {k: dict(v) for k, v in (done or {}).items()}
        self._fd = -1

    @classmethod
    def open(cls, path: Path, *, kind: str) -> StateFile:
        """Read what an earlier run left (nothing if the file is missing) and start appending to it.
        Raises ValueError when the file is another kind of import's state."""
        state = cls(path, kind=kind)
        if path.exists():
            state._read()
        path.parent.mkdir(parents=True, exist_ok=True)
        state._compact()
        state._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return state

    @classmethod
    def fresh(cls, path: Path, *, kind: str, done: Mapping[str, Mapping[str, Any]]) -> StateFile:
        """A new state file holding `done` (a shard of a larger import's state), open for appending."""
        state = cls(path, kind=kind, done=done)
        path.parent.mkdir(parents=True, exist_ok=True)
        state._compact()
        state._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return state

    def absorb(self, other: Path) -> int:
        """Take in what another state file of the same kind holds (a worker's shard), then remove it.
        Returns how many records it had; a file of another kind is left alone."""
        if not other.exists():
            return 0
        shard = StateFile(other, kind=self.kind)
        try:
            shard._read()
        except ValueError:
            return 0
        for key, entry in shard.records.items():
            self.record(key, **{k: v for k, v in entry.items() if k != "key"})
        other.unlink(missing_ok=True)
        return len(shard.records)

    def get(self, key: str) -> dict[str, Any] | None:
        return self.records.get(key)

    def record(self, key: str, **fields: Any) -> None:
        entry = {"key": key, **fields}
        self.records[key] = entry
        if self._fd >= 0:
            os.write(self._fd, (json.dumps(entry, separators=(",", ":")) + "\n").encode())

    def close(self) -> None:
        if self._fd >= 0:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = -1

    def _read(self) -> None:
        with open(self.path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
        if not lines:
            return
        try:
            header = json.loads(lines[0])
        except ValueError:
            header = None
        if not isinstance(header, dict) or header.get(_HEADER) != self.kind:
            raise ValueError(f"{self.path} is not the state file of an `{self.kind}` import")
        for line in lines[1:]:
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a record cut short when the machine went down
            if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
                continue
            self.records[entry["key"]] = entry

    def _compact(self) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(json.dumps({_HEADER: self.kind, "version": VERSION}) + "\n")
            for entry in self.records.values():
                f.write(json.dumps(entry, separators=(",", ":")) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
