"""Tags as the tag service hands them out, and the rule for what a tag's name may be."""

from __future__ import annotations

import re
from dataclasses import dataclass

from imghost.domain.gallery.items import TagRef

# Letters (any script), digits, underscore and hyphen, as Imgur's tag names are (one letter or digit
# at least).
NAME = re.compile(r"[\w-]{1,64}")


def tag_name(raw: str) -> tuple[str, str] | None:
    """(name, display name) of what someone typed: a leading '#' dropped, the name lower case and the
    display name as typed; None when it cannot be a tag name."""
    display = raw.strip().removeprefix("#").strip()
    name = display.lower()
    if not NAME.fullmatch(name) or not NAME.fullmatch(display) or not any(c.isalnum() for c in name):
        return None
    return name, display


@dataclass(frozen=True, slots=True)
class Tag:
    name: str
    display_name: str
    description: str
    followers: int
    total_items: int
    following: bool = False  # the viewer's

    def ref(self) -> TagRef:
        return TagRef(
            name=self.name,
            display_name=self.display_name,
            followers=self.followers,
            total_items=self.total_items,
            description=self.description,
        )


@dataclass(frozen=True, slots=True)
class TagVote:
    """A tag on one post, with its votes and who put it there (None once that account is gone)."""

    name: str
    display_name: str
    ups: int
    downs: int
    author: str | None
