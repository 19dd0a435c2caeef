"""The one rule for free text people send (titles, descriptions, bios, names), applied by every service
before anything is stored: control characters other than tab, line feed and carriage return are
removed. NUL is among them, which PostgreSQL cannot hold in a text value and SQLite would keep; this
rule makes both backends store the same thing. Removing rather than refusing, because they are never
meant (a paste from a terminal, a client's stray byte) and Imgur itself does not refuse such text."""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(value: str | None) -> str | None:
    if value is None:
        return None
    return _CONTROL.sub("", value) if _CONTROL.search(value) else value
