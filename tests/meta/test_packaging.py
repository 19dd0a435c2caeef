"""The committed lock must install everything pyproject.toml asks for (CI installs from the lock)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0].strip().lower().replace("_", "-")


def test_lock_pins_every_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    pinned = {
        _name(line)
        for line in (ROOT / "requirements.lock").read_text().splitlines()
        if line and not line.startswith((" ", "#"))
    }
    assert wanted - pinned == set()


def test_no_package_index_named() -> None:
    lock = (ROOT / "requirements.lock").read_text()
    assert "index-url" not in lock and "://" not in lock
    assert not (ROOT / "uv.lock").exists()
